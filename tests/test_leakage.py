"""The leakage rules (ML001-ML005) beyond their fixtures: messages, gating, the ML002 fix."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlsmells import registry
from mlsmells.engine import Check
from mlsmells.fixes.apply import fix_source
from mlsmells.rules.leakage._analysis import REQUIRES, DataFlow
from mlsmells.rules.leakage.ml001_fit_before_split import FitBeforeSplit
from mlsmells.rules.leakage.ml002_fit_on_test_data import FitOnTestData
from mlsmells.rules.leakage.ml003_resample_before_split import ResampleBeforeSplit
from mlsmells.rules.leakage.ml004_select_features_before_split import SelectFeaturesBeforeSplit
from mlsmells.rules.leakage.ml005_evaluate_on_train_data import EvaluateOnTrainData
from tests.fixture_util import FIXTURES

LEAKAGE = frozenset({"ML001", "ML002", "ML003", "ML004", "ML005"})
CHECKS: tuple[type[Check], ...] = (
    FitBeforeSplit,
    FitOnTestData,
    ResampleBeforeSplit,
    SelectFeaturesBeforeSplit,
    EvaluateOnTrainData,
)


def findings(source: str) -> list[tuple[int, str, str]]:
    found = registry.engine(LEAKAGE).run_source(textwrap.dedent(source))
    return [(d.line, d.code, d.message) for d in found]


def test_the_message_names_the_split_or_cross_validation_line() -> None:
    (finding,) = findings(
        """
        import pandas as pd
        from sklearn.model_selection import cross_val_score
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        df = pd.read_csv("a.csv")
        X = StandardScaler().fit_transform(df.drop(columns="y"))
        print(X.shape)
        scores = cross_val_score(SVC(), X, df["y"])
        """
    )
    line, code, message = finding
    assert (line, code) == (8, "ML001")
    assert "`cross_val_score` at line 10 uses for cross-validation" in message


def test_one_finding_per_learning_call_however_many_sinks() -> None:
    found = findings(
        """
        from sklearn.model_selection import cross_val_score, train_test_split
        from sklearn.preprocessing import MinMaxScaler

        def run(X, y, model):
            X = MinMaxScaler().fit_transform(X)
            parts = train_test_split(X, y)
            scores = cross_val_score(model, X, y)
            return parts, scores
        """
    )
    assert [(line, code) for line, code, _ in found] == [(6, "ML001")]
    assert "`train_test_split` at line 7" in found[0][2]  # the first sink in source order


def test_files_without_sklearn_or_imblearn_cost_nothing() -> None:
    for check in CHECKS:
        assert check.requires == REQUIRES, check
    assert REQUIRES == {"sklearn", "imblearn", "keras", "tensorflow", "tf_keras", "torch"}
    source = """
        import pandas as pd
        df = pd.read_csv("a.csv")
        df = (df - df.mean()) / df.std()
        """
    assert findings(source) == []


def test_keras_and_torch_files_are_followed_only_when_they_split() -> None:
    leaky = """
        import numpy as np
        from keras.models import Sequential

        X = np.load("x.npy")
        y = np.load("y.npy")
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        model = Sequential()
        model.fit(X, y, epochs=5, validation_split=0.2)
        """
    assert [(line, code) for line, code, _ in findings(leaky)] == [(7, "ML001")]
    no_split = textwrap.dedent(leaky.replace(", validation_split=0.2", ""))
    for check in CHECKS:
        assert check.runs_on({"numpy", "keras"}, textwrap.dedent(leaky))
        assert not check.runs_on({"numpy", "keras"}, no_split)
        assert check.runs_on({"numpy", "sklearn"}, no_split)


def test_ml002_fix_is_offered_only_for_the_object_fit_on_training_data() -> None:
    source = textwrap.dedent(
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        def prepare(X, y):
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            sc = StandardScaler()
            X_train = sc.fit_transform(X_train)
            fresh = StandardScaler().fit_transform(X_test)
            return sc.fit_transform(X_test), fresh
        """
    )
    found = {d.line: d.get("fix") for d in registry.engine(LEAKAGE).run_source(source)}
    assert found == {9: None, 10: "transform"}


def _run(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippet
    return namespace


def test_ml002_fixed_code_transforms_test_data_with_the_training_statistics() -> None:
    before = textwrap.dedent(
        """
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        rng = np.random.default_rng(0)
        X = rng.normal(loc=5.0, scale=3.0, size=(200, 4))
        y = rng.integers(0, 2, size=200)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        raw_train, raw_test = X_train.copy(), X_test.copy()
        sc = StandardScaler()
        X_train = sc.fit_transform(X_train, y_train)
        X_test = sc.fit_transform(X_test, y_test)
        """
    )
    result = fix_source(before, "snippet.py", LEAKAGE, unsafe=True)
    assert result.error is None and result.changed
    assert "X_test = sc.transform(X_test)\n" in result.source
    old, new = _run(before), _run(result.source)
    raw_train = new["raw_train"]
    expected = (new["raw_test"] - raw_train.mean(axis=0)) / raw_train.std(axis=0)
    assert np.allclose(new["X_test"], expected)
    assert not np.allclose(old["X_test"], expected)  # the original gave test its own statistics
    assert np.allclose(old["X_train"], new["X_train"])


def test_each_rule_has_its_own_check_reading_the_shared_flow() -> None:
    assert sorted(code for check in CHECKS for code in check.codes) == sorted(LEAKAGE)
    assert all(check.needs == (DataFlow,) and check in registry.CHECKS for check in CHECKS)


_LEAKAGE_FIXTURES = sorted(FIXTURES.glob("ML00[1-5]*.py"))


@pytest.mark.parametrize("path", _LEAKAGE_FIXTURES, ids=lambda p: p.name)
def test_selecting_one_leakage_code_reports_exactly_its_findings_of_a_full_run(
    path: Path,
) -> None:
    """The checks share one analysis but decide alone: a selection of one code gives the
    findings of that code that all five give (messages, locations, fix data, dedup)."""
    source = path.read_text(encoding="utf-8")
    everything = registry.engine(LEAKAGE).run_source(source, str(path))
    assert everything  # the fixture exercises the rules
    for code in sorted(LEAKAGE):
        alone = registry.engine(frozenset({code})).run_source(source, str(path))
        assert alone == [d for d in everything if d.code == code], code
