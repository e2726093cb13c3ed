"""Finding, reading and checking files: what ``mlsmells check`` and the fixer share.

- :func:`discover` turns the paths given on the command line into the files
  to check (reading them is :mod:`mlsmells.sources`).
- :func:`check_source` parses, runs the engine and drops suppressed findings.
- :func:`check_file` does all of it for one path and never raises: a file that
  cannot be read, decoded or parsed becomes a :class:`FileResult` carrying a
  one-line :class:`FileError`.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlsmells import registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.sources import (
    NOTEBOOK_SUFFIX,
    PYTHON_SUFFIX,
    FileError,
    decode_source,
    parse,
    read_bytes,
    split_lines,
)
from mlsmells.versions import NEWEST, Targets

if TYPE_CHECKING:
    from mlsmells.engine import Engine

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
    depends: tuple[tuple[str, str], ...] = ()
    """The project modules (path, SHA-256 of the bytes) whose summaries the findings
    used: they are stale when one of them changes (:mod:`mlsmells.semantic.index`)."""
    wide: Mapping[int, str] | None = None
    """The text of each line a finding starts or ends on that is not pure ASCII (line
    of the checked source -> its text): what turns the findings' UTF-8 byte columns
    into character columns (:meth:`char_col`) without reading the file again."""
    parsed: tuple[str, ast.Module] | None = field(default=None, compare=False, repr=False)
    """The digest of the checked source (:func:`~mlsmells.engine.nodes.text_digest`) and
    the statements of its tree (:func:`~mlsmells.engine.nodes.statement_skeleton`), when
    the caller asked to keep them for the fixes of its findings (:func:`check_file`'s
    ``keep_tree``): the report then needs no parse of its own to plan them, as long as
    the file is what was checked. Never cached."""

    def char_col(self, line: int, byte_col: int) -> int:
        """The 0-based character column of a 0-based UTF-8 byte column of ``line``."""
        text = self.wide.get(line) if self.wide else None
        if text is None:
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def wide_lines(
    diagnostics: Iterable[Diagnostic], lines: Sequence[str]
) -> dict[int, str] | None:
    """The lines (of ``lines``) that ``diagnostics`` start or end on and that are not pure
    ASCII: what :attr:`FileResult.wide` holds."""
    found: dict[int, str] = {}
    for diag in diagnostics:
        for line in (diag.line, diag.end_line):
            if line not in found and 1 <= line <= len(lines) and not lines[line - 1].isascii():
                found[line] = lines[line - 1].rstrip("\r\n")
    return found or None


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
    link to a file is taken only when that file is under ``root`` too. (One listing per
    folder, whose entries say which are folders and links: no stat per file.)"""
    top = Path(os.path.realpath(root))  # never raises, even for a link loop
    folders = [root]
    while folders:
        base = folders.pop()
        try:
            with os.scandir(base) as listing:
                entries = list(listing)
        except OSError:
            continue  # (as os.walk: a folder that cannot be listed is passed over)
        for entry in entries:
            if _is_dir(entry):
                if not entry.is_symlink():
                    path = base / entry.name
                    venv = os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))
                    if not venv and not skip(path, False):
                        folders.append(path)
            elif entry.name.endswith((PYTHON_SUFFIX, NOTEBOOK_SUFFIX)):
                path = base / entry.name
                if not skip(path, False) and (
                    not entry.is_symlink()
                    or Path(os.path.realpath(entry.path)).is_relative_to(top)
                ):
                    yield path


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a folder or a link to one (as :func:`os.walk` sorts them)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


# ------------------------------------------------------------------ reading


# ----------------------------------------------------------------- checking


@functools.lru_cache(maxsize=8)
def _engine(active: frozenset[str]) -> Engine:
    return registry.engine(active)


def prepare(active: frozenset[str]) -> None:
    """Make (and keep) the engine checking ``active`` now, importing the rule modules:
    before forking workers, which then start with it."""
    _engine(active)


def check_source(
    source: str,
    filename: str,
    active: frozenset[str],
    *,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
    used: dict[Path, str] | None = None,
    targets: Targets = NEWEST,
    digest: str | None = None,
) -> list[Diagnostic]:
    """The unsuppressed findings of ``active`` codes in ``source``.

    ``cell_last_lines`` and ``line_map`` describe the cells of a notebook's module
    (see :meth:`mlsmells.engine.Engine.run`); the project modules the findings used
    go into ``used``; ``targets``: the library releases the project supports; ``digest``
    (the SHA-256 of the file's bytes) lets the walk leave the module's summary in the
    project index. Raises :class:`FileError` when the source does not parse.
    """
    from mlsmells.engine import gc_paused  # (imported by the runs that check a file)

    with gc_paused():
        tree = parse(source, filename)
        return check_tree(
            tree,
            split_lines(source),
            filename,
            active,
            cell_last_lines=cell_last_lines,
            line_map=line_map,
            used=used,
            targets=targets,
            digest=digest,
        )


