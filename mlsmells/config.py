"""Project settings from ``[tool.mlsmells]`` in ``pyproject.toml``.

The settings of a linted file come from the nearest ``pyproject.toml`` that
has a ``[tool.mlsmells]`` table, searching the file's directory and then each
parent (as ruff does); without one, the defaults apply. Keys are kebab-case::

    [tool.mlsmells]
    select = ["ML"]                 # code prefixes to check (default: all but ML9xx)
    extend-select = ["ML902"]       # added to the selection
    ignore = ["ML3"]                # removed from it (the longer prefix wins)
    per-file-ignores = { "tests/**" = ["ML101"] }
    exclude = ["build"]             # replaces the default list of skipped paths
    extend-exclude = ["legacy/*"]   # added to it
    respect-gitignore = true        # skip what .gitignore / .ignore files ignore
    seed = 42                       # the value ML101's fix inserts as random_state
    test-files = ["test_*.py"]      # the files ML811/ML812 check (default: pytest's names)
    unsafe-fixes = false            # apply unsafe fixes too, as --unsafe-fixes does
    extend-safe-fixes = ["ML401"]   # treat these unsafe fixes as safe
    extend-unsafe-fixes = ["ML101"] # treat these safe fixes as unsafe

    [tool.mlsmells.target-versions]  # the library releases the project supports
    scikit-learn = ">=1.0,<1.2"      # (else: its declared dependencies; else the newest)

Every key is validated when read; a wrong type, a bad rule code or an unknown
key is a :class:`ConfigError` with a one-line message naming the file and the
key. A new setting is one field of :class:`Settings` plus one entry in
:data:`_KEYS`. Command-line options win over the file (:class:`Overrides`).

Globs (``per-file-ignores``, ``exclude``, ``extend-exclude``) with a ``/``
match the path relative to the directory of the file that sets them; without
one, they match the file or directory name. ``*`` matches any characters,
``/`` included (as in flake8 and ruff), ``**/`` zero or more directories,
``?`` one character other than ``/`` and ``[...]`` one of a set.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from mlsmells import declared, registry, versions
from mlsmells.records import Fix
from mlsmells.runner import SKIP_DIRS
from mlsmells.versions import Targets

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

PYPROJECT = "pyproject.toml"
SECTION = "tool.mlsmells"
MAX_SEED = 2**32 - 1
"""NumPy's (and so scikit-learn's) largest accepted seed."""
DEFAULT_EXCLUDE: tuple[str, ...] = tuple(sorted(SKIP_DIRS))
"""What ``exclude`` is when not set: names of directories never descended into."""
DEFAULT_TEST_FILES: tuple[str, ...] = ("test_*.py", "*_test.py", "conftest.py", "tests")
"""What ``test-files`` is when not set: pytest's file names, and a ``tests`` folder."""


class ConfigError(Exception):
    """A ``pyproject.toml`` that cannot be used, as one line."""


