"""Rule records of the data-leakage family (ML0xx)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

_FLOW = (
    " The rule follows the data inside one module (a notebook is one module), function or "
    "method, in source order: through assignments, tuple unpacking, column stores, `.copy()`, "
    "`.values`, `drop`, `loc`/`iloc`, `pd.concat`, `merge`, `np.hstack` ..., and through calls "
    "of functions defined in the same file (one level deep). `docs/flow.md` describes what it "
    "tracks and what it deliberately does not."
)

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML001",
        name="fit-before-split",
        pylint_id="W7601",
        family=Family.LEAKAGE,
        message=(
            "{source} learns from rows that `{sink}` at {line} {action}: {what} of the "
            "held-out rows leak into training; fit on the training part only (or inside a "
            "Pipeline)"
        ),
        summary=(
            "A stateful preprocessor (scaler, imputer, encoder, vectorizer, PCA, discretizer, "
            "clustering used as a feature ...) or a pandas statistic over all rows transforms "
            "data that is split or cross-validated afterwards."
        ),
        rationale=(
            "A scaler fit on the whole data set learns its mean and variance from the rows "
            "that later become the test set (or the validation folds of cross-validation); an "
            "imputer learns their medians, a vectorizer their vocabulary, PCA their "
            "directions. The model is then evaluated on rows whose information already shaped "
            "its training data, and the score overestimates how it does on new data. The "
            "same holds for hand-written statistics such as `df.fillna(df.mean())`, "
            "`(df - df.mean()) / df.std()` or clipping at `df.quantile(0.99)`. Fit the "
            "preprocessing on the training part only and apply it to the test part, or put it "
            "in a `Pipeline`, which cross-validation refits on every training fold. The "
            "finding is reported at the call that learns (`fit`, `fit_transform`, the "
            "statistic) and names the split or cross-validation that comes after it. "
            "Encoders fit on the target alone (`LabelEncoder().fit_transform(y)`) are not "
            "reported: they only learn the class names. Fitting on the training part and "
            "transforming the test part, unsupervised work with no split, and a `Pipeline` or "
            "`ColumnTransformer` handed to cross-validation are fine." + _FLOW
        ),
        bad=(
            "from sklearn.model_selection import train_test_split\n"
            "from sklearn.preprocessing import StandardScaler\n"
            "\n"
            "X = StandardScaler().fit_transform(X)\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        ),
        good=(
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "scaler = StandardScaler().fit(X_train)\n"
            "X_train = scaler.transform(X_train)\n"
            "X_test = scaler.transform(X_test)\n"
            "\n"
            "# or, for cross-validation:\n"
            "scores = cross_val_score(make_pipeline(StandardScaler(), SVC()), X, y)\n"
        ),
    ),
    Rule(
        code="ML002",
        name="fit-on-test-data",
        pylint_id="W7602",
        family=Family.LEAKAGE,
        message=(
            "`{call}` fits a transformer on test data ({why}); transform the test data with "
            "the transformer fit on the training data"
        ),
        summary=(
            "A transformer is fit again on the test or validation part of a split "
            "(`scaler.fit_transform(X_test)`) after being fit on the training part."
        ),
        rationale=(
            "Refitting a scaler, imputer, encoder or vectorizer on the test data gives the "
            "test data its own statistics: training and test features no longer mean the same "
            "thing (a scaled value of 0 is the training mean in one and the test mean in the "
            "other, category 3 is a different category), and the statistics of the test set "
            "itself shape its features. Fit once on the training part and call `transform` on "
            "the test part. The rule reports a `fit`/`fit_transform` whose data is the test or "
            "validation side of a split (of `train_test_split`, or a fold of a CV splitter) "
            "when the same object, or another one of the same class, was fit on the training "
            "side of that split; and, when the data's origin is unknown (separate train and "
            "test files), a refit of the same object on a test-named variable "
            "(`X_test`, `test_df`, `X_val` ...) after a fit on a train-named one." + _FLOW
        ),
        bad=(
            "scaler = StandardScaler()\n"
            "X_train = scaler.fit_transform(X_train)\n"
            "X_test = scaler.fit_transform(X_test)\n"
        ),
        good=(
            "scaler = StandardScaler()\n"
            "X_train = scaler.fit_transform(X_train)\n"
            "X_test = scaler.transform(X_test)\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary=(
            "`fit_transform` -> `transform` on the object that was fit on the training data "
            "(the target argument and fit parameters are dropped: `transform` takes the data "
            "only)."
        ),
        fix_safety=(
            "Unsafe: the test data is then transformed with the training statistics, which "
            "changes every transformed value and the reported score; that is the bug fix, but "
            "a reviewer should see it. Only offered when the same object was fit on the "
            "training data before in the same scope, so `transform` is called on a fitted "
            "object."
        ),
    ),
    Rule(
        code="ML003",
        name="resample-before-split",
        pylint_id="W7603",
        family=Family.LEAKAGE,
        message=(
            "{source} oversamples rows that `{sink}` at {line} {action}: copies and "
            "synthetic neighbours of the same rows end up on both sides; resample the training "
            "part only (or use an imblearn Pipeline)"
        ),
        summary=(
            "Oversampling (SMOTE family, RandomOverSampler, ADASYN, `resample(replace=True)`, "
            "`df.sample(replace=True)`) before the data is split or cross-validated."
        ),
        rationale=(
            "Oversampling duplicates minority rows or synthesises new ones between "
            "neighbouring rows. Done before the split, a duplicated row lands in the training "
            "set and its copy in the test set, and a synthetic row's parents sit on the other "
            "side: the model is tested on what it has already seen, and minority-class recall "
            "looks far better than it is. Resample only the training part after splitting, or "
            "put the sampler in an `imblearn.pipeline.Pipeline`, which resamples inside each "
            "training fold of cross-validation and never touches the test fold. "
            "Undersampling removes rows without copying any and is not reported." + _FLOW
        ),
        bad=(
            "from imblearn.over_sampling import SMOTE\n"
            "\n"
            "X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)\n"
            "X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, random_state=0)\n"
        ),
        good=(
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "X_train, y_train = SMOTE(random_state=0).fit_resample(X_train, y_train)\n"
        ),
    ),
    Rule(
        code="ML004",
        name="select-features-before-split",
        pylint_id="W7604",
        family=Family.LEAKAGE,
        message=(
            "{source} chooses features with the target on rows that `{sink}` at {line} "
            "{action}: the test labels help pick the features; select on the training part "
            "only (or inside a Pipeline)"
        ),
        summary=(
            "A supervised feature selector (SelectKBest, SelectPercentile, RFE, "
            "SelectFromModel, SequentialFeatureSelector, `mutual_info_*`, `chi2`, `f_classif` "
            "...) is fit with the target before the split or cross-validation."
        ),
        rationale=(
            "Selecting features by their association with the target on the whole data set "
            "uses the test labels to decide which features the model sees. With many features "
            "and few rows this alone produces impressive scores on pure noise: among thousands "
            "of random features some correlate with the labels by chance, on the test rows "
            "too, because the test rows took part in the selection. Select inside the "
            "training data only (after the split), or make the selector a step of a "
            "`Pipeline` so that cross-validation repeats the selection on every training fold."
            " Unsupervised selection (`VarianceThreshold`) is ML001's business." + _FLOW
        ),
        bad=(
            "X_new = SelectKBest(chi2, k=20).fit_transform(X, y)\n"
            "scores = cross_val_score(LogisticRegression(), X_new, y, cv=5)\n"
        ),
        good=(
            "model = make_pipeline(SelectKBest(chi2, k=20), LogisticRegression())\n"
            "scores = cross_val_score(model, X, y, cv=5)\n"
        ),
    ),
    Rule(
        code="ML005",
        name="evaluate-on-train-data",
        pylint_id="W7605",
        family=Family.LEAKAGE,
        message=(
            "`{model}` is evaluated only on the data it was fit on ({line}): this "
            "measures memorisation, not generalisation; evaluate it on held-out data"
        ),
        summary=(
            "The only evaluation of a fitted model uses the very data it was fit on: "
            "`m.fit(X, y)` then `m.score(X, y)` or `metric(y, m.predict(X))`."
        ),
        rationale=(
            "A model scored on its own training data reports how well it memorised those rows; "
            "a deep tree or a 1-nearest-neighbour classifier scores 100% there whatever it "
            "does on new data. Scoring on training data is fine next to a real evaluation "
            "(to compare training and test scores), so the rule only reports when the model "
            "has no other evaluation in the scope: no score or prediction on other data, no "
            "cross-validation, no `best_score_`/`oob_score_`, and the model is not handed to "
            "another function or stored where something else could evaluate it. The data "
            "must be the same names, unchanged between the fit and the evaluation; only "
            "supervised fits (with a target) of scikit-learn models and of the "
            "scikit-learn-compatible XGBoost, LightGBM and CatBoost models are considered."
        ),
        bad=(
            "model = DecisionTreeClassifier().fit(X, y)\n"
            'print("accuracy:", accuracy_score(y, model.predict(X)))\n'
        ),
        good=(
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "model = DecisionTreeClassifier().fit(X_train, y_train)\n"
            'print("accuracy:", accuracy_score(y_test, model.predict(X_test)))\n'
        ),
    ),
)
