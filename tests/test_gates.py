"""The text gates of the checks (:attr:`Visitor.words`, :meth:`Visitor.runs_on`) only skip
work: a file without a check's words gives that check no finding either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsmells import registry, sources
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Visitor, has_identifier

FIXTURES = Path(__file__).parent / "fixtures"


def _gated() -> list[type[Visitor]]:
    """The checks with a text gate: words, or a test of their own."""
    return [
        c
        for c in registry.CHECKS
        if c.words is not None
        or any("runs_on" in vars(k) for k in c.__mro__[: c.__mro__.index(Visitor)])
    ]


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
    assert {"ML001", "ML401", "ML402", "ML407", "ML409", "ML414", "ML415", "ML801"} <= codes
    assert {"ML905", "ML906", "ML907", "ML908", "ML909", "ML910", "ML913"} <= codes


def test_a_gate_never_changes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every fixture file, each a look-alike for the rules it is not about: with and without
    # the gates, the same findings.
    paths = sorted(FIXTURES.rglob("*.py"))
    gated = _findings(paths)
    for check in _gated():
        monkeypatch.setattr(check, "runs_on", classmethod(lambda cls, roots, text: True))
    ungated = _findings(paths)
    assert gated == ungated
    assert sum(map(len, gated.values())) > 500  # (the fixtures were read)


def test_a_file_without_the_words_skips_the_check() -> None:
    text = "import torch\n\nfor x in data:\n    out = model(x)\n"
    by_name = {c.__name__: c for c in _gated()}
    assert not by_name["ZeroGradMissing"].runs_on({"torch"}, text)
    assert by_name["ZeroGradMissing"].runs_on({"torch"}, text + "out.backward()\n")


def test_a_word_containing_another_is_not_searched_again() -> None:
    by_name = {c.__name__: c for c in _gated()}
    assert by_name["FunctionalDropoutAlwaysOn"].words == ("dropout",)


@pytest.mark.parametrize(
    ("text", "attribute", "found"),
    [
        ("torch.log(p)", False, True),
        ("x.log()", False, True),
        ("log", False, True),
        ("import logging\nlogger = 1\nself.blog(x)", False, False),
        ("catalog_log_x = 1; log_x(2)", False, False),
        ("opt.step()", True, True),
        ("opt. \\\n  step()", True, True),
        ("def training_step(self): step = 1", True, False),
        ("opt.stepper()", True, False),
    ],
)
def test_has_identifier(text: str, attribute: bool, found: bool) -> None:
    name = "step" if attribute else "log"
    assert has_identifier(text, name, attribute) is found


@pytest.mark.parametrize("text", ["from sklearn import *\n", "# a comment\n", ""])
def test_no_text_holds_the_empty_identifier(text: str) -> None:
    # (searching for "" once looped forever on a text starting with an identifier)
    assert not has_identifier(text, "") and not has_identifier(text, "", attribute=True)


def test_a_removed_module_reached_through_a_star_import_is_reported() -> None:
    # ML501 asks whether a removed name's replacement is taken: a module has none.
    source = "from sklearn import *\nfolds = cross_validation.KFold(10)\n"
    found = registry.engine(frozenset({"ML501"})).run_source(source, "script.py")
    assert [(d.line, d.code) for d in found] == [(2, "ML501")]


def test_a_call_filter_never_changes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checks that declare the callees they act on (Visitor.call_names) are handed only
    # those calls: on every fixture, the same findings as when they see every call.
    filtered = [c for c in registry.CHECKS if c.call_names is not None]
    assert {"ML101", "ML401", "ML414"} <= {code for c in filtered for code in c.codes}
    paths = sorted(FIXTURES.rglob("*.py"))
    before = _findings(paths)
    for check in filtered:
        monkeypatch.setattr(check, "call_names", None)
    assert _findings(paths) == before


def test_a_name_filter_never_changes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checks of names and attributes that declare the last names they act on
    # (Visitor.names) see only those, and the imported names whose qualified name ends
    # so: on every fixture, the same findings as when they see every name.
    filtered = [c for c in registry.CHECKS if c.names is not None]
    assert {"ML102", "ML301", "ML412", "ML501"} <= {code for c in filtered for code in c.codes}
    paths = sorted(FIXTURES.rglob("*.py"))
    before = _findings(paths)
    for check in filtered:
        monkeypatch.setattr(check, "names", None)
    assert _findings(paths) == before


def test_a_rule_finds_the_same_alone_as_with_every_other_rule() -> None:
    """What one check asks of the model (a kind, a value) may take another walk of a
    function; what a rule finds must not depend on the checks that run beside it."""
    paths = sorted(FIXTURES.rglob("*.py"))
    together = _findings(paths)
    codes = sorted({d.code for found in together.values() for d in found})
    differ = []
    for code in codes:
        engine = registry.engine(frozenset({code}))
        for path in paths:
            expected = [d for d in together.get(str(path), ()) if d.code == code]
            if not expected and code not in path.read_text(encoding="utf-8", errors="replace"):
                continue  # (cheap: a rule's findings are in its own fixtures' files)
            try:
                source = sources.read_source(path)
                tree = sources.parse(source, str(path))
            except sources.FileError:
                continue
            alone = engine.run(tree, sources.split_lines(source), str(path))
            if alone != expected:
                differ.append((code, path.name))
    assert not differ


def test_a_test_shared_by_a_family_is_asked_once_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # The five leakage checks share LeakageCheck.runs_on: one answer a file serves them all.
    from mlsmells.rules.leakage._analysis import LeakageCheck

    asked: list[type[Visitor]] = []
    own = LeakageCheck.runs_on  # (compiled, a class method has no __func__)

    def counted(cls: type[Visitor], roots: set[str], text: str) -> bool:
        asked.append(cls)
        return own(roots, text)

    monkeypatch.setattr(LeakageCheck, "runs_on", classmethod(counted))
    engine = registry.engine(frozenset({"ML001", "ML002", "ML003", "ML004", "ML005"}))
    leak = (
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n\ndf = pd.read_csv('d.csv')\n"
        "X = StandardScaler().fit_transform(df)\nX_tr, X_te = train_test_split(X)\n"
    )
    found = engine.run_source(leak)
    assert [d.code for d in found] == ["ML001"]
    assert len(asked) == 1
    engine.run_source("import torch\n")  # (no scikit-learn: asked, and no split word either)
    assert len(asked) == 2
