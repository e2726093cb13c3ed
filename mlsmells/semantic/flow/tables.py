"""What the flow layer knows of the libraries: the classes, functions, methods and
attributes of scikit-learn, imbalanced-learn, Keras, pandas and NumPy it follows, and the
role of an object (:func:`classify`, :func:`combined_role`)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from mlsmells.semantic.flow.syntax import call_arg, keyword_arg
from mlsmells.semantic.flow.values import Obj, Role
from mlsmells.semantic.kinds import Kind

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
SK_SELECTION_SCORES = frozenset(
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
SK_SCALING_FUNCTIONS = frozenset(
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
PIPELINES = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.make_pipeline",
        "imblearn.pipeline.Pipeline",
        "imblearn.pipeline.make_pipeline",
    }
)
#: Combinators of transformers: (qualname, where the transformer sits in a tuple element).
UNIONS: dict[str, int | None] = {
    "sklearn_pandas.DataFrameMapper": 1,
    "sklearn_pandas.dataframe_mapper.DataFrameMapper": 1,
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
TRAIN_TEST_SPLIT = "sklearn.model_selection.train_test_split"
#: Cross-validation helpers: qualname -> (estimator, X, y) positions.
CV_FUNCTIONS = frozenset(
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
RESAMPLE_FUNCTION = "sklearn.utils.resample"
#: Functions stacking their pieces as rows (unless ``axis`` says columns): pieces that
#: share rows duplicate them (``pd.concat([neg, neg])``, an image array and its flips).
ROW_CONCATENATIONS: dict[str, int | None] = {
    "pandas.concat": 1,
    "numpy.concatenate": 1,
    "numpy.vstack": None,
    "numpy.row_stack": None,
}
#: Correlations of two arrays: with the target, they choose features.
CORRELATIONS = frozenset(
    f"scipy.stats.{name}"
    for name in ("pearsonr", "spearmanr", "kendalltau", "pointbiserialr", "linregress")
)
#: Binning by quantiles (``pd.qcut``) or by the range of the values (``pd.cut(x, 10)``).
BINNINGS = frozenset({"pandas.qcut", "pandas.cut"})
#: Bin edges given as values, not a number of bins.
FIXED_BINS = frozenset({"numpy.arange", "numpy.linspace", "builtins.range", "builtins.list"})
#: Functions giving the positions of rows (``np.arange(len(X))``): split, their parts
#: select rows of whatever they index.
INDEX_RANGES = frozenset({"numpy.arange", "builtins.range"})
#: patsy design matrices, and the formula terms that learn from the data they get.
PATSY_MATRICES = frozenset({"patsy.dmatrix", "patsy.dmatrices"})
PATSY_STATEFUL_TERMS = ("standardize(", "center(", "scale(")
#: PyTorch's dataset splits.
RANDOM_SPLITS = frozenset(
    {"torch.utils.data.random_split", "torch.utils.data.dataset.random_split"}
)
SUBSETS = frozenset({"torch.utils.data.Subset", "torch.utils.data.dataset.Subset"})
#: Functions that save, draw or print a model without evaluating it.
KEEPING_FUNCTIONS = frozenset(
    {"joblib.dump", "pickle.dump", "pickle.dumps", "dill.dump", "sklearn.tree.export_graphviz",
     "sklearn.tree.export_text", "sklearn.tree.plot_tree"}
)  # fmt: skip
#: A frequency table of its argument's values.
COUNTER = "collections.Counter"
PASS_THROUGH_FUNCTIONS = frozenset({"sklearn.utils.shuffle"})

#: pandas/NumPy reductions whose value is a statistic of the rows.
STAT_METHODS = frozenset(
    {"mean", "median", "std", "var", "min", "max", "quantile", "mode", "skew", "kurt",
     "kurtosis", "sem"}
)  # fmt: skip
#: Reductions that are statistics of the rows only when asked along them (``axis=0``):
#: document frequencies ``X.getnnz(axis=0)``, ``X.sum(axis=0)``; not ``df.isnull().sum()``.
AXIS_STATS = frozenset({"sum", "count", "getnnz"})
#: Reductions of a groupby: one statistic per group.
GROUP_AGGREGATES = STAT_METHODS | {
    "sum", "count", "size", "nunique", "first", "last", "agg", "aggregate", "prod",
    "describe", "value_counts", "idxmax", "idxmin",
}  # fmt: skip
#: Methods of a groupby giving one value per row, from a statistic of its group when given
#: one (``transform("mean")``, ``apply(lambda g: g.fillna(g.median()))``).
GROUP_STAT_TRANSFORMS = frozenset({"transform", "apply", "rank"})
#: Methods whose meaning depends on a groupby or window receiver.
GROUP_METHODS = GROUP_AGGREGATES | GROUP_STAT_TRANSFORMS
#: Methods of data calling a function on it (an element, a row, a column or the whole).
CALLBACK_METHODS = frozenset({"apply", "map", "applymap", "transform", "agg", "aggregate", "pipe"})
#: Methods training a model (Keras, LightGBM, XGBoost ..., tracked or not) on their data.
TRAINING_METHODS = frozenset({"fit", "fit_generator", "train", "partial_fit"})
#: Methods evaluating a model on their data.
EVALUATION_METHODS = frozenset({"evaluate", "evaluate_generator", "score"})
#: Keywords of a training call that take the validation data.
VALIDATION_KEYWORDS = frozenset(
    {"validation_data", "eval_set", "valid_sets", "evals", "valid_data", "eval_data",
     "validation_set"}
)  # fmt: skip
#: NumPy statistic functions -> position of their ``axis`` parameter.
NUMPY_STATS: dict[str, int] = {
    **{
        f"numpy.{n}": 1
        for n in (
            "mean", "median", "std", "var", "min", "max", "amin", "amax", "average",
            "nanmean", "nanmedian", "nanstd", "nanvar", "nanmin", "nanmax",
        )
    },
    **{f"numpy.{n}": 2 for n in ("percentile", "nanpercentile", "quantile", "nanquantile")},
}  # fmt: skip
#: Functions that standardise their data with its own statistics -> position of ``axis``.
STANDARDISING_FUNCTIONS: dict[str, int] = {"scipy.stats.zscore": 1, "scipy.stats.mstats.zscore": 1}
#: Value attributes that are metadata, not rows.
METADATA_ATTRIBUTES = frozenset(
    {"shape", "size", "ndim", "dtype", "dtypes", "columns", "index", "name", "empty", "nbytes"}
)
#: Value attributes that give a view of the same data.
VIEW_ATTRIBUTES = frozenset(
    {"loc", "iloc", "at", "iat", "ix", "values", "T", "str", "dt", "cat", "array"}
)
#: Indexers of a frame (``.ix``: the removed mix of ``.loc`` and ``.iloc``).
INDEXERS = frozenset({"loc", "iloc", "at", "iat", "ix"})
FIT_METHODS = frozenset({"fit", "fit_on_texts", "fit_on_sequences", "adapt"})
FIT_TRANSFORM_METHODS = frozenset({"fit_transform", "fit_predict"})
TRANSFORM_METHODS = frozenset(
    {"transform", "texts_to_sequences", "texts_to_matrix", "sequences_to_matrix",
     "get_support", "get_feature_names_out"}
)  # fmt: skip
CLUSTER_TRANSFORM_METHODS = frozenset({"predict", "predict_proba"})
PREDICT_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function"})
RESAMPLE_METHODS = frozenset({"fit_resample", "fit_sample"})
#: Methods of lists, dicts and sets that add their arguments to the receiver.
MUTATING_METHODS = frozenset({"append", "extend", "insert", "update", "add", "appendleft"})
#: Attributes of a search or model that hold an evaluation on other data.
EVALUATION_ATTRIBUTES = frozenset(
    {"best_score_", "cv_results_", "oob_score_", "oob_decision_function_", "oob_prediction_",
     "scores_", "validation_scores_", "cv_values_"}
)  # fmt: skip
#: Fitted attributes of a clusterer that hold one value per training row.
ROW_ATTRIBUTES = frozenset({"labels_", "embedding_"})
_SCALAR_BUILTINS = frozenset(
    {"len", "print", "str", "repr", "int", "float", "bool", "type", "isinstance", "issubclass",
     "hasattr", "getattr", "setattr", "id", "range", "round", "abs", "min", "max", "sum", "any",
     "all", "open", "format", "dict", "set", "frozenset", "hash", "vars", "dir", "callable",
     "input", "divmod", "pow", "ord", "chr", "hex", "bin", "oct", "super", "object",
     "delattr", "globals", "locals", "display"}
)  # fmt: skip
PASS_THROUGH_BUILTINS = frozenset(
    {"list", "tuple", "sorted", "reversed", "iter", "next", "zip", "filter", "map"}
)


# ----------------------------------------------------------------- the roles


def classify(qualname: str, kind: Kind | None) -> Role | None:
    """The role of an instance of the class ``qualname`` (its current spelling, see
    :func:`~mlsmells.semantic.kinds.modern`; ``None``: not a class we track)."""
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


#: Encoders that learn only the set of categories (or tokens), unless an option cuts it
#: by frequency: option -> its default (which cuts nothing).
_CATEGORY_SET_ENCODERS: dict[str, dict[str, object]] = {
    "sklearn.preprocessing.LabelEncoder": {},
    "sklearn.preprocessing.LabelBinarizer": {},
    "sklearn.preprocessing.MultiLabelBinarizer": {},
    "sklearn.feature_extraction.DictVectorizer": {},
    "sklearn.preprocessing.OneHotEncoder": {"min_frequency": None, "max_categories": None},
    "sklearn.preprocessing.OrdinalEncoder": {"min_frequency": None, "max_categories": None},
    "sklearn.feature_extraction.text.CountVectorizer": {
        "min_df": 1, "max_df": 1.0, "max_features": None,
    },
}  # fmt: skip


def categories_only(qualname: str, call: ast.Call) -> bool:
    """Whether an instance built by ``call`` learns only which categories (or tokens)
    exist: ``LabelEncoder()``, ``OneHotEncoder()``, ``CountVectorizer()`` without a
    frequency cut (``min_df``, ``max_features`` ...), Keras ``Tokenizer()`` without
    ``num_words`` (``qualname``: its current spelling)."""
    if any(kw.arg is None for kw in call.keywords):
        return False  # ``**params``: cannot tell
    if qualname.startswith(_KERAS_PREFIXES) and qualname.endswith(".Tokenizer"):
        # Keras' text tokenizer: the vocabulary only, unless ``num_words`` (first parameter;
        # ``nb_words`` in Keras 1) keeps the most frequent words
        words = call_arg(call, 0, "num_words") or keyword_arg(call, "nb_words")
        return _is_constant(words, None)
    options = _CATEGORY_SET_ENCODERS.get(qualname)
    if options is None or (call.args and options):
        return False  # not an encoder, or an old positional spelling
    return all(_is_constant(keyword_arg(call, name), default) for name, default in options.items())


def _is_constant(node: ast.expr | None, default: object) -> bool:
    """``node`` is absent or spells ``default``."""
    if node is None:
        return True
    return (
        isinstance(node, ast.Constant)
        and type(node.value) is type(default)
        and node.value == default
    )


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


def combined_categories_only(steps: Sequence[Obj | None]) -> bool:
    """A pipeline or union whose learning steps all learn only category sets."""
    learning = [s for s in steps if s is None or s.role.learns]
    return bool(learning) and all(s is not None and s.categories_only for s in learning)
