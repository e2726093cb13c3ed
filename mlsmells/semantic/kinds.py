"""Kinds of values the rules care about, and the tables that produce them.

A kind is what the semantic model knows a name or expression holds. The
tables map *qualified* names (never alias text) to kinds; anything absent
stays unknown (``None``), and rules stay silent on unknown.
"""

from __future__ import annotations

import enum


class Kind(enum.Enum):
    DATAFRAME = "DataFrame"
    FRAME_OR_SERIES = "DataFrame or Series"
    """A pandas DataFrame or Series, not known which (from a use both allow)."""
    SERIES = "Series"
    INDEX = "Index"
    NDARRAY = "ndarray"
    TENSOR = "Tensor"
    LOSS = "loss"
    """A Tensor that is the result of a loss function or criterion."""
    MODULE = "Module"
    LOSS_MODULE = "loss Module"
    """An ``nn.Module`` criterion such as ``nn.CrossEntropyLoss()``."""
    OPTIMIZER = "Optimizer"
    LR_SCHEDULER = "LRScheduler"
    DATALOADER = "DataLoader"
    BATCH = "DataLoader batch"
    """What iterating a ``DataLoader`` gives: a tuple, list or dict of tensors (a tensor, for a
    dataset of single tensors). Its items, unpacked or taken by a constant key, are tensors;
    uses of the name itself may still prove it a tensor (see :mod:`mlsmells.data.evidence`)."""
    SK_TRANSFORMER = "sklearn transformer"
    SK_ESTIMATOR = "sklearn estimator"
    SK_SPLITTER = "sklearn CV splitter"
    FRAME_GROUPBY = "DataFrame groupby"
    """A ``DataFrameGroupBy``, or a window over a frame (``rolling``, ``expanding``, ``ewm``,
    ``resample``): its reductions give a DataFrame."""
    SERIES_GROUPBY = "Series groupby"
    """The same over a Series: its reductions give a Series."""
    SERIES_ACCESSOR = "Series accessor"
    """``s.str``, ``s.dt``, ``s.cat``: their methods and properties give a Series."""
    FRAME_INDEXER = "DataFrame indexer"
    """``df.loc`` / ``df.iloc``: indexing it gives a DataFrame or a Series by the key."""
    SERIES_INDEXER = "Series indexer"
    """``s.loc`` / ``s.iloc``: indexing it gives a Series (a slice or list) or a value."""

    @property
    def is_pandas(self) -> bool:
        return self in PANDAS_KINDS

    @property
    def is_tensor(self) -> bool:
        return self in TENSOR_KINDS

    @property
    def is_module(self) -> bool:
        return self in MODULE_KINDS


class Output(enum.Enum):
    """What a tensor holds when an activation made it: the probabilities of a softmax or a
    sigmoid (of a call, or of what a model's ``forward`` returns, see
    :mod:`mlsmells.semantic.outputs`)."""

    SOFTMAX = "softmax"
    SIGMOID = "sigmoid"


PANDAS_KINDS = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.INDEX, Kind.FRAME_OR_SERIES})
TENSOR_KINDS = frozenset({Kind.TENSOR, Kind.LOSS})
MODULE_KINDS = frozenset({Kind.MODULE, Kind.LOSS_MODULE})
#: The kinds the model tracks for the elements of a container (``optimizers[0].step()``).
ELEMENT_KINDS = frozenset({Kind.OPTIMIZER, Kind.DATAFRAME, Kind.SERIES, Kind.NDARRAY, Kind.TENSOR})
#: Kinds that the uses of a name may still make precise (a batch may be a tensor).
REFINABLE_KINDS = frozenset({None, Kind.BATCH})

#: Qualified names that are spelled differently but mean the same object.
CANONICAL: dict[str, str] = {
    "pandas.core.frame.DataFrame": "pandas.DataFrame",
    "pandas.core.series.Series": "pandas.Series",
    "pandas.core.indexes.base.Index": "pandas.Index",
    "torch.nn.modules.module.Module": "torch.nn.Module",
    "torch.utils.data.dataloader.DataLoader": "torch.utils.data.DataLoader",
    "torch.optim.optimizer.Optimizer": "torch.optim.Optimizer",
    "torch.autograd.variable.Variable": "torch.autograd.Variable",
    "torch.nn.parameter.Parameter": "torch.nn.Parameter",
    "pytorch_lightning": "lightning.pytorch",
    "lightning.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.module.LightningModule": "lightning.pytorch.LightningModule",
}


