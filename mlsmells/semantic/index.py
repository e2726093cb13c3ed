"""The project index: the project's own modules, what an import of one leads to, and a
summary of what each holds, computed lazily and never by running it.

The project of a file is the nearest folder above it holding ``pyproject.toml``,
``setup.cfg``, ``setup.py`` or ``.git`` (none: the file's folder alone). An import
is looked up as Python would find it for a script or a notebook of the project:
in the file's own folder, at the project root and in its ``src/`` folder (relative
imports from the file's package); never as the importing file itself (``import
deepspeed`` in ``deepspeed.py`` is the library's). A module found there is parsed and walked by the
engine, without any rule (:data:`Summarize`), into a :class:`ModuleSummary`: the
kinds its functions and methods return (with their tuples' items), the kinds of
its module-level names, its classes (an ``nn.Module`` or not, and the probabilities
its ``forward`` returns), and the names it re-exports. Summaries are cached by the
content of the file; a module that imports itself back (an import cycle) sees the other
end as unknown.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlsmells import declared
from mlsmells.declared import ProjectFile
from mlsmells.semantic.kinds import Kind, Output
from mlsmells.semantic.scopes import Arguments
from mlsmells.semantic.text import has_identifier
from mlsmells.sources import FileError, decode_source, read_bytes

#: Files that mark the root of a project.
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
#: pytest's per-folder configuration module (never imported by a test: pytest loads it).
CONFTEST = "conftest.py"


@dataclass(frozen=True)
class FunctionSummary:
    returns: Kind | None = None
    items: tuple[Kind | None, ...] | None = None
    """The kinds of the items of the tuple it returns."""


@dataclass(frozen=True)
class ClassSummary:
    is_module: bool = False
    """A subclass of ``torch.nn.Module`` (directly or through classes of the project)."""
    methods: dict[str, FunctionSummary] = field(default_factory=dict)
    output: Output | None = None
    """The probabilities its ``forward`` returns (see :mod:`.outputs`), if it does."""
    is_lightning: bool = False
    """A ``LightningModule`` (directly or through classes of the project)."""
    calls: dict[str, tuple[Arguments, ...]] = field(default_factory=dict)
    """Method name -> what the ``self.<method>(...)`` calls of its methods and of its
    bases' pass: calls of a subclass's override of that method."""


#: What is known of most functions: nothing. One object for all of them: a run keeps the
#: summaries of every module it checked, and fewer objects make each of the garbage
#: collector's full passes over them shorter.
UNKNOWN_FUNCTION = FunctionSummary()


@dataclass(frozen=True)
class FixtureSummary:
    """A pytest fixture of a ``conftest.py`` (or a hook that runs before every test)."""

    autouse: bool = False
    """Used by every test below the ``conftest.py`` without being asked for (a hook such
    as ``pytest_runtest_setup`` too)."""
    seeds: frozenset[str] = frozenset()
    """The global random generators it seeds (:mod:`mlsmells.data.rng`), in its body or
    in the functions of its module that it calls."""
    requests: tuple[str, ...] = ()
    """The fixtures it asks for (its parameters)."""


@dataclass(frozen=True)
class ModuleSummary:
    path: Path
    digest: str
    """The SHA-256 of the file's bytes."""
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    names: dict[str, Kind] = field(default_factory=dict)
    """Module-level names bound to a value of a known kind."""
    imports: dict[str, str] = field(default_factory=dict)
    """Module-level names bound to an import: name -> its qualified name (relative ones
    with their leading dots), so that ``from .data import load`` re-exports ``load``."""
    stars: tuple[str, ...] = ()
    """The modules it star-imports at its top level (``from .optim import *``; relative
    ones with their leading dots): their public names are its names too."""
    public: frozenset[str] | None = None
    """The names of its ``__all__`` when that is a literal list (what a star import of it
    takes), else None (every name not starting with an underscore)."""
    roots: frozenset[str] = frozenset()
    """The packages it imports, and those the project modules it imports import."""
    depends: dict[Path, str] = field(default_factory=dict)
    """The project modules (with their digests) this summary used, directly or through
    theirs: when one of them changes, so may this summary. (A dict, not pairs: a run keeps
    every summary, and one object per module is fewer for the garbage collector.)"""
    fixtures: dict[str, FixtureSummary] = field(default_factory=dict)
    """For a ``conftest.py``: its fixtures and the pytest hooks run before tests, by name."""
    seeds: frozenset[str] = frozenset()
    """For a ``conftest.py``: the global random generators its module-level code seeds."""


