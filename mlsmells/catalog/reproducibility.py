"""Rule records of the reproducibility family (ML1xx)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML101",
        name="random-state-not-set",
        pylint_id="W7611",
        family=Family.REPRODUCIBILITY,
        message="`{callee}` uses randomness but `random_state` is {how}",
        summary=(
            "A scikit-learn callable that consumes randomness is called without `random_state`."
        ),
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
            "`svd_solver=\"auto\"`), an estimator handed to `AdaBoost`/`Bagging` or to "
            "imbalanced-learn's `BalancedBagging`/`EasyEnsemble`/`RUSBoost` (the ensemble "
            "reseeds it), inline or through a variable used for nothing else in its scope, and "
            "calls that pass `**kwargs`."
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
    Rule(
        code="ML102",
        name="legacy-numpy-random",
        pylint_id="W7612",
        family=Family.REPRODUCIBILITY,
        message="`{name}` {verb} NumPy's legacy global random state; {advice}",
        summary=(
            "A legacy `numpy.random` function (`np.random.seed`, `rand`, `randn`, `randint`, "
            "`choice`, `shuffle` ...) that uses the hidden global RandomState."
        ),
        rationale=(
            "The module-level functions of `numpy.random` share one hidden `RandomState`: any "
            "library or any other part of the program that draws from it, or seeds it, changes "
            "what your code gets, so a result depends on the order of unrelated calls and "
            "`np.random.seed` at the top of a script reproduces a run only as long as nothing "
            "else changes. NEP 19 made them legacy: NumPy recommends an explicit `Generator` "
            "(`rng = np.random.default_rng(seed)`) passed to the code that needs randomness, "
            "which is also faster and has better statistical properties. The rule reports "
            "every use of the legacy functions; `seed`, `get_state` and `set_state` only in a "
            "module that also draws from them, since a module that only seeds or saves the "
            "global state (a seed-everything helper, checkpointing code) does it for other "
            "code that uses it, such as scikit-learn estimators with `random_state=None`."
        ),
        bad=(
            "np.random.seed(0)\n"
            "noise = np.random.randn(100, 3)\n"
            "idx = np.random.randint(0, 100, size=10)\n"
            "weights = np.random.rand(3, 3)\n"
        ),
        good=(
            "rng = np.random.default_rng(0)\n"
            "noise = rng.standard_normal((100, 3))\n"
            "idx = rng.integers(0, 100, size=10)\n"
            "weights = rng.random((3, 3))\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary=(
            "One Generator per module: the module-level `np.random.seed(s)` becomes "
            "`rng = np.random.default_rng(s)` where it stands; without a seed call, "
            "`rng = np.random.default_rng()` goes right after the imports (an existing "
            "module-level `rng = np.random.default_rng(...)` is reused). Each call then draws "
            "from it, with its arguments mapped: `rand(2, 3)` → `rng.random((2, 3))`, "
            "`randn(n)` → `rng.standard_normal(n)`, `randint(a, b)` → `rng.integers(a, b)`, "
            "`random_integers(a, b)` → `rng.integers(a, b + 1)`, `random_sample`/`ranf`/"
            "`sample` → `rng.random`, and the distributions, `choice`, `shuffle` and "
            "`permutation` under their own names. The fix is all or nothing per module: it "
            "is not offered when a use cannot be mapped (a reference that is not called, "
            "`get_state`/`set_state`, `*args`), when there are several seed calls or the "
            "seed call is inside a function, or when a use would run before the generator "
            "exists."
        ),
        fix_safety=(
            "Unsafe: a Generator produces a different stream than the legacy RandomState for "
            "the same seed, so every random number changes (each mapped call keeps the shape, "
            "dtype and range of its result). Code that relied on the global seed without "
            "calling these functions, such as scikit-learn estimators with "
            "`random_state=None`, is no longer seeded once `np.random.seed` is gone."
        ),
    ),
    Rule(
        code="ML103",
        name="unseeded-generator",
        pylint_id="W7613",
        family=Family.REPRODUCIBILITY,
        message="`{callee}(...)` makes a generator without a seed: it {problem}",
        summary=(
            "A random generator created without a seed: `np.random.default_rng()`, "
            "`np.random.RandomState()`, `random.Random()`, a NumPy bit generator, or a "
            "`torch.Generator()` that is never seeded."
        ),
        rationale=(
            "A NumPy generator (`default_rng`, `RandomState`, `SeedSequence`, the bit "
            "generators) or a `random.Random` created without a seed takes its seed from the "
            "operating system: every run draws different numbers and no run can be repeated. "
            "`torch.Generator()` is the opposite trap: without `manual_seed` it starts from "
            "one fixed default seed, the same for every unseeded Generator and unaffected by "
            "`torch.manual_seed`, so changing the experiment's seed does not change what it "
            "draws (two such generators give identical numbers). The torch case is reported "
            "when the generator reaches a `generator=` argument unseeded, directly or through "
            "a name or `self` attribute that nothing seeds."
        ),
        bad=(
            "rng = np.random.default_rng()\n"
            "loader = DataLoader(dataset, shuffle=True, generator=torch.Generator())\n"
        ),
        good=(
            "rng = np.random.default_rng(42)\n"
            "loader = DataLoader(\n"
            "    dataset, shuffle=True, generator=torch.Generator().manual_seed(42)\n"
            ")\n"
        ),
        fix=Fix.MIXED,
        fix_summary=(
            "Add the configured seed (42 by default): `np.random.default_rng(42)`, "
            "`random.Random(42)` (a `None` seed is replaced), "
            "`torch.Generator().manual_seed(42)`."
        ),
        fix_safety=(
            "Safe for NumPy and `random`: an unseeded generator takes an arbitrary seed from "
            "the operating system, so the fixed program behaves as one of the runs the "
            "original could have had. Unsafe for `torch.Generator`: it always started from "
            "torch's fixed default seed, and the configured seed changes every number it "
            "draws."
        ),
    ),
    Rule(
        code="ML105",
        name="kfold-random-state-without-shuffle",
        pylint_id="E7615",
        family=Family.REPRODUCIBILITY,
        message=(
            "`{callee}` is given `random_state` {how}: scikit-learn raises ValueError "
            "(random_state has no effect without shuffling)"
        ),
        summary=(
            "`KFold`, `StratifiedKFold`, `GroupKFold` or `StratifiedGroupKFold` with "
            "`random_state` set but `shuffle` not True."
        ),
        rationale=(
            "These splitters use `random_state` only to shuffle the samples before cutting "
            "the folds. Since scikit-learn 0.24 setting it while `shuffle` is False raises "
            "`ValueError: Setting a random_state has no effect since shuffle is False`, so "
            "the script stops at the splitter; older versions silently ignored the seed, "
            "which hid the fact that the folds were never shuffled."
        ),
        bad="cv = StratifiedKFold(n_splits=5, random_state=42)\n",
        good="cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)\n",
        fix=Fix.UNSAFE,
        fix_summary="Add `shuffle=True` (or turn `shuffle=False` into `shuffle=True`).",
        fix_safety=(
            "Unsafe: the folds become shuffled ones, which is what the seed asked for but "
            "changes every fold (and, on old scikit-learn that ignored the seed, every "
            "score). Dropping `random_state` instead keeps the unshuffled folds; choose that "
            "by hand when the order of the samples matters (time series, grouped data)."
        ),
    ),
)
