"""Checks of the opinionated family (ML9xx, off by default)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from mlsmells.engine import Check, Context, iter_local_nodes
from mlsmells.rules._util import has_star_kwargs, is_none, keyword
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import Scope, ScopeType, last_names

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _short(qualname: str) -> str:
    return qualname.rpartition(".")[2]


# --------------------------------------------------------------------- ML901

_SK = "sklearn"
#: scikit-learn classes and the hyper-parameters that matter most for them.
_SKLEARN_IMPORTANT: dict[str, tuple[str, ...]] = {}


def _important(module: str, names: Sequence[str], params: tuple[str, ...]) -> None:
    for name in names:
        _SKLEARN_IMPORTANT[f"{_SK}.{module}.{name}"] = params


_important(
    "ensemble", ("AdaBoostClassifier", "AdaBoostRegressor"), ("n_estimators", "learning_rate")
)
_important(
    "ensemble",
    ("GradientBoostingClassifier", "GradientBoostingRegressor"),
    ("n_estimators", "learning_rate", "max_depth"),
)
_important(
    "ensemble",
    ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor"),
    ("learning_rate", "max_iter", "max_leaf_nodes", "max_depth"),
)
_important(
    "ensemble",
    ("RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
     "ExtraTreesRegressor"),
    ("n_estimators", "max_features", "max_depth", "min_samples_leaf"),
)  # fmt: skip
_important(
    "tree",
    ("DecisionTreeClassifier", "DecisionTreeRegressor"),
    ("max_depth", "min_samples_leaf", "max_leaf_nodes", "ccp_alpha"),
)
_important("svm", ("SVC", "SVR"), ("C", "kernel", "gamma"))
_important("svm", ("NuSVC",), ("nu", "kernel", "gamma"))
_important("svm", ("NuSVR",), ("C", "nu", "kernel", "gamma"))
_important("svm", ("LinearSVC", "LinearSVR"), ("C",))
_important("neighbors", ("KNeighborsClassifier", "KNeighborsRegressor"), ("n_neighbors",))
_important("neighbors", ("RadiusNeighborsClassifier", "RadiusNeighborsRegressor"), ("radius",))
_important("neural_network", ("MLPClassifier", "MLPRegressor"),
           ("hidden_layer_sizes", "alpha", "learning_rate_init"))  # fmt: skip
_important("linear_model", ("LogisticRegression",), ("C", "penalty", "l1_ratio"))
_important("linear_model", ("Ridge", "RidgeClassifier", "Lasso"), ("alpha",))
_important("linear_model", ("ElasticNet",), ("alpha", "l1_ratio"))
_important("linear_model", ("SGDClassifier", "SGDRegressor"), ("loss", "alpha", "penalty"))
_important("cluster", ("KMeans", "MiniBatchKMeans"), ("n_clusters",))
_important("cluster", ("AgglomerativeClustering",), ("n_clusters", "distance_threshold"))
_important("cluster", ("DBSCAN",), ("eps", "min_samples"))
_important("decomposition", ("PCA", "TruncatedSVD"), ("n_components",))
_important("preprocessing", ("PolynomialFeatures",), ("degree",))

#: torch.optim classes and their important hyper-parameters (``params`` is the first argument).
_TORCH_IMPORTANT: dict[str, tuple[str, ...]] = {
    "SGD": ("lr", "momentum", "weight_decay"),
    "RMSprop": ("lr", "momentum", "weight_decay"),
    "Adam": ("lr", "weight_decay"),
    "AdamW": ("lr", "weight_decay"),
    "Adamax": ("lr", "weight_decay"),
    "NAdam": ("lr", "weight_decay"),
    "RAdam": ("lr", "weight_decay"),
    "Adadelta": ("lr", "weight_decay"),
    "Adagrad": ("lr", "weight_decay"),
    "ASGD": ("lr", "weight_decay"),
    "Rprop": ("lr",),
    "LBFGS": ("lr",),
    "SparseAdam": ("lr",),
}


#: Last components of the classes ML901 looks at (a callee ending otherwise is none).
_IMPORTANT_NAMES = last_names(
    [*_SKLEARN_IMPORTANT, *(f"torch.optim.{name}" for name in _TORCH_IMPORTANT)]
)


def _torch_optimizer(qualname: str) -> str | None:
    parts = qualname.split(".")
    if parts[:2] != ["torch", "optim"] or len(parts) not in (3, 4):
        return None
    return parts[-1] if parts[-1] in _TORCH_IMPORTANT else None


class HyperparametersNotSet(Check):
    """ML901: an estimator or optimizer with none of its important hyper-parameters set."""

    codes = ("ML901",)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn", "torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._tuning: dict[int, dict[str, list[ast.AST]]] = {}
        """id of a scope's body -> :func:`_tuning_nodes` of it (computed once per scope)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _IMPORTANT_NAMES):
            return  # cheap: most callees end in none of these names
        qualname = self.model.qualname(node.func)
        if qualname is None or has_star_kwargs(node):
            return
        params = _SKLEARN_IMPORTANT.get(qualname)
        positional_limit = 0
        if params is None:
            optimizer = _torch_optimizer(qualname)
            if optimizer is None:
                return
            params = _TORCH_IMPORTANT[optimizer]
            positional_limit = 1  # the parameters to optimize
        if len(node.args) > positional_limit or any(
            isinstance(arg, ast.Starred) for arg in node.args
        ):
            return
        if any(keyword(node, p) is not None for p in params):
            return
        if self._handed_on(node) or self._tuned_later(node):
            return
        self.report(
            "ML901", node, name=_short(qualname), params=", ".join(f"`{p}`" for p in params)
        )

    def _handed_on(self, call: ast.Call) -> bool:
        """Whether the new object goes straight into another call (a Pipeline, a search ...).

        Whoever receives it may set its hyper-parameters (``GridSearchCV(SVC(), grid)``,
        a pipeline that a search tunes later): the rule cannot tell.
        """
        child: ast.AST = call
        for parent in reversed(self.ctx.ancestors):
            if isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred)):
                child = parent
                continue
            if isinstance(parent, ast.keyword):
                return True
            return isinstance(parent, ast.Call) and child is not parent.func
        return False

    def _tuned_later(self, call: ast.Call) -> bool:
        """``clf = SVC()`` later handed to another call (a Pipeline, a search, a validation
        curve, a helper), given ``set_params(...)``, or an attribute set: its values may be
        set there. (Imports may come later in a notebook, so the callee is not resolved.)"""
        parent = self.ctx.parent
        if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
            return False
        target = parent.targets[0]
        if not isinstance(target, ast.Name):
            return False
        name = target.id
        body = getattr(self.model.scope.node, "body", None)
        if not isinstance(body, list):
            return False
        tuning = self._tuning.get(id(body))
        if tuning is None:
            tuning = self._tuning[id(body)] = _tuning_nodes(body)
        return any(node is not call for node in tuning.get(name, ()))