@dataclass(frozen=True)
class ImportScan:
    """The modules a file's import lines name (see :meth:`ProjectIndex.imports`)."""

    digest: str
    roots: frozenset[str]
    """The top-level packages of its absolute imports."""
    modules: tuple[str, ...]
    """Every module it imports, relative ones with their leading dots."""


#: ``import a.b as c, d`` / ``from .x import y``, a line: the module names.
_IMPORTED = re.compile(
    r"[ \t]*(?:import[ \t]+([\w. \t,]+?)[ \t]*(?:#.*)?\r?$|from[ \t]+(\.*[\w.]*)[ \t]+import\b)"
)


#: A star import, even split over lines (``from x import \\`` then ``*``).
_STAR_IMPORT = re.compile(r"\bimport[\s\\]*\*")


def _imported(text: str) -> list[str]:
    """The modules the import lines of ``text`` name (``a.b as c, d``, ``.x``): the lines
    holding the word ``import`` matched one by one (a pattern tried at every line start
    of the text costs ten times as much)."""
    found: list[str] = []
    start = text.find("import")
    while start != -1:
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        match = _IMPORTED.match(text, begin, end)
        if match is not None:
            found.append(match[1] or match[2])
        start = text.find("import", end)
    return found


Summarize = Callable[["ProjectIndex", Path, bytes], "ModuleSummary | None"]
"""Parses and walks one module into its summary (the engine provides it)."""

Symbol = FunctionSummary | ClassSummary | Kind


