"""Checks of the torch family."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlsmells.data import torch_api, torchvision_weights
from mlsmells.engine import Check, Context, iter_nodes, names_in
from mlsmells.rules._util import has_star_kwargs, keyword, method_name
from mlsmells.semantic import kinds as K
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import (
    Binding,
    ClassInfo,
    Scope,
    ScopeType,
    SemanticModel,
    last_names,
)

#: A file importing any of these may hold PyTorch training code.
TORCH_FAMILY = frozenset({"torch", "lightning", "pytorch_lightning", "transformers"})

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_Loop = ast.For | ast.AsyncFor | ast.While


def enclosing_loops(ancestors: list[ast.AST]) -> list[_Loop]:
    """The loops around the current node in its own function, innermost first."""
    loops: list[_Loop] = []
    for node in reversed(ancestors):
        if isinstance(node, _DEFINITIONS):
            break
        if isinstance(node, _LOOPS):
            loops.append(node)
    return loops


def walk_local(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, not descending into nested definitions."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _names_in(expr: ast.AST) -> list[ast.Name]:
    return names_in(expr)


def _has_star_args(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in call.args)


# --------------------------------------------------------------------- ML401


class TorchLoadUnsafe(Check):
    """ML401: ``torch.load`` without ``weights_only=`` (and without ``pickle_module=``)."""

    codes = ("ML401",)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})

    _LOADERS = frozenset({"torch.load", "torch.serialization.load"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if self.model.qualname(node.func) not in self._LOADERS:
            return
        if has_star_kwargs(node) or _has_star_args(node):
            return
        # torch.load(f, map_location, pickle_module, *, weights_only, ...)
        if len(node.args) >= 3:
            return
        if keyword(node, "weights_only") is not None or keyword(node, "pickle_module") is not None:
            return
        self.report("ML401", node)


# --------------------------------------------------------------------- ML402

#: Words that name an optimizer in an identifier the model cannot type (``opt``, ``d_optimizer``).
_OPTIMIZER_WORDS = frozenset({"opt", "optim", "optimizer", "optimiser", "optimizers", "optimisers"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _identifier(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


#: Words that make such an identifier something else (``opt_scheduler``, ``optim_lr``).
_NOT_OPTIMIZER_WORDS = frozenset(
    {"sched", "scheduler", "schedulers", "schedule", "lr", "warmup", "scaler", "ema", "swa"}
)


def _names_an_optimizer(identifier: str) -> bool:
    words = {word.lower() for word in _WORD.findall(identifier)}
    return bool(words & _OPTIMIZER_WORDS) and not words & _NOT_OPTIMIZER_WORDS


def _mentions_grad(expr: ast.expr) -> bool:
    """Whether ``expr`` is ``<x>.grad`` or an attribute/subscript chain through it."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        if isinstance(expr, ast.Attribute) and expr.attr == "grad":
            return True
        expr = expr.value
    return False


def clears_gradients(node: ast.AST) -> bool:
    """Whether ``node`` clears (or overwrites) gradients by itself.

    ``zero_grad(...)`` on anything, any call passing ``set_to_none=``,
    ``p.grad.zero_()``, and any assignment or deletion of ``p.grad``.
    """
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "zero_grad" or keyword(node, "set_to_none") is not None:
            return True
        if isinstance(func, ast.Attribute) and func.attr in ("zero_", "fill_"):
            return _mentions_grad(func.value)
        return False
    targets: list[ast.expr] = []
    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    for target in targets:
        for sub in iter_nodes(target):
            if isinstance(sub, ast.expr) and _mentions_grad(sub):
                return True
    return False


def callee_keys(model: SemanticModel, func: ast.expr) -> list[tuple[int, str]]:
    """Where the definition of a called function may be: a plain same-file function
    ``(0, name)`` or a method of the receiver's same-file class (or of a same-file base
    class) ``(id of the class node, name)``."""
    if isinstance(func, ast.Name):
        return [(0, func.id)]
    if not isinstance(func, ast.Attribute):
        return []
    keys: list[tuple[int, str]] = []
    pending = [model.instance_class(func.value)]
    while pending:
        klass = pending.pop()
        if klass is None or any(key[0] == id(klass.node) for key in keys):
            continue
        keys.append((id(klass.node), func.attr))
        for base in klass.node.bases:
            binding = model.lookup(base.id) if isinstance(base, ast.Name) else None
            if binding is not None and binding.is_class:
                pending.append(binding.klass)
    return keys


def is_optimizer(model: SemanticModel, expr: ast.expr) -> bool:
    """Known to be an optimizer, or (kind unknown) named like one."""
    kind = model.kind_of(expr)
    if kind is not None:
        return kind is Kind.OPTIMIZER
    identifier = _identifier(expr)
    return identifier is not None and _names_an_optimizer(identifier)


def stepped_optimizer(model: SemanticModel, receiver: ast.expr, call: ast.Call) -> ast.expr | None:
    """The optimizer that ``receiver.step(...)`` steps, if it is one."""
    if is_optimizer(model, receiver):
        return receiver
    # GradScaler: scaler.step(optimizer)
    if call.args and model.kind_of(receiver) is None and is_optimizer(model, call.args[0]):
        return call.args[0]
    return None


@dataclass
class _LoopFacts:
    backward: ast.Call | None = None
    """The first ``.backward(...)`` call in the loop."""
    optimizer: str | None = None
    """The source of the first optimizer whose ``step()`` the loop calls."""
    clears: bool = False
    optimizer_name: str | None = None
    """The plain name holding that optimizer, if it is one."""
    bound: set[str] = field(default_factory=set)
    """Names (re)bound inside the loop."""
    callees: set[tuple[int, str]] = field(default_factory=set)
    """Same-file functions the loop may call: (id of the owning class or 0, name)."""


