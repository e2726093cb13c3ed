"""Run code before and after the fixes of ML911 (safe) and ML811 (unsafe) with the real
libraries.

- ML911 adds annotations: the fixed module must import and run exactly as before, and
  its annotations must name the classes of what the functions take and return.
- ML811 replaces exact comparisons of floats with tolerant ones: the fixed test passes
  where rounding made the original fail, and still fails where the values differ.
"""

from __future__ import annotations

import typing
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import torch

from mlsmells.fixes.apply import fix_source

PIPELINE = """\
{imports}
import io

CSV = "a,b\\n1,2\\n3,\\n"


def load(text):
    return pd.read_csv(io.StringIO(text))


def clean(frame):
    return frame.fillna(0)


def column(frame):
    return frame["a"]


def to_array(frame):
    return frame.to_numpy()


def grid(n):
    return np.linspace(0.0, 1.0, n)


def double(t):
    return t * 2


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)


def build():
    torch.manual_seed(0)
    return Net()


def main():
    frame = clean(load(CSV))
    arr = to_array(frame)
    net = build()
    return frame, column(frame), arr, grid(3), double(torch.ones(2)), net(torch.ones(1, 2))


result = main()
"""

IMPORTS = {
    "aliases": "import numpy as np\nimport numpy.typing as npt\nimport pandas as pd\n"
    "import torch\nfrom torch import nn",
    "future": "from __future__ import annotations\nimport numpy as np\nimport pandas as pd\n"
    "import torch\nfrom torch import nn",
}


def _fixed(source: str, code: str, *, unsafe: bool = False) -> str:
    result = fix_source(source, "snippet.py", frozenset({code}), unsafe=unsafe)
    assert result.error is None
    assert result.changed, f"{code} fixed nothing in:\n{source}"
    assert not [d for d in result.remaining if d.code == code]
    return result.source


def _run(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "snippet"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippets
    return namespace


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return bool(a.equals(b))
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return torch.equal(a, b)
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@pytest.mark.parametrize("imports", sorted(IMPORTS))
def test_ml911_annotations_change_nothing_and_name_the_classes(imports: str) -> None:
    source = PIPELINE.format(imports=IMPORTS[imports])
    fixed = _fixed(source, "ML911")
    before, after = _run(source), _run(fixed)
    assert _same(before["result"], after["result"])
    hints = {
        name: typing.get_type_hints(after[name], after)
        for name in ("load", "clean", "column", "to_array", "grid", "double", "build")
    }
    assert hints["load"] == {"return": pd.DataFrame}
    assert hints["clean"] == {"frame": pd.DataFrame, "return": pd.DataFrame}
    assert hints["column"] == {"frame": pd.DataFrame, "return": pd.Series}
    assert hints["to_array"] == {"frame": pd.DataFrame, "return": np.ndarray}
    float64 = npt.NDArray[np.float64] if imports == "aliases" else np.ndarray
    assert hints["grid"] == {"return": float64}
    assert hints["double"] == {"t": torch.Tensor, "return": torch.Tensor}
    assert hints["build"] == {"return": torch.nn.Module}
    assert isinstance(before["result"][3], np.ndarray) and before["result"][3].dtype == np.float64


def test_ml911_adds_the_imports_its_annotations_need() -> None:
    source = (
        "from pandas import DataFrame as Frame\nfrom torch import ones\n\n\n"
        "def make(n):\n    return Frame({'a': range(n)})\n\n\n"
        "def shift(frame):\n    return frame + 1\n\n\n"
        "def unit(n):\n    return ones(n)\n\n\n"
        "result = shift(make(3)), unit(2)\n"
    )
    fixed = _fixed(source, "ML911")
    assert "def make(n) -> Frame:" in fixed and "import torch\n" in fixed
    before, after = _run(source), _run(fixed)
    assert _same(before["result"], after["result"])
    assert typing.get_type_hints(after["shift"]) == {
        "frame": pd.DataFrame,
        "return": pd.DataFrame,
    }
    assert typing.get_type_hints(after["unit"]) == {"return": torch.Tensor}


# --------------------------------------------------------------------- ML811
FLOAT_TESTS = """\
import numpy as np
import torch


def test_sum():
    assert 0.1 + 0.2 == 0.3


def test_arrays():
    a = np.array([0.1, 0.2]) + np.array([0.2, 0.1])
    assert np.array_equal(a, np.array([0.3, 0.3]))


def test_tensors():
    wide = torch.float64
    t = torch.tensor([0.1, 0.2], dtype=wide) + torch.tensor([0.2, 0.1], dtype=wide)
    assert torch.equal(t, torch.tensor([0.3, 0.3], dtype=wide))


def test_wrong():
    assert 0.1 + 0.2 == 0.4


def test_wrong_arrays():
    assert (np.array([0.1, 0.2]) * 3 == np.array([0.3, 0.7])).all()
"""


def _outcome(namespace: dict[str, Any], name: str) -> bool:
    try:
        namespace[name]()
    except AssertionError:
        return False
    return True


def test_ml811_tolerant_assertions_pass_where_rounding_failed() -> None:
    fixed = _fixed(FLOAT_TESTS, "ML811", unsafe=True)
    assert "pytest.approx(0.3)" in fixed and "import pytest" in fixed
    assert "np.testing.assert_allclose(" in fixed and "torch.testing.assert_close(" in fixed
    before, after = _run(FLOAT_TESTS), _run(fixed)
    for name in ("test_sum", "test_arrays", "test_tensors"):
        assert not _outcome(before, name) and _outcome(after, name), name
    for name in ("test_wrong", "test_wrong_arrays"):
        assert not _outcome(before, name) and not _outcome(after, name), name