class ProjectIndex:
    """The project modules of one project root, and their summaries."""

    def __init__(self, root: Path, summarize: Summarize) -> None:
        self.root = root
        self.summarize = summarize
        # Shared by the indexes of every root: a module's summary is the same whoever
        # imports it (and a folder without a project marker is a root of its own).
        self._summaries = _SUMMARIES
        self._stamps = _STAMPS
        self._digests = _DIGESTS
        self._busy = _BUSY
        self._scans = _SCANS
        self._found: dict[tuple[str, str], Path | None] = {}
        self._root = str(root)
        self._declaring: Path | None = None

    # ---------------------------------------------------------------- finding
    def module_path(self, importer: Path, dotted: str) -> Path | None:
        """The file of the project module ``dotted`` (leading dots: relative to
        ``importer``'s package), or None when it is no module of the project."""
        folder = os.path.dirname(importer)
        key = (folder, dotted)
        if key in self._found:
            found = self._found[key]
        else:
            found = self._found[key] = self._locate(folder, dotted, importer)
        if (
            found is not None
            and found.name == os.path.basename(importer)
            and _real(found) == _real(importer)
        ):
            # ``import deepspeed`` in ``strategies/deepspeed.py``: the library's, which the
            # module's name shadows only when run as a script (and then by mistake).
            return None
        return found

    def _locate(self, folder: str, dotted: str, importer: Path) -> Path | None:
        level = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted[level:].split(".") if p]
        if level:
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            bases = [folder]
        else:
            bases = list(dict.fromkeys([folder, self._root, os.path.join(self._root, "src")]))
        for base in bases:
            *packages, last = parts or [""]
            place = os.path.join(base, *packages)
            if any(
                package not in _entries(os.path.join(base, *packages[:i]))
                for i, package in enumerate(packages)
            ):
                continue
            names = _entries(place)
            if parts and f"{last}.py" in names:
                path = Path(place, f"{last}.py")
            elif (not parts or last in names) and "__init__.py" in _entries(
                os.path.join(place, last)
            ):
                path = Path(place, last, "__init__.py")
            else:
                continue
            if _inside(path, self.root, importer):
                return path
        return None

    def resolve(
        self, importer: Path, qualname: str, used: dict[Path, str]
    ) -> tuple[ModuleSummary, list[str]] | None:
        """The project module ``qualname`` names or is in, and the attribute path left in
        it (``utils.read_pickles`` -> (summary of utils.py, ["read_pickles"])); the modules
        this took go into ``used``."""
        level = len(qualname) - len(qualname.lstrip("."))
        parts = qualname[level:].split(".")
        for cut in range(len(parts), -1, -1):
            if not cut and not level:
                break
            path = self.module_path(importer, "." * level + ".".join(parts[:cut]))
            if path is not None:
                summary = self.summary(path)
                if summary is None:
                    return None
                used[summary.path] = summary.digest
                used.update(summary.depends)
                return summary, parts[cut:]
        return None

    def symbol(
        self, importer: Path, qualname: str, used: dict[Path, str], depth: int = 0
    ) -> Symbol | None:
        """What ``qualname`` (as imported in ``importer``) is in the project: a function,
        a class, or the kind of a module-level name; re-exports followed."""
        found = self.resolve(importer, qualname, used)
        if found is None or depth > 8:
            return None
        summary, rest = found
        if not rest:
            return None
        head, tail = rest[0], rest[1:]
        if head in summary.imports:  # a re-export: follow it from that module
            target = summary.imports[head]
            return self.symbol(summary.path, ".".join([target, *tail]), used, depth + 1)
        if not tail:
            symbol: Symbol | None = summary.functions.get(head) or summary.classes.get(head)
            return symbol or summary.names.get(head)
        klass = summary.classes.get(head)
        if klass is not None and len(tail) == 1:
            return klass.methods.get(tail[0])
        return None

    def function(
        self, importer: Path, qualname: str, used: dict[Path, str], depth: int = 0
    ) -> tuple[ModuleSummary, str] | None:
        """The module-level function ``qualname`` (as imported in ``importer``) names in the
        project: the module that defines it and its name there; re-exports followed."""
        found = self.resolve(importer, qualname, used)
        if found is None or depth > 8 or len(found[1]) != 1:
            return None
        summary, (name,) = found
        target = summary.imports.get(name)
        if target is not None:  # a re-export: follow it from that module
            return self.function(summary.path, target, used, depth + 1)
        return (summary, name) if name in summary.functions else None

    def star_name(
        self, importer: Path, module: str, name: str, used: dict[Path, str], seen: set[Path]
    ) -> tuple[str, bool] | None:
        """See :meth:`ProjectView.star_name`: the qualified name, and whether it is a
        library's (``seen``: the modules looked in already)."""
        path = self.module_path(importer, module)
        if path is not None:
            digest = self._lacks(path, name)
            if digest is not None:  # it exports no ``name``, as its text shows: no summary
                used[_real(path)] = digest
                return None
        found = self.resolve(importer, module, used)
        if found is None or found[1] or found[0].path in seen:
            return None
        summary = found[0]
        seen.add(summary.path)
        exported = summary.public
        if name.startswith("_") or (exported is not None and name not in exported):
            return None
        target = summary.imports.get(name)
        if target is not None and not target.startswith("."):
            if self.module_path(summary.path, target.split(".")[0]) is None:
                return target, True  # a library's object, imported there
        own = (summary.functions, summary.classes, summary.names)
        if target is not None or any(name in table for table in own):
            return f"{module}.{name}", False
        for star in summary.stars:
            inner = self.star_name(summary.path, star, name, used, seen)
            if inner is not None:
                return inner if inner[1] else (f"{module}.{name}", False)
        return None

    def _lacks(self, path: Path, name: str) -> str | None:
        """The digest of the module at ``path`` when its text alone shows that it binds no
        ``name`` (the word is not in it) and star-imports nothing, so that its summary
        could not export ``name`` either; None otherwise, and for a module summarised
        already (its summary answers as cheaply). A summary's names are all words of the
        text, after NFKC normalisation as in the parser."""
        path = _real(path)
        stamp = _stamp(path)
        if stamp is None or self._stamps.get(path) == stamp:
            return None
        known = _LACKS.get((path, name))
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            data = read_bytes(path)  # a FIFO or a device is refused, not waited on
            text = decode_source(data)
        except FileError:
            return None
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        lacks = _STAR_IMPORT.search(text) is None and not has_identifier(text, name)
        digest = hashlib.sha256(data).hexdigest() if lacks else None
        _LACKS[(path, name)] = (stamp, digest)
        return digest

    def imports(self, path: Path) -> ImportScan | None:
        """What ``path`` imports, from its import lines alone (no parse: it only decides
        which rules a file importing it needs); kept by size and time."""
        path = _real(path)
        stamp = _stamp(path)
        if stamp is None:
            return None
        found = self._scans.get(path)
        if found is not None and found[0] == stamp:
            return found[1]
        try:
            data = read_bytes(path)  # a FIFO or a device is refused, not waited on
        except FileError:
            return None
        text = data.decode("utf-8", "replace")
        modules = _imported(text)
        names = [n.strip().split()[0] for m in modules for n in m.split(",") if n.strip()]
        scan = ImportScan(
            hashlib.sha256(data).hexdigest(),
            frozenset(n.split(".")[0] for n in names if not n.startswith(".")),
            tuple(names),
        )
        self._scans[path] = (stamp, scan)
        return scan

    def libraries_of(self, path: Path) -> tuple[frozenset[str], dict[Path, str]]:
        """The packages ``path`` imports, directly or through the project modules it
        imports (from their import lines), and those modules with their digests."""
        path = _real(path)
        scan = self.imports(path)
        known = _CLOSURES.get(path)
        if scan is not None and known is not None and known[0] == scan.digest:
            return known[1], known[2]
        roots: set[str] = set()
        used: dict[Path, str] = {}
        todo = [path]
        while todo:
            module = todo.pop()
            if module in used:
                continue
            found = self.imports(module)
            if found is None:
                continue
            known = _CLOSURES.get(module)
            if known is not None and known[0] == found.digest and module != path:
                roots |= known[1]  # its closure is known whole: nothing to follow
                used.update(known[2])
                continue
            used[module] = found.digest
            roots |= found.roots
            for name in found.modules:
                target = self.module_path(module, name)
                if target is not None:
                    todo.append(_real(target))
        if scan is not None:
            _CLOSURES[path] = (scan.digest, frozenset(roots), used)
        return frozenset(roots), used

    def conftest_paths(self, importer: Path) -> list[Path]:
        """The ``conftest.py`` files pytest loads for a test in ``importer``: in its folder
        and in each folder above it up to the project root, nearest first."""
        folder = _real(importer.parent)
        root = _real(self.root)
        folders = [folder]
        if folder.is_relative_to(root):
            folders += [p for p in folder.parents if p.is_relative_to(root)]
        return [f / CONFTEST for f in folders if (f / CONFTEST).is_file()]

    def project_files(self) -> tuple[ProjectFile, ...]:
        """The files that declare the project's dependencies and tool settings
        (:func:`mlsmells.declared.project_files`: those of the nearest folder from the
        root up that has a project marker or requirements, as for the target versions)."""
        if self._declaring is None:
            self._declaring = declared.project_folder(self.root) or self.root
        return declared.project_files(self._declaring)

    # -------------------------------------------------------------- summaries
    def offer(self, summary: ModuleSummary) -> None:
        """Keep ``summary`` (made by a check of the module's current bytes) unless one is
        kept for those bytes already."""
        path = _real(summary.path)
        if self._digests.get(path) == summary.digest:
            return
        stamp = _stamp(path)
        if stamp is None:
            return
        self._summaries[path] = summary
        self._digests[path] = summary.digest
        self._stamps[path] = stamp

    def summary(self, path: Path) -> ModuleSummary | None:
        path = _real(path)
        if path in self._busy:
            return None  # an import cycle: this end is still being summarised
        stamp = _stamp(path)
        if stamp is None:
            return None
        if self._stamps.get(path) == stamp:
            return self._summaries[path]
        try:
            data = read_bytes(path)  # a FIFO or a device is refused, not waited on
        except FileError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        self._stamps[path] = stamp
        if self._digests.get(path) == digest:
            return self._summaries[path]
        self._busy.add(path)
        try:
            summary = self.summarize(self, path, data)
        finally:
            self._busy.discard(path)
        self._summaries[path] = summary
        self._digests[path] = digest
        return summary


