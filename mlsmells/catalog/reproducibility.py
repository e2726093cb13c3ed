"""Rule records of the reproducibility family (ML1xx)."""

from __future__ import annotations

from mlsmells.registry import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML101",
        name="random-state-not-set",
        pylint_id="W7611",
        family=Family.REPRODUCIBILITY,
        message="`{callee}` uses randomness but `random_state` is {how}",
        summary="A scikit-learn callable that consumes randomness is called without `random_state`.",
        rationale=(
            "Without `random_state` (or with `random_state=None`) every run draws a different "
            "split, initialisation or bootstrap sample, so results cannot be reproduced, "
            "compared between runs, or debugged. The rule knows which scikit-learn callables "
            "accept `random_state` (a table generated from scikit-learn itself) and stays silent "
            "where the argument is unused or its use is not certain from the call: "
            "`KFold`/`StratifiedKFold`/`GroupKFold`-family splitters without `shuffle=True`, "
            "`SVC`/`NuSVC` without `probability=True`, `LogisticRegression` and `Ridge` unless "
            "the solver is a stochastic one, `Lasso`/`ElasticNet` without "
            "`selection=\"random\"`, solvers chosen from the data shape (`PCA`'s "
            "`svd_solver=\"auto\"`), an estimator handed to `AdaBoost`/`Bagging` (the ensemble "
            "reseeds it), and calls that pass `**kwargs`."
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
    ),
)