def _tuning_nodes(body: list[ast.stmt]) -> dict[str, list[ast.AST]]:
    """Per name, the nodes of ``body`` (outside nested definitions) that may set the values
    of the object it names: an attribute set on it, its ``set_params(...)``, a call it is
    handed to. (One walk per scope: walking the scope once per estimator is quadratic.)"""
    found: dict[str, list[ast.AST]] = {}
    for node in iter_local_nodes(body):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name):
                found.setdefault(node.value.id, []).append(node)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "set_params":
            if isinstance(func.value, ast.Name):
                found.setdefault(func.value.id, []).append(node)
        for arg in _arguments(node):
            for name in _names_in(arg):
                found.setdefault(name, []).append(node)
    return found


def _arguments(call: ast.Call) -> Iterator[ast.expr]:
    yield from call.args
    for kw in call.keywords:
        yield kw.value


def _names_in(expr: ast.expr) -> Iterator[str]:
    """The name ``expr`` is, or the names in a list/tuple/dict literal it is (pipeline steps)."""
    if isinstance(expr, ast.Name):
        yield expr.id
    elif isinstance(expr, ast.Starred):
        yield from _names_in(expr.value)
    elif isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        for element in expr.elts:
            yield from _names_in(element)
    elif isinstance(expr, ast.Dict):
        for value in expr.values:
            yield from _names_in(value)


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