_LISTINGS: dict[str, frozenset[str]] = {}
"""Folder -> the names in it: modules are found by looking names up, not by a ``stat``
of every candidate path (see :func:`forget`)."""


def _entries(folder: str) -> frozenset[str]:
    found = _LISTINGS.get(folder)
    if found is None:
        try:
            found = frozenset(os.listdir(folder or "."))
        except OSError:
            found = frozenset()
        _LISTINGS[folder] = found
    return found


def forget() -> None:
    """Drop what the indexes know of folders and modules (a long-running server calls it
    when files come and go; summaries of changed modules are remade anyway)."""
    _LISTINGS.clear()
    _REAL.clear()
    _ROOTS.clear()
    _CLOSURES.clear()
    for index in _INDEXES.values():
        index._found.clear()
        index._declaring = None  # a requirements file may have come or gone


def _stamp(path: Path) -> tuple[int, int] | None:
    """The size and modification time of the file ``path`` (what the caches of a module are
    kept by), None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _real(path: str | Path) -> Path:
    """``path`` with its links resolved, memoised (:func:`forget` drops them)."""
    key = str(path)
    found = _REAL.get(key)
    if found is None:
        found = _REAL[key] = Path(os.path.realpath(key))
    return found


_REAL: dict[str, Path] = {}


def _inside(path: Path, root: Path, importer: Path) -> bool:
    """A module of the project: under its root or next to the importing file (never a
    link out of it, nor an installed package)."""
    real = _real(path)
    return real.is_relative_to(_real(root)) or real.parent == _real(importer.parent)


def project_root(path: Path) -> Path:
    """The nearest folder above ``path`` holding a project marker, else ``path``'s folder."""
    folder = os.path.dirname(path)
    found = _ROOTS.get(folder)
    if found is None:
        start = _real(folder or ".")
        found = _ROOTS[folder] = next(
            (f for f in (start, *start.parents) if any((f / m).exists() for m in ROOT_MARKERS)),
            start,
        )
    return found


