"""What the leakage rules (ML001-ML005) share: the data flow of the file, driven through
the engine's walk (:class:`DataFlow`, on top of :mod:`mlsmells.semantic.flow`), the
learning that reaches a split or cross-validation (the candidates of ML001, ML003 and
ML004), and the base classes of their checks.

The analysis drives the flow layer statement by statement (statements only) and, at the
end of each scope, finishes the scope's flow before the checks run; each check then
decides its own code, when everything that happened to the scope's data is known.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from mlsmells.engine import Analysis, Check, Context
from mlsmells.semantic.flow import (
    STATEMENTS,
    TEST_PART,
    TRAIN_PART,
    ArgRole,
    FlowTracker,
    ScopeFlow,
    Sink,
    SinkKind,
    Split,
    Taint,
    TaintKind,
    Value,
    paths_overlap,
    rows_overlap,
    short_call,
)
from mlsmells.semantic.scopes import Scope

#: The end of the rationale of ML001-ML004: what the flow follows.
FLOW_RATIONALE = (
    " The rule follows the data inside one module (a notebook is one module), function or "
    "method, in source order: through assignments, tuple unpacking, column stores, `.copy()`, "
    "`.values`, `drop`, `loc`/`iloc`, `pd.concat`, `merge`, `np.hstack` ..., and through calls "
    "of functions and methods defined in the same file (one level deep). Splits are "
    "`train_test_split` and the cross-validation helpers (also under their removed "
    "`sklearn.cross_validation` and `sklearn.grid_search` names), loops over fold indices, "
    "PyTorch's `random_split`, Keras' `validation_split`, and slices or masks of a frame "
    "(`df[:n]`, `df[df.is_train]`) once a model is trained on one part and evaluated on the "
    "other. `docs/flow.md` describes what it tracks and what it deliberately does not."
)

#: The packages a file must import for the leakage checks to run: scikit-learn and
#: imbalanced-learn, and Keras and PyTorch for their own splits (of which the file must
#: name one, see :meth:`LeakageCheck.runs_on`).
REQUIRES = frozenset({"sklearn", "imblearn", "keras", "tensorflow", "tf_keras", "torch"})
_SPLITTING = frozenset({"sklearn", "imblearn"})
_SPLIT_WORDS = ("validation_split", "random_split")


_CODE_OF: dict[TaintKind, str] = {
    TaintKind.PREPROCESS: "ML001",
    TaintKind.STATISTIC: "ML001",
    TaintKind.RESAMPLE: "ML003",
    TaintKind.SELECT: "ML004",
}
_ACTION: dict[SinkKind, str] = {
    SinkKind.SPLIT: "splits into train and test parts",
    SinkKind.FOLDS: "splits into cross-validation folds",
    SinkKind.CROSS_VALIDATION: "uses for cross-validation",
}


@dataclass(frozen=True)
class Candidate:
    """Learning (``taint``) that reaches a split or cross-validation: a finding of ``code``."""

    code: str
    taint: Taint
    sink_node: ast.expr
    sink_label: str
    kind: SinkKind


def _same_column(a: Value, b: Value) -> bool:
    """Whether ``a`` and ``b`` are the same data, or the same named column of it."""
    return a is b or (a.column is not None and a.column == b.column and a.rows == b.rows)


def _order(cand: Candidate) -> tuple[int, int, int, int]:
    """Report order: by the split or cross-validation, then by the learning call."""
    return (
        cand.sink_node.lineno,
        cand.sink_node.col_offset,
        cand.taint.node.lineno,
        cand.taint.node.col_offset,
    )


class DataFlow(Analysis):
    """The data flow of the file; :attr:`scope_flow` is that of the scope ending."""

    nodes = STATEMENTS

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.flow = FlowTracker(self.model)
        self.scope_flow: ScopeFlow | None = None
        """The finished flow of the scope being left (``None``: nothing happened in it),
        for the checks' :meth:`~mlsmells.engine.Check.leave_scope`."""
        self._candidates: list[Candidate] | None = None

    def visit(self, node: ast.AST) -> None:
        self.flow.statement(node, self.ctx.ancestors)

    def leave_scope(self, scope: Scope) -> None:
        self.scope_flow = self.flow.end_scope(scope)
        self._candidates = None

    # ----------------------------------------------------- ML001/3/4
    def candidates(self) -> list[Candidate]:
        """The candidates of the scope being left, of every code, in the order they are
        reported (by the split or cross-validation, then by the learning call); computed
        once a scope, for whichever of ML001, ML003 and ML004 asks first."""
        found = self._candidates
        if found is None:
            flow = self.scope_flow
            found = [] if flow is None else sorted(self._with_target(flow), key=_order)
            self._candidates = found
        return found

    def _with_target(self, flow: ScopeFlow) -> Iterator[Candidate]:
        """The candidates of the scope, without the correlations of arrays of which none is
        a target of the scope (``pearsonr(df["a"], df["b"])``: no target chooses there)."""
        targets: list[Value] | None = None
        for cand in self._scope_candidates(flow):
            against = cand.taint.against
            if against is not None:
                if targets is None:
                    targets = flow.target_values()
                if not any(_same_column(a, t) for a in against for t in targets):
                    continue
            yield cand

    def _scope_candidates(self, flow: ScopeFlow) -> Iterator[Candidate]:
        for sink in [*flow.sinks, *self.flow.selection_sinks(flow)]:
            yield from self._sink_candidates(sink)
        for use in flow.transforms:
            taint = use.fit.taint
            if taint is None or taint.encoder:
                continue
            split = self._held_out_in_fit(taint, use.value)
            if split is not None:
                yield self._from_split(taint, split)
        for _, data in flow.trainings:
            for taint in data.all_taints():
                if taint.encoder:
                    continue
                split = self._held_out_in_fit(taint, data)
                if split is not None:
                    yield self._from_split(taint, split)

    def _held_out_in_fit(self, taint: Taint, data: Value) -> Split | None:
        """The split whose training side ``data`` is, when the fit saw that split's held-out side.

        ``scaler.fit(X)`` (or ``scaler.fit(np.vstack([X_train, X_test]))``) then
        ``scaler.transform(X_train)``: the training features carry statistics of
        the test rows.
        """
        for path in data.rows:
            for k in range(1, len(path)):
                split_id, part = path[k]
                if part != TRAIN_PART or not self.flow.validated(split_id):
                    continue
                held_out = path[:k] + ((split_id, TEST_PART),)
                if any(paths_overlap(fit_path, held_out) for fit_path in taint.rows):
                    return self.flow.splits.get(split_id)
        return None

    def _sink_candidates(self, sink: Sink) -> Iterator[Candidate]:
        features = {
            t for role, v in sink.args if role is not ArgRole.TARGET for t in v.all_taints()
        }
        for role, value in sink.args:
            for taint in value.all_taints():
                if taint.encoder and role is not ArgRole.FEATURES:
                    continue  # an encoder on the target (or on a frame holding it)
                if taint.kind is TaintKind.STATISTIC and role is ArgRole.TARGET:
                    continue  # rescaling the target by a statistic: no feature learns it
                if taint.kind is TaintKind.RESAMPLE and role is ArgRole.TARGET:
                    if taint not in features:
                        continue  # labels copied along with their features
                if not rows_overlap(taint.rows, value.rows):
                    continue
                code = _CODE_OF[taint.kind]
                yield Candidate(code, taint, sink.node, sink.label, sink.kind)

    @staticmethod
    def _from_split(taint: Taint, split: Split) -> Candidate:
        return Candidate(_CODE_OF[taint.kind], taint, split.node, split.label, split.kind)