def canonical(qualname: str) -> str:
    """Map an equivalent spelling of a qualified name to the one the tables use."""
    found = CANONICAL.get(qualname)
    if found is not None:
        return found
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualname.startswith(prefix):
            return canonical(replacement + qualname[len(prefix) :])
    return qualname


_CANONICAL_PREFIXES = (("pytorch_lightning.", "lightning.pytorch."),)

#: Removed spellings of library objects that old code still imports, and the objects they
#: became: for kinds and data flow only (the name itself is still what the code says, and
#: ML412/ML501 report it). ``from sklearn.cross_validation import train_test_split`` splits
#: data as ``sklearn.model_selection.train_test_split`` does.
_LEGACY_PREFIXES = (
    ("sklearn.cross_validation.", "sklearn.model_selection."),
    ("sklearn.grid_search.", "sklearn.model_selection."),
    ("sklearn.learning_curve.", "sklearn.model_selection."),
    ("sklearn.externals.joblib.", "joblib."),
)
_LEGACY: dict[str, str] = {
    "sklearn.preprocessing.Imputer": "sklearn.impute.SimpleImputer",
    "sklearn.preprocessing.imputation.Imputer": "sklearn.impute.SimpleImputer",
    "torch.autograd.Variable": "torch.tensor",
}


def modern(qualname: str) -> str:
    """The object a removed spelling stands for (see ``_LEGACY_PREFIXES``), else ``qualname``."""
    found = _LEGACY.get(qualname)
    if found is not None:
        return found
    for prefix, replacement in _LEGACY_PREFIXES:
        if qualname.startswith(prefix):
            return replacement + qualname[len(prefix) :]
    return qualname


# --------------------------------------------------------------------------- pandas

_PANDAS_FRAME_FACTORIES = frozenset(
    {
        "DataFrame",
        "read_csv",
        "read_table",
        "read_excel",
        "read_parquet",
        "read_json",
        "read_sql",
        "read_sql_query",
        "read_sql_table",
        "read_feather",
        "read_pickle",
        "read_hdf",
        "read_stata",
        "read_sas",
        "read_spss",
        "read_orc",
        "read_fwf",
        "read_xml",
        "read_clipboard",
        "merge",
        "merge_asof",
        "merge_ordered",
        "get_dummies",
        "pivot_table",
        "crosstab",
        "json_normalize",
        "melt",
    }
)

#: Calls of these qualified names return the given kind.
CALL_RESULT: dict[str, Kind] = {f"pandas.{n}": Kind.DATAFRAME for n in _PANDAS_FRAME_FACTORIES}
CALL_RESULT.update(
    {
        "pandas.Series": Kind.SERIES,
        "pandas.Index": Kind.INDEX,
        "pandas.date_range": Kind.INDEX,
    }
)
#: pandas readers that return an iterator of frames instead when given one of these keywords.
READER_ITERATOR_KEYWORDS = frozenset({"chunksize", "iterator"})
#: pandas functions returning what their first argument is (a Series for a Series ...), when
#: that argument is a Series or a DataFrame (``pd.to_numeric(df)`` raises; not a concern).
PANDAS_SERIES_FUNCTIONS = frozenset(
    {"pandas.to_datetime", "pandas.to_numeric", "pandas.to_timedelta", "pandas.cut", "pandas.qcut"}
)