def _is_name(expr: ast.expr, name: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == name


# --------------------------------------------------------------------- ML902

_READERS = frozenset({"pandas.read_csv", "pandas.read_table", "pandas.read_excel"})


class ReadWithoutDtype(Check):
    """ML902: a pandas reader without ``dtype=``."""

    codes = ("ML902",)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        qualname = self.model.qualname(node.func)
        if qualname not in _READERS or has_star_kwargs(node):
            return
        if keyword(node, "dtype") is not None or keyword(node, "converters") is not None:
            return
        self.report("ML902", node, func=f"pd.{_short(qualname)}")


# --------------------------------------------------------------------- ML903


#: Index of ``how`` among the positional parameters of each merge spelling.
_HOW_POSITION = {"pd.merge": 2, "DataFrame.merge": 1, "DataFrame.join": 2}


class MergeNotValidated(Check):
    """ML903: a merge or join without explicit ``how=`` and ``validate=``."""

    codes = ("ML903",)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        method = self._method(node)
        if method is None or has_star_kwargs(node):
            return
        missing = [k for k in ("how", "validate") if keyword(node, k) is None]
        if len(node.args) > _HOW_POSITION[method]:
            missing = [k for k in missing if k != "how"]  # ``how`` passed by position
        if not missing:
            return
        default = "left" if method.endswith("join") else "inner"
        self.report(
            "ML903",
            node,
            method=method,
            missing=" and ".join(f"`{k}=`" for k in missing),
            data=(("how", "missing" if "how" in missing else "set"), ("default", default)),
        )

    def _method(self, call: ast.Call) -> str | None:
        func = call.func
        if self.model.qualname(func) == "pandas.merge":
            return "pd.merge"
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("merge", "join")
            and self.model.kind_of(func.value) is Kind.DATAFRAME
        ):
            return f"DataFrame.{func.attr}"
        return None


# --------------------------------------------------------------------- ML904


def _filler(value: ast.expr) -> str | None:
    """The source of a placeholder constant (``0``, ``0.0``, ``""``), else None."""
    if not isinstance(value, ast.Constant) or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)) and value.value == 0:
        return repr(value.value)
    if value.value == "":
        return '""'
    return None


def _is_literal(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp):
        return _is_literal(expr.operand)
    return isinstance(expr, ast.Constant)


