"""Checks of the reproducibility family."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mlsmells.data import numpy_random, sklearn_api
from mlsmells.data.numpy_random import Legacy, Shape, legacy_function
from mlsmells.engine import Check, Context, iter_local_nodes, iter_nodes, names_in
from mlsmells.rules._util import has_star_kwargs, is_none, keyword
from mlsmells.semantic.model import Scope, ScopeType, last_names


@dataclass(frozen=True)
class UsedWhen:
    """``random_state`` is consumed only for some values of other parameters.

    ``defaults`` are those parameters with their scikit-learn defaults (checked
    against the installed scikit-learn by ``tests/test_sklearn_api.py``);
    ``uses`` says, from their literal values, whether randomness is consumed.
    """

    defaults: Mapping[str, object]
    uses: Callable[[Mapping[str, object]], bool]


def _is(param: str, default: object, *values: object) -> UsedWhen:
    """Used when ``param`` is one of ``values`` (compared with ``is`` for True/False/None)."""

    def uses(args: Mapping[str, object]) -> bool:
        value = args[param]
        return any(value is v if v in (True, False, None) else value == v for v in values)

    return UsedWhen({param: default}, uses)


def _set(param: str, default: object = None) -> UsedWhen:
    """Used when ``param`` is set (not None)."""
    return UsedWhen({param: default}, lambda args: args[param] is not None)


_SHUFFLE = _is("shuffle", False, True)

#: Callables whose ``random_state`` is consumed only under some parameters
#: (primary names of ``sklearn_api.RANDOM_STATE_CALLABLES``). Each entry follows
#: the description of ``random_state`` (and of the parameter named) in the
#: scikit-learn 1.9 API reference, e.g. KFold: "When `shuffle` is True,
#: `random_state` affects the ordering of the indices [...]. Otherwise, this
#: parameter has no effect"; SVC: "Ignored when `probability` is False";
#: LogisticRegression: "Only used for `solver` == 'sag', 'saga' or
#: 'liblinear'"; Ridge: "Used when `solver` == 'sag' or 'saga'"; Lasso /
#: ElasticNet: "Used when `selection` == 'random'"; Lars: "Ignored if `jitter`
#: is None"; DummyClassifier: "when `strategy='stratified'` or
#: `strategy='uniform'`"; PCA: "Used when the 'arpack' or 'randomized' solvers
#: are used". Where the default lets the *data* decide (``svd_solver="auto"``,
#: ``dual="auto"``, ``early_stopping="auto"``, ``init=None`` of NMF), the
#: randomness is not certain from the call, and the rule stays silent.
EXCEPTIONS: dict[str, UsedWhen] = {
    "sklearn.model_selection.KFold": _SHUFFLE,
    "sklearn.model_selection.StratifiedKFold": _SHUFFLE,
    "sklearn.model_selection.GroupKFold": _SHUFFLE,
    "sklearn.model_selection.StratifiedGroupKFold": _SHUFFLE,
    "sklearn.model_selection.check_cv": _SHUFFLE,
    "sklearn.model_selection.learning_curve": _SHUFFLE,
    "sklearn.model_selection.train_test_split": _is("shuffle", True, True),
    "sklearn.model_selection.TunedThresholdClassifierCV": UsedWhen(
        {"cv": None}, lambda a: isinstance(a["cv"], float)
    ),
    "sklearn.model_selection.HalvingGridSearchCV": UsedWhen(
        {"resource": "n_samples"}, lambda a: a["resource"] != "n_samples"
    ),
    "sklearn.datasets.fetch_covtype": _SHUFFLE,
    "sklearn.datasets.fetch_rcv1": _SHUFFLE,
    "sklearn.datasets.fetch_kddcup99": UsedWhen(
        {"shuffle": False, "subset": None},
        lambda a: a["shuffle"] is True or a["subset"] == "SA",
    ),
    # Without noise the points are fixed; only their order is shuffled.
    "sklearn.datasets.make_circles": UsedWhen(
        {"shuffle": True, "noise": None},
        lambda a: a["shuffle"] is True or a["noise"] is not None,
    ),
    "sklearn.datasets.make_moons": UsedWhen(
        {"shuffle": True, "noise": None},
        lambda a: a["shuffle"] is True or a["noise"] is not None,
    ),
    # An explicit array of initial centers makes Lloyd/Elkan deterministic.
    "sklearn.cluster.KMeans": _is("init", "k-means++", "k-means++", "random"),
    "sklearn.cluster.k_means": _is("init", "k-means++", "k-means++", "random"),
    "sklearn.svm.SVC": _is("probability", "deprecated", True),
    "sklearn.svm.NuSVC": _is("probability", "deprecated", True),
    # "auto" picks the dual problem (random) only when the loss has no primal
    # solver; otherwise it depends on n_samples vs n_features.
    "sklearn.svm.LinearSVC": UsedWhen(
        {"dual": "auto", "loss": "squared_hinge"},
        lambda a: a["dual"] is True or (a["dual"] == "auto" and a["loss"] == "hinge"),
    ),
    "sklearn.svm.LinearSVR": UsedWhen(
        {"dual": "auto", "loss": "epsilon_insensitive"},
        lambda a: a["dual"] is True or (a["dual"] == "auto" and a["loss"] == "epsilon_insensitive"),
    ),
    "sklearn.linear_model.LogisticRegression": _is("solver", "lbfgs", "sag", "saga", "liblinear"),
    "sklearn.linear_model.LogisticRegressionCV": _is("solver", "lbfgs", "sag", "saga", "liblinear"),
    "sklearn.linear_model.Ridge": _is("solver", "auto", "sag", "saga"),
    "sklearn.linear_model.RidgeClassifier": _is("solver", "auto", "sag", "saga"),
    "sklearn.linear_model.ridge_regression": _is("solver", "auto", "sag", "saga"),
    "sklearn.linear_model.Lasso": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.LassoCV": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.ElasticNet": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.ElasticNetCV": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.MultiTaskLasso": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.MultiTaskLassoCV": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.MultiTaskElasticNet": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.MultiTaskElasticNetCV": _is("selection", "cyclic", "random"),
    "sklearn.linear_model.Lars": _set("jitter"),
    "sklearn.linear_model.LassoLars": _set("jitter"),
    "sklearn.linear_model.SGDClassifier": UsedWhen(
        {"shuffle": True, "early_stopping": False},
        lambda a: a["shuffle"] is True or a["early_stopping"] is True,
    ),
    "sklearn.linear_model.SGDRegressor": UsedWhen(
        {"shuffle": True, "early_stopping": False},
        lambda a: a["shuffle"] is True or a["early_stopping"] is True,
    ),
    "sklearn.linear_model.PassiveAggressiveClassifier": UsedWhen(
        {"shuffle": True, "early_stopping": False},
        lambda a: a["shuffle"] is True or a["early_stopping"] is True,
    ),
    "sklearn.linear_model.PassiveAggressiveRegressor": UsedWhen(
        {"shuffle": True, "early_stopping": False},
        lambda a: a["shuffle"] is True or a["early_stopping"] is True,
    ),
    "sklearn.linear_model.SGDOneClassSVM": _is("shuffle", True, True),
    "sklearn.dummy.DummyClassifier": _is("strategy", "prior", "stratified", "uniform"),
    "sklearn.decomposition.PCA": _is("svd_solver", "auto", "arpack", "randomized"),
    "sklearn.decomposition.KernelPCA": _is("eigen_solver", "auto", "arpack", "randomized"),
    "sklearn.decomposition.NMF": UsedWhen(
        {"init": None, "solver": "cd", "shuffle": False},
        lambda a: (
            a["init"] in ("random", "nndsvdar") or (a["solver"] == "cd" and a["shuffle"] is True)
        ),
    ),
    "sklearn.decomposition.non_negative_factorization": UsedWhen(
        {"init": None, "solver": "cd", "shuffle": False},
        lambda a: (
            a["init"] in ("random", "nndsvdar") or (a["solver"] == "cd" and a["shuffle"] is True)
        ),
    ),
    "sklearn.decomposition.MiniBatchNMF": _is("init", None, "random", "nndsvdar"),
    "sklearn.decomposition.FastICA": _is("w_init", None, None),
    "sklearn.decomposition.fastica": _is("w_init", None, None),
    "sklearn.manifold.LocallyLinearEmbedding": _is("eigen_solver", "auto", "arpack"),
    "sklearn.manifold.locally_linear_embedding": _is("eigen_solver", "auto", "arpack"),
    # "warn" is the transition default of scikit-learn 1.9 and still means "random".
    "sklearn.manifold.MDS": _is("init", "warn", "warn", "random"),
    "sklearn.manifold.smacof": _is("init", None, None),
    "sklearn.neighbors.NeighborhoodComponentsAnalysis": _is("init", "auto", "random"),
    "sklearn.ensemble.HistGradientBoostingClassifier": UsedWhen(
        {"early_stopping": "auto", "max_features": 1.0},
        lambda a: a["early_stopping"] is True or _below_one(a["max_features"]),
    ),
    "sklearn.ensemble.HistGradientBoostingRegressor": UsedWhen(
        {"early_stopping": "auto", "max_features": 1.0},
        lambda a: a["early_stopping"] is True or _below_one(a["max_features"]),
    ),
    "sklearn.gaussian_process.GaussianProcessClassifier": UsedWhen(
        {"n_restarts_optimizer": 0}, lambda a: a["n_restarts_optimizer"] != 0
    ),
    "sklearn.gaussian_process.GaussianProcessRegressor": UsedWhen(
        {"n_restarts_optimizer": 0}, lambda a: a["n_restarts_optimizer"] != 0
    ),
    "sklearn.impute.IterativeImputer": UsedWhen(
        {"n_nearest_features": None, "imputation_order": "ascending", "sample_posterior": False},
        lambda a: (
            a["n_nearest_features"] is not None
            or a["imputation_order"] == "random"
            or a["sample_posterior"] is True
        ),
    ),
    "sklearn.multioutput.ClassifierChain": _is("order", None, "random"),
    "sklearn.multioutput.RegressorChain": _is("order", None, "random"),
    "sklearn.feature_extraction.image.PatchExtractor": _set("max_patches"),
    "sklearn.feature_extraction.image.extract_patches_2d": _set("max_patches"),
    "sklearn.feature_selection.mutual_info_classif": UsedWhen(
        {"discrete_features": "auto"}, lambda a: a["discrete_features"] is not True
    ),
    "sklearn.feature_selection.mutual_info_regression": UsedWhen(
        {"discrete_features": "auto"}, lambda a: a["discrete_features"] is not True
    ),
    "sklearn.metrics.silhouette_score": _set("sample_size"),
    "sklearn.inspection.PartialDependenceDisplay": UsedWhen(
        {"kind": "average"}, lambda a: a["kind"] != "average"
    ),
}

#: Randomness only past a data size (subsampling above ``subsample`` rows):
#: never certain from the call.
DATA_SIZE_DEPENDENT = frozenset(
    {
        "sklearn.preprocessing.KBinsDiscretizer",
        "sklearn.preprocessing.QuantileTransformer",
        "sklearn.preprocessing.quantile_transform",
    }
)


def _below_one(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value < 1


#: Ensembles that overwrite the ``random_state`` of the estimator they are
#: given with seeds drawn from their own (``BaseEnsemble._make_estimator``):
#: that estimator's own seed is irrelevant, the ensemble's is what counts.
#: Value: the position of the ``estimator`` parameter. imbalanced-learn's
#: bagging and boosting ensembles subclass scikit-learn's and reseed the same way.
RESEEDING_ENSEMBLES: dict[str, int] = {
    "sklearn.ensemble.AdaBoostClassifier": 0,
    "sklearn.ensemble.AdaBoostRegressor": 0,
    "sklearn.ensemble.BaggingClassifier": 0,
    "sklearn.ensemble.BaggingRegressor": 0,
    "imblearn.ensemble.BalancedBaggingClassifier": 0,
    "imblearn.ensemble.RUSBoostClassifier": 0,
    "imblearn.ensemble.EasyEnsembleClassifier": 1,
}
_ESTIMATOR_PARAMS = frozenset({"estimator", "base_estimator"})
#: scikit-learn's estimator test utilities seed every estimator they check.
_ESTIMATOR_CHECKS = frozenset(
    {
        "sklearn.utils.estimator_checks.parametrize_with_checks",
        "sklearn.utils.estimator_checks.check_estimator",
    }
)


def _estimator_argument(call: ast.Call, position: int) -> ast.expr | None:
    """The argument a reseeding ensemble takes as its estimator (by keyword or at
    ``position``, when no ``*args`` comes before it)."""
    for kw in call.keywords:
        if kw.arg in _ESTIMATOR_PARAMS:
            return kw.value
    before = call.args[: position + 1]
    if len(before) > position and not any(isinstance(a, ast.Starred) for a in before):
        return call.args[position]
    return None


class _ScopeUses:
    """How the names of one module or function body are used, for ``_reseeded_variable``.

    Built once per scope, when the first candidate needs it; ensemble names are
    resolved at that point of the walk (imports normally come first; an
    ensemble imported later is not recognised, and the finding stays).
    """

    def __init__(
        self,
        owner: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef,
        qualname: Callable[[ast.expr], str | None],
    ) -> None:
        self.mentions: dict[str, list[ast.Name]] = {}
        """Name nodes of the body, nested scopes excluded."""
        self.unsure: set[str] = set()
        """Names mentioned in a nested function or class, or declared global/nonlocal."""
        self.as_estimator: set[int] = set()
        """id() of the names passed as the estimator of a reseeding ensemble."""
        for sub in iter_local_nodes(owner.body):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                self.unsure.update(name.id for name in names_in(sub))
            elif isinstance(sub, (ast.Global, ast.Nonlocal)):
                self.unsure.update(sub.names)
            elif isinstance(sub, ast.Name):
                self.mentions.setdefault(sub.id, []).append(sub)
            elif isinstance(sub, ast.Call):
                position = RESEEDING_ENSEMBLES.get(qualname(sub.func) or "")
                estimator = None if position is None else _estimator_argument(sub, position)
                if isinstance(estimator, ast.Name):
                    self.as_estimator.add(id(estimator))

    def only_reseeded(self, target: ast.Name) -> bool:
        """Every other mention of ``target``'s name is a reseeding ensemble's estimator."""
        if target.id in self.unsure:
            return False
        others = [m for m in self.mentions.get(target.id, ()) if m is not target]
        return bool(others) and all(id(m) in self.as_estimator for m in others)


class _Unknown(Exception):
    """An argument the rule cannot evaluate statically."""


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _Unknown from None


def primary_name(qualname: str | None) -> str | None:
    """The primary public name of a scikit-learn callable that takes ``random_state``."""
    if qualname is None or not qualname.startswith("sklearn."):
        return None
    if qualname in sklearn_api.RANDOM_STATE_CALLABLES:
        return qualname
    return sklearn_api.RANDOM_STATE_ALIASES.get(qualname)


class RandomStateNotSet(Check):
    """ML101: a scikit-learn callable that consumes randomness, without a seed."""

    codes = ("ML101",)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._uses: dict[int, _ScopeUses] = {}
        """id(module or function node) -> the uses of the names bound in it."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        primary = primary_name(self.model.qualname(node.func))
        if primary is None or primary in DATA_SIZE_DEPENDENT or has_star_kwargs(node):
            return
        if self._reseeded(node) or self._reseeded_variable(node):
            return
        positional = sklearn_api.POSITIONAL_PARAMS.get(primary, ())
        starred = any(isinstance(arg, ast.Starred) for arg in node.args)
        if starred and "random_state" in positional:
            return  # ``*args`` may supply it
        try:
            args = self._arguments(node, positional, starred)
        except _Unknown:
            return
        given = args.get("random_state")
        if given is not None and not is_none(given):
            return
        exception = EXCEPTIONS.get(primary)
        if exception is not None and not self._consumes(exception, args, starred, positional):
            return
        how, state = ("not set", "missing") if given is None else ("None", "none")
        self.report(
            "ML101",
            node,
            callee=primary.rpartition(".")[2],
            how=how,
            data=(("random_state", state), ("callee", primary)),
        )

    def _reseeded(self, node: ast.Call) -> bool:
        """``node`` is the estimator of a reseeding ensemble, or checked by estimator_checks."""
        ancestors = self.ctx.ancestors
        index = len(ancestors) - 1
        in_container = False
        while index >= 0 and isinstance(ancestors[index], (ast.List, ast.Tuple)):
            in_container = True
            index -= 1
        keyword_arg = None
        if index >= 0:
            enclosing = ancestors[index]
            if isinstance(enclosing, ast.keyword):
                keyword_arg = enclosing.arg
                index -= 1
        if index < 0:
            return False
        parent = ancestors[index]
        if not isinstance(parent, ast.Call) or parent.func is node:
            return False
        callee = self.model.qualname(parent.func)
        if callee in _ESTIMATOR_CHECKS:
            return True
        position = RESEEDING_ENSEMBLES.get(callee or "")
        if position is None or in_container:
            return False
        if keyword_arg is not None:
            return keyword_arg in _ESTIMATOR_PARAMS
        return _estimator_argument(parent, position) is node

    def _reseeded_variable(self, node: ast.Call) -> bool:
        """``name = node`` where every use of ``name`` in the scope is the estimator of a
        reseeding ensemble (``base = Tree(); AdaBoostClassifier(base, ...)``).

        Any other mention of the name (a ``fit``, a ``clone``, a rebinding, a use
        in a nested function or class, a ``global``) leaves the finding in place.
        """
        parent = self.ctx.parent
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign):
            target = parent.target
        else:
            return False
        if parent.value is not node or not isinstance(target, ast.Name):
            return False
        owner = self.model.scope.node
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = owner.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(param is not None and param.arg == target.id for param in params):
                return False  # the parameter's value is the caller's, used there too
        elif not isinstance(owner, ast.Module):
            return False  # a class body: the name is also a class attribute
        index = self._uses.get(id(owner))
        if index is None:
            index = self._uses[id(owner)] = _ScopeUses(owner, self.model.qualname)
        return index.only_reseeded(target)

    @staticmethod
    def _arguments(
        node: ast.Call, positional: tuple[str, ...], starred: bool
    ) -> dict[str, ast.expr]:
        args: dict[str, ast.expr] = {}
        if not starred:
            for name, value in zip(positional, node.args, strict=False):
                args[name] = value
        for kw in node.keywords:
            if kw.arg is not None:
                args[kw.arg] = kw.value
        return args

    @staticmethod
    def _consumes(
        exception: UsedWhen,
        args: Mapping[str, ast.expr],
        starred: bool,
        positional: tuple[str, ...],
    ) -> bool:
        """Whether the call certainly consumes randomness (unknown arguments: no)."""
        values: dict[str, object] = {}
        for param, default in exception.defaults.items():
            if param in args:
                try:
                    values[param] = _literal(args[param])
                except _Unknown:
                    return False
            elif starred and param in positional:
                return False
            else:
                values[param] = default
        return exception.uses(values)


