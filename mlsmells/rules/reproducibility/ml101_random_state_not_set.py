"""ML101 random-state-not-set: a random scikit-learn call without `random_state`, and its fix."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlsmells.data import sklearn_api
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context, iter_local_nodes, names_in
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always, has_star_kwargs, is_none
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML101",
    name="random-state-not-set",
    pylint_id="W7611",
    family=Family.REPRODUCIBILITY,
    message="`{callee}` uses randomness but `random_state` is {how}",
    summary=("A scikit-learn callable that consumes randomness is called without `random_state`."),
    rationale=(
        "Without `random_state` (or with `random_state=None`) every run draws a different "
        "split, initialisation or bootstrap sample, so results cannot be reproduced, "
        "compared between runs, or debugged. The rule knows which scikit-learn callables "
        "accept `random_state` (a table generated from scikit-learn itself) and stays silent "
        "where the argument is unused or its use is not certain from the call: "
        "`KFold`/`StratifiedKFold`/`GroupKFold`-family splitters without `shuffle=True`, "
        "`SVC`/`NuSVC` without `probability=True`, `LogisticRegression` and `Ridge` unless "
        "the solver is a stochastic one (`sag`, `saga`; `liblinear` only for the L1 "
        "penalty or `dual=True`), `Lasso`/`ElasticNet` without "
        '`selection="random"`, solvers chosen from the data shape (`PCA`\'s '
        '`svd_solver="auto"`), an estimator handed to `AdaBoost`/`Bagging` or to '
        "imbalanced-learn's `BalancedBagging`/`EasyEnsemble`/`RUSBoost` (the ensemble "
        "reseeds it, and every estimator inside it: the steps of a pipeline, the estimator "
        "of a wrapper), inline or through a variable used for nothing else in its scope, "
        "and calls that pass `**kwargs`."
    ),
    bad=(
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.ensemble import RandomForestClassifier\n\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "model = RandomForestClassifier(n_estimators=200)\n"
    ),
    good=(
        "SEED = 42\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)\n"
        "model = RandomForestClassifier(n_estimators=200, random_state=SEED)\n"
    ),
    fix=Fix.SAFE,
    fix_summary="Add `random_state=<seed>` (the configured seed, 42 by default).",
    fix_safety=(
        "Safe: the fixed program behaves exactly as one of the runs the original program "
        "could already have had, so no behaviour the author relied on is removed. When the "
        "call passes `random_state=None` (by keyword or by position), the fix replaces the "
        "`None`."
    ),
)


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
#: 'liblinear'" (liblinear's primal L2 solver draws nothing: see
#: ``_logistic_draws``); Ridge: "Used when `solver` == 'sag' or 'saga'"; Lasso /
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
    "sklearn.linear_model.LogisticRegression": UsedWhen(
        {"solver": "lbfgs", "penalty": "deprecated", "dual": False, "l1_ratio": 0.0},
        lambda a: _logistic_draws(a, a["l1_ratio"] == 1),
    ),
    "sklearn.linear_model.LogisticRegressionCV": UsedWhen(
        {"solver": "lbfgs", "penalty": "deprecated", "dual": False, "l1_ratios": "warn"},
        lambda a: _logistic_draws(
            a,
            isinstance(a["l1_ratios"], (list, tuple))
            and bool(a["l1_ratios"])
            and all(r == 1 for r in a["l1_ratios"]),
        ),
    ),
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


def _logistic_draws(args: Mapping[str, object], l1_by_ratio: bool) -> bool:
    """Whether a logistic regression's solver draws random numbers: sag and saga shuffle;
    liblinear only in its coordinate-descent solvers, for the dual problem (``dual=True``)
    and for the L1 penalty (``penalty="l1"``, or since scikit-learn 1.8 ``l1_ratio=1``
    with ``penalty`` left alone); its primal L2 solver (trust-region Newton) draws
    nothing."""
    solver = args["solver"]
    if solver in ("sag", "saga"):
        return True
    if solver != "liblinear":
        return False
    penalty = args["penalty"]
    return args["dual"] is True or penalty == "l1" or (penalty == "deprecated" and l1_by_ratio)


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
#: The last names of :data:`RESEEDING_ENSEMBLES`: a file naming none uses none (an
#: alias of one still names it in its import line).
_ENSEMBLE_NAMES = tuple(last_names(RESEEDING_ENSEMBLES))


_ESTIMATOR_PARAMS = frozenset({"estimator", "base_estimator"})


#: scikit-learn's estimator test utilities seed every estimator they check.
_ESTIMATOR_CHECKS = frozenset(
    {
        "sklearn.utils.estimator_checks.parametrize_with_checks",
        "sklearn.utils.estimator_checks.check_estimator",
    }
)


#: scikit-learn functions that build an estimator of the estimators they are given.
_ESTIMATOR_BUILDERS = frozenset(
    {
        "sklearn.pipeline.make_pipeline",
        "sklearn.pipeline.make_union",
        "sklearn.compose.make_column_transformer",
        "sklearn.base.clone",
        "imblearn.pipeline.make_pipeline",
    }
)


def _builds_estimator(callee: str | None) -> bool:
    """A scikit-learn (or imbalanced-learn) class, or a function that builds an estimator
    of its arguments: what it gets becomes part of its ``get_params(deep=True)``."""
    if callee is None or not callee.startswith(("sklearn.", "imblearn.")):
        return False
    return callee in _ESTIMATOR_BUILDERS or callee.rpartition(".")[2][:1].isupper()


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

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})
    call_names = last_names(
        [*sklearn_api.RANDOM_STATE_CALLABLES, *sklearn_api.RANDOM_STATE_ALIASES]
    )  # (see :func:`primary_name`)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._uses: dict[int, _ScopeUses] = {}
        """id(module or function node) -> the uses of the names bound in it."""
        self._ensembles = any(name in ctx.text for name in _ENSEMBLE_NAMES)
        """Whether the file names a reseeding ensemble (else no name is only reseeded)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        primary = primary_name(self.model.qualname(node.func))
        if primary is None or primary in DATA_SIZE_DEPENDENT or has_star_kwargs(node):
            return
        if self._reseeded(node):
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
        """``node`` is (inside) the estimator of a reseeding ensemble, or checked by
        estimator_checks.

        The ensemble reseeds every ``random_state`` its estimator's ``get_params(deep=True)``
        reaches, so ``node`` may sit in a pipeline or a wrapper built by scikit-learn
        (``BaggingClassifier(make_pipeline(StandardScaler(), SVC(probability=True)))``),
        inline or through a variable (:meth:`_reseeded_variable`).
        """
        ancestors = self.ctx.ancestors
        child: ast.AST = node
        in_container = False
        keyword_arg: str | None = None
        for index in range(len(ancestors) - 1, -1, -1):
            parent = ancestors[index]
            if isinstance(parent, (ast.List, ast.Tuple)):
                in_container = True
            elif isinstance(parent, ast.keyword):
                keyword_arg = parent.arg
            elif isinstance(parent, ast.Call) and parent.func is not child:
                callee = self.model.qualname(parent.func)
                if callee in _ESTIMATOR_CHECKS:
                    return True
                position = RESEEDING_ENSEMBLES.get(callee or "")
                if position is not None:
                    if in_container:
                        return False  # ``estimators=[...]`` of something else, not its estimator
                    if keyword_arg is not None:
                        return keyword_arg in _ESTIMATOR_PARAMS
                    return _estimator_argument(parent, position) is child
                if not _builds_estimator(callee):
                    return False
                in_container, keyword_arg = False, None
            else:
                return self._reseeded_variable(parent, child)
            child = parent
        return False

    def _reseeded_variable(self, parent: ast.AST, value: ast.AST) -> bool:
        """``name = value`` (``value`` holding the candidate) where every use of ``name`` in
        the scope is the estimator of a reseeding ensemble (``base = Tree();
        AdaBoostClassifier(base, ...)``).

        Any other mention of the name (a ``fit``, a ``clone``, a rebinding, a use
        in a nested function or class, a ``global``) leaves the finding in place.
        """
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign):
            target = parent.target
        else:
            return False
        if parent.value is not value or not isinstance(target, ast.Name) or not self._ensembles:
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


# ---------------------------------------------------------------------- fix


def random_state(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Add ``random_state=<seed>``, or replace the ``None`` passed as ``random_state``.

    The rule says which (``data["random_state"]``: ``missing`` or ``none``)
    and names the callable (``data["callee"]``), whose table of positional
    parameters locates a ``None`` passed by position.
    """
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.seed))
    given = fx.keyword_arg(call, "random_state")
    if diag.get("random_state") == "missing":
        return fx.Edit(call, fx.add_keyword(call, "random_state", seed))
    if given is None:
        positional = sklearn_api.POSITIONAL_PARAMS.get(diag.get("callee") or "", ())
        if "random_state" not in positional:
            return None
        index = positional.index("random_state")
        args = [a for a in call.args if a.keyword is None]
        if index >= len(args) or args[index].star:
            return None
        given = args[index]
    if not (isinstance(given.value, cst.Name) and given.value.value == "None"):
        return None
    return fx.Edit(given.value, seed)


FIXES = {"ML101": random_state}
FIXABLE = {"ML101": fix_always(Fix.SAFE)}
