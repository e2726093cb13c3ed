"""pandas APIs removed in pandas 1.0, 2.0 and 3.0, with their replacements (ML208).

Each entry names the pandas version that removed the old spelling, the
version that deprecated it, and the replacement as pandas' own deprecation
message or release notes give it. Sources: the "Removal of prior version
deprecations/changes" sections of the pandas 1.0.0, 2.0.0 and 3.0.0 release
notes, and the deprecation messages of the releases in ``deprecated`` (for
instance 1.4: "The frame.append method is deprecated and will be removed from
pandas in a future version. Use pandas.concat instead."; 2.1:
"DataFrame.applymap has been deprecated. Use DataFrame.map instead.";
"DataFrame.fillna with 'method' is deprecated [...]. Use obj.ffill() or
obj.bfill() instead."). ``tests/test_pandas_removed.py`` checks every entry
against the installed pandas: each removed name is really absent, each
replacement exists.

Every entry also carries ``deprecated_in``, ``removed_in`` and
``replacement_since``, read from the pandas releases themselves by
``scripts/gen_api_tables.py`` (:func:`mlsmells.data.api_history.lifetime`; see
``docs/api-tables.md``). ``removed`` and ``deprecated`` are the versions the
release notes give (the rule's message shows them); the tests check that both
agree.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from mlsmells.data.api_history import Lifetime, lifetime


class Where(enum.Enum):
    MEMBER = "member"
    """An attribute or method of a pandas object: ``owners`` are kinds
    (``DataFrame``, ``Series``, ``Index``) or ``Series.dt`` for the accessor."""
    KEYWORD = "keyword"
    """A keyword argument: ``owners`` are ``<Kind>.<method>`` or a qualified function name."""
    NAME = "name"
    """A name in the pandas namespace (``owners`` is empty): ``pandas.np`` ..."""
    ARGUMENT = "argument"
    """A form of an argument (``owners`` as for KEYWORD): ``agg`` given a dict of dicts
    (renaming while aggregating)."""


class Access(enum.Enum):
    """How a MEMBER is used (a method name alone may be a column read as an attribute)."""

    CALL = "call"
    """A method: flagged when called."""
    ATTRIBUTE = "attribute"
    """A property: flagged when read."""
    INDEXER = "indexer"
    """An indexer (``.ix``): flagged when subscripted."""


class Repl(enum.Enum):
    """What the fix does (``NONE``: the message only names the replacement)."""

    NONE = "none"
    RENAME = "rename"
    """Safe: the same member or module attribute under ``target`` (``iteritems`` -> ``items``;
    for a NAME, ``target`` is relative to the pandas module: ``arrays.SparseArray``)."""
    KEYWORD_RENAME = "keyword-rename"
    """Safe: the same keyword under the name ``target``."""
    FILL = "fill"
    """Safe: ``fillna(method="ffill")`` -> ``ffill()`` (``bfill()`` for bfill/backfill)."""
    SEP = "sep"
    """Safe: ``delim_whitespace=True`` -> ``sep=r"\\s+"``."""
    NUMPY = "numpy"
    """Safe: ``pd.np`` -> the module's own name for NumPy."""
    CONCAT = "concat"
    """Unsafe: ``a.append(b)`` -> ``pd.concat([a, b])``."""


@dataclass(frozen=True)
class Removed:
    name: str
    where: Where
    owners: tuple[str, ...]
    removed: str
    """The pandas version from which the old spelling fails."""
    deprecated: str
    """The pandas version that started warning."""
    replacement: str
    """The replacement as the message shows it."""
    repl: Repl = Repl.NONE
    target: str = ""
    access: Access = Access.CALL
    """For a MEMBER: the use that is flagged."""
    deprecated_in: str | None = None
    """The first pandas release that warned, as the releases show it."""
    removed_in: str | None = None
    """The first pandas release without it, as the releases show it."""
    replacement_since: str | None = None
    """The first pandas release that has the replacement (None: a phrase, NumPy itself)."""