# --------------------------------------------------------------------- ML102


@dataclass
class _LegacyUse:
    """One use of a legacy ``numpy.random`` function."""

    node: ast.expr
    """The reported node: the call, or the reference when it is not called."""
    entry: Legacy
    text: str
    """The source of the function reference (``np.random.rand``)."""
    call: ast.Call | None
    deferred: bool
    """Inside a function or lambda: it runs when that is called, not where it stands."""
    seed_statement: bool
    """A ``seed(...)`` call that is a whole expression statement of the module scope."""
    factory: str | None
    """For a seed call ``<X>.seed(...)``, ``<X>`` naming ``numpy.random``: ``<X>.default_rng``."""
    function: str | None
    """The module-level function whose body holds the use, if any."""

    @property
    def position(self) -> tuple[int, int]:
        return (self.node.lineno, self.node.col_offset)

    @property
    def mappable(self) -> bool:
        """Whether the fix can rewrite this use (a call of a known shape)."""
        call = self.call
        entry = self.entry
        if call is None or entry.shape is Shape.STATE:
            return False
        if entry.shape is Shape.DIMS:
            return not call.keywords
        if any(isinstance(a, ast.Starred) for a in call.args) or has_star_kwargs(call):
            return False
        if len(call.args) > len(entry.params):
            return False
        given = [kw.arg for kw in call.keywords]
        if any(name not in entry.params for name in given) or len(set(given)) != len(given):
            return False
        if set(given) & set(entry.params[: len(call.args)]):
            return False
        if entry.shape is Shape.CLOSED:
            return bool(call.args) or "low" in given
        return True


