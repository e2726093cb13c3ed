"""The driver of the flow layer: :class:`FlowTracker` takes the statements of a file from
the engine's walk in source order, evaluates each in the flow of its scope, and hands the
finished :class:`~mlsmells.semantic.flow.values.ScopeFlow` of each scope back when the
scope ends (and keeps the summary of a finished function for its callers)."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence

from mlsmells.semantic.flow.calls import Evaluator
from mlsmells.semantic.flow.summaries import Summary, summarize
from mlsmells.semantic.flow.values import ROOT, RowPath, ScopeFlow, Split, Value
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import Scope, ScopeType

_STATEMENTS: tuple[type[ast.stmt], ...] = (
    ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.For, ast.AsyncFor,
    ast.If, ast.While, ast.With, ast.AsyncWith, ast.Assert, ast.Delete, ast.Match,
)  # fmt: skip
_CONDITIONAL = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.match_case)
_SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

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
        self._ids = itertools.count(1)

    # ------------------------------------------------------------ driving
    def statement(self, node: ast.AST, ancestors: Sequence[ast.AST]) -> None:
        """Process one statement (pre-order, with the model at that point of the source)."""
        if not isinstance(node, _STATEMENTS):
            return
        flow = self._flow(self.model.scope)
        Evaluator(self, flow, _is_conditional(ancestors)).statement(node)

    def end_scope(self, scope: Scope) -> ScopeFlow | None:
        """The finished flow of ``scope`` (``None``: nothing happened in it)."""
        flow = self.flows.pop(id(scope), None)
        if flow is None:
            return None
        node = scope.node
        if scope.type is ScopeType.FUNCTION and isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            self.summaries[id(node)] = summarize(flow, node)
        return flow

    # -------------------------------------------------------------- state
    def new_id(self) -> int:
        return next(self._ids)

    def fresh_rows(self, simulated: bool = False) -> frozenset[RowPath]:
        root = self.new_id()
        if simulated:
            self.simulated.add(root)
        return frozenset({((root, ROOT),)})

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


def _is_conditional(ancestors: Sequence[ast.AST]) -> bool:
    for node in reversed(ancestors):
        if isinstance(node, _SCOPE_NODES):
            return False
        if isinstance(node, _CONDITIONAL):
            return True
    return False
