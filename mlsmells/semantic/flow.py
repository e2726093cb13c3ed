"""Scope-level data flow: which names hold data derived from which data, in source order.

The leakage rules (ML001-ML005) need to know, inside one module, function or
method, that ``X_s`` holds the output of a scaler fit on ``X``, that
``X_train`` and ``X_test`` are the two sides of one split of ``X_s``, and that
``model.score(X_train, y_train)`` scores a model on the very values it was fit
on. This module computes that, driven statement by statement by the engine's
single walk (:class:`FlowTracker`), and hands each finished scope to the rules
as a :class:`ScopeFlow`: the values its names held, and the events that
happened to them (fits, transforms, splits and cross-validation, evaluations).

Abstraction, in short (``docs/flow.md`` has the long form):

* A :class:`Value` is what a name holds: *rows* (where its rows come from, as
  paths ``root -> (split, part) -> ...``; two values share rows when one path
  is a prefix of the other), *taints* (statistics learned from rows that were
  baked into it, each remembering the call that learned them and from which
  rows), taints of single named columns, and a few markers (a pending
  statistic such as ``df.mean()``, the train or test index array of a CV split,
  the items of a tuple, predictions of a model).
* An :class:`Obj` is a scikit-learn (imbalanced-learn, Keras preprocessing)
  object: its class, its role (stateful preprocessor, encoder, feature
  selector, resampler, splitter, search, model ...) and its fit history.
* Updates inside ``if``/loop/``except`` bodies are weak (the new value is
  joined with the old one); everything else is a strong update in source
  order. Calls of same-file functions are followed one level deep through a
  summary (parameters -> return value, and the splits/cross-validation the
  function performs on its parameters).

Nothing here decides what is a finding: that is :mod:`mlsmells.rules.leakage`.
"""

from __future__ import annotations

import ast
import enum
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import Scope, ScopeType, SemanticModel

# ----------------------------------------------------------------------- rows

#: One step of a row path: ``(root id, ROOT)`` first, then ``(split id, part)``.
Step = tuple[int, int]
#: Where a value's rows come from: a root, then the sides of the splits taken.
RowPath = tuple[Step, ...]
ROOT = -1
TRAIN_PART = 0
TEST_PART = 1


def paths_overlap(a: RowPath, b: RowPath) -> bool:
    """Whether two row paths can share rows (one is a prefix of the other)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def rows_overlap(a: Iterable[RowPath], b: Iterable[RowPath]) -> bool:
    b = tuple(b)
    return any(paths_overlap(p, q) for p in a for q in b)


# --------------------------------------------------------------------- taints


class TaintKind(enum.Enum):
    PREPROCESS = "preprocess"
    """A stateful transformer learned statistics from the rows (scaler, imputer, PCA ...)."""
    STATISTIC = "statistic"
    """A pandas/NumPy statistic over the rows was used to transform the data."""
    SELECT = "select"
    """Features were chosen with the help of the target."""
    RESAMPLE = "resample"
    """Rows were duplicated or synthesised from neighbours (oversampling)."""


@dataclass(frozen=True, eq=False)
class Taint:
    """Statistics learned from ``rows`` by the call ``node``, baked into a value."""

    kind: TaintKind
    node: ast.Call
    source: str
    """What learned: a qualified class name or the statistic's method name."""
    rows: frozenset[RowPath]
    encoder: bool = False
    """Learned by a categorical encoder (only the categories: harmless on the target)."""


# --------------------------------------------------------------------- values


@dataclass(frozen=True, eq=False)
class Prediction:
    """Predictions of ``obj`` on ``data``."""

    obj: Obj
    data: Value


@dataclass(frozen=True, eq=False)
class Value:
    """What a name (or an expression) holds. Identity matters: one binding, one object."""

    rows: frozenset[RowPath] = frozenset()
    taints: frozenset[Taint] = frozenset()
    columns: tuple[tuple[str, frozenset[Taint]], ...] = ()
    """Taints of single columns, by literal column label."""
    pending: frozenset[Taint] = frozenset()
    """Statistics (``df.mean()``) not yet applied to data: they taint what they transform."""
    fold: Step | None = None
    """An index array that selects one part of a split (``train_idx`` of ``kf.split``)."""
    folds: int | None = None
    """An iterator of (train, test) index pairs of the split with this id."""
    items: tuple[Abstract, ...] | None = None
    """The elements of a tuple or list of known length."""
    labels: tuple[str, ...] | None = None
    """Literal column labels (a string or a list of strings)."""
    prediction: Prediction | None = None

    def all_taints(self) -> frozenset[Taint]:
        found = set(self.taints)
        for _, taints in self.columns:
            found.update(taints)
        return frozenset(found)

    def column_taints(self, label: str) -> frozenset[Taint]:
        for name, taints in self.columns:
            if name == label:
                return taints
        return frozenset()

    @property
    def is_data(self) -> bool:
        return bool(self.rows)


EMPTY = Value()


class Role(enum.Enum):
    PREPROCESS = "preprocess"
    ENCODER = "encoder"
    SELECTOR = "selector"
    CLUSTER = "cluster"
    OVERSAMPLER = "oversampler"
    UNDERSAMPLER = "undersampler"
    SPLITTER = "splitter"
    SEARCH = "search"
    MODEL = "model"
    STATELESS = "stateless"
    UNKNOWN = "unknown"

    @property
    def learns(self) -> bool:
        """Whether fitting it learns statistics that its outputs carry."""
        return self in _LEARNING_ROLES


_LEARNING_ROLES = frozenset({Role.PREPROCESS, Role.ENCODER, Role.SELECTOR, Role.CLUSTER})


@dataclass(frozen=True, eq=False)
class Fit:
    """One ``fit``/``fit_transform``/... of an object."""

    node: ast.Call
    method: str
    x: Value
    y: Value | None
    taint: Taint | None
    arg_name: str | None
    """The data argument when it is a plain name (``X_train``)."""


@dataclass(eq=False)
class Obj:
    """A scikit-learn-like object the scope created."""

    qualname: str
    role: Role
    node: ast.expr
    name: str | None = None
    fits: list[Fit] = field(default_factory=list)

    @property
    def last_fit(self) -> Fit | None:
        return self.fits[-1] if self.fits else None

    @property
    def short(self) -> str:
        return self.qualname.rpartition(".")[2]


Abstract: TypeAlias = Value | Obj


# --------------------------------------------------------------------- events


class ArgRole(enum.Enum):
    FEATURES = "features"
    TARGET = "target"
    """The target of cross-validation, or an array after the first of ``train_test_split``."""
    WHOLE = "whole"
    """A single array handed to a split: features and target together."""


class SinkKind(enum.Enum):
    SPLIT = "split"
    """train_test_split: train and test parts."""
    FOLDS = "folds"
    """A CV splitter's ``split``: folds."""
    CROSS_VALIDATION = "cv"
    """cross_val_score & co, a search's ``fit``."""


@dataclass(frozen=True, eq=False)
class Split:
    id: int
    node: ast.Call
    label: str
    kind: SinkKind


@dataclass(frozen=True, eq=False)
class Sink:
    """Data handed to a split or to cross-validation."""

    node: ast.Call
    label: str
    kind: SinkKind
    args: tuple[tuple[ArgRole, Value], ...]


@dataclass(frozen=True, eq=False)
class TransformUse:
    """``obj.transform(value)`` (or another method applying a fitted object)."""

    node: ast.Call
    obj: Obj
    fit: Fit
    value: Value


@dataclass(frozen=True, eq=False)
class Evaluation:
    """``obj`` scored on ``x`` against ``y`` (``score``, a metric of its predictions)."""

    node: ast.Call
    obj: Obj
    fit: Fit | None
    x: Value
    y: Value


