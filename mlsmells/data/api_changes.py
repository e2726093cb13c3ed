"""Tables of NumPy and scikit-learn APIs that were removed or renamed.

Every entry names the library version from which the old spelling no longer
works (or warns), the replacement, and how mechanical the replacement is. The
sources are the libraries' own words:

* NumPy: ``numpy/_expired_attrs_2_0.py`` (``__expired_attributes__``, the
  attributes removed in 2.0, each with its migration note) and
  ``numpy/__init__.py`` (``__former_attrs__``, the builtin aliases removed in
  1.24) of NumPy 2.x; the 1.20, 1.24, 1.25, 2.0 and 2.4 release notes for the
  functions deprecated and later removed (``product``, ``in1d``, ``trapz`` ...).
* scikit-learn: the deprecation messages of the releases that renamed a
  parameter, a value or a function (``"`base_estimator` was renamed to
  `estimator` in version 1.2 and will be removed in 1.4"`` ...) and the
  changelog entries of the releases that removed them.

Every entry also carries ``deprecated_in``, ``removed_in`` (None while the
newest release examined still has it) and ``replacement_since`` (the first
release that has the replacement; None when the replacement is not part of the
library: a builtin, another package, a phrase). They are not written here:
:func:`mlsmells.data.api_history.lifetime` reads them from the releases
themselves (``scripts/gen_api_tables.py``, see ``docs/api-tables.md``).

``tests/test_api_tables.py`` checks every entry against the installed
libraries: each removed name is really absent (each deprecated one still
warns), and each replacement exists.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass

from mlsmells.data.api_history import Lifetime, floor, lifetime


class Status(enum.Enum):
    REMOVED = "removed"
    """Absent from the library since ``version``."""
    DEPRECATED = "deprecated"
    """Still present, but warns since ``version``: it goes in a later release."""


class Repl(enum.Enum):
    """How the replacement of a NumPy name is spelled and whether it is mechanical."""

    ATTR = "attr"
    """Another attribute of the numpy module (``np.NaN`` -> ``np.nan``): a safe rename."""
    BUILTIN = "builtin"
    """A Python builtin (``np.float`` -> ``float``): a safe rename."""
    NEGATED = "negated"
    """The negation of another numpy attribute (``np.NINF`` -> ``-np.inf``): safe."""
    LITERAL = "literal"
    """A Python float literal (``np.PZERO`` -> ``0.0``): safe."""
    CALL = "call"
    """A call rewritten as a whole (``np.msort(a)`` -> ``np.sort(a, axis=0)``): safe."""
    NUMPY2 = "numpy2"
    """An attribute that exists only in recent NumPy (``replacement_since`` says from which:
    2.0 for ``np.trapezoid``, 1.25 for ``np.exceptions``): the fix is unsafe (older NumPy)."""
    NONE = "none"
    """No mechanical replacement: the message carries NumPy's migration note."""


@dataclass(frozen=True)
class NumpyChange:
    name: str
    """The attribute of the ``numpy`` module that went away."""
    version: str
    """The NumPy version from which ``np.<name>`` fails (or warns, when deprecated)."""
    status: Status
    repl: Repl
    new: str
    """The replacement, as NumPy's note spells it (``np.nan``, ``float``, ``-np.inf`` ...);
    empty when NumPy names none (the name was internal)."""
    target: str = ""
    """For ATTR/NEGATED/CALL/NUMPY2: the numpy attribute path the fix uses (``nan``,
    ``lib.array_utils.byte_bounds``); for BUILTIN the builtin's name; for LITERAL its text."""
    deprecated_in: str | None = None
    """The first NumPy release that warned (``removed_in`` when it never warned)."""
    removed_in: str | None = None
    """The first NumPy release without it (None: still there, deprecated)."""
    replacement_since: str | None = None
    """The first NumPy release that has ``target`` (None: a builtin, a literal, no
    replacement)."""

    @property
    def replacement(self) -> str:
        return self.new


def _attr(name: str, version: str, target: str) -> NumpyChange:
    return NumpyChange(name, version, Status.REMOVED, Repl.ATTR, f"np.{target}", target)


def _builtin(name: str, target: str) -> NumpyChange:
    return NumpyChange(name, "1.24", Status.REMOVED, Repl.BUILTIN, target, target)


