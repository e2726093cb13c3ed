"""ML001 fit-before-split: a preprocessor or a statistic learns from rows split afterwards."""

from __future__ import annotations

from mlsmells.records import Family, Rule
from mlsmells.rules.leakage._analysis import FLOW_RATIONALE, BeforeSplit

RULE = Rule(
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
        "Encoders that learn only which categories exist are not reported, on the target "
        "or on features: `LabelEncoder`, `OrdinalEncoder`, `OneHotEncoder`, `LabelBinarizer`, "
        "and `CountVectorizer`/Keras `Tokenizer` without a frequency option (`min_df`, "
        "`max_df`, `max_features`, `num_words`); with one, or as TF-IDF, they learn "
        "frequencies and are. Out-of-fold encodings (statistics of `iloc[train_idx]` "
        "applied to `iloc[valid_idx]`) are fine. Fitting on the training part and "
        "transforming the test part, unsupervised work with no split, and a `Pipeline` or "
        "`ColumnTransformer` handed to cross-validation are fine." + FLOW_RATIONALE
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
)


class FitBeforeSplit(BeforeSplit):
    """ML001: a preprocessor (or a statistic over all rows) learns before the split."""

    rules = (RULE,)
