"""ML003 resample-before-split: oversampling of rows that are split afterwards."""

from __future__ import annotations

from mlsmells.records import Family, Rule
from mlsmells.rules.leakage._analysis import FLOW_RATIONALE, BeforeSplit

RULE = Rule(
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
        "Stacking rows with copies of themselves is oversampling too: a frame concatenated "
        "with its own rows (`pd.concat([neg, pos, pos])`, `df.append(pos)` in a loop), "
        "images stacked with their flipped copies before Keras' `validation_split`. "
        "Undersampling removes rows without copying any and is not reported." + FLOW_RATIONALE
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
)


class ResampleBeforeSplit(BeforeSplit):
    """ML003: rows oversampled before the split."""

    rules = (RULE,)