_ROOTS: dict[str, Path] = {}
"""Folder -> the root of its project (the markers are looked up once per folder)."""


class ProjectView:
    """The index as one file sees it: its imports resolved, and the modules that took."""

    def __init__(self, index: ProjectIndex, importer: Path) -> None:
        self.index = index
        self.importer = importer
        self.used: dict[Path, str] = {}
        """Project module -> its digest, for every module the file's kinds came from."""
        self._symbols: dict[str, Symbol | None] = {}
        self._stars: dict[tuple[str, str], str | None] = {}
        self._heads: dict[str, bool] = {}

    def symbol(self, qualname: str) -> Symbol | None:
        if qualname not in self._symbols:
            self._symbols[qualname] = self.index.symbol(self.importer, qualname, self.used)
        return self._symbols[qualname]

    def function(self, qualname: str) -> tuple[ModuleSummary, str] | None:
        """See :meth:`ProjectIndex.function` (for a name the file imports)."""
        return self.index.function(self.importer, qualname, self.used)

    def star_name(self, module: str, name: str) -> str | None:
        """The qualified name that ``from <module> import *`` binds ``name`` to, when the
        project module ``module`` (or a module it star-imports in turn) has it: its own
        ``module.name``, or the library object it imported under that name (a package
        whose ``__init__`` star-imports a module that does ``import torch`` gives ``torch``).
        None when it has no such name."""
        key = (module, name)
        if key not in self._stars:
            found = self.index.star_name(self.importer, module, name, self.used, set())
            self._stars[key] = found[0] if found is not None else None
        return self._stars[key]

    def libraries(self, roots: set[str], relative: set[str]) -> set[str]:
        """``roots`` (the packages a file imports) and the packages that the project
        modules among them and its ``relative`` imports import in turn: a file that only
        imports ``utils`` works with pandas objects when ``utils`` does."""
        found = set(roots)
        for name in roots | relative:
            path = self.index.module_path(self.importer, name)
            if path is not None:
                libraries, used = self.index.libraries_of(path)
                found |= libraries
                self.used.update(used)
        return found

    def conftests(self) -> list[ModuleSummary]:
        """The summaries of the ``conftest.py`` files that apply to this file, nearest
        first (see :meth:`ProjectIndex.conftest_paths`)."""
        found: list[ModuleSummary] = []
        for path in self.index.conftest_paths(self.importer):
            summary = self.index.summary(path)
            if summary is not None:
                self.used[summary.path] = summary.digest
                self.used.update(summary.depends)
                found.append(summary)
        return found

    def declares(self, *words: str) -> bool:
        """Whether a file declaring the project's dependencies or tool settings (see
        :meth:`ProjectIndex.project_files`) mentions one of ``words`` (case ignored)."""
        wanted = [word.lower() for word in words]
        mentioned = False
        for file in self.index.project_files():
            self.used[file.path] = file.digest
            lowered = file.text.lower()
            mentioned = mentioned or any(word in lowered for word in wanted)
        return mentioned

    def is_project_module(self, qualname: str) -> bool:
        """Whether the first part of ``qualname`` is a module of the project (cheap)."""
        if qualname.startswith("."):
            return True
        head = qualname.partition(".")[0]
        found = self._heads.get(head)
        if found is None:
            found = self._heads[head] = self.index.module_path(self.importer, head) is not None
        return found


