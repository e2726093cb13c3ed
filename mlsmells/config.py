"""Project settings from ``[tool.mlsmells]`` in ``pyproject.toml``.

The settings of a linted file come from the nearest ``pyproject.toml`` that
has a ``[tool.mlsmells]`` table, searching the file's directory and then each
parent (as ruff does); without one, the defaults apply. Keys are kebab-case::

    [tool.mlsmells]
    seed = 42            # the value ML101's fix inserts as random_state
    unsafe-fixes = false # apply unsafe fixes too, as --unsafe-fixes does

Every key is validated when read; a wrong type or an unknown key is a
:class:`ConfigError` with a one-line message naming the file. A new setting is
one field of :class:`Settings` plus one entry in :data:`_KEYS`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

PYPROJECT = "pyproject.toml"
SECTION = "tool.mlsmells"
MAX_SEED = 2**32 - 1
"""NumPy's (and so scikit-learn's) largest accepted seed."""


class ConfigError(Exception):
    """A ``pyproject.toml`` that cannot be used, as one line."""


@dataclass(frozen=True)
class Settings:
    """The settings that apply to one linted file."""

    seed: int = 42
    unsafe_fixes: bool = False
    source: Path | None = None
    """The ``pyproject.toml`` they were read from (``None``: defaults)."""


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


#: TOML key -> (Settings field, validator returning the typed value or raising ValueError).
_KEYS: Mapping[str, tuple[str, Callable[[object], Any]]] = {
    "seed": ("seed", _seed),
    "unsafe-fixes": ("unsafe_fixes", _bool),
}


def settings_from_table(table: Mapping[str, object], source: Path | None = None) -> Settings:
    """Validate a ``[tool.mlsmells]`` table into :class:`Settings`."""
    where = f"{source}: " if source is not None else ""
    values: dict[str, Any] = {}
    for key, value in table.items():
        entry = _KEYS.get(key)
        if entry is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{where}[{SECTION}] unknown key {key!r} (known keys: {known})")
        name, validate = entry
        try:
            values[name] = validate(value)
        except ValueError as exc:
            raise ConfigError(f"{where}[{SECTION}] {key}: {exc}") from None
    return replace(Settings(source=source), **values)


def _read_table(pyproject: Path) -> Mapping[str, object] | None:
    """The ``[tool.mlsmells]`` table of ``pyproject``, or ``None`` when it has none."""
    try:
        with pyproject.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    if not isinstance(tool, dict) or "mlsmells" not in tool:
        return None
    table = tool["mlsmells"]
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [{SECTION}] must be a table")
    return table


def _nearest(path: Path) -> tuple[Path, Mapping[str, object]] | None:
    start = path.resolve()
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            table = _read_table(candidate)
            if table is not None:
                return candidate, table
    return None


def find_pyproject(path: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.mlsmells]`` table, from ``path`` up."""
    found = _nearest(path)
    return found[0] if found is not None else None


class SettingsCache:
    """Settings per directory, each ``pyproject.toml`` read once per directory."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, Settings] = {}

    def for_path(self, path: Path) -> Settings:
        """The settings of the file (or directory) ``path``; :class:`ConfigError` if invalid."""
        start = path.resolve()
        directory = start if start.is_dir() else start.parent
        cached = self._by_dir.get(directory)
        if cached is None:
            found = _nearest(directory)
            cached = Settings() if found is None else settings_from_table(found[1], found[0])
            self._by_dir[directory] = cached
        return cached


def load_settings(path: Path) -> Settings:
    """The settings that apply to ``path``; :class:`ConfigError` if they are invalid."""
    return SettingsCache().for_path(path)
