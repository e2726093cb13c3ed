"""Checks of the reproducibility family."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mlsmells.data import sklearn_api
from mlsmells.engine import Check
from mlsmells.rules._util import has_star_kwargs, is_none


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
RESEEDING_ENSEMBLES = frozenset(
    {
        "sklearn.ensemble.AdaBoostClassifier",
        "sklearn.ensemble.AdaBoostRegressor",
        "sklearn.ensemble.BaggingClassifier",
        "sklearn.ensemble.BaggingRegressor",
    }
)
_ESTIMATOR_PARAMS = frozenset({"estimator", "base_estimator"})
#: scikit-learn's estimator test utilities seed every estimator they check.
_ESTIMATOR_CHECKS = frozenset(
    {
        "sklearn.utils.estimator_checks.parametrize_with_checks",
        "sklearn.utils.estimator_checks.check_estimator",
    }
)


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
        if callee not in RESEEDING_ENSEMBLES or in_container:
            return False
        if keyword_arg is not None:
            return keyword_arg in _ESTIMATOR_PARAMS
        return bool(parent.args) and parent.args[0] is node

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
