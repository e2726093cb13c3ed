"""The files in which a project declares its dependencies and its tools' settings, and
the versioned dependencies they declare; read (never executed) by one reader.

The project of a file is the nearest folder, from the file's own up, holding a
``pyproject.toml``, ``setup.cfg``, ``setup.py``, a ``requirements*.txt`` or
``.git``. Its files (:func:`project_files`) are those of :data:`PROJECT_FILES` at
its root, its ``requirements*.txt`` and ``requirements/*.txt``, and the files inside
the project that those include with ``-r``/``-c``; only regular files of at most
:data:`MAX_SIZE` bytes are read. ML812 looks in all of them for pytest-randomly;
the declarations of the target versions (:func:`declarations`) are, together (a
library declared in several is supported in any of the ranges):

* ``pyproject.toml``: ``[project] dependencies``;
* the requirements files;
* ``setup.cfg``: ``install_requires`` of ``[options]``.

A line that is no PEP 508 requirement (an option, a URL, a path) is skipped, and
so is a requirement without a version specifier: it says nothing about versions.
``setup.py`` is not read for declarations (it is code), nor are extras, Poetry's
tables or environment markers (a requirement counts whatever its marker).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlsmells.sources import FileError, read_bytes
from mlsmells.versions import library_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
PROJECT_FILES = (
    "pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini", "Pipfile",
    "environment.yml", "environment.yaml",
)  # fmt: skip
"""Files at a project's root that declare its dependencies and its tools' settings."""
MAX_SIZE = 1 << 20
"""Files above this many bytes are not read."""
MAX_INCLUDES = 20
"""At most this many requirements files are read through ``-r``/``-c`` (a cycle stops there)."""

Declaration = tuple[str, str, str]
"""(distribution, specifier text, source): ``("numpy", ">=1.21,<2", "requirements.txt")``."""


@dataclass(frozen=True)
class ProjectFile:
    """A file of the project's declarations, as read."""

    path: Path
    digest: str
    """The SHA-256 of its bytes."""
    text: str
    pip: bool
    """A requirements file (pip's format): ``requirements*.txt``, ``requirements/*.txt``
    or a file one of them includes."""


def project_folder(
    folder: Path, known: dict[Path, Path | None] | None = None
) -> Path | None:
    """The nearest folder from ``folder`` up that holds a project marker or requirements.

    ``known`` (folder -> its answer) remembers the answers of a run: the folders of a
    tree share their parents, each listed once."""
    if known is None:
        known = {}
    missed: list[Path] = []
    found: Path | None = None
    for candidate in (folder, *folder.parents):
        if candidate in known:
            found = known[candidate]
            break
        missed.append(candidate)
        if _holds_project(candidate):
            found = candidate
            break
    for candidate in missed:
        known[candidate] = found
    return found


def _holds_project(folder: Path) -> bool:
    """Whether ``folder`` holds a project marker or a requirements file (one listing)."""
    try:
        names = os.listdir(folder)
    except OSError:  # (a folder that can be entered but not listed)
        return any((folder / marker).exists() for marker in PROJECT_MARKERS)
    if any(n.startswith("requirements") and n.endswith(".txt") for n in names):
        return True
    # (a marker that is a dangling link is none)
    return any(marker in names and (folder / marker).exists() for marker in PROJECT_MARKERS)


def _requirement_files(folder: Path, prefix: str = "requirements") -> list[Path]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [folder / name for name in names if name.startswith(prefix) and name.endswith(".txt")]


def project_files(root: Path) -> tuple[ProjectFile, ...]:
    """The files of the project whose root is ``root`` (see the module docstring); read
    again only when one of them changes, comes or goes."""
    named = [root / name for name in PROJECT_FILES]
    pip = _requirement_files(root) + _requirement_files(root / "requirements", "")
    candidates = named + pip
    cached = _FILES.get(root)
    if cached is not None:
        watched, stamps, files = cached
        if watched[: len(candidates)] == candidates and stamps == _stamps(watched):
            return files
    files, included = _read(root, [(path, False) for path in named] + [(p, True) for p in pip])
    watched = candidates + included
    _FILES[root] = (watched, _stamps(watched), files)
    return files