def dependency_order(paths: Sequence[Path], summarize: Summarize) -> list[int]:
    """The positions of ``paths`` in an order where a module comes before the files among
    ``paths`` that import it (from the import lines; otherwise the given order): checking
    in that order, each module's summary comes from its own check, and no file needs a
    walk of its own to summarise one (see :meth:`ProjectIndex.offer`)."""
    position = {_real(p): i for i, p in enumerate(paths)}
    order: list[int] = []
    placed: set[int] = set()
    entered: set[int] = set()
    for start in range(len(paths)):
        stack = [(start, False)]
        while stack:
            i, expanded = stack.pop()
            if i in placed:
                continue
            if expanded:
                placed.add(i)
                order.append(i)
                continue
            if i in entered:
                continue  # an import cycle: this one is placed when its first visit ends
            entered.add(i)
            stack.append((i, True))
            path = paths[i]
            if path.suffix != ".py":
                continue
            index = index_for(path, summarize)
            scan = index.imports(path)
            for module in scan.modules if scan is not None else ():
                found = index.module_path(path, module)
                j = position.get(_real(found)) if found is not None else None
                if j is not None and j not in placed and j != i:
                    stack.append((j, False))
    return order


_INDEXES: dict[Path, ProjectIndex] = {}
_SUMMARIES: dict[Path, ModuleSummary | None] = {}
_STAMPS: dict[Path, tuple[int, int]] = {}
"""Module -> (size, mtime) when its summary was made: unchanged, it is not read again (a
changed file is read, and its summary made again only if its bytes differ)."""
_DIGESTS: dict[Path, str] = {}
_BUSY: set[Path] = set()
_SCANS: dict[Path, tuple[tuple[int, int], ImportScan]] = {}
_CLOSURES: dict[Path, tuple[str, frozenset[str], dict[Path, str]]] = {}
_LACKS: dict[tuple[Path, str], tuple[tuple[int, int], str | None]] = {}
"""(module, name) -> (the module's size and time, its digest if it cannot export the name)."""
"""Module -> (its digest, the packages it imports through project modules, those modules
with their digests), while its own bytes stay the same (:func:`forget` drops them)."""


def index_for(path: Path, summarize: Summarize) -> ProjectIndex:
    """The index of the project ``path`` belongs to (one per root and process)."""
    root = project_root(path)
    found = _INDEXES.get(root)
    if found is None:
        found = _INDEXES[root] = ProjectIndex(root, summarize)
    return found
