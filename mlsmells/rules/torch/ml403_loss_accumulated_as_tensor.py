"""ML403 loss-accumulated-as-tensor: `total += loss` in a training loop, and its fix."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context, iter_local_nodes, iter_nodes, names_in
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import rebound_in_iteration
from mlsmells.rules.torch._common import TORCH_FAMILY, _identifier, _target_names
from mlsmells.rules.torch._loops import _Loop, enclosing_loops
from mlsmells.rules.torch._training import AUTOGRAD_NAMES, _is_backward_call
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import Binding, Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML403",
    name="loss-accumulated-as-tensor",
    pylint_id="W7643",
    family=Family.TORCH,
    message="`{statement}` keeps the autograd graph of every iteration alive; add `{item}`",
    summary="A loss tensor is summed into an accumulator inside a loop without `.item()`.",
    rationale=(
        "A loss tensor carries its autograd history. Adding it to a running total keeps "
        "the total attached to every iteration's graph, so memory grows with every batch "
        "until the process runs out (the PyTorch FAQ's first entry). Accumulate "
        "`loss.item()` or `loss.detach()`. The accumulator may be a name, an attribute "
        '(`self.total_loss += loss`) or an element (`totals["train"] += loss`). A total '
        "that is itself backpropagated (summing losses in order to call `total.backward()`, "
        "in the same function or, for an attribute, in any function of the file; or "
        "returning the sum to a caller) is correct and not reported, nor is a sum made "
        "under `torch.no_grad()`, nor one reset earlier in every iteration of its "
        "innermost loop (`step_loss = 0` at the top of the step: it holds one "
        "iteration's graph at most)."
    ),
    bad=(
        "total = 0\n"
        "for x, y in loader:\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    total += loss\n"
    ),
    good=(
        "total = 0.0\n"
        "for x, y in loader:\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    total += loss.item()\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary="Replace the added loss with `loss.item()`.",
    fix_safety=(
        "Unsafe: the accumulator becomes a Python float instead of a tensor; code that "
        "later calls tensor methods on it, or moves it between devices, changes behaviour."
    ),
)


_NO_GRAD_CONTEXTS = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad"})
_SET_GRAD = "torch.set_grad_enabled"
#: The last names of the contexts that turn autograd off (:meth:`_is_no_grad`).
_GRAD_SWITCHES = tuple(last_names([*_NO_GRAD_CONTEXTS, _SET_GRAD]))
#: Objects whose ``backward(loss)`` backpropagates its argument.
_HOSTS = frozenset({"accelerate.Accelerator", "lightning.Fabric", "lightning.fabric.Fabric"})
#: Lightning hooks that the trainer already runs without autograd.
_NO_GRAD_HOOKS = frozenset({"validation_step", "test_step", "predict_step"})
#: A statement or definition that may turn autograd off for what it holds.
_Switch = ast.With | ast.AsyncWith | ast.FunctionDef | ast.AsyncFunctionDef


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
    returned_values: list[ast.expr] = field(default_factory=list)
    """The returned or yielded values."""
    assignments: list[tuple[list[ast.expr], ast.expr]] = field(default_factory=list)
    """(targets, value) of each assignment of the scope, in order (read only when a
    decision needs :attr:`flows`: most scopes accumulate nothing)."""

    @functools.cached_property
    def returned(self) -> set[str]:
        """Names used in a returned or yielded value."""
        return {name for value in self.returned_values for name in _subjects(value)}

    @functools.cached_property
    def flows(self) -> dict[str, set[str]]:
        """Assigned name -> names its values were computed from (in this scope)."""
        flows: dict[str, set[str]] = {}
        for targets, value in self.assignments:
            sources = _subjects(value)
            for target in targets:
                names = set(_target_names(target))
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    accumulator = _accumulator(target)
                    if accumulator is not None:
                        names.add(accumulator)  # self.total = ..., self.totals[k] = ...
                for name in names:
                    flows.setdefault(name, set()).update(sources)
        return flows


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


class LossAccumulatedAsTensor(Check):
    """ML403: ``total += loss`` in a loop keeps every iteration's autograd graph alive."""

    rules = (RULE,)
    nodes = (
        ast.AugAssign,
        ast.Assign,
        ast.AnnAssign,
        ast.NamedExpr,
        ast.Call,
        ast.Return,
        ast.Yield,
        ast.YieldFrom,
        ast.With,
        ast.AsyncWith,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
    )
    requires = TORCH_FAMILY
    words = ("+",)  # every accumulation is a ``+=`` or a ``total + loss``

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flows: dict[int, _ScopeFlow] = {}
        self.no_grad_callees: set[str] = set()
        """Names of functions called somewhere under ``torch.no_grad()`` (collected at the
        module's end, from :attr:`switched_off`, if a finding is pending then)."""
        self.switched_off: list[tuple[_Switch, bool]] = []
        """The ``with`` statements and ``def`` s that turn autograd off, each with whether
        only its own scope's statements run without it (a hook Lightning runs so)."""
        self.pending: list[tuple[str | None, _Accumulation, bool]] = []
        """Findings decided when the module ends: (the function, unless it is called under
        ``no_grad``; the accumulation; whether its losses were backpropagated)."""
        self.ended: list[tuple[_ScopeFlow, str | None]] = []
        """The flows of the scopes that ended, with their ``self`` name: an attribute
        outlives its scope (another method may backpropagate it), read at the module's
        end if an attribute accumulation is pending then."""
        self._no_grad_nodes: dict[int, bool] = {}
        self.grad_switches = any(word in ctx.text for word in _GRAD_SWITCHES)
        """Whether the file names a context that turns autograd off (else none is used)."""

    def _flow(self) -> _ScopeFlow:
        flow = self.flows.get(id(self.model.scope))
        if flow is None:  # (not setdefault: that would build a _ScopeFlow per visit)
            flow = self.flows[id(self.model.scope)] = _ScopeFlow()
        return flow

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef)):
            if self._turns_off(node):
                self.switched_off.append((node, False))
            elif not isinstance(node, (ast.With, ast.AsyncWith)) and node.name in _NO_GRAD_HOOKS:
                self.switched_off.append((node, True))
            return
        flow = self._flow()
        if isinstance(node, ast.Call):
            self._visit_call(node, flow)
        elif isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                flow.returned_values.append(node.value)
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
        if isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "add", "update"):
            self._record_flow(flow, [func.value], call)  # losses.append(total)
        model = self.model
        qualname = model.qualname(func) if model.may_resolve_to(func, AUTOGRAD_NAMES) else None
        if not _is_backward_call(call, qualname):
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
            for name in names_in(tensor):
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
        flow.assignments.append((targets, value))

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
        loops = enclosing_loops(self.ctx.ancestors)
        if not loops or self._without_autograd() or self._reset(loops[0], node, target):
            return
        bindings = [b for b in map(self.model.lookup, _added_names(loss)) if b is not None]
        is_loss_kind = self.model.kind_of(loss) is Kind.LOSS
        if not bindings and not is_loss_kind:
            return
        flow.accumulations.append(_Accumulation(node, target, loss, bindings, is_loss_kind))

    def _reset(self, loop: _Loop, node: ast.AugAssign | ast.Assign, target: str) -> bool:
        """Whether the accumulator is reset earlier in the same iteration of its innermost
        loop, on every path (``running = 0`` at the top of the step): it then holds one
        iteration's graph at most, never a growing chain of them."""

        def binds(stmt: ast.stmt) -> bool:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            else:
                return False
            names = {_accumulator(t) for t in targets} | {
                n for t in targets for n in _target_names(t)
            }
            return target in names and target not in _subjects(value)

        ancestors = self.ctx.ancestors
        path = [*ancestors[ancestors.index(loop) + 1 :], node]
        return rebound_in_iteration(loop, path, binds)

    def _without_autograd(self) -> bool:
        """Whether the statement runs under ``torch.no_grad()`` / ``inference_mode()``."""
        for node in self.ctx.ancestors if self.grad_switches else ():
            if isinstance(node, (ast.With, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef)):
                if self._turns_off(node):
                    return True
        scope_node = self.model.scope.node
        return isinstance(scope_node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            scope_node.name in _NO_GRAD_HOOKS
        )

    def _turns_off(self, node: _Switch) -> bool:
        """Whether the ``with`` statement's contexts or the ``def``'s decorators turn
        autograd off (decided where the walk meets it: its names resolve there)."""
        known = self._no_grad_nodes.get(id(node))
        if known is None:
            known = False
            if self.grad_switches:
                if isinstance(node, (ast.With, ast.AsyncWith)):
                    exprs = [item.context_expr for item in node.items]
                else:
                    exprs = node.decorator_list
                known = any(self._is_no_grad(expr) for expr in exprs)
            self._no_grad_nodes[id(node)] = known
        return known

    def _collect_no_grad_callees(self) -> None:
        """The names of the functions called under ``torch.no_grad()``: in a ``with`` that
        turns autograd off (its contexts too) or a ``def`` decorated so (its decorators and
        defaults too), and in the statements of a hook Lightning runs without autograd."""
        for node, own_scope in self.switched_off:
            # (a hook's own statements: a comprehension's too, nested definitions not)
            inside = iter_local_nodes(node.body) if own_scope else iter_nodes(node)
            for sub in inside:
                if isinstance(sub, ast.Call):
                    callee = _identifier(sub.func)
                    if callee is not None:
                        self.no_grad_callees.add(callee)

    def _is_no_grad(self, expr: ast.expr) -> bool:
        func = expr.func if isinstance(expr, ast.Call) else expr
        qualname = self.model.qualname(func)
        if qualname in _NO_GRAD_CONTEXTS:
            return True
        if qualname == _SET_GRAD and isinstance(expr, ast.Call) and expr.args:
            first = expr.args[0]
            return isinstance(first, ast.Constant) and first.value is False
        return False

    def leave_scope(self, scope: Scope) -> None:
        flow = self.flows.pop(id(scope), None)
        if flow is not None:
            if flow.accumulations:
                self._decide(scope, flow)
            if flow.backward_seeds or flow.returned_values:
                self.ended.append((flow, scope.self_name))
        if scope.type is not ScopeType.MODULE:
            return
        if self.pending:
            self._collect_no_grad_callees()
        # Attribute names whose value reaches a backward call in any scope of the file, and
        # those whose value is returned or reaches a backward call in any scope.
        into_backward: set[str] = set()
        out: set[str] = set()
        if any("." in acc.target for _, acc, _ in self.pending):
            for ended, self_name in self.ended:
                seeds = ended.backward_seeds
                into_backward.update(_attribute_names(_reaching(ended, seeds, self_name)))
                reached = _reaching(ended, seeds | ended.returned, self_name)
                out.update(_attribute_names(reached))
        for function, acc, backpropagated in self.pending:
            if function is not None and function in self.no_grad_callees:
                continue
            attribute = acc.target.rpartition(".")[2] if "." in acc.target else None
            if attribute is not None:
                if attribute in into_backward:
                    continue
                if not backpropagated and attribute in out:
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
            data=(
                ("target", acc.target),
                ("loss", loss_source),
                ("form", "augmented" if isinstance(acc.node, ast.AugAssign) else "sum"),
            ),
        )


# ---------------------------------------------------------------------- fix


def loss_item(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``total += loss`` -> ``total += loss.item()``."""
    node = ctx.find(diag, cst.AugAssign)
    if node is None or not isinstance(node.operator, cst.AddAssign):
        return None
    return fx.Edit(node.value, fx.method_call(node.value, "item"))


def fix_applies(diag: Diagnostic) -> Fix:
    """The fix rewrites ``total += loss``, not ``total = total + loss``."""
    return Fix.UNSAFE if diag.get("form") == "augmented" else Fix.NONE


FIXES = {"ML403": loss_item}
FIXABLE = {"ML403": fix_applies}