def _none(name: str, version: str, note: str) -> NumpyChange:
    return NumpyChange(name, version, Status.REMOVED, Repl.NONE, note)


_NUMPY_CHANGES: tuple[NumpyChange, ...] = (
    # NumPy 1.24 (deprecated in 1.20): aliases of Python builtins (``__former_attrs__``).
    _builtin("float", "float"),
    _builtin("int", "int"),
    _builtin("complex", "complex"),
    _builtin("object", "object"),
    _builtin("str", "str"),
    _builtin("unicode", "str"),
    # NumPy 2.0: ``__expired_attributes__`` with a mechanical replacement.
    _attr("NaN", "2.0", "nan"),
    _attr("Inf", "2.0", "inf"),
    _attr("Infinity", "2.0", "inf"),
    _attr("infty", "2.0", "inf"),
    _attr("PINF", "2.0", "inf"),
    NumpyChange("NINF", "2.0", Status.REMOVED, Repl.NEGATED, "-np.inf", "inf"),
    NumpyChange("PZERO", "2.0", Status.REMOVED, Repl.LITERAL, "0.0", "0.0"),
    NumpyChange("NZERO", "2.0", Status.REMOVED, Repl.LITERAL, "-0.0", "-0.0"),
    _attr("float_", "2.0", "float64"),
    _attr("complex_", "2.0", "complex128"),
    _attr("cfloat", "2.0", "complex128"),
    _attr("singlecomplex", "2.0", "complex64"),
    _attr("longfloat", "2.0", "longdouble"),
    _attr("longcomplex", "2.0", "clongdouble"),
    _attr("clongfloat", "2.0", "clongdouble"),
    _attr("string_", "2.0", "bytes_"),
    _attr("unicode_", "2.0", "str_"),
    _attr("round_", "2.0", "round"),
    _attr("mat", "2.0", "asmatrix"),
    _attr("alltrue", "2.0", "all"),
    _attr("sometrue", "2.0", "any"),
    _attr("compare_chararrays", "2.0", "char.compare_chararrays"),
    _attr("format_parser", "2.0", "rec.format_parser"),
    NumpyChange(
        "asfarray", "2.0", Status.REMOVED, Repl.CALL, "np.asarray(a, dtype=np.float64)", "asarray"
    ),
    NumpyChange(
        "byte_bounds",
        "2.0",
        Status.REMOVED,
        Repl.NUMPY2,
        "np.lib.array_utils.byte_bounds",
        "lib.array_utils.byte_bounds",
    ),
    # NumPy 2.0: ``__expired_attributes__`` without a mechanical replacement.
    _none("cast", "2.0", "`np.asarray(arr, dtype=dtype)`"),
    # ``np.issubclass_`` returned False where the builtin raises (a non-class argument).
    _none("issubclass_", "2.0", "the builtin `issubclass` (it raises on a non-class)"),
    _none("find_common_type", "2.0", "`np.promote_types` or `np.result_type`"),
    _none("safe_eval", "2.0", "`ast.literal_eval`"),
    _none("who", "2.0", "an IDE variable explorer or `locals()`"),
    _none("lookfor", "2.0", "a search of NumPy's documentation"),
    _none("source", "2.0", "`inspect.getsource`"),
    _none("fastCopyAndTranspose", "2.0", "`arr.T.copy()`"),
    _none("geterrobj", "2.0", "the `np.errstate` context manager"),
    _none("seterrobj", "2.0", "the `np.errstate` context manager"),
    _none("issctype", "2.0", "`issubclass(rep, np.generic)`"),
    _none("obj2sctype", "2.0", "`np.dtype(obj).type`"),
    _none("sctype2char", "2.0", "`np.dtype(obj).char`"),
    _none("sctypes", "2.0", "explicit dtypes"),
    _none("maximum_sctype", "2.0", "an explicit dtype such as `np.int64` or `np.float64`"),
    _none("issubsctype", "2.0", "`np.issubdtype`"),
    _none("set_string_function", "2.0", "`np.set_printoptions` with a formatter"),
    _none("recfromcsv", "2.0", "`np.genfromtxt` with `delimiter=\",\"`"),
    _none("recfromtxt", "2.0", "`np.genfromtxt`"),
    _none("deprecate", "2.0", "`warnings.warn(..., DeprecationWarning)`"),
    _none("deprecate_with_doc", "2.0", "`warnings.warn(..., DeprecationWarning)`"),
    _none("nbytes", "2.0", "`np.dtype(<dtype>).itemsize`"),
    _none("DataSource", "2.0", "`np.lib.npyio.DataSource`"),
    _none("add_newdoc", "2.0", "`np.lib.add_newdoc`"),
    _none("add_docstring", "2.0", "`np.lib.add_docstring`"),
    _none("tracemalloc_domain", "2.0", "`np.lib.tracemalloc_domain`"),
    _none("set_numeric_ops", "2.0", "`__array_ufunc__` on an ndarray subclass"),
    _none("get_array_wrap", "2.0", ""),
    _none("add_newdoc_ufunc", "2.0", ""),
    # NumPy 2.0 (deprecated in 1.25): functions with a ``*product``/``*true`` spelling.
    _attr("product", "2.0", "prod"),
    _attr("cumproduct", "2.0", "cumprod"),
    # NumPy 2.0 (deprecated in 1.24): ``msort`` and the ``0``/``8``-suffixed scalar aliases.
    NumpyChange("msort", "2.0", Status.REMOVED, Repl.CALL, "np.sort(a, axis=0)", "sort"),
    _attr("int0", "2.0", "intp"),
    _attr("uint0", "2.0", "uintp"),
    _attr("bool8", "2.0", "bool_"),
    _attr("object0", "2.0", "object_"),
    _attr("str0", "2.0", "str_"),
    _attr("bytes0", "2.0", "bytes_"),
    _attr("void0", "2.0", "void"),
    # NumPy 1.23 (deprecated in 1.16).
    NumpyChange("asscalar", "1.23", Status.REMOVED, Repl.CALL, "a.item()", "item"),
    # NumPy 2.4 (deprecated in 2.0).
    NumpyChange("in1d", "2.4", Status.REMOVED, Repl.CALL, "np.isin(a, b).ravel()", "isin"),
    NumpyChange("trapz", "2.4", Status.REMOVED, Repl.NUMPY2, "np.trapezoid", "trapezoid"),
    # NumPy 2.0: removed without an entry in ``__expired_attributes__``.
    _attr("NAN", "2.0", "nan"),
    _none("disp", "2.0", "a print function of your own"),
    # NumPy 2.0: the exceptions and warnings live in ``np.exceptions`` (NumPy 1.25+;
    # ``RankWarning`` 2.0+), so the fix is unsafe for projects supporting older NumPy.
    *(
        NumpyChange(name, "2.0", Status.REMOVED, Repl.NUMPY2, f"np.exceptions.{name}",
                    f"exceptions.{name}")
        for name in (
            "AxisError", "ComplexWarning", "VisibleDeprecationWarning",
            "ModuleDeprecationWarning", "TooHardError", "DTypePromotionError", "RankWarning",
        )
    ),
    # NumPy 2.3 (deprecated in 1.26): the Python 2 compatibility module.
    _none("compat", "2.3", "nothing: it held Python 2 compatibility helpers"),
    # NumPy 2.0: deprecated, still present.
    NumpyChange("row_stack", "2.0", Status.DEPRECATED, Repl.ATTR, "np.vstack", "vstack"),
    NumpyChange(
        "chararray", "2.0", Status.DEPRECATED, Repl.ATTR, "np.char.chararray", "char.chararray"
    ),
)  # fmt: skip


