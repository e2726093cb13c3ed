"""Rule records of the opinionated family."""

from __future__ import annotations

from mlsmells.registry import Rule

RULES: tuple[Rule, ...] = ()
