"""Checks of the data-leakage family (ML001-ML005), on top of :mod:`mlsmells.semantic.flow`.

One check drives the flow layer through the engine's walk (statements only)
and decides at the end of each scope, when everything that happened to the
scope's data is known.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlsmells.engine import Check, Context
from mlsmells.semantic.flow import (
    ROOT,
    STATEMENTS,
    TEST_PART,
    TRAIN_PART,
    ArgRole,
    Evaluation,
    Fit,
    FlowTracker,
    Obj,
    Role,
    RowPath,
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
from mlsmells.semantic.model import Scope

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
#: Objects whose refit on test data ML002 reports.
_REFIT_ROLES = frozenset({Role.PREPROCESS, Role.ENCODER, Role.SELECTOR, Role.CLUSTER})
_MODEL_ROLES = frozenset({Role.MODEL, Role.SEARCH})
_WORD = re.compile(r"[a-z]+")
_TEST_WORDS = frozenset({"test", "val", "valid", "validation", "holdout"})
_TRAIN_WORDS = frozenset({"train", "training"})
#: ``Xtest``, ``ytrain``, ``dfval``: a data prefix glued to the side.
_GLUED = re.compile(r"^(?:x|y|df|data|features|labels)(test|val|valid|train)$")


def _words(name: str) -> set[str]:
    """``X_test`` -> {"x", "test"}; ``Xtest`` -> {"xtest", "test"}."""
    words = set(_WORD.findall(name.lower()))
    for word in list(words):
        glued = _GLUED.match(word)
        if glued:
            words.add(glued.group(1))
    return words


def _is_test_name(name: str | None) -> bool:
    """``X_test``, ``test_df``, ``Xval`` (not ``X_train_val``: training data too)."""
    if name is None:
        return False
    words = _words(name)
    return bool(words & _TEST_WORDS) and not words & _TRAIN_WORDS


def _is_train_name(name: str | None) -> bool:
    if name is None:
        return False
    words = _words(name)
    return bool(words & _TRAIN_WORDS) and not words & _TEST_WORDS


def _sides(rows: frozenset[RowPath], part: int) -> frozenset[int]:
    """Splits of which every path of ``rows`` ends on side ``part`` (empty: not all do)."""
    if not rows:
        return frozenset()
    found: set[int] = set()
    for path in rows:
        last = path[-1]
        if len(path) < 2 or last[1] == ROOT or (last[1] == TRAIN_PART) != (part == TRAIN_PART):
            return frozenset()
        found.add(last[0])
    return frozenset(found)


@dataclass(frozen=True)
class _Candidate:
    code: str
    taint: Taint
    sink_node: ast.Call
    sink_label: str
    kind: SinkKind


class DataLeakage(Check):
    """ML001-ML005: learning before the split, refits on test data, self-evaluation."""

    codes = ("ML001", "ML002", "ML003", "ML004", "ML005")
    nodes = STATEMENTS
    requires = frozenset({"sklearn", "imblearn"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flow = FlowTracker(self.model)
        self.reported: set[tuple[str, int]] = set()
        """(code, id of the node) already reported, across scopes."""

    def visit(self, node: ast.AST) -> None:
        self.flow.statement(node, self.ctx.ancestors)

    def leave_scope(self, scope: Scope) -> None:
        flow = self.flow.end_scope(scope)
        if flow is None:
            return
        self._before_split(flow)
        self._refit_on_test(flow)
        self._train_only_evaluation(flow)

    # ----------------------------------------------------- ML001/3/4
    def _candidates(self, flow: ScopeFlow) -> Iterator[_Candidate]:
        for sink in flow.sinks:
            yield from self._sink_candidates(sink)
        for use in flow.transforms:
            taint = use.fit.taint
            if taint is None or taint.encoder:
                continue
            split = self._held_out_in_fit(taint, use.value)
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
                if part != TRAIN_PART:
                    continue
                held_out = path[:k] + ((split_id, TEST_PART),)
                if any(paths_overlap(fit_path, held_out) for fit_path in taint.rows):
                    return self.flow.splits.get(split_id)
        return None

    def _sink_candidates(self, sink: Sink) -> Iterator[_Candidate]:
        for role, value in sink.args:
            for taint in value.all_taints():
                if taint.encoder and role is not ArgRole.FEATURES:
                    continue  # an encoder on the target (or on a frame holding it)
                if taint.kind is TaintKind.STATISTIC and role is ArgRole.TARGET:
                    continue  # rescaling the target by a statistic: no feature learns it
                if not rows_overlap(taint.rows, value.rows):
                    continue
                code = _CODE_OF[taint.kind]
                yield _Candidate(code, taint, sink.node, sink.label, sink.kind)

    @staticmethod
    def _from_split(taint: Taint, split: Split) -> _Candidate:
        return _Candidate(_CODE_OF[taint.kind], taint, split.node, split.label, split.kind)

    def _before_split(self, flow: ScopeFlow) -> None:
        found = sorted(
            self._candidates(flow),
            key=lambda c: (
                c.sink_node.lineno,
                c.sink_node.col_offset,
                c.taint.node.lineno,
                c.taint.node.col_offset,
            ),
        )
        lines: set[tuple[str, int]] = set()
        for cand in found:
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

    # --------------------------------------------------------------- ML002
    def _refit_on_test(self, flow: ScopeFlow) -> None:
        for obj, fit in flow.fits:
            if obj.role not in _REFIT_ROLES or fit.method not in ("fit", "fit_transform"):
                continue
            found = self._refit(flow, obj, fit)
            if found is None:
                continue
            why, same_object = found
            key = ("ML002", id(fit.node))
            if key in self.reported:
                continue
            self.reported.add(key)
            fixable = (
                same_object
                and fit.method == "fit_transform"
                and not any(isinstance(a, ast.Starred) for a in fit.node.args)
                and all(kw.arg is not None for kw in fit.node.keywords)
            )
            self.report(
                "ML002",
                fit.node,
                call=short_call(fit.node),
                why=why,
                data=(("fix", "transform"),) if fixable else (),
            )

    def _refit(self, flow: ScopeFlow, obj: Obj, fit: Fit) -> tuple[str, bool] | None:
        """Why ``fit`` is a fit on test data, and whether ``obj`` itself was fit on train."""
        earlier = obj.fits[: obj.fits.index(fit)]
        tests = _sides(fit.x.rows, TEST_PART)
        at = self.ctx.line_label
        if tests:
            split = self.flow.splits[min(tests)]
            where = f"the held-out part of `{split.label}` at {at(split.node.lineno)}"
            for prior in earlier:
                if _sides(prior.x.rows, TRAIN_PART) & tests:
                    return (f"{where}, after a fit on its training part at "
                            f"{at(prior.node.lineno)}", True)  # fmt: skip
            for other, other_fit in flow.fits:
                if (
                    obj.role is not Role.CLUSTER
                    and other is not obj
                    and other.qualname == obj.qualname
                    and _sides(other_fit.x.rows, TRAIN_PART) & tests
                ):
                    return (f"{where}, while another `{obj.short}` is fit on its training "
                            f"part at {at(other_fit.node.lineno)}", False)  # fmt: skip
            return None
        if not _is_test_name(fit.arg_name) or _sides(fit.x.rows, TRAIN_PART):
            return None
        for prior in earlier:
            if _is_train_name(prior.arg_name):
                return (f"`{fit.arg_name}`, after a fit on `{prior.arg_name}` at "
                        f"{at(prior.node.lineno)}", True)  # fmt: skip
        return None

    # --------------------------------------------------------------- ML005
    def _train_only_evaluation(self, flow: ScopeFlow) -> None:
        by_obj: dict[Obj, list[Evaluation]] = {}
        spoiled: set[Obj] = set(flow.other_use)
        for ev in flow.evaluations:
            obj = ev.obj
            fit = ev.fit
            on_train = (
                obj.role in _MODEL_ROLES
                and fit is not None
                and fit.y is not None
                and ev.x is fit.x
                and ev.y is fit.y
                and ev.x.rows
            )
            if on_train:
                by_obj.setdefault(obj, []).append(ev)
            else:
                spoiled.add(obj)
        for obj, data in flow.predictions:
            if not any(data is f.x for f in obj.fits):
                spoiled.add(obj)
        for model, evaluations in by_obj.items():
            if model in spoiled:
                continue
            for ev in evaluations:
                if ("ML005", id(ev.node)) in self.reported or ev.fit is None:
                    continue
                self.reported.add(("ML005", id(ev.node)))
                self.report(
                    "ML005",
                    ev.node,
                    model=ev.obj.name or ev.obj.short,
                    line=self.ctx.line_label(ev.fit.node.lineno),
                )