def _numpy_new_probe(change: NumpyChange) -> str | None:
    if change.repl in (Repl.ATTR, Repl.NEGATED, Repl.NUMPY2):
        return f"attr:numpy.{change.target}"
    if change.repl is Repl.CALL and change.target != "item":
        return f"attr:numpy.{change.target}"
    return None  # a builtin, a literal, ``a.item()`` (every array's), or no replacement


#: NumPy's scalar types, which every release has: before 1.20 they were made at import
#: time, and the first type stubs (1.20) are where the releases can show them.
_SCALAR_TYPES = frozenset(
    {"float64", "complex128", "complex64", "longdouble", "clongdouble", "bytes_", "str_",
     "intp", "uintp", "bool_", "object_", "void"}
)  # fmt: skip


def _dated_numpy(change: NumpyChange) -> NumpyChange:
    life = lifetime("numpy", f"attr:numpy.{change.name}", _numpy_new_probe(change))
    if change.target in _SCALAR_TYPES:
        life = dataclasses.replace(life, replacement_since=floor("numpy"))
    return dataclasses.replace(change, **dataclasses.asdict(life))


_NUMPY_CHANGES = tuple(_dated_numpy(c) for c in _NUMPY_CHANGES)

#: ``numpy.<name>`` -> its change record.
NUMPY: dict[str, NumpyChange] = {c.name: c for c in _NUMPY_CHANGES}

