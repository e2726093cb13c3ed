"""Rule records of the sklearn family."""

from __future__ import annotations

from mlsmells.registry import Rule

RULES: tuple[Rule, ...] = ()