_Stamps = tuple[tuple[int, int] | None, ...]
_FILES: dict[Path, tuple[list[Path], _Stamps, tuple[ProjectFile, ...]]] = {}
"""Root -> (the files looked at, their sizes and modification times, the files read)."""


def _stamps(paths: list[Path]) -> _Stamps:
    found: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            found.append(None)
        else:
            found.append((stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def _read(
    root: Path, candidates: list[tuple[Path, bool]]
) -> tuple[tuple[ProjectFile, ...], list[Path]]:
    """The files among ``candidates`` (path, whether a requirements file) that exist, with
    the files the requirements files include; and the paths of those includes."""
    files: list[ProjectFile] = []
    seen: set[Path] = set()
    included: list[Path] = []
    inside = root.resolve()
    todo = candidates[::-1]
    while todo:
        path, pip = todo.pop()
        resolved = path.resolve()
        if resolved in seen or not resolved.is_relative_to(inside):
            continue  # read once, and never outside the project (``-r /dev/zero``)
        seen.add(resolved)
        try:
            data = read_bytes(path, limit=MAX_SIZE)  # a FIFO or a device is refused
        except FileError:
            continue
        text = data.decode("utf-8", errors="replace")
        files.append(ProjectFile(path, hashlib.sha256(data).hexdigest(), text, pip))
        if not pip:
            continue
        includes = [path.parent / name for name in _includes(text)]
        includes = includes[: max(0, MAX_INCLUDES - len(included))]
        included += includes
        todo += [(include, True) for include in reversed(includes)]
    return tuple(files), included


def _includes(text: str) -> Iterator[str]:
    """The files a requirements file includes (``-r``/``-c``, long forms too)."""
    for line in _logical_lines(text):
        if line.startswith("-"):
            option, _, rest = line.replace("=", " ", 1).partition(" ")
            if option in ("-r", "--requirement", "-c", "--constraint") and rest.strip():
                yield rest.strip()


def declarations(
    folder: Path, known: dict[Path, Path | None] | None = None
) -> tuple[Declaration, ...]:
    """The versioned requirements of the known libraries that the project holding
    ``folder`` declares (see the module docstring); ``known``: as for
    :func:`project_folder`."""
    root = project_folder(folder, known)
    if root is None:
        return ()
    files = project_files(root)
    cached = _DECLARED.get(root)
    if cached is not None and cached[0] is files:
        return cached[1]  # every folder of a project asks: its files are parsed once
    found: list[Declaration] = []
    for file in files:
        if file.pip:
            source = file.path.relative_to(root).as_posix()
            lines = (line for line in _logical_lines(file.text) if not line.startswith("-"))
            found += [d for line in lines if (d := _requirement(line, source)) is not None]
        elif file.path.name == "pyproject.toml":
            found += _pyproject(file.text)
        elif file.path.name == "setup.cfg":
            found += _setup_cfg(file.text)
    result = tuple(dict.fromkeys(found))
    _DECLARED[root] = (files, result)
    return result


_DECLARED: dict[Path, tuple[tuple[ProjectFile, ...], tuple[Declaration, ...]]] = {}
"""Project folder -> (its files, their declarations)."""


def _requirement(text: str, source: str) -> Declaration | None:
    """A requirement of a known library with a specifier, as a declaration."""
    # (imported here: a run that meets no requirement needs none of packaging)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if library_of(req.name) is None or not str(req.specifier):
        return None
    return req.name, str(req.specifier), source


def _pyproject(text: str) -> list[Declaration]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    project = data.get("project")
    items = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(items, list):
        return []
    source = "pyproject.toml [project] dependencies"
    return [
        found
        for item in items
        if isinstance(item, str) and (found := _requirement(item, source)) is not None
    ]


def _setup_cfg(text: str) -> list[Declaration]:
    import configparser  # (imported by the runs that meet a setup.cfg)

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        value = parser.get("options", "install_requires", fallback="")
    except configparser.Error:
        return []
    source = "setup.cfg install_requires"
    lines = (line.split("#", 1)[0].strip() for line in value.splitlines())
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
