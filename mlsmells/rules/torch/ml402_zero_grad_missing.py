"""ML402 zero-grad-missing: a loop that backpropagates and steps but never clears gradients."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mlsmells.engine import Check, Context, iter_nodes, names_in
from mlsmells.records import Family, Rule
from mlsmells.rules._util import keyword
from mlsmells.rules.torch._common import TORCH_FAMILY
from mlsmells.rules.torch._loops import _LOOPS, enclosing_loops, walk_local
from mlsmells.rules.torch._training import callee_keys, stepped_optimizer
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML402",
    name="zero-grad-missing",
    pylint_id="W7642",
    family=Family.TORCH,
    message="gradients are never cleared in this loop: `{optimizer}.zero_grad()` is missing",
    summary=(
        "A training loop calls `backward()` and `optimizer.step()` but never clears gradients."
    ),
    rationale=(
        "PyTorch accumulates gradients into `.grad` on every `backward()`. A loop that steps "
        "the optimizer without `optimizer.zero_grad()` (or `model.zero_grad()`, or setting "
        "`p.grad = None`) applies the sum of all previous gradients at each step, and "
        "training silently diverges. Gradient accumulation, where the step and the clearing "
        "both sit under a condition, is recognised and not reported, and so is clearing done "
        "by a same-file helper the loop calls. The stepped object must be an optimizer: "
        "known from its construction or annotation (also as an element of a list, tuple or "
        'dict built of optimizers: `optimizers[0]`, `opts["g"]`), or, when unknown, named '
        "like one (`optimizer`, `opt_g`, `self.optim`); `scheduler.step()` never counts. "
        "`torch.distributed.autograd.backward(context_id, ...)` is not a backward pass of "
        "this kind: its gradients live in the distributed autograd context (a new one per "
        "`with dist_autograd.context()`), which a `DistributedOptimizer` steps from."
    ),
    bad=(
        "for x, y in loader:\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
    ),
    good=(
        "for x, y in loader:\n"
        "    optimizer.zero_grad()\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
    ),
)


#: ``dist_autograd.backward(context_id, [loss])`` accumulates into the distributed autograd
#: context of the ``with dist_autograd.context()`` block, which a ``DistributedOptimizer``
#: steps from; each new context starts from no gradients.
_DISTRIBUTED_AUTOGRAD = "torch.distributed.autograd."


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

    rules = (RULE,)
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
    words = ("backward",)  # a finding is at a ``backward`` call

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
                fact.bound.update(n.id for t in targets for n in names_in(t))
        if not isinstance(node, ast.Call):
            return
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        for key in callee_keys(self.model, func):
            for fact in facts:
                fact.callees.add(key)
        qualname = self.model.qualname(func) if callee == "backward" else None
        if qualname is not None and qualname.startswith(_DISTRIBUTED_AUTOGRAD):
            return  # gradients go to the distributed autograd context, not to ``.grad``
        if callee == "backward":
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
