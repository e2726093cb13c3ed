"""Rule records, one module per family; :mod:`mlsmells.registry` joins them into one table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlsmells.records import Rule

_FAMILY_MODULES = (
    "leakage",
    "reproducibility",
    "pandas",
    "opinionated",
)


def all_rules() -> Iterator[Rule]:
    import importlib

    for name in _FAMILY_MODULES:
        module = importlib.import_module(f"mlsmells.catalog.{name}")
        yield from module.RULES