#: DataFrame methods whose result is a DataFrame.
FRAME_TO_FRAME = frozenset(
    {
        "abs", "add_prefix", "add_suffix", "assign", "astype", "bfill", "clip",
        "combine_first", "convert_dtypes", "copy", "corr", "cov", "cummax", "cummin",
        "cumprod", "cumsum", "describe", "diff", "drop", "drop_duplicates", "dropna",
        "explode", "ffill", "fillna", "filter", "head", "infer_objects", "interpolate",
        "isin", "isna", "isnull", "join", "mask", "melt", "merge", "nlargest", "notna",
        "notnull", "nsmallest", "pct_change", "pivot", "pivot_table", "query", "rank",
        "reindex", "rename", "rename_axis", "reorder_levels", "replace", "round", "sample",
        "select_dtypes", "set_axis", "set_index", "shift", "sort_index", "sort_values",
        "swapaxes", "tail", "transpose", "truncate", "tz_convert", "tz_localize", "where",
        "map", "applymap", "reset_index", "asfreq", "droplevel", "transform",
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "truediv", "floordiv",
        "mod", "pow", "radd", "rsub", "rmul", "rdiv", "rtruediv", "eq", "ne", "lt", "le",
        "gt", "ge", "unstack", "mode", "reindex_like", "set_flags", "take", "xs",
        "select",
        # removed from pandas, but old code that calls them got a DataFrame back
        "append", "pad", "backfill",
    }
)  # fmt: skip

#: DataFrame methods whose result is a Series (reductions along an axis).
FRAME_TO_SERIES = frozenset(
    {
        "count", "nunique", "idxmax", "idxmin", "memory_usage", "any", "all", "mean",
        "median", "sum", "std", "var", "min", "max", "prod", "sem", "skew", "kurt",
        "value_counts", "duplicated", "stack", "corrwith", "kurtosis", "product",
    }
)  # fmt: skip

#: Series methods whose result is a Series.
SERIES_TO_SERIES = frozenset(
    {
        "abs", "astype", "between", "bfill", "clip", "copy", "cummax", "cummin", "cumprod",
        "cumsum", "diff", "drop", "drop_duplicates", "dropna", "duplicated", "explode",
        "ffill", "fillna", "head", "interpolate", "isin", "isna", "isnull", "map", "mask",
        "nlargest", "notna", "notnull", "nsmallest", "pct_change", "rank", "reindex",
        "rename", "replace", "round", "sample", "shift", "sort_index", "sort_values", "tail",
        "value_counts", "where", "apply", "transform", "append", "pad", "backfill",
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "truediv", "floordiv",
        "mod", "pow", "radd", "rsub", "rmul", "rdiv", "rtruediv", "eq", "ne", "lt", "le",
        "gt", "ge", "mode", "rename_axis", "reindex_like", "set_axis", "take",
        "convert_dtypes", "infer_objects", "combine_first",
    }
)  # fmt: skip
#: Methods of a frame or Series giving a groupby or window object over it.
GROUPING_METHODS = frozenset({"groupby", "rolling", "expanding", "ewm", "resample"})
#: Reductions of a groupby (or window) object: a DataFrame over a frame, a Series over a Series.
GROUPBY_REDUCTIONS = frozenset(
    {
        "agg", "aggregate", "sum", "mean", "median", "min", "max", "std", "var", "sem",
        "count", "first", "last", "nunique", "prod", "cumsum", "cumcount", "cummax", "cummin",
        "cumprod", "quantile", "head", "tail", "nth", "shift", "diff", "pct_change", "rank",
        "transform", "fillna", "ffill", "bfill", "skew", "corr", "cov", "idxmax", "idxmin",
        "all", "any", "filter",
    }
)  # fmt: skip
#: Accessors of a Series whose methods and properties give a Series.
SERIES_ACCESSORS = frozenset({"str", "dt", "cat"})
#: Accessor methods that give something else (a frame, a list ...).
ACCESSOR_NOT_SERIES = frozenset(
    {"split", "extract", "get_dummies", "partition", "rpartition", "components", "to_pytimedelta"}
)

FRAME_ATTRIBUTES: dict[str, Kind] = {
    "T": Kind.DATAFRAME,
    "columns": Kind.INDEX,
    "index": Kind.INDEX,
    "dtypes": Kind.SERIES,
    "values": Kind.NDARRAY,
    "loc": Kind.FRAME_INDEXER,
    "iloc": Kind.FRAME_INDEXER,
    "ix": Kind.FRAME_INDEXER,  # removed in pandas 1.0, indexed like loc and iloc
}
FRAME_OR_SERIES_ATTRIBUTES: dict[str, Kind] = {"values": Kind.NDARRAY, "index": Kind.INDEX}