class LegacyNumpyRandom(Check):
    """ML102: the legacy global NumPy random functions.

    ``seed``, ``get_state`` and ``set_state`` are reported only in a module
    that also draws from the legacy functions: a module that only seeds or
    saves the global state does it for other code (scikit-learn estimators
    with ``random_state=None``, third-party libraries), the one reason left
    to touch it.

    Findings are reported when the module ends, so that each carries the
    module's plan for the fix, which is all or nothing: one Generator per
    module, made from the single module-level ``np.random.seed(...)`` (which
    it replaces) or, without a seed call, right after the imports; once that
    generator exists (a module-level ``NAME = np.random.default_rng(...)``,
    its name bound nowhere else), every call is rewritten to draw from it.
    Any use the fix cannot rewrite (a reference that is not called, the
    global state read or replaced, ``*args``, several seed calls, a seed call
    inside a function) leaves the whole module to the author.
    """

    codes = ("ML102",)
    nodes = (ast.Name, ast.Attribute, ast.Assign, ast.AnnAssign)
    requires = frozenset({"numpy"})
    names = frozenset(numpy_random.LEGACY)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.uses: list[_LegacyUse] = []
        self.generators: list[tuple[str, ast.stmt, bool]] = []
        """``NAME = numpy.random.default_rng(...)`` statements of the module scope, each
        with whether it is a statement of the module body itself (runs unconditionally)."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._generator(node)
            return
        assert isinstance(node, (ast.Name, ast.Attribute))
        if not isinstance(node.ctx, ast.Load):
            return
        if isinstance(node, ast.Attribute):
            if node.attr not in numpy_random.LEGACY:
                return  # cheap: most attributes are not these names
        elif node.id not in numpy_random.LEGACY:
            binding = self.model.lookup(node.id)
            if binding is None or legacy_function(binding.qualname) is None:
                return  # not an imported legacy function (``from numpy.random import rand as r``)
        entry = legacy_function(self.model.qualname(node))
        if entry is None:
            return
        parent = self.ctx.parent
        call = parent if isinstance(parent, ast.Call) and parent.func is node else None
        chain = list(self.model.scope.lookup_chain())
        deferred = any(s.type in (ScopeType.FUNCTION, ScopeType.LAMBDA) for s in chain)
        seed_statement = (
            entry.shape is Shape.SEED
            and call is not None
            and self.model.scope is self.model.module_scope
            and len(self.ctx.ancestors) >= 2
            and isinstance(self.ctx.ancestors[-2], ast.Expr)
        )
        factory = None
        if (
            seed_statement
            and isinstance(node, ast.Attribute)
            and _is_name_chain(node.value)
            and self.model.qualname(node.value) == "numpy.random"
        ):
            factory = self.ctx.source_of(node.value) + ".default_rng"
        outermost = self.ctx.ancestors[1] if len(self.ctx.ancestors) > 1 else None
        function = (
            outermost.name
            if isinstance(outermost, (ast.FunctionDef, ast.AsyncFunctionDef))
            else None
        )
        self.uses.append(
            _LegacyUse(
                node=call if call is not None else node,
                entry=entry,
                text=self.ctx.source_of(node),
                call=call,
                deferred=deferred,
                seed_statement=seed_statement,
                factory=factory,
                function=function,
            )
        )

    def _generator(self, node: ast.Assign | ast.AnnAssign) -> None:
        if self.model.scope is not self.model.module_scope:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if (
            len(targets) == 1
            and isinstance(targets[0], ast.Name)
            and isinstance(value, ast.Call)
            and self.model.qualname(value.func) == numpy_random.FACTORY
        ):
            self.generators.append((targets[0].id, node, self.ctx.parent is self.ctx.tree))

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        if not any(u.entry.shape not in (Shape.SEED, Shape.STATE) for u in self.uses):
            return  # seeding or saving the global state for other code (a seed-everything helper)
        plan = _RandomPlan(self)
        for use in sorted(self.uses, key=lambda u: u.position):
            entry = use.entry
            if entry.shape is Shape.SEED:
                verb = "seeds"
                advice = "create a Generator instead: `rng = np.random.default_rng(seed)`"
            elif entry.shape is Shape.STATE:
                verb = "manages"
                advice = "draw from a Generator instead (`rng = np.random.default_rng(seed)`)"
            else:
                verb = "draws from"
                advice = (
                    f"use `rng.{entry.method}(...)` of a Generator "
                    "(`rng = np.random.default_rng(seed)`)"
                )
            role = "call" if use.call is not None else "reference"
            data = [("function", entry.name), ("role", role), *plan.data_for(use)]
            self.report("ML102", use.node, name=use.text, verb=verb, advice=advice, data=data)


#: Names the fix tries, in order, for a new generator.
_GENERATOR_NAMES = ("rng", "np_rng", "generator")


class _RandomPlan:
    """How the ML102 fix converts one module (see :class:`LegacyNumpyRandom`)."""

    def __init__(self, check: LegacyNumpyRandom) -> None:
        self.check = check
        self.bound, self.used = _identifiers(check.ctx.tree)
        self.rng: str | None = None
        self.create: dict[int, list[tuple[str, str]]] = {}
        """id of the use that carries the creation -> its data."""
        uses = check.uses
        if not all(u.mappable for u in uses):
            return
        generators: dict[str, list[tuple[ast.stmt, bool]]] = {}
        for name, statement, top in check.generators:
            generators.setdefault(name, []).append((statement, top))
        for name, statements in generators.items():
            # Every binding of the name is such a generator (reseeding makes a new one),
            # and the first one runs unconditionally, before any use runs.
            first, top = min(statements, key=lambda st: (st[0].lineno, st[0].col_offset))
            if self.bound[name] != len(statements) or not top:
                continue
            start = (first.lineno, first.col_offset)
            if all(u.deferred or u.position > start for u in uses):
                if not self._helper_called_before(start):
                    self.rng = name
                    return
        seeds = [u for u in uses if u.entry.shape is Shape.SEED]
        if seeds:
            self._from_seeds(seeds)
        else:
            self._after_imports()

    def data_for(self, use: _LegacyUse) -> list[tuple[str, str]]:
        if id(use) in self.create:
            return self.create[id(use)]
        if self.rng is not None and use.entry.shape is not Shape.SEED:
            data = [("rng", self.rng)]
            if self._scalar_without_dtype(use):
                data.append(("dtype", use.entry.scalar_dtype))
            return data
        return []

    def _scalar_without_dtype(self, use: _LegacyUse) -> bool:
        """A call whose scalar result needs an explicit dtype to keep its type."""
        entry, call = use.entry, use.call
        if not entry.scalar_dtype or call is None or self.bound[entry.scalar_dtype]:
            return False
        given = dict(zip(entry.params, call.args, strict=False))
        given.update({kw.arg: kw.value for kw in call.keywords if kw.arg is not None})
        size = given.get("size")
        return "dtype" not in given and (size is None or is_none(size))

    def _fresh_name(self) -> str | None:
        return next((n for n in _GENERATOR_NAMES if n not in self.used), None)

    def _from_seeds(self, seeds: list[_LegacyUse]) -> None:
        """Each module-level ``seed(s)`` statement becomes ``<rng> = default_rng(s)``."""
        if not all(seed.seed_statement for seed in seeds):
            return
        start = min(seed.position for seed in seeds)
        if any(not u.deferred and u.position < start for u in self.check.uses):
            return
        name = self._fresh_name()
        if name is None or self._helper_called_before(start):
            return
        plans: dict[int, list[tuple[str, str]]] = {}
        for seed in seeds:
            factory = (seed.factory, "") if seed.factory else self._factory(seed.node.lineno)
            if factory is None:
                return
            data = [("create", "seed"), ("rng", name), ("factory", factory[0])]
            if factory[1]:
                data.append(("import", factory[1]))
            plans[id(seed)] = data
        self.create.update(plans)

    def _helper_called_before(self, position: tuple[int, int]) -> bool:
        """A module-level call, before ``position``, of a same-file function that uses
        the legacy functions (it would then run before the generator exists)."""
        helpers = {u.function for u in self.check.uses if u.function is not None}
        if not helpers:
            return False
        pending: list[ast.AST] = list(self.check.ctx.tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in helpers
                and (node.lineno, node.col_offset) < position
            ):
                return True
            pending.extend(ast.iter_child_nodes(node))
        return False

    def _after_imports(self) -> None:
        body = self.check.ctx.tree.body
        executed = {id(u.node) for u in self.check.uses if not u.deferred}
        # The first statement holding a use (one walk of each statement up to it: linear).
        first = next(
            (i for i, stmt in enumerate(body) if any(id(n) in executed for n in iter_nodes(stmt))),
            len(body),
        )
        imports = [s for s in body[:first] if isinstance(s, (ast.Import, ast.ImportFrom))]
        name = self._fresh_name()
        if not imports or name is None:
            return
        anchor = imports[-1]
        end = anchor.end_lineno or anchor.lineno
        factory = self._factory(end)
        if factory is None:
            return
        data = [
            ("create", "after"),
            ("rng", name),
            ("factory", factory[0]),
            ("after_line", str(end)),
        ]
        if factory[1]:
            data.append(("import", factory[1]))
        first_use = min(self.check.uses, key=lambda u: u.position)
        self.create[id(first_use)] = data

    def _factory(self, line: int) -> tuple[str, str] | None:
        """(expression for ``numpy.random.default_rng``, import it needs) usable at ``line``."""
        spellings = {
            "numpy": "{}.random.default_rng",
            "numpy.random": "{}.default_rng",
            numpy_random.FACTORY: "{}",
        }
        found: list[tuple[int, str]] = []
        for name, binding in self.check.model.module_scope.bindings.items():
            statement = binding.node
            if (
                binding.qualname in spellings
                and isinstance(statement, (ast.Import, ast.ImportFrom))
                and statement.lineno <= line
                and self.bound[name] == 1
            ):
                rank = list(spellings).index(binding.qualname)
                found.append((rank, spellings[binding.qualname].format(name)))
        if found:
            return min(found)[1], ""
        if "default_rng" in self.used:
            return None
        return "default_rng", "numpy.random:default_rng"


def _is_name_chain(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _identifiers(tree: ast.Module) -> tuple[Counter[str], set[str]]:
    """(how often each name is bound anywhere in the module, every identifier used)."""
    bound: Counter[str] = Counter()
    used: set[str] = set()

    def bind(name: str) -> None:
        bound[name] += 1
        used.add(name)

    for node in iter_nodes(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                bound[node.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, ast.alias):
            bind((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bind(node.rest)
    return bound, used


# --------------------------------------------------------------------- ML103

#: Random generators seeded from operating-system entropy when no seed is
#: given: qualified name -> the seed parameter (always the first one).
SEEDABLE: dict[str, str] = {
    "numpy.random.default_rng": "seed",
    "numpy.random.RandomState": "seed",
    "numpy.random.mtrand.RandomState": "seed",
    "numpy.random.SeedSequence": "entropy",
    "numpy.random.PCG64": "seed",
    "numpy.random.PCG64DXSM": "seed",
    "numpy.random.MT19937": "seed",
    "numpy.random.Philox": "seed",
    "numpy.random.SFC64": "seed",
    "random.Random": "x",
}
#: Keywords that seed a generator in place of the seed parameter (``Philox(key=k)``).
_ALTERNATIVE_SEEDS = frozenset({"key"})
TORCH_GENERATOR = "torch.Generator"
#: Last components of the generators (a callee ending otherwise is none of them).
_GENERATOR_CLASSES = last_names([*SEEDABLE, TORCH_GENERATOR])
#: Methods that give a torch Generator its state (``seed()`` draws one on purpose).
_TORCH_SEEDING = frozenset({"manual_seed", "set_state", "seed", "graphsafe_set_state"})


class UnseededGenerator(Check):
    """ML103: a random generator created without a seed.

    NumPy's generators and ``random.Random`` then draw their seed from the
    operating system: every run differs. ``torch.Generator()`` instead
    starts from one fixed default seed, the same for every unseeded
    Generator and independent of ``torch.manual_seed``: reported when the
    generator goes unseeded into a ``generator=`` argument, directly or
    through a name (or ``self`` attribute) that is never seeded.
    """

    codes = ("ML103",)
    nodes = (ast.Call,)
    requires = frozenset({"numpy", "random", "torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.pending: list[tuple[ast.Call, ast.expr, ast.AST]] = []
        """torch Generators bound to a name or attribute: (call, target, where to look)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _GENERATOR_CLASSES):
            return  # cheap: most callees end in none of these names
        qualname = self.model.qualname(node.func)
        if qualname == TORCH_GENERATOR:
            self._torch(node)
            return
        param = SEEDABLE.get(qualname or "")
        if param is None or has_star_kwargs(node):
            return
        if any(isinstance(a, ast.Starred) for a in node.args):
            return
        if any(kw.arg in _ALTERNATIVE_SEEDS for kw in node.keywords):
            return
        given = node.args[0] if node.args else None
        kw = keyword(node, param)
        if kw is not None:
            given = kw.value
        if given is not None and not is_none(given):
            return
        state = "missing" if given is None else "none"
        assert qualname is not None
        problem = "is seeded from the operating system: every run differs"
        self._report(node, qualname, problem, state, param)

    def _report(
        self, node: ast.Call, qualname: str, problem: str, state: str, param: str = ""
    ) -> None:
        library = qualname.split(".")[0]
        self.report(
            "ML103",
            node,
            callee=self.ctx.source_of(node.func),
            problem=problem,
            data=(("library", library), ("seed", state), ("param", param)),
        )

    def _torch(self, node: ast.Call) -> None:
        parent = self.ctx.parent
        if isinstance(parent, ast.keyword):
            if parent.arg == "generator":
                self._report_torch(node)
            return
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)) or parent.value is not node:
            return  # seeded in a chain, returned, passed on ...: not decidable here
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) != 1:
            return
        target = targets[0]
        if isinstance(target, ast.Name):
            where = self.model.scope.node or self.ctx.tree
            self.pending.append((node, target, where))
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == self.model.scope.self_name
            and self.model.enclosing_class() is not None
        ):
            klass = self.model.enclosing_class()
            assert klass is not None
            self.pending.append((node, target, klass.node))

    def _report_torch(self, node: ast.Call) -> None:
        problem = (
            "starts from torch's fixed default seed, the same for every unseeded Generator, "
            "whatever `torch.manual_seed` says"
        )
        self._report(node, TORCH_GENERATOR, problem, "missing")

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        for call, target, where in self.pending:
            if _torch_generator_unseeded(target, where):
                self._report_torch(call)


