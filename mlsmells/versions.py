"""The library versions a project supports, and what they mean for the API tables.

A project supports a range of releases of each library (its *target versions*),
given as a PEP 440 specifier: by ``[tool.mlsmells.target-versions]``, else by the
project's own declared dependencies (:mod:`mlsmells.declared`), else nothing is
known and the newest releases are assumed. :class:`Targets` holds the ranges and
answers the two questions the rules about removed APIs ask:

* :meth:`Targets.affected`: is an API that was deprecated in one release (and
  maybe removed in a later one) deprecated or removed *anywhere* in the range?
  An API that is neither is not reported.
* :meth:`Targets.missing`: does a replacement that exists since some release
  exist in *every* release of the range? When it does not, its fix is not
  applied (it is shown, display-only) and the finding says which release the
  replacement needs.

A range is reduced to the minor releases the API tables examined
(:data:`mlsmells.data.api_versions.RELEASES`): its oldest and newest. Each
library's oldest examined release is its *floor*: a replacement present there
exists "since the floor or earlier", so it is taken to exist in every release.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlsmells.data.api_history import floor, newest, version_key
from mlsmells.data.api_versions import RELEASES

if TYPE_CHECKING:  # (imported where used: a run that names no version needs no packaging)
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

#: Distribution name (as PyPI spells it, canonical) -> the library key of the API tables.
DISTRIBUTIONS: Mapping[str, str] = {
    "numpy": "numpy",
    "pandas": "pandas",
    "scikit-learn": "sklearn",
    "torch": "torch",
    "torchvision": "torchvision",
}
#: Library key -> how messages name it.
DISPLAY: Mapping[str, str] = {
    "numpy": "NumPy",
    "pandas": "pandas",
    "sklearn": "scikit-learn",
    "torch": "PyTorch",
    "torchvision": "torchvision",
}
#: Library key -> distribution name.
DISTRIBUTION_OF: Mapping[str, str] = {key: dist for dist, key in DISTRIBUTIONS.items()}


def library_of(distribution: str) -> str | None:
    """The table key of a distribution name (any spelling PEP 503 folds together)."""
    # PEP 503's normal form, as packaging.utils.canonicalize_name makes it
    return DISTRIBUTIONS.get(_SEPARATORS.sub("-", distribution).lower())


_SEPARATORS = re.compile(r"[-_.]+")


def specifier(text: str) -> SpecifierSet:
    """``text`` as a PEP 440 specifier set; ValueError when it is none (or empty)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not text.strip():
        raise ValueError("expected a PEP 440 version specifier such as \">=1.0,<1.2\", got ''")
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ValueError(
            f"expected a PEP 440 version specifier such as \">=1.0,<1.2\", got {text!r}"
        ) from None


def table(value: object, show: Callable[[object], str] = repr) -> tuple[tuple[str, str], ...]:
    """A ``target-versions`` table (distribution -> specifier) validated into pairs;
    ValueError (its values shown by ``show``) when it is not one."""
    if not isinstance(value, dict):
        raise ValueError(
            f'expected a table of distribution = "specifier" such as '
            f'{{ scikit-learn = ">=1.0,<1.2" }}, got {show(value)}'
        )
    pairs: list[tuple[str, str]] = []
    for name, spec in value.items():
        if library_of(name) is None:
            close = difflib.get_close_matches(name, list(DISTRIBUTIONS), n=1)
            known = ", ".join(DISTRIBUTIONS)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {known})"
            raise ValueError(f"{name!r} is no library whose API the rules know{hint}")
        if not isinstance(spec, str):
            raise ValueError(f"{name!r}: expected a string such as \">=1.0\", got {show(spec)}")
        try:
            specifier(spec)
        except ValueError as exc:
            raise ValueError(f"{name!r}: {exc}") from None
        pairs.append((name, spec))
    return tuple(pairs)


