"""``.gitignore`` and ``.ignore`` files, read as git and ruff read them, for walking directories.

A path found while walking a directory is skipped when the ignore files say so:

- ``.gitignore`` files, and the repository's ``.git/info/exclude``, inside a git
  repository (a directory holding ``.git``, there or above): those of the directory
  holding the path and of every directory above it up to the repository's top;
- ``.ignore`` files (ripgrep's and ruff's), in the same directories (out of a
  repository: up to the root); in one directory they win over its ``.gitignore``.

A deeper file wins over a shallower one, and in one file the last pattern that matches
(``!pattern`` re-includes). As in git, nothing below an ignored directory comes back:
the walk does not enter it. The patterns follow git's rules (:mod:`pathspec`'s
``GitIgnoreSpec``). A file named on the command line is checked whatever these files
say. The setting ``respect-gitignore = false`` (``--no-respect-gitignore``) turns this
off.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

IGNORE_FILES = (".gitignore", ".ignore")
"""Read in this order in each directory: a later file wins."""


def _read_spec(path: Path) -> GitIgnoreSpec | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    from pathspec import GitIgnoreSpec  # (imported by the runs that meet an ignore file)

    return GitIgnoreSpec.from_lines(text.splitlines())


class IgnoreFiles:
    """The ignore files met while walking, read once each."""

    def __init__(self) -> None:
        self._specs: dict[Path, list[GitIgnoreSpec]] = {}
        self._chains: dict[Path, list[tuple[Path, list[GitIgnoreSpec]]]] = {}
        self._repository = lru_cache(maxsize=None)(self._find_repository)

    def _find_repository(self, directory: Path) -> Path | None:
        if (directory / ".git").exists():
            return directory
        parent = directory.parent
        return None if parent == directory else self._repository(parent)  # (memoised)

    def _specs_of(self, directory: Path, repository: Path | None) -> list[GitIgnoreSpec]:
        found = self._specs.get(directory)
        if found is None:
            found = []
            names = IGNORE_FILES if repository is not None else IGNORE_FILES[1:]
            if repository == directory:
                exclude = _read_spec(directory / ".git" / "info" / "exclude")
                if exclude is not None:
                    found.append(exclude)
            for name in names:
                if (directory / name).is_file():
                    spec = _read_spec(directory / name)
                    if spec is not None:
                        found.append(spec)
            self._specs[directory] = found
        return found

    def _chain(self, parent: Path) -> list[tuple[Path, list[GitIgnoreSpec]]]:
        """The directories from the top (the repository's, else the root) down to
        ``parent`` that hold ignore files, with their specs; worked out once per directory."""
        found = self._chains.get(parent)
        if found is None:
            repository = self._repository(parent)
            top = repository if repository is not None else Path(parent.anchor)
            folders = [*reversed([p for p in parent.parents if p.is_relative_to(top)]), parent]
            found = []
            for folder in folders:
                specs = self._specs_of(folder, repository)
                if specs:
                    found.append((folder, specs))
            self._chains[parent] = found
        return found

    def any_in(self, folder: Path) -> bool:
        """Whether some ignore file applies to the paths in ``folder`` (else :meth:`ignored`
        is false for each of them)."""
        return bool(self._chain(Path(os.path.abspath(folder))))

    def ignored(self, path: Path) -> bool:
        """Whether the ignore files of ``path``'s directory and those above it (up to the
        repository's top, else to the root) ignore ``path``."""
        absolute = Path(os.path.abspath(path))
        chain = self._chain(absolute.parent)
        if not chain:
            return False
        is_dir = absolute.is_dir()
        decision: bool | None = None
        for directory, specs in chain:
            relative = absolute.relative_to(directory).as_posix() + ("/" if is_dir else "")
            for spec in specs:
                result = spec.check_file(relative)
                if result.include is not None:
                    decision = result.include
        return bool(decision)