def _same_target(expr: ast.expr, target: ast.expr) -> bool:
    """``expr`` reads what ``target`` names (``g``, or ``<any self>.g`` for an attribute)."""
    if isinstance(target, ast.Name):
        return isinstance(expr, ast.Name) and expr.id == target.id
    assert isinstance(target, ast.Attribute)
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == target.attr
        and isinstance(expr.value, ast.Name)
    )


def _torch_generator_unseeded(target: ast.expr, where: ast.AST) -> bool:
    """The generator bound to ``target`` is given to a ``generator=`` argument in ``where``,
    and nothing there seeds it or hands it elsewhere."""
    given = False
    for node in ast.walk(where):
        if isinstance(node, ast.keyword) and node.arg == "generator":
            given = given or _same_target(node.value, target)
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in _TORCH_SEEDING
                and _same_target(func.value, target)
            ):
                return False
            if any(_same_target(arg, target) for arg in node.args):
                return False  # handed to a function that may seed it
        elif isinstance(node, ast.Return) and node.value is not None:
            if _same_target(node.value, target):
                return False
    return given


# --------------------------------------------------------------------- ML105

#: Splitters whose constructor raises ValueError when ``random_state`` is set
#: and ``shuffle`` is not True (``_BaseKFold.__init__``: "Setting a
#: random_state has no effect since shuffle is False. You should leave
#: random_state to its default (None), or set shuffle=True."). Checked
#: against the installed scikit-learn by tests/test_rules_reproducibility.py.
SHUFFLE_SPLITTERS = frozenset(
    {
        "sklearn.model_selection.KFold",
        "sklearn.model_selection.StratifiedKFold",
        "sklearn.model_selection.GroupKFold",
        "sklearn.model_selection.StratifiedGroupKFold",
    }
)