@dataclass(frozen=True)
class Settings:
    """The settings that apply to one linted file."""

    seed: int = 42
    unsafe_fixes: bool = False
    source: Path | None = None
    """The ``pyproject.toml`` they were read from (``None``: defaults)."""
    select: tuple[str, ...] | None = None
    """Code prefixes to check; ``None``: every rule except the opt-in ML9xx."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(glob, code prefixes) pairs: the codes not reported in the files the glob matches."""
    exclude: tuple[str, ...] | None = None
    """Globs of paths skipped when walking a directory; ``None``: :data:`DEFAULT_EXCLUDE`."""
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    """Skip the paths ``.gitignore`` and ``.ignore`` files ignore when walking a directory."""
    extend_safe_fixes: tuple[str, ...] = ()
    """Code prefixes whose unsafe fixes are applied as safe ones."""
    extend_unsafe_fixes: tuple[str, ...] = ()
    """Code prefixes whose safe fixes are applied only with ``--unsafe-fixes``."""
    target_versions: tuple[tuple[str, str], ...] = ()
    """(distribution, PEP 440 specifier) pairs of ``[tool.mlsmells.target-versions]``."""
    targets: Targets = versions.NEWEST
    """The library releases the file's project supports: :attr:`target_versions`, else
    the project's declared dependencies (:meth:`with_declared`), else the newest."""
    test_files: tuple[str, ...] = DEFAULT_TEST_FILES
    """Globs of the test files: the rules of test code (``Rule.tests_only``) check only them."""

    # ------------------------------------------------------------ selection
    def active_codes(self) -> frozenset[str]:
        """The codes checked in every file (before ``per-file-ignores``)."""
        return _active_codes(self.select, self.extend_select, self.ignore)

    def codes_for(self, path: Path) -> frozenset[str]:
        """The codes checked in ``path``: :meth:`active_codes` less its ``per-file-ignores``,
        and less the rules of test code unless it is a test file (``test-files``)."""
        active, outside_tests = self._active_in_and_outside_tests
        if active is not outside_tests and not self.is_test_file(path):
            active = outside_tests
        ignored = [
            code
            for pattern, codes in self.per_file_ignores
            if glob_matches(pattern, path, self.root)
            for code in codes
        ]
        if not ignored:
            return active
        return frozenset(code for code in active if _longest_prefix(code, ignored) is None)

    @functools.cached_property
    def _active_in_and_outside_tests(self) -> tuple[frozenset[str], frozenset[str]]:
        """:meth:`active_codes`, and the same less the rules of test code (the same object
        when there are none): made once, not once per file."""
        active = self.active_codes()
        if active & registry.tests_only_codes():
            return active, active - registry.tests_only_codes()
        return active, active

    def is_test_file(self, path: Path) -> bool:
        """Whether a ``test-files`` glob matches ``path`` (see :func:`is_test_path`)."""
        names, globs = self._test_globs
        if globs and any(glob_matches(g, path, self.root) for g in globs):
            return True
        return _names_match(path, names)

    @functools.cached_property
    def _test_globs(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """:attr:`test_files` as the globs without ``/`` (normalised) and those with one."""
        return _split_globs(self.test_files)

    # ------------------------------------------------------------ discovery
    @property
    def root(self) -> Path:
        """The directory relative globs start from: the config file's, else the current one."""
        return self.source.parent if self.source is not None else Path.cwd()

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        base = self.exclude if self.exclude is not None else DEFAULT_EXCLUDE
        return base + self.extend_exclude

    def is_excluded(self, path: Path, *, parents: bool = False) -> bool:
        """Whether an ``exclude``/``extend-exclude`` glob matches ``path``.

        With ``parents``, a match of one of its parent directories below
        :attr:`root` counts too (for a file named on the command line).
        """
        names, globs = self._exclusion
        if not parents and not globs:  # (the common case: the default names)
            return path.name in names
        root = self.root
        candidates = [path]
        if parents:
            candidates += [p for p in _absolute(path).parents if _strictly_below(p, root)]
        return any(
            candidate.name in names or any(glob_matches(g, candidate, root) for g in globs)
            for candidate in candidates
        )

    @functools.cached_property
    def _exclusion(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """:attr:`exclude_patterns` as the names they match literally (a pattern without
        ``/`` or wildcards matches a last component equal to it: a set lookup instead of
        a regular expression per file) and the other patterns."""
        names: set[str] = set()
        globs: list[str] = []
        for pattern in self.exclude_patterns:
            normal = _normal_pattern(pattern)
            if "/" in normal or any(char in normal for char in "*?["):
                globs.append(pattern)
            else:
                names.add(normal)
        return frozenset(names), tuple(globs)

    # ---------------------------------------------------------------- fixes
    def fix_safety(self, code: str, safety: Fix) -> Fix:
        """The safety of a fix of ``code`` that the rule declares ``safety`` (SAFE or UNSAFE),
        after ``extend-safe-fixes``/``extend-unsafe-fixes``: the longer prefix wins, and
        unsafe wins a tie (as in ruff)."""
        safe = _longest_prefix(code, self.extend_safe_fixes)
        unsafe = _longest_prefix(code, self.extend_unsafe_fixes)
        if unsafe is not None and (safe is None or unsafe >= safe):
            return Fix.UNSAFE
        if safe is not None:
            return Fix.SAFE
        return safety

    # ------------------------------------------------------------- versions
    def with_declared(
        self, folder: Path, known: dict[Path, Path | None] | None = None
    ) -> Settings:
        """These settings with :attr:`targets` resolved for a file in ``folder``: the
        ``target-versions`` setting, and for the libraries it does not name, the
        dependencies declared by the project holding ``folder`` (``known``: the project
        folders found so far, see :func:`mlsmells.declared.project_folder`)."""
        where = f"{self.source.name if self.source else PYPROJECT} [{SECTION}.target-versions]"
        explicit = [(dist, spec, where) for dist, spec in self.target_versions]
        targets = versions.resolve(explicit, declared.declarations(folder, known))
        return replace(self, targets=targets) if targets != self.targets else self

    # ------------------------------------------------------------- merging
    def with_overrides(self, overrides: Overrides) -> Settings:
        """These settings with the command line's on top.

        A selection given on the command line applies to the file's result
        (a ``--select`` starts afresh, ``--extend-select`` and ``--ignore``
        adjust); the merged selection is spelled out as the list of codes.
        """
        changes: dict[str, Any] = {}
        if overrides.select is not None or overrides.extend_select or overrides.ignore:
            active = resolve_selection(
                self.active_codes(), overrides.select, overrides.extend_select, overrides.ignore
            )
            changes.update(select=tuple(sorted(active)), extend_select=(), ignore=())
        if overrides.exclude is not None:
            changes["exclude"] = tuple(_anchor(p, overrides.base) for p in overrides.exclude)
        if overrides.extend_exclude:
            extra = tuple(_anchor(p, overrides.base) for p in overrides.extend_exclude)
            changes["extend_exclude"] = self.extend_exclude + extra
        if overrides.unsafe_fixes is not None:
            changes["unsafe_fixes"] = overrides.unsafe_fixes
        if overrides.respect_gitignore is not None:
            changes["respect_gitignore"] = overrides.respect_gitignore
        return replace(self, **changes) if changes else self

    def serialise(self) -> str:
        """Every effective setting as one canonical JSON text (sorted keys, no spaces).

        Two settings objects that check and fix every file alike serialise
        the same: the selection is given as the resolved list of codes. Meant
        for cache keys; ``root`` is there because relative globs depend on it.
        """
        data = {
            "select": sorted(self.active_codes()),
            "per-file-ignores": [
                [pattern, list(codes)] for pattern, codes in self.per_file_ignores
            ],
            "exclude": list(self.exclude_patterns),
            "root": str(self.root),
            "seed": self.seed,
            "unsafe-fixes": self.unsafe_fixes,
            "extend-safe-fixes": list(self.extend_safe_fixes),
            "extend-unsafe-fixes": list(self.extend_unsafe_fixes),
            "targets": self.targets.serialise(),
            "test-files": list(self.test_files),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line; they win over the configuration file."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None
    respect_gitignore: bool | None = None
    base: Path = field(default_factory=Path.cwd)
    """The directory the globs given on the command line are relative to."""


@functools.lru_cache(maxsize=64)
def _active_codes(
    select: tuple[str, ...] | None, extend_select: tuple[str, ...], ignore: tuple[str, ...]
) -> frozenset[str]:
    # Asked once per checked file: resolve each distinct selection once.
    return resolve_selection(registry.select_codes(), select, extend_select, ignore)


def resolve_selection(
    base: frozenset[str],
    select: Iterable[str] | None,
    extend_select: Iterable[str],
    ignore: Iterable[str],
) -> frozenset[str]:
    """Apply one layer of selection to the active codes ``base``.

    With ``select`` the layer starts afresh from it; without, it adjusts
    ``base``. Between a matching select (or extend-select) and a matching
    ignore, the longer prefix wins and ignore wins a tie (flake8's rule);
    ``ALL`` is the shortest prefix. On the defaults this is
    :func:`mlsmells.registry.select_codes`.
    """
    ext = list(extend_select)
    ign = list(ignore)
    chosen_from = [*select, *ext] if select is not None else ext
    active: set[str] = set()
    for code in registry.FACTS:
        chosen = _longest_prefix(code, chosen_from)
        ignored = _longest_prefix(code, ign)
        if chosen is None:
            on = select is None and code in base and ignored is None
        else:
            on = ignored is None or chosen > ignored
        if on:
            active.add(code)
    return frozenset(active)


def _longest_prefix(code: str, prefixes: Iterable[str]) -> int | None:
    """Length of the longest of ``prefixes`` that ``code`` starts with (``ALL`` counts as 0)."""
    best: int | None = None
    for prefix in prefixes:
        length = 0 if prefix == "ALL" else len(prefix) if code.startswith(prefix) else None
        if length is not None and (best is None or length > best):
            best = length
    return best


# -------------------------------------------------------------------- globs
def _absolute(path: Path) -> Path:
    """``path`` made absolute without resolving symbolic links (``..`` collapsed)."""
    return Path(os.path.abspath(path))


def _strictly_below(path: Path, root: Path) -> bool:
    """Whether ``path`` is inside ``root`` (and not ``root`` itself), symbolic links or not."""
    for candidate, base in ((_absolute(path), _absolute(root)), (_resolved(path), _resolved(root))):
        if candidate != base and candidate.is_relative_to(base):
            return True
    return False


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or :func:`_absolute` for a symbolic link loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return _absolute(path)


def _anchor(pattern: str, base: Path) -> str:
    """A glob relative to ``base`` made absolute (a name-only glob stays as it is)."""
    pattern = _normal_pattern(pattern)
    if "/" not in pattern or PurePosixPath(pattern).is_absolute():
        return pattern
    return f"{_absolute(base).as_posix().rstrip('/')}/{pattern}"


def _normal_pattern(pattern: str) -> str:
    pattern = pattern.replace(os.sep, "/") if os.sep != "/" else pattern
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


def glob_matches(pattern: str, path: Path, root: Path) -> bool:
    """Whether ``pattern`` matches ``path`` (see the module docstring for the syntax).

    A pattern with a ``/`` matches the whole path: relative to ``root``
    when the pattern is relative (never when ``path`` is outside ``root``),
    absolute otherwise. A pattern without one matches the last component.
    """
    pattern = _normal_pattern(pattern)
    regex = _glob_regex(pattern)
    if "/" not in pattern:
        return regex.fullmatch(path.name) is not None
    absolute = _absolute(path)
    if PurePosixPath(pattern).is_absolute():
        return regex.fullmatch(absolute.as_posix()) is not None
    for candidate, base in ((absolute, _absolute(root)), (_resolved(path), _resolved(root))):
        if candidate.is_relative_to(base):
            return regex.fullmatch(candidate.relative_to(base).as_posix()) is not None
    return False


def is_test_path(path: Path, patterns: Iterable[str], root: Path) -> bool:
    """Whether ``path`` is a test file for the globs ``patterns``: a glob without ``/``
    matches the file's name or the name of a folder it is in (``tests``), one with ``/``
    the path relative to ``root`` (as in ``per-file-ignores``)."""
    names, globs = _split_globs(tuple(patterns))
    if any(glob_matches(g, path, root) for g in globs):
        return True
    return _names_match(path, names)


@functools.lru_cache(maxsize=64)
def _split_globs(patterns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``patterns`` as the globs without ``/`` (normalised) and those with one."""
    normal = [_normal_pattern(pattern) for pattern in patterns]
    names = tuple(n for n in normal if "/" not in n)
    return names, tuple(p for p, n in zip(patterns, normal, strict=True) if "/" in n)


def _names_match(path: Path, names: tuple[str, ...]) -> bool:
    """Whether one of the globs ``names`` (without ``/``) matches the name of ``path`` or
    of a folder it is in."""
    return bool(names) and (
        any(_glob_regex(pattern).fullmatch(path.name) for pattern in names)
        or _in_test_folder(os.path.dirname(os.path.abspath(path)), names)
    )


@functools.lru_cache(maxsize=1024)
def _in_test_folder(folder: str, names: tuple[str, ...]) -> bool:
    """Whether the name of ``folder`` (absolute) or of a folder above it matches one of
    the globs ``names``; asked once per folder, not per file."""
    regexes = [_glob_regex(pattern) for pattern in names]
    return any(
        regex.fullmatch(name)
        for name in (p.name for p in (Path(folder), *Path(folder).parents))
        for regex in regexes
    )


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def _glob_regex(pattern: str) -> re.Pattern[str]:
    cached = _GLOB_CACHE.get(pattern)
    if cached is not None:
        return cached
    out: list[str] = []
    i, size = 0, len(pattern)
    while i < size:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif char == "*":
            while i < size and pattern[i] == "*":
                i += 1
            out.append(".*")
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and (close := _class_end(pattern, i)) is not None:
            body = pattern[i + 1 : close].replace("\\", "\\\\")
            negate = body.startswith("!")
            body = body[1:] if negate else body
            if body.startswith("^"):
                body = "\\" + body
            out.append(f"[{'^' if negate else ''}{body}]")
            i = close + 1
        else:
            out.append(re.escape(char))
            i += 1
    compiled = re.compile("".join(out), re.DOTALL)
    _GLOB_CACHE[pattern] = compiled
    return compiled


def _class_end(pattern: str, start: int) -> int | None:
    """Index of the ``]`` closing the character class opened at ``start``, if any."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "!":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1  # a leading ] is a member
    close = pattern.find("]", i)
    return close if close != -1 else None


def _seed(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {_show(value)}")
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"expected an integer from 0 to {MAX_SEED}, got {value}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_show(value)}")
    return value


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def check_selector(text: str) -> str:
    """A rule selector (``ALL``, ``ML``, a code prefix) normalised; ValueError if it is none."""
    item = text.strip().upper()
    if not registry.is_valid_selector(item):
        raise ValueError(
            f"invalid rule selector {text!r} (expected ALL, ML or a code prefix like ML2)"
            + _close_code(text)
        )
    if item != "ALL" and not any(code.startswith(item) for code in registry.FACTS):
        raise ValueError(f"rule selector {text!r} matches no rule{_close_code(text)}")
    return item


def _close_code(text: str) -> str:
    """``"; did you mean 'ML411'?"`` for a selector close to a code, or one naming a rule
    by its name or pylint id (``chained-assignment``, ``W7611``); else ``""``."""
    key = text.strip().lower()
    names = registry.rule_names()
    if key in names:
        return f"; did you mean {names[key][1]!r}?"
    if not key.startswith("ml"):
        return ""  # another tool's code (``E501``): no guess
    close = difflib.get_close_matches(key.upper(), list(registry.FACTS), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _selectors(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(
            f'expected a list of rule codes such as ["ML2", "ML401"], got {_show(value)}'
        )
    return tuple(check_selector(item) for item in value)


def _globs(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of glob patterns, got {_show(value)}")
    if any(not item.strip() for item in value):
        raise ValueError("expected a list of glob patterns, got an empty pattern")
    return tuple(value)


def _per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError(
            f'expected a table of glob = [rule codes] such as {{ "tests/*" = ["ML101"] }}, '
            f"got {_show(value)}"
        )
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in value.items():
        if not pattern.strip():
            raise ValueError("an empty glob pattern")
        try:
            pairs.append((pattern, _selectors(codes)))
        except ValueError as exc:
            raise ValueError(f"{pattern!r}: {exc}") from None
    return tuple(pairs)


#: TOML key -> (Settings field, validator returning the typed value or raising ValueError).
_KEYS: Mapping[str, tuple[str, Callable[[object], Any]]] = {
    "select": ("select", _selectors),
    "extend-select": ("extend_select", _selectors),
    "ignore": ("ignore", _selectors),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _globs),
    "extend-exclude": ("extend_exclude", _globs),
    "respect-gitignore": ("respect_gitignore", _bool),
    "seed": ("seed", _seed),
    "unsafe-fixes": ("unsafe_fixes", _bool),
    "extend-safe-fixes": ("extend_safe_fixes", _selectors),
    "extend-unsafe-fixes": ("extend_unsafe_fixes", _selectors),
    "target-versions": ("target_versions", functools.partial(versions.table, show=_show)),
    "test-files": ("test_files", _globs),
}


def settings_from_table(
    table: Mapping[str, object], source: Path | None = None, *, section: str = SECTION
) -> Settings:
    """Validate a ``[tool.mlsmells]`` table (``section``, ``""`` for a whole file) into
    :class:`Settings`."""
    where = f"{source}: " if source is not None else ""
    where += f"[{section}] " if section else ""
    values: dict[str, Any] = {}
    for key, value in table.items():
        entry = _KEYS.get(key)
        if entry is None:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f" (known keys: {', '.join(sorted(_KEYS))})"
            )
            raise ConfigError(f"{where}unknown key {key!r}{hint}")
        name, validate = entry
        try:
            values[name] = validate(value)
        except ValueError as exc:
            raise ConfigError(f"{where}{key}: {exc}") from None
    return replace(Settings(source=source), **values)


def load_config_file(path: Path) -> Settings:
    """The settings of ``--config PATH``.

    Its ``[tool.mlsmells]`` table; a file not named ``pyproject.toml`` may
    instead hold the keys at its top level (an ``mlsmells.toml``). Relative
    globs start from the file's directory.
    """
    resolved = _resolved(path)
    data = _load_toml(path)
    tool = data.get("tool")
    if isinstance(tool, dict) and "mlsmells" in tool:
        table = tool["mlsmells"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{SECTION}] must be a table")
        return settings_from_table(table, resolved)
    if path.name == PYPROJECT:
        raise ConfigError(f"{path}: no [{SECTION}] table")
    return settings_from_table(data, resolved, section="")


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # TOML is UTF-8 only (a Latin-1 comment, UTF-16 ...)
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: not UTF-8 (TOML files must be): byte 0x{raw[exc.start]:02x} on line {line}"
        ) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return data


def _read_table(pyproject: Path) -> Mapping[str, object] | None:
    """The ``[tool.mlsmells]`` table of ``pyproject``, or ``None`` when it has none."""
    data = _load_toml(pyproject)
    tool = data.get("tool")
    if not isinstance(tool, dict) or "mlsmells" not in tool:
        return None
    table = tool["mlsmells"]
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [{SECTION}] must be a table")
    return table


_Found = tuple[Path, Mapping[str, object]] | None
"""The nearest ``pyproject.toml`` with a ``[tool.mlsmells]`` table, and that table."""


def _nearest_from(directory: Path, known: dict[Path, _Found] | None = None) -> _Found:
    """The nearest configuration from the folder ``directory`` (its links resolved) up;
    ``known``: the answers of a run (folder -> found), each folder looked at once."""
    missed: list[Path] = []
    found: _Found = None
    for folder in (directory, *directory.parents):
        if known is not None and folder in known:
            found = known[folder]
            break
        missed.append(folder)
        candidate = folder / PYPROJECT
        if candidate.is_file():
            table = _read_table(candidate)
            if table is not None:
                found = candidate, table
                break
    if known is not None:
        known.update(dict.fromkeys(missed, found))
    return found


def find_pyproject(path: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.mlsmells]`` table, from ``path`` up."""
    start = _resolved(path)
    found = _nearest_from(start if start.is_dir() else start.parent)
    return found[0] if found is not None else None


class SettingsCache:
    """Settings per directory, each ``pyproject.toml`` read once per directory.

    ``overrides`` (the command line) go on top of every file's settings.
    With ``config`` (``--config PATH``) that file's settings apply to every
    path and no ``pyproject.toml`` is searched; with ``isolated``
    (``--isolated``) none is read at all. Either way, the target versions of a
    library the settings do not name come from the dependencies declared by each
    path's own project (:meth:`Settings.with_declared`). Raises :class:`ConfigError`
    when the ``config`` file is invalid.
    """

    def __init__(
        self,
        overrides: Overrides | None = None,
        *,
        config: Path | None = None,
        isolated: bool = False,
    ) -> None:
        self._by_dir: dict[Path, Settings | ConfigError] = {}
        self._by_path: dict[str, Settings | ConfigError] = {}
        """Absolute path, links not resolved -> its settings: every file of a directory
        asks for the directory's (:meth:`is_excluded`), resolved once."""
        self._real_dirs: dict[str, Path] = {}
        """A folder as named -> the folder with its links resolved."""
        self._projects: dict[Path, Path | None] = {}
        """Folder -> the folder of its project (:func:`mlsmells.declared.project_folder`)."""
        self._found: dict[Path, _Found] = {}
        """Folder -> its nearest configuration (:func:`_nearest_from`)."""
        self._bases: dict[Path | None, Settings] = {}
        """Configuration file (``None``: none) -> its settings, the command line's on top:
        one object for every folder it applies to."""
        self._overrides = overrides
        self._fixed: Settings | None = None
        if config is not None:
            self._fixed = self._merged(load_config_file(config))
        elif isolated:
            self._fixed = self._merged(Settings())

    def _merged(self, settings: Settings) -> Settings:
        return settings if self._overrides is None else settings.with_overrides(self._overrides)

    def for_path(self, path: Path) -> Settings:
        """The settings of the file (or directory) ``path``; :class:`ConfigError` if invalid."""
        key = os.path.abspath(path)
        cached = self._by_path.get(key)
        if cached is None:
            directory = _directory_of(path, self._real_dirs)
            cached = self._by_dir.get(directory)
            if cached is None:
                try:
                    base = self._fixed
                    if base is None:
                        found = _nearest_from(directory, self._found)
                        source = None if found is None else found[0]
                        base = self._bases.get(source)
                        if base is None:
                            table = None if found is None else settings_from_table(found[1], source)
                            base = self._bases[source] = self._merged(
                                Settings() if table is None else table
                            )
                    cached = base.with_declared(directory, self._projects)
                except ConfigError as exc:
                    cached = exc
                self._by_dir[directory] = cached
            self._by_path[key] = cached
        if isinstance(cached, ConfigError):
            raise cached
        return cached

    def is_excluded(self, path: Path, *, parents: bool = False) -> bool:
        """Whether ``path`` is excluded by the settings of the directory that holds it."""
        return self.for_path(path.parent).is_excluded(path, parents=parents)


def _directory_of(path: Path, real_dirs: dict[str, Path]) -> Path:
    """The folder whose settings apply to ``path``, links resolved: the path itself for a
    folder, else the folder of the file it leads to. ``real_dirs``: the folders of the
    files that are no links, each resolved once for all its files."""
    text = os.fspath(path)
    folder, name = os.path.split(text)
    try:
        mode = os.lstat(text).st_mode
    except OSError:
        mode = 0  # (missing: reported when it is checked)
    if stat.S_ISLNK(mode) or stat.S_ISDIR(mode) or name in ("", ".", ".."):
        start = _resolved(path)
        return start if start.is_dir() else start.parent
    real = real_dirs.get(folder)
    if real is None:
        real = real_dirs[folder] = _resolved(Path(folder or os.curdir))
    return real


_TARGETS: dict[Path, Targets] = {}
"""Folder -> the target versions of its files, for :func:`targets_for`."""
_REAL_DIRS: dict[str, Path] = {}
"""The folders of :func:`targets_for`'s files, resolved (see :func:`_directory_of`)."""


def targets_for(path: Path) -> Targets:
    """The target versions of the file ``path`` for the flake8 and pylint plugins: the
    ``target-versions`` of the nearest ``[tool.mlsmells]`` (its other keys are the CLI's),
    and the dependencies its project declares. :class:`ConfigError` if they are invalid."""
    directory = _directory_of(path, _REAL_DIRS)
    if directory not in _TARGETS:
        source, table = _nearest_from(directory) or (None, {})
        ours = {key: value for key, value in table.items() if key == "target-versions"}
        _TARGETS[directory] = settings_from_table(ours, source).with_declared(directory).targets
    return _TARGETS[directory]


def load_settings(path: Path) -> Settings:
    """The settings that apply to ``path``; :class:`ConfigError` if they are invalid."""
    return SettingsCache().for_path(path)
