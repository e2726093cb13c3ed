"""ML9xx behaviour that one fixture file cannot show: module-wide silencers, opt-in selection."""

from __future__ import annotations

import pytest

from mlsmells import registry

OPINIONATED = ("ML901", "ML902", "ML903", "ML904", "ML905", "ML909", "ML910")


def _codes(source: str, code: str) -> list[int]:
    return [d.line for d in registry.engine(frozenset({code})).run_source(source) if d.code == code]


@pytest.mark.parametrize("code", OPINIONATED)
def test_off_by_default_on_when_selected(code: str) -> None:
    assert code not in registry.select_codes()
    assert code in registry.select_codes(["ML9"])
    assert code in registry.select_codes(extend_select=[code])
    assert not registry.get(code).default_enabled and registry.get(code).noise


EVALUATION = """\
from sklearn.metrics import accuracy_score, f1_score
def report(clf, X, y):
    pred = clf.predict(X)
    return accuracy_score(y, pred), f1_score(y, pred)
"""


def test_ml910_reports_a_thresholded_evaluation() -> None:
    assert _codes(EVALUATION, "ML910") == [4]


@pytest.mark.parametrize(
    "extra",
    [
        "from sklearn.metrics import roc_auc_score\nauc = roc_auc_score\n",
        "def scores(clf, X):\n    return clf.predict_proba(X)[:, 1]\n",
        "def margin(clf, X):\n    return clf.decision_function(X)\n",
        "from sklearn.model_selection import cross_val_score\n"
        "def cv(clf, X, y):\n    return cross_val_score(clf, X, y, scoring='roc_auc')\n",
        "from sklearn.metrics import RocCurveDisplay\nplot = RocCurveDisplay.from_estimator\n",
        "from sklearn.datasets import load_iris\nX, y = load_iris(return_X_y=True)\n",
        "from sklearn.datasets import make_classification\n"
        "X, y = make_classification(n_classes=3, n_informative=4)\n",
    ],
    ids=["roc_auc", "predict_proba", "decision_function", "scoring", "display", "iris", "3cls"],
)
def test_ml910_is_silent_when_the_module_uses_scores(extra: str) -> None:
    assert _codes(EVALUATION + extra, "ML910") == []


def test_ml910_binary_synthetic_data_is_still_reported() -> None:
    source = (
        "from sklearn.datasets import make_classification\n"
        "X, y = make_classification(n_classes=2)\n" + EVALUATION
    )
    assert _codes(source, "ML910") == [6]


def test_ml909_needs_the_fit_in_the_scope_of_the_data() -> None:
    source = (
        "import pandas as pd\n"
        "from sklearn.svm import SVC\n"
        "df = pd.read_csv('x.csv')\n"
        "def train():\n"
        "    return SVC().fit(df, df['y'])\n"
        "SVC().fit(df, df['y'])\n"
    )
    assert _codes(source, "ML909") == [6]