_FRAME_SERIES = ("DataFrame", "Series")
_AGG_OWNERS = (
    "DataFrame.agg", "DataFrame.aggregate", "Series.agg", "Series.aggregate",
    "DataFrameGroupBy.agg", "DataFrameGroupBy.aggregate", "SeriesGroupBy.agg",
    "SeriesGroupBy.aggregate",
)  # fmt: skip
_READERS = ("pandas.read_csv", "pandas.read_table")


def _member(
    name: str,
    owners: tuple[str, ...],
    removed: str,
    deprecated: str,
    replacement: str,
    repl: Repl = Repl.NONE,
    target: str = "",
    access: Access = Access.CALL,
) -> Removed:
    return Removed(
        name, Where.MEMBER, owners, removed, deprecated, replacement, repl, target, access
    )


def _keyword(
    name: str,
    owners: tuple[str, ...],
    removed: str,
    deprecated: str,
    replacement: str,
    repl: Repl = Repl.NONE,
    target: str = "",
) -> Removed:
    return Removed(name, Where.KEYWORD, owners, removed, deprecated, replacement, repl, target)


def _name(
    name: str,
    removed: str,
    deprecated: str,
    replacement: str,
    repl: Repl = Repl.NONE,
    target: str = "",
) -> Removed:
    return Removed(name, Where.NAME, (), removed, deprecated, replacement, repl, target)


