"""The ML208 table against the installed pandas: every removed name is absent, every
replacement exists (entries removed after the installed version are skipped)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from mlsmells.data import pandas_removed
from mlsmells.data.pandas_removed import TABLE, Removed, Repl, Where

pd = pytest.importorskip("pandas")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])


INSTALLED = _version(pd.__version__)


def _entry_id(entry: Removed) -> str:
    return f"{entry.where.value}:{entry.name}:{','.join(entry.owners)}"


def _resolve(dotted: str) -> Any:
    """The object at ``dotted`` (``pandas.io.json.json_normalize``), or raise."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _exists(dotted: str) -> bool:
    try:
        _resolve(dotted)
    except (ImportError, AttributeError):
        return False
    return True


def _owner(owner: str) -> Any:
    if owner == "Series.dt":
        return pd.Series(pd.to_datetime(["2024-01-05"])).dt
    return getattr(pd, owner)


def _parameters(owner: str) -> set[str]:
    if owner.startswith("pandas."):
        function = _resolve(owner)
    else:
        kind, _, method = owner.partition(".")
        function = getattr(getattr(pd, kind), method)
    return set(inspect.signature(function).parameters)


@pytest.mark.parametrize("entry", TABLE, ids=_entry_id)
def test_removed_and_replaced(entry: Removed) -> None:
    assert _version(entry.deprecated) < _version(entry.removed)
    if INSTALLED < _version(entry.removed):
        pytest.skip(f"pandas {pd.__version__} predates the removal in {entry.removed}")
    if entry.where is Where.MEMBER:
        for owner in entry.owners:
            obj = _owner(owner)
            assert not hasattr(obj, entry.name), f"{owner}.{entry.name} still exists"
            if entry.repl is Repl.RENAME:
                assert hasattr(obj, entry.target), f"{owner}.{entry.target} is missing"
            if entry.repl is Repl.CONCAT:
                assert callable(pd.concat)
    elif entry.where is Where.KEYWORD:
        for owner in entry.owners:
            parameters = _parameters(owner)
            assert entry.name not in parameters, f"{owner}({entry.name}=) still exists"
            if entry.repl is Repl.KEYWORD_RENAME:
                assert entry.target in parameters
            if entry.repl is Repl.SEP:
                assert "sep" in parameters
            if entry.repl is Repl.FILL:
                kind = owner.partition(".")[0]
                assert hasattr(getattr(pd, kind), "ffill") and hasattr(getattr(pd, kind), "bfill")
    elif entry.where is Where.ARGUMENT:
        # ``agg`` with a dict of dicts (renaming while aggregating) raises.
        frame = pd.DataFrame({"key": [1, 1], "qty": [2, 3]})
        with pytest.raises(pd.errors.SpecificationError):
            frame.groupby("key").agg({"qty": {"total": "sum"}})
        with pytest.raises(pd.errors.SpecificationError):
            frame["qty"].agg({"total": {"x": "sum"}})
        assert frame.groupby("key").agg(total=("qty", "sum"))["total"].tolist() == [5]
    else:
        assert entry.name.startswith("pandas.") and not entry.owners
        assert not _exists(entry.name), f"{entry.name} still exists"
        if entry.repl is Repl.RENAME:
            assert _exists(f"pandas.{entry.target}")
        if entry.repl is Repl.NUMPY:
            assert _exists("numpy.nan")


def test_lookups_cover_the_table() -> None:
    count = sum(len(e.owners) for e in TABLE if e.where is Where.MEMBER)
    assert len(pandas_removed.MEMBERS) == count
    count = sum(len(e.owners) for e in TABLE if e.where is Where.KEYWORD)
    assert len(pandas_removed.KEYWORDS) == count
    assert len(pandas_removed.NAMES) == sum(e.where is Where.NAME for e in TABLE)
    count = sum(len(e.owners) for e in TABLE if e.where is Where.ARGUMENT)
    assert len(pandas_removed.ARGUMENTS) == count
    renames = [e for e in TABLE if e.repl in (Repl.RENAME, Repl.KEYWORD_RENAME)]
    assert all(e.target for e in renames)