def _version(text: str) -> Version | None:
    """The version a specifier names (``1.2`` for ``==1.2.*``); None for an arbitrary one."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text.rstrip(".*"))
    except InvalidVersion:
        return None


def _candidates(minor: str, wheel: str, specs: Iterable[SpecifierSet]) -> set[Version]:
    """Versions of the minor release ``minor`` that stand for all of them against ``specs``:
    its first, the one examined, and every version a specifier names in it (and the next)."""
    from packaging.version import Version

    found = {Version(f"{minor}.0"), Version(wheel)}
    for spec_set in specs:
        for spec in spec_set:
            named = _version(spec.version)
            if named is None:
                continue
            if named.release[:2] == Version(minor).release[:2]:
                micro = named.release[2] if len(named.release) > 2 else 0
                found.update({named, Version(f"{minor}.{micro + 1}")})
    return found


def supported_minors(library: str, specs: Iterable[SpecifierSet]) -> list[str]:
    """The examined minor releases of ``library`` of which some version satisfies one of
    ``specs`` (a union), oldest first."""
    specs = list(specs)
    return [
        minor
        for minor, wheel in RELEASES[library]
        if any(
            spec.contains(version, prereleases=True)
            for version in _candidates(minor, wheel, specs)
            for spec in specs
        )
    ]


@dataclass(frozen=True)
class Target:
    """The releases of one library that a project supports."""

    library: str
    """The table key (``sklearn``)."""
    specifier: str
    """The range as given (several declarations joined by `` | ``: any of them)."""
    source: str
    """Where it was found (``pyproject.toml [tool.mlsmells.target-versions]``,
    ``requirements.txt`` ...)."""
    oldest: str
    """The oldest examined minor release in the range (the floor for "or older")."""
    newest: str
    """The newest examined minor release in the range."""
    minors: tuple[str, ...] = ()
    """Every examined minor release in the range, oldest first."""

    @property
    def distribution(self) -> str:
        return DISTRIBUTION_OF[self.library]


def target(library: str, specs: Iterable[tuple[str, str]]) -> Target:
    """The :class:`Target` of ``library`` for (specifier text, source) declarations; a
    range no examined release satisfies is taken for the newest (a release the tables do
    not know yet) or the floor (one older than they go back)."""
    given = list(specs)
    sets = [specifier(text) for text, _ in given]
    minors = supported_minors(library, sets)
    if not minors:
        from packaging.version import Version

        top = Version(newest(library))
        named = [_version(spec.version) for spec_set in sets for spec in spec_set]
        beyond = any(version is not None and version > top for version in named)
        minors = [newest(library) if beyond else floor(library)]
    texts = list(dict.fromkeys(text.strip() for text, _ in given))
    sources = list(dict.fromkeys(source for _, source in given))
    return Target(
        library, " | ".join(texts), ", ".join(sources), minors[0], minors[-1], tuple(minors)
    )


@dataclass(frozen=True)
class Targets:
    """The supported range of each library that is known; the newest release for others."""

    ranges: tuple[Target, ...] = ()

    def get(self, library: str) -> Target | None:
        for found in self.ranges:
            if found.library == library:
                return found
        return None

    def oldest(self, library: str) -> str:
        found = self.get(library)
        return found.oldest if found is not None else newest(library)

    def newest(self, library: str) -> str:
        found = self.get(library)
        return found.newest if found is not None else newest(library)

    def declared(self, library: str) -> bool:
        """Whether the range of ``library`` is known (not assumed to be the newest)."""
        return self.get(library) is not None

    def affected(self, library: str, deprecated_in: str | None, removed_in: str | None) -> bool:
        """Whether an API deprecated in ``deprecated_in`` and removed in ``removed_in`` (None:
        not known, or still there) is deprecated or removed in some supported release."""
        first = deprecated_in or removed_in
        return first is None or version_key(self.newest(library)) >= version_key(first)

    def supports_between(self, library: str, start: str, end: str) -> bool:
        """Whether a supported release is at least ``start`` and older than ``end`` (an API
        absent from those releases only: ``np.bool``, gone in 1.24, back in 2.0)."""
        found = self.get(library)
        minors = found.minors if found is not None else (newest(library),)
        return any(
            version_key(start) <= version_key(minor) < version_key(end) for minor in minors
        )

    def missing(self, library: str, since: str | None) -> str | None:
        """``None`` when a replacement that exists since ``since`` exists in every supported
        release; else why not, as the end of a sentence (``scikit-learn 1.2; the project
        supports 1.0, per requirements.txt``)."""
        if since is None or version_key(since) <= version_key(floor(library)):
            return None
        oldest = self.oldest(library)
        if version_key(oldest) >= version_key(since):
            return None
        found = self.get(library)
        source = f", per {found.source}" if found is not None else ""
        return f"{DISPLAY[library]} {since}; the project supports {oldest}{source}"

    def serialise(self) -> list[list[str]]:
        return [[t.library, t.specifier, t.source] for t in self.ranges]


NEWEST = Targets()
"""Nothing known: the newest release of every library."""


def resolve(
    explicit: Iterable[tuple[str, str, str]], declared: Iterable[tuple[str, str, str]]
) -> Targets:
    """The targets from ``explicit`` (distribution, specifier, source) settings, and for the
    libraries they do not name, from ``declared`` dependencies (the same triples; several
    declarations of one library are a union). Unknown distributions are ignored."""
    chosen: dict[str, list[tuple[str, str]]] = {}
    for distribution, spec, source in explicit:
        library = library_of(distribution)
        if library is not None:
            chosen.setdefault(library, []).append((spec, source))
    named = set(chosen)
    for distribution, spec, source in declared:
        library = library_of(distribution)
        if library is not None and library not in named:
            chosen.setdefault(library, []).append((spec, source))
    return Targets(tuple(target(library, chosen[library]) for library in sorted(chosen)))