#: Methods that by a convention libraries share give pandas objects, whatever their
#: receiver (BigQuery's ``to_dataframe``, pyarrow's, polars' and datasets' ``to_pandas``,
#: bq_helper's ``query_to_pandas``, Spark's ``toPandas``): the kind of their result when the
#: receiver is unknown (a receiver of the file's own classes runs its own method).
TO_PANDAS: dict[str, Kind] = {
    "to_dataframe": Kind.DATAFRAME,
    "toPandas": Kind.DATAFRAME,
    "query_to_pandas": Kind.DATAFRAME,
    "query_to_pandas_safe": Kind.DATAFRAME,
    "to_pandas": Kind.FRAME_OR_SERIES,
}

#: Functions returning a training and a test part of each array they are given, in order
#: (``X_train, X_test, y_train, y_test = train_test_split(X, y)``), each of its array's kind.
SPLITTING_FUNCTIONS = frozenset({"sklearn.model_selection.train_test_split"})

#: Packages whose import makes a file one where kinds across functions are worth working
#: out (see :mod:`mlsmells.semantic.program`).
DATA_ROOTS = frozenset(
    {
        "pandas", "numpy", "torch", "sklearn", "imblearn", "lightning", "pytorch_lightning",
        "transformers", "xgboost", "lightgbm", "catboost", "torchvision", "datasets",
    }
)  # fmt: skip

#: Libraries whose calls give objects that only look like pandas or torch ones (an xarray
#: Dataset has ``rename(inplace=...)``): a name bound to what they return proves nothing by
#: its uses.
LOOKALIKE_ROOTS = frozenset(
    {
        "xarray", "polars", "dask", "modin", "cudf", "pyspark", "databricks", "vaex",
        "tensorflow", "keras", "jax", "cupy", "mxnet", "paddle",
    }
)  # fmt: skip

SERIES_ATTRIBUTES: dict[str, Kind] = {
    "index": Kind.INDEX,
    "values": Kind.NDARRAY,
    "T": Kind.SERIES,
    "loc": Kind.SERIES_INDEXER,
    "iloc": Kind.SERIES_INDEXER,
    "ix": Kind.SERIES_INDEXER,
    **dict.fromkeys(SERIES_ACCESSORS, Kind.SERIES_ACCESSOR),
}

# --------------------------------------------------------------------------- numpy

_NUMPY_ARRAY_FACTORIES = frozenset(
    {
        "array", "asarray", "asanyarray", "ascontiguousarray", "zeros", "ones", "empty",
        "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
        "logspace", "geomspace", "eye", "identity", "concatenate", "stack", "vstack",
        "hstack", "dstack", "column_stack", "loadtxt", "genfromtxt", "fromfile", "frombuffer",
        "tile", "repeat", "diag", "outer", "matmul", "dot", "cumsum", "cumprod", "sort",
        "argsort", "unique", "append", "reshape", "transpose", "clip", "abs", "exp", "log",
        "sqrt", "square", "isnan", "isfinite",
    }
)  # fmt: skip
CALL_RESULT.update({f"numpy.{n}": Kind.NDARRAY for n in _NUMPY_ARRAY_FACTORIES})

NDARRAY_TO_NDARRAY = frozenset(
    {"astype", "copy", "reshape", "flatten", "ravel", "transpose", "squeeze", "clip", "round"}
)
NDARRAY_ATTRIBUTES: dict[str, Kind] = {"T": Kind.NDARRAY}

# --------------------------------------------------------------------------- torch

