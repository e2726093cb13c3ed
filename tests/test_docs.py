"""The generated docs (rule pages, configuration reference) are up to date, and say what the
registry and the configuration model say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlsmells import config, config_keys, records, registry
from mlsmells.docs import (
    configuration_keys,
    find_rule,
    generated_pages,
    render_configuration,
    render_rule,
    with_readme_table,
)
from mlsmells.records import Fix

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
STALE = "docs/rules is out of date: run `python scripts/gen_docs.py`"


def test_generated_pages_are_current() -> None:
    pages = generated_pages()
    missing = [name for name in pages if not (DOCS / name).is_file()]
    assert not missing, f"{STALE} (missing: {', '.join(missing)})"
    stale = [name for name, text in pages.items() if (DOCS / name).read_text("utf-8") != text]
    assert not stale, f"{STALE} (stale: {', '.join(stale)})"
    extra = [
        p.name
        for p in DOCS.iterdir()
        if re.fullmatch(r"ML\d{3}\.md", p.name) and p.name not in pages
    ]
    assert not extra, f"{STALE} (no such rule: {', '.join(extra)})"


@pytest.mark.parametrize("rule", list(registry.RULES.values()), ids=lambda r: r.code)
def test_page_layout(rule: records.Rule) -> None:
    page = render_rule(rule)
    assert page.startswith(f"# {rule.name} ({rule.code})\n")
    headings = re.findall(r"^## (.+)$", page, flags=re.M)
    expected = ["What it does", "Why is this bad?", "Example"]
    if rule.fix is not Fix.NONE:
        expected.append("Fix safety")
    if rule.noise:
        expected.append("Noise")
    expected.append("Suppression")
    assert headings == expected
    assert f"`{rule.pylint_id}` / `{rule.symbol}`" in page
    assert ("Fix is not available." in page) == (rule.fix is Fix.NONE)
    assert ("default: on" in page) == rule.default_enabled
    assert rule.bad.rstrip() in page and rule.good.rstrip() in page
    if rule.fix_safety:
        assert rule.fix_safety in page


def test_readme_rule_table_is_current() -> None:
    readme = (DOCS.parent.parent / "README.md").read_text(encoding="utf-8")
    assert with_readme_table(readme) == readme, "README rule table is stale: " + STALE


def test_index_lists_every_rule() -> None:
    index = generated_pages()["index.md"]
    for code in registry.RULES:
        assert f"[{code}]({code}.md)" in index


def test_find_rule_by_code_symbol_or_pylint_id() -> None:
    rule = next(iter(registry.RULES.values()))
    for key in (rule.code, rule.code.lower(), rule.symbol, rule.pylint_id, rule.pylint_id.lower()):
        assert find_rule(key) is rule
    assert find_rule("ML999x") is None


def test_configuration_page_is_current() -> None:
    page = (DOCS.parent / "configuration.md").read_text(encoding="utf-8")
    assert page == render_configuration(), (
        "docs/configuration.md is out of date: run `python scripts/gen_docs.py`"
    )


def test_every_configuration_key_is_documented_in_order() -> None:
    assert list(config_keys.KEY_DOCS) == list(config._KEYS)
    headings = re.findall(r"^## `(.+)`$", render_configuration(), flags=re.M)
    assert headings == list(config._KEYS)


@pytest.mark.parametrize("key", list(config_keys.KEY_DOCS))
def test_configuration_example_is_valid(key: str) -> None:
    settings = config.settings_from_table(
        config.tomllib.loads(f"{key} = {config_keys.KEY_DOCS[key].example}")
    )
    assert settings != config.Settings()


def test_configuration_defaults_come_from_the_model() -> None:
    defaults = {key: default for key, _doc, default in configuration_keys()}
    assert defaults["seed"] == f"`{config.Settings().seed}`"
    assert defaults["unsafe-fixes"] == "`false`"
    assert defaults["ignore"] == "`[]`"
    assert defaults["per-file-ignores"] == "`{}`"
    assert all(f"`{name}`" in defaults["exclude"] for name in config.DEFAULT_EXCLUDE)
