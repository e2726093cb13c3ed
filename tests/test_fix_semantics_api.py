"""Safe fixes of ML301, ML501, ML903 keep behaviour: before and after run with real libraries.

A removed name cannot run on the library that removed it, so each case runs
the *before* code wherever it still can:

- ML301: on the installed NumPy when it still has the old name; otherwise on
  a stand-in module that defines the removed names exactly as NumPy 1.x did
  (``LEGACY`` below, written from the NumPy 1.26 sources: ``float_`` *is*
  ``float64``, ``product`` calls ``prod`` ...; ``in1d`` is an independent
  brute-force implementation of its documented result, a flat membership
  mask) and forwards everything else to the real NumPy.
- ML501: on the installed scikit-learn when it still accepts the old spelling
  (so running this file under an older scikit-learn compares both sides);
  otherwise the old spelling must fail as removed, and the fixed code must
  give what the documentation says the old spelling meant (``EXPECTED``).
- ML903: both sides on the installed pandas (``how=`` only makes a default
  explicit).

The *after* code always runs on the installed, current libraries.
"""

from __future__ import annotations

import builtins
import sys
import types
import warnings
from typing import Any

import numpy as np
import pytest

from mlsmells.fixes.apply import fix_source
from mlsmells.records import Fix

pd = pytest.importorskip("pandas")
sklearn = pytest.importorskip("sklearn")


def _fixed(source: str, code: str) -> str:
    result = fix_source(source, "snippet.py", frozenset({code}))
    assert result.error is None, result.error
    assert result.changed, f"{code} fixed nothing in:\n{source}"
    assert all(a.safety is Fix.SAFE for a in result.applied)
    return result.source


