"""Every rule fixture: the engine reports exactly the marked lines, and never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsmells import records, registry, runner
from mlsmells.suppression import UNUSED_CODE
from tests.fixture_util import expected, fixture_code, fixture_files

ALL = registry.select_codes(["ALL"])


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_fixture(path: Path) -> None:
    code = fixture_code(path)
    source = path.read_text(encoding="utf-8")
    found = registry.engine(ALL).run_source(source, str(path))
    if code == UNUSED_CODE:  # reported by the runner, after the suppressions
        found = runner.check_source(source, str(path), ALL)
    internal = [d for d in found if d.code == records.INTERNAL_ERROR_CODE]
    assert not internal, internal
    got = {(d.line, d.code) for d in found if d.code == code}
    want = expected(path, code)
    assert got == want, {"missing": sorted(want - got), "unexpected": sorted(got - want)}


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_fixture_has_enough_cases(path: Path) -> None:
    """At least 8 true positives per rule fixture (negatives are checked by review)."""
    assert len(expected(path, fixture_code(path))) >= 8
