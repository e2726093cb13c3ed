"""Reading the inline expectations of detection fixtures.

A fixture ``tests/fixtures/rules/MLxxx.py`` marks each line where a finding of
code MLxxx must start with a trailing ``# error: MLxxx`` comment (several codes
separated by commas). Every other line must stay silent for that code.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
#: pylint's options for a run with the mlsmells plugin's default rules only.
PYLINT_MLSMELLS = (
    "--load-plugins=mlsmells.pylint_plugin",
    "--disable=all",
    "--enable=mlsmells",
    "--score=n",
    "--persistent=n",
)
_EXPECT = re.compile(r"#\s*error:\s*(?P<codes>ML\d{3}(?:\s*,\s*ML\d{3})*)")


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("ML[0-9][0-9][0-9]*.py"))


def fixture_code(path: Path) -> str:
    return path.name[:5]


def expected(path: Path, code: str) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for item in match.group("codes").split(","):
                if item.strip() == code:
                    found.add((number, code))
    return found
