"""Checks of the torch family."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlsmells.engine import Check, Context
from mlsmells.rules._util import has_star_kwargs, keyword, method_name
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import Binding, ClassInfo, Scope, ScopeType

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


def _names_in(expr: ast.AST) -> Iterator[ast.Name]:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            yield node


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
        for sub in ast.walk(target):
            if isinstance(sub, ast.expr) and _mentions_grad(sub):
                return True
    return False


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
        for key in self._callee_keys(func):
            for fact in facts:
                fact.callees.add(key)
        if callee == "backward" or self.model.qualname(func) == "torch.autograd.backward":
            for fact in facts:
                if fact.backward is None:
                    fact.backward = node
        elif callee == "step" and isinstance(func, ast.Attribute):
            optimizer = self._stepped_optimizer(func.value, node)
            if optimizer is not None:
                for fact in facts:
                    if fact.optimizer is None:
                        fact.optimizer = self.ctx.source_of(optimizer)
                        if isinstance(optimizer, ast.Name):
                            fact.optimizer_name = optimizer.id

    def _callee_keys(self, func: ast.expr) -> list[tuple[int, str]]:
        """Where the definition of the called function may be: a plain function or a method
        of the receiver's same-file class (or of a same-file base class)."""
        if isinstance(func, ast.Name):
            return [(0, func.id)]
        if not isinstance(func, ast.Attribute):
            return []
        keys: list[tuple[int, str]] = []
        pending = [self.model.instance_class(func.value)]
        while pending:
            klass = pending.pop()
            if klass is None or any(key[0] == id(klass.node) for key in keys):
                continue
            keys.append((id(klass.node), func.attr))
            for base in klass.node.bases:
                binding = self.model.lookup(base.id) if isinstance(base, ast.Name) else None
                if binding is not None and binding.is_class:
                    pending.append(binding.klass)
        return keys

    def _stepped_optimizer(self, receiver: ast.expr, call: ast.Call) -> ast.expr | None:
        """The optimizer that ``receiver.step(...)`` steps, if it is one."""
        if self._is_optimizer(receiver):
            return receiver
        # GradScaler: scaler.step(optimizer)
        if call.args and self.model.kind_of(receiver) is None and self._is_optimizer(call.args[0]):
            return call.args[0]
        return None

    def _is_optimizer(self, expr: ast.expr) -> bool:
        kind = self.model.kind_of(expr)
        if kind is not None:
            return kind is Kind.OPTIMIZER
        identifier = _identifier(expr)
        return identifier is not None and _names_an_optimizer(identifier)

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


def _added_names(expr: ast.expr) -> list[str]:
    """The names whose value ``expr`` adds: ``loss``, ``loss * n``, ``loss / k``, ``w * loss``."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.Div)):
        return _added_names(expr.left) + _added_names(expr.right)
    return []


def _reaching(flow: _ScopeFlow, seeds: set[str]) -> set[str]:
    """``seeds`` and every name whose value flows into one of them in the scope."""
    reaching = set(seeds)
    pending = list(reaching)
    while pending:
        name = pending.pop()
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
        self.pending: list[tuple[str, _Accumulation]] = []
        """Findings in a function of that name, unless it is called under ``no_grad``."""
        self._no_grad_nodes: dict[int, bool] = {}

    def _flow(self) -> _ScopeFlow:
        return self.flows.setdefault(id(self.model.scope), _ScopeFlow())

    def visit(self, node: ast.AST) -> None:
        flow = self._flow()
        if isinstance(node, ast.Call):
            self._visit_call(node, flow)
        elif isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                flow.returned.update(n.id for n in _names_in(node.value))
        elif isinstance(node, ast.AugAssign):
            self._record_flow(flow, [node.target], node.value)
            if isinstance(node.op, ast.Add) and isinstance(node.target, ast.Name):
                self._candidate(node, node.target.id, node.value, flow)
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
            flow.backward_seeds.update(name.id for name in _names_in(expr))

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
        sources = {n.id for n in _names_in(value)}
        for target in targets:
            for name in _target_names(target):
                flow.flows.setdefault(name, set()).update(sources)

    def _assign_candidate(self, node: ast.Assign, flow: _ScopeFlow) -> None:
        """``total = total + loss`` (either order)."""
        value = node.value
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add)):
            return
        target = node.targets[0].id
        for same, added in ((value.left, value.right), (value.right, value.left)):
            if isinstance(same, ast.Name) and same.id == target:
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
        if flow is not None and flow.accumulations:
            self._decide(scope, flow)
        if scope.type is ScopeType.MODULE:
            for function, acc in self.pending:
                if function not in self.no_grad_callees:
                    self._report(acc)

    def _decide(self, scope: Scope, flow: _ScopeFlow) -> None:
        function = getattr(scope.node, "name", None)
        into_backward = _reaching(flow, flow.backward_seeds)
        out_of_scope = _reaching(flow, flow.backward_seeds | flow.returned)
        for acc in flow.accumulations:
            backpropagated = any(b is mine for b in flow.backpropagated for mine in acc.bindings)
            if backpropagated:
                # Each loss was already backpropagated: the total is bookkeeping,
                # unless the total itself is backpropagated too.
                if acc.target in into_backward:
                    continue
            elif not acc.is_loss_kind or acc.target in out_of_scope:
                # A sum of losses returned or backpropagated: the point of the sum.
                continue
            elif isinstance(function, str):
                # Known to be a loss only by its kind: callers may run it under no_grad.
                self.pending.append((function, acc))
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
        if (node.end_lineno or node.lineno) in self.ctx.cell_last_lines:
            return  # a notebook cell displays its last expression
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
