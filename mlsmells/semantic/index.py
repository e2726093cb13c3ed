"""The project index: the project's own modules, what an import of one leads to, and a
summary of what each holds, computed lazily and never by running it.

The project of a file is the nearest folder above it holding ``pyproject.toml``,
``setup.cfg``, ``setup.py`` or ``.git`` (none: the file's folder alone). An import
is looked up as Python would find it for a script or a notebook of the project:
in the file's own folder, at the project root and in its ``src/`` folder (relative
imports from the file's package). A module found there is parsed and walked by the
engine, without any rule (:data:`Summarize`), into a :class:`ModuleSummary`: the
kinds its functions and methods return (with their tuples' items), the kinds of
its module-level names, its classes (an ``nn.Module`` or not), and the names it
re-exports. Summaries are cached by the content of the file; a module that imports
itself back (an import cycle) sees the other end as unknown.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlsmells.semantic.kinds import Kind

#: Files that mark the root of a project.
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


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
    depends: tuple[tuple[Path, str], ...] = ()
    """The project modules (with their digests) this summary used, directly or through
    theirs: when one of them changes, so may this summary."""


Summarize = Callable[["ProjectIndex", Path, bytes], "ModuleSummary | None"]
"""Parses and walks one module into its summary (the engine provides it)."""

Symbol = FunctionSummary | ClassSummary | Kind


class ProjectIndex:
    """The project modules of one project root, and their summaries."""

    def __init__(self, root: Path, summarize: Summarize) -> None:
        self.root = root
        self.summarize = summarize
        self._summaries: dict[Path, ModuleSummary | None] = {}
        self._stamps: dict[Path, tuple[int, int]] = {}
        """Module -> (size, mtime) when its summary was made: unchanged, it is not read
        again (a changed file is read and its summary remade only if its bytes differ)."""
        self._digests: dict[Path, str] = {}
        self._busy: set[Path] = set()
        self._found: dict[tuple[Path, str], Path | None] = {}

    # ---------------------------------------------------------------- finding
    def search_path(self, importer: Path) -> list[Path]:
        folders = [importer.parent, self.root, self.root / "src"]
        return list(dict.fromkeys(folders))

    def module_path(self, importer: Path, dotted: str) -> Path | None:
        """The file of the project module ``dotted`` (leading dots: relative to
        ``importer``'s package), or None when it is no module of the project."""
        key = (importer.parent, dotted)
        if key in self._found:
            return self._found[key]
        found = self._locate(importer, dotted)
        self._found[key] = found
        return found

    def _locate(self, importer: Path, dotted: str) -> Path | None:
        level = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted[level:].split(".") if p]
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = self.search_path(importer)
        for base in bases:
            candidate = base.joinpath(*parts) if parts else base
            files = [candidate.with_suffix(".py")] if parts else []
            for path in [*files, candidate / "__init__.py"]:
                if path.is_file() and _inside(path, self.root, importer):
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

    def star_name(
        self, importer: Path, module: str, name: str, used: dict[Path, str], seen: set[Path]
    ) -> tuple[str, bool] | None:
        """See :meth:`ProjectView.star_name`: the qualified name, and whether it is a
        library's (``seen``: the modules looked in already)."""
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

    # -------------------------------------------------------------- summaries
    def summary(self, path: Path) -> ModuleSummary | None:
        path = Path(os.path.realpath(path))
        if path in self._busy:
            return None  # an import cycle: this end is still being summarised
        try:
            stat = path.stat()
        except OSError:
            return None
        stamp = (stat.st_size, stat.st_mtime_ns)
        if self._stamps.get(path) == stamp:
            return self._summaries[path]
        try:
            data = path.read_bytes()
        except OSError:
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


def _inside(path: Path, root: Path, importer: Path) -> bool:
    """A module of the project: under its root or next to the importing file (never a
    link out of it, nor an installed package)."""
    real = Path(os.path.realpath(path))
    return real.is_relative_to(os.path.realpath(root)) or real.parent == Path(
        os.path.realpath(importer.parent)
    )


def project_root(path: Path) -> Path:
    """The nearest folder above ``path`` holding a project marker, else ``path``'s folder."""
    start = Path(os.path.realpath(path)).parent
    found = _ROOTS.get(start)
    if found is None:
        found = _ROOTS[start] = next(
            (f for f in (start, *start.parents) if any((f / m).exists() for m in ROOT_MARKERS)),
            start,
        )
    return found


_ROOTS: dict[Path, Path] = {}
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

    def symbol(self, qualname: str) -> Symbol | None:
        if qualname not in self._symbols:
            self._symbols[qualname] = self.index.symbol(self.importer, qualname, self.used)
        return self._symbols[qualname]

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
            summary = self.index.summary(path) if path is not None else None
            if summary is not None:
                found |= summary.roots
                self.used[summary.path] = summary.digest
                self.used.update(summary.depends)
        return found

    def is_project_module(self, qualname: str) -> bool:
        """Whether the first part of ``qualname`` is a module of the project (cheap)."""
        if qualname.startswith("."):
            return True
        return self.index.module_path(self.importer, qualname.split(".")[0]) is not None


_INDEXES: dict[Path, ProjectIndex] = {}


def index_for(path: Path, summarize: Summarize) -> ProjectIndex:
    """The index of the project ``path`` belongs to (one per root and process)."""
    root = project_root(path)
    found = _INDEXES.get(root)
    if found is None:
        found = _INDEXES[root] = ProjectIndex(root, summarize)
    return found
