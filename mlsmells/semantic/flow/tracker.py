"""The driver of the flow layer: :class:`FlowTracker` takes the statements of a file from
the engine's walk in source order, evaluates each in the flow of its scope, and hands the
finished :class:`~mlsmells.semantic.flow.values.ScopeFlow` of each scope back when the
scope ends (and keeps the summary of a finished function for its callers)."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Sequence

from mlsmells.semantic.flow.calls import Evaluator
from mlsmells.semantic.flow.summaries import Summary, summarize
from mlsmells.semantic.flow.values import ROOT, RowPath, ScopeFlow, Sink, Split, Value
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import Scope, ScopeType

_STATEMENTS: tuple[type[ast.stmt], ...] = (
    ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.For, ast.AsyncFor,
    ast.If, ast.While, ast.With, ast.AsyncWith, ast.Assert, ast.Delete, ast.Match,
)  # fmt: skip
_SCOPE, _BRANCH, _CONDITIONAL = "scope", "branch", "conditional"
#: What an enclosing node is to a statement: the end of its scope, a branch (whose test
#: may be a constant), another conditional context.
_ENCLOSING: dict[type[ast.AST], str] = {
    **dict.fromkeys(
        (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda), _SCOPE
    ),
    ast.If: _BRANCH,
    ast.While: _BRANCH,
    **dict.fromkeys((ast.For, ast.AsyncFor, ast.ExceptHandler, ast.match_case), _CONDITIONAL),
}

#: The statement types the tracker must see, in order.
STATEMENTS = _STATEMENTS


class FlowTracker:
    """Builds the :class:`ScopeFlow` of every scope during the engine's walk."""

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self.flows: dict[int, ScopeFlow] = {}
        self.summaries: dict[int, Summary] = {}
        self.splits: dict[int, Split] = {}
        self.simulated: set[int] = set()
        """Roots of data drawn from NumPy's random generators in the file."""
        self.manual: dict[tuple[frozenset[RowPath], str], int] = {}
        """Hand-written splits by the rows they cut and the cut (``"len(train)"``)."""
        self.uses: dict[int, set[tuple[int, bool]]] = {}
        """Hand-written split -> (part, evaluated: else trained on) of the uses of its parts."""
        self._ids = itertools.count(1)
        self.project: Callable[[str], Summary | None] | None = None
        """The portable summary (:func:`~mlsmells.semantic.flow.summaries.portable`) of the
        function of the project's other modules that a qualified name calls, if any (set
        by the analysis driving the tracker; None: no module of the project is followed)."""
        self._project: dict[str, Summary | None] = {}

    def project_summary(self, qualname: str) -> Summary | None:
        """See :attr:`project` (asked once per name and file)."""
        if self.project is None:
            return None
        if qualname not in self._project:
            self._project[qualname] = self.project(qualname)
        return self._project[qualname]

    # ------------------------------------------------------------ driving
    def statement(self, node: ast.AST, ancestors: Sequence[ast.AST]) -> None:
        """Process one statement (pre-order, with the model at that point of the source)."""
        if not isinstance(node, _STATEMENTS):
            return
        # One pass over the enclosing nodes of the scope: a branch that never runs (``if
        # False:``), a conditional context (updates are weak), the innermost loop.
        weak = False
        loop: ast.For | ast.AsyncFor | ast.While | None = None
        child: ast.AST = node
        for ancestor in reversed(ancestors):
            kind = _ENCLOSING.get(type(ancestor))
            if kind is not None:
                if kind is _SCOPE:
                    break
                if kind is _BRANCH:
                    assert isinstance(ancestor, (ast.If, ast.While))
                    if _never_runs(ancestor, child):
                        return
                weak = True
                if loop is None and isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
                    loop = ancestor
            child = ancestor
        flow = self._flow(self.model.scope)
        Evaluator(self, flow, weak, loop).statement(node)

    def end_scope(self, scope: Scope) -> ScopeFlow | None:
        """The finished flow of ``scope`` (``None``: nothing happened in it)."""
        flow = self.flows.pop(id(scope), None)
        if flow is None:
            return None
        node = scope.node
        if scope.type is ScopeType.FUNCTION and isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            self.summaries[id(node)] = summarize(flow, node, self.selection_sinks(flow))
        return flow

    def selection_sinks(self, flow: ScopeFlow) -> list[Sink]:
        """The sinks of the splits made for validation that ``flow`` selects rows of."""
        validated = {s for s in {sel.split for sel in flow.selections} if self.validated(s)}
        return flow.selection_sinks(self.splits, validated)

    # -------------------------------------------------------------- state
    def new_id(self) -> int:
        return next(self._ids)

    def fresh_rows(self, simulated: bool = False) -> frozenset[RowPath]:
        root = self.new_id()
        if simulated:
            self.simulated.add(root)
        return frozenset({((root, ROOT),)})

    def use_parts(self, rows: frozenset[RowPath], evaluated: bool) -> None:
        """Data of ``rows`` is trained on (or evaluated on): note the sides of the
        hand-written splits it comes from."""
        for path in rows:
            for split_id, part in path[1:]:
                uses = self.uses.get(split_id)
                if uses is not None:
                    uses.add((part, evaluated))

    def validated(self, split_id: int) -> bool:
        """Whether the split is one for validation: not written by hand, or a model was
        trained on one of its sides and evaluated on the other."""
        uses = self.uses.get(split_id)
        if uses is None:
            return True
        return any((part, True) in uses and (1 - part, False) in uses for part in (0, 1))

    def is_simulated(self, rows: frozenset[RowPath]) -> bool:
        """Whether all of ``rows`` were drawn from NumPy's random generators."""
        return bool(rows) and all(p[0][0] in self.simulated for p in rows)

    def _flow(self, scope: Scope) -> ScopeFlow:
        flow = self.flows.get(id(scope))
        if flow is None:
            flow = ScopeFlow(scope)
            self.flows[id(scope)] = flow
            node = scope.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args
                params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
                for name in params:
                    root = self.new_id()
                    flow.param_roots[name] = root
                    flow.env[name] = Value(rows=frozenset({((root, ROOT),)}))
        return flow


def _never_runs(branch: ast.If | ast.While, child: ast.AST) -> bool:
    """Whether ``child`` (a statement of ``branch``) is in a part that never runs: the body
    of ``if False:``, the ``else`` of ``if True:``."""
    test = branch.test
    if not isinstance(test, ast.Constant):
        return False
    taken = branch.body if test.value else branch.orelse
    return not any(child is stmt for stmt in taken)