_TORCH_TENSOR_FACTORIES = frozenset(
    {
        "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "rand",
        "randn", "randint", "randperm", "arange", "linspace", "logspace", "eye",
        "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
        "randint_like", "cat", "concat", "stack", "hstack", "vstack", "matmul", "mm", "bmm",
        "where", "softmax", "log_softmax", "sigmoid", "tanh", "relu", "exp", "log", "abs",
        "sqrt", "clamp", "flatten", "reshape", "squeeze", "unsqueeze", "argmax", "argmin",
        "Tensor", "FloatTensor", "LongTensor", "IntTensor", "BoolTensor", "DoubleTensor",
        "HalfTensor", "ByteTensor",
    }
)  # fmt: skip
CALL_RESULT.update({f"torch.{n}": Kind.TENSOR for n in _TORCH_TENSOR_FACTORIES})
CALL_RESULT.update(
    {
        "torch.nn.Parameter": Kind.TENSOR,
        "torch.utils.data.DataLoader": Kind.DATALOADER,
        "torch.nn.functional.softmax": Kind.TENSOR,
        "torch.nn.functional.log_softmax": Kind.TENSOR,
        "torch.nn.functional.relu": Kind.TENSOR,
        "torch.nn.functional.dropout": Kind.TENSOR,
        "torch.nn.functional.linear": Kind.TENSOR,
        "torch.nn.functional.one_hot": Kind.TENSOR,
    }
)

#: Progress bars that yield the items of the iterable they wrap (``tqdm(loader)``).
PROGRESS_WRAPPERS = frozenset(
    {
        "tqdm.tqdm", "tqdm.std.tqdm", "tqdm.auto.tqdm", "tqdm.autonotebook.tqdm",
        "tqdm.notebook.tqdm", "tqdm.tqdm_notebook", "tqdm.notebook.tqdm_notebook",
        "tqdm.rich.tqdm",
    }
)  # fmt: skip

#: torch.nn.functional losses: their result is a loss value.
FUNCTIONAL_LOSSES = frozenset(
    {
        "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
        "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
        "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss", "ctc_loss",
        "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
        "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
        "triplet_margin_loss", "triplet_margin_with_distance_loss",
    }
)  # fmt: skip
CALL_RESULT.update({f"torch.nn.functional.{n}": Kind.LOSS for n in FUNCTIONAL_LOSSES})

#: Tensor methods whose result is a Tensor.
TENSOR_TO_TENSOR = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "long", "int", "bool",
        "byte", "view", "view_as", "reshape", "permute", "transpose", "contiguous", "detach",
        "clone", "squeeze", "unsqueeze", "flatten", "mean", "sum", "softmax", "log_softmax",
        "argmax", "argmin", "abs", "exp", "log", "sqrt", "pow", "t", "expand", "expand_as",
        "repeat", "masked_fill", "clamp", "type", "type_as", "sigmoid", "tanh", "relu",
        "matmul", "mm", "norm", "requires_grad_", "pin_memory",
    }
)  # fmt: skip
TENSOR_ATTRIBUTES: dict[str, Kind] = {"T": Kind.TENSOR, "grad": Kind.TENSOR, "data": Kind.TENSOR}