_TABLE: tuple[Removed, ...] = (
    # ------------------------------------------------------------ members
    _member(
        "ix",
        _FRAME_SERIES,
        "1.0",
        "0.20",
        "`.loc[]` (labels) or `.iloc[]` (positions)",
        access=Access.INDEXER,
    ),
    _member("get_value", _FRAME_SERIES, "1.0", "0.21", "`.at[]`"),
    _member("set_value", _FRAME_SERIES, "1.0", "0.21", "`.at[] = value`"),
    _member("as_matrix", _FRAME_SERIES, "1.0", "0.23", "`.to_numpy()`"),
    _member("get_dtype_counts", _FRAME_SERIES, "1.0", "0.25", "`.dtypes.value_counts()`"),
    _member(
        "get_values",
        ("Series", "DataFrame", "Index"),
        "1.0",
        "0.25",
        "`.to_numpy()` (`np.asarray(...)` for a categorical)",
    ),
    _member("order", ("Series",), "0.20", "0.17", "`.sort_values()`"),
    _member("ftypes", _FRAME_SERIES, "1.0", "0.25", "`.dtypes`", access=Access.ATTRIBUTE),
    _member("nonzero", ("Series",), "1.0", "0.24", "`.to_numpy().nonzero()`"),
    _member("append", _FRAME_SERIES, "2.0", "1.4", "`pd.concat([a, b])`", Repl.CONCAT),
    _member("iteritems", _FRAME_SERIES, "2.0", "1.5", "`.items()`", Repl.RENAME, "items"),
    _member("lookup", ("DataFrame",), "2.0", "1.2", "`.melt()` and `.loc[]`, or `.to_numpy()`"),
    _member("mad", _FRAME_SERIES, "2.0", "1.5", "`(x - x.mean()).abs().mean()`"),
    _member(
        "is_monotonic",
        ("Series", "Index"),
        "2.0",
        "1.5",
        "`.is_monotonic_increasing`",
        Repl.RENAME,
        "is_monotonic_increasing",
        Access.ATTRIBUTE,
    ),
    _member("slice_shift", _FRAME_SERIES, "2.0", "1.2", "`.shift()` and slicing"),
    _member("tshift", _FRAME_SERIES, "2.0", "1.1", "`.shift(freq=...)`"),
    _member(
        "week", ("Series.dt",), "2.0", "1.1", "`.dt.isocalendar().week`", access=Access.ATTRIBUTE
    ),
    _member(
        "weekofyear",
        ("Series.dt",),
        "2.0",
        "1.1",
        "`.dt.isocalendar().week`",
        access=Access.ATTRIBUTE,
    ),
    _member("applymap", ("DataFrame",), "3.0", "2.1", "`.map()`", Repl.RENAME, "map"),
    _member("pad", _FRAME_SERIES, "3.0", "2.0", "`.ffill()`", Repl.RENAME, "ffill"),
    _member("backfill", _FRAME_SERIES, "3.0", "2.0", "`.bfill()`", Repl.RENAME, "bfill"),
    _member("bool", _FRAME_SERIES, "3.0", "2.1", "`bool(x.item())`"),
    _member("swapaxes", _FRAME_SERIES, "3.0", "2.1", "`.transpose()`"),
    _member("first", _FRAME_SERIES, "3.0", "2.1", "`.loc[]` with a date range"),
    _member("last", _FRAME_SERIES, "3.0", "2.1", "`.loc[]` with a date range"),
    _member("ravel", ("Series",), "3.0", "2.2", "`.to_numpy().ravel()`"),
    _member(
        "weekday_name",
        ("Series.dt",),
        "1.0",
        "0.23",
        "`.dt.day_name()`",
        access=Access.ATTRIBUTE,
    ),
    _member("view", ("Series",), "3.0", "2.2", "`.astype()`"),
    # ----------------------------------------------------------- keywords
    _keyword(
        "method",
        ("DataFrame.fillna", "Series.fillna"),
        "3.0",
        "2.1",
        "`.ffill()` or `.bfill()`",
        Repl.FILL,
    ),
    _keyword(
        "line_terminator",
        ("DataFrame.to_csv", "Series.to_csv"),
        "2.0",
        "1.5",
        "`lineterminator=`",
        Repl.KEYWORD_RENAME,
        "lineterminator",
    ),
    _keyword("error_bad_lines", _READERS, "2.0", "1.3", "`on_bad_lines=`"),
    _keyword("warn_bad_lines", _READERS, "2.0", "1.3", "`on_bad_lines=`"),
    _keyword("squeeze", _READERS, "2.0", "1.4", '`.squeeze("columns")` on the result'),
    _keyword("prefix", _READERS, "2.0", "1.4", "renaming the columns after reading"),
    _keyword("mangle_dupe_cols", _READERS, "2.0", "1.5", "nothing (duplicates are always renamed)"),
    _keyword("delim_whitespace", _READERS, "3.0", "2.2", '`sep=r"\\s+"`', Repl.SEP),
    _keyword("date_parser", (*_READERS, "pandas.read_excel"), "3.0", "2.0", "`date_format=`"),
    _keyword(
        "infer_datetime_format",
        (*_READERS, "pandas.to_datetime"),
        "3.0",
        "2.0",
        "nothing (strict format inference is the default)",
    ),
    _keyword("keep_date_col", _READERS, "3.0", "2.2", "combining the columns after reading"),
    _keyword("axis", ("DataFrame.groupby",), "3.0", "2.1", "`.T.groupby(...)`"),
    # -------------------------------------------------------------- names
    _name("pandas.Panel", "0.25", "0.20", "a DataFrame with a MultiIndex, or xarray"),
    _name("pandas.TimeGrouper", "0.25", "0.21", "`pd.Grouper(freq=...)`"),
    _name(
        "pandas.scatter_matrix",
        "0.24",
        "0.20",
        "`pd.plotting.scatter_matrix`",
        Repl.RENAME,
        "plotting.scatter_matrix",
    ),
    _name("pandas.np", "2.0", "1.0", "NumPy itself (`import numpy as np`)", Repl.NUMPY),
    _name("pandas.datetime", "2.0", "1.0", "`datetime.datetime`"),
    _name(
        "pandas.SparseArray",
        "2.0",
        "1.0",
        "`pd.arrays.SparseArray`",
        Repl.RENAME,
        "arrays.SparseArray",
    ),
    _name("pandas.Int64Index", "2.0", "1.4", '`pd.Index` with `dtype="int64"`'),
    _name("pandas.UInt64Index", "2.0", "1.4", '`pd.Index` with `dtype="uint64"`'),
    _name("pandas.Float64Index", "2.0", "1.4", '`pd.Index` with `dtype="float64"`'),
    _name("pandas.util.testing", "2.0", "1.0", "`pandas.testing`"),
    _name(
        "pandas.io.json.json_normalize",
        "2.0",
        "1.0",
        "`pd.json_normalize`",
        Repl.RENAME,
        "json_normalize",
    ),
    _name("pandas.value_counts", "3.0", "2.1", "`pd.Series(values).value_counts()`"),
    # ---------------------------------------------------------- arguments
    Removed(
        "agg",
        Where.ARGUMENT,
        _AGG_OWNERS,
        "1.0",
        "0.20",
        "`.agg(new_name=(column, func))` (named aggregation) and `.rename()`",
    ),
)