class ZeroGradMissing(Check):
    """ML402: a loop backpropagates and steps an optimizer but never clears gradients."""

    codes = ("ML402",)
    nodes = (
        ast.Call,
        ast.Assign,
        ast.AugAssign,
        ast.AnnAssign,
        ast.Delete,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
    )
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.loops: dict[int, _LoopFacts] = {}
        self.functions: dict[tuple[int, str], list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        """(id of the class defining it or 0, name) -> the function definitions."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = self.model.scope.node if self.model.scope.type is ScopeType.CLASS else None
            self.functions.setdefault((id(owner) if owner else 0, node.name), []).append(node)
            return
        if clears_gradients(node):
            # Leniently, clearing anywhere inside a loop counts, even in a nested
            # definition (the closure of LBFGS.step, a lambda mapped over optimizers).
            for loop in self.ctx.ancestors:
                if isinstance(loop, _LOOPS):
                    self.loops.setdefault(id(loop), _LoopFacts()).clears = True
        loops = enclosing_loops(self.ctx.ancestors)
        if not loops:
            return
        facts = [self.loops.setdefault(id(loop), _LoopFacts()) for loop in loops]
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for fact in facts:
                fact.bound.update(n.id for t in targets for n in _names_in(t))
        if not isinstance(node, ast.Call):
            return
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        for key in callee_keys(self.model, func):
            for fact in facts:
                fact.callees.add(key)
        if callee == "backward" or self.model.qualname(func) == "torch.autograd.backward":
            for fact in facts:
                if fact.backward is None:
                    fact.backward = node
        elif callee == "step" and isinstance(func, ast.Attribute):
            optimizer = stepped_optimizer(self.model, func.value, node)
            if optimizer is not None:
                for fact in facts:
                    if fact.optimizer is None:
                        fact.optimizer = self.ctx.source_of(optimizer)
                        held = optimizer  # optimizers[0]: held by `optimizers`
                        while isinstance(held, ast.Subscript):
                            held = held.value
                        if isinstance(held, ast.Name):
                            fact.optimizer_name = held.id

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        reported: set[int] = set()
        for fact in self.loops.values():
            if fact.backward is None or fact.optimizer is None or fact.clears:
                continue
            if fact.optimizer_name in fact.bound:
                continue  # a fresh optimizer (and usually a fresh model) in every iteration
            if id(fact.backward) in reported or self._helpers_clear(fact.callees):
                continue
            reported.add(id(fact.backward))
            self.report(
                "ML402",
                fact.backward,
                optimizer=fact.optimizer,
                data=(("optimizer", fact.optimizer),),
            )

    def _helpers_clear(self, callees: set[tuple[int, str]]) -> bool:
        """Whether a same-file function the loop calls clears gradients itself."""
        for key in callees:
            for function in self.functions.get(key, ()):
                if any(clears_gradients(n) for n in walk_local(function.body)):
                    return True
        return False


# --------------------------------------------------------------------- ML403

_NO_GRAD_CONTEXTS = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad"})
#: Objects whose ``backward(loss)`` backpropagates its argument.
_HOSTS = frozenset({"accelerate.Accelerator", "lightning.Fabric", "lightning.fabric.Fabric"})
#: Lightning hooks that the trainer already runs without autograd.
_NO_GRAD_HOOKS = frozenset({"validation_step", "test_step", "predict_step"})


@dataclass
class _Accumulation:
    node: ast.AugAssign | ast.Assign
    target: str
    loss: ast.expr
    bindings: list[Binding]
    """Bindings, at the statement, of the names whose value is added (``loss``, or the
    factors of ``loss * n``)."""
    is_loss_kind: bool


@dataclass
class _ScopeFlow:
    accumulations: list[_Accumulation] = field(default_factory=list)
    backpropagated: list[Binding] = field(default_factory=list)
    """Bindings of names that reach a ``backward`` at the point of that call."""
    backward_seeds: set[str] = field(default_factory=set)
    """Names used in a backward call or an autograd call."""
    returned: set[str] = field(default_factory=set)
    """Names used in a returned or yielded value."""
    flows: dict[str, set[str]] = field(default_factory=dict)
    """Assigned name -> names its values were computed from (in this scope)."""


def _target_names(target: ast.expr) -> Iterator[str]:
    """Names that an assignment to ``target`` (re)binds or mutates."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif isinstance(target, (ast.Subscript, ast.Attribute)):
        base = target.value
        while isinstance(base, (ast.Subscript, ast.Attribute)):
            base = base.value
        if isinstance(base, ast.Name):
            yield base.id


def _chain(expr: ast.expr) -> str | None:
    """``self.total`` for a chain of attributes on a name, else None."""
    attrs: list[str] = []
    while isinstance(expr, ast.Attribute):
        attrs.append(expr.attr)
        expr = expr.value
    if not attrs or not isinstance(expr, ast.Name):
        return None
    return ".".join([expr.id, *reversed(attrs)])


def _accumulator(target: ast.expr) -> str | None:
    """What ``target += ...`` accumulates into: ``total``, ``self.total``; for a
    subscript (``totals[k]``, ``self.totals[k]``), the container."""
    while isinstance(target, ast.Subscript):
        target = target.value
    if isinstance(target, ast.Name):
        return target.id
    return _chain(target)


def _subjects(expr: ast.AST) -> set[str]:
    """The names in ``expr`` and its attribute chains on names (``self.total``)."""
    subjects: set[str] = set()
    for sub in iter_nodes(expr):
        if isinstance(sub, ast.Name):
            subjects.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            chain = _chain(sub)
            if chain is not None:
                subjects.add(chain)
    return subjects


def _attribute_names(subjects: set[str]) -> Iterator[str]:
    """``total`` for every ``<name>.total`` among ``subjects``."""
    for subject in subjects:
        if "." in subject:
            yield subject.rpartition(".")[2]


def _added_names(expr: ast.expr) -> list[str]:
    """The names whose value ``expr`` adds: ``loss``, ``loss * n``, ``loss / k``, ``w * loss``."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.Div)):
        return _added_names(expr.left) + _added_names(expr.right)
    return []


def _reaching(flow: _ScopeFlow, seeds: set[str], opaque: str | None = None) -> set[str]:
    """``seeds`` and every name whose value flows into one of them in the scope.

    What flows into ``opaque`` is not followed: for attribute accumulators, the
    method's ``self``, which every ``self.x = ...`` feeds and every ``self.model(x)``
    reads, would connect each attribute to each loss.
    """
    reaching = set(seeds)
    pending = list(reaching)
    while pending:
        name = pending.pop()
        if name == opaque:
            continue
        for source in flow.flows.get(name, ()):
            if source not in reaching:
                reaching.add(source)
                pending.append(source)
    return reaching


def _is_backward_call(call: ast.Call, qualname: str | None) -> bool:
    callee = call.func.attr if isinstance(call.func, ast.Attribute) else None
    if callee is not None and "backward" in callee.lower():
        return True  # loss.backward(), accelerator.backward(loss), self.manual_backward(loss)
    return qualname in ("torch.autograd.backward", "torch.autograd.grad")


class LossAccumulatedAsTensor(Check):
    """ML403: ``total += loss`` in a loop keeps every iteration's autograd graph alive."""

    codes = ("ML403",)
    nodes = (
        ast.AugAssign,
        ast.Assign,
        ast.AnnAssign,
        ast.NamedExpr,
        ast.Call,
        ast.Return,
        ast.Yield,
        ast.YieldFrom,
    )
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flows: dict[int, _ScopeFlow] = {}
        self.no_grad_callees: set[str] = set()
        """Names of functions called somewhere under ``torch.no_grad()``."""
        self.pending: list[tuple[str | None, _Accumulation, bool]] = []
        """Findings decided when the module ends: (the function, unless it is called under
        ``no_grad``; the accumulation; whether its losses were backpropagated)."""
        self.attributes_into_backward: set[str] = set()
        """Attribute names whose value reaches a backward call, in any scope of the file."""
        self.attributes_out: set[str] = set()
        """Attribute names whose value is returned or reaches a backward call, in any scope."""
        self._no_grad_nodes: dict[int, bool] = {}

    def _flow(self) -> _ScopeFlow:
        flow = self.flows.get(id(self.model.scope))
        if flow is None:  # (not setdefault: that would build a _ScopeFlow per visit)
            flow = self.flows[id(self.model.scope)] = _ScopeFlow()
        return flow

    def visit(self, node: ast.AST) -> None:
        flow = self._flow()
        if isinstance(node, ast.Call):
            self._visit_call(node, flow)
        elif isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                flow.returned.update(_subjects(node.value))
        elif isinstance(node, ast.AugAssign):
            self._record_flow(flow, [node.target], node.value)
            if isinstance(node.op, ast.Add):
                target = _accumulator(node.target)
                if target is not None:
                    self._candidate(node, target, node.value, flow)
        elif isinstance(node, ast.Assign):
            self._record_flow(flow, node.targets, node.value)
            self._assign_candidate(node, flow)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._record_flow(flow, [node.target], node.value)
        elif isinstance(node, ast.NamedExpr):
            self._record_flow(flow, [node.target], node.value)

    def _visit_call(self, call: ast.Call, flow: _ScopeFlow) -> None:
        func = call.func
        callee = _identifier(func)
        if callee is not None and self._without_autograd():
            self.no_grad_callees.add(callee)
        if isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "add", "update"):
            self._record_flow(flow, [func.value], call)  # losses.append(total)
        if not _is_backward_call(call, self.model.qualname(func)):
            return
        tensors: list[ast.expr] = [
            kw.value for kw in call.keywords if kw.arg in ("tensors", "outputs", "loss")
        ]
        if isinstance(func, ast.Attribute) and func.attr == "backward":
            tensors.append(func.value)  # loss.backward(), scaler.scale(loss).backward()
            if call.args and self._is_backward_host(func.value):
                tensors.append(call.args[0])  # accelerator.backward(loss)
        elif call.args:
            tensors.append(call.args[0])  # self.manual_backward(loss), autograd.grad(loss, p)
        for tensor in tensors:
            for name in _names_in(tensor):
                binding = self.model.lookup(name.id)
                if binding is not None:
                    flow.backpropagated.append(binding)
        # Every name in the call counts for "the total reaches a backward" (leniently:
        # in loss.backward(gradient) the argument is a gradient, not a loss).
        for expr in [func, *call.args, *(kw.value for kw in call.keywords)]:
            flow.backward_seeds.update(_subjects(expr))

    def _is_backward_host(self, expr: ast.expr) -> bool:
        """Whether ``expr`` is an ``Accelerator``/``Fabric`` (whose ``backward`` takes the loss)."""
        binding: Binding | None = None
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
        elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            klass = self.model.enclosing_class()
            if klass is not None and expr.value.id == self.model.scope.self_name:
                binding = klass.attributes.get(expr.attr)
        made_by = binding.node if binding is not None else None
        return isinstance(made_by, ast.Call) and self.model.qualname(made_by.func) in _HOSTS

    @staticmethod
    def _record_flow(flow: _ScopeFlow, targets: list[ast.expr], value: ast.expr) -> None:
        sources = _subjects(value)
        for target in targets:
            names = set(_target_names(target))
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                accumulator = _accumulator(target)
                if accumulator is not None:
                    names.add(accumulator)  # self.total = ..., self.totals[k] = ...
            for name in names:
                flow.flows.setdefault(name, set()).update(sources)

    def _assign_candidate(self, node: ast.Assign, flow: _ScopeFlow) -> None:
        """``total = total + loss`` (either order; ``self.total``, ``totals[k]`` too)."""
        value = node.value
        if len(node.targets) != 1:
            return
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add)):
            return
        target = _accumulator(node.targets[0])
        if target is None:
            return
        spelled = ast.unparse(node.targets[0])
        for same, added in ((value.left, value.right), (value.right, value.left)):
            if isinstance(same, type(node.targets[0])) and ast.unparse(same) == spelled:
                self._candidate(node, target, added, flow)
                return

    def _candidate(
        self, node: ast.AugAssign | ast.Assign, target: str, loss: ast.expr, flow: _ScopeFlow
    ) -> None:
        if not enclosing_loops(self.ctx.ancestors) or self._without_autograd():
            return
        bindings = [b for b in map(self.model.lookup, _added_names(loss)) if b is not None]
        is_loss_kind = self.model.kind_of(loss) is Kind.LOSS
        if not bindings and not is_loss_kind:
            return
        flow.accumulations.append(_Accumulation(node, target, loss, bindings, is_loss_kind))

    def _without_autograd(self) -> bool:
        """Whether the statement runs under ``torch.no_grad()`` / ``inference_mode()``."""
        for node in self.ctx.ancestors:
            if isinstance(node, (ast.With, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef)):
                known = self._no_grad_nodes.get(id(node))
                if known is None:
                    if isinstance(node, (ast.With, ast.AsyncWith)):
                        exprs = [item.context_expr for item in node.items]
                    else:
                        exprs = node.decorator_list
                    known = any(self._is_no_grad(expr) for expr in exprs)
                    self._no_grad_nodes[id(node)] = known
                if known:
                    return True
        scope_node = self.model.scope.node
        return isinstance(scope_node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            scope_node.name in _NO_GRAD_HOOKS
        )

    def _is_no_grad(self, expr: ast.expr) -> bool:
        func = expr.func if isinstance(expr, ast.Call) else expr
        qualname = self.model.qualname(func)
        if qualname in _NO_GRAD_CONTEXTS:
            return True
        if qualname == "torch.set_grad_enabled" and isinstance(expr, ast.Call) and expr.args:
            first = expr.args[0]
            return isinstance(first, ast.Constant) and first.value is False
        return False

    def leave_scope(self, scope: Scope) -> None:
        flow = self.flows.pop(id(scope), None)
        if flow is not None:
            if flow.accumulations:
                self._decide(scope, flow)
            # An attribute outlives the scope: another method may backpropagate it.
            into_backward = _reaching(flow, flow.backward_seeds, scope.self_name)
            out_of_scope = _reaching(flow, flow.backward_seeds | flow.returned, scope.self_name)
            self.attributes_into_backward.update(_attribute_names(into_backward))
            self.attributes_out.update(_attribute_names(out_of_scope))
        if scope.type is ScopeType.MODULE:
            for function, acc, backpropagated in self.pending:
                if function is not None and function in self.no_grad_callees:
                    continue
                attribute = acc.target.rpartition(".")[2] if "." in acc.target else None
                if attribute is not None:
                    if attribute in self.attributes_into_backward:
                        continue
                    if not backpropagated and attribute in self.attributes_out:
                        continue
                self._report(acc)

    def _decide(self, scope: Scope, flow: _ScopeFlow) -> None:
        function = getattr(scope.node, "name", None)
        # (name targets, attribute targets) -> (into a backward, also returned)
        reaching: dict[bool, tuple[set[str], set[str]]] = {}
        for acc in flow.accumulations:
            dotted = "." in acc.target
            if dotted not in reaching:
                opaque = scope.self_name if dotted else None
                reaching[dotted] = (
                    _reaching(flow, flow.backward_seeds, opaque),
                    _reaching(flow, flow.backward_seeds | flow.returned, opaque),
                )
            into_backward, out_of_scope = reaching[dotted]
            # The object holding an attribute total (not `self`) carries it where it goes.
            holder = acc.target.partition(".")[0] if dotted else None
            held = {acc.target} if holder in (None, scope.self_name) else {acc.target, holder}
            backpropagated = any(b is mine for b in flow.backpropagated for mine in acc.bindings)
            caller_decides: str | None = None
            if backpropagated:
                # Each loss was already backpropagated: the total is bookkeeping,
                # unless the total itself is backpropagated too.
                if held & into_backward:
                    continue
            elif not acc.is_loss_kind or held & out_of_scope:
                # A sum of losses returned or backpropagated: the point of the sum.
                continue
            elif isinstance(function, str):
                # Known to be a loss only by its kind: callers may run it under no_grad.
                caller_decides = function
            if caller_decides is not None or "." in acc.target:
                self.pending.append((caller_decides, acc, backpropagated))
                continue
            self._report(acc)

    def _report(self, acc: _Accumulation) -> None:
        loss_source = self.ctx.source_of(acc.loss)
        simple = isinstance(acc.loss, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
        item = f"{loss_source}.item()" if simple else f"({loss_source}).item()"
        statement = self.ctx.source_of(acc.node)
        if "\n" in statement:
            statement = ast.unparse(acc.node)
        self.report(
            "ML403",
            acc.node,
            statement=statement,
            item=item,
            data=(("target", acc.target), ("loss", loss_source)),
        )


# --------------------------------------------------------------------- ML404

#: Functional dropouts -> the default of their ``training`` parameter (third positional).
_FUNCTIONAL_DROPOUTS: dict[str, bool] = {
    "torch.nn.functional.dropout": True,
    "torch.nn.functional.dropout1d": True,
    "torch.nn.functional.dropout2d": True,
    "torch.nn.functional.dropout3d": True,
    "torch.nn.functional.alpha_dropout": False,
    "torch.nn.functional.feature_alpha_dropout": False,
}


_MODE_WORDS = frozenset({"train", "training", "is_train", "is_training"})


def _mentions_mode(node: ast.AST) -> bool:
    """Whether ``node`` reads the training mode: ``self.training``, ``training``, ``"train"``."""
    for sub in ast.walk(node):
        word: object = None
        if isinstance(sub, ast.Name):
            word = sub.id
        elif isinstance(sub, ast.Attribute):
            word = sub.attr
        elif isinstance(sub, ast.Constant):
            word = sub.value
        if isinstance(word, str) and word.lower() in _MODE_WORDS:
            return True
    return False


class FunctionalDropoutAlwaysOn(Check):
    """ML404: functional dropout in an ``nn.Module`` method without ``training=``."""

    codes = ("ML404",)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        default = _FUNCTIONAL_DROPOUTS.get(self.model.qualname(node.func) or "")
        if default is None:
            return
        if has_star_kwargs(node) or _has_star_args(node) or len(node.args) >= 3:
            return
        if keyword(node, "training") is not None or _mentions_mode(node):
            return
        found = self._module_method()
        if found is None or self._mode_tested():
            return
        effect = (
            "stays active after `model.eval()`"
            if default
            else "is never applied, not even in training (`training` defaults to False)"
        )
        data = (("training", f"{found}.training"),) if found else ()
        self.report("ML404", node, func=self.ctx.source_of(node.func), effect=effect, data=data)

    def _mode_tested(self) -> bool:
        """Whether the enclosing function branches on the mode (``if self.training: ...``,
        ``if not self.training: return x``): the dropout may run in training only."""
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body: list[ast.stmt] = node.body
                break
            if isinstance(node, ast.Lambda):
                return _mentions_mode(node.body)
        else:
            return False
        for sub in walk_local(body):
            if isinstance(sub, (ast.If, ast.IfExp, ast.While, ast.Assert)) and _mentions_mode(
                sub.test
            ):
                return True
        return False

    def _module_method(self) -> str | None:
        """``None`` outside an ``nn.Module`` method; else the name of ``self`` there ("": none)."""
        scope: Scope | None = self.model.scope
        shadowing: set[str] = set()
        while scope is not None and scope.type not in (ScopeType.MODULE, ScopeType.CLASS):
            if scope.klass is not None:
                if not scope.klass.is_module:
                    return None
                self_name = scope.self_name
                return self_name if self_name and self_name not in shadowing else ""
            shadowing.update(scope.bindings)
            scope = scope.parent
        return None


# --------------------------------------------------------------------- ML406

_MODE_SWITCHES = frozenset({"eval", "train", "zero_grad", "step"})
_RAISES_CONTEXTS = frozenset({"raises", "assertRaises"})
_CATCHING_ATTRIBUTE_ERROR = frozenset({"AttributeError", "Exception", "BaseException"})


class ModeSwitchNotCalled(Check):
    """ML406: ``model.eval`` (or ``train``/``zero_grad``/``step``) as a statement, not called."""

    codes = ("ML406",)
    nodes = (ast.Expr,)
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._properties: dict[int, set[str]] | None = None
        """id of a same-file class (0: any class) -> the properties it defines."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        value = node.value
        if not isinstance(value, ast.Attribute) or value.attr not in _MODE_SWITCHES:
            return
        if self.ctx.displays(node):
            return  # a notebook (or percent-format) cell displays its last expression
        if self._may_be_property(value) or self._expects_attribute_error(node):
            return
        self.report("ML406", value, expr=self.ctx.source_of(value), data=(("name", value.attr),))

    def _may_be_property(self, attribute: ast.Attribute) -> bool:
        """Whether ``attribute`` may read a same-file property (reading one may do something)."""
        properties = self._same_file_properties()
        klass = self.model.instance_class(attribute.value)
        if klass is not None:
            return attribute.attr in properties.get(id(klass.node), set()) or any(
                attribute.attr in properties.get(id(base.node), set())
                for base in self._same_file_bases(klass.node)
            )
        if self.model.kind_of(attribute.value) is not None:
            return False  # a library object: its eval/train/step are methods
        return attribute.attr in properties.get(0, set())

    def _same_file_bases(self, node: ast.ClassDef) -> list[ClassInfo]:
        found: list[ClassInfo] = []
        pending = [node]
        while pending:
            for base in pending.pop().bases:
                binding = self.model.lookup(base.id) if isinstance(base, ast.Name) else None
                klass = binding.klass if binding is not None and binding.is_class else None
                if klass is not None and klass not in found:
                    found.append(klass)
                    pending.append(klass.node)
        return found

    def _same_file_properties(self) -> dict[int, set[str]]:
        if self._properties is None:
            self._properties = {0: set()}
            for klass in ast.walk(self.ctx.tree):
                if not isinstance(klass, ast.ClassDef):
                    continue
                for node in klass.body:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                        _decorator_name(d) in ("property", "cached_property")
                        for d in node.decorator_list
                    ):
                        self._properties.setdefault(id(klass), set()).add(node.name)
                        self._properties[0].add(node.name)
        return self._properties

    def _expects_attribute_error(self, statement: ast.stmt) -> bool:
        """Inside ``pytest.raises(...)``/``assertRaises`` or a ``try`` catching AttributeError."""
        ancestors = [*self.ctx.ancestors, statement]
        for i, node in enumerate(ancestors):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    expr = item.context_expr
                    if isinstance(expr, ast.Call) and method_name(expr) in _RAISES_CONTEXTS:
                        return True
            elif isinstance(node, ast.Try) and i + 1 < len(ancestors):
                if ancestors[i + 1] in node.body and any(
                    _catches_attribute_error(h) for h in node.handlers
                ):
                    return True
        return False


def _decorator_name(decorator: ast.expr) -> str | None:
    return _identifier(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _catches_attribute_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_identifier(t) in _CATCHING_ATTRIBUTE_ERROR for t in types)


# ------------------------------------------------------------ shared helpers


def _text(expr: ast.AST) -> str:
    """Normalised source of ``expr`` (for comparing receivers)."""
    # ast.unparse is slow and this runs for every argument of every call: names and
    # dotted names (most receivers and arguments) unparse to themselves.
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, (ast.Name, ast.Attribute)):
        return f"{_text(expr.value)}.{expr.attr}"
    return ast.unparse(expr)


def _words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


def _dotted_names(expr: ast.expr) -> list[str]:
    """The identifiers of a ``a.b.c`` chain (empty when it is not one)."""
    names: list[str] = []
    while isinstance(expr, ast.Attribute):
        names.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return []
    names.append(expr.id)
    return names[::-1]


def _is_method_owner(model: SemanticModel, expr: ast.expr) -> bool:
    """Whether ``expr`` is the first parameter (``self``/``cls``) of an enclosing method."""
    if not isinstance(expr, ast.Name):
        return False
    binding = model.lookup(expr.id)
    if binding is None:
        return False
    for scope in model.scope.lookup_chain():
        node = scope.node
        if scope.type is not ScopeType.FUNCTION or scope.klass is None:
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        positional = node.args.posonlyargs + node.args.args
        if positional and positional[0].arg == expr.id and scope.bindings.get(expr.id) is binding:
            return True
    return False


def _binding_of(model: SemanticModel, expr: ast.expr) -> Binding | None:
    """The binding of a name, or of ``self.attr`` inside a same-file class."""
    if isinstance(expr, ast.Name):
        return model.lookup(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        klass = model.enclosing_class()
        if klass is not None and expr.value.id == model.scope.self_name:
            return klass.attributes.get(expr.attr)
    return None


def _constructor(model: SemanticModel, expr: ast.expr) -> ast.Call | None:
    """The call that made the value of ``expr``: ``expr`` itself, or the value bound to the
    name (or ``self`` attribute) ``expr`` is (``criterion = nn.CrossEntropyLoss()``)."""
    if isinstance(expr, ast.Call):
        return expr
    binding = _binding_of(model, expr)
    made_by = binding.node if binding is not None else None
    return made_by if isinstance(made_by, ast.Call) else None


def _constructed_by(model: SemanticModel, expr: ast.expr) -> str | None:
    """The qualified name of the callable whose call made the value of ``expr``
    (``criterion = nn.CrossEntropyLoss()`` gives ``torch.nn.CrossEntropyLoss``)."""
    made_by = _constructor(model, expr)
    return model.qualname(made_by.func) if made_by is not None else None


def _innermost_function(
    ancestors: list[ast.AST],
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in reversed(ancestors):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
        if isinstance(node, (ast.Lambda, ast.ClassDef)):
            return None
    return None


def _body_loops(ancestors: list[ast.AST], node: ast.AST) -> list[_Loop]:
    """The loops whose *body* (or ``while`` test) holds ``node``, innermost first, in the
    same function (a ``for`` loop's iterable is evaluated once, outside its body)."""
    path = [*ancestors, node]
    loops: list[_Loop] = []
    for i in range(len(path) - 2, -1, -1):
        current = path[i]
        if isinstance(current, _DEFINITIONS):
            break
        if isinstance(current, _LOOPS):
            child = path[i + 1]
            if isinstance(current, (ast.For, ast.AsyncFor)) and child in (
                current.iter,
                current.target,
            ):
                continue
            loops.append(current)
    return loops


def _block_path(
    ancestors: list[ast.AST], node: ast.AST, fields: dict[int, dict[int, str]]
) -> list[tuple[int, str]]:
    """(id of each ancestor, the field holding the next node on the way to ``node``).

    ``fields`` caches, per parent, the field of each child (id -> name): searching a
    long body once per statement would take quadratic time on a big module.
    """
    path = [*ancestors, node]
    steps: list[tuple[int, str]] = []
    for parent, child in zip(path, path[1:], strict=False):
        where = fields.get(id(parent))
        if where is None:
            where = fields[id(parent)] = {
                id(item): name
                for name, value in ast.iter_fields(parent)
                for item in (value if isinstance(value, list) else (value,))
                if isinstance(item, ast.AST)
            }
        name = where.get(id(child))
        if name is not None:
            steps.append((id(parent), name))
    return steps


_EXITS = (ast.Break, ast.Return, ast.Raise)


def _exits_loop_after(ancestors: list[ast.AST], node: ast.AST) -> bool:
    """Whether a ``break``/``return``/``raise`` follows ``node``'s statement in its block or
    an enclosing block of the innermost loop (the loop does not run again after it)."""
    path = [*ancestors, node]
    for i in range(len(path) - 2, -1, -1):
        parent, child = path[i], path[i + 1]
        if isinstance(parent, _DEFINITIONS):
            return False
        for _, value in ast.iter_fields(parent):
            if isinstance(value, list) and any(v is child for v in value):
                after = value[[id(v) for v in value].index(id(child)) + 1 :]
                if any(isinstance(stmt, _EXITS) for stmt in after):
                    return True
        if isinstance(parent, _LOOPS):
            return False
    return False


def _statement_lists(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for _, value in ast.iter_fields(node):
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value


#: Calls that seed torch's global generator (the DataLoader's shuffling draws from it).
_TORCH_SEEDING = frozenset(
    {
        "torch.manual_seed",
        "torch.random.manual_seed",
        "torch.default_generator.manual_seed",
        "lightning.seed_everything",
        "lightning.pytorch.seed_everything",
        "lightning.fabric.seed_everything",
        "lightning.fabric.utilities.seed.seed_everything",
        "lightning.pytorch.utilities.seed.seed_everything",
        "lightning_fabric.seed_everything",
        "lightning_fabric.utilities.seed.seed_everything",
        "transformers.set_seed",
        "transformers.trainer_utils.set_seed",
        "transformers.enable_full_determinism",
        "transformers.trainer_utils.enable_full_determinism",
        "accelerate.utils.set_seed",
        "accelerate.utils.random.set_seed",
    }
)
#: Libraries whose seeding functions do not seed torch.
_OTHER_RNG_ROOTS = ("random.", "numpy.", "tensorflow.", "jax.", "builtins.", "torch.")


def seeds_torch(model: SemanticModel, call: ast.Call) -> bool:
    """Whether ``call`` seeds torch globally, or calls a helper named like a seeding one
    (``set_seed(args.seed)``, ``seed_everything(42)``) that the rule cannot see into."""
    qualname = model.qualname(call.func)
    if qualname in _TORCH_SEEDING:
        return True
    if qualname is not None and qualname.startswith(_OTHER_RNG_ROOTS):
        return False
    identifier = _identifier(call.func)
    if identifier is None or identifier in ("initial_seed", "manual_seed"):
        return False  # g.manual_seed(0): a local generator, not the global one
    if "seed" not in identifier.lower():
        return False  # cheap: most callees are not named so
    return bool(_words(identifier) & {"seed", "seeds"})


def torch_spelling(model: SemanticModel, qualname: str) -> tuple[str, str | None]:
    """How to write the torch object ``qualname`` here, and the module to import for it.

    A visible name bound to it or to one of its parent modules is reused (``autocast``
    after ``from torch.amp import autocast``, ``F.interpolate`` after ``import
    torch.nn.functional as F``, ``th.amp.autocast`` after ``import torch as th``);
    otherwise ``torch.<...>`` with ``import torch``, which loads every submodule the fixes
    name (``torch.amp``, ``torch.linalg``, ``torch.func``, ``torch.nn.functional`` ...).
    """
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        candidates = [
            name
            for scope in model.scope.lookup_chain()
            for name, binding in scope.bindings.items()
            if binding.qualname == prefix and model.lookup(name) is binding
        ]
        if candidates:
            name = min(candidates, key=lambda n: (len(n), n))
            return ".".join([name, *parts[cut:]]), None
    return qualname, parts[0]


def _spelling_data(model: SemanticModel, qualname: str) -> tuple[tuple[str, str], ...]:
    text, module = torch_spelling(model, qualname)
    return (("spelling", text),) + ((("import", module),) if module else ())


# --------------------------------------------------------- ML104 and ML906

_DATALOADER = "torch.utils.data.DataLoader"
_LIGHTNING_HOSTS = frozenset(
    {
        "lightning.pytorch.LightningModule",
        "lightning.pytorch.LightningDataModule",
        "lightning.LightningDataModule",
        "lightning.pytorch.core.LightningDataModule",
        "lightning.pytorch.core.datamodule.LightningDataModule",
    }
)
#: DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, ...,
#: generator) -- positions of the parameters the rules look at.
_LOADER_POSITIONS = {"shuffle": 2, "sampler": 3, "batch_sampler": 4, "num_workers": 5}
_LOADER_GENERATOR_POSITION = 12


class DataLoaderChecks(Check):
    """ML104: shuffling DataLoader without a seeded generator in an unseeded module;
    ML906: DataLoader without ``num_workers``."""

    codes = ("ML104", "ML906")
    nodes = (ast.Call,)
    requires = frozenset({"torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.seeded = False
        self.unseeded_shuffles: list[tuple[ast.Call, tuple[tuple[str, str], ...]]] = []
        """(the DataLoader call, the fixer's data: empty for a subclass)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if seeds_torch(self.model, node):
            self.seeded = True
            return
        direct = self.model.qualname(node.func) == _DATALOADER
        if not direct and not self._is_loader_subclass(node.func):
            return
        if has_star_kwargs(node) or _has_star_args(node):
            return
        if direct:
            self._workers(node)
        if self._shuffles_unseeded(node, direct) and not self._in_lightning_class():
            data = _spelling_data(self.model, "torch.Generator") if direct else ()
            self.unseeded_shuffles.append((node, data))

    def _argument(self, call: ast.Call, name: str, positional: bool) -> ast.expr | None:
        found = keyword(call, name)
        if found is not None:
            return found.value
        index = _LOADER_POSITIONS.get(name)
        if positional and index is not None and len(call.args) > index:
            return call.args[index]
        return None

    def _workers(self, call: ast.Call) -> None:
        if self._argument(call, "num_workers", positional=True) is None:
            self.report("ML906", call, loader=self.ctx.source_of(call.func))

    def _shuffles_unseeded(self, call: ast.Call, direct: bool) -> bool:
        if keyword(call, "generator") is not None:
            return False
        if direct and len(call.args) > _LOADER_GENERATOR_POSITION:
            return False
        for other in ("sampler", "batch_sampler"):
            if self._argument(call, other, positional=direct) is not None:
                return False
        shuffle = self._argument(call, "shuffle", positional=direct)
        if shuffle is None:
            return False
        if isinstance(shuffle, ast.Name):
            binding = self.model.lookup(shuffle.id)
            shuffle_value = binding.node if binding is not None else None
            return isinstance(shuffle_value, ast.Constant) and shuffle_value.value is True
        return isinstance(shuffle, ast.Constant) and shuffle.value is True

    def _in_lightning_class(self) -> bool:
        """In a LightningModule/LightningDataModule: the Trainer runs its dataloader hooks,
        and Lightning's scripts seed with ``seed_everything`` where they build the Trainer."""
        klass = self.model.enclosing_class()
        pending = [klass.node] if klass is not None else []
        seen: set[int] = set()
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for base in node.bases:
                if self.model.qualname(base) in _LIGHTNING_HOSTS:
                    return True
                binding = self.model.lookup(base.id) if isinstance(base, ast.Name) else None
                if binding is not None and binding.is_class and binding.klass is not None:
                    pending.append(binding.klass.node)
        return False

    def _is_loader_subclass(self, func: ast.expr) -> bool:
        """A same-file subclass of DataLoader whose body does not handle generators itself."""
        if not isinstance(func, ast.Name):
            return False
        binding = self.model.lookup(func.id)
        seen: set[int] = set()
        while binding is not None and binding.is_class and binding.klass is not None:
            node = binding.klass.node
            if id(node) in seen:
                return False
            seen.add(id(node))
            source = self.ctx.source_of(node)
            if "generator" in source or "sampler" in source:
                return False
            parent: Binding | None = None
            for base in node.bases:
                if self.model.qualname(base) == _DATALOADER:
                    return True
                if isinstance(base, ast.Name):
                    parent = self.model.lookup(base.id)
            binding = parent
        return False

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or self.seeded:
            return
        for call, data in self.unseeded_shuffles:
            self.report("ML104", call, loader=self.ctx.source_of(call.func), data=data)


# --------------------------------------------------------------------- ML405

#: Libraries whose objects are not ``nn.Module``s.
_NON_MODULE_ROOTS = ("numpy.", "pandas.", "sklearn.", "scipy.", "builtins.")


class ForwardCalledDirectly(Check):
    """ML405: ``model.forward(x)`` on a module other than ``self``/``super()``."""

    codes = ("ML405",)
    nodes = (ast.Call,)
    requires = TORCH_FAMILY

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "forward":
            return
        receiver = func.value
        if self._is_own_forward(receiver, node) or not self._may_be_module(receiver):
            return
        text = self.ctx.source_of(receiver)
        self.report("ML405", node, receiver=text if "\n" not in text else _text(receiver))

    def _is_own_forward(self, receiver: ast.expr, call: ast.Call) -> bool:
        """``self.forward``, ``super().forward``, ``Base.forward(self, ...)``."""
        if isinstance(receiver, ast.Call) and self.model.qualname(receiver.func) in (
            "builtins.super",
            "builtins.type",
        ):
            return True
        if _is_method_owner(self.model, receiver):
            return True
        return bool(call.args) and _is_method_owner(self.model, call.args[0])

    def _may_be_module(self, receiver: ast.expr) -> bool:
        model = self.model
        if model.qualname(receiver) is not None:
            return False  # a module or class: ``nn.Linear.forward``, ``layers.forward``
        if isinstance(receiver, ast.Name):
            binding = model.lookup(receiver.id)
            if binding is not None and binding.is_class:
                return False
        kind = model.kind_of(receiver)
        if kind is not None:
            return kind.is_module
        klass = model.instance_class(receiver)
        if klass is not None:
            return klass.is_module
        made_by = _constructed_by(model, receiver)
        if made_by is not None and (
            made_by.startswith("torch.") or made_by.startswith(_NON_MODULE_ROOTS)
        ):
            return False  # a torch object that is not a Module (kind would say so)
        if isinstance(receiver, ast.Call):
            return False  # ``rref.rpc_sync().forward(x)``: a proxy whose forward is the API
        return "torch" in model.imported_roots


# --------------------------------------------------------------------- ML410

#: Tensor methods that return a converted copy (``Module.to`` & co. work in place instead).
_TENSOR_MOVES = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "long", "int", "short",
        "bool", "byte", "char", "pin_memory", "type",
    }
)  # fmt: skip


class TensorMoveDiscarded(Check):
    """ML410: ``x.to(device)`` (and ``cuda``/``cpu``/dtype conversions) on a tensor, discarded."""

    codes = ("ML410",)
    nodes = (ast.Expr,)
    requires = TORCH_FAMILY

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return
        method = call.func.attr
        if method not in _TENSOR_MOVES or (method == "type" and not call.args):
            return
        receiver = call.func.value
        kind = self.model.kind_of(receiver)
        if kind is None or not kind.is_tensor:
            return
        if self.ctx.displays(node):
            return  # a notebook (or percent-format) cell displays its last expression
        text = self.ctx.source_of(receiver)
        data = (("receiver", text),) if isinstance(receiver, ast.Name) else ()
        expr = self.ctx.source_of(call)
        self.report(
            "ML410",
            call,
            expr=expr if "\n" not in expr else _text(call),
            receiver=text if "\n" not in text else _text(receiver),
            data=data,
        )


# --------------------------------------------------------------------- ML411


class RequiresGradTypo(Check):
    """ML411: an assignment to ``.require_grad``."""

    codes = ("ML411",)
    nodes = (ast.Attribute,)
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._own_attribute: bool | None = None

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        if node.attr != "require_grad" or not isinstance(node.ctx, ast.Store):
            return
        if self._file_defines_require_grad():
            return
        receiver = node.value
        kind = self.model.kind_of(receiver)
        if kind is not None and not (kind.is_tensor or kind.is_module):
            return
        klass = self.model.instance_class(receiver)
        if klass is not None and not klass.is_module:
            return
        text = self.ctx.source_of(receiver)
        self.report("ML411", node, target=text if "\n" not in text else _text(receiver))

    def _file_defines_require_grad(self) -> bool:
        """Whether the file uses ``require_grad`` as a name of its own: it reads the
        attribute, or has a parameter, keyword or variable of that name."""
        if self._own_attribute is None:
            self._own_attribute = False
            for sub in ast.walk(self.ctx.tree):
                if (
                    (isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load))
                    and sub.attr == "require_grad"
                    or isinstance(sub, ast.arg)
                    and sub.arg == "require_grad"
                    or isinstance(sub, ast.keyword)
                    and sub.arg == "require_grad"
                    or isinstance(sub, ast.Name)
                    and sub.id == "require_grad"
                ):
                    self._own_attribute = True
                    break
        return self._own_attribute


# --------------------------------------------------------------------- ML413

_CHECKPOINTS = frozenset(
    {"torch.utils.checkpoint.checkpoint", "torch.utils.checkpoint.checkpoint_sequential"}
)


class CheckpointReentrantUnset(Check):
    """ML413: activation checkpointing without ``use_reentrant=``."""

    codes = ("ML413",)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if self.model.qualname(node.func) not in _CHECKPOINTS:
            return
        if keyword(node, "use_reentrant") is not None or has_star_kwargs(node):
            return
        self.report("ML413", node, func=self.ctx.source_of(node.func))


# --------------------------------------------------------------------- ML408

_SOFTMAX_FUNCTIONS = frozenset(
    {"torch.softmax", "torch.nn.functional.softmax", "torch.special.softmax"}
)
_SOFTMAX_MODULES = frozenset({"torch.nn.Softmax", "torch.nn.modules.activation.Softmax"})
_CROSS_ENTROPY_MODULES = frozenset(
    {"torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"}
)
_CROSS_ENTROPY = "torch.nn.functional.cross_entropy"
_CROSS_ENTROPY_NAMES = last_names([*_CROSS_ENTROPY_MODULES, _CROSS_ENTROPY])
#: Methods that reshape, move or cast a tensor: probabilities stay probabilities.
_KEEPS_VALUES = frozenset(
    {
        "view", "reshape", "squeeze", "unsqueeze", "flatten", "float", "double", "half",
        "to", "contiguous", "permute", "transpose", "cpu", "cuda", "clone", "view_as",
        "reshape_as",
    }
)  # fmt: skip
_FLOW_DEPTH = 6


class SoftmaxIntoCrossEntropy(Check):
    """ML408: probabilities (softmax output) passed to cross-entropy, which expects logits."""

    codes = ("ML408",)
    nodes = (ast.Assign, ast.Call)
    requires = frozenset({"torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.assignments: dict[int, tuple[list[ast.AST], ast.Assign]] = {}
        """id of an assigned value -> (the ancestors, the assignment statement)."""
        self.assigned_in: dict[int, list[tuple[int, str]]] = {}
        """id of an assigned value -> the block path of its assignment statement (computed
        when a loss call asks: most assignments are never asked about)."""
        self._class_verdicts: dict[int, bool] = {}
        self._fields: dict[int, dict[int, str]] = {}
        """For :func:`_block_path`."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            self.assignments[id(node.value)] = (list(self.ctx.ancestors), node)
            return
        assert isinstance(node, ast.Call)
        if not self._is_cross_entropy(node.func):
            return
        given = keyword(node, "input")
        argument = given.value if given is not None else (node.args[0] if node.args else None)
        if argument is None or isinstance(argument, ast.Starred):
            return
        path = _block_path(self.ctx.ancestors, node, self._fields)
        source = self._probabilities(argument, path, _FLOW_DEPTH)
        if source is None:
            return
        shown = self.ctx.source_of(source)
        if "\n" in shown or len(shown) > 80:
            shown = f"{self.ctx.source_of(source.func)}(...)"
        shown = f"`{shown}`"
        if not self._is_softmax(source):
            shown += " (the model ends in a softmax)"
        self.report("ML408", node, loss=self.ctx.source_of(node.func), source=shown)

    def _is_cross_entropy(self, func: ast.expr) -> bool:
        # Names and constructors ending otherwise are not resolved (most calls).
        model = self.model
        if model.may_resolve_to(func, _CROSS_ENTROPY_NAMES) and model.qualname(func) == (
            _CROSS_ENTROPY
        ):
            return True
        made_by = _constructor(model, func)
        return (
            made_by is not None
            and model.may_resolve_to(made_by.func, _CROSS_ENTROPY_NAMES)
            and model.qualname(made_by.func) in _CROSS_ENTROPY_MODULES
        )

    def _probabilities(
        self, expr: ast.expr, path: list[tuple[int, str]], depth: int
    ) -> ast.Call | None:
        """The softmax call (or model call) whose output ``expr`` holds, if it holds one."""
        if depth <= 0:
            return None
        if isinstance(expr, ast.Subscript):
            return self._probabilities(expr.value, path, depth - 1)
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
            if not isinstance(value, ast.expr):
                return None
            where = self._assigned_in(value)
            if where is None or where != path[: len(where)]:
                return None  # not assigned on every way to this call
            return self._probabilities(value, path, depth - 1)
        if not isinstance(expr, ast.Call):
            return None
        if self._is_softmax(expr):
            return expr
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _KEEPS_VALUES:
            return self._probabilities(func.value, path, depth - 1)
        if self._model_outputs_probabilities(func):
            return expr
        return None

    def _assigned_in(self, value: ast.expr) -> list[tuple[int, str]] | None:
        """The block path of the assignment of ``value`` (None: not an assigned value)."""
        path = self.assigned_in.get(id(value))
        if path is None:
            assignment = self.assignments.get(id(value))
            if assignment is None:
                return None
            ancestors, statement = assignment
            path = self.assigned_in[id(value)] = _block_path(ancestors, statement, self._fields)
        return path

    def _is_softmax(self, call: ast.Call) -> bool:
        func = call.func
        if self.model.qualname(func) in _SOFTMAX_FUNCTIONS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "softmax":
            if self.model.qualname(func) is not None:
                return False  # some module's softmax function other than torch's
            kind = self.model.kind_of(func.value)
            return kind is None or kind.is_tensor
        return _constructed_by(self.model, func) in _SOFTMAX_MODULES

    def _model_outputs_probabilities(self, func: ast.expr) -> bool:
        """A same-file model whose ``forward`` always returns a softmax, or an
        ``nn.Sequential`` ending in ``nn.Softmax``."""
        binding = _binding_of(self.model, func)
        made_by = binding.node if binding is not None else None
        if isinstance(made_by, ast.Call) and self.model.qualname(made_by.func) in (
            "torch.nn.Sequential",
            "torch.nn.modules.container.Sequential",
        ):
            layers = [a for a in made_by.args if not isinstance(a, ast.Starred)]
            if len(layers) != len(made_by.args) or not layers:
                return False
            last = layers[-1]
            return isinstance(last, ast.Call) and (
                self.model.qualname(last.func) in _SOFTMAX_MODULES
            )
        klass = self.model.instance_class(func)
        if klass is None or not klass.is_module:
            return False
        verdict = self._class_verdicts.get(id(klass.node))
        if verdict is None:
            verdict = self._forward_returns_softmax(klass)
            self._class_verdicts[id(klass.node)] = verdict
        return verdict

    def _forward_returns_softmax(self, klass: ClassInfo) -> bool:
        forward = next(
            (
                n
                for n in klass.node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "forward"
            ),
            None,
        )
        if forward is None:
            return False
        returns = [n for n in walk_local(forward.body) if isinstance(n, ast.Return)]
        if not returns:
            return False
        return all(self._returns_softmax(forward, r, klass) for r in returns)

    def _returns_softmax(
        self, forward: ast.FunctionDef | ast.AsyncFunctionDef, ret: ast.Return, klass: ClassInfo
    ) -> bool:
        value = ret.value
        if isinstance(value, ast.Name) and ret in forward.body:
            # ``x = F.softmax(x, 1); return x``: the last assignment before the return.
            for stmt in reversed(forward.body[: forward.body.index(ret)]):
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == value.id for t in stmt.targets
                ):
                    value = stmt.value
                    break
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if self.model.qualname(func) in _SOFTMAX_FUNCTIONS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "softmax":
            return self.model.qualname(func) is None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            # ``return self.softmax(x)`` with ``self.softmax = nn.Softmax(dim=1)``
            positional = forward.args.posonlyargs + forward.args.args
            if positional and func.value.id == positional[0].arg:
                attribute = klass.attributes.get(func.attr)
                made_by = attribute.node if attribute is not None else None
                return isinstance(made_by, ast.Call) and (
                    self.model.qualname(made_by.func) in _SOFTMAX_MODULES
                )
        return False


# --------------------------------------------------------------------- ML412

_COMPAT_WORDS = ("version", "greater", "less", "older", "newer")
_COMPAT_CALLS = frozenset({"hasattr", "getattr"})
_COMPAT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})


def _is_version_test(test: ast.expr) -> bool:
    """``if _TORCH_GREATER_EQUAL_2_4:``, ``if version.parse(torch.__version__) < ...``,
    ``if hasattr(torch, "amp"):`` ..."""
    for sub in ast.walk(test):
        word = _identifier(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
        if word is not None:
            lowered = word.lower()
            if any(w in lowered for w in _COMPAT_WORDS) or word in _COMPAT_CALLS:
                return True
    return False


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_identifier(t) in _COMPAT_ERRORS for t in types)


def in_compat_code(ancestors: list[ast.AST]) -> bool:
    """Inside a version check or an import/attribute-error fallback: old APIs on purpose."""
    for i, node in enumerate(ancestors):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and _is_version_test(node.test):
            return True
        if isinstance(node, ast.ExceptHandler) and _catches_import_errors(node):
            return True
        if isinstance(node, ast.Try) and i + 1 < len(ancestors) and ancestors[i + 1] in node.body:
            if any(_catches_import_errors(h) for h in node.handlers):
                return True
    return False


def _compat_imports(tree: ast.Module) -> set[int]:
    """ids of the import statements that sit in compatibility code."""
    found: set[int] = set()
    stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(tree, ())]
    while stack:
        node, ancestors = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if in_compat_code(list(ancestors)):
                found.add(id(node))
            continue
        if isinstance(node, ast.expr):
            continue
        for child in ast.iter_child_nodes(node):
            stack.append((child, (*ancestors, node)))
    return found


def _literal_bool(expr: ast.expr) -> bool | None:
    if isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, bool)):
        return expr.value
    raise ValueError("not a literal")


_LOSS_FUNCTIONS = frozenset(f"torch.nn.functional.{name}" for name in K.FUNCTIONAL_LOSSES)
#: Last components of the deprecated APIs (a name or attribute ending otherwise is none).
_DEPRECATED_NAMES = last_names(torch_api.DEPRECATED)
#: Last components of the callees ML412 looks at whatever the keywords of the call.
_DEPRECATED_CALLEES = last_names(
    [*torch_api.DEPRECATED, *torch_api.IMPLICIT_DIM_FUNCTIONS, *torch_api.IMPLICIT_DIM_MODULES]
)
#: The keywords that make a torchvision model or a loss call worth resolving.
_LEGACY_KEYWORDS = frozenset({"pretrained", "pretrained_backbone", "size_average", "reduce"})


class DeprecatedTorchApi(Check):
    """ML412: a deprecated or removed PyTorch/torchvision API (see mlsmells.data.torch_api)."""

    codes = ("ML412",)
    nodes = (ast.Call, ast.Attribute, ast.Name)
    requires = frozenset({"torch", "functorch", "torchvision"})
    names = _DEPRECATED_NAMES

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.handled: set[int] = set()
        """ids of callee expressions already reported with their call."""
        self._compat: set[int] | None = None

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._visit_call(node)
        elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            if isinstance(node, ast.Attribute) and node.attr not in _DEPRECATED_NAMES:
                return  # cheap: most attributes end in none of these names
            parent = self.ctx.parent
            if id(node) in self.handled or (
                isinstance(parent, ast.Attribute) and parent.value is node
            ):
                return  # ``Variable._execution_engine``: an attribute of it, not a use
            if not self.model.may_resolve_to(node, _DEPRECATED_NAMES):
                return  # a name bound to no import and ending in none of these names
            entry = torch_api.DEPRECATED.get(self.model.qualname(node) or "")
            if entry is None or self._compat_code(node) or self._compared(node):
                return
            self._report_entry(node, entry, "reference")

    def _compared(self, reference: ast.expr) -> bool:
        """``func is torch.cuda.amp.autocast``, ``f in (torch.qr, ...)``, a registry keyed by
        the function (``{torch.qr: ...}``, ``{torch.qr, ...}``): recognising the deprecated
        API (to support it), not using it."""
        parent = self.ctx.parent
        if isinstance(parent, ast.Dict) and any(k is reference for k in parent.keys):
            return True
        if isinstance(parent, ast.Set):
            return True
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, ast.Compare):
                return True
            if isinstance(node, (ast.stmt, ast.Call, ast.Lambda)):
                return False
        return False

    def _compat_code(self, node: ast.expr) -> bool:
        if in_compat_code(self.ctx.ancestors):
            return True
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        binding = self.model.lookup(root.id)
        if binding is None or binding.node is None:
            return False
        if self._compat is None:
            self._compat = _compat_imports(self.ctx.tree)
        return id(binding.node) in self._compat

    def _visit_call(self, call: ast.Call) -> None:
        if not self.model.may_resolve_to(call.func, _DEPRECATED_CALLEES) and not any(
            kw.arg in _LEGACY_KEYWORDS for kw in call.keywords
        ):
            return  # cheap: neither a callee of the tables nor a legacy keyword
        qualname = self.model.qualname(call.func)
        if qualname is None:
            return
        entry = torch_api.DEPRECATED.get(qualname)
        if entry is not None:
            self.handled.add(id(call.func))
            if not self._compat_code(call.func):
                self._report_entry(call, entry, "call")
            return
        if has_star_kwargs(call):
            return
        if qualname.startswith("torchvision.models."):
            self._torchvision(call, qualname)
        elif qualname in _LOSS_FUNCTIONS or (K.torch_class_kind(qualname) is Kind.LOSS_MODULE):
            self._legacy_reduction(call)
        elif qualname in torch_api.IMPLICIT_DIM_FUNCTIONS:
            if keyword(call, "dim") is None and len(call.args) < 2 and not _has_star_args(call):
                self._report_argument(call, "`{func}(...)` without `dim`", torch_api.IMPLICIT_DIM)
        elif qualname in torch_api.IMPLICIT_DIM_MODULES:
            if keyword(call, "dim") is None and not call.args:
                self._report_argument(call, "`{func}()` without `dim`", torch_api.IMPLICIT_DIM)

    def _report_entry(self, node: ast.expr, entry: torch_api.TorchDeprecation, form: str) -> None:
        if entry.removed:
            status = f"was deprecated in {entry.library} {entry.version} and is removed"
        else:
            status = f"is deprecated since {entry.library} {entry.version}"
        self.report(
            "ML412",
            node,
            what=f"`{entry.qualname}`",
            status=status,
            replacement=entry.replacement,
            data=(("api", entry.qualname), ("form", form))
            + (_spelling_data(self.model, entry.target) if entry.target else ()),
        )

    def _report_argument(
        self,
        call: ast.Call,
        what: str,
        entry: torch_api.TorchDeprecation,
        replacement: str = "",
        data: tuple[tuple[str, str], ...] = (),
    ) -> None:
        verb = "are" if " and " in what else "is"
        self.report(
            "ML412",
            call,
            what=what.format(func=self.ctx.source_of(call.func)),
            status=f"{verb} deprecated since {entry.library} {entry.version}",
            replacement=replacement or entry.replacement,
            data=data,
        )

    def _legacy_reduction(self, call: ast.Call) -> None:
        given = [kw for kw in call.keywords if kw.arg in ("size_average", "reduce")]
        if not given:
            return
        if self._compat_code(call.func) or self._forwarded(given):
            return
        names = " and ".join(f"`{kw.arg}=`" for kw in given)
        values: dict[str, bool | None] = {"size_average": None, "reduce": None}
        try:
            for kw in given:
                assert kw.arg is not None
                values[kw.arg] = _literal_bool(kw.value)
        except ValueError:
            self._report_argument(
                call, names, torch_api.LEGACY_REDUCTION, data=(("form", "reduction"),)
            )
            return
        reduction = torch_api.legacy_reduction(values["size_average"], values["reduce"])
        self._report_argument(
            call,
            names,
            torch_api.LEGACY_REDUCTION,
            replacement=f'`reduction="{reduction}"`',
            data=(("form", "reduction"), ("reduction", reduction)),
        )

    def _forwarded(self, given: list[ast.keyword]) -> bool:
        """``size_average=size_average``: a wrapper passing on its own legacy parameters."""
        function = _innermost_function(self.ctx.ancestors)
        if function is None:
            return False
        args = function.args
        parameters = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        return all(isinstance(kw.value, ast.Name) and kw.value.id in parameters for kw in given)

    def _torchvision(self, call: ast.Call, qualname: str) -> None:
        legacy = [kw for kw in call.keywords if kw.arg in ("pretrained", "pretrained_backbone")]
        if not legacy:
            return
        names = " and ".join(f"`{kw.arg}=`" for kw in legacy)
        replacements = []
        table = torchvision_weights.LEGACY_WEIGHTS.get(qualname, ())
        for kw in legacy:
            new, default = next(((n, d) for old, n, d in table if old == kw.arg), (None, None))
            if new is None:
                new = "weights" if kw.arg == "pretrained" else "weights_backbone"
            value = kw.value
            if isinstance(value, ast.Constant) and value.value is False:
                replacements.append(f"`{new}=None`")
            elif isinstance(value, ast.Constant) and value.value is True and default:
                replacements.append(f'`{new}="{default}"`')
            else:
                replacements.append(f"`{new}=`")
        self._report_argument(
            call,
            names,
            torch_api.TORCHVISION_PRETRAINED,
            replacement=" and ".join(replacements),
            data=(("form", "torchvision"), ("api", qualname)),
        )


# ------------------------------------------------------------ ML407 and ML409

#: Words naming a model that the loop does not train (a teacher, an EMA or target copy).
_UNTRAINED_WORDS = frozenset(
    {"teacher", "target", "ema", "frozen", "ref", "reference", "pretrained", "old", "averaged"}
)
_SCHEDULER_WORDS = frozenset({"sched", "scheduler", "schedulers", "lr_scheduler"})
_PLATEAU = frozenset(
    {"torch.optim.lr_scheduler.ReduceLROnPlateau", "torch.optim.lr_scheduler.ReduceLRonPlateau"}
)


@dataclass
class _Event:
    """Something a loop body does that the order rules care about."""

    kind: str
    """``eval``, ``train``, ``backward``, ``opt``, ``sched``, ``call`` or ``escape``."""
    node: ast.Call
    subject: str = ""
    """The model (eval/train/escape), optimizer (opt) or scheduler (sched), as source."""
    ifs: frozenset[int] = frozenset()
    """ids of the ``if`` statements around the event in its function."""
    exits: bool = False
    """For ``eval``: a ``break``/``return``/``raise`` follows it in its loop."""
    keys: tuple[tuple[int, str], ...] = ()
    """For ``call``: where the called same-file function may be defined."""
    optimizer: str | None = None
    """For ``sched``: the optimizer it was built for, when known."""
    site: ast.Call | None = None
    """For an event inlined from a helper: the call of the helper in the loop."""
    helper: str = ""
    """For an event inlined from a helper: the helper's name."""

    @property
    def reported(self) -> ast.Call:
        return self.site if self.site is not None else self.node

    # The texts of a call's receiver and arguments, for ``call`` events: computed when a
    # loop's events are expanded, not for each of the many calls recorded.
    @functools.cached_property
    def receiver(self) -> str | None:
        """For ``call`` of a method: its receiver."""
        func = self.node.func
        return _text(func.value) if isinstance(func, ast.Attribute) else None

    @functools.cached_property
    def arguments(self) -> tuple[str, ...]:
        """For ``call``: the positional arguments."""
        return tuple(_text(a) for a in self.node.args if not isinstance(a, ast.Starred))

    @functools.cached_property
    def keywords(self) -> tuple[tuple[str, str], ...]:
        return tuple((kw.arg, _text(kw.value)) for kw in self.node.keywords if kw.arg)


def _related(one: str, other: str) -> bool:
    """The same model, or one holds the other (``model`` and ``model.module``): switching
    either one's mode may switch the other's."""
    return (
        one == other
        or other.startswith((one + ".", one + "["))
        or one.startswith((other + ".", other + "["))
    )


def _root(subject: str) -> str:
    return re.split(r"[.\[(]", subject, maxsplit=1)[0]


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a function binds itself: parameters, assignment and loop targets ..."""
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names | _bound_names(function.body)


def _bound_names(body: list[ast.stmt]) -> set[str]:
    """Names (re)bound by assignments, loop and ``with`` targets in ``body``."""
    names: set[str] = set()
    for node in walk_local(body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        elif isinstance(node, ast.NamedExpr):
            targets = [node.target]
        for target in targets:
            names.update(_target_names(target) if not isinstance(target, ast.Attribute) else ())
    return names


def _rename_subject(subject: str, mapping: dict[str, str]) -> str:
    """``net.module`` -> ``model.module`` when the helper's ``net`` is the caller's ``model``."""
    head, sep, rest = subject.partition(".")
    if head in mapping:
        return mapping[head] + sep + rest
    return subject


class LoopOrder(Check):
    """ML407: ``model.eval()`` in a training loop, not undone before the next backward;
    ML409: ``scheduler.step()`` before ``optimizer.step()`` in a loop."""

    codes = ("ML407", "ML409")
    nodes = (ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.For, ast.AsyncFor, ast.While)
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.loops: dict[int, tuple[_Loop, list[_Event]]] = {}
        self.function_events: dict[int, list[_Event]] = {}
        self.functions: dict[tuple[int, str], list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.depth: dict[int, int] = {}
        """id of a loop -> how many loops enclose it (inner loops are decided first)."""
        self._frozen: set[str] | None = None
        self._locals: dict[int, set[str]] = {}
        """id of a helper -> its :func:`_locals` (computed once, when first needed)."""
        self._switching: dict[int, bool] = {}
        """id of a helper -> whether its events hold one of ``_reported_kinds``."""

    # ---------------------------------------------------------------- recording
    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = self.model.scope.node if self.model.scope.type is ScopeType.CLASS else None
            self.functions.setdefault((id(owner) if owner else 0, node.name), []).append(node)
            return
        if isinstance(node, _LOOPS):
            self.loops[id(node)] = (node, [])
            self.depth[id(node)] = len(_body_loops(self.ctx.ancestors, node))
            return
        assert isinstance(node, ast.Call)
        ancestors = self.ctx.ancestors
        function = _innermost_function(ancestors)
        loops = _body_loops(ancestors, node)
        if function is None and not loops:
            return  # an event here would be recorded nowhere
        event = self._classify(node)
        if event is None:
            return
        event.ifs = frozenset(
            id(a)
            for a in ancestors[ancestors.index(function) if function else 0 :]
            if isinstance(a, ast.If)
        )
        if event.kind == "eval":
            event.exits = _exits_loop_after(ancestors, node)
        for loop in loops:
            self.loops[id(loop)][1].append(event)
        if function is not None:
            self.function_events.setdefault(id(function), []).append(event)

    def _classify(self, call: ast.Call) -> _Event | None:
        func = call.func
        model = self.model
        qualname = model.qualname(func)
        if _is_backward_call(call, qualname):
            return _Event("backward", call)
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if func.attr in ("eval", "train") and self._may_be_module(receiver):
                mode = self._train_mode(call) if func.attr == "train" else False
                return _Event("train" if mode else "eval", call, _text(receiver))
            if func.attr == "step":
                optimizer = stepped_optimizer(model, receiver, call)
                if optimizer is not None:
                    return _Event("opt", call, _text(optimizer))
                if self._is_scheduler(receiver, call):
                    return _Event(
                        "sched", call, _text(receiver), optimizer=self._built_for(receiver)
                    )
        if qualname is not None and qualname.startswith(("builtins.", "torch.")):
            return None  # print(model), torch.save(model, path): no mode switch
        keys = tuple(callee_keys(model, func))
        has_arguments = any(not isinstance(a, ast.Starred) for a in call.args)
        if not keys and not has_arguments and not any(kw.arg for kw in call.keywords):
            return None
        return _Event("call", call, keys=keys)

    def _may_be_module(self, receiver: ast.expr) -> bool:
        kind = self.model.kind_of(receiver)
        if kind is not None:
            return kind.is_module
        klass = self.model.instance_class(receiver)
        return klass is None or klass.is_module

    @staticmethod
    def _train_mode(call: ast.Call) -> bool:
        """``train()``/``train(True)``/``train(flag)``: True; ``train(False)``: False."""
        given = keyword(call, "mode")
        value = given.value if given is not None else (call.args[0] if call.args else None)
        return not (isinstance(value, ast.Constant) and value.value is False)

    def _is_scheduler(self, receiver: ast.expr, call: ast.Call) -> bool:
        made_by = _constructed_by(self.model, receiver)
        if made_by in _PLATEAU:
            return False
        kind = self.model.kind_of(receiver)
        if kind is not None:
            return kind is Kind.LR_SCHEDULER
        identifier = _identifier(receiver)
        if identifier is None or call.args or call.keywords:
            return False
        words = _words(identifier)
        return bool(words & _SCHEDULER_WORDS or identifier.lower() in _SCHEDULER_WORDS)

    def _built_for(self, scheduler: ast.expr) -> str | None:
        binding = _binding_of(self.model, scheduler)
        made_by = binding.node if binding is not None else None
        if not isinstance(made_by, ast.Call):
            return None
        given = keyword(made_by, "optimizer")
        optimizer = (
            given.value if given is not None else (made_by.args[0] if made_by.args else None)
        )
        return _text(optimizer) if optimizer is not None else None

    # ---------------------------------------------------------------- deciding
    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        reported: set[int] = set()
        ordered = sorted(self.loops.values(), key=lambda item: -self.depth[id(item[0])])
        kinds = self._reported_kinds()
        for loop, events in ordered:
            if not self._holds(events, kinds):
                continue  # nothing to report: expanding the helpers would find nothing
            expanded = self._expand(events)
            if "ML407" in self.active:
                self._eval_not_undone(loop, expanded, reported)
            if "ML409" in self.active:
                self._scheduler_first(expanded, reported)

    def _reported_kinds(self) -> frozenset[str]:
        """The events a finding is about: ``eval`` (ML407) and ``sched`` (ML409)."""
        kinds = {"eval"} if "ML407" in self.active else set()
        return frozenset(kinds | ({"sched"} if "ML409" in self.active else set()))

    def _holds(self, events: list[_Event], kinds: frozenset[str]) -> bool:
        """Whether ``events`` or the events of the same-file helpers they call (what
        :meth:`_expand` may inline) hold an event of one of ``kinds``."""
        for event in events:
            if event.kind in kinds:
                return True
            if event.kind != "call":
                continue
            for key in event.keys:
                for helper in self.functions.get(key, ()):
                    switching = self._switching.get(id(helper))
                    if switching is None:
                        inner = self.function_events.get(id(helper), ())
                        switching = any(e.kind in kinds for e in inner)
                        self._switching[id(helper)] = switching
                    if switching:
                        return True
        return False

    def _helper_locals(self, helper: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        found = self._locals.get(id(helper))
        if found is None:
            found = self._locals[id(helper)] = _locals(helper)
        return found

    def _expand(self, events: list[_Event]) -> list[_Event]:
        """The loop's events with same-file helpers inlined (one level) and the model
        handed to any other function counted as possibly switched back (``escape``)."""
        expanded: list[_Event] = []
        for event in events:
            if event.kind != "call":
                expanded.append(event)
                continue
            helpers = [f for key in event.keys for f in self.functions.get(key, ())]
            if not helpers:
                expanded.extend(_Event("escape", event.node, a) for a in event.arguments)
                expanded.extend(_Event("escape", event.node, v) for _, v in event.keywords)
                continue
            for helper in helpers:
                mapping = self._parameters(helper, event)
                local: set[str] | None = None
                for inner in self.function_events.get(id(helper), ()):
                    if inner.kind not in ("call", "backward"):
                        if local is None:
                            local = self._helper_locals(helper) - set(mapping)
                        if _root(inner.subject) in local:
                            continue  # the helper's own model or optimizer, not the loop's
                    if inner.kind == "call":
                        # One level only: what a helper hands its model to (or the object
                        # whose same-file method it calls) may switch it back.
                        names = [*inner.arguments, *(v for _, v in inner.keywords)]
                        if inner.receiver is not None and self._defined(inner.keys):
                            names.append(inner.receiver)
                        subjects = [_rename_subject(n, mapping) for n in names]
                        expanded.extend(_Event("escape", event.node, s) for s in subjects)
                        continue
                    expanded.append(
                        _Event(
                            inner.kind,
                            inner.node,
                            _rename_subject(inner.subject, mapping),
                            ifs=event.ifs | inner.ifs,
                            exits=inner.exits,
                            optimizer=(
                                _rename_subject(inner.optimizer, mapping)
                                if inner.optimizer is not None
                                else None
                            ),
                            site=event.node,
                            helper=helper.name,
                        )
                    )
        return expanded

    @staticmethod
    def _parameters(helper: ast.FunctionDef | ast.AsyncFunctionDef, call: _Event) -> dict[str, str]:
        """The helper's parameter names -> the caller's argument texts."""
        positional = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        given = call.arguments if call.receiver is None else (call.receiver, *call.arguments)
        mapping = dict(zip(positional, given, strict=False))
        for name, value in call.keywords:
            if name in positional or any(a.arg == name for a in helper.args.kwonlyargs):
                mapping[name] = value
        return mapping

    def _defined(self, keys: tuple[tuple[int, str], ...]) -> bool:
        return any(self.functions.get(key) for key in keys)

    def _untrained(self, subject: str) -> bool:
        """A teacher/EMA/target model, or one frozen somewhere in the file."""
        if self._frozen is None:
            self._frozen = set()
            for node in ast.walk(self.ctx.tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "requires_grad_"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value is False
                ):
                    self._frozen.add(_text(node.func.value))
        words: set[str] = set()
        for name in subject.replace("[", ".").split("."):
            words |= _words(name)
        return bool(words & _UNTRAINED_WORDS) or subject in self._frozen

    def _eval_not_undone(self, loop: _Loop, events: list[_Event], reported: set[int]) -> None:
        if not any(e.kind == "backward" for e in events):
            return
        fresh = _bound_names(loop.body)
        for index, event in enumerate(events):
            if event.kind != "eval" or event.exits or id(event.reported) in reported:
                continue
            if self._untrained(event.subject) or _root(event.subject) in fresh:
                continue  # not trained here, or a new model in every iteration
            verdict = self._restored(events, index, event.subject)
            if verdict is None:
                continue
            reported.add(id(event.reported))
            self._report_eval(loop, event, fixable=verdict)

    @staticmethod
    def _restored(events: list[_Event], index: int, model: str) -> bool | None:
        """``None`` when ``model.train()`` (or a hand-over) comes before the next backward;
        else whether that backward is reached only by wrapping around to the next iteration."""
        for wrapped, span in ((False, events[index + 1 :]), (True, events[:index])):
            for event in span:
                if event.kind in ("train", "escape") and _related(event.subject, model):
                    return None
                if event.kind == "backward":
                    return wrapped
        return None

    def _report_eval(self, loop: _Loop, event: _Event, fixable: bool) -> None:
        model = event.subject
        if event.site is not None:
            call = self.ctx.source_of(event.site)
            if "\n" in call or len(call) > 60:
                call = f"{self.ctx.source_of(event.site.func)}(...)"
            via = f" (through `{_text(event.node)}` in `{event.helper}`)"
        else:
            call = _text(event.node)
            via = ""
        data: tuple[tuple[str, str], ...] = ()
        if fixable and re.fullmatch(r"[A-Za-z_][\w.]*", model):
            data = (
                ("model", model),
                ("loop_line", str(loop.lineno)),
                ("loop_col", str(loop.col_offset)),
            )
        self.report("ML407", event.reported, call=call, model=model, via=via, data=data)

    def _scheduler_first(self, events: list[_Event], reported: set[int]) -> None:
        for index, event in enumerate(events):
            if event.kind != "sched" or id(event.reported) in reported:
                continue
            steps = [e for e in events if e.kind == "opt"]
            own = [e for e in steps if e.subject == event.optimizer]
            steps = own or steps
            if not steps or any(events.index(e) < index for e in steps):
                continue
            first = steps[0]
            if event.ifs - first.ifs:
                continue  # stepped under a condition the optimizer step is not under
            reported.add(id(event.reported))
            self.report("ML409", event.reported, scheduler=event.subject, optimizer=first.subject)


# ------------------------------------------------------------ ML907 and ML908

_LIGHTNING_TRAINERS = frozenset(
    {"lightning.Trainer", "lightning.pytorch.Trainer", "lightning.pytorch.trainer.Trainer"}
)
_DETERMINISM = frozenset(
    {"transformers.enable_full_determinism", "transformers.trainer_utils.enable_full_determinism"}
)


def _is_main_guard(node: ast.If) -> bool:
    """``if __name__ == "__main__":``"""
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and mains) and isinstance(test.ops[0], ast.Eq)


def _not_false(call: ast.Call, name: str, position: int | None) -> ast.expr | None:
    """The argument ``name`` when given and not a literal ``False``."""
    given = keyword(call, name)
    value = given.value if given is not None else None
    if value is None and position is not None and len(call.args) > position:
        value = call.args[position]
    if value is None or (isinstance(value, ast.Constant) and value.value is False):
        return None
    return value


class ScriptReproducibility(Check):
    """ML907: a training script that never seeds torch; ML908: one that does not enable
    deterministic algorithms."""

    codes = ("ML907", "ML908")
    nodes = (ast.Call, ast.If)
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.training: dict[int, ast.Call] = {}
        """id of a function (0: module level) -> its first training call."""
        self.entry_point = False
        self.seeded = False
        self.deterministic = False

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.If):
            if self.model.scope.type is ScopeType.MODULE and _is_main_guard(node):
                self.entry_point = True
            return
        assert isinstance(node, ast.Call)
        if seeds_torch(self.model, node):
            self.seeded = True
        qualname = self.model.qualname(node.func)
        if self._makes_deterministic(node, qualname):
            self.deterministic = True
        if self._trains(node, qualname):
            function = _innermost_function(self.ctx.ancestors)
            self.training.setdefault(id(function) if function is not None else 0, node)
            if function is None and not any(
                isinstance(a, (ast.ClassDef, ast.Lambda)) for a in self.ctx.ancestors
            ):
                self.entry_point = True  # training at module level: a script or notebook

    def _trains(self, call: ast.Call, qualname: str | None) -> bool:
        if isinstance(call.func, ast.Attribute) and call.func.attr == "backward":
            return True
        if qualname == "torch.autograd.backward":
            return True
        if isinstance(call.func, ast.Attribute) and call.func.attr == "fit":
            return _constructed_by(self.model, call.func.value) in _LIGHTNING_TRAINERS
        return False

    @staticmethod
    def _deterministic_trainer(call: ast.Call, qualname: str | None) -> bool:
        return (
            qualname in _LIGHTNING_TRAINERS and _not_false(call, "deterministic", None) is not None
        )

    def _makes_deterministic(self, call: ast.Call, qualname: str | None) -> bool:
        if qualname == "torch.use_deterministic_algorithms":
            return _not_false(call, "mode", 0) is not None
        if qualname in _DETERMINISM or self._deterministic_trainer(call, qualname):
            return True
        return qualname in ("accelerate.utils.set_seed", "accelerate.utils.random.set_seed") and (
            _not_false(call, "deterministic", 2) is not None
        )

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or not self.entry_point:
            return
        for call in self.training.values():
            if not self.seeded:
                self.report("ML907", call)
            if not self.deterministic:
                self.report("ML908", call)
