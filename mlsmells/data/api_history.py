"""The life of each API in the tables: deprecated in, removed in, replacement since.

The tables (:mod:`~mlsmells.data.api_changes`, :mod:`~mlsmells.data.pandas_removed`,
:mod:`~mlsmells.data.torch_api`) describe each old API by *probes*: questions
about a library's public API that ``scripts/gen_api_tables.py`` answers for
every release it examines, reading the released wheels
(``scripts/api_history.py`` says what each kind of probe looks at). The
answers are in the generated :mod:`~mlsmells.data.api_versions`; this module
turns them into versions:

* ``removed_in``: the first examined release after the last one that has the
  old API (``None`` while the newest examined release still has it);
* ``deprecated_in``: the version the old API's own deprecation message names
  ("deprecated since NumPy 1.16"), else the first release in which it warns;
  a removal without any warning first has ``deprecated_in == removed_in``;
* ``replacement_since``: the first release that has the replacement. Each
  library's oldest examined release is its *floor*: a replacement present
  there exists "since the floor or earlier".

Every probe a row asks about is recorded in :data:`REQUESTED`, which is how the
generator knows what to probe and how the tests know that nothing is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlsmells.data.api_versions import PROBES, RELEASES

REQUESTED: set[str] = set()
"""Every ``library:probe`` that a table row has asked about."""


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def floor(library: str) -> str:
    """The oldest release of ``library`` examined."""
    return RELEASES[library][0][0]


def newest(library: str) -> str:
    return RELEASES[library][-1][0]


def _facts(library: str, probe: str) -> tuple[str | None, str | None, str | None, str | None]:
    key = f"{library}:{probe}"
    REQUESTED.add(key)
    return PROBES.get(key, (None, None, None, None))


def first_release(library: str, probe: str) -> str | None:
    """The first examined release that has what ``probe`` asks about (None: none has it)."""
    return _facts(library, probe)[0]


def removed_release(library: str, probe: str) -> str | None:
    """The first examined release without it after one with it (None: still there)."""
    last = _facts(library, probe)[1]
    if last is None:
        return None
    minors = [minor for minor, _ in RELEASES[library]]
    index = minors.index(last)
    return minors[index + 1] if index + 1 < len(minors) else None


def warned_release(library: str, probe: str) -> str | None:
    """The version its deprecation message names, else the first release that warns."""
    _, _, warned, stated = _facts(library, probe)
    return stated if stated is not None else warned


@dataclass(frozen=True)
class Lifetime:
    """What the tables' rows carry (each row's fields of the same names)."""

    deprecated_in: str | None
    removed_in: str | None
    replacement_since: str | None


def lifetime(
    library: str,
    old: str,
    new: str | None = None,
    *,
    warns: str | None = None,
    documented: str | None = None,
) -> Lifetime:
    """The versions of the change from ``old`` (a probe) to ``new`` (a probe, or None when
    the replacement is not part of ``library``: a builtin, another package, a phrase).

    ``warns`` is the probe that says where the old API warns, when it is not ``old``
    itself (a keyword warns through its callable). ``documented`` is the deprecation
    version the library's release notes give, used when no release examined shows a
    warning (a warning raised from C++, or one older than the floor), and when the
    floor already warns and the notes name an older release (the floor means "the
    floor or earlier").
    """
    removed_in = removed_release(library, old)
    deprecated_in = warned_release(library, warns or old)
    if deprecated_in is None:
        deprecated_in = documented or removed_in
    elif (
        deprecated_in == floor(library)
        and documented is not None
        and version_key(documented) < version_key(deprecated_in)
    ):
        deprecated_in = documented
    since = first_release(library, new) if new is not None else None
    return Lifetime(deprecated_in, removed_in, since)