#: Removed submodules (``import numpy.compat`` and ``from numpy.compat import ...`` fail).
NUMPY_MODULES = frozenset({"compat"})

#: Aliases removed in NumPy 1.24 and defined again in NumPy 2.0 with a new meaning
#: (``np.bool`` is now ``np.bool_``, ``np.long`` the C long), with what to write for
#: NumPy 1.24 to 1.26 too. Code using them is valid NumPy 2, so they are reported only
#: for a project that supports one of 1.24 to 1.26 (ruff's NPY001 omits them).
NUMPY_REINTRODUCED: dict[str, str] = {"bool": "`bool` (or `np.bool_`)", "long": "`int`"}
#: The releases without them.
NUMPY_GAP = ("1.24", "2.0")


# ------------------------------------------------------------------ scikit-learn


class Where(enum.Enum):
    """What part of the code a scikit-learn change is about."""

    MODULE = "module"
    """An importable module (``sklearn.cross_validation``)."""
    NAME = "name"
    """A function or class of a module (``sklearn.metrics.plot_confusion_matrix``)."""
    KEYWORD = "keyword"
    """A keyword argument of some callables (``OneHotEncoder(sparse=...)``)."""
    VALUE = "value"
    """A string value of a keyword argument (``criterion="mse"``)."""
    METHOD = "method"
    """A method of fitted transformers (``get_feature_names()``)."""
    ATTRIBUTE = "attribute"
    """A fitted attribute of the estimators in ``callables`` (``grid_scores_``)."""


@dataclass(frozen=True)
class SklearnChange:
    where: Where
    old: str
    """MODULE/NAME: the qualified name; KEYWORD/METHOD: the keyword or method name;
    VALUE: the old string value."""
    version: str
    """The scikit-learn version from which the old spelling fails."""
    new: str
    """What to use instead, as shown in the message (a name, a keyword, a value)."""
    safe: bool = False
    """The replacement is a pure rename: the fix is safe."""
    callables: tuple[str, ...] = ()
    """KEYWORD/VALUE: the qualified names of the callables the change applies to."""
    keyword: str = ""
    """VALUE: the keyword whose value changed."""
    replacement: str = ""
    """The exact replacement the fix writes (a keyword name, a value's source text, a
    qualified name), when ``safe``."""
    deprecated_in: str | None = None
    """The first scikit-learn release that warned (``removed_in`` when none did)."""
    removed_in: str | None = None
    """The first scikit-learn release without the old spelling."""
    replacement_since: str | None = None
    """The first scikit-learn release that has the replacement (None: another package,
    a phrase, or a value the releases cannot be searched for). A fix to a replacement
    newer than a project's oldest supported scikit-learn breaks it there."""