@dataclass(eq=False)
class ScopeFlow:
    """The data flow of one module, function, method or class body."""

    scope: Scope
    env: dict[str, Abstract] = field(default_factory=dict)
    sinks: list[Sink] = field(default_factory=list)
    fits: list[tuple[Obj, Fit]] = field(default_factory=list)
    transforms: list[TransformUse] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    predictions: list[tuple[Obj, Value]] = field(default_factory=list)
    """``obj.predict(value)`` and friends, evaluated or not."""
    other_use: set[Obj] = field(default_factory=set)
    """Objects evaluated elsewhere or escaping the scope (passed on, stored, returned)."""
    returns: list[Abstract] = field(default_factory=list)
    param_roots: dict[str, int] = field(default_factory=dict)

    def value(self, name: str) -> Abstract | None:
        """What ``name`` held at the end of the scope."""
        return self.env.get(name)


@dataclass(frozen=True)
class Summary:
    """What a same-file function does with its parameters, for its callers."""

    params: tuple[str, ...]
    roots: dict[str, int]
    result: Abstract | None
    sinks: tuple[Sink, ...]


# ---------------------------------------------------------------- the tables

_SK_PREPROCESS = frozenset(
    {
        "sklearn.preprocessing.StandardScaler",
        "sklearn.preprocessing.MinMaxScaler",
        "sklearn.preprocessing.MaxAbsScaler",
        "sklearn.preprocessing.RobustScaler",
        "sklearn.preprocessing.QuantileTransformer",
        "sklearn.preprocessing.PowerTransformer",
        "sklearn.preprocessing.KBinsDiscretizer",
        "sklearn.preprocessing.SplineTransformer",
        "sklearn.preprocessing.KernelCenterer",
        "sklearn.preprocessing.TargetEncoder",
        "sklearn.impute.SimpleImputer",
        "sklearn.impute.IterativeImputer",
        "sklearn.impute.KNNImputer",
        "sklearn.feature_selection.VarianceThreshold",
        "sklearn.feature_extraction.text.CountVectorizer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.neighbors.NeighborhoodComponentsAnalysis",
        "sklearn.neighbors.KNeighborsTransformer",
        "sklearn.neighbors.RadiusNeighborsTransformer",
        "sklearn.neural_network.BernoulliRBM",
        "sklearn.ensemble.RandomTreesEmbedding",
        "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
    }
)
#: Every public class of these packages learns from the rows it is fit on.
_SK_PREPROCESS_PACKAGES = (
    "sklearn.decomposition.",
    "sklearn.manifold.",
    "sklearn.cross_decomposition.",
)
_SK_NOT_LEARNING = frozenset({"sklearn.decomposition.SparseCoder"})
_SK_CLUSTER_PACKAGES = ("sklearn.cluster.", "sklearn.mixture.")
_SK_ENCODERS = frozenset(
    {
        "sklearn.preprocessing.OneHotEncoder",
        "sklearn.preprocessing.OrdinalEncoder",
        "sklearn.preprocessing.LabelEncoder",
        "sklearn.preprocessing.LabelBinarizer",
        "sklearn.preprocessing.MultiLabelBinarizer",
        "sklearn.feature_extraction.DictVectorizer",
    }
)
_SK_SELECTORS = frozenset(
    {
        "sklearn.feature_selection.SelectKBest",
        "sklearn.feature_selection.SelectPercentile",
        "sklearn.feature_selection.SelectFpr",
        "sklearn.feature_selection.SelectFdr",
        "sklearn.feature_selection.SelectFwe",
        "sklearn.feature_selection.GenericUnivariateSelect",
        "sklearn.feature_selection.RFE",
        "sklearn.feature_selection.RFECV",
        "sklearn.feature_selection.SelectFromModel",
        "sklearn.feature_selection.SequentialFeatureSelector",
    }
)
#: Univariate scores of features against the target.
_SK_SELECTION_SCORES = frozenset(
    {
        "sklearn.feature_selection.mutual_info_classif",
        "sklearn.feature_selection.mutual_info_regression",
        "sklearn.feature_selection.chi2",
        "sklearn.feature_selection.f_classif",
        "sklearn.feature_selection.f_regression",
        "sklearn.feature_selection.r_regression",
    }
)
#: Functions that scale with statistics of all the rows they get.
_SK_SCALING_FUNCTIONS = frozenset(
    {
        "sklearn.preprocessing.scale",
        "sklearn.preprocessing.minmax_scale",
        "sklearn.preprocessing.maxabs_scale",
        "sklearn.preprocessing.robust_scale",
        "sklearn.preprocessing.quantile_transform",
        "sklearn.preprocessing.power_transform",
    }
)
_SK_SEARCHES = frozenset(
    {
        "sklearn.model_selection.GridSearchCV",
        "sklearn.model_selection.RandomizedSearchCV",
        "sklearn.model_selection.HalvingGridSearchCV",
        "sklearn.model_selection.HalvingRandomSearchCV",
    }
)
_PIPELINES = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.make_pipeline",
        "imblearn.pipeline.Pipeline",
        "imblearn.pipeline.make_pipeline",
    }
)
#: Combinators of transformers: (qualname, where the transformer sits in a tuple element).
_UNIONS: dict[str, int | None] = {
    "sklearn.compose.ColumnTransformer": 1,
    "sklearn.compose.make_column_transformer": 0,
    "sklearn.pipeline.FeatureUnion": 1,
    "sklearn.pipeline.make_union": None,
}
_OVERSAMPLER_PACKAGES = ("imblearn.over_sampling.", "imblearn.combine.")
_UNDERSAMPLER_PACKAGES = ("imblearn.under_sampling.",)
_IMBLEARN_MODEL_PACKAGES = ("imblearn.ensemble.",)
_KERAS_PREFIXES = ("keras.", "tensorflow.keras.", "tf_keras.", "tensorflow.python.keras.")
_KERAS_LEARNING = frozenset(
    {"Tokenizer", "TextVectorization", "Normalization", "StringLookup", "IntegerLookup",
     "Discretization"}
)  # fmt: skip
#: Well-known scikit-learn-compatible models outside scikit-learn.
_THIRD_PARTY_MODELS = frozenset(
    {
        "xgboost.XGBClassifier",
        "xgboost.XGBRegressor",
        "xgboost.XGBRFClassifier",
        "xgboost.XGBRFRegressor",
        "lightgbm.LGBMClassifier",
        "lightgbm.LGBMRegressor",
        "catboost.CatBoostClassifier",
        "catboost.CatBoostRegressor",
    }
)
_TRAIN_TEST_SPLIT = "sklearn.model_selection.train_test_split"
#: Cross-validation helpers: qualname -> (estimator, X, y) positions.
_CV_FUNCTIONS = frozenset(
    {
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
        "sklearn.model_selection.cross_val_predict",
        "sklearn.model_selection.learning_curve",
        "sklearn.model_selection.validation_curve",
        "sklearn.model_selection.permutation_test_score",
        "sklearn.model_selection.LearningCurveDisplay.from_estimator",
        "sklearn.model_selection.ValidationCurveDisplay.from_estimator",
    }
)
_RESAMPLE_FUNCTION = "sklearn.utils.resample"
_PASS_THROUGH_FUNCTIONS = frozenset({"sklearn.utils.shuffle"})

