"""Fixes of ML103, ML105 and ML203-ML208, run before and after with the real libraries.

Safe fixes keep behaviour:

- ML103 (a seed for an unseeded generator): the fixed program behaves as one
  of the runs the original could have had. For the NumPy generators seeded
  through ``SeedSequence`` this is exact: the original, with the operating
  system's entropy replaced by the seed, draws exactly what the fixed
  program draws. ``RandomState()`` and ``random.Random()`` seed through other
  paths; for them the test shows that the original gives a different result
  on every run (there is no behaviour to keep) and that the fixed one gives
  the explicitly seeded generator's.
- ML208 renames: the old spellings do not run on the installed pandas, so
  the fixed code's result is compared with an independent computation of
  what the old API was documented to return (``iteritems``: the (label,
  column) pairs; ``fillna(method="ffill", limit=n)``: forward fill of at most
  n values; ``delim_whitespace=True``: fields split on runs of whitespace ...).

Unsafe fixes change behaviour on purpose; for them the tests check that the
fixed code does what the rule says it should.
"""

from __future__ import annotations

import math
import random
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlsmells.config import Settings
from mlsmells.fixes.apply import fix_source
from mlsmells.records import Fix

pd = pytest.importorskip("pandas")


def _fixed(source: str, code: str, *, seed: int = 42, unsafe: bool = False) -> str:
    result = fix_source(
        source, "snippet.py", frozenset({code}), settings=Settings(seed=seed), unsafe=unsafe
    )
    assert result.error is None, result.error
    assert result.changed, f"{code} fixed nothing in:\n{source}"
    if not unsafe:
        assert all(a.safety is Fix.SAFE for a in result.applied)
    assert not [d for d in result.remaining if d.code == code]
    return result.source


