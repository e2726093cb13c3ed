"""The generated scikit-learn tables match scikit-learn, and the hand-written exceptions too."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from mlsmells.data import sklearn_api
from mlsmells.rules.reproducibility.ml101_random_state_not_set import (
    DATA_SIZE_DEPENDENT,
    EXCEPTIONS,
    primary_name,
)
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.sklearn_kinds import class_kind

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "gen_sklearn_api.py"


def _installed_sklearn() -> ModuleType:
    sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    if sklearn.__version__ != sklearn_api.SKLEARN_VERSION:
        pytest.skip(
            f"installed scikit-learn {sklearn.__version__} differs from the "
            f"{sklearn_api.SKLEARN_VERSION} the table was generated from"
        )
    return sklearn


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_sklearn_api", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resolve(primary: str) -> object:
    module, _, name = primary.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_committed_table_is_what_the_generator_produces() -> None:
    _installed_sklearn()
    committed = (ROOT / "mlsmells" / "data" / "sklearn_api.py").read_text(encoding="utf-8")
    assert _generator().render() == committed, "run `python scripts/gen_sklearn_api.py`"


@pytest.mark.parametrize("primary", sorted(EXCEPTIONS) + sorted(DATA_SIZE_DEPENDENT))
def test_hand_written_entries_name_table_callables(primary: str) -> None:
    assert primary in sklearn_api.RANDOM_STATE_CALLABLES


@pytest.mark.parametrize("primary", sorted(EXCEPTIONS))
def test_exception_defaults_are_sklearn_defaults(primary: str) -> None:
    _installed_sklearn()
    import sklearn.experimental.enable_halving_search_cv  # noqa: F401
    import sklearn.experimental.enable_iterative_imputer  # noqa: F401

    parameters = inspect.signature(_resolve(primary)).parameters  # type: ignore[arg-type]
    for name, default in EXCEPTIONS[primary].defaults.items():
        assert name in parameters, name
        assert parameters[name].default == default, name


@pytest.mark.parametrize("primary", sorted(EXCEPTIONS))
def test_defaults_of_exceptions_consume_no_randomness_unless_documented(primary: str) -> None:
    """With every condition parameter at its default, these stay silent (except as listed)."""
    consumes = EXCEPTIONS[primary].uses(EXCEPTIONS[primary].defaults)
    certain_by_default = {
        "sklearn.model_selection.train_test_split",
        "sklearn.datasets.make_circles",
        "sklearn.datasets.make_moons",
        "sklearn.cluster.KMeans",
        "sklearn.cluster.k_means",
        "sklearn.linear_model.SGDClassifier",
        "sklearn.linear_model.SGDRegressor",
        "sklearn.linear_model.PassiveAggressiveClassifier",
        "sklearn.linear_model.PassiveAggressiveRegressor",
        "sklearn.linear_model.SGDOneClassSVM",
        "sklearn.svm.LinearSVR",
        "sklearn.decomposition.FastICA",
        "sklearn.decomposition.fastica",
        "sklearn.manifold.MDS",
        "sklearn.manifold.smacof",
        "sklearn.feature_selection.mutual_info_classif",
        "sklearn.feature_selection.mutual_info_regression",
    }
    assert consumes == (primary in certain_by_default)


def test_positional_random_state_is_recorded() -> None:
    params = sklearn_api.POSITIONAL_PARAMS["sklearn.model_selection.StratifiedGroupKFold"]
    assert params.index("random_state") == 2
    forest = sklearn_api.POSITIONAL_PARAMS["sklearn.ensemble.RandomForestClassifier"]
    assert "random_state" not in forest


@pytest.mark.parametrize(
    ("qualname", "primary"),
    [
        ("sklearn.model_selection.train_test_split", "sklearn.model_selection.train_test_split"),
        ("sklearn.utils.shuffle", "sklearn.utils.shuffle"),
        ("sklearn.utils.resample", "sklearn.utils.resample"),
        ("sklearn.datasets.make_classification", "sklearn.datasets.make_classification"),
        ("sklearn.inspection.permutation_importance", "sklearn.inspection.permutation_importance"),
        ("sklearn.utils.extmath.randomized_svd", "sklearn.decomposition.randomized_svd"),
        ("sklearn.metrics.cluster.silhouette_score", "sklearn.metrics.silhouette_score"),
        # No random_state, or a fixed default seed: not in the table.
        ("sklearn.model_selection.cross_val_predict", None),
        ("sklearn.model_selection.cross_val_score", None),
        ("sklearn.model_selection.permutation_test_score", None),
        ("sklearn.datasets.fetch_20newsgroups", None),
        ("sklearn.linear_model.Perceptron", None),
        ("sklearn.svm.SVR", None),
        ("sklearn.model_selection.BaseShuffleSplit", None),
        ("sklearn.ensemble._forest.RandomForestClassifier", None),
        ("numpy.random.shuffle", None),
    ],
)
def test_primary_name(qualname: str, primary: str | None) -> None:
    assert primary_name(qualname) == primary


@pytest.mark.parametrize(
    ("qualname", "kind"),
    [
        ("sklearn.preprocessing.StandardScaler", Kind.SK_TRANSFORMER),
        ("sklearn.impute.SimpleImputer", Kind.SK_TRANSFORMER),
        ("sklearn.impute.IterativeImputer", Kind.SK_TRANSFORMER),
        ("sklearn.feature_extraction.text.TfidfVectorizer", Kind.SK_TRANSFORMER),
        ("sklearn.decomposition.PCA", Kind.SK_TRANSFORMER),
        ("sklearn.manifold.TSNE", Kind.SK_TRANSFORMER),
        ("sklearn.cluster.KMeans", Kind.SK_TRANSFORMER),
        ("sklearn.compose.ColumnTransformer", Kind.SK_TRANSFORMER),
        ("sklearn.feature_selection.SelectKBest", Kind.SK_TRANSFORMER),
        ("sklearn.model_selection.KFold", Kind.SK_SPLITTER),
        ("sklearn.model_selection.TimeSeriesSplit", Kind.SK_SPLITTER),
        ("sklearn.model_selection.PredefinedSplit", Kind.SK_SPLITTER),
        ("sklearn.model_selection.RepeatedStratifiedKFold", Kind.SK_SPLITTER),
        ("sklearn.ensemble.RandomForestClassifier", Kind.SK_ESTIMATOR),
        ("sklearn.discriminant_analysis.LinearDiscriminantAnalysis", Kind.SK_ESTIMATOR),
        ("sklearn.pipeline.Pipeline", Kind.SK_ESTIMATOR),
        ("sklearn.model_selection.GridSearchCV", Kind.SK_ESTIMATOR),
        ("sklearn.ensemble.IsolationForest", Kind.SK_ESTIMATOR),
        ("sklearn.metrics.ConfusionMatrixDisplay", None),
        ("sklearn.model_selection.train_test_split", None),
        ("sklearn.preprocessing._data.StandardScaler", None),
        ("sklearn.model_selection.BaseCrossValidator", None),
    ],
)
def test_class_kind(qualname: str, kind: Kind | None) -> None:
    assert class_kind(qualname) is kind


@pytest.mark.parametrize(
    ("params", "draws"),
    [
        ({"solver": "liblinear"}, False),
        ({"solver": "liblinear", "penalty": "l2", "dual": False}, False),
        ({"solver": "liblinear", "dual": True}, True),
        ({"solver": "liblinear", "penalty": "l1"}, True),
        ({"solver": "liblinear", "l1_ratio": 1}, True),
        ({"solver": "saga"}, True),
        ({}, False),
    ],
)
def test_logistic_regression_randomness_is_what_the_exception_says(
    params: dict[str, object], draws: bool
) -> None:
    """liblinear draws only in its dual and L1 solvers: other seeds give other coefficients
    there (a few iterations, before convergence hides it), the same ones otherwise."""
    _installed_sklearn()
    import warnings

    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=300, n_features=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, the deprecation of penalty
        fits = [
            LogisticRegression(random_state=seed, max_iter=5, tol=0.1, **params).fit(X, y)
            for seed in (0, 1, 2)
        ]
    differ = any(not np.array_equal(fits[0].coef_, f.coef_) for f in fits[1:])
    assert differ is draws
    rule = EXCEPTIONS["sklearn.linear_model.LogisticRegression"]
    assert rule.uses({**rule.defaults, **params}) is draws