_SK = "sklearn"
_BAGGING = (f"{_SK}.ensemble.BaggingClassifier", f"{_SK}.ensemble.BaggingRegressor")
_ADABOOST = (f"{_SK}.ensemble.AdaBoostClassifier", f"{_SK}.ensemble.AdaBoostRegressor")
_CV_HELPERS = tuple(
    f"{_SK}.model_selection.{n}" for n in ("cross_validate", "cross_val_score", "cross_val_predict")
)
_NORMALIZE = tuple(
    f"{_SK}.linear_model.{n}"
    for n in (
        "LinearRegression", "Ridge", "RidgeCV", "RidgeClassifier", "RidgeClassifierCV",
        "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV", "Lars", "LarsCV", "LassoLars",
        "LassoLarsCV", "LassoLarsIC", "OrthogonalMatchingPursuit",
        "OrthogonalMatchingPursuitCV", "BayesianRidge", "ARDRegression", "MultiTaskLasso",
        "MultiTaskLassoCV", "MultiTaskElasticNet", "MultiTaskElasticNetCV",
    )
)  # fmt: skip
_TREE_REGRESSORS = (
    f"{_SK}.tree.DecisionTreeRegressor",
    f"{_SK}.tree.ExtraTreeRegressor",
    f"{_SK}.ensemble.RandomForestRegressor",
    f"{_SK}.ensemble.ExtraTreesRegressor",
)
_TREE_CLASSIFIERS = (
    f"{_SK}.tree.DecisionTreeClassifier",
    f"{_SK}.tree.ExtraTreeClassifier",
    f"{_SK}.ensemble.RandomForestClassifier",
    f"{_SK}.ensemble.ExtraTreesClassifier",
)
_GB_REGRESSOR = f"{_SK}.ensemble.GradientBoostingRegressor"
_HGB_REGRESSOR = f"{_SK}.ensemble.HistGradientBoostingRegressor"


def _module(old: str, version: str, new: str, safe: bool = False) -> SklearnChange:
    return SklearnChange(Where.MODULE, old, version, new, safe, replacement=new if safe else "")


def _name(old: str, version: str, new: str, safe: bool = False) -> SklearnChange:
    return SklearnChange(Where.NAME, old, version, new, safe, replacement=new if safe else "")


def _keyword(
    old: str, version: str, new: str, callables: tuple[str, ...], safe: bool
) -> SklearnChange:
    return SklearnChange(
        Where.KEYWORD, old, version, new, safe, callables, replacement=new if safe else ""
    )


def _value(
    keyword: str,
    old: str,
    version: str,
    new: str,
    callables: tuple[str, ...],
    safe: bool = True,
) -> SklearnChange:
    return SklearnChange(
        Where.VALUE,
        old,
        version,
        new,
        safe,
        callables,
        keyword=keyword,
        replacement=new if safe else "",
    )


def _attribute(old: str, version: str, new: str, callables: tuple[str, ...]) -> SklearnChange:
    return SklearnChange(Where.ATTRIBUTE, old, version, new, False, callables)


_SGD = tuple(
    f"{_SK}.linear_model.{n}"
    for n in (
        "SGDClassifier", "SGDRegressor", "Perceptron", "PassiveAggressiveClassifier",
        "PassiveAggressiveRegressor",
    )
)  # fmt: skip
_CLASS_WEIGHTED = (
    f"{_SK}.linear_model.LogisticRegression",
    f"{_SK}.linear_model.LogisticRegressionCV",
    f"{_SK}.linear_model.SGDClassifier",
    f"{_SK}.linear_model.RidgeClassifier",
    f"{_SK}.linear_model.Perceptron",
    f"{_SK}.svm.SVC",
    f"{_SK}.svm.LinearSVC",
    f"{_SK}.svm.NuSVC",
    *_TREE_CLASSIFIERS,
)
_SEARCHES = tuple(
    f"{_SK}.{module}.{name}"
    for module in ("model_selection", "grid_search")
    for name in ("GridSearchCV", "RandomizedSearchCV")
)


