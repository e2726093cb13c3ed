"""Finding, reading and checking files: what ``mlsmells check`` and the fixer share.

- :func:`discover` turns the paths given on the command line into the files
  to check.
- :func:`decode_source` turns a file's bytes into text the way Python does
  (PEP 263 coding comment, BOM, universal newlines).
- :func:`check_source` parses, runs the engine and drops suppressed findings.
- :func:`check_file` does all of it for one path and never raises: a file that
  cannot be read, decoded or parsed becomes a :class:`FileResult` carrying a
  one-line :class:`FileError`.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import stat
import tokenize
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlsmells import newsyntax
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Engine, gc_paused
from mlsmells.suppression import Suppressions

#: Directory names never descended into (a directory named on the command line is still checked).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        "build",
        "dist",
        ".eggs",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".mlsmells_cache",
        ".ipynb_checkpoints",
        "node_modules",
    }
)
PYTHON_SUFFIX = ".py"
NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class FileError(Exception):
    """Why a file could not be checked, as one line."""

    reason: str
    line: int | None = None
    column: int | None = None
    """1-based, in characters, as Python reports syntax errors."""

    def __str__(self) -> str:
        return self.reason

    @property
    def location(self) -> str:
        """``":line:col"`` (or ``""``) to append to the path."""
        if self.line is None:
            return ""
        return f":{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class FileResult:
    """The outcome of checking one file: findings, or the reason it could not be checked."""

    path: Path
    diagnostics: tuple[Diagnostic, ...] = ()
    error: FileError | None = None
    line_map: Mapping[int, tuple[int, int]] | None = None
    """For notebooks: line of the checked source -> (cell number, line in that cell)."""
    notices: tuple[str, ...] = ()
    """One-line remarks that are not findings, each to follow the path (for notebooks:
    ``:cell 3:2:5: cell does not parse (...); it is not checked``)."""


# ---------------------------------------------------------------- discovery
Exclusion = Callable[[Path, bool], bool]
"""``excluded(path, named)``: skip ``path``? ``named`` is true for a path given by the user."""


def _skip_dir(path: Path, named: bool) -> bool:
    return not named and path.name in SKIP_DIRS


def discover(
    paths: Iterable[str | os.PathLike[str]], excluded: Exclusion | None = None
) -> list[Path]:
    """The files to check under ``paths``, sorted and without duplicates.

    A path that is not a directory is returned as given (whatever its suffix,
    and even when it does not exist, so that checking it reports why). A
    directory contributes its ``.py`` and ``.ipynb`` files, skipping
    virtual environments (any directory holding a ``pyvenv.cfg``) and what
    ``excluded`` says to skip below it (by default the directories named in
    :data:`SKIP_DIRS`). ``excluded`` is asked about the paths given too.
    """
    skip = excluded if excluded is not None else _skip_dir
    found: set[Path] = set()
    for item in paths:
        path = Path(item)
        if skip(path, True):
            continue
        if path.is_dir():
            found.update(_walk(path, skip))
        else:
            found.add(path)
    return sorted(found)


def _walk(root: Path, skip: Exclusion) -> Iterable[Path]:
    """The files under ``root``; symbolic links to directories are not followed, and a
    link to a file is taken only when that file is under ``root`` too."""
    top = Path(os.path.realpath(root))  # never raises, even for a link loop
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not (base / d / "pyvenv.cfg").exists() and not skip(base / d, False)
        )
        for name in filenames:
            path = base / name
            if (
                name.endswith((PYTHON_SUFFIX, NOTEBOOK_SUFFIX))
                and not skip(path, False)
                and (not path.is_symlink() or Path(os.path.realpath(path)).is_relative_to(top))
            ):
                yield path


# ------------------------------------------------------------------ reading
def decode_source(data: bytes) -> str:
    """Decode Python source the way the interpreter does; :class:`FileError` when it cannot."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in exc.msg:
            raise FileError(f"cannot decode: {exc.msg}") from None
        encoding = "utf-8"  # no declaration and not UTF-8: say which byte is wrong, below
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise FileError(
            f"cannot decode as {encoding}: byte 0x{bad} on line {line} "
            "(declare the file's encoding with a PEP 263 coding comment)"
        ) from None
    except LookupError as exc:  # a codec that exists but cannot decode text
        raise FileError(f"cannot decode: {exc}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Physical lines with their ``\\n`` (unlike ``str.splitlines``, only ``\\n`` ends a line)."""
    return io.StringIO(text).readlines()


def read_source(path: Path) -> str:
    """The decoded text of ``path``; :class:`FileError` when it cannot be read or decoded."""
    return decode_source(read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of the regular file ``path``; :class:`FileError` for anything else.

    A FIFO, socket or device (``/dev/zero``) is refused rather than read: reading
    one would wait for a writer forever, or never end. Opening does not block
    (``O_NONBLOCK``) and the check is made on the opened file, so a path swapped
    for a FIFO in between is refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FileError(_os_reason(exc)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise FileError("is a directory")
            if not stat.S_ISREG(mode):
                raise FileError("not a regular file (a FIFO, socket or device); not read")
            return handle.read()
    except OSError as exc:
        raise FileError(_os_reason(exc)) from None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror.lower() if exc.strerror else str(exc)


# ----------------------------------------------------------------- checking
def parse(source: str, filename: str = "<string>") -> ast.Module:
    """``ast.parse`` with every failure turned into a located :class:`FileError`.

    Code nested too deeply for ``ast.parse`` (about 3000 levels) is too deep for
    Python to compile as well: it is refused, as a syntax error.
    """
    try:
        with warnings.catch_warnings():
            # SyntaxWarning / DeprecationWarning about the checked code are not ours to print.
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=filename)
    except SyntaxError as exc:
        kind = "indentation error" if isinstance(exc, IndentationError) else "syntax error"
        if exc.lineno is None and "\0" in source:  # null bytes, Python 3.12+
            raise _null_byte_error(source, exc.msg) from None
        newer = newsyntax.explain(source, exc)  # `type X = ...` under Python 3.11 ...
        if newer is not None:
            raise FileError(f"syntax error: {newer.message}", newer.line, newer.column) from None
        raise FileError(f"{kind}: {exc.msg}", exc.lineno, exc.offset) from None
    except ValueError as exc:  # null bytes, before Python 3.12
        raise _null_byte_error(source, str(exc)) from None
    except (RecursionError, MemoryError):
        raise FileError("syntax error: too deeply nested to parse") from None


def _null_byte_error(source: str, message: str) -> FileError:
    """The error for a source holding a null byte, located at the first one."""
    index = source.find("\0")
    if index < 0:
        return FileError(f"syntax error: {message}")
    line = source.count("\n", 0, index) + 1
    column = index - source.rfind("\n", 0, index)
    return FileError(f"syntax error: {message}", line, column)


@functools.lru_cache(maxsize=8)
def _engine(active: frozenset[str]) -> Engine:
    return Engine(active)


def check_source(
    source: str,
    filename: str,
    active: frozenset[str],
    *,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
) -> list[Diagnostic]:
    """The unsuppressed findings of ``active`` codes in ``source``.

    ``cell_last_lines`` and ``line_map`` describe the cells of a notebook's module
    (see :meth:`mlsmells.engine.Engine.run`). Raises :class:`FileError` when the
    source does not parse.
    """
    with gc_paused():
        tree = parse(source, filename)
        return check_tree(
            tree,
            split_lines(source),
            filename,
            active,
            cell_last_lines=cell_last_lines,
            line_map=line_map,
        )


def check_tree(
    tree: ast.Module,
    lines: Sequence[str],
    filename: str,
    active: frozenset[str],
    *,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
) -> list[Diagnostic]:
    """:func:`check_source` for a module already parsed from ``lines``."""
    found = _engine(active).run(tree, lines, filename, cell_last_lines, line_map)
    if not found:
        return []
    suppressions = Suppressions.from_lines(lines, tree)
    return [d for d in found if not suppressions.is_suppressed(d)]


def check_file(path: Path, active: frozenset[str], data: bytes | None = None) -> FileResult:
    """Check one file; never raises for a problem with the file itself.

    ``data``: the file's bytes, when the caller has read them already.
    """
    try:
        if path.suffix == NOTEBOOK_SUFFIX:
            # Imported here: mlsmells.notebooks builds on this module.
            from mlsmells.notebooks import check_notebook

            return check_notebook(path, active, data)
        source = read_source(path) if data is None else decode_source(data)
        return FileResult(path, tuple(check_source(source, str(path), active)))
    except FileError as error:
        return FileResult(path, error=error)
