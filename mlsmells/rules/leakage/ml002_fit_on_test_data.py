"""ML002 fit-on-test-data: a transformer fit again on the test part of a split, and its fix."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules.leakage._analysis import FLOW_RATIONALE, LeakageCheck
from mlsmells.semantic.flow import (
    ROOT,
    TEST_PART,
    TRAIN_PART,
    Fit,
    Obj,
    Role,
    RowPath,
    ScopeFlow,
    short_call,
)
from mlsmells.semantic.scopes import Scope

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML002",
    name="fit-on-test-data",
    pylint_id="W7602",
    family=Family.LEAKAGE,
    message=(
        "`{call}` fits a transformer on test data ({why}); transform the test data with "
        "the transformer fit on the training data"
    ),
    summary=(
        "A transformer is fit again on the test or validation part of a split "
        "(`scaler.fit_transform(X_test)`) after being fit on the training part."
    ),
    rationale=(
        "Refitting a scaler, imputer, encoder or vectorizer on the test data gives the "
        "test data its own statistics: training and test features no longer mean the same "
        "thing (a scaled value of 0 is the training mean in one and the test mean in the "
        "other, category 3 is a different category), and the statistics of the test set "
        "itself shape its features. Fit once on the training part and call `transform` on "
        "the test part. The rule reports a `fit`/`fit_transform` whose data is the test or "
        "validation side of a split (of `train_test_split`, or a fold of a CV splitter) "
        "when the same object, or another one of the same class, was fit on the training "
        "side of that split; and, when the data's origin is unknown (separate train and "
        "test files), a refit of the same object on a test-named variable "
        "(`X_test`, `test_df`, `X_val` ...) after a fit on a train-named one." + FLOW_RATIONALE
    ),
    bad=(
        "scaler = StandardScaler()\n"
        "X_train = scaler.fit_transform(X_train)\n"
        "X_test = scaler.fit_transform(X_test)\n"
    ),
    good=(
        "scaler = StandardScaler()\n"
        "X_train = scaler.fit_transform(X_train)\n"
        "X_test = scaler.transform(X_test)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=(
        "`fit_transform` -> `transform` on the object that was fit on the training data "
        "(the target argument and fit parameters are dropped: `transform` takes the data "
        "only)."
    ),
    fix_safety=(
        "Unsafe: the test data is then transformed with the training statistics, which "
        "changes every transformed value and the reported score; that is the bug fix, but "
        "a reviewer should see it. Only offered when the same object was fit on the "
        "training data before in the same scope, so `transform` is called on a fitted "
        "object."
    ),
)

#: Objects whose refit on test data ML002 reports.
_REFIT_ROLES = frozenset({Role.PREPROCESS, Role.ENCODER, Role.SELECTOR, Role.CLUSTER})


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


class FitOnTestData(LeakageCheck):
    """ML002: a transformer refit on the test data after a fit on the training data."""

    rules = (RULE,)

    def leave_scope(self, scope: Scope) -> None:
        flow = self.dataflow.scope_flow
        if flow is not None:
            self._refit_on_test(flow)

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
            split = self.dataflow.flow.splits[min(tests)]
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


# ---------------------------------------------------------------------- fix


def transform_test_data(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``scaler.fit_transform(X_test, y_test)`` -> ``scaler.transform(X_test)``.

    Offered by the rule only when the same object was fit on the training data
    earlier in the scope (``data["fix"] == "transform"``). ``transform`` takes
    the data alone, so the target and any fit parameters are dropped.
    """
    if diag.get("fix") != "transform":
        return None
    call = ctx.find(diag, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    if call.func.attr.value != "fit_transform" or not call.args:
        return None
    data = call.args[0]
    if data.star or (data.keyword is not None and data.keyword.value != "X"):
        return None
    last = call.args[-1]
    # The kept argument ends as the last one did (a trailing comma and the closing line).
    kept = data.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    func = call.func.with_changes(attr=cst.Name("transform"))
    return fx.Edit(call, call.with_changes(func=func, args=[kept]))


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the rule saw the fit on the training data (``fix``: ``transform``)."""
    return Fix.UNSAFE if diag.get("fix") == "transform" else Fix.NONE


FIXES = {"ML002": transform_test_data}
FIXABLE = {"ML002": fix_applies}