def check_tree(
    tree: ast.Module,
    lines: Sequence[str],
    filename: str,
    active: frozenset[str],
    *,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
    used: dict[Path, str] | None = None,
    targets: Targets = NEWEST,
    digest: str | None = None,
    masked: frozenset[int] = frozenset(),
) -> list[Diagnostic]:
    """:func:`check_source` for a module already parsed from ``lines`` (``masked``: the
    lines no fix may touch, see :func:`decide_fixes`)."""
    found = _engine(active).run(
        tree, lines, filename, cell_last_lines, line_map, used, targets, digest
    )
    from mlsmells.suppression import UNUSED_CODE, Suppressions, unused  # (when checking)

    check_unused = UNUSED_CODE in active
    if not found and not check_unused:
        return []
    suppressions = Suppressions.from_lines(lines, tree)
    kept = [d for d in found if not suppressions.is_suppressed(d)]
    if check_unused:
        # ML919 judges the comments against the final findings: here, not in the engine
        # (its rule module's check reports nothing).
        idle = unused(suppressions, found, active, lines)
        kept = sorted(kept + [d for d in idle if not suppressions.is_suppressed(d)])
    return decide_fixes(kept, lines, masked)


FIX_KEY = "autofix"
"""The key of a finding's data that holds its rule's decision on its fix (``safe``,
``unsafe`` or ``none``; absent for a rule without a fix, and where only the fixer's
parse can tell: see :func:`decide_fixes`)."""


def decide_fixes(
    found: list[Diagnostic], lines: Sequence[str], masked: frozenset[int] = frozenset()
) -> list[Diagnostic]:
    """``found`` with each finding whose rule has a fix carrying its rule's decision on it
    (:data:`registry.DECISIONS`) in its data (:data:`FIX_KEY`). None is recorded in a file
    that ``mlsmells fix`` may not take (above its size limit, or with a line made of a
    backslash alone, which libcst may not give back), nor for a finding on a line no fix
    may touch (``masked``: a notebook's IPython syntax): only the fixer can tell about
    those."""
    decisions = registry.DECISIONS
    if not any(d.code in decisions for d in found) or not _fixable_text(lines):
        return found
    decided: list[Diagnostic] = []
    for diag in found:
        decide = decisions.get(diag.code)
        if decide is not None and not any(
            n in masked for n in range(diag.line, diag.end_line + 1)
        ):
            diag = dataclasses.replace(diag, data=(*diag.data, (FIX_KEY, decide(diag).value)))
        decided.append(diag)
    return decided


def _fixable_text(lines: Sequence[str]) -> bool:
    """Whether ``mlsmells fix`` surely takes a text of these lines (its size, its lines)."""
    from mlsmells.fixes.files import LONE_BACKSLASH, fix_size_limit  # (when checking)

    try:
        limit = fix_size_limit()
    except ValueError:
        return False  # (``fix`` refuses to run)
    if limit is not None and sum(map(len, lines)) > limit:
        if sum(len(line.encode("utf-8", "surrogatepass")) for line in lines) > limit:
            return False
    return not any(LONE_BACKSLASH.match(line) for line in lines)


def check_file(
    path: Path,
    active: frozenset[str],
    data: bytes | None = None,
    targets: Targets = NEWEST,
    keep_tree: bool = False,
) -> FileResult:
    """Check one file; never raises for a problem with the file itself.

    ``data``: the file's bytes, when the caller has read them already; ``targets``: the
    library releases the file's project supports; ``keep_tree``: keep the digest of the
    source and the statements of its tree in the result (:attr:`FileResult.parsed`) when
    a finding has a fix to show.
    """
    try:
        if path.suffix == NOTEBOOK_SUFFIX:
            return check_notebook(path, active, data, targets)
        data = read_bytes(path) if data is None else data
        source = decode_source(data)
        used: dict[Path, str] = {}
        digest = hashlib.sha256(data).hexdigest()
        lines = split_lines(source)
        from mlsmells.engine import gc_paused  # (imported by the runs that check a file)
        from mlsmells.engine.nodes import statement_skeleton, text_digest

        with gc_paused():
            tree = parse(source, str(path))
            found = check_tree(
                tree, lines, str(path), active, used=used, targets=targets, digest=digest
            )
        fixable = keep_tree and any(map(_fixable, found))
        parsed = (text_digest(source), statement_skeleton(tree)) if fixable else None
        return FileResult(
            path, tuple(found), depends=_depends(used), wide=wide_lines(found, lines), parsed=parsed
        )
    except FileError as error:
        return FileResult(path, error=error)


def _fixable(diag: Diagnostic) -> bool:
    """Whether the rule of ``diag`` decided that its fix applies (safe or unsafe)."""
    return diag.get(FIX_KEY) not in (None, "none")


def check_notebook(
    path: Path, active: frozenset[str], data: bytes | None = None, targets: Targets = NEWEST
) -> FileResult:
    """Check a notebook's code cells as one module.

    Findings keep the module's line numbers; :attr:`FileResult.line_map` maps
    them to (cell, line in cell). Raises :class:`FileError` for a file that is
    not a readable notebook. ``data``: the file's bytes, if already read.
    """
    # Imported here: reading notebooks (json, difflib ...) is for runs that meet one.
    from mlsmells.notebooks import read_for_runner

    notebook = read_for_runner(path, data)
    line_map = notebook.line_map()
    used: dict[Path, str] = {}
    found = check_tree(
        notebook.tree,
        notebook.lines,
        str(path),
        active,
        cell_last_lines=notebook.cell_last_lines,
        line_map=line_map,
        used=used,
        targets=targets,
        masked=notebook.masked_lines(),
    )
    return FileResult(
        path,
        tuple(found),
        line_map=line_map,
        notices=tuple(notice.text for notice in notebook.notices),
        depends=_depends(used),
        wide=wide_lines(found, notebook.lines),
    )


def _depends(used: Mapping[Path, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(path), digest) for path, digest in used.items()))
