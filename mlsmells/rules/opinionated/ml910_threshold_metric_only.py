"""ML910 threshold-metric-only: a module evaluating classifiers with thresholded metrics only."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import keyword
from mlsmells.rules.opinionated._qualnames import SK, short
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML910",
    name="threshold-metric-only",
    pylint_id="C7690",
    family=Family.OPINIONATED,
    message=(
        "the classifier is evaluated only with threshold-dependent metrics ({metrics}); "
        "add a threshold-free one such as `roc_auc_score` or `average_precision_score`"
    ),
    summary=(
        "Classifiers are evaluated with accuracy/F1/precision/recall only, in a module that "
        "never uses a threshold-free metric or the models' scores."
    ),
    rationale=(
        "Accuracy, F1, precision and recall judge the hard labels `predict` produces at one "
        "decision threshold (0.5 or the sign of the decision function). They hide how well "
        "the model ranks cases, move with class imbalance, and say nothing about "
        "calibration. ROC AUC, average precision, log loss or the Brier score evaluate the "
        "scores themselves. The rule reports once per function (and once for the module "
        "level), on its first threshold-dependent metric call, when the module calls none of "
        "`roc_auc_score`, `average_precision_score`, `roc_curve`, "
        "`precision_recall_curve`, `log_loss`, `brier_score_loss`, the ROC/PR/DET "
        "displays ..., names no threshold-free `scoring=` string, and never asks a model "
        "for `predict_proba`/`decision_function` scores. Multi-class evaluations, where "
        "the label is an argmax rather than a threshold, are left alone: a metric call "
        'with `average=` other than `"binary"`, or a module loading a multi-class '
        "scikit-learn dataset (`load_iris`, `load_digits`, `fetch_20newsgroups` ...) or "
        "generating one (`make_classification(n_classes=3)`)."
    ),
    bad=(
        "pred = clf.predict(X_test)\n"
        'print("accuracy", accuracy_score(y_test, pred))\n'
        'print("f1", f1_score(y_test, pred))\n'
    ),
    good=(
        "pred = clf.predict(X_test)\n"
        'print("f1", f1_score(y_test, pred))\n'
        'print("ROC AUC", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))\n'
    ),
    default_enabled=False,
    noise=(
        "Multi-class problems on the author's own data, tasks with a fixed operating threshold "
        "(where the thresholded metric is exactly what matters), and modules that only "
        "report a metric computed elsewhere are all reported."
    ),
)


def _more_than_two(kw: ast.keyword | None) -> bool:
    if kw is None:
        return False
    value = kw.value.value if isinstance(kw.value, ast.Constant) else None
    return not (isinstance(value, int) and value <= 2)


def _averaged(call: ast.Call) -> bool:
    """``average="macro"``/``"micro"``/``"weighted"``/``None``: a multi-class evaluation."""
    average = keyword(call, "average")
    if average is None:
        return False
    return not (isinstance(average.value, ast.Constant) and average.value.value == "binary")


_M = "sklearn.metrics"
_THRESHOLD_METRICS = frozenset(
    f"{_M}.{n}"
    for n in (
        "accuracy_score", "f1_score", "fbeta_score", "precision_score", "recall_score",
        "balanced_accuracy_score", "classification_report", "precision_recall_fscore_support",
        "jaccard_score",
    )
)  # fmt: skip
_THRESHOLD_FREE = frozenset(
    f"{_M}.{n}"
    for n in (
        "roc_auc_score",
        "average_precision_score",
        "roc_curve",
        "precision_recall_curve",
        "auc",
        "log_loss",
        "brier_score_loss",
        "det_curve",
        "top_k_accuracy_score",
        "d2_log_loss_score",
        "RocCurveDisplay",
        "PrecisionRecallDisplay",
        "DetCurveDisplay",
        "label_ranking_average_precision_score",
        "coverage_error",
        "ndcg_score",
        "dcg_score",
    )
) | frozenset({"sklearn.calibration.calibration_curve", "sklearn.calibration.CalibrationDisplay"})
#: scikit-learn datasets with more than two classes: their thresholds are an argmax.
_MULTICLASS_DATASETS = frozenset(
    f"{SK}.datasets.{n}"
    for n in (
        "load_iris", "load_digits", "load_wine", "fetch_20newsgroups",
        "fetch_20newsgroups_vectorized", "fetch_covtype", "fetch_olivetti_faces",
        "fetch_lfw_people", "fetch_rcv1",
    )
)  # fmt: skip
#: Model methods that return scores rather than hard labels.
_SCORE_METHODS = frozenset({"predict_proba", "predict_log_proba", "decision_function"})
#: Last components of the names that make a module threshold-free.
_THRESHOLD_FREE_NAMES = last_names(_THRESHOLD_FREE | _MULTICLASS_DATASETS)
#: ``scoring=`` strings naming a threshold-free metric.
_FREE_SCORING_PREFIXES = ("roc_auc", "average_precision", "neg_log_loss", "neg_brier_score")


class ThresholdMetricOnly(Check):
    """ML910: classifiers evaluated with thresholded metrics only, in a module without scores."""

    rules = (RULE,)
    nodes = (ast.Call, ast.Name, ast.Attribute, ast.Constant)
    requires = frozenset({"sklearn"})
    names = _THRESHOLD_FREE_NAMES | _SCORE_METHODS
    words = tuple(last_names(_THRESHOLD_METRICS))  # every finding is a call of one

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._found: dict[int, tuple[ast.Call, list[str]]] = {}
        """id(node of a function or the module) -> its first thresholded metric call, and the
        metrics it uses (scope objects die with their scope; their nodes live on)."""
        self._threshold_free = False

    def visit(self, node: ast.AST) -> None:
        if self._threshold_free:
            return
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str) and value.startswith(_FREE_SCORING_PREFIXES):
                self._threshold_free = True
            return
        if isinstance(node, (ast.Name, ast.Attribute)):
            if isinstance(node, ast.Attribute) and node.attr in _SCORE_METHODS:
                self._threshold_free = True
            elif self.model.may_resolve_to(node, _THRESHOLD_FREE_NAMES):
                qualname = self.model.qualname(node)
                # A multi-class dataset: no single threshold to question.
                if qualname in _THRESHOLD_FREE or qualname in _MULTICLASS_DATASETS:
                    self._threshold_free = True
            return
        assert isinstance(node, ast.Call)
        qualname = self.model.qualname(node.func)
        if qualname is not None and qualname.startswith(f"{SK}.datasets.make_"):
            if _more_than_two(keyword(node, "n_classes")):
                self._threshold_free = True  # synthetic multi-class data
            return
        if qualname in _THRESHOLD_METRICS and not _averaged(node):
            scope = next(
                s
                for s in self.model.scope.lookup_chain()
                if s.type in (ScopeType.FUNCTION, ScopeType.MODULE)
            )
            _, metrics = self._found.setdefault(id(scope.node), (node, []))
            name = short(qualname)
            if name not in metrics:
                metrics.append(name)

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or self._threshold_free:
            return
        for call, metrics in self._found.values():
            self.report("ML910", call, metrics=", ".join(f"`{m}`" for m in metrics))
