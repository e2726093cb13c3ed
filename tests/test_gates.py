"""The text gates of the checks (:attr:`Visitor.words`, :meth:`Visitor.runs_on`) only skip
work: a file without a check's words gives that check no finding either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsmells import registry, sources
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Visitor

FIXTURES = Path(__file__).parent / "fixtures"


def _gated() -> list[type[Visitor]]:
    return [c for c in registry.CHECKS if c.words is not None]


def _findings(paths: list[Path]) -> dict[str, list[Diagnostic]]:
    engine = registry.engine(registry.select_codes(["ALL"]))
    found: dict[str, list[Diagnostic]] = {}
    for path in paths:
        try:
            source = sources.read_source(path)
            tree = sources.parse(source, str(path))
        except sources.FileError:
            continue
        found[str(path)] = engine.run(tree, sources.split_lines(source), str(path))
    return found


def test_the_gated_checks_are_the_expected_ones() -> None:
    codes = {code for check in _gated() for code in getattr(check, "codes", ())}
    assert {"ML401", "ML402", "ML407", "ML409", "ML415", "ML801", "ML803"} <= codes


def test_a_gate_never_changes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every fixture file, each a look-alike for the rules it is not about: with and without
    # the gates, the same findings.
    paths = sorted(FIXTURES.rglob("*.py"))
    gated = _findings(paths)
    for check in _gated():
        monkeypatch.setattr(check, "words", None)
    ungated = _findings(paths)
    assert gated == ungated
    assert sum(map(len, gated.values())) > 500  # (the fixtures were read)


def test_a_file_without_the_words_skips_the_check() -> None:
    text = "import torch\n\nfor x in data:\n    out = model(x)\n"
    by_name = {c.__name__: c for c in _gated()}
    assert not by_name["ZeroGradMissing"].runs_on({"torch"}, text)
    assert by_name["ZeroGradMissing"].runs_on({"torch"}, text + "out.backward()\n")