_SKLEARN_CHANGES: tuple[SklearnChange, ...] = (
    # Modules.
    _module(f"{_SK}.cross_validation", "0.20", f"{_SK}.model_selection"),
    _module(f"{_SK}.grid_search", "0.20", f"{_SK}.model_selection"),
    _module(f"{_SK}.learning_curve", "0.20", f"{_SK}.model_selection"),
    _module(f"{_SK}.lda", "0.19", f"{_SK}.discriminant_analysis"),
    _module(f"{_SK}.qda", "0.19", f"{_SK}.discriminant_analysis"),
    _module(f"{_SK}.externals.joblib", "0.23", "joblib", safe=True),
    _module(f"{_SK}.externals.six", "0.23", "six (or plain Python 3)"),
    _module(f"{_SK}.datasets.samples_generator", "0.24", f"{_SK}.datasets", safe=True),
    _module(f"{_SK}.metrics.scorer", "0.24", f"{_SK}.metrics"),
    _module(f"{_SK}.utils.testing", "0.24", "numpy.testing / pytest"),
    _module(
        f"{_SK}.feature_extraction.stop_words",
        "0.24",
        "`ENGLISH_STOP_WORDS` from `sklearn.feature_extraction.text`",
    ),
    # Functions and classes.
    _name(f"{_SK}.metrics.plot_confusion_matrix", "1.2", "ConfusionMatrixDisplay.from_estimator"),
    _name(f"{_SK}.metrics.plot_roc_curve", "1.2", "RocCurveDisplay.from_estimator"),
    _name(
        f"{_SK}.metrics.plot_precision_recall_curve",
        "1.2",
        "PrecisionRecallDisplay.from_estimator",
    ),
    _name(f"{_SK}.metrics.plot_det_curve", "1.2", "DetCurveDisplay.from_estimator"),
    _name(
        f"{_SK}.inspection.plot_partial_dependence",
        "1.2",
        "PartialDependenceDisplay.from_estimator",
    ),
    _name(f"{_SK}.datasets.load_boston", "1.2", "fetch_california_housing or fetch_openml"),
    _name(f"{_SK}.neighbors.DistanceMetric", "1.3", f"{_SK}.metrics.DistanceMetric"),
    _name(
        f"{_SK}.metrics.calinski_harabaz_score",
        "0.23",
        f"{_SK}.metrics.calinski_harabasz_score",
        safe=True,
    ),
    _name(f"{_SK}.metrics.jaccard_similarity_score", "0.23", f"{_SK}.metrics.jaccard_score"),
    _name(f"{_SK}.preprocessing.Imputer", "0.22", f"{_SK}.impute.SimpleImputer"),
    _name(f"{_SK}.mixture.GMM", "0.20", f"{_SK}.mixture.GaussianMixture"),
    _name(f"{_SK}.utils.safe_indexing", "0.24", "indexing the data directly"),
    _name(f"{_SK}.metrics.SCORERS", "1.3", f"{_SK}.metrics.get_scorer_names"),
    _name(f"{_SK}.datasets.fetch_mldata", "0.22", f"{_SK}.datasets.fetch_openml"),
    # Keywords.
    _keyword(
        "sparse", "1.4", "sparse_output", (f"{_SK}.preprocessing.OneHotEncoder",), safe=True
    ),
    _keyword(
        "base_estimator",
        "1.4",
        "estimator",
        (*_BAGGING, *_ADABOOST, f"{_SK}.calibration.CalibratedClassifierCV"),
        safe=True,
    ),
    _keyword(
        "base_estimator", "1.3", "estimator", (f"{_SK}.linear_model.RANSACRegressor",), safe=True
    ),
    _keyword(
        "base_estimator",
        "1.8",
        "estimator",
        (f"{_SK}.semi_supervised.SelfTrainingClassifier",),
        safe=True,
    ),
    _keyword(
        "affinity", "1.4", "metric", (f"{_SK}.cluster.AgglomerativeClustering",), safe=True
    ),
    _keyword("n_iter", "1.7", "max_iter", (f"{_SK}.manifold.TSNE",), safe=True),
    _keyword("fit_params", "1.6", "params", _CV_HELPERS, safe=True),
    _keyword(
        "squared",
        "1.6",
        "root_mean_squared_error",
        (f"{_SK}.metrics.mean_squared_error",),
        safe=True,
    ),
    _keyword(
        "squared",
        "1.6",
        "root_mean_squared_log_error",
        (f"{_SK}.metrics.mean_squared_log_error",),
        safe=True,
    ),
    _keyword("needs_proba", "1.6", "response_method", (f"{_SK}.metrics.make_scorer",), safe=True),
    _keyword(
        "needs_threshold", "1.6", "response_method", (f"{_SK}.metrics.make_scorer",), safe=True
    ),
    _keyword(
        "normalize",
        "1.2",
        "a StandardScaler in a Pipeline",
        _NORMALIZE,
        safe=False,
    ),
    _keyword(
        "algorithm",
        "1.8",
        'nothing (`"SAMME"` is the only algorithm; `"SAMME.R"` was removed in 1.6)',
        (f"{_SK}.ensemble.AdaBoostClassifier",),
        safe=False,
    ),
    _keyword(
        "multi_class",
        "1.8",
        "the multinomial default, or OneVsRestClassifier",
        (f"{_SK}.linear_model.LogisticRegression",),
        safe=False,
    ),
    _keyword(
        "n_topics",
        "0.21",
        "n_components",
        (f"{_SK}.decomposition.LatentDirichletAllocation",),
        safe=True,
    ),
    _keyword(
        "alpha",
        "1.2",
        "`alpha_W=` (and `alpha_H=`, which defaults to it)",
        (f"{_SK}.decomposition.NMF",),
        safe=False,
    ),
    _keyword(
        "verbose",
        "1.3",
        "nothing (it had no effect)",
        (f"{_SK}.impute.SimpleImputer",),
        safe=False,
    ),
    _keyword(
        "n_iter",
        "0.21",
        "`max_iter=` with `tol=None` (the same number of epochs)",
        _SGD,
        safe=False,
    ),
    # Values.
    _value("criterion", "mse", "1.2", '"squared_error"', (*_TREE_REGRESSORS, _GB_REGRESSOR)),
    _value("criterion", "mae", "1.2", '"absolute_error"', _TREE_REGRESSORS),
    _value("loss", "ls", "1.2", '"squared_error"', (_GB_REGRESSOR,)),
    _value("loss", "lad", "1.2", '"absolute_error"', (_GB_REGRESSOR,)),
    _value("loss", "least_squares", "1.2", '"squared_error"', (_HGB_REGRESSOR,)),
    _value("loss", "least_absolute_deviation", "1.2", '"absolute_error"', (_HGB_REGRESSOR,)),
    _value(
        "loss", "squared_loss", "1.2", '"squared_error"', (f"{_SK}.linear_model.SGDRegressor",)
    ),
    _value(
        "loss", "deviance", "1.3", '"log_loss"', (f"{_SK}.ensemble.GradientBoostingClassifier",)
    ),
    _value("loss", "log", "1.3", '"log_loss"', (f"{_SK}.linear_model.SGDClassifier",)),
    _value("max_features", "auto", "1.3", '"sqrt"', _TREE_CLASSIFIERS),
    _value("max_features", "auto", "1.3", "1.0", _TREE_REGRESSORS),
    _value("penalty", "none", "1.4", "None", (f"{_SK}.linear_model.LogisticRegression",)),
    _value(
        "cv",
        "prefit",
        "1.8",
        "the fitted estimator wrapped in `FrozenEstimator` (`sklearn.frozen`) and the default "
        "`cv`",
        (f"{_SK}.calibration.CalibratedClassifierCV",),
        safe=False,
    ),
    _value(
        "class_weight",
        "auto",
        "0.19",
        '`"balanced"` (weights normalised differently)',
        _CLASS_WEIGHTED,
        safe=False,
    ),
    # Methods of fitted transformers.
    SklearnChange(
        Where.METHOD,
        "get_feature_names",
        "1.2",
        "get_feature_names_out",
        True,
        replacement="get_feature_names_out",
    ),
    # Fitted attributes.
    _attribute("grid_scores_", "0.20", "cv_results_", _SEARCHES),
    _attribute("grid_scores_", "1.2", "cv_results_", (f"{_SK}.feature_selection.RFECV",)),
)

