"""The pylint plugin under the name its users load: ``pylint
--load-plugins=mlsmells.pylint_plugin`` (the plugin is :mod:`mlsmells.frontends.pylint`).

In pylint's process the plugin runs the engine and the rules from their Python source, even
in the release build that compiles them with mypyc (docs/performance.md, "pylint"). A
compiled module can never be freed: the interpreter's first collection at exit sees what
it reaches as alive, and through :mod:`typing` that is every astroid tree pylint built (a
gigabyte on a large project). That collection then frees nothing, and the trees are freed
by later ones: 9 s more at the exit of a 1,000-file run, where compiling saves the plugin
about 1 s. :class:`SourceFirst` is the import hook that picks the source, and it is taken
out of :data:`sys.meta_path` at exit, since it would keep the trees alive the same way.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec
from types import ModuleType


class SourceFirst:
    """A :data:`sys.meta_path` finder that imports the modules under ``package`` from
    their ``.py`` source where a compiled twin stands beside it (the rest it leaves to
    the normal finders)."""

    def __init__(self, package: str) -> None:
        self.prefix = package + "."

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if path is None or not fullname.startswith(self.prefix):
            return None
        leaf = fullname.rpartition(".")[2]
        for entry in path:
            source = os.path.join(entry, leaf + ".py")
            compiled = (os.path.join(entry, leaf + suffix) for suffix in EXTENSION_SUFFIXES)
            if os.path.isfile(source) and any(map(os.path.isfile, compiled)):
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def compiled_loaded(package: str) -> bool:
    """Whether a compiled module of ``package`` is already imported. The source and the
    compiled build must not be mixed in one process: a compiled module calls the others
    compiled with it directly, and those must have been initialised as compiled modules."""
    prefix = package + "."
    return any(
        isinstance(getattr(module, "__loader__", None), ExtensionFileLoader)
        for name, module in list(sys.modules.items())
        if name.startswith(prefix)
    )


def run_from_source(package: str) -> None:
    """Import ``package``'s compiled modules from their source from now on, unless one is
    already imported, and until the interpreter exits."""
    if compiled_loaded(package):
        return
    finder = SourceFirst(package)
    sys.meta_path.insert(0, finder)
    atexit.register(_take_out, finder)


def _take_out(finder: SourceFirst) -> None:
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)


run_from_source("mlsmells")

from mlsmells.frontends.pylint import register  # noqa: E402  (after the finder: see above)

__all__ = ["register"]
