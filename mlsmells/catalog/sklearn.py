"""Rule records of the scikit-learn family (ML5xx)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML501",
        name="removed-sklearn-api",
        pylint_id="E7661",
        family=Family.SKLEARN,
        message="{old} was removed in scikit-learn {version}; use {new}",
        summary=(
            "A scikit-learn module, function, keyword, keyword value or method that no longer "
            "exists: `sklearn.cross_validation`, `sklearn.externals.joblib`, "
            "`OneHotEncoder(sparse=...)`, `base_estimator=`, `mean_squared_error(squared=False)`, "
            "`criterion=\"mse\"`, `get_feature_names()`, `plot_confusion_matrix` ..."
        ),
        rationale=(
            "scikit-learn renames and removes APIs after two releases of deprecation warnings. "
            "Tutorials and notebooks written before the removal fail with `ImportError`, "
            "`TypeError` (an unexpected keyword) or `InvalidParameterError` (a value no longer "
            "accepted) on a current scikit-learn. The table, with the version of each removal "
            "and its replacement as scikit-learn's deprecation message gave it, is "
            "`mlsmells/data/api_changes.py`. Keywords and values are only reported on calls of "
            "the scikit-learn callables they belonged to, and `get_feature_names()` only on "
            "objects known to be scikit-learn estimators. Code guarded by `try`/`except "
            "ImportError` or by a version test is a compatibility shim and is not reported."
        ),
        bad=(
            "from sklearn.externals import joblib\n"
            "from sklearn.metrics import mean_squared_error\n"
            "from sklearn.preprocessing import OneHotEncoder\n"
            "\n"
            "enc = OneHotEncoder(sparse=False, handle_unknown=\"ignore\")\n"
            "rmse = mean_squared_error(y_test, pred, squared=False)\n"
        ),
        good=(
            "import joblib\n"
            "from sklearn.metrics import root_mean_squared_error\n"
            "from sklearn.preprocessing import OneHotEncoder\n"
            "\n"
            "enc = OneHotEncoder(sparse_output=False, handle_unknown=\"ignore\")\n"
            "rmse = root_mean_squared_error(y_test, pred)\n"
        ),
        fix=Fix.MIXED,
        fix_summary=(
            "Pure renames only: `sparse=` -> `sparse_output=`, `base_estimator=` -> "
            "`estimator=`, `affinity=` -> `metric=`, TSNE's `n_iter=` -> `max_iter=`, "
            "`fit_params=` -> `params=`, "
            "`mean_squared_error(..., squared=False)` -> `root_mean_squared_error(...)` (and "
            "`squared=True` dropped), `make_scorer(..., needs_proba=True)` -> "
            "`response_method=\"predict_proba\"`, renamed values (`criterion=\"mse\"` -> "
            "`\"squared_error\"`, `loss=\"log\"` -> `\"log_loss\"`, `max_features=\"auto\"` -> "
            "`\"sqrt\"` for classifiers and `1.0` for regressors, `penalty=\"none\"` -> `None` "
            "...), `sklearn.externals.joblib` -> `joblib`, `sklearn.datasets.samples_generator` "
            "-> `sklearn.datasets`, `calinski_harabaz_score` -> `calinski_harabasz_score`. "
            "Unsafe: `get_feature_names()` -> `get_feature_names_out()`. Removals without a "
            "drop-in replacement (`sklearn.cross_validation`, `normalize=`, "
            "`plot_confusion_matrix` ...) are reported, not fixed."
        ),
        fix_safety=(
            "Safe: each replacement is what the old spelling meant, as scikit-learn's "
            "deprecation message stated it during the overlap releases in which both worked. "
            "The fixed code needs a scikit-learn recent enough to have the new spelling (1.2 "
            "for `sparse_output`, `estimator` and `get_feature_names_out`, 1.4 for "
            "`root_mean_squared_error`, `params=` and `response_method=`): on the versions "
            "where the original still ran, it behaves the same. Unsafe: "
            "`get_feature_names_out()` returns a NumPy array of strings where "
            "`get_feature_names()` returned a list (`names + [\"extra\"]` and `names.index(c)` "
            "change meaning), and it names the features after the DataFrame columns the "
            "transformer was fit on where the old method said `x0`, `x1` ..."
        ),
    ),
)
