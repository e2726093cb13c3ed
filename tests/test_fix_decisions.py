"""The fix decisions the rules make at detection time (``FIXABLE``, no libcst) are what
the fixer does: on every fixture, a finding decided fixable gets an edit of that safety
from its transform (and a suggested fix), one decided not fixable gets none. This is what
keeps ``check``'s ``[*]`` honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlsmells import registry, runner
from mlsmells.config import Settings
from mlsmells.engine.nodes import identifiers
from mlsmells.fixes.apply import _safety
from mlsmells.fixes.base import FixContext
from mlsmells.fixes.suggest import suggest
from mlsmells.records import Fix
from mlsmells.registry import DECISIONS, TRANSFORMS

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "fixtures" / "fix").glob("*.in.py")) + sorted(
    (HERE / "fixtures" / "rules").glob("ML*.py")
)
ALL = frozenset(registry.RULES)


def decision(value: str | None) -> Fix | None:
    return None if value is None else Fix(value)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_decision_is_what_the_fixer_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    findings = [d for d in runner.check_source(text, str(path), ALL) if d.code in TRANSFORMS]
    if not findings:
        pytest.skip("no finding of a rule with a fix")
    ctx = FixContext(text)
    suggested = suggest(text, findings, Settings())
    wrong = []
    for diag in findings:
        said = decision(diag.get(runner.FIX_KEY))
        assert said in (Fix.SAFE, Fix.UNSAFE, Fix.NONE), (diag.line, diag.code)
        edit = TRANSFORMS[diag.code](ctx, diag)
        done = Fix.NONE if edit is None else _safety(diag.code, edit)
        fix = suggested.get(diag)
        shown = Fix.NONE if fix is None else fix.applicability
        if not said == done == shown:
            wrong.append((diag.line, diag.code, said, done, shown))
    assert not wrong


def test_every_rule_with_a_fix_decides() -> None:
    """Each rule with a fix decides, from the finding, whether it applies (``FIXABLE``):
    ``check`` leaves to the fixer only the findings of a file it may not take (above the
    fix size limit, a line made of a lone backslash), documented in docs/cli.md."""
    assert set(DECISIONS) == set(TRANSFORMS)


#: Every way a module names something (for the identifiers of ``check``).
EVERY_NAME = """
import os.path, a.b as ab
from . import sibling
from m import x as y, z
from star import *

@decorator(flag=on)
class Thing(Base, metaclass=Meta):
    attr: int = other.attribute

async def run(p, /, q=1, *args, r, **kwargs):
    global g
    del gone
    async with opener() as (handle, [item]):
        async for element in source:
            pass
    try:
        pass
    except Error as caught:
        pass
    total = [inner for inner in values if (walrus := inner)]
    lam = lambda l_arg, *l_rest: l_arg
    text = f"{formatted!r:{width}}"
    match subject:
        case Point(x=px, y=0) | [first, *others]:
            pass
        case {"k": value, **rest_keys}:
            pass
        case captured:
            pass
    def inner_function():
        nonlocal total
"""


@pytest.mark.parametrize(
    "path", [None, *FIXTURES], ids=lambda p: "snippet" if p is None else p.name
)
def test_the_identifiers_are_the_fixers_names(path: Path | None) -> None:
    """``check``'s names of a module (``Context.uses_name``) are those the fixer's
    ``names_in_module`` finds in libcst's tree, where ``True``, ``False`` and ``None`` are
    names too."""
    text = EVERY_NAME if path is None else path.read_text(encoding="utf-8")
    expected = FixContext(text).names_in_module() - {"True", "False", "None"}
    assert identifiers(ast.parse(text)) == expected
