"""The removed/renamed API tables agree with the installed NumPy and scikit-learn.

Every "removed" name is really absent, every "deprecated" one still there but
warning, every replacement exists, and the NumPy table covers NumPy's own
lists of expired attributes.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mlsmells.data import api_changes
from mlsmells.data.api_changes import NumpyChange, Repl, SklearnChange, Status, Where

sklearn = pytest.importorskip("sklearn")

NUMPY = list(api_changes.NUMPY.values())
SKLEARN = list(api_changes.SKLEARN)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def _numpy_has(path: str) -> bool:
    obj: Any = np
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for part in path.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                return False
    return True


def _np_names(text: str) -> list[str]:
    """The ``np.x.y`` names a replacement text mentions (``np.asarray(a, ...)`` -> asarray)."""
    return re.findall(r"np\.([A-Za-z_][\w.]*[\w])", text)


# --------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("change", NUMPY, ids=lambda c: c.name)
def test_numpy_removed_names_are_absent(change: NumpyChange) -> None:
    assert _version(change.version) <= _version(np.__version__)
    if change.status is Status.REMOVED:
        assert not _numpy_has(change.name), f"np.{change.name} still exists"
    else:
        assert _numpy_has(change.name), f"np.{change.name} is gone: mark it removed"


#: A call of each deprecated name (the deprecation warning fires on the call).
_DEPRECATED_CALLS: dict[str, Callable[[], object]] = {
    "row_stack": lambda: np.row_stack(([1, 2], [3, 4])),  # noqa: ML301 - on purpose
    "chararray": lambda: np.chararray((1,)),  # noqa: ML301 - on purpose
}


def test_numpy_deprecated_names_warn() -> None:
    deprecated = {c.name for c in NUMPY if c.status is Status.DEPRECATED}
    assert deprecated == set(_DEPRECATED_CALLS)
    for call in _DEPRECATED_CALLS.values():
        with pytest.warns(DeprecationWarning):
            call()


@pytest.mark.parametrize("change", NUMPY, ids=lambda c: c.name)
def test_numpy_replacements_exist(change: NumpyChange) -> None:
    if change.repl is Repl.BUILTIN:
        assert hasattr(builtins, change.target)
        assert change.new == change.target
    elif change.repl is Repl.LITERAL:
        assert float(change.target) == 0.0 and change.new == change.target
    elif change.repl is Repl.CALL and change.target == "item":
        assert hasattr(np.ndarray, "item") and hasattr(np.generic, "item")
    elif change.repl is not Repl.NONE:
        assert _numpy_has(change.target), change.target
        assert change.target in change.new
    for name in _np_names(change.new):
        assert _numpy_has(name), f"np.{name} (replacement of np.{change.name}) does not exist"
    if change.repl is Repl.NONE:
        assert change.new == "" or change.new.strip()


def test_numpy_table_covers_numpys_own_lists() -> None:
    from numpy import _expired_attrs_2_0

    expired = set(_expired_attrs_2_0.__expired_attributes__)
    former = set(np.__former_attrs__)  # type: ignore[attr-defined]
    for name in expired:
        assert name in api_changes.NUMPY, f"np.{name} (expired in 2.0) is missing"
        assert api_changes.NUMPY[name].version == "2.0"
    for name in former:
        assert name in api_changes.NUMPY, f"np.{name} (removed in 1.24) is missing"
        assert api_changes.NUMPY[name].version == "1.24"


def test_numpy_reintroduced_names_exist_and_are_not_in_the_table() -> None:
    for name in api_changes.NUMPY_REINTRODUCED:
        assert _numpy_has(name)
        assert name not in api_changes.NUMPY


def test_numpy_removed_names_are_not_in_the_current_namespace() -> None:
    """A fixed file never uses a name the table itself calls removed."""
    for change in NUMPY:
        if change.repl in (Repl.ATTR, Repl.NEGATED, Repl.NUMPY2):
            assert change.target.split(".")[0] not in api_changes.NUMPY


# -------------------------------------------------------------- scikit-learn


def _resolve(qualname: str) -> Any:
    """The object ``qualname`` names, importing modules along the way; raises if absent."""
    parts = qualname.split(".")
    for end in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        for attr in parts[end:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)


def _sk_has(qualname: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _resolve(qualname)
        except (ImportError, AttributeError):
            return False
    return True


def _is_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][\w.]*", text) is not None


def _id(change: SklearnChange) -> str:
    return f"{change.where.value}-{change.old}-{change.version}"


@pytest.mark.parametrize("change", SKLEARN, ids=_id)
def test_sklearn_change_applies_to_the_installed_version(change: SklearnChange) -> None:
    assert _version(change.version) <= _version(sklearn.__version__)
    if change.safe:
        assert change.replacement, "a safe change says what it writes"


@pytest.mark.parametrize(
    "change", [c for c in SKLEARN if c.where in (Where.MODULE, Where.NAME)], ids=_id
)
def test_sklearn_removed_modules_and_names_are_absent(change: SklearnChange) -> None:
    assert not _sk_has(change.old), f"{change.old} still exists"
    if _is_name(change.new):
        module = change.old.rpartition(".")[0]
        candidates = [change.new, f"{module}.{change.new}"]
        assert any(_sk_has(c) for c in candidates), f"{change.new} does not exist"
    else:
        assert not change.safe, "a phrase is no mechanical replacement"


def _parameters(qualname: str) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(_resolve(qualname)).parameters)


@pytest.mark.parametrize("change", [c for c in SKLEARN if c.where is Where.KEYWORD], ids=_id)
def test_sklearn_removed_keywords_are_absent(change: SklearnChange) -> None:
    assert change.callables
    for qualname in change.callables:
        params = _parameters(qualname)
        assert change.old not in params, f"{qualname} still takes {change.old}="
        if not change.safe:
            continue
        if change.old == "squared":
            assert _sk_has(f"sklearn.metrics.{change.new}")
        else:
            assert change.new in params, f"{qualname} has no {change.new}="


@pytest.mark.parametrize("change", [c for c in SKLEARN if c.where is Where.VALUE], ids=_id)
def test_sklearn_removed_values_are_rejected(change: SklearnChange) -> None:
    from sklearn.utils._param_validation import InvalidParameterError

    for qualname in change.callables:
        cls = _resolve(qualname)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(InvalidParameterError):
                cls(**{change.keyword: change.old})._validate_params()
            if change.safe:  # a literal from the table: "\"sqrt\"", "1.0", "None"
                cls(**{change.keyword: eval(change.new)})._validate_params()


_FEATURE_NAMERS = (
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.DictVectorizer",
    "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.PolynomialFeatures",
    "sklearn.preprocessing.StandardScaler",
)


def test_sklearn_removed_methods_are_absent() -> None:
    methods = [c for c in SKLEARN if c.where is Where.METHOD]
    assert methods
    for change in methods:
        for qualname in _FEATURE_NAMERS:
            instance = _resolve(qualname)()
            assert not hasattr(instance, change.old), f"{qualname}.{change.old} exists"
            assert hasattr(instance, change.new)


def test_sklearn_lookup_tables_hold_every_entry() -> None:
    keyed = (
        len(api_changes.SKLEARN_NAMES)
        + len({id(c) for c in api_changes.SKLEARN_KEYWORDS.values()})
        + len({id(c) for c in api_changes.SKLEARN_VALUES.values()})
        + len(api_changes.SKLEARN_METHODS)
        + len({id(c) for c in api_changes.SKLEARN_ATTRIBUTES.values()})
    )
    assert keyed == len(SKLEARN)


def test_sklearn_removed_fitted_attributes_are_absent() -> None:
    import numpy as np

    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20) % 2
    changes = [c for c in SKLEARN if c.where is Where.ATTRIBUTE]
    assert changes
    for change in changes:
        for qualname in change.callables:
            if not _sk_has(qualname):
                continue  # sklearn.grid_search: the module itself is gone
            cls = _resolve(qualname)
            estimator = _resolve("sklearn.linear_model.LogisticRegression")()
            if "Search" in qualname:
                grid = {"C": [0.1, 1.0]}
                fitted = cls(estimator, grid, cv=2) if "Grid" in qualname else cls(
                    estimator, grid, n_iter=2, cv=2, random_state=0
                )
            else:
                fitted = cls(estimator, cv=2)
            fitted.fit(X, y)
            assert not hasattr(fitted, change.old), f"{qualname}.{change.old} exists"
            assert hasattr(fitted, change.new), f"{qualname} has no {change.new}"
