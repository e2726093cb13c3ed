"""The rule table is consistent: codes, messages, pylint ids, symbols, docs, fixtures."""

from __future__ import annotations

import dataclasses
import importlib
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


#: The pylint message number (the last two digits) of every code, frozen: a code keeps
#: its number forever and a number is never given to another code. The first rules
#: followed an arithmetic scheme (hundreds * 10 + rest for ML0xx-ML3xx, 40 + rest for
#: ML4xx, 60 + rest for ML5xx, 80 + rest for ML9xx); the families added later did not fit
#: it, so a new code takes the number chosen for it here (a free one, next to its family
#: where there is room).
FROZEN_PYLINT_NUMBERS = {
    **{f"ML00{n}": n for n in range(1, 6)},
    **{f"ML10{n}": 10 + n for n in range(1, 6)},
    **{f"ML20{n}": 20 + n for n in range(1, 10)},
    "ML301": 31, "ML302": 32,
    **{f"ML4{n:02}": 40 + n for n in range(1, 18)},  # ML414-ML417: 54-57
    "ML501": 61,
    "ML701": 71,
    "ML801": 65, "ML802": 66, "ML803": 67,
    "ML811": 75, "ML812": 76,
    **{f"ML9{n:02}": 80 + n for n in range(1, 15)},
    "ML919": 99,
}  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_pylint_id_follows_the_frozen_mapping(rule: Rule) -> None:
    assert rule.code in FROZEN_PYLINT_NUMBERS, "give the new code a free number above"
    assert int(rule.pylint_id[3:]) == FROZEN_PYLINT_NUMBERS[rule.code]


def test_frozen_pylint_numbers_are_unique() -> None:
    numbers = list(FROZEN_PYLINT_NUMBERS.values())
    assert len(numbers) == len(set(numbers))
    assert 0 not in numbers  # F7600 is the internal error


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


def test_rule_facts_are_made_from_the_records() -> None:
    """What a run served from the cache reads instead of the rule modules' records."""
    from mlsmells import docs

    assert registry.FACTS == {rule.code: rule.facts for rule in RULES}
    assert list(registry.FACTS) == list(registry.RULES)
    generated = (ROOT / docs.RULE_FACTS).read_text(encoding="utf-8")
    assert generated == docs.render_rule_facts(RULES), "run `python scripts/gen_docs.py`"
    assert registry.tests_only_codes() == {r.code for r in RULES if r.tests_only}


def test_a_fix_without_its_decision_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """``check`` marks what ``mlsmells fix`` fixes from each rule's decision (``FIXABLE``):
    a rule module with a fix must give one."""
    module = importlib.import_module("mlsmells.rules.torch.ml401_torch_load_unsafe")
    monkeypatch.delattr(module, "FIXABLE")
    with pytest.raises(ValueError, match="FIXABLE"):
        registry._load()


def test_rule_facts_that_disagree_with_the_records_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = RULES[0]
    wrong = {**registry.FACTS, first.code: dataclasses.replace(first.facts, name="x")}
    monkeypatch.setattr(registry, "FACTS", wrong)
    with pytest.raises(ValueError, match="gen_docs.py"):
        registry._load()
    assert registry.records_in_modules() == registry.RULES
