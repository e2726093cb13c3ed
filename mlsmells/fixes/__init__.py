"""``mlsmells fix``: libcst transforms keyed by rule code, and the loop that applies them.

- :mod:`mlsmells.fixes.base`: what a fix is (:class:`~mlsmells.fixes.base.Edit`),
  how a finding is located in the libcst tree, the registry of transforms;
- one module per rule family with the transforms themselves;
- :mod:`mlsmells.fixes.apply`: detect, apply the non-overlapping fixes, repeat;
- :mod:`mlsmells.fixes.files`: reading and atomically writing source files;
- :mod:`mlsmells.fixes.command`: the ``fix`` subcommand (and ``check --fix``).

Importing this package costs nothing: libcst and the transforms are imported
when first needed (``mlsmells check`` never needs them), by
:func:`load_transforms` or by reading one of the names below from the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlsmells.fixes.apply import AppliedFix, FixResult, fix_source
    from mlsmells.fixes.base import TRANSFORMS, Edit, FixContext, Transform, transform

__all__ = ["TRANSFORMS", "AppliedFix", "Edit", "FixContext", "FixResult", "fix_source", "transform"]

_HOMES = {
    "TRANSFORMS": "base",
    "Edit": "base",
    "FixContext": "base",
    "transform": "base",
    "AppliedFix": "apply",
    "FixResult": "apply",
    "fix_source": "apply",
}
_FAMILIES = ("leakage", "opinionated", "pandas", "reproducibility")


def load_transforms() -> dict[str, Transform]:
    """Import the family modules (each registers its transforms); the registry."""
    for family in _FAMILIES:
        importlib.import_module(f"mlsmells.fixes.{family}")
    from mlsmells.fixes.base import TRANSFORMS

    return TRANSFORMS


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    load_transforms()
    return getattr(importlib.import_module(f"mlsmells.fixes.{home}"), name)