def _run(source: str, **names: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = dict(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippets
    return namespace


# --------------------------------------------------------------------- ML103
SEEDSEQUENCE_SNIPPETS = {
    "default_rng": "import numpy as np\nresult = np.random.default_rng().random(5)\n",
    "default_rng_none": "import numpy as np\nresult = np.random.default_rng(None).normal(size=3)\n",
    "seed_sequence": (
        "import numpy as np\nresult = np.random.SeedSequence(pool_size=8).generate_state(4)\n"
    ),
    "pcg64": "import numpy as np\nresult = np.random.Generator(np.random.PCG64()).random(3)\n",
    "from_import": (
        "from numpy.random import default_rng\nresult = default_rng().integers(0, 9, 6)\n"
    ),
}


@pytest.mark.parametrize("seed", [42, 7])
@pytest.mark.parametrize("name", sorted(SEEDSEQUENCE_SNIPPETS))
def test_ml103_fixed_run_is_a_run_of_the_original(
    name: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = SEEDSEQUENCE_SNIPPETS[name]
    after = _fixed(before, "ML103", seed=seed)
    fixed = _run(after)["result"]
    assert np.array_equal(fixed, _run(after)["result"])
    from numpy.random import bit_generator

    # The entropy an unseeded SeedSequence draws from the operating system.
    monkeypatch.setattr(bit_generator, "randbits", lambda bits: seed)
    assert np.array_equal(_run(before)["result"], fixed)
    monkeypatch.setattr(bit_generator, "randbits", lambda bits: seed + 1)
    assert not np.array_equal(_run(before)["result"], fixed)


OTHER_SNIPPETS = {
    "random_state": "import numpy as np\nresult = np.random.RandomState().randn(4)\n",
    "python_random": (
        "import random\nr = random.Random()\nresult = [r.random() for _ in range(4)]\n"
    ),
}


@pytest.mark.parametrize("name", sorted(OTHER_SNIPPETS))
def test_ml103_other_generators_had_no_reproducible_result(name: str) -> None:
    before = OTHER_SNIPPETS[name]
    after = _fixed(before, "ML103", seed=5)
    runs = [np.asarray(_run(before)["result"]) for _ in range(3)]
    assert not all(np.array_equal(runs[0], run) for run in runs[1:])
    fixed = np.asarray(_run(after)["result"])
    assert np.array_equal(fixed, np.asarray(_run(after)["result"]))
    assert fixed.shape == runs[0].shape and fixed.dtype == runs[0].dtype


def test_ml103_fixed_generators_are_the_explicitly_seeded_ones() -> None:
    before = (
        "import random\nimport numpy as np\n"
        "a = np.random.RandomState().randn(4)\nr = random.Random()\n"
        "b = [r.random() for _ in range(3)]\n"
    )
    fixed = _run(_fixed(before, "ML103", seed=11))
    assert np.array_equal(fixed["a"], np.random.RandomState(11).randn(4))
    expected = random.Random(11)
    assert fixed["b"] == [expected.random() for _ in range(3)]


def test_ml103_torch_fix_follows_the_seed() -> None:
    torch = pytest.importorskip("torch")
    before = "import torch\ng = torch.Generator()\nresult = torch.rand(3, generator=g)\n"
    before += "loader = torch.utils.data.DataLoader(range(8), shuffle=True, generator=g)\n"
    after = _fixed(before, "ML103", seed=3, unsafe=True)
    assert "torch.Generator().manual_seed(3)" in after
    old, new = _run(before), _run(after)
    assert torch.equal(new["result"], torch.rand(3, generator=torch.Generator().manual_seed(3)))
    # The original drew torch's default stream, the same for any torch.manual_seed.
    torch.manual_seed(999)
    assert torch.equal(old["result"], _run(before)["result"])


# --------------------------------------------------------------------- ML208
FRAME = """\
import numpy as np
import pandas as pd
sales = pd.DataFrame(
    {
        "store": [1, 2, 3, 4, 5],
        "qty": [1.0, np.nan, np.nan, np.nan, 5.0],
        "name": [" a", "b ", "c", "d", "e"],
    }
)
"""


def test_ml208_iteritems_is_items() -> None:
    before = FRAME + "pairs = [(label, col) for label, col in sales.iteritems()]\n"
    new = _run(_fixed(before, "ML208"))
    frame = new["sales"]
    assert [label for label, _ in new["pairs"]] == list(frame.columns)
    for label, column in new["pairs"]:
        pd.testing.assert_series_equal(column, frame[label])


def test_ml208_applymap_is_elementwise() -> None:
    before = FRAME + "stripped = sales[['name']].applymap(str.strip)\n"
    new = _run(_fixed(before, "ML208"))
    assert new["stripped"]["name"].tolist() == ["a", "b", "c", "d", "e"]


def _forward_fill(values: list[float], limit: int | None, backward: bool = False) -> list[float]:
    """What fillna(method="ffill"/"bfill", limit=...) is documented to do, in plain Python."""
    items = values[::-1] if backward else list(values)
    out: list[float] = []
    last: float | None = None
    run = 0
    for value in items:
        if not math.isnan(value):
            last, run = value, 0
            out.append(value)
        elif last is not None and (limit is None or run < limit):
            run += 1
            out.append(last)
        else:
            out.append(value)
    return out[::-1] if backward else out


@pytest.mark.parametrize(
    ("call", "limit", "backward"),
    [
        ('fillna(method="ffill")', None, False),
        ('fillna(method="pad", limit=2)', 2, False),
        ('fillna(method="bfill", limit=1)', 1, True),
        ('fillna(method="backfill")', None, True),
        ("pad(limit=1)", 1, False),
        ("backfill()", None, True),
    ],
)
def test_ml208_fill_methods(call: str, limit: int | None, backward: bool) -> None:
    before = FRAME + f"filled = sales['qty'].{call}\nframe = sales.{call}\n"
    new = _run(_fixed(before, "ML208"))
    expected = _forward_fill([1.0, math.nan, math.nan, math.nan, 5.0], limit, backward)
    assert new["filled"].tolist() == pytest.approx(expected, nan_ok=True)
    assert new["frame"]["qty"].tolist() == pytest.approx(expected, nan_ok=True)


def test_ml208_inplace_fill_still_fills_in_place() -> None:
    before = FRAME + 'sales.fillna(method="ffill", inplace=True)\n'
    new = _run(_fixed(before, "ML208"))
    assert new["sales"]["qty"].tolist() == [1.0, 1.0, 1.0, 1.0, 5.0]


def test_ml208_is_monotonic_is_increasing() -> None:
    before = FRAME + (
        "stores = sales['store']\nreverse = stores.sort_values(ascending=False)\n"
        "up = stores.is_monotonic\ndown = reverse.is_monotonic\n"
    )
    new = _run(_fixed(before, "ML208"))
    assert new["up"] is True and new["down"] is False


def test_ml208_line_terminator(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    before = FRAME + f"sales[['store']].to_csv({str(path)!r}, index=False, line_terminator='|')\n"
    _run(_fixed(before, "ML208"))
    assert path.read_bytes() == b"store|1|2|3|4|5|"


def test_ml208_delim_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "table.txt"
    text = "store   qty\tname\n1  2.5 x\n2\t\t3.5   y\n"
    path.write_text(text)
    before = f"import pandas as pd\ntable = pd.read_csv({str(path)!r}, delim_whitespace=True)\n"
    table = _run(_fixed(before, "ML208"))["table"]
    rows = [line.split() for line in text.splitlines()]
    assert list(table.columns) == rows[0]
    assert table.astype(str).to_numpy().tolist() == rows[1:]


def test_ml208_module_names() -> None:
    before = (
        "import numpy as np\nimport pandas as pd\n"
        "missing = pd.np.nan\nsparse = pd.SparseArray([0, 0, 1])\n"
        "flat = pd.io.json.json_normalize([{'a': {'b': 1}}])\n"
    )
    new = _run(_fixed(before, "ML208"))
    assert math.isnan(new["missing"])
    assert isinstance(new["sparse"], pd.arrays.SparseArray) and list(new["sparse"]) == [0, 0, 1]
    assert list(new["flat"].columns) == ["a.b"]


def test_ml208_append_becomes_concat() -> None:
    before = FRAME + (
        "extra = pd.DataFrame({'store': [6], 'qty': [6.0], 'name': ['f']})\n"
        "grown = sales.append(extra, ignore_index=True)\n"
        "row = sales.append({'store': 7, 'qty': 7.0, 'name': 'g'}, ignore_index=True)\n"
    )
    new = _run(_fixed(before, "ML208", unsafe=True))
    assert new["grown"]["store"].tolist() == [1, 2, 3, 4, 5, 6]
    assert new["grown"].index.tolist() == list(range(6))
    assert new["row"].iloc[-1].tolist() == [7, 7.0, "g"]


# ------------------------------------------------------------- unsafe fixes
def test_ml203_fixed_statement_really_cleans() -> None:
    before = FRAME + "sales.dropna(subset=['qty'])\nsales.rename(columns={'qty': 'quantity'})\n"
    old, new = _run(before), _run(_fixed(before, "ML203", unsafe=True))
    assert len(old["sales"]) == 5 and "qty" in old["sales"]
    assert new["sales"]["quantity"].tolist() == [1.0, 5.0]


def test_ml204_fixed_statement_gives_what_the_inplace_call_made() -> None:
    before = FRAME + (
        "alias = sales\n"
        "sales.dropna(subset=['qty'], inplace=True)\n"
        "sales.sort_values('store', ascending=False, inplace=True)\n"
    )
    old, new = _run(before), _run(_fixed(before, "ML204", unsafe=True))
    pd.testing.assert_frame_equal(new["sales"], old["sales"])
    # The documented difference: another name for the object no longer sees the change.
    assert len(old["alias"]) == 2 and len(new["alias"]) == 5


def test_ml206_to_numpy_and_its_documented_difference() -> None:
    before = FRAME + (
        "numbers = sales[['store', 'qty']].values\n"
        "categories = sales['name'].astype('category').values\n"
    )
    old, new = _run(before), _run(_fixed(before, "ML206", unsafe=True))
    assert np.array_equal(old["numbers"], new["numbers"], equal_nan=True)
    assert isinstance(old["categories"], pd.Categorical)
    assert isinstance(new["categories"], np.ndarray)
    assert new["categories"].tolist() == list(old["categories"])


def test_ml105_fixed_splitter_runs_and_shuffles() -> None:
    pytest.importorskip("sklearn")
    before = (
        "import numpy as np\nfrom sklearn.model_selection import KFold\n"
        "cv = KFold(n_splits=3, random_state=0)\n"
        "result = [test.tolist() for _, test in cv.split(np.arange(9))]\n"
    )
    with pytest.raises(ValueError, match="shuffle"):
        _run(before)
    new = _run(_fixed(before, "ML105", unsafe=True))
    assert sorted(sum(new["result"], [])) == list(range(9))
    assert new["result"] != [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert new["result"] == _run(_fixed(before, "ML105", unsafe=True))["result"]
