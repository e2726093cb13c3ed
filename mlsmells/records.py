"""What a rule is: its record (code, names, texts, fix safety) and the enums it uses.

This module imports nothing of mlsmells: rule modules, the engine, the registry and
the front ends all depend on it, and it on none of them.
"""

from __future__ import annotations

import enum
import re
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
    HUGGINGFACE = "huggingface"
    SCRIPTS = "scripts"
    """Serialization, scripts and tests (ML8xx)."""
    OPINIONATED = "opinionated"


class _Named:
    """The names a rule goes by beyond its code and name: its pylint symbol, its page."""

    code: str
    name: str

    @property
    def symbol(self) -> str:
        return f"ml-{self.name}"

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)


@dataclass(frozen=True)
class Rule(_Named):
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
    tests_only: bool = False
    """Checked only in test files (the ``test-files`` setting says which files are)."""

    @property
    def facts(self) -> RuleFacts:
        return RuleFacts(
            self.code, self.name, self.pylint_id, self.fix, self.default_enabled, self.tests_only
        )

    def format(self, *args: object, **kwargs: object) -> str:
        """The full message text, starting with the code."""
        return f"{self.code} {self.message.format(*args, **kwargs)}"


@dataclass(frozen=True)
class RuleFacts(_Named):
    """What choosing the rules of a run and reporting their findings need of a rule: its
    record without the texts. :data:`mlsmells.data.rule_facts.FACTS` holds them, generated
    from the records, so that a run that checks nothing (its results all in the cache)
    need not import the rule modules."""

    code: str
    name: str
    pylint_id: str
    fix: Fix
    default_enabled: bool
    tests_only: bool
