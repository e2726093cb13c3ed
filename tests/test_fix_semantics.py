"""Run the code before and after each fix with the real libraries and compare.

Safe fixes must preserve behaviour:

- ML101 (``random_state=<seed>``): the fixed program must behave as one of
  the runs the original could have had. scikit-learn draws from NumPy's
  global RandomState when ``random_state`` is None, so the original, run
  after ``np.random.seed(seed)``, must give exactly the fixed program's
  result (and another global seed must give another result, or the
  comparison would prove nothing).
- ML202 (drop ``inplace=True`` from an assigned call): the assigned name
  must now hold exactly what the in-place call made of the object.

Unsafe fixes change behaviour on purpose; for them the tests check that the
fixed code does what the rule says it should.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlsmells.config import Settings
from mlsmells.fixes.apply import fix_source


def _fixed(source: str, code: str, *, seed: int = 42, unsafe: bool = False) -> str:
    result = fix_source(
        source, "snippet.py", frozenset({code}), settings=Settings(seed=seed), unsafe=unsafe
    )
    assert result.error is None
    assert result.changed, f"{code} fixed nothing in:\n{source}"
    assert not [d for d in result.remaining if d.code == code]
    return result.source


def _run(source: str, *, global_seed: int | None = None, quiet: bool = True) -> dict[str, Any]:
    """Execute a snippet; its deprecation noise (pandas' inplace=...) is silenced when ``quiet``."""
    if global_seed is not None:
        np.random.seed(global_seed)
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippets
    return namespace


def _same(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return a == b


DATA = """\
import numpy as np
X = np.column_stack([np.sin(np.arange(60) * 0.37), np.cos(np.arange(60) * 0.11)])
y = (np.arange(60) * 7 % 3 == 0).astype(int)
groups = np.arange(60) // 5
"""

ML101_SNIPPETS = {
    "train_test_split": DATA
    + "from sklearn.model_selection import train_test_split\n"
    + "result = train_test_split(X, y, test_size=0.25)\n",
    "random_forest": DATA
    + "from sklearn.ensemble import RandomForestClassifier\n"
    + "model = RandomForestClassifier(n_estimators=5, max_depth=3).fit(X, y)\n"
    + "result = model.predict_proba(X)\n",
    "random_state_none": DATA
    + "from sklearn.ensemble import ExtraTreesClassifier\n"
    + "model = ExtraTreesClassifier(n_estimators=4, max_depth=2, random_state=None).fit(X, y)\n"
    + "result = model.predict_proba(X)\n",
    "kmeans": DATA
    + "from sklearn.cluster import KMeans\n"
    + "result = KMeans(n_clusters=3, n_init=1, max_iter=1).fit(X).cluster_centers_\n",
    "shuffled_folds": DATA
    + "from sklearn.model_selection import StratifiedKFold\n"
    + "folds = StratifiedKFold(n_splits=3, shuffle=True)\n"
    + "result = [test for _, test in folds.split(X, y)]\n",
    "positional_none": DATA
    + "from sklearn.model_selection import StratifiedGroupKFold\n"
    + "folds = StratifiedGroupKFold(3, True, None)\n"
    + "result = [test for _, test in folds.split(X, y, groups)]\n",
    "sgd": DATA
    + "from sklearn.linear_model import SGDClassifier\n"
    + "result = SGDClassifier(max_iter=5, tol=None).fit(X, y).coef_\n",
    "dataset": "from sklearn.datasets import make_classification\n"
    + "result = make_classification(n_samples=30, n_features=4)\n",
}


@pytest.mark.parametrize("seed", [42, 7])
@pytest.mark.parametrize("name", sorted(ML101_SNIPPETS))
def test_ml101_fixed_run_is_a_run_of_the_original(name: str, seed: int) -> None:
    before = ML101_SNIPPETS[name]
    after = _fixed(before, "ML101", seed=seed)
    fixed = _run(after, global_seed=12345)["result"]  # the global state must not matter now
    assert _same(fixed, _run(after, global_seed=999)["result"])
    assert _same(fixed, _run(before, global_seed=seed)["result"])
    assert not _same(fixed, _run(before, global_seed=seed + 1)["result"])


FRAME = """\
import numpy as np
import pandas as pd
frame = pd.DataFrame(
    {"a": [3.0, np.nan, 1.0, 3.0], "b": ["x", "y", None, "x"], "c": [1, 2, 3, 1]},
    index=[10, 11, 12, 13],
)
original = frame
"""

ML202_SNIPPETS = {
    "dropna": "frame = frame.dropna(inplace=True)\n",
    "fillna": "frame = frame.fillna({'a': 0.0, 'b': '?'}, inplace=True)\n",
    "drop_duplicates": "frame = frame.drop_duplicates(inplace=True)\n",
    "sort_values": "frame = frame.sort_values('c', inplace=True)\n",
    "reset_index": "frame = frame.reset_index(drop=True, inplace=True)\n",
    "rename": "frame = frame.rename(columns={'a': 'alpha'}, inplace=True)\n",
    "drop": "frame = frame.drop(columns=['b'], inplace=True)\n",
    "set_index": "frame = frame.set_index('c', inplace=True)\n",
    "replace": "frame = frame.replace({'x': 'ex'}, inplace=True)\n",
    "series": "series = original['a']\nseries_original = series\n"
    "series = series.fillna(-1.0, inplace=True)\n",
}


@pytest.mark.parametrize("name", sorted(ML202_SNIPPETS))
def test_ml202_name_holds_what_the_inplace_call_made(name: str) -> None:
    before = FRAME + ML202_SNIPPETS[name]
    after = _fixed(before, "ML202")
    old, new = _run(before), _run(after)
    # The bug: the name was bound to None (pandas 3 returns the object itself
    # from some methods with inplace=True: fillna, replace, clip ...).
    if name == "series":
        assert old["series"] is None or old["series"] is old["series_original"]
        pd.testing.assert_series_equal(new["series"], old["series_original"])
        return
    assert old["frame"] is None or old["frame"] is old["original"]
    pd.testing.assert_frame_equal(new["frame"], old["original"])
    # The documented difference: the object itself is no longer mutated.
    pd.testing.assert_frame_equal(new["original"], _run(FRAME)["original"])


# ------------------------------------------------------------- unsafe fixes
def test_ml201_fixed_writes_reach_the_frame() -> None:
    before = (
        "import pandas as pd\n"
        "df = pd.DataFrame({'tenure': [-1, 5, -3], 'qty': [1.0, None, 2.0]})\n"
        "df['tenure'][df['tenure'] < 0] = 0\n"
        "df['qty'].fillna(0, inplace=True)\n"
    )
    after = _fixed(before, "ML201", unsafe=True)
    with pytest.warns(Warning, match="[Cc]hained"):  # pandas: the original writes nowhere
        old = _run(before, quiet=False)["df"]
    new = _run(after)["df"]
    assert old["tenure"].tolist() == [-1, 5, -3] and old["qty"].isna().any()
    assert new["tenure"].tolist() == [0, 5, 0] and new["qty"].tolist() == [1.0, 0.0, 2.0]


_CUSTOMERS = (
    "import pandas as pd\n"
    "df = pd.DataFrame(\n"
    "    {'age': [15, 40, 95, 17], 'plan': ['a', 'b', 'c', 'd'], 'score': [1, 2, 3, 4]},\n"
    "    index=['r0', 'r1', 'r2', 'r3'],\n"
    ")\n"
)


@pytest.mark.parametrize(
    ("statement", "column", "expected"),
    [
        ("df[df['age'] < 18]['plan'] = 'minor'", "plan", ["minor", "b", "c", "minor"]),
        ("df[~(df['age'] < 18)]['score'] = 0", "score", [1, 0, 0, 4]),
        ("df[(df['age'] > 16) & (df['score'] > 1)]['score'] += 10", "score", [1, 12, 13, 14]),
        ("df[df['plan'].isin(['a', 'c'])][['score']] = 9", "score", [9, 2, 9, 4]),
        ("df.loc[df['age'] > 90]['age'] = 90", "age", [15, 40, 90, 17]),
        ("df.loc['r1']['plan'] = 'basic'", "plan", ["a", "basic", "c", "d"]),
        ("df.loc['r1':'r2']['score'] = 0", "score", [1, 0, 0, 4]),
        ("df['plan'].iloc[0] = 'pro'", "plan", ["pro", "b", "c", "d"]),
        ("df['score'].iloc[-2:] *= 2", "score", [1, 2, 6, 8]),
        ("df['plan'].loc['r2'] = 'basic'", "plan", ["a", "b", "basic", "d"]),
    ],
)
def test_ml201_fixed_shapes_write_under_copy_on_write(
    statement: str, column: str, expected: list[object]
) -> None:
    """pandas 3 (Copy-on-Write): the chained write changes nothing; the fixed one writes
    exactly the selected cells."""
    before = _CUSTOMERS + statement + "\n"
    after = _fixed(before, "ML201", unsafe=True)  # (no ML201 finding is left)
    with pytest.warns(Warning, match="[Cc]hained"):
        old = _run(before, quiet=False)["df"]
    pd.testing.assert_frame_equal(old, _run(_CUSTOMERS)["df"])  # nothing was written
    new = _run(after, quiet=False)["df"]
    assert new[column].tolist() == expected
    untouched = [c for c in new.columns if c != column]
    pd.testing.assert_frame_equal(new[untouched], old[untouched])


def test_ml209_fixed_comparison_finds_the_missing_values() -> None:
    before = (
        "import numpy as np\n"
        "import pandas as pd\n"
        "s = pd.Series([1.0, np.nan, 3.0])\n"
        "missing = s[s == np.nan]\n"
        "present = s[s != np.nan]\n"
        "arr = np.array([np.nan, 2.0])\n"
        "flags = arr == np.nan\n"
    )
    after = _fixed(before, "ML209", unsafe=True)
    old, new = _run(before), _run(after)
    assert len(old["missing"]) == 0 and len(old["present"]) == 3
    assert new["missing"].index.tolist() == [1] and new["present"].index.tolist() == [0, 2]
    assert new["flags"].tolist() == [True, False]


TRAIN = """\
import torch
import torch.nn.functional as F
torch.manual_seed(0)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.fc(x), p=0.5)


model = Net()
x = torch.ones(8, 4)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
total = 0.0
for _ in range(3):
    optimizer.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    optimizer.step()
    total += loss
model.eval
first = model(x)
second = model(x)
"""


def test_torch_fixes_do_what_their_rules_say() -> None:
    after = TRAIN
    for code in ("ML403", "ML404", "ML406"):
        after = _fixed(after, code, unsafe=True)
    old, new = _run(TRAIN), _run(after)
    assert isinstance(old["total"], torch_tensor()) and old["total"].requires_grad
    assert isinstance(new["total"], float)  # ML403: a number, no graph kept alive
    assert new["total"] == pytest.approx(old["total"].item())
    assert old["model"].training and not new["model"].training  # ML406: eval() really ran
    assert not bool((old["first"] == old["second"]).all())  # dropout still on in "eval"
    assert bool((new["first"] == new["second"]).all())  # ML404: dropout follows eval()


def test_ml401_weights_only_still_loads_a_state_dict(tmp_path: Any) -> None:
    import torch

    path = tmp_path / "weights.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    before = f"import torch\nstate = torch.load({str(path)!r})\n"
    after = _fixed(before, "ML401", unsafe=True)
    assert "weights_only=True" in after
    old, new = _run(before)["state"], _run(after)["state"]
    assert old.keys() == new.keys()
    assert all(bool((old[k] == new[k]).all()) for k in old)


def torch_tensor() -> type:
    import torch

    return torch.Tensor