class LeakageCheck(Check):
    """A check of the leakage family: it reads :class:`DataFlow` and decides at scope end."""

    requires = REQUIRES
    needs = (DataFlow,)

    @classmethod
    def runs_on(cls, roots: AbstractSet[str], text: str) -> bool:
        """Files that import scikit-learn or imbalanced-learn; Keras and PyTorch files only
        when they split by ``validation_split`` or ``random_split`` (a text search: the
        others cost nothing)."""
        if roots & _SPLITTING:
            return True
        return any(word in text for word in _SPLIT_WORDS)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.dataflow = ctx.analysis(DataFlow)
        self.reported: set[tuple[str, int]] = set()
        """(code, id of the node) already reported, across scopes."""


class BeforeSplit(LeakageCheck):
    """ML001, ML003 or ML004 (the code of the subclass's rule): learning from rows that a
    split or cross-validation later separates, reported at the learning call."""

    def leave_scope(self, scope: Scope) -> None:
        if self.dataflow.scope_flow is None:
            return
        (code,) = self.codes
        lines: set[tuple[str, int]] = set()
        for cand in self.dataflow.candidates():
            if cand.code != code:
                continue
            node = cand.taint.node
            key = (cand.code, id(node))
            line_key = (cand.code, node.lineno)
            if key in self.reported or line_key in lines:
                continue
            self.reported.add(key)
            lines.add(line_key)
            self.report(
                cand.code,
                node,
                source=f"`{short_call(node)}`",
                sink=cand.sink_label,
                line=self.ctx.line_label(cand.sink_node.lineno),
                action=_ACTION[cand.kind],
                what="the categories" if cand.taint.encoder else "statistics",
            )