_NAME = re.compile(r"[A-Za-z_][\w.]*")


def _sklearn_probes(change: SklearnChange) -> tuple[str, str | None, str | None]:
    """(old, replacement, where it warns) as probes of ``mlsmells.data.api_history``."""
    owner = change.callables[0] if change.callables else ""
    if change.where is Where.MODULE:
        new = f"mod:{change.new}" if change.new.startswith(_SK) else None
        return f"mod:{change.old}", new, None
    if change.where is Where.NAME:
        module = change.old.rpartition(".")[0]
        if not _NAME.fullmatch(change.new):
            return f"attr:{change.old}", None, None
        new = change.new if change.new.startswith(_SK) else f"{module}.{change.new}"
        return f"attr:{change.old}", f"attr:{new}", None
    if change.where is Where.KEYWORD:
        old = f"param:{owner}:{change.old}"
        if not change.safe:
            return old, None, None
        if change.old == "squared":
            return old, f"attr:{_SK}.metrics.{change.new}", None
        return old, f"param:{owner}:{change.new}", None
    if change.where is Where.VALUE:
        old = f"value:{owner}:{change.keyword}={change.old}"
        new_value = change.new.strip('"')
        new = f"value:{owner}:{change.keyword}={new_value}" if change.new.startswith('"') else None
        return old, new, None
    if change.where is Where.ATTRIBUTE:
        classes = "|".join(_ATTRIBUTE_CLASSES[owner])
        return f"fitted:{classes}:{change.old}", f"fitted:{classes}:{change.new}", None
    classes = "CountVectorizer|_VectorizerMixin"
    return f"member:{classes}:{change.old}", f"member:{classes}:{change.new}", None


