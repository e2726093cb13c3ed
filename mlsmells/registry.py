"""The rule table: the single source for every front end, the docs and the tests.

The records themselves live in :mod:`mlsmells.catalog`, one module per family,
so that work on different families does not edit the same file; this module
assembles them into one ordered table and answers every question about it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CODE_RE = re.compile(r"^ML\d{3}$")
#: pylint checker id shared by every mlsmells message (51-99 are for plugins; 55 is dslinter's).
PYLINT_CHECKER_ID = "76"
#: The code reported when a rule raised: it names the rule in its message.
INTERNAL_ERROR_CODE = "ML000"
#: pylint id and symbol of ML000 (fatal category, like pylint's own ``astroid-error``).
INTERNAL_ERROR_PYLINT_ID = "F7600"
INTERNAL_ERROR_SYMBOL = "ml-internal-error"
DOCS_URL = "https://github.com/mlsmells/mlsmells/blob/main/docs/rules/{code}.md"


class Fix(enum.Enum):
    """What kind of automatic fix a rule offers."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"
    #: Safe for some shapes (documented renames), unsafe for others.
    MIXED = "mixed"


class Family(str, enum.Enum):
    LEAKAGE = "leakage"
    REPRODUCIBILITY = "reproducibility"
    PANDAS = "pandas"
    NUMPY = "numpy"
    TORCH = "torch"
    SKLEARN = "sklearn"
    OPINIONATED = "opinionated"


@dataclass(frozen=True)
class Rule:
    """One rule of the catalog."""

    code: str
    name: str
    """kebab-case rule name; the pylint symbol is ``ml-<name>``."""
    pylint_id: str
    family: Family
    message: str
    """Message template (``str.format`` fields), without the code prefix."""
    summary: str
    rationale: str
    bad: str
    good: str
    fix: Fix = Fix.NONE
    fix_summary: str = ""
    fix_safety: str = ""
    default_enabled: bool = True
    noise: str = ""
    """For opt-in rules: where they are noisy and why they are off by default."""

    @property
    def symbol(self) -> str:
        return f"ml-{self.name}"

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def format(self, *args: object, **kwargs: object) -> str:
        """The full message text, starting with the code."""
        return f"{self.code} {self.message.format(*args, **kwargs)}"


def _load() -> dict[str, Rule]:
    from mlsmells import catalog

    table: dict[str, Rule] = {}
    for rule in catalog.all_rules():
        if rule.code in table:
            raise ValueError(f"duplicate rule code {rule.code}")
        table[rule.code] = rule
    return dict(sorted(table.items()))


RULES: Mapping[str, Rule] = _load()


def get(code: str) -> Rule:
    return RULES[code]


def by_symbol(symbol: str) -> Rule | None:
    for rule in RULES.values():
        if rule.symbol == symbol:
            return rule
    return None


def default_disabled_prefixes() -> list[str]:
    """Code prefixes that are off unless selected (flake8's ``extend_default_ignore``)."""
    return ["ML9"]


def select_codes(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset[str]:
    """Resolve code prefixes into the set of active codes.

    flake8 semantics: without ``select`` the defaults are active (everything
    but the opt-in ML9xx); an explicit selector, ``extend_select`` included,
    turns opt-in rules on; between a matching select and a matching ignore
    the longer prefix wins, and ignore wins a tie. ``ALL`` matches every code
    as the shortest prefix.
    """
    sel = _normalise(select or [])
    ext = _normalise(extend_select)
    ign = _normalise(ignore)
    active: set[str] = set()
    for code, rule in RULES.items():
        chosen = _match_length(code, sel + ext) if sel else _match_length(code, ext)
        if not sel and chosen is None and rule.default_enabled:
            chosen = 0
        if chosen is None:
            continue
        ignored = _match_length(code, ign)
        if ignored is None or chosen > ignored:
            active.add(code)
    return frozenset(active)


def _normalise(items: Iterable[str]) -> list[str]:
    return [s.strip().upper() for s in items if s.strip()]


def _match_length(code: str, prefixes: Iterable[str]) -> int | None:
    """Length of the longest prefix matching ``code`` (``ALL`` counts as 0)."""
    best: int | None = None
    for prefix in prefixes:
        length = 0 if prefix == "ALL" else len(prefix) if code.startswith(prefix) else None
        if length is not None and (best is None or length > best):
            best = length
    return best


def is_valid_selector(text: str) -> bool:
    text = text.strip().upper()
    return text == "ALL" or bool(re.fullmatch(r"ML\d{0,3}", text))
