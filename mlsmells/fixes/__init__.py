"""``mlsmells fix``: libcst transforms keyed by rule code, and the loop that applies them.

- :mod:`mlsmells.fixes.base`: what a fix is (:class:`~mlsmells.fixes.base.Edit`),
  how a finding is located in the libcst tree, the registry of transforms;
- one module per rule family with the transforms themselves;
- :mod:`mlsmells.fixes.apply`: detect, apply the non-overlapping fixes, repeat;
- :mod:`mlsmells.fixes.files`: reading and atomically writing source files;
- :mod:`mlsmells.fixes.command`: the ``fix`` subcommand (and ``check --fix``).
"""

from __future__ import annotations

from mlsmells.fixes import (  # noqa: F401  (register the transforms)
    leakage,
    numpy,
    opinionated,
    pandas,
    reproducibility,
    sklearn,
    torch,
)
from mlsmells.fixes.apply import AppliedFix, FixResult, fix_source
from mlsmells.fixes.base import TRANSFORMS, Edit, FixContext, transform

__all__ = ["TRANSFORMS", "AppliedFix", "Edit", "FixContext", "FixResult", "fix_source", "transform"]