def _exec(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippets
    return namespace


def _same(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        return (
            a_arr.dtype == b_arr.dtype
            and a_arr.shape == b_arr.shape
            and bool(np.array_equal(a_arr, b_arr, equal_nan=a_arr.dtype.kind in "fc"))
        )
    if isinstance(a, pd.DataFrame):
        return bool(a.equals(b))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


# --------------------------------------------------------------------- ML301


def _in1d(ar1: Any, ar2: Any, assume_unique: bool = False, invert: bool = False) -> Any:
    """``np.in1d`` by its definition: for each element of ``ar1`` *flattened*, is it in ``ar2``."""
    flat = np.asarray(ar1).ravel()
    mask = np.array([any(x == y for y in np.asarray(ar2).ravel()) for x in flat], dtype=bool)
    return ~mask if invert else mask


def _msort(a: Any) -> Any:
    b = np.array(a, subok=True, copy=True)
    b.sort(axis=0)
    return b


def _asfarray(a: Any, dtype: Any = np.float64) -> Any:
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.float64
    return np.asarray(a, dtype=dtype)


#: The removed names as NumPy 1.x defined them.
LEGACY: dict[str, Any] = {
    "float": builtins.float,
    "int": builtins.int,
    "complex": builtins.complex,
    "object": builtins.object,
    "str": builtins.str,
    "unicode": builtins.str,
    "NaN": np.nan,
    "NAN": np.nan,
    "Inf": np.inf,
    "Infinity": np.inf,
    "infty": np.inf,
    "PINF": np.inf,
    "NINF": -np.inf,
    "PZERO": 0.0,
    "NZERO": -0.0,
    "float_": np.float64,
    "complex_": np.complex128,
    "cfloat": np.complex128,
    "singlecomplex": np.complex64,
    "longfloat": np.longdouble,
    "longcomplex": np.clongdouble,
    "clongfloat": np.clongdouble,
    "string_": np.bytes_,
    "unicode_": np.str_,
    "int0": np.intp,
    "uint0": np.uintp,
    "bool8": np.bool_,
    "object0": np.object_,
    "str0": np.str_,
    "bytes0": np.bytes_,
    "void0": np.void,
    "round_": lambda a, decimals=0, out=None: np.around(a, decimals, out),
    "mat": np.asmatrix,
    "alltrue": lambda *args, **kwargs: np.all(*args, **kwargs),
    "sometrue": lambda *args, **kwargs: np.any(*args, **kwargs),
    "product": lambda *args, **kwargs: np.prod(*args, **kwargs),
    "cumproduct": lambda *args, **kwargs: np.cumprod(*args, **kwargs),
    "compare_chararrays": np.char.compare_chararrays,
    "format_parser": np.rec.format_parser,
    "msort": _msort,
    "asfarray": _asfarray,
    "asscalar": lambda a: a.item(),
    "in1d": _in1d,
}


class _LegacyNumpy(types.ModuleType):
    """The installed NumPy plus the names it no longer has, as NumPy 1.x had them."""

    def __getattr__(self, name: str) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return getattr(np, name)
            except AttributeError:
                if name in LEGACY:
                    return LEGACY[name]
                raise


#: One ``result = ...`` line per removed name with a safe replacement.
NUMPY_CASES: dict[str, str] = {
    "float": "np.array([1, 2]).astype(np.float)",
    "int": "np.array([1.7, -2.2]).astype(np.int)",
    "complex": "np.complex(1, 2)",
    "object": "np.array([1, 'a'], dtype=np.object)",
    "str": "np.str(12)",
    "unicode": "np.unicode(12)",
    "NaN": "np.array([1.0, np.NaN])",
    "NAN": "np.array([1.0, np.NAN])",
    "Inf": "np.Inf",
    "Infinity": "-np.Infinity",
    "infty": "np.minimum(3.0, np.infty)",
    "PINF": "np.full(2, np.PINF)",
    "NINF": "np.array([2.0]) ** 2 + np.NINF ** 2",
    "PZERO": "np.PZERO",
    "NZERO": "np.copysign(1.0, np.NZERO)",
    "float_": "np.zeros(2, dtype=np.float_)",
    "complex_": "np.ones(2, dtype=np.complex_)",
    "cfloat": "np.cfloat(3)",
    "singlecomplex": "np.singlecomplex(2)",
    "longfloat": "np.longfloat(1) / 3",
    "longcomplex": "np.longcomplex(1j)",
    "clongfloat": "np.zeros(1, np.clongfloat)",
    "string_": "np.array([b'ab'], dtype=np.string_)",
    "unicode_": "np.unicode_('x') * 2",
    "int0": "np.arange(3, dtype=np.int0)",
    "uint0": "np.arange(3, dtype=np.uint0)",
    "bool8": "np.array([0, 2], dtype=np.bool8)",
    "object0": "np.empty(1, dtype=np.object0)",
    "str0": "np.str0('a')",
    "bytes0": "np.bytes0(b'a')",
    "void0": "np.dtype(np.void0).kind",
    "round_": "np.round_(np.array([1.25, 2.5]), 1)",
    "mat": "np.mat([[1, 2], [3, 4]]) * np.mat([[1], [1]])",
    "alltrue": "np.alltrue(np.array([[True, False], [True, True]]), axis=0)",
    "sometrue": "np.sometrue([0, 0, 1])",
    "product": "np.product(np.arange(1, 6).reshape(5, 1), axis=1, keepdims=True)",
    "cumproduct": "np.cumproduct([1, 2, 3])",
    "compare_chararrays": "np.compare_chararrays(np.array(['a', 'b']), np.array(['a', 'c']), '==', True)",  # noqa: E501
    "format_parser": "np.format_parser(['i4', 'f8'], ['a', 'b'], []).dtype",
    "msort": "np.msort(np.array([[3, 1], [1, 2], [2, 0]]))",
    "asfarray": "np.asfarray([1, 2, 3])",
    "asscalar": "np.asscalar(np.array([1.5]) * 2)",
    "in1d": "np.in1d(np.array([[1, 2], [3, 4]]), [2, 3])",
    "in1d_flat": "np.in1d([1, 5, 2], [2, 3], invert=True)",
    "row_stack": "np.row_stack([np.arange(3), np.arange(3)])",
    "chararray": "np.chararray((2,), itemsize=3).itemsize",
}


def _run_numpy_before(source: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    legacy = _LegacyNumpy("numpy")
    # NumPy 1.x exported these with ``from numpy import *`` (not the builtin aliases).
    exported = [n for n in LEGACY if n not in ("float", "int", "complex", "object", "str")]
    legacy.__all__ = sorted(set(np.__all__) | set(exported) - {"unicode"})
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "numpy", legacy)
        return _exec(source)


def test_every_safe_numpy_replacement_has_a_case() -> None:
    from mlsmells.data import api_changes
    from mlsmells.data.api_changes import Repl

    safe = {
        c.name for c in api_changes.NUMPY.values() if c.repl not in (Repl.NONE, Repl.NUMPY2)
    }
    covered = {name.split("_flat")[0] for name in NUMPY_CASES}
    assert safe <= covered, safe - covered


@pytest.mark.parametrize("name", list(NUMPY_CASES))
def test_ml301_fix_keeps_the_result(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = f"import numpy as np\n\nresult = {NUMPY_CASES[name]}\n"
    after = _fixed(before, "ML301")
    old = _run_numpy_before(before, monkeypatch)["result"]
    new = _exec(after)["result"]
    assert _same(old, new), (before, after, old, new)


def test_ml301_from_import_and_star_import(monkeypatch: pytest.MonkeyPatch) -> None:
    before = (
        "from numpy import NaN, float_ as F\n"
        "from numpy import *\n"
        "result = [array([NaN, Inf]), F(2), product([2, 3]), in1d([[1, 2]], [2])]\n"
    )
    after = _fixed(before, "ML301")
    old = _run_numpy_before(before, monkeypatch)["result"]
    new = _exec(after)["result"]
    assert _same(old, new), (after, old, new)


# --------------------------------------------------------------------- ML501

DATA = """\
import numpy as np
rng = np.random.RandomState(0)
X = rng.rand(40, 3)
y = (X[:, 0] + X[:, 1] > 1).astype(int)
y_reg = X @ np.array([1.0, -2.0, 0.5])
cats = np.array([["a", "x"], ["b", "y"], ["a", "y"], ["c", "x"]])
"""

#: (before, what the fixed code must produce when the before code cannot run here).
SKLEARN_CASES: dict[str, tuple[str, str | None]] = {
    "sparse": (
        "from sklearn.preprocessing import OneHotEncoder\n"
        "result = OneHotEncoder(sparse=False).fit_transform(cats)\n",
        "from sklearn.preprocessing import OneHotEncoder\n"
        "result = OneHotEncoder().fit_transform(cats).toarray()\n",
    ),
    "adaboost_base_estimator": (
        "from sklearn.ensemble import AdaBoostClassifier\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "model = AdaBoostClassifier(base_estimator=DecisionTreeClassifier(max_depth=2),\n"
        "                           n_estimators=5, random_state=0).fit(X, y)\n"
        "result = model.predict_proba(X)\n",
        None,
    ),
    "bagging_base_estimator": (
        "from sklearn.ensemble import BaggingRegressor\n"
        "from sklearn.linear_model import Ridge\n"
        "model = BaggingRegressor(base_estimator=Ridge(alpha=0.5), n_estimators=3,\n"
        "                         random_state=0).fit(X, y_reg)\n"
        "result = model.predict(X)\n",
        None,
    ),
    "calibrated_base_estimator": (
        "from sklearn.calibration import CalibratedClassifierCV\n"
        "from sklearn.naive_bayes import GaussianNB\n"
        "model = CalibratedClassifierCV(base_estimator=GaussianNB(), cv=2).fit(X, y)\n"
        "result = model.predict_proba(X)\n",
        None,
    ),
    "affinity": (
        "from sklearn.cluster import AgglomerativeClustering\n"
        "model = AgglomerativeClustering(n_clusters=3, affinity='manhattan', linkage='average')\n"
        "result = model.fit_predict(X)\n",
        None,
    ),
    "tsne_n_iter": (
        "from sklearn.manifold import TSNE\n"
        "result = TSNE(n_components=2, perplexity=5, n_iter=250, init='pca',\n"
        "              random_state=0).fit_transform(X[:20])\n",
        None,
    ),
    "fit_params": (
        "from sklearn.linear_model import Ridge\n"
        "from sklearn.model_selection import cross_val_score\n"
        "weights = np.linspace(0.5, 1.5, len(X))\n"
        "result = cross_val_score(Ridge(alpha=1.0), X, y_reg, cv=2,\n"
        "                         fit_params={'sample_weight': weights})\n",
        "from sklearn.linear_model import Ridge\n"
        "weights = np.linspace(0.5, 1.5, len(X))\n"
        "half = len(X) // 2\n"
        "folds = [(np.arange(half, len(X)), np.arange(half)), (np.arange(half), np.arange(half, len(X)))]\n"  # noqa: E501
        "result = np.array([Ridge(alpha=1.0).fit(X[tr], y_reg[tr], sample_weight=weights[tr])\n"
        "                   .score(X[te], y_reg[te]) for tr, te in folds])\n",
    ),
    "squared_false": (
        "from sklearn.metrics import mean_squared_error\n"
        "result = mean_squared_error(y_reg, y_reg * 0.9 + 0.1, squared=False)\n",
        "result = float(np.sqrt(np.mean((y_reg - (y_reg * 0.9 + 0.1)) ** 2)))\n",
    ),
    "squared_false_attribute": (
        "from sklearn import metrics\n"
        "result = metrics.mean_squared_error(y_reg, y_reg + 1, squared=False)\n",
        "result = 1.0\n",
    ),
    "squared_true": (
        "from sklearn.metrics import mean_squared_error\n"
        "result = mean_squared_error(y_reg, y_reg + 2, squared=True)\n",
        "result = 4.0\n",
    ),
    "needs_proba": (
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import log_loss, make_scorer\n"
        "model = LogisticRegression().fit(X, y)\n"
        "result = make_scorer(log_loss, needs_proba=True, greater_is_better=False)(model, X, y)\n",
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import log_loss\n"
        "model = LogisticRegression().fit(X, y)\n"
        "result = -log_loss(y, model.predict_proba(X))\n",
    ),
    "needs_threshold": (
        "from sklearn.svm import LinearSVC\n"
        "from sklearn.metrics import roc_auc_score, make_scorer\n"
        "model = LinearSVC().fit(X, y)\n"
        "result = make_scorer(roc_auc_score, needs_threshold=True)(model, X, y)\n",
        "from sklearn.svm import LinearSVC\n"
        "from sklearn.metrics import roc_auc_score\n"
        "model = LinearSVC().fit(X, y)\n"
        "result = roc_auc_score(y, model.decision_function(X))\n",
    ),
    "criterion_mse": (
        "from sklearn.tree import DecisionTreeRegressor\n"
        "model = DecisionTreeRegressor(criterion='mse', max_depth=3, random_state=0)\n"
        "result = model.fit(X, y_reg).predict(X)\n",
        None,
    ),
    "max_features_auto_classifier": (
        "from sklearn.ensemble import RandomForestClassifier\n"
        "model = RandomForestClassifier(n_estimators=5, max_features='auto', random_state=0)\n"
        "result = model.fit(X, y).predict_proba(X)\n",
        None,
    ),
    "max_features_auto_regressor": (
        "from sklearn.ensemble import ExtraTreesRegressor\n"
        "model = ExtraTreesRegressor(n_estimators=5, max_features='auto', random_state=0)\n"
        "result = model.fit(X, y_reg).predict(X)\n",
        None,
    ),
    "sgd_log": (
        "from sklearn.linear_model import SGDClassifier\n"
        "result = SGDClassifier(loss='log', random_state=0).fit(X, y).predict_proba(X)\n",
        None,
    ),
    "gb_ls": (
        "from sklearn.ensemble import GradientBoostingRegressor\n"
        "model = GradientBoostingRegressor(loss='ls', n_estimators=5, random_state=0)\n"
        "result = model.fit(X, y_reg).predict(X)\n",
        None,
    ),
    "gb_deviance": (
        "from sklearn.ensemble import GradientBoostingClassifier\n"
        "model = GradientBoostingClassifier(loss='deviance', n_estimators=5, random_state=0)\n"
        "result = model.fit(X, y).predict_proba(X)\n",
        None,
    ),
    "penalty_none": (
        "from sklearn.linear_model import LogisticRegression\n"
        "result = LogisticRegression(penalty='none', max_iter=500).fit(X, y).coef_\n",
        "from sklearn.linear_model import LogisticRegression\n"
        "result = LogisticRegression(C=np.inf, max_iter=500).fit(X, y).coef_\n",
    ),
    "calinski_harabaz": (
        "from sklearn.metrics import calinski_harabaz_score\n"
        "result = calinski_harabaz_score(X, y)\n",
        "from sklearn.metrics import calinski_harabasz_score\n"
        "result = calinski_harabasz_score(X, y)\n",
    ),
    "samples_generator": (
        "from sklearn.datasets.samples_generator import make_blobs\n"
        "result = make_blobs(n_samples=10, random_state=0)[0]\n",
        "from sklearn.datasets import make_blobs\n"
        "result = make_blobs(n_samples=10, random_state=0)[0]\n",
    ),
    "lda_n_topics": (
        "from sklearn.decomposition import LatentDirichletAllocation\n"
        "model = LatentDirichletAllocation(n_topics=2, max_iter=3, random_state=0)\n"
        "result = model.fit_transform(X)\n",
        "from sklearn.decomposition import LatentDirichletAllocation\n"
        "model = LatentDirichletAllocation(n_components=2, max_iter=3, random_state=0)\n"
        "result = model.fit_transform(X)\n",
    ),
    "externals_joblib": (
        "from sklearn.externals import joblib\n"
        "result = joblib.hash(X)\n",
        "import joblib\n"
        "result = joblib.hash(X)\n",
    ),
}

#: What scikit-learn raises for a removed import, keyword or value.
_REMOVED_ERRORS: tuple[type[Exception], ...] = (ImportError, AttributeError, TypeError, ValueError)


def _run_or_removed(source: str) -> tuple[bool, Any]:
    """(True, result) when ``source`` runs here; (False, None) when it fails as removed."""
    try:
        return True, _exec(source)["result"]
    except _REMOVED_ERRORS:  # InvalidParameterError is a ValueError
        return False, None


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return bool(np.isclose(a, b))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.kind == "f":
        return a.shape == b.shape and bool(np.allclose(a, b))
    return _same(a, b)


@pytest.mark.parametrize("name", list(SKLEARN_CASES))
def test_ml501_fix_keeps_the_result(name: str) -> None:
    body, expected = SKLEARN_CASES[name]
    before = DATA + body
    after = _fixed(before, "ML501")
    ran, old = _run_or_removed(before)
    after_ran, new = _run_or_removed(after)
    if ran and not after_ran:
        pytest.skip(f"scikit-learn {sklearn.__version__} predates the fixed spelling")
    assert after_ran, f"the fixed code does not run:\n{after}"
    if ran:
        # Both spellings work on this scikit-learn: they must agree exactly.
        assert _same(old, new), (name, old, new)
    elif expected is not None:
        assert _close(_exec(DATA + expected)["result"], new), (name, after)


# --------------------------------------------------------------------- ML903

MERGES = {
    "merge": "result = left.merge(right, on='k')\n",
    "pd_merge": "result = pd.merge(left, right, on='k', validate='many_to_one')\n",
    "join": "result = left.set_index('k').join(right.set_index('k'))\n",
}
FRAMES = (
    "import pandas as pd\n"
    "left = pd.DataFrame({'k': [1, 2, 2, 3, 5], 'a': list('vwxyz')})\n"
    "right = pd.DataFrame({'k': [2, 3, 4], 'b': [0.5, 1.5, 2.5]})\n"
)


@pytest.mark.parametrize("name", list(MERGES))
def test_ml903_fix_keeps_the_join(name: str) -> None:
    before = FRAMES + MERGES[name]
    after = _fixed(before, "ML903")
    assert "how=" in after
    assert _same(_exec(before)["result"], _exec(after)["result"])