#: pandas/NumPy reductions whose value is a statistic of the rows.
_STAT_METHODS = frozenset({"mean", "median", "std", "var", "min", "max", "quantile", "mode"})
#: NumPy statistic functions -> position of their ``axis`` parameter.
_NUMPY_STATS: dict[str, int] = {
    **{
        f"numpy.{n}": 1
        for n in (
            "mean", "median", "std", "var", "min", "max", "amin", "amax", "average",
            "nanmean", "nanmedian", "nanstd", "nanvar", "nanmin", "nanmax",
        )
    },
    **{f"numpy.{n}": 2 for n in ("percentile", "nanpercentile", "quantile", "nanquantile")},
}  # fmt: skip
#: Value attributes that are metadata, not rows.
_METADATA_ATTRIBUTES = frozenset(
    {"shape", "size", "ndim", "dtype", "dtypes", "columns", "index", "name", "empty", "nbytes"}
)
#: Value attributes that give a view of the same data.
_VIEW_ATTRIBUTES = frozenset(
    {"loc", "iloc", "at", "iat", "values", "T", "str", "dt", "cat", "array"}
)
_FIT_METHODS = frozenset({"fit", "fit_on_texts", "fit_on_sequences", "adapt"})
_FIT_TRANSFORM_METHODS = frozenset({"fit_transform", "fit_predict"})
_TRANSFORM_METHODS = frozenset(
    {"transform", "texts_to_sequences", "texts_to_matrix", "sequences_to_matrix",
     "get_support", "get_feature_names_out"}
)  # fmt: skip
_CLUSTER_TRANSFORM_METHODS = frozenset({"predict", "predict_proba"})
_PREDICT_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function"})
_RESAMPLE_METHODS = frozenset({"fit_resample", "fit_sample"})
#: Methods of lists, dicts and sets that add their arguments to the receiver.
_MUTATING_METHODS = frozenset({"append", "extend", "insert", "update", "add", "appendleft"})
#: Attributes of a search or model that hold an evaluation on other data.
_EVALUATION_ATTRIBUTES = frozenset(
    {"best_score_", "cv_results_", "oob_score_", "oob_decision_function_", "oob_prediction_",
     "scores_", "validation_scores_", "cv_values_"}
)  # fmt: skip
#: Fitted attributes of a clusterer that hold one value per training row.
_ROW_ATTRIBUTES = frozenset({"labels_", "embedding_"})
_SCALAR_BUILTINS = frozenset(
    {"len", "print", "str", "repr", "int", "float", "bool", "type", "isinstance", "issubclass",
     "hasattr", "getattr", "setattr", "id", "range", "round", "abs", "min", "max", "sum", "any",
     "all", "open", "format", "dict", "set", "frozenset", "hash", "vars", "dir", "callable",
     "input", "divmod", "pow", "ord", "chr", "hex", "bin", "oct", "super", "object",
     "delattr", "globals", "locals", "display"}
)  # fmt: skip
_PASS_THROUGH_BUILTINS = frozenset(
    {"list", "tuple", "sorted", "reversed", "iter", "next", "zip", "filter", "map"}
)
_STATEMENTS: tuple[type[ast.stmt], ...] = (
    ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.For, ast.AsyncFor,
    ast.If, ast.While, ast.With, ast.AsyncWith, ast.Assert, ast.Delete, ast.Match,
)  # fmt: skip
_CONDITIONAL = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.match_case)
_SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

#: The statement types the tracker must see, in order.
STATEMENTS = _STATEMENTS


def classify(qualname: str, kind: Kind | None) -> Role | None:
    """The role of an instance of the class ``qualname`` (``None``: not a class we track)."""
    name = qualname.rpartition(".")[2]
    if not name[:1].isupper():
        return None
    if qualname in _SK_ENCODERS:
        return Role.ENCODER
    if qualname in _SK_SELECTORS:
        return Role.SELECTOR
    if qualname in _SK_PREPROCESS:
        return Role.PREPROCESS
    if qualname in _SK_SEARCHES:
        return Role.SEARCH
    if qualname.startswith(_SK_PREPROCESS_PACKAGES):
        return Role.STATELESS if qualname in _SK_NOT_LEARNING else Role.PREPROCESS
    if qualname.startswith(_SK_CLUSTER_PACKAGES):
        return Role.CLUSTER
    if qualname.startswith(_OVERSAMPLER_PACKAGES):
        return Role.OVERSAMPLER
    if qualname.startswith(_UNDERSAMPLER_PACKAGES):
        return Role.UNDERSAMPLER
    if qualname.startswith(_IMBLEARN_MODEL_PACKAGES) or qualname in _THIRD_PARTY_MODELS:
        return Role.MODEL
    if qualname.startswith(_KERAS_PREFIXES):
        return Role.PREPROCESS if name in _KERAS_LEARNING else None
    if kind is Kind.SK_SPLITTER:
        return Role.SPLITTER
    if kind is Kind.SK_ESTIMATOR:
        return Role.MODEL
    if kind is Kind.SK_TRANSFORMER:
        return Role.STATELESS
    return None


_STRENGTH = (Role.SELECTOR, Role.PREPROCESS, Role.CLUSTER, Role.ENCODER, Role.STATELESS)


def combined_role(steps: Sequence[Obj | None], final_decides: bool) -> Role:
    """The role of a pipeline (``final_decides``) or a union of transformers."""
    if not steps:
        return Role.UNKNOWN
    if final_decides:
        final = steps[-1]
        if final is None:
            return Role.UNKNOWN
        if final.role in (Role.MODEL, Role.SEARCH):
            return Role.MODEL
    roles = {s.role for s in steps if s is not None}
    for role in _STRENGTH:
        if role in roles and (role is not Role.STATELESS or None not in steps):
            return Role.PREPROCESS if role is Role.CLUSTER else role
    return Role.UNKNOWN


def short_call(call: ast.Call) -> str:
    """``scaler.fit_transform()``: the callee as written, without arguments."""
    text = " ".join(ast.unparse(call.func).split())
    if len(text) > 60:
        text = "..." + text[-57:]
    return f"{text}()"


# ------------------------------------------------------------- value algebra


def join(values: Iterable[Value], apply_stats: bool = True) -> Value:
    """A value derived from all of ``values`` (pending statistics apply to the data)."""
    values = list(values)
    if not values:
        return EMPTY
    if len(values) == 1:
        only = values[0]
        if not (apply_stats and only.rows and only.pending):
            return derive(only)
    rows: set[RowPath] = set()
    taints: set[Taint] = set()
    pending: set[Taint] = set()
    columns: dict[str, set[Taint]] = {}
    predictions: set[int] = set()
    prediction: Prediction | None = None
    for value in values:
        rows.update(value.rows)
        taints.update(value.taints)
        pending.update(value.pending)
        for label, ts in value.columns:
            columns.setdefault(label, set()).update(ts)
        if value.prediction is not None:
            predictions.add(id(value.prediction.obj))
            prediction = value.prediction
    if apply_stats and rows and pending:
        taints.update(pending)
        pending.clear()
    return Value(
        rows=frozenset(rows),
        taints=frozenset(taints),
        columns=tuple((k, frozenset(v)) for k, v in columns.items()),
        pending=frozenset(pending),
        prediction=prediction if len(predictions) == 1 else None,
    )


def derive(value: Value) -> Value:
    """The same data without its markers (tuple items, fold indices, labels)."""
    if value.items is None and value.fold is None and value.folds is None and value.labels is None:
        return value
    return replace(value, items=None, fold=None, folds=None, labels=None)


def select_columns(value: Value, labels: tuple[str, ...] | None) -> Value:
    """``value[labels]``: the taints of the frame and of the selected columns.

    With unknown labels the column taints of encoders are left behind: an
    unknown selection is usually the feature columns, and an encoder on one
    named column is usually the target's.
    """
    taints = set(value.taints)
    if labels is None:
        for _, ts in value.columns:
            taints.update(t for t in ts if not t.encoder)
        columns: tuple[tuple[str, frozenset[Taint]], ...] = ()
    else:
        columns = tuple((k, ts) for k, ts in value.columns if k in labels)
        if len(labels) == 1:
            taints.update(value.column_taints(labels[0]))
            columns = ()
    return Value(
        rows=value.rows,
        taints=frozenset(taints),
        columns=columns,
        pending=value.pending,
        prediction=value.prediction,
    )


def drop_columns(value: Value, labels: tuple[str, ...]) -> Value:
    columns = tuple((k, ts) for k, ts in value.columns if k not in labels)
    return replace(derive(value), columns=columns)


def store_columns(frame: Value, labels: tuple[str, ...] | None, stored: Value, weak: bool) -> Value:
    """``frame[labels] = stored``: the frame afterwards."""
    learned = set(stored.all_taints())
    if frame.rows and stored.pending:
        learned.update(stored.pending)
    if labels is None:
        return replace(derive(frame), taints=frame.taints | frozenset(learned))
    columns = {k: set(ts) for k, ts in frame.columns}
    for label in labels:
        if weak:
            columns.setdefault(label, set()).update(learned)
        else:
            columns[label] = set(learned)
    return replace(
        derive(frame),
        columns=tuple((k, frozenset(v)) for k, v in columns.items() if v),
    )