def _str_key(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def _same_name(expr: ast.expr, name: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == name


def _writes_column(target: ast.expr, frame: str, column: str) -> bool:
    """``frame.loc[rows, column]``, ``frame.at[row, column]`` or ``frame[column][rows]``."""
    if not isinstance(target, ast.Subscript):
        return False
    base = target.value
    if isinstance(base, ast.Attribute) and base.attr in ("loc", "at"):
        key = target.slice
        return (
            _same_name(base.value, frame)
            and isinstance(key, ast.Tuple)
            and len(key.elts) == 2
            and _str_key(key.elts[1]) == column
        )
    return (
        isinstance(base, ast.Subscript)
        and _same_name(base.value, frame)
        and _str_key(base.slice) == column
    )


class EmptyColumnFiller(Check):
    """ML904: a column set to ``0``/``""`` as a placeholder, then filled in part."""

    codes = ("ML904",)
    nodes = (ast.Assign,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Subscript) or not isinstance(target.value, ast.Name):
            return
        column = _str_key(target.slice)
        value = _filler(node.value)
        if column is None or value is None:
            return
        if self.model.kind_of(target.value) is not Kind.DATAFRAME:
            return
        if self._filled_later(node, target.value.id, column):
            self.report("ML904", node, column=column, value=value)

    def _filled_later(self, stmt: ast.Assign, frame: str, column: str) -> bool:
        scope = self.model.scope.node
        body = getattr(scope, "body", None)
        if not isinstance(body, list):
            return False
        after = False
        for node in iter_local_nodes(body):
            if node is stmt:
                after = True
                continue
            if not after or not isinstance(node, (ast.Assign, ast.AugAssign)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_writes_column(t, frame, column) for t in targets):
                if isinstance(node, ast.AugAssign) or _is_literal(node.value):
                    return False  # a counter or an indicator: the constant is meaningful
                return True
        return False


# --------------------------------------------------------------------- ML905

_SHAPED = frozenset({"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full"})
_SQUARE = frozenset({"numpy.eye", "numpy.identity", "numpy.outer"})
_SIZED = frozenset(
    {
        "numpy.random.random", "numpy.random.random_sample", "numpy.random.standard_normal",
        "numpy.random.normal", "numpy.random.uniform", "numpy.random.randint",
    }
)  # fmt: skip
_PRODUCTS = frozenset({"numpy.dot", "numpy.matmul"})
_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)


def _literal_depth(expr: ast.expr) -> int | None:
    """Nesting depth of a rectangular list/tuple literal of numbers (a number: 0)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float, complex)):
        return 0 if not isinstance(expr.value, bool) else None
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return _literal_depth(expr.operand)
    if isinstance(expr, (ast.List, ast.Tuple)) and expr.elts:
        depths = {_literal_depth(e) for e in expr.elts}
        if len(depths) == 1:
            (depth,) = depths
            return None if depth is None else depth + 1
    return None


def _shape_rank(expr: ast.expr) -> int | None:
    if isinstance(expr, (ast.Tuple, ast.List)):
        if any(isinstance(e, ast.Starred) for e in expr.elts):
            return None
        return len(expr.elts)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return 1
    return None


class MatrixProductWithDot(Check):
    """ML905: ``np.dot`` of two operands known to be 2-D arrays."""

    codes = ("ML905",)
    nodes = (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Call)
    requires = frozenset({"numpy"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._ranks: dict[int, int] = {}
        """id(value expression of a binding) -> its number of dimensions, when known."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
            return
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
        value = node.value
        if value is None:
            return
        self._remember(value)
        if isinstance(value, (ast.Tuple, ast.List)):
            for elt in value.elts:
                self._remember(elt)

    def _remember(self, value: ast.expr) -> None:
        rank = self._rank(value, 0)
        if rank is not None:
            self._ranks[id(value)] = rank

    def _call(self, call: ast.Call) -> None:
        if self.model.qualname(call.func) != "numpy.dot":
            return
        if len(call.args) != 2 or call.keywords:
            return  # ``out=`` has no ``@`` spelling
        left, right = call.args
        if self._rank(left, 0) == 2 and self._rank(right, 0) == 2:
            self.report(
                "ML905",
                call,
                func=self.ctx.source_of(call.func),
                left=self.ctx.source_of(left),
                right=self.ctx.source_of(right),
            )

    def _rank(self, expr: ast.expr, depth: int) -> int | None:
        """The number of dimensions of the ndarray ``expr`` evaluates to, if known."""
        if depth > 20:
            return None
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None or binding.node is None:
                return None
            return self._ranks.get(id(binding.node))
        if isinstance(expr, ast.Call):
            return self._call_rank(expr, depth)
        if isinstance(expr, ast.Attribute):
            if expr.attr == "T":
                return self._rank(expr.value, depth + 1)
            if expr.attr == "values" and self.model.kind_of(expr.value) is Kind.DATAFRAME:
                return 2
            return None
        if isinstance(expr, ast.BinOp):
            left = self._rank(expr.left, depth + 1)
            right = self._rank(expr.right, depth + 1)
            if isinstance(expr.op, ast.MatMult):
                return 2 if left == 2 and right == 2 else None
            if isinstance(expr.op, _ELEMENTWISE):
                if _is_number(expr.left):
                    return right
                if _is_number(expr.right):
                    return left
                return left if left is not None and left == right else None
        return None

    def _call_rank(self, call: ast.Call, depth: int) -> int | None:
        qualname = self.model.qualname(call.func)
        has_starred = any(isinstance(a, ast.Starred) for a in call.args)
        if qualname is not None and not has_starred:
            if qualname in _SHAPED:
                shape = call.args[0] if call.args else _kw_value(call, "shape")
                return _shape_rank(shape) if shape is not None else None
            if qualname in _SQUARE:
                return 2
            if qualname in ("numpy.random.rand", "numpy.random.randn"):
                return len(call.args) or None
            if qualname in _SIZED:
                size = _kw_value(call, "size")
                return _shape_rank(size) if size is not None else None
            if qualname in ("numpy.array", "numpy.asarray") and call.args:
                return self._array_rank(call.args[0], depth)
            if qualname in _PRODUCTS and len(call.args) == 2:
                ranks = [self._rank(a, depth + 1) for a in call.args]
                return 2 if ranks == [2, 2] else None
            if qualname == "numpy.transpose" and len(call.args) == 1:
                return self._rank(call.args[0], depth + 1)
            if qualname == "numpy.reshape" and len(call.args) == 2:
                return _shape_rank(call.args[1])
        func = call.func
        if not isinstance(func, ast.Attribute) or has_starred:
            return None
        receiver_kind = self.model.kind_of(func.value)
        if func.attr == "to_numpy" and receiver_kind is Kind.DATAFRAME:
            return 2
        if func.attr == "reshape" and (
            receiver_kind is Kind.NDARRAY or self._rank(func.value, depth + 1) is not None
        ):
            if len(call.args) == 1:
                return _shape_rank(call.args[0])
            return len(call.args) if call.args and not call.keywords else None
        if func.attr in ("copy", "astype") and receiver_kind is Kind.NDARRAY:
            return self._rank(func.value, depth + 1)
        return None

    def _array_rank(self, data: ast.expr, depth: int) -> int | None:
        literal = _literal_depth(data)
        if literal is not None:
            return literal
        return self._rank(data, depth + 1)


def _kw_value(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def _is_number(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp):
        return _is_number(expr.operand)
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float))


