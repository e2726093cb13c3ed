"""ML909 scaler-missing: a scaling-sensitive estimator fit on raw tabular data, in one scope."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from mlsmells.engine import Check, Context, iter_local_nodes
from mlsmells.records import Family, Rule
from mlsmells.rules._util import is_none, keyword
from mlsmells.rules.opinionated._qualnames import SK, short
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML909",
    name="scaler-missing",
    pylint_id="C7689",
    family=Family.OPINIONATED,
    message=(
        "`{estimator}` is sensitive to feature scales and is fit on unscaled data "
        "`{arg}` (from `{source}`); scale it in a Pipeline"
    ),
    summary=(
        "A scaling-sensitive estimator (SVM, k-NN, PCA, MLP, SGD, penalised linear model) "
        "is fit on raw tabular data with no scaler in sight."
    ),
    rationale=(
        "Distance- and gradient-based models and L1/L2 penalties treat every feature on "
        "its own scale: a feature in dollars dominates one in years, and PCA finds the "
        "largest-unit column instead of structure. `make_pipeline(StandardScaler(), "
        "SVC())` fits the scaler on the training folds only. The rule is deliberately "
        "narrow: in one scope, the estimator is constructed directly (not inside a "
        "Pipeline or a search), the data passed to `fit` comes straight from `pd.read_*` "
        "or a real-world scikit-learn dataset with mixed units (`load_wine`, "
        "`load_breast_cancer`, `fetch_california_housing`, `fetch_covtype`, "
        "`fetch_kddcup99`, `fetch_openml`) through selection, splitting and cleaning "
        "only, and the scope uses no scaler and no hand-written standardisation at all."
    ),
    bad=(
        'df = pd.read_csv("patients.csv")\n'
        'X, y = df.drop(columns="outcome"), df["outcome"]\n'
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "clf = SVC().fit(X_train, y_train)\n"
    ),
    good=(
        'df = pd.read_csv("patients.csv")\n'
        'X, y = df.drop(columns="outcome"), df["outcome"]\n'
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "clf = make_pipeline(StandardScaler(), SVC()).fit(X_train, y_train)\n"
    ),
    default_enabled=False,
    noise=(
        "A CSV whose columns were already scaled upstream, or whose features share one "
        "unit (pixels, counts, one-hot columns), is reported although scaling would change "
        "little; so is a model meant to be compared unscaled on purpose."
    ),
)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


_SENSITIVE: frozenset[str] = frozenset(
    f"{SK}.{path}"
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
    f"{SK}.datasets.{name}"
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
    f"{SK}.preprocessing.{n}"
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

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})
    words = tuple(last_names(_SENSITIVE))  # a finding fits one of them

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
                return short(qualname)
        return None

    def _origin(self, expr: ast.expr, raw: dict[str, str], bunches: dict[str, str]) -> str | None:
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
                return f"pd.{short(qualname)}"
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
                    bunch = f"{short(qualname)}()"
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
                sources[0] = f"{short(qualname)}(return_X_y=True)"
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