def with_rows_step(value: Value, step: Step) -> Value:
    """The part of ``value`` that one side of a split selects."""
    return replace(
        derive(value), rows=frozenset(p + (step,) for p in value.rows), pending=frozenset()
    )


# -------------------------------------------------------------- the tracker


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
        _Evaluator(self, flow, _is_conditional(ancestors)).statement(node)

    def end_scope(self, scope: Scope) -> ScopeFlow | None:
        """The finished flow of ``scope`` (``None``: nothing happened in it)."""
        flow = self.flows.pop(id(scope), None)
        if flow is None:
            return None
        node = scope.node
        if scope.type is ScopeType.FUNCTION and isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            self.summaries[id(node)] = self._summary(flow, node)
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

    def _summary(self, flow: ScopeFlow, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Summary:
        args = node.args
        params = tuple(a.arg for a in args.posonlyargs + args.args)
        result: Abstract | None = None
        returns = flow.returns
        if returns and all(isinstance(r, Obj) for r in returns) and len(returns) == 1:
            result = returns[0]
        elif returns and all(isinstance(r, Value) for r in returns):
            values = [r for r in returns if isinstance(r, Value)]
            sizes = {len(v.items) if v.items is not None else -1 for v in values}
            if len(sizes) == 1 and -1 not in sizes:
                size = sizes.pop()
                items: list[Abstract] = []
                for i in range(size):
                    elements = [v.items[i] for v in values if v.items is not None]
                    if len(elements) == 1 and isinstance(elements[0], Obj):
                        items.append(elements[0])
                    else:
                        items.append(join(e for e in elements if isinstance(e, Value)))
                result = Value(items=tuple(items))
            else:
                result = join(values, apply_stats=False)
        roots = set(flow.param_roots.values())
        sinks = tuple(
            s for s in flow.sinks if any(p[0][0] in roots for _, v in s.args for p in v.rows)
        )
        return Summary(params, dict(flow.param_roots), result, sinks)


def _is_conditional(ancestors: Sequence[ast.AST]) -> bool:
    for node in reversed(ancestors):
        if isinstance(node, _SCOPE_NODES):
            return False
        if isinstance(node, _CONDITIONAL):
            return True
    return False


def _literal_labels(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        labels = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            labels.append(elt.value)
        return tuple(labels)
    return None


def _const_int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def _per_row_axis(node: ast.expr | None) -> bool:
    """Whether an ``axis`` argument makes a reduction run along each row (not over rows)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and node.value in ("columns",):
        return True
    return _const_int(node) in (1, -1)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """Argument ``name`` passed by position ``index`` or by keyword."""
    found = _keyword(call, name)
    if found is not None:
        return found
    positional = call.args
    if any(isinstance(a, ast.Starred) for a in positional[: index + 1]):
        return None
    return positional[index] if index < len(positional) else None


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


class _Evaluator:
    """Evaluates the expressions of one statement over the abstract values of its scope."""

    def __init__(self, tracker: FlowTracker, flow: ScopeFlow, weak: bool) -> None:
        self.tracker = tracker
        self.model = tracker.model
        self.flow = flow
        self.weak = weak
        self.overlay: list[dict[str, Abstract]] = []

    # ---------------------------------------------------------- statements
    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            value = self.eval(node.value)
            for target in node.targets:
                self.bind(target, value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.eval(node.value))
        elif isinstance(node, ast.AugAssign):
            self._aug_assign(node)
        elif isinstance(node, ast.Expr):
            self._expression_statement(node.value)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                value = self.eval(node.value)
                self._escape(value)
                self.flow.returns.append(value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._for(node)
        elif isinstance(node, (ast.If, ast.While)):
            self.eval(node.test)
        elif isinstance(node, ast.Assert):
            self.eval(node.test)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, value)
        elif isinstance(node, ast.Match):
            self.eval(node.subject)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.flow.env.pop(target.id, None)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        value = self.eval(node.value)
        target = node.target
        if isinstance(target, ast.Subscript):
            old_part = self.value(target)
            if isinstance(value, Value):
                self._store_subscript(target, join([old_part, value]))
            return
        key = self._key(target)
        if key is None:
            return
        old = self.lookup_key(key)
        if isinstance(old, Value) and isinstance(value, Value):
            self.set(key, join([old, value]))

    def _expression_statement(self, expr: ast.expr) -> None:
        value = self.eval(expr)
        if not (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and _is_true(_keyword(expr, "inplace"))
            and isinstance(value, Value)
        ):
            return
        receiver = expr.func.value
        if isinstance(receiver, ast.Subscript):
            self._store_subscript(receiver, value)
        elif isinstance(receiver, ast.Attribute) and self._frame_column(receiver):
            base = self._key(receiver.value)
            frame = self.lookup_key(base) if base is not None else None
            if base is not None and isinstance(frame, Value):
                self.set(base, store_columns(frame, (receiver.attr,), value, self.weak))
        else:
            key = self._key(receiver)
            if key is not None:
                self.set(key, value)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        iterable = node.iter
        target = node.target
        if (
            isinstance(iterable, ast.Call)
            and self.model.qualname(iterable.func) == "builtins.enumerate"
            and iterable.args
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            self.bind(target.elts[0], EMPTY)
            target = target.elts[1]
            iterable = iterable.args[0]
        value = self.eval(iterable)
        if isinstance(value, Value):
            if value.items is not None:
                element: Abstract = join(v for v in value.items if isinstance(v, Value))
                self._escape(value)
            else:
                element = value
            self.bind(target, element)

    # ------------------------------------------------------------- binding
    def _key(self, expr: ast.expr) -> str | None:
        """The environment key of a name or a ``self.attr`` chain."""
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute):
            base = self._key(expr.value)
            self_name = self.model.scope.self_name
            if base is not None and self_name is not None and base.split(".")[0] == self_name:
                return f"{base}.{expr.attr}"
        return None

    def set(self, key: str, value: Abstract) -> None:
        old = self.flow.env.get(key)
        if self.weak and isinstance(old, Value) and isinstance(value, Value) and old is not value:
            value = join([old, value], apply_stats=False)
        if isinstance(value, Obj) and value.name is None:
            value.name = key
        elif isinstance(value, Value) and value.items is not None:
            self._escape(value)  # ``models = [lr, rf]``: used through the container later
        self.flow.env[key] = value

    def bind(self, target: ast.expr, value: Abstract) -> None:
        if isinstance(target, ast.Name):
            self.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._bind_tuple(target, value)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, derive(value) if isinstance(value, Value) else EMPTY)
        elif isinstance(target, ast.Subscript):
            self._escape(value)
            self._store_subscript(target, value)
        elif isinstance(target, ast.Attribute):
            self._escape(value)
            key = self._key(target)
            if key is not None:
                self.set(key, value)

    def _bind_tuple(self, target: ast.Tuple | ast.List, value: Abstract) -> None:
        elts = target.elts
        starred = any(isinstance(e, ast.Starred) for e in elts)
        if isinstance(value, Value):
            if value.items is not None and len(value.items) == len(elts) and not starred:
                for elt, item in zip(elts, value.items, strict=True):
                    self.bind(elt, item)
                return
            if value.folds is not None and len(elts) == 2 and not starred:
                for part, elt in enumerate(elts):
                    self.bind(elt, Value(fold=(value.folds, part)))
                return
            element = derive(value)
            for elt in elts:
                self.bind(elt, element)
            return
        self._escape(value)
        for elt in elts:
            self.bind(elt, EMPTY)

    def _store_subscript(self, target: ast.Subscript, value: Abstract) -> None:
        """``frame[key] = value`` (also ``frame.loc[rows, key] = value``)."""
        stored = value if isinstance(value, Value) else EMPTY
        receiver = target.value
        key_node = target.slice
        labels: tuple[str, ...] | None = None
        if isinstance(receiver, ast.Attribute) and receiver.attr in ("loc", "iloc", "at", "iat"):
            receiver = receiver.value
            if isinstance(key_node, ast.Tuple) and len(key_node.elts) == 2:
                labels = _literal_labels(key_node.elts[1])
                self.eval(key_node.elts[0])
            else:
                self.eval(key_node)
        else:
            labels = self._labels(key_node)
        base = self._key(receiver)
        if base is None:
            if isinstance(receiver, ast.Subscript):
                self._store_subscript(receiver, stored)
            return
        frame = self.lookup_key(base)
        if isinstance(frame, Value):
            self.set(base, store_columns(frame, labels, stored, self.weak))

    def _labels(self, node: ast.expr) -> tuple[str, ...] | None:
        labels = _literal_labels(node)
        if labels is not None:
            return labels
        value = self.eval(node)
        return value.labels if isinstance(value, Value) else None

    def _escape(self, value: Abstract) -> None:
        """``value`` leaves our sight (stored, returned, passed on): its objects too."""
        if isinstance(value, Obj):
            self.flow.other_use.add(value)
        elif value.items is not None:
            for item in value.items:
                self._escape(item)

    # -------------------------------------------------------------- lookup
    def lookup_key(self, key: str) -> Abstract:
        for layer in reversed(self.overlay):
            if key in layer:
                return layer[key]
        found = self.flow.env.get(key)
        if found is not None:
            return found
        created = self._attribute_object(key)
        if created is not None:
            self.flow.env[key] = created
            return created
        root = Value(rows=self.tracker.fresh_rows())
        self.flow.env[key] = root
        return root

    def _attribute_object(self, key: str) -> Obj | None:
        """``self.scaler`` built in another method (``__init__``): a new, unfitted object."""
        parts = key.split(".")
        klass = self.model.enclosing_class()
        if len(parts) != 2 or klass is None:
            return None
        binding = klass.attributes.get(parts[1])
        value = binding.node if binding is not None else None
        if not isinstance(value, ast.Call):
            return None
        qualname = self.model.qualname(value.func)
        if qualname is None or qualname in _PIPELINES or qualname in _UNIONS:
            return None
        role = classify(qualname, binding.kind if binding is not None else None)
        if role is None:
            return None
        obj = Obj(qualname, role, value, name=key)
        self.flow.other_use.add(obj)
        return obj

    def _name(self, node: ast.Name) -> Abstract:
        for layer in reversed(self.overlay):
            if node.id in layer:
                return layer[node.id]
        found = self.flow.env.get(node.id)
        if found is not None:
            return found
        if self.model.qualname(node) is not None:
            return EMPTY
        binding = self.model.lookup(node.id)
        if binding is None and self.model.scope.type is ScopeType.MODULE:
            return EMPTY
        if binding is not None and isinstance(
            binding.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                           ast.ImportFrom)
        ):  # fmt: skip
            return EMPTY
        return self.lookup_key(node.id)

    # ---------------------------------------------------------- expressions
    def eval(self, node: ast.expr) -> Abstract:
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Value(labels=(node.value,))
            return EMPTY
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.BinOp):
            return join([self.value(node.left), self.value(node.right)])
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            return join([self.value(v) for v in node.values], apply_stats=False)
        if isinstance(node, ast.UnaryOp):
            return self.eval(node.operand)
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            return join([self.value(node.body), self.value(node.orelse)], apply_stats=False)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._sequence(node)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    self.eval(key)
            values = [self.eval(v) for v in node.values]
            for v in values:
                self._escape(v)
            return join((v for v in values if isinstance(v, Value)), apply_stats=False)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value)
            self.bind(node.target, value)
            return value
        if isinstance(node, (ast.Starred, ast.Await)):
            return self.eval(node.value)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node)
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                self.eval(part)
            return EMPTY
        if isinstance(node, ast.FormattedValue):
            self.eval(node.value)
            return EMPTY
        if isinstance(node, ast.Slice):
            for bound in (node.lower, node.upper, node.step):
                if bound is not None:
                    self.eval(bound)
            return EMPTY
        return EMPTY

    def value(self, node: ast.expr) -> Value:
        found = self.eval(node)
        if isinstance(found, Obj):
            return EMPTY
        return found

    def _sequence(self, node: ast.Tuple | ast.List | ast.Set) -> Value:
        items = tuple(self.eval(e) for e in node.elts)
        values = [i for i in items if isinstance(i, Value)]
        joined = join(values, apply_stats=False)
        labels = _literal_labels(node)
        if labels is None and values and all(v.labels is not None for v in values):
            found: list[str] = []
            for v in values:
                found.extend(v.labels or ())
            labels = tuple(found)
        if isinstance(node, ast.Set) or any(isinstance(e, ast.Starred) for e in node.elts):
            return replace(joined, labels=labels)
        return replace(joined, items=items, labels=labels)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> Value:
        layer: dict[str, Abstract] = {}
        self.overlay.append(layer)
        try:
            parts: list[Value] = []
            for gen in node.generators:
                source = self.value(gen.iter)
                parts.append(source)
                for name in ast.walk(gen.target):
                    if isinstance(name, ast.Name):
                        layer[name.id] = derive(source)
                for cond in gen.ifs:
                    self.eval(cond)
            if isinstance(node, ast.DictComp):
                parts.append(self.value(node.key))
                parts.append(self.value(node.value))
            else:
                parts.append(self.value(node.elt))
        finally:
            self.overlay.pop()
        return join(parts, apply_stats=False)

    def _compare(self, node: ast.Compare) -> Value:
        """A mask: row lineage, and the feature choices it encodes (``p_values < 0.05``).

        No statistic is *applied* to data by comparing with it: a row filter
        such as ``df[df.price < df.price.quantile(0.99)]`` is not a transform.
        """
        left = self.value(node.left)
        parts = [left] + [self.value(c) for c in node.comparators]
        rows: set[RowPath] = set()
        selected: set[Taint] = set()
        for part in parts:
            rows.update(part.rows)
            selected.update(t for t in part.all_taints() if t.kind is TaintKind.SELECT)
        return Value(rows=frozenset(rows), taints=frozenset(selected), prediction=left.prediction)

    def _attribute(self, node: ast.Attribute) -> Abstract:
        key = self._key(node)
        if key is not None and "." in key:
            return self.lookup_key(key)
        receiver = self.eval(node.value)
        attr = node.attr
        if isinstance(receiver, Obj):
            return self._object_attribute(receiver, attr)
        if self.model.qualname(node) is not None:
            return EMPTY
        if attr in _VIEW_ATTRIBUTES:
            return receiver
        if attr in _METADATA_ATTRIBUTES:
            return Value(taints=receiver.all_taints())
        if self._frame_column(node):
            return select_columns(receiver, (attr,))
        return derive(receiver)

    def _frame_column(self, node: ast.Attribute) -> bool:
        return (
            self.model.kind_of(node.value) is Kind.DATAFRAME
            and node.attr not in _VIEW_ATTRIBUTES
            and node.attr not in _METADATA_ATTRIBUTES
        )

    def _object_attribute(self, obj: Obj, attr: str) -> Abstract:
        if attr in _EVALUATION_ATTRIBUTES:
            self.flow.other_use.add(obj)
            return EMPTY
        if attr == "best_estimator_":
            return obj
        fit = obj.last_fit
        if fit is None or fit.taint is None or not attr.endswith("_"):
            return EMPTY
        rows = fit.x.rows if attr in _ROW_ATTRIBUTES else frozenset()
        return Value(rows=rows, taints=frozenset({fit.taint}))

    def _subscript(self, node: ast.Subscript) -> Abstract:
        receiver_node = node.value
        receiver = self.eval(receiver_node)
        key = node.slice
        if isinstance(receiver, Obj):
            self.eval(key)
            return EMPTY
        if self.model.qualname(receiver_node) in ("numpy.c_", "numpy.r_"):
            return self.value(key)
        index = _const_int(key)
        if receiver.items is not None and index is not None:
            if -len(receiver.items) <= index < len(receiver.items):
                return receiver.items[index]
            return EMPTY
        indexer = isinstance(receiver_node, ast.Attribute) and receiver_node.attr in (
            "loc", "iloc", "at", "iat",
        )  # fmt: skip
        row_key: ast.expr = key
        column_key: ast.expr | None = None
        if isinstance(key, ast.Tuple) and len(key.elts) == 2:
            row_key, column_key = key.elts
        elif indexer:
            column_key = None
        else:
            row_key, column_key = key, key
        row_value = self.value(row_key)
        if row_value.fold is not None:
            result = with_rows_step(receiver, row_value.fold)
            if column_key is not None and column_key is not row_key:
                self.eval(column_key)
            return result
        if indexer or isinstance(key, ast.Tuple):
            if column_key is None:
                return replace(derive(receiver), taints=receiver.taints | row_value.taints)
            column_value = self.value(column_key)
            selected = select_columns(receiver, column_value.labels)
            key_taints = row_value.taints | column_value.all_taints()
            return replace(selected, taints=selected.taints | key_taints)
        labels = row_value.labels
        if labels is None and isinstance(key, ast.Slice):
            return replace(derive(receiver), prediction=receiver.prediction)
        selected = select_columns(receiver, labels)
        if labels is None:
            selected = replace(selected, taints=selected.taints | row_value.all_taints())
        return selected

    # --------------------------------------------------------------- calls
    def _call(self, node: ast.Call) -> Abstract:
        func = node.func
        qualname = self.model.qualname(func)
        if qualname is not None:
            return self._qualified_call(node, qualname)
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value)
            if isinstance(receiver, Obj):
                return self._method(receiver, node, func.attr)
            return self._data_method(receiver, node, func.attr)
        if isinstance(func, ast.Name):
            binding = self.model.lookup(func.id)
            if binding is not None and isinstance(
                binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                summary = self.tracker.summaries.get(id(binding.node))
                if summary is not None:
                    return self._apply_summary(node, summary)
            callee = self.eval(func)
            if isinstance(callee, Obj):
                return self._object_call(callee, node)
        return self._unknown_call(node)

    def _arguments(self, node: ast.Call) -> list[Abstract]:
        values = [self.eval(a) for a in node.args]
        values += [self.eval(kw.value) for kw in node.keywords]
        return values

    def _unknown_call(self, node: ast.Call, simulated: bool = False) -> Value:
        if not isinstance(node.func, ast.Name):
            self.eval(node.func)
        args = self._arguments(node)
        for a in args:
            self._escape(a)
        result = join(a for a in args if isinstance(a, Value))
        if not result.rows:
            result = replace(result, rows=self.tracker.fresh_rows(simulated))
        return result

    def _qualified_call(self, node: ast.Call, qualname: str) -> Abstract:
        if qualname.startswith("builtins."):
            name = qualname[len("builtins.") :]
            if name in _PASS_THROUGH_BUILTINS:
                args = self._arguments(node)
                if len(args) == 1 and isinstance(args[0], Value):
                    return args[0]
                return join((a for a in args if isinstance(a, Value)), apply_stats=False)
            self._arguments(node)
            return EMPTY
        if qualname == _TRAIN_TEST_SPLIT:
            return self._train_test_split(node)
        if qualname in _CV_FUNCTIONS:
            return self._cross_validation_function(node, qualname)
        if qualname in _PIPELINES:
            return self._pipeline(node, qualname)
        if qualname in _UNIONS:
            return self._union(node, qualname)
        if qualname in _SK_SELECTION_SCORES:
            return self._selection_scores(node, qualname)
        if qualname in _SK_SCALING_FUNCTIONS:
            data = self.value(node.args[0]) if node.args else EMPTY
            self._arguments(node)
            taint = Taint(TaintKind.PREPROCESS, node, qualname, data.rows)
            return replace(derive(data), taints=data.taints | {taint})
        if qualname == _RESAMPLE_FUNCTION:
            return self._resample_function(node, qualname)
        if qualname in _PASS_THROUGH_FUNCTIONS:
            args = [self.eval(a) for a in node.args]
            for kw in node.keywords:
                self.eval(kw.value)
            if len(args) == 1:
                return args[0]
            return Value(items=tuple(args))
        if qualname in _NUMPY_STATS:
            return self._numpy_statistic(node, qualname)
        if qualname.startswith("sklearn.metrics."):
            return self._metric(node)
        if qualname.startswith("numpy.random."):
            return self._unknown_call(node, simulated=True)
        role = classify(qualname, self.model.kind_of(node))
        if role is not None:
            for a in self._arguments(node):
                self._escape(a)
            return Obj(qualname, role, node)
        return self._unknown_call(node)

    # ----------------------------------------------------- sinks and splits
    def _record_split(self, node: ast.Call, label: str, kind: SinkKind) -> int:
        split_id = self.tracker.new_id()
        self.tracker.splits[split_id] = Split(split_id, node, label, kind)
        return split_id

    def _train_test_split(self, node: ast.Call) -> Abstract:
        for kw in node.keywords:
            self.eval(kw.value)
        if any(isinstance(a, ast.Starred) for a in node.args) or not node.args:
            for a in node.args:
                self.eval(a)
            return EMPTY
        arrays = [self.value(a) for a in node.args]
        label = "train_test_split"
        split_id = self._record_split(node, label, SinkKind.SPLIT)
        roles = (
            [ArgRole.WHOLE]
            if len(arrays) == 1
            else [ArgRole.FEATURES] + [ArgRole.TARGET] * (len(arrays) - 1)
        )
        self.flow.sinks.append(
            Sink(node, label, SinkKind.SPLIT, tuple(zip(roles, arrays, strict=True)))
        )
        items: list[Abstract] = []
        for array in arrays:
            if not array.rows:
                array = replace(array, rows=self.tracker.fresh_rows())
            for part in (TRAIN_PART, TEST_PART):
                items.append(with_rows_step(array, (split_id, part)))
        return Value(items=tuple(items))

    def _cross_validation_function(self, node: ast.Call, qualname: str) -> Abstract:
        estimator = _arg(node, 0, "estimator")
        x = _arg(node, 1, "X")
        y = _arg(node, 2, "y")
        used = {id(n) for n in (estimator, x, y) if n is not None}
        obj = self.eval(estimator) if estimator is not None else EMPTY
        if isinstance(obj, Obj):
            self.flow.other_use.add(obj)
        args: list[tuple[ArgRole, Value]] = []
        if x is not None:
            args.append((ArgRole.FEATURES, self.value(x)))
        if y is not None:
            args.append((ArgRole.TARGET, self.value(y)))
        for a in node.args:
            if id(a) not in used:
                self.eval(a)
        for kw in node.keywords:
            if id(kw.value) not in used:
                self.eval(kw.value)
        label = qualname.rpartition("model_selection.")[2]
        self.flow.sinks.append(Sink(node, label, SinkKind.CROSS_VALIDATION, tuple(args)))
        return EMPTY

    # ------------------------------------------------- object construction
    def _pipeline(self, node: ast.Call, qualname: str) -> Obj:
        steps: list[Obj | None] = []
        if qualname.endswith("make_pipeline"):
            for a in node.args:
                found = self.eval(a)
                steps.append(found if isinstance(found, Obj) else None)
        else:
            spec = _arg(node, 0, "steps")
            value = self.eval(spec) if spec is not None else EMPTY
            if isinstance(value, Value) and value.items is not None:
                for item in value.items:
                    named = _tuple_item(item, 1)
                    steps.append(named if isinstance(named, Obj) else None)
        for kw in node.keywords:
            if kw.arg != "steps":
                self.eval(kw.value)
        for step in steps:
            if step is not None:
                self.flow.other_use.add(step)
        return Obj(qualname, combined_role(steps, final_decides=True), node)

    def _union(self, node: ast.Call, qualname: str) -> Obj:
        position = _UNIONS[qualname]
        parts: list[Obj | None] = []
        if position is None or position == 0 and qualname.startswith("sklearn.compose.make"):
            for a in node.args:
                value = self.eval(a)
                part = value if position is None else _tuple_item(value, 0)
                if isinstance(part, Value) and part.labels is not None:
                    continue  # "passthrough" / "drop"
                parts.append(part if isinstance(part, Obj) else None)
        else:
            spec = node.args[0] if node.args else None
            if spec is None:
                spec = _keyword(node, "transformers") or _keyword(node, "transformer_list")
            value = self.eval(spec) if spec is not None else EMPTY
            for a in node.args[1:]:
                self.eval(a)
            if isinstance(value, Value) and value.items is not None:
                for item in value.items:
                    part = _tuple_item(item, position)
                    if isinstance(part, Value) and part.labels is not None:
                        continue  # "passthrough" / "drop"
                    parts.append(part if isinstance(part, Obj) else None)
        for kw in node.keywords:
            if kw.arg in ("transformers", "transformer_list"):
                continue
            value = self.eval(kw.value)
            if kw.arg == "remainder" and isinstance(value, Obj):
                parts.append(value)
        for part in parts:
            if part is not None:
                self.flow.other_use.add(part)
        return Obj(qualname, combined_role(parts, final_decides=False), node)

    # ------------------------------------------------------ source functions
    def _selection_scores(self, node: ast.Call, qualname: str) -> Value:
        x = _arg(node, 0, "X")
        y = _arg(node, 1, "y")
        data = self.value(x) if x is not None else EMPTY
        if y is not None:
            self.eval(y)
        for kw in node.keywords:
            if kw.arg not in ("X", "y"):
                self.eval(kw.value)
        if y is None:
            return EMPTY
        taint = Taint(TaintKind.SELECT, node, qualname, data.rows)
        return Value(taints=frozenset({taint}), items=None)

    def _resample_function(self, node: ast.Call, qualname: str) -> Abstract:
        arrays = [self.value(a) for a in node.args if not isinstance(a, ast.Starred)]
        replace_arg = _keyword(node, "replace")
        for kw in node.keywords:
            self.eval(kw.value)
        if _is_false(replace_arg) or not arrays:
            outputs = [derive(a) for a in arrays]
        else:
            rows = frozenset().union(*(a.rows for a in arrays))
            taint = Taint(TaintKind.RESAMPLE, node, qualname, rows)
            outputs = [replace(derive(a), taints=a.taints | {taint}) for a in arrays]
        if len(outputs) == 1:
            return outputs[0]
        return Value(items=tuple(outputs))

    def _numpy_statistic(self, node: ast.Call, qualname: str) -> Value:
        data = self.value(node.args[0]) if node.args else EMPTY
        axis = _arg(node, _NUMPY_STATS[qualname], "axis")
        for a in node.args[1:]:
            self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        return self._statistic(node, data, qualname.rpartition(".")[2], axis)

    def _statistic(self, node: ast.Call, data: Value, name: str, axis: ast.expr | None) -> Value:
        if not data.rows or _per_row_axis(axis) or self.tracker.is_simulated(data.rows):
            return replace(derive(data), rows=frozenset(), prediction=None)
        taint = Taint(TaintKind.STATISTIC, node, name, data.rows)
        return Value(taints=data.taints, pending=frozenset({taint}))

    def _metric(self, node: ast.Call) -> Value:
        """A metric call: an evaluation when it scores a model's predictions."""
        values = [self.eval(a) for a in node.args]
        named = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg is not None}
        for kw in node.keywords:
            if kw.arg is None:
                self.eval(kw.value)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "from_estimator":
            estimator = values[0] if values else named.get("estimator")
            x = values[1] if len(values) > 1 else named.get("X")
            y = values[2] if len(values) > 2 else named.get("y")
            if isinstance(estimator, Obj) and isinstance(x, Value) and isinstance(y, Value):
                self._evaluation(node, estimator, x, y)
            return EMPTY
        truth = values[0] if values else named.get("y_true", named.get("labels_true"))
        predicted = values[1] if len(values) > 1 else None
        if predicted is None:
            for key in ("y_pred", "y_score", "y_proba", "y_prob", "probas_pred"):
                if key in named:
                    predicted = named[key]
                    break
        if (
            isinstance(truth, Value)
            and isinstance(predicted, Value)
            and predicted.prediction is not None
            and truth.prediction is None
        ):
            prediction = predicted.prediction
            self._evaluation(node, prediction.obj, prediction.data, truth)
        return EMPTY

    def _evaluation(self, node: ast.Call, obj: Obj, x: Value, y: Value) -> None:
        self.flow.evaluations.append(Evaluation(node, obj, obj.last_fit, x, y))

    # ------------------------------------------------------ object methods
    def _object_call(self, obj: Obj, node: ast.Call) -> Abstract:
        """``layer(data)``: a Keras preprocessing layer applied like a function."""
        args = self._arguments(node)
        data = args[0] if args and isinstance(args[0], Value) else EMPTY
        return self._apply(obj, node, data)

    def _apply(self, obj: Obj, node: ast.Call, data: Value) -> Value:
        fit = obj.last_fit
        if fit is None or fit.taint is None:
            return derive(data)
        self.flow.transforms.append(TransformUse(node, obj, fit, data))
        return replace(derive(data), taints=data.taints | {fit.taint})

    def _fit(self, obj: Obj, node: ast.Call, method: str) -> Fit:
        x_node = _arg(node, 0, "X")
        if x_node is None:
            x_node = (
                _arg(node, 0, "texts") or _arg(node, 0, "data") or _arg(node, 0, "raw_documents")
            )
        y_node = _arg(node, 1, "y")
        x = self.value(x_node) if x_node is not None else EMPTY
        y = self.value(y_node) if y_node is not None else None
        used = {id(x_node), id(y_node)}
        for a in node.args:
            if id(a) not in used:
                self._escape(self.eval(a))
        for kw in node.keywords:
            if id(kw.value) not in used:
                self._escape(self.eval(kw.value))
        taint: Taint | None = None
        if obj.role.learns and x.rows:
            kind = TaintKind.PREPROCESS
            if obj.role is Role.SELECTOR and y is not None:
                kind = TaintKind.SELECT
            if kind is TaintKind.SELECT or not self.tracker.is_simulated(x.rows):
                encoder = obj.role is Role.ENCODER
                taint = Taint(kind, node, obj.qualname, x.rows, encoder=encoder)
        arg_name = x_node.id if isinstance(x_node, ast.Name) else None
        fit = Fit(node, method, x, y, taint, arg_name)
        obj.fits.append(fit)
        self.flow.fits.append((obj, fit))
        return fit

    def _method(self, obj: Obj, node: ast.Call, method: str) -> Abstract:
        role = obj.role
        if role is Role.SPLITTER and method == "split":
            return self._splitter_split(obj, node)
        if role in (Role.OVERSAMPLER, Role.UNDERSAMPLER) and method in _RESAMPLE_METHODS:
            return self._fit_resample(obj, node)
        if method in _FIT_METHODS:
            fit = self._fit(obj, node, method)
            if role is Role.SEARCH:
                self._search_fit(node, fit)
            return obj
        if method in _FIT_TRANSFORM_METHODS:
            fit = self._fit(obj, node, method)
            if fit.taint is None:
                return replace(derive(fit.x), prediction=None)
            return replace(derive(fit.x), taints=fit.x.taints | {fit.taint})
        if role in (Role.MODEL, Role.SEARCH):
            return self._model_method(obj, node, method)
        args = self._arguments(node)
        if method in _TRANSFORM_METHODS or (
            role is Role.CLUSTER and method in _CLUSTER_TRANSFORM_METHODS
        ):
            data = args[0] if args and isinstance(args[0], Value) else EMPTY
            return self._apply(obj, node, data)
        if method in ("set_params", "set_output"):
            return obj
        return EMPTY

    def _model_method(self, obj: Obj, node: ast.Call, method: str) -> Abstract:
        args = self._arguments(node)
        values = [a if isinstance(a, Value) else EMPTY for a in args]
        if method in _PREDICT_METHODS:
            x = values[0] if values else EMPTY
            self.flow.predictions.append((obj, x))
            return Value(rows=x.rows, prediction=Prediction(obj, x))
        if method == "score" and len(values) >= 2:
            self._evaluation(node, obj, values[0], values[1])
            self.flow.predictions.append((obj, values[0]))
            return EMPTY
        if method in ("set_params", "set_output"):
            return obj
        for a in args:
            self._escape(a)
        if method == "transform" and values:
            return derive(values[0])
        return EMPTY

    def _search_fit(self, node: ast.Call, fit: Fit) -> None:
        args: list[tuple[ArgRole, Value]] = [(ArgRole.FEATURES, fit.x)]
        if fit.y is not None:
            args.append((ArgRole.TARGET, fit.y))
        self.flow.sinks.append(
            Sink(node, short_call(node)[:-2], SinkKind.CROSS_VALIDATION, tuple(args))
        )

    def _splitter_split(self, obj: Obj, node: ast.Call) -> Value:
        x_node = _arg(node, 0, "X")
        y_node = _arg(node, 1, "y")
        args: list[tuple[ArgRole, Value]] = []
        if x_node is not None:
            args.append((ArgRole.FEATURES, self.value(x_node)))
        if y_node is not None:
            args.append((ArgRole.TARGET, self.value(y_node)))
        for kw in node.keywords:
            if kw.value is not x_node and kw.value is not y_node:
                self.eval(kw.value)
        for a in node.args[2:]:
            self.eval(a)
        label = short_call(node)[:-2]
        split_id = self._record_split(node, label, SinkKind.FOLDS)
        self.flow.sinks.append(Sink(node, label, SinkKind.FOLDS, tuple(args)))
        return Value(folds=split_id)

    def _fit_resample(self, obj: Obj, node: ast.Call) -> Value:
        x_node = _arg(node, 0, "X")
        y_node = _arg(node, 1, "y")
        x = self.value(x_node) if x_node is not None else EMPTY
        y = self.value(y_node) if y_node is not None else EMPTY
        if obj.role is not Role.OVERSAMPLER:
            return Value(items=(derive(x), derive(y)))
        taint = Taint(TaintKind.RESAMPLE, node, obj.qualname, x.rows | y.rows)
        return Value(
            items=(
                replace(derive(x), taints=x.taints | {taint}),
                replace(derive(y), taints=y.taints | {taint}),
            )
        )

    # ---------------------------------------------------- data-side methods
    def _data_method(self, receiver: Value, node: ast.Call, method: str) -> Value:
        if method in _STAT_METHODS:
            axis = _keyword(node, "axis")
            if axis is None and method != "quantile" and node.args:
                axis = node.args[0]
            for a in node.args:
                self.eval(a)
            for kw in node.keywords:
                self.eval(kw.value)
            result = self._statistic(node, receiver, method, axis)
            if receiver.prediction is not None:
                result = replace(result, prediction=None)
            return result
        if method == "drop":
            return self._drop(receiver, node)
        if method == "pop" and node.args:
            labels = _literal_labels(node.args[0])
            func = node.func
            assert isinstance(func, ast.Attribute)
            base = self._key(func.value)
            if labels is not None and base is not None:
                self.set(base, drop_columns(receiver, labels))
            return select_columns(receiver, labels)
        if method == "assign":
            result = receiver
            for kw in node.keywords:
                value = self.value(kw.value)
                labels = (kw.arg,) if kw.arg is not None else None
                result = store_columns(result, labels, value, weak=False)
            for a in node.args:
                self.eval(a)
            return result
        if method == "sample" and _is_true(_keyword(node, "replace")):
            for kw in node.keywords:
                self.eval(kw.value)
            taint = Taint(TaintKind.RESAMPLE, node, "sample", receiver.rows)
            return replace(derive(receiver), taints=receiver.taints | {taint})
        if method == "take" and node.args:
            index = self.value(node.args[0])
            if index.fold is not None:
                return with_rows_step(receiver, index.fold)
        args = self._arguments(node)
        for arg in args:
            self._escape(arg)
        result = join([receiver] + [v for v in args if isinstance(v, Value)])
        if method in _MUTATING_METHODS:
            func = node.func
            assert isinstance(func, ast.Attribute)
            key = self._key(func.value)
            if key is not None:
                self.set(key, result)
            return EMPTY
        if receiver.prediction is not None:
            result = replace(result, prediction=receiver.prediction)
        if receiver.labels is not None and method in ("tolist", "copy"):
            result = replace(result, labels=receiver.labels)
        return result

    def _drop(self, receiver: Value, node: ast.Call) -> Value:
        columns = _keyword(node, "columns")
        labels: tuple[str, ...] | None = None
        if columns is not None:
            labels = self._labels(columns)
        elif node.args:
            axis = _keyword(node, "axis")
            if axis is None and len(node.args) > 1:
                axis = node.args[1]
            if axis is not None and (
                _const_int(axis) == 1
                or (isinstance(axis, ast.Constant) and axis.value == "columns")
            ):
                labels = self._labels(node.args[0])
            else:
                self.eval(node.args[0])
        for kw in node.keywords:
            if kw.arg != "columns":
                self.eval(kw.value)
        if labels is None:
            return derive(receiver)
        return drop_columns(receiver, labels)

    # ------------------------------------------------------ one level deep
    def _apply_summary(self, node: ast.Call, summary: Summary) -> Abstract:
        args = [self.eval(a) for a in node.args]
        bound: dict[int, Value] = {}
        if not any(isinstance(a, ast.Starred) for a in node.args):
            for name, value in zip(summary.params, args, strict=False):
                if isinstance(value, Value):
                    bound[summary.roots[name]] = value
        for kw in node.keywords:
            value = self.eval(kw.value)
            if kw.arg in summary.roots and isinstance(value, Value):
                bound[summary.roots[kw.arg]] = value
        for a in args:
            self._escape(a)
        substitution = _Substitution(bound)
        for sink in summary.sinks:
            self.flow.sinks.append(
                Sink(
                    sink.node,
                    sink.label,
                    sink.kind,
                    tuple((role, substitution.value(v)) for role, v in sink.args),
                )
            )
        if summary.result is None:
            return EMPTY
        return substitution.abstract(summary.result)


def _tuple_item(value: Abstract, index: int) -> Abstract | None:
    if isinstance(value, Value) and value.items is not None and index < len(value.items):
        return value.items[index]
    return None


class _Substitution:
    """Rewrites a callee's values, rooted at its parameters, in terms of the arguments."""

    def __init__(self, bound: dict[int, Value]) -> None:
        self.bound = bound
        self.taints: dict[int, Taint] = {}
        self.objects: dict[int, Obj] = {}

    def rows(self, rows: frozenset[RowPath]) -> frozenset[RowPath]:
        out: set[RowPath] = set()
        for path in rows:
            arg = self.bound.get(path[0][0])
            if arg is None:
                out.add(path)
            else:
                out.update(p + path[1:] for p in arg.rows)
        return frozenset(out)

    def taint(self, taint: Taint) -> Taint:
        found = self.taints.get(id(taint))
        if found is None:
            found = replace(taint, rows=self.rows(taint.rows))
            self.taints[id(taint)] = found
        return found

    def value(self, value: Value) -> Value:
        taints = {self.taint(t) for t in value.taints}
        columns = {k: {self.taint(t) for t in ts} for k, ts in value.columns}
        for path in value.rows:
            arg = self.bound.get(path[0][0])
            if arg is not None:
                taints.update(arg.taints)
                for k, ts in arg.columns:
                    columns.setdefault(k, set()).update(ts)
        items = None
        if value.items is not None:
            items = tuple(self.abstract(i) for i in value.items)
        return Value(
            rows=self.rows(value.rows),
            taints=frozenset(taints),
            columns=tuple((k, frozenset(v)) for k, v in columns.items()),
            pending=frozenset(self.taint(t) for t in value.pending),
            fold=value.fold,
            folds=value.folds,
            items=items,
            labels=value.labels,
        )

    def abstract(self, value: Abstract) -> Abstract:
        if isinstance(value, Value):
            return self.value(value)
        found = self.objects.get(id(value))
        if found is None:
            found = Obj(value.qualname, value.role, value.node)
            for fit in value.fits:
                found.fits.append(
                    replace(
                        fit,
                        x=self.value(fit.x),
                        y=self.value(fit.y) if fit.y is not None else None,
                        taint=self.taint(fit.taint) if fit.taint is not None else None,
                    )
                )
            self.objects[id(value)] = found
        return found
