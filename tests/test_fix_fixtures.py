"""Fix fixtures: ``tests/fixtures/fix/<stem>.in.py`` and the expected results.

``<stem>`` starts with the rule code. ``<stem>.out.py`` is the expected text
after the default run (safe fixes only; missing: the run must change
nothing), ``<stem>.unsafe.out.py`` after a run with unsafe fixes (missing:
the same as the default run). The registry's safety decides which files
must exist: a safe fix changes the default run and has no separate unsafe
result, an unsafe fix changes only the unsafe run, a mixed fix has both.
Each fixture also holds the cases its fix must leave alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.fixes.apply import fix_source
from mlsmells.records import Fix
from mlsmells.registry import TRANSFORMS

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
INPUTS = sorted(FIXTURES.glob("ML[0-9][0-9][0-9]*.in.py"))


def _stem(path: Path) -> str:
    return path.name[: -len(".in.py")]


def _expected(path: Path) -> tuple[str, str]:
    """(after the default run, after the unsafe run)."""
    source = path.read_text(encoding="utf-8")
    safe_path = path.with_name(_stem(path) + ".out.py")
    unsafe_path = path.with_name(_stem(path) + ".unsafe.out.py")
    safe = safe_path.read_text(encoding="utf-8") if safe_path.exists() else source
    unsafe = unsafe_path.read_text(encoding="utf-8") if unsafe_path.exists() else safe
    return safe, unsafe


def _run(source: str, code: str, unsafe: bool) -> str:
    result = fix_source(source, "fixture.py", frozenset({code}), unsafe=unsafe)
    assert result.error is None, result.error
    return result.source


@pytest.mark.parametrize("path", INPUTS, ids=_stem)
def test_default_run(path: Path) -> None:
    code = _stem(path)[:5]
    safe, _ = _expected(path)
    assert _run(path.read_text(encoding="utf-8"), code, unsafe=False) == safe


@pytest.mark.parametrize("path", INPUTS, ids=_stem)
def test_unsafe_run(path: Path) -> None:
    code = _stem(path)[:5]
    _, unsafe = _expected(path)
    assert _run(path.read_text(encoding="utf-8"), code, unsafe=True) == unsafe


@pytest.mark.parametrize("path", INPUTS, ids=_stem)
def test_fixed_output_is_a_fixed_point(path: Path) -> None:
    code = _stem(path)[:5]
    safe, unsafe = _expected(path)
    assert _run(safe, code, unsafe=False) == safe
    assert _run(unsafe, code, unsafe=True) == unsafe


@pytest.mark.parametrize("path", INPUTS, ids=_stem)
def test_files_match_the_registry_safety(path: Path) -> None:
    """A safe fix needs no unsafe run; an unsafe one must not change the default run."""
    code = _stem(path)[:5]
    source = path.read_text(encoding="utf-8")
    safe, unsafe = _expected(path)
    fix = registry.get(code).fix
    assert fix is not Fix.NONE
    if fix is Fix.SAFE:
        assert not path.with_name(_stem(path) + ".unsafe.out.py").exists()
    elif fix is Fix.UNSAFE:
        assert safe == source


@pytest.mark.parametrize("path", INPUTS, ids=_stem)
def test_unsafe_fixes_are_counted_when_held_back(path: Path) -> None:
    code = _stem(path)[:5]
    source = path.read_text(encoding="utf-8")
    safe, unsafe = _expected(path)
    held = fix_source(source, "fixture.py", frozenset({code})).held_back
    assert (held > 0) == (unsafe != safe)


def test_every_transform_is_a_registered_fix_with_fixtures() -> None:
    changing = {_stem(p)[:5] for p in INPUTS if _expected(p)[1] != p.read_text(encoding="utf-8")}
    for code in TRANSFORMS:
        assert registry.get(code).fix is not Fix.NONE, code
        assert code in changing, f"{code} has a transform but no fixture that it changes"


def test_every_rule_with_a_fix_has_a_transform() -> None:
    missing = [c for c, r in registry.RULES.items() if r.fix is not Fix.NONE]
    missing = [c for c in missing if c not in TRANSFORMS]
    assert not missing, f"rules announcing a fix without a transform: {missing}"