# --------------------------------------------------------------------- ML909

_SENSITIVE: frozenset[str] = frozenset(
    f"{_SK}.{path}"
    for path in (
        "svm.SVC", "svm.SVR", "svm.NuSVC", "svm.NuSVR", "svm.LinearSVC", "svm.LinearSVR",
        "neighbors.KNeighborsClassifier", "neighbors.KNeighborsRegressor",
        "neighbors.RadiusNeighborsClassifier", "neighbors.RadiusNeighborsRegressor",
        "neighbors.NearestNeighbors", "decomposition.PCA", "decomposition.KernelPCA",
        "neural_network.MLPClassifier", "neural_network.MLPRegressor",
        "linear_model.SGDClassifier", "linear_model.SGDRegressor",
        "linear_model.LogisticRegression", "linear_model.LogisticRegressionCV",
        "linear_model.Ridge", "linear_model.RidgeCV", "linear_model.RidgeClassifier",
        "linear_model.RidgeClassifierCV", "linear_model.Lasso", "linear_model.LassoCV",
        "linear_model.ElasticNet", "linear_model.ElasticNetCV",
    )
)  # fmt: skip

#: scikit-learn datasets of real measurements in mixed units (not pre-scaled, not synthetic).
_RAW_DATASETS: frozenset[str] = frozenset(
    f"{_SK}.datasets.{name}"
    for name in (
        "load_wine", "load_breast_cancer", "fetch_california_housing", "fetch_covtype",
        "fetch_kddcup99", "fetch_openml",
    )
)  # fmt: skip
_PANDAS_READERS = frozenset(
    f"pandas.{n}"
    for n in ("read_csv", "read_table", "read_excel", "read_parquet", "read_sql", "read_json")
)
#: Methods that select or clean rows/columns and keep the values as they are.
_KEEPING_METHODS = frozenset(
    {"drop", "dropna", "fillna", "copy", "astype", "to_numpy", "select_dtypes", "sample",
     "reset_index", "head", "tail", "filter", "sort_index", "sort_values"}
)  # fmt: skip
_SPLITTER = "sklearn.model_selection.train_test_split"
_FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict"})
#: Anything in ``sklearn.preprocessing`` that rescales features.
_SCALERS = frozenset(
    f"{_SK}.preprocessing.{n}"
    for n in (
        "StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer",
        "QuantileTransformer", "PowerTransformer", "SplineTransformer", "KBinsDiscretizer",
        "scale", "minmax_scale", "maxabs_scale", "robust_scale", "normalize",
        "quantile_transform", "power_transform",
    )
)  # fmt: skip
_SCALER_NAMES = last_names(_SCALERS)
#: Reductions whose use in arithmetic means hand-written standardisation.
_STATISTICS = frozenset({"mean", "std", "var", "min", "max", "median", "quantile", "norm"})


