"""The generated pandas tables match the installed pandas."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from types import ModuleType

import pytest

from mlsmells.data import pandas_api
from mlsmells.rules.pandas._inplace import RETURN_SELF_SINCE_3

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "gen_pandas_api.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_pandas_api", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_table_is_what_the_generator_produces() -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is not installed")
    if pandas.__version__ != pandas_api.PANDAS_VERSION:
        pytest.skip(
            f"installed pandas {pandas.__version__} differs from the "
            f"{pandas_api.PANDAS_VERSION} the table was generated from"
        )
    committed = (ROOT / "mlsmells" / "data" / "pandas_api.py").read_text(encoding="utf-8")
    assert _generator().render() == committed, "run `python scripts/gen_pandas_api.py`"


@pytest.mark.parametrize("name", ["dropna", "fillna", "sort_values", "set_index", "set_names"])
def test_inplace_methods(name: str) -> None:
    assert name in pandas_api.INPLACE_METHODS


@pytest.mark.parametrize("name", ["merge", "astype", "apply", "set_axis"])
def test_methods_without_inplace(name: str) -> None:
    assert name not in pandas_api.INPLACE_METHODS


@pytest.mark.parametrize("name", ["loc", "iloc", "values", "index", "columns", "T", "plot"])
def test_frame_members(name: str) -> None:
    assert name in pandas_api.FRAME_MEMBERS


@pytest.mark.parametrize("name", ["Age", "price", "target", "ix"])
def test_column_like_names_are_not_members(name: str) -> None:
    assert name not in pandas_api.FRAME_MEMBERS


@pytest.mark.parametrize(
    "name", sorted(pandas_api.INPLACE_METHODS - {"set_names", "eval", "query"})
)
def test_which_inplace_methods_return_the_object_itself(name: str) -> None:
    """pandas >= 3.0 returns the object from these with inplace=True, None from the others."""
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    if int(pd.__version__.split(".")[0]) < 3:
        pytest.skip(f"pandas {pd.__version__} returns None from every inplace call")
    frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": [1, 2, 2]})
    calls = {
        "clip": ((0, 2), {}),
        "drop": ((), {"columns": ["b"]}),
        "fillna": ((0,), {}),
        "mask": ((frame > 1,), {}),
        "rename": ((), {"columns": {"a": "x"}}),
        "rename_axis": (("rows",), {}),
        "replace": ((1.0, 9.0), {}),
        "reset_index": ((), {"drop": True}),
        "set_index": (("b",), {}),
        "sort_values": (("a",), {}),
        "where": ((frame > 1,), {}),
    }
    args, kwargs = calls.get(name, ((), {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = getattr(frame, name)(*args, inplace=True, **kwargs)
    assert (result is frame) == (name in RETURN_SELF_SINCE_3)
    assert result is None or result is frame