#: The classes where the releases find a fitted attribute (set in ``fit`` of a base).
_ATTRIBUTE_CLASSES = {
    f"{_SK}.model_selection.GridSearchCV": ("BaseSearchCV", "GridSearchCV"),
    f"{_SK}.feature_selection.RFECV": ("RFECV",),
}

#: Values the releases cannot be searched for (``"auto"`` stays a literal of the module
#: for other parameters): the removal the changelog gives (1.3: "max_features='auto'
#: removed from the tree-based models").
_DOCUMENTED_REMOVAL = {("max_features", "auto"): "1.3"}
#: Values whose whole life is older or elsewhere than the releases can show: 0.17
#: deprecated ``class_weight="auto"`` (in ``sklearn.utils.class_weight``, not the
#: estimators' modules, which spell ``"auto"`` for other parameters), 0.19 removed it.
_DOCUMENTED_LIFE = {("class_weight", "auto"): Lifetime("0.17", "0.19", None)}


#: Deprecations whose warning the releases cannot show (raised by a shared validation
#: helper or on import by a test-aware function): (old, first callable or module) -> the
#: version of the release notes.
_DOCUMENTED_DEPRECATION = {
    ("n_iter", f"{_SK}.linear_model.SGDClassifier"): "0.19",
    ("grid_scores_", f"{_SK}.feature_selection.RFECV"): "1.0",
    (f"{_SK}.feature_extraction.stop_words", ""): "0.22",
}


def _dated_sklearn(change: SklearnChange) -> SklearnChange:
    documented = _DOCUMENTED_LIFE.get((change.keyword, change.old))
    if documented is not None:
        return dataclasses.replace(change, **dataclasses.asdict(documented))
    old, new, warns = _sklearn_probes(change)
    owner = change.callables[0] if change.callables else ""
    stated = _DOCUMENTED_DEPRECATION.get((change.old, owner))
    life = lifetime("sklearn", old, new, warns=warns, documented=stated)
    removed = _DOCUMENTED_REMOVAL.get((change.keyword, change.old))
    if removed is not None:
        life = dataclasses.replace(life, removed_in=removed)
    return dataclasses.replace(change, **dataclasses.asdict(life))


SKLEARN: tuple[SklearnChange, ...] = tuple(_dated_sklearn(c) for c in _SKLEARN_CHANGES)

#: Removed modules and names by qualified name.
SKLEARN_NAMES: dict[str, SklearnChange] = {
    c.old: c for c in SKLEARN if c.where in (Where.MODULE, Where.NAME)
}

#: (callable qualname, keyword) -> change.
SKLEARN_KEYWORDS: dict[tuple[str, str], SklearnChange] = {
    (q, c.old): c for c in SKLEARN if c.where is Where.KEYWORD for q in c.callables
}

#: (callable qualname, keyword, old value) -> change.
SKLEARN_VALUES: dict[tuple[str, str, str], SklearnChange] = {
    (q, c.keyword, c.old): c for c in SKLEARN if c.where is Where.VALUE for q in c.callables
}

#: method name -> change.
SKLEARN_METHODS: dict[str, SklearnChange] = {
    c.old: c for c in SKLEARN if c.where is Where.METHOD
}

#: (estimator qualname, fitted attribute) -> change.
SKLEARN_ATTRIBUTES: dict[tuple[str, str], SklearnChange] = {
    (q, c.old): c for c in SKLEARN if c.where is Where.ATTRIBUTE for q in c.callables
}
