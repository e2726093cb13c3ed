"""ML901 hyperparameters-not-set: an estimator or optimizer with its key hyper-parameters unset."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from mlsmells.engine import Check, Context, iter_local_nodes
from mlsmells.records import Family, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.rules.opinionated._qualnames import SK, short
from mlsmells.semantic.names import last_names

RULE = Rule(
    code="ML901",
    name="hyperparameters-not-set",
    pylint_id="C7681",
    family=Family.OPINIONATED,
    message="`{name}(...)` sets none of its important hyper-parameters ({params})",
    summary=(
        "A scikit-learn estimator or a PyTorch optimizer is built with none of the "
        "hyper-parameters that matter most for it."
    ),
    rationale=(
        "Library defaults are a starting point, not a tuned model: a `RandomForestClassifier()`"
        " or an `Adam(params)` with every default says nothing about the capacity, "
        "regularisation or learning rate the result depends on, and defaults change "
        'between releases (`n_estimators` 10 -> 100, `max_features` "auto" -> "sqrt"). '
        "Stating the important ones documents the choice and keeps it stable. The table of "
        "important parameters per class follows the tunability literature as used by "
        "dslinter and SonarQube S6973 (learning rate for boosting and optimizers, `C`/"
        "`kernel`/`gamma` for SVMs, `n_neighbors`, `alpha`, `hidden_layer_sizes`, tree "
        "size ...). Setting any one of them, passing any positional argument after the "
        "parameters of an optimizer, or passing `**kwargs`, is enough to stay silent. So "
        "is an object whose values may be set elsewhere: one handed straight to another "
        "call (`GridSearchCV(SVC(), grid)`, pipeline steps), or assigned to a name that is "
        'later passed to a call (`validation_curve(clf, ..., param_name="C")`), given '
        "`set_params(...)` or an attribute."
    ),
    bad=(
        "model = RandomForestClassifier(random_state=0)\n"
        "optimizer = torch.optim.Adam(net.parameters())\n"
    ),
    good=(
        "model = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, random_state=0)\n"
        "optimizer = torch.optim.Adam(net.parameters(), lr=3e-4, weight_decay=1e-4)\n"
    ),
    default_enabled=False,
    noise=(
        "Fires on most quick experiments, baselines and tests, where the defaults are the "
        "intended choice, and tunability studies show several defaults are good enough. "
        "It does not know about values set later with `set_params` or by a search "
        "(`GridSearchCV(SVC(), grid)`)."
    ),
)


#: scikit-learn classes and the hyper-parameters that matter most for them.
_SKLEARN_IMPORTANT: dict[str, tuple[str, ...]] = {}


def _important(module: str, names: Sequence[str], params: tuple[str, ...]) -> None:
    for name in names:
        _SKLEARN_IMPORTANT[f"{SK}.{module}.{name}"] = params


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

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn", "torch"})
    call_names = _IMPORTANT_NAMES

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
        self.report("ML901", node, name=short(qualname), params=", ".join(f"`{p}`" for p in params))

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