_MEMBER_CLASSES = {
    "DataFrame": "DataFrame|NDFrame",
    "Series": "Series|NDFrame|IndexOpsMixin",
    "Index": "Index|IndexOpsMixin",
    "Series.dt": "DatetimeArray|DatetimeIndex",  # where ``.dt`` finds its fields
}
#: Probes for entries whose own spelling the releases cannot be searched for.
_OLD_PROBES = {
    "ix": "attr:pandas.core.indexing._IXIndexer",  # the class behind ``.ix``
    "pandas.Panel": "attr:pandas.core.panel.Panel",  # the class itself, not 1.0's placeholder
    "pandas.util.testing": "mod:pandas.util.testing",
}


def _pandas_probes(entry: Removed) -> tuple[str, str | None]:
    owner = entry.owners[0] if entry.owners else ""
    if entry.name in _OLD_PROBES:
        old = _OLD_PROBES[entry.name]
    elif entry.where is Where.MEMBER:
        old = f"member:{_MEMBER_CLASSES[owner]}:{entry.name}"
    elif entry.where is Where.KEYWORD:
        qualified = owner if owner.startswith("pandas.") else f"pandas.{owner}"
        old = f"param:{qualified}:{entry.name}"
    else:
        old = f"attr:{entry.name}"
    new: str | None = None
    if entry.repl is Repl.RENAME and entry.where is Where.MEMBER:
        new = f"member:{_MEMBER_CLASSES[owner]}:{entry.target}"
    elif entry.repl is Repl.RENAME:
        new = f"attr:pandas.{entry.target}"
    elif entry.repl is Repl.KEYWORD_RENAME:
        new = f"param:pandas.{owner}:{entry.target}"
    elif entry.repl is Repl.FILL:
        new = f"member:{_MEMBER_CLASSES[owner.partition('.')[0]]}:ffill"
    elif entry.repl is Repl.CONCAT:
        new = "attr:pandas.concat"
    return old, new


def _dated(entry: Removed) -> Removed:
    if entry.where is Where.ARGUMENT:
        # 0.20.0 whatsnew: "Deprecate groupby.agg() with a dictionary when renaming";
        # 1.0.0: "Removed support for nested renaming". Named aggregation: 0.25.0.
        life = Lifetime("0.20", "1.0", "0.25")
    else:
        old, new = _pandas_probes(entry)
        # Where no release shows a warning (raised by a shared helper, or by a module
        # ``__getattr__`` with a computed message), the release notes' version stands.
        life = lifetime("pandas", old, new, documented=entry.deprecated)
    return dataclasses.replace(entry, **dataclasses.asdict(life))


TABLE: tuple[Removed, ...] = tuple(_dated(e) for e in _TABLE)

#: (member name, owner) -> entry, owners being kinds or ``Series.dt``.
MEMBERS: dict[tuple[str, str], Removed] = {
    (e.name, owner): e for e in TABLE if e.where is Where.MEMBER for owner in e.owners
}
#: (keyword, owner) -> entry, owners being ``<Kind>.<method>`` or qualified functions.
KEYWORDS: dict[tuple[str, str], Removed] = {
    (e.name, owner): e for e in TABLE if e.where is Where.KEYWORD for owner in e.owners
}
#: Qualified name -> entry.
NAMES: dict[str, Removed] = {e.name: e for e in TABLE if e.where is Where.NAME}
#: (method, owner) -> entry for removed forms of an argument (``agg`` with a dict of
#: dicts); owners as for KEYWORDS.
ARGUMENTS: dict[tuple[str, str], Removed] = {
    (e.name, owner): e for e in TABLE if e.where is Where.ARGUMENT for owner in e.owners
}
#: Method names that have a removed keyword (a cheap first filter).
KEYWORD_METHODS = frozenset(owner.rpartition(".")[2] for _, owner in KEYWORDS)