class ScalerMissing(Check):
    """ML909: a scaling-sensitive estimator fit on raw tabular data, in one scope."""

    codes = ("ML909",)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._fitting: set[int] = set()
        """ids of the function (or module) nodes with a ``.fit(X, ...)`` call of their own
        (a comprehension's is its function's): the only scopes that can have a finding."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _FIT_METHODS and node.args:
            scope = self.model.scope
            while scope.type is ScopeType.COMPREHENSION and scope.parent is not None:
                scope = scope.parent
            self._fitting.add(id(scope.node))

    def leave_scope(self, scope: Scope) -> None:
        if scope.type not in (ScopeType.MODULE, ScopeType.FUNCTION):
            return
        if id(scope.node) not in self._fitting:
            return  # no fit call: walking the scope would find nothing to report
        body = getattr(scope.node, "body", None)
        if not isinstance(body, list) or self._scales(body):
            return
        raw: dict[str, str] = {}
        """Name -> the raw source it holds the data of."""
        bunches: dict[str, str] = {}
        """Name -> the raw dataset loader whose Bunch it holds."""
        estimators: dict[str, str] = {}
        """Name -> the sensitive class it holds a fresh instance of."""
        for stmt in _statements(body):
            rebound: list[ast.Name] = []
            for node in iter_local_nodes([stmt]):
                if isinstance(node, ast.Call):
                    self._check_fit(node, raw, bunches, estimators)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    rebound.append(node)
            self._update(stmt, rebound, raw, bunches, estimators)

    def _scales(self, body: list[ast.stmt]) -> bool:
        """Whether the scope scales anything itself (a scaler, or ``(x - x.mean()) / ...``)."""
        model = self.model
        for node in iter_local_nodes(body):
            if isinstance(node, (ast.Name, ast.Attribute)):
                if model.may_resolve_to(node, _SCALER_NAMES) and model.qualname(node) in _SCALERS:
                    return True
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div)):
                for side in (node.left, node.right):
                    if (
                        isinstance(side, ast.Call)
                        and isinstance(side.func, ast.Attribute)
                        and side.func.attr in _STATISTICS
                    ):
                        return True
        return False

    def _check_fit(
        self,
        call: ast.Call,
        raw: dict[str, str],
        bunches: dict[str, str],
        estimators: dict[str, str],
    ) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _FIT_METHODS or not call.args:
            return
        estimator = self._sensitive(func.value, estimators)
        if estimator is None:
            return
        data = call.args[0]
        source = self._origin(data, raw, bunches)
        if source is not None:
            self.report(
                "ML909", call, estimator=estimator, arg=self.ctx.source_of(data), source=source
            )

    def _sensitive(self, expr: ast.expr, estimators: dict[str, str]) -> str | None:
        if isinstance(expr, ast.Name):
            return estimators.get(expr.id)
        if isinstance(expr, ast.Call):
            qualname = self.model.qualname(expr.func)
            if qualname in _SENSITIVE and not _unpenalised(expr):
                return _short(qualname)
        return None

    def _origin(
        self, expr: ast.expr, raw: dict[str, str], bunches: dict[str, str]
    ) -> str | None:
        """The raw source whose values ``expr`` holds unchanged, if any."""
        if isinstance(expr, ast.Name):
            return raw.get(expr.id)
        if isinstance(expr, ast.Subscript):
            return self._origin(expr.value, raw, bunches)
        if isinstance(expr, ast.Attribute):
            if expr.attr in ("loc", "iloc", "values"):
                return self._origin(expr.value, raw, bunches)
            if expr.attr == "data" and isinstance(expr.value, ast.Name):
                return bunches.get(expr.value.id)
            return None
        if isinstance(expr, ast.Call):
            qualname = self.model.qualname(expr.func)
            if qualname in _PANDAS_READERS:
                return f"pd.{_short(qualname)}"
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in _KEEPING_METHODS:
                return self._origin(func.value, raw, bunches)
        return None

    def _update(
        self,
        stmt: ast.stmt,
        rebound: list[ast.Name],
        raw: dict[str, str],
        bunches: dict[str, str],
        estimators: dict[str, str],
    ) -> None:
        """Record what the assignments of ``stmt`` bind (and forget every other rebinding:
        ``rebound``, the names that ``stmt`` stores or deletes)."""
        handled: set[int] = set()
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
            pairs = self._pairs(target, value, raw, bunches)
            for name, source, bunch, estimator in pairs:
                handled.add(id(name))
                _set(raw, name.id, source)
                _set(bunches, name.id, bunch)
                _set(estimators, name.id, estimator)
        for node in rebound:
            if id(node) not in handled:
                for table in (raw, bunches, estimators):
                    table.pop(node.id, None)

    def _pairs(
        self, target: ast.expr, value: ast.expr, raw: dict[str, str], bunches: dict[str, str]
    ) -> list[tuple[ast.Name, str | None, str | None, str | None]]:
        """(target name, raw source, bunch loader, sensitive class) for each name bound."""
        if isinstance(target, ast.Name):
            bunch = None
            if isinstance(value, ast.Call):
                qualname = self.model.qualname(value.func)
                if qualname in _RAW_DATASETS and not _returns_tuple(value):
                    bunch = f"{_short(qualname)}()"
            estimator = self._sensitive(value, {})
            return [(target, self._origin(value, raw, bunches), bunch, estimator)]
        if not isinstance(target, (ast.Tuple, ast.List)):
            return []
        names = target.elts
        if not all(isinstance(n, ast.Name) for n in names):
            return []
        sources: list[str | None] = [None] * len(names)
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(names):
            sources = [self._origin(v, raw, bunches) for v in value.elts]
        elif isinstance(value, ast.Call):
            qualname = self.model.qualname(value.func)
            arrays = value.args
            if (
                qualname == _SPLITTER
                and arrays
                and not any(isinstance(a, ast.Starred) for a in arrays)
                and len(names) == 2 * len(arrays)
            ):
                for i, array in enumerate(arrays):
                    sources[2 * i] = sources[2 * i + 1] = self._origin(array, raw, bunches)
            elif qualname in _RAW_DATASETS and _returns_tuple(value) and len(names) == 2:
                sources[0] = f"{_short(qualname)}(return_X_y=True)"
        return [
            (name, source, None, None)
            for name, source in zip(names, sources, strict=True)
            if isinstance(name, ast.Name)
        ]


def _set(table: dict[str, str], name: str, value: str | None) -> None:
    if value is None:
        table.pop(name, None)
    else:
        table[name] = value


def _returns_tuple(call: ast.Call) -> bool:
    kw = keyword(call, "return_X_y")
    return kw is not None and isinstance(kw.value, ast.Constant) and kw.value.value is True


def _unpenalised(call: ast.Call) -> bool:
    """``LogisticRegression(penalty=None)``: a linear model without a penalty."""
    penalty = keyword(call, "penalty")
    return penalty is not None and is_none(penalty.value)


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The simple statements of ``body`` in source order, entering compound statements."""
    for stmt in body:
        if isinstance(stmt, _DEFINITIONS):
            continue
        blocks = [
            getattr(stmt, field)
            for field in ("body", "orelse", "finalbody")
            if isinstance(getattr(stmt, field, None), list)
        ]
        if isinstance(stmt, ast.Try):
            blocks.extend(h.body for h in stmt.handlers)
        if not blocks:
            yield stmt
            continue
        # The header of a compound statement (loop target, test, with items) binds too.
        yield from _header(stmt)
        for block in blocks:
            yield from _statements(block)


