"""ML004 select-features-before-split: features chosen with the target before the split."""

from __future__ import annotations

from mlsmells.records import Family, Rule
from mlsmells.rules.leakage._analysis import FLOW_RATIONALE, BeforeSplit

RULE = Rule(
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
        " Unsupervised selection (`VarianceThreshold`) is ML001's business." + FLOW_RATIONALE
    ),
    bad=(
        "X_new = SelectKBest(chi2, k=20).fit_transform(X, y)\n"
        "scores = cross_val_score(LogisticRegression(), X_new, y, cv=5)\n"
    ),
    good=(
        "model = make_pipeline(SelectKBest(chi2, k=20), LogisticRegression())\n"
        "scores = cross_val_score(model, X, y, cv=5)\n"
    ),
)


class SelectFeaturesBeforeSplit(BeforeSplit):
    """ML004: features selected with the target before the split."""

    rules = (RULE,)