#: Module methods that return the module itself.
MODULE_TO_MODULE = frozenset(
    {"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "bfloat16", "requires_grad_"}
)

#: Bases (qualified) that make a class an ``nn.Module``.
MODULE_BASES = frozenset(
    {
        "torch.nn.Module",
        "torch.nn.Sequential",
        "torch.nn.ModuleList",
        "torch.nn.ModuleDict",
        "lightning.pytorch.LightningModule",
        "lightning.LightningModule",
        "pytorch_lightning.LightningModule",
        # Hugging Face model bases (subclasses of nn.Module).
        "transformers.PreTrainedModel",
        "transformers.modeling_utils.PreTrainedModel",
        "diffusers.ModelMixin",
        "diffusers.modeling_utils.ModelMixin",
        "diffusers.models.ModelMixin",
        "diffusers.models.modeling_utils.ModelMixin",
    }
)

#: Lightning's module class (as :func:`canonical` spells it), and its methods that are called
#: with a batch of a data loader as their first argument.
LIGHTNING_MODULE = "lightning.pytorch.LightningModule"
LIGHTNING_BATCH_STEPS = frozenset({"training_step", "validation_step", "test_step", "predict_step"})

#: Class methods of those bases that return an instance of the class they are called on
#: (``MyModel.from_pretrained(path)``).
MODULE_FACTORIES = frozenset({"from_pretrained", "from_config"})

#: Wrappers in ``torch.nn.parallel`` (Modules; their ``.module`` is the wrapped Module).
_PARALLEL_WRAPPERS = frozenset({"DistributedDataParallel", "DataParallel"})

#: torch.nn classes that are not Modules although they live in ``torch.nn``.
_NN_NOT_MODULES = frozenset({"Parameter", "ParameterList", "ParameterDict", "Buffer"})


def torch_class_kind(qualname: str) -> Kind | None:
    """Kind of an instance of the torch class ``qualname`` (``None``: not a known torch class)."""
    parts = qualname.split(".")
    last = parts[-1]
    if not last[:1].isupper():
        return None
    if len(parts) == 3 and parts[0] == "torch" and parts[1] == "nn":
        if last in _NN_NOT_MODULES:
            return None
        return Kind.LOSS_MODULE if last.endswith("Loss") else Kind.MODULE
    if parts[:3] == ["torch", "nn", "parallel"] and last in _PARALLEL_WRAPPERS:
        return Kind.MODULE
    if qualname.startswith("torch.optim.lr_scheduler."):
        return Kind.LR_SCHEDULER if last not in {"LRScheduler", "_LRScheduler"} else None
    if qualname == "torch.optim.swa_utils.SWALR":
        return Kind.LR_SCHEDULER
    if len(parts) == 3 and parts[:2] == ["torch", "optim"] and last != "Optimizer":
        return Kind.OPTIMIZER
    if len(parts) == 4 and parts[:2] == ["torch", "optim"] and parts[2] in _OPTIM_SUBMODULES:
        return Kind.OPTIMIZER  # torch.optim.adamw.AdamW
    return None


#: Submodules of ``torch.optim`` that define one optimizer class each.
_OPTIM_SUBMODULES = frozenset(
    {
        "adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "asgd", "lbfgs",
        "nadam", "radam", "rmsprop", "rprop", "sgd", "sparse_adam",
    }
)  # fmt: skip

# ------------------------------------------------------------------ transformers

#: transformers' learning-rate schedule factories (they return a ``LambdaLR``).
_TRANSFORMERS_SCHEDULES = frozenset(
    {
        "get_scheduler", "get_constant_schedule", "get_constant_schedule_with_warmup",
        "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        "get_polynomial_decay_schedule_with_warmup", "get_inverse_sqrt_schedule",
        "get_wsd_schedule", "get_reduce_on_plateau_schedule",
        "get_cosine_with_min_lr_schedule_with_warmup",
    }
)  # fmt: skip
for _module in ("transformers", "transformers.optimization"):
    CALL_RESULT.update({f"{_module}.{n}": Kind.LR_SCHEDULER for n in _TRANSFORMERS_SCHEDULES})
    CALL_RESULT.update({f"{_module}.{n}": Kind.OPTIMIZER for n in ("AdamW", "Adafactor")})


def is_module_base(qualname: str) -> bool:
    if qualname in MODULE_BASES:
        return True
    return torch_class_kind(qualname) in MODULE_KINDS


#: Annotations (qualified) of sequences whose subscript declares the kind of the elements.
SEQUENCE_ANNOTATIONS = frozenset(
    {
        "typing.List", "builtins.list", "typing.Tuple", "builtins.tuple", "typing.Sequence",
        "collections.abc.Sequence", "typing.MutableSequence", "collections.abc.MutableSequence",
    }
)  # fmt: skip

#: Annotations (qualified) that declare a kind.
ANNOTATION_KIND: dict[str, Kind] = {
    "pandas.DataFrame": Kind.DATAFRAME,
    "pandas.Series": Kind.SERIES,
    "pandas.Index": Kind.INDEX,
    "numpy.ndarray": Kind.NDARRAY,
    "numpy.typing.NDArray": Kind.NDARRAY,
    "torch.Tensor": Kind.TENSOR,
    "torch.nn.Module": Kind.MODULE,
    "torch.optim.Optimizer": Kind.OPTIMIZER,
    "torch.optim.lr_scheduler.LRScheduler": Kind.LR_SCHEDULER,
    "torch.utils.data.DataLoader": Kind.DATALOADER,
}