_SHUFFLE_SPLITTER_NAMES = last_names(SHUFFLE_SPLITTERS)


class RandomStateWithoutShuffle(Check):
    """ML105: a K-fold splitter given ``random_state`` without ``shuffle=True``."""

    codes = ("ML105",)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _SHUFFLE_SPLITTER_NAMES):
            return  # cheap: most callees end in none of these names
        qualname = self.model.qualname(node.func)
        if qualname not in SHUFFLE_SPLITTERS or has_star_kwargs(node):
            return
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            return
        positional = sklearn_api.POSITIONAL_PARAMS.get(qualname, ())
        args = dict(zip(positional, node.args, strict=False))
        args.update({kw.arg: kw.value for kw in node.keywords if kw.arg is not None})
        random_state = args.get("random_state")
        if random_state is None or is_none(random_state):
            return
        shuffle = args.get("shuffle")
        if shuffle is not None:
            try:
                value = ast.literal_eval(shuffle)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return  # decided at run time
            if value:
                return
        if shuffle is None:
            how = "without `shuffle`"
        else:
            how = f"with `shuffle={self.ctx.source_of(shuffle)}`"
        self.report(
            "ML105",
            node,
            callee=self.ctx.source_of(node.func),
            how=how,
            data=(("shuffle", "missing" if shuffle is None else "false"), ("callee", qualname)),
        )
