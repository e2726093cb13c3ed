"""The dependencies a project declares, read (never executed) from its files.

The project of a file is the nearest folder, from the file's own up, holding a
``pyproject.toml``, ``setup.cfg``, ``setup.py``, a ``requirements*.txt`` or
``.git``. Its declarations are, together (a library declared in several is
supported in any of the ranges):

* ``pyproject.toml``: ``[project] dependencies``;
* ``requirements*.txt`` (``requirements.txt``, ``requirements-dev.txt`` ...) and the
  files inside the project they include with ``-r``/``-c``;
* ``setup.cfg``: ``install_requires`` of ``[options]``.

A line that is no PEP 508 requirement (an option, a URL, a path) is skipped, and
so is a requirement without a version specifier: it says nothing about versions.
``setup.py`` is not read (it is code), nor are extras, Poetry's tables or
environment markers (a requirement counts whatever its marker).
"""

from __future__ import annotations

import configparser
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from mlsmells.versions import library_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
MAX_SIZE = 1 << 20
"""Declaration files above this many bytes are not read."""
MAX_INCLUDES = 20
"""At most this many requirement files are read through ``-r`` (a cycle stops there)."""

Declaration = tuple[str, str, str]
"""(distribution, specifier text, source): ``("numpy", ">=1.21,<2", "requirements.txt")``."""


def project_folder(folder: Path) -> Path | None:
    """The nearest folder from ``folder`` up that holds a project marker or requirements."""
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
        if _requirement_files(candidate):
            return candidate
    return None


def _requirement_files(folder: Path) -> list[Path]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        folder / name
        for name in names
        if name.startswith("requirements") and name.endswith(".txt") and (folder / name).is_file()
    ]


def declarations(folder: Path) -> tuple[Declaration, ...]:
    """The versioned requirements of the known libraries that the project holding
    ``folder`` declares (see the module docstring)."""
    root = project_folder(folder)
    if root is None:
        return ()
    stamp = tuple(_stamp(root / name) for name in ("pyproject.toml", "setup.cfg"))
    stamp += tuple(_stamp(path) for path in _requirement_files(root))
    cached = _READ.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]  # every folder of a project asks: its files are read once
    found = _read(root)
    _READ[root] = (stamp, found)
    return found


_READ: dict[Path, tuple[tuple[tuple[str, int, int], ...], tuple[Declaration, ...]]] = {}
"""Project folder -> (name, size and modification time of its files, their declarations)."""


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return path.name, -1, -1
    return path.name, stat.st_size, stat.st_mtime_ns


def _read(root: Path) -> tuple[Declaration, ...]:
    found: list[Declaration] = []
    found += _pyproject(root / "pyproject.toml")
    found += _setup_cfg(root / "setup.cfg")
    seen: set[Path] = set()
    for path in _requirement_files(root):
        found += _requirements(path, root, seen)
    return tuple(dict.fromkeys(found))


def _text(path: Path) -> str:
    """The text of a regular file of at most :data:`MAX_SIZE` bytes (OSError otherwise)."""
    with path.open("rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(f"{path}: not a regular file")
        data = stream.read(MAX_SIZE + 1)
    if len(data) > MAX_SIZE:
        raise OSError(f"{path}: over {MAX_SIZE} bytes")
    return data.decode("utf-8")


def _requirement(text: str, source: str) -> Declaration | None:
    """A requirement of a known library with a specifier, as a declaration."""
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if library_of(req.name) is None or not str(req.specifier):
        return None
    return req.name, str(req.specifier), source


def _pyproject(path: Path) -> list[Declaration]:
    try:
        data = tomllib.loads(_text(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    project = data.get("project")
    items = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(items, list):
        return []
    source = f"{path.name} [project] dependencies"
    return [
        found
        for item in items
        if isinstance(item, str) and (found := _requirement(item, source)) is not None
    ]


def _setup_cfg(path: Path) -> list[Declaration]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_text(path))
        text = parser.get("options", "install_requires", fallback="")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return []
    source = f"{path.name} install_requires"
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [found for line in lines if line and (found := _requirement(line, source))]


def _logical_lines(text: str) -> Iterator[str]:
    """The lines of a requirements file with continuations joined and comments dropped."""
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.lstrip().startswith("#"):
            continue
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def _requirements(path: Path, root: Path, seen: set[Path]) -> list[Declaration]:
    resolved = path.resolve()
    if resolved in seen or len(seen) >= MAX_INCLUDES or not resolved.is_relative_to(root.resolve()):
        return []  # read once, and never outside the project (``-r /dev/zero``)
    seen.add(resolved)
    try:
        text = _text(path)
    except (OSError, UnicodeDecodeError):
        return []
    try:
        source = path.relative_to(root).as_posix()
    except ValueError:
        source = str(path)
    found: list[Declaration] = []
    for line in _logical_lines(text):
        if line.startswith("-"):
            option, _, rest = line.replace("=", " ", 1).partition(" ")
            if option in ("-r", "--requirement", "-c", "--constraint") and rest.strip():
                found += _requirements(path.parent / rest.strip(), root, seen)
            continue
        declared = _requirement(line, source)
        if declared is not None:
            found.append(declared)
    return found