def _header(stmt: ast.stmt) -> Iterator[ast.stmt]:
    """Synthetic statements for a compound statement's header: its expressions and bindings."""
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        yield ast.Expr(value=stmt.iter)
        yield _unknown_binding(stmt.target)
    elif isinstance(stmt, (ast.If, ast.While)):
        yield ast.Expr(value=stmt.test)
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        for item in stmt.items:
            yield ast.Expr(value=item.context_expr)
            if item.optional_vars is not None:
                yield _unknown_binding(item.optional_vars)


def _unknown_binding(target: ast.expr) -> ast.stmt:
    """``target = None``: the names of ``target`` are bound to something unknown."""
    return ast.Assign(targets=[target], value=ast.Constant(None))


# --------------------------------------------------------------------- ML910

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
        "roc_auc_score", "average_precision_score", "roc_curve", "precision_recall_curve",
        "auc", "log_loss", "brier_score_loss", "det_curve", "top_k_accuracy_score",
        "d2_log_loss_score", "RocCurveDisplay", "PrecisionRecallDisplay", "DetCurveDisplay",
        "label_ranking_average_precision_score", "coverage_error", "ndcg_score", "dcg_score",
    )
) | frozenset({"sklearn.calibration.calibration_curve", "sklearn.calibration.CalibrationDisplay"})
#: scikit-learn datasets with more than two classes: their thresholds are an argmax.
_MULTICLASS_DATASETS = frozenset(
    f"{_SK}.datasets.{n}"
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

    codes = ("ML910",)
    nodes = (ast.Call, ast.Name, ast.Attribute, ast.Constant)
    requires = frozenset({"sklearn"})
    names = _THRESHOLD_FREE_NAMES | _SCORE_METHODS

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
        if qualname is not None and qualname.startswith(f"{_SK}.datasets.make_"):
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
            name = _short(qualname)
            if name not in metrics:
                metrics.append(name)

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or self._threshold_free:
            return
        for call, metrics in self._found.values():
            self.report("ML910", call, metrics=", ".join(f"`{m}`" for m in metrics))
