"""Modules imported on first use.

A rule module holds its detector and its fix side by side, but ``mlsmells check``
never fixes: the fix code's libcst (a tenth of a second to import) must not be paid
for by a check. A rule module therefore names libcst and the fix helpers through
:func:`lazy_import`, which registers the module and runs it when one of its
attributes is first read (the standard library's ``importlib.util.LazyLoader``).

A module that names them for the type checker under ``if TYPE_CHECKING:`` binds them
at run time with :func:`bind_lazily`, not in an ``else:`` branch: the type checker takes
that branch for dead code, and so does mypyc, which compiles it to an error (the
release build compiles the rules, see docs/performance.md).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import MutableMapping
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read (at once
    when it is imported already). Its parent packages are imported now."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def bind_lazily(namespace: MutableMapping[str, object], **modules: str) -> None:
    """Bind each name of ``modules`` in ``namespace`` (a module's ``globals()``) to the
    module it names, imported lazily (:func:`lazy_import`)."""
    for name, module in modules.items():
        namespace[name] = lazy_import(module)
