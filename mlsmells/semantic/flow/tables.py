"""What the flow layer knows of the libraries: the classes, functions, methods and
attributes of scikit-learn, imbalanced-learn, Keras, pandas and NumPy it follows, and the
role of an object (:func:`classify`, :func:`combined_role`)."""

from __future__ import annotations

from collections.abc import Sequence

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
PASS_THROUGH_FUNCTIONS = frozenset({"sklearn.utils.shuffle"})

#: pandas/NumPy reductions whose value is a statistic of the rows.
STAT_METHODS = frozenset({"mean", "median", "std", "var", "min", "max", "quantile", "mode"})
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
#: Value attributes that are metadata, not rows.
METADATA_ATTRIBUTES = frozenset(
    {"shape", "size", "ndim", "dtype", "dtypes", "columns", "index", "name", "empty", "nbytes"}
)
#: Value attributes that give a view of the same data.
VIEW_ATTRIBUTES = frozenset(
    {"loc", "iloc", "at", "iat", "values", "T", "str", "dt", "cat", "array"}
)
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
