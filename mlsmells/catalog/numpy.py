"""Rule records of the numpy family."""

from __future__ import annotations

from mlsmells.registry import Rule

RULES: tuple[Rule, ...] = ()
