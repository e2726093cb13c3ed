"""The rule table is consistent: codes, messages, pylint ids, symbols, docs, fixtures."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from mlsmells import records, registry
from mlsmells.records import Fix, Rule

RULES = list(registry.RULES.values())
ROOT = Path(__file__).resolve().parent.parent


def _ids(rule: Rule) -> str:
    return rule.code


def test_there_are_rules() -> None:
    assert RULES


def test_codes_are_unique_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"ML\d{3}", c) for c in codes)
    assert records.INTERNAL_ERROR_CODE not in codes
    assert list(registry.RULES) == sorted(codes)
    assert all(key == rule.code for key, rule in registry.RULES.items())


def _format_fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_message_starts_with_its_code(rule: Rule) -> None:
    fields = _format_fields(rule.message)
    positional = [f for f in fields if f == "" or f.isdigit()]
    named = {f.split(".")[0].split("[")[0] for f in fields if f and not f.isdigit()}
    message = rule.format(*["x"] * len(positional), **dict.fromkeys(named, "x"))
    assert message.startswith(rule.code + " ")
    assert not rule.message.startswith("ML"), "the template must not repeat the code"


def test_pylint_ids() -> None:
    ids = [r.pylint_id for r in RULES] + [records.INTERNAL_ERROR_PYLINT_ID]
    assert len(ids) == len(set(ids))
    for pylint_id in ids:
        assert re.fullmatch(r"[CRWEF]\d{4}", pylint_id), pylint_id
        assert pylint_id[1:3] == records.PYLINT_CHECKER_ID


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_pylint_id_follows_the_frozen_mapping(rule: Rule) -> None:
    number = int(rule.code[2:])
    hundreds, rest = divmod(number, 100)
    if hundreds <= 3:
        expected = hundreds * 10 + rest
    elif hundreds == 4:
        expected = 40 + rest
    elif hundreds == 5:
        expected = 60 + rest
    elif hundreds == 7:
        expected = 54 + rest
    elif hundreds == 8:
        expected = 64 + rest
    else:
        assert hundreds == 9
        expected = 80 + rest
    limits = {4: 14, 7: 10, 8: 16, 9: 20}
    assert rest < limits.get(hundreds, 10)
    assert int(rule.pylint_id[3:]) == expected


def test_symbols() -> None:
    symbols = [r.symbol for r in RULES] + [records.INTERNAL_ERROR_SYMBOL]
    assert len(symbols) == len(set(symbols))
    for symbol in symbols:
        assert re.fullmatch(r"ml-[a-z0-9]+(-[a-z0-9]+)*", symbol), symbol


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_texts_are_present(rule: Rule) -> None:
    assert rule.summary and rule.rationale and rule.bad and rule.good
    if rule.fix is not Fix.NONE:
        assert rule.fix_summary, "a rule with a fix says what the fix does"
    if rule.fix in (Fix.UNSAFE, Fix.MIXED):
        assert rule.fix_safety, "an unsafe fix says why it is unsafe"
    if not rule.default_enabled:
        assert rule.code.startswith("ML9") and rule.noise, "an opt-in rule says why it is noisy"
    else:
        assert not rule.code.startswith("ML9")


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_every_rule_has_a_docs_page(rule: Rule) -> None:
    assert (ROOT / "docs" / "rules" / f"{rule.code}.md").is_file()


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_every_rule_has_a_detection_fixture(rule: Rule) -> None:
    assert (ROOT / "tests" / "fixtures" / "rules" / f"{rule.code}.py").is_file()


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_every_rule_is_implemented(rule: Rule) -> None:
    owners = [c for c in registry.CHECKS if rule.code in c.codes]
    assert owners, f"no check reports {rule.code}"


def test_default_selection() -> None:
    default = registry.select_codes()
    assert default == {r.code for r in RULES if r.default_enabled}
    assert registry.select_codes(["ALL"]) == set(registry.RULES)
    assert registry.select_codes(["ML"]) == set(registry.RULES)
