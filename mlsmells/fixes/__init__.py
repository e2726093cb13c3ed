"""``mlsmells fix``: the machinery that applies the rules' fixes; no rule's own code.

Each rule module holds its fixes (its ``FIXES``; :data:`mlsmells.registry.TRANSFORMS`
gathers them). Here:

- :mod:`mlsmells.fixes.base`: what a fix is (:class:`~mlsmells.fixes.base.Edit`), how
  a finding is located in the libcst tree, and the libcst helpers the fixes share;
- :mod:`mlsmells.fixes.apply`: detect, apply the non-overlapping fixes, repeat;
- :mod:`mlsmells.fixes.suggest`: each finding's fix on its own, for JSON and SARIF;
- :mod:`mlsmells.fixes.files`: reading and atomically writing source files;
- :mod:`mlsmells.fixes.command`: the ``fix`` subcommand (and ``check --fix``).

Importing this package costs nothing: libcst is imported when one of the names
below is first read (``mlsmells check`` never needs it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsmells.fixes.apply import AppliedFix, FixResult, fix_source
    from mlsmells.fixes.base import Edit, FixContext

__all__ = ["AppliedFix", "Edit", "FixContext", "FixResult", "fix_source"]

_HOMES = {
    "Edit": "base",
    "FixContext": "base",
    "AppliedFix": "apply",
    "FixResult": "apply",
    "fix_source": "apply",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"mlsmells.fixes.{home}"), name)
