"""Rule documentation rendered from the registry.

``mlsmells rule CODE`` prints :func:`render_rule`; ``scripts/gen_docs.py``
writes :func:`generated_pages` under ``docs/rules/`` and
:func:`render_configuration` (from the configuration model) to
``docs/configuration.md``, and the test suite fails when the files there
differ from what this module renders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import MISSING, fields

from mlsmells import config, config_keys, registry
from mlsmells.records import Family, Fix, Rule

FAMILY_TITLES: dict[Family, str] = {
    Family.LEAKAGE: "ML0xx — data leakage and evaluation",
    Family.REPRODUCIBILITY: "ML1xx — reproducibility",
    Family.PANDAS: "ML2xx — pandas",
    Family.NUMPY: "ML3xx — NumPy",
    Family.TORCH: "ML4xx — PyTorch",
    Family.SKLEARN: "ML5xx — scikit-learn API",
    Family.HUGGINGFACE: "ML7xx — Hugging Face",
    Family.SCRIPTS: "ML8xx — serialization, scripts and tests",
    Family.OPINIONATED: "ML9xx — opinionated, off by default",
}

_FIX_LINE = {
    Fix.NONE: "Fix is not available.",
    Fix.SAFE: "Fix is sometimes available. The fix is safe.",
    Fix.UNSAFE: "Fix is sometimes available. The fix is unsafe: it changes behaviour "
    "(see Fix safety).",
    Fix.MIXED: "Fix is sometimes available. The fix is safe for some shapes and unsafe for "
    "others (see Fix safety).",
}


def _code_block(source: str) -> str:
    return f"```python\n{source.rstrip()}\n```"


def render_rule(rule: Rule) -> str:
    """The Markdown page of one rule (ruff's layout)."""
    if rule.default_enabled:
        default = "default: on"
    else:
        default = (
            f"default: off (opt-in: `--extend-select {rule.code}` for flake8 and "
            f"`mlsmells check`, `--enable={rule.symbol}` for pylint)"
        )
    parts = [
        f"# {rule.name} ({rule.code})",
        _FIX_LINE[rule.fix],
        f"pylint: `{rule.pylint_id}` / `{rule.symbol}` · family: {rule.family.value} · {default}",
    ]
    if rule.tests_only:
        parts.append(
            "Checked in test files only: those the "
            "[`test-files`](../configuration.md#test-files) setting names (by default "
            "`test_*.py`, `*_test.py`, `conftest.py` and every file under a `tests` folder)."
        )
    parts += [
        "## What it does",
        rule.summary,
        "## Why is this bad?",
        rule.rationale,
        "## Example",
        _code_block(rule.bad),
        "Use instead:",
        _code_block(rule.good),
    ]
    if rule.fix is not Fix.NONE:
        parts.append("## Fix safety")
        parts.extend(text for text in (rule.fix_summary, rule.fix_safety) if text)
    if rule.noise:
        parts += ["## Noise", rule.noise]
    parts += [
        "## Suppression",
        f"`# noqa: {rule.code}` (flake8 and `mlsmells check`) or "
        f"`# pylint: disable={rule.symbol}` (pylint and `mlsmells check`) on the reported line.",
    ]
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_index() -> str:
    """``docs/rules/index.md``: every rule, one table per family."""
    parts = [
        "# Rules",
        "Generated from the rule registry by `python scripts/gen_docs.py`; do not edit.",
        "Fix: `safe` fixes keep behaviour, `unsafe` fixes change it (usually the bug fix "
        "itself), `mixed` rules have both; `—` means no fix.",
    ]
    for family, title in FAMILY_TITLES.items():
        rules = [r for r in registry.RULES.values() if r.family is family]
        if not rules:
            continue
        rows = [
            "| Code | Name | pylint | Default | Fix | Summary |",
            "|---|---|---|---|---|---|",
        ]
        for rule in rules:
            fix = "—" if rule.fix is Fix.NONE else rule.fix.value
            default = "on" if rule.default_enabled else "off"
            rows.append(
                f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | `{rule.pylint_id}` "
                f"| {default} | {fix} | {_cell(rule.summary)} |"
            )
        parts += [f"## {title}", "\n".join(rows)]
    return "\n\n".join(parts) + "\n"


README_START = "<!-- rules-table-start -->"
README_END = "<!-- rules-table-end -->"


def render_readme_table() -> str:
    """The rule table the README shows between its two markers."""
    rows = [
        "| Code | Name | Default | Fix | Summary |",
        "|---|---|---|---|---|",
    ]
    for rule in registry.RULES.values():
        fix = "—" if rule.fix is Fix.NONE else rule.fix.value
        default = "on" if rule.default_enabled else "off"
        rows.append(
            f"| [{rule.code}](docs/rules/{rule.code}.md) | `{rule.name}` | {default} | {fix} "
            f"| {_cell(rule.summary)} |"
        )
    return "\n".join(rows)


def with_readme_table(readme: str) -> str:
    """``readme`` with the text between the rule-table markers replaced by the current table."""
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    return readme[:start] + "\n" + render_readme_table() + "\n" + readme[end:]


CONFIGURATION_INTRO = """\
`mlsmells check` and `mlsmells fix` read these keys from the `[tool.mlsmells]` table of the \
nearest `pyproject.toml`, or of the file given with `--config`. The user guide's \
[Configuration](index.md#configuration) section says which file applies, how \
[globs](index.md#globs) match, how each key is [validated](index.md#validation) and how \
[command-line options](index.md#precedence) override the file. flake8 and pylint read their \
own configuration instead: see the settings of the [flake8](flake8.md#settings) and \
[pylint](pylint.md#settings) plugins."""


def _toml_default(value: object, doc: config_keys.KeyDoc) -> str:
    """The model's default ``value`` of a key, written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple) and not value:
        return "{}" if doc.type.startswith("table") else "[]"
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return json.dumps(list(value))
    raise ValueError(f"no TOML spelling for the default {value!r}; give KeyDoc.default")


def configuration_keys() -> list[tuple[str, config_keys.KeyDoc, str]]:
    """(key, documentation, default in Markdown) of every ``[tool.mlsmells]`` key, in order."""
    defaults = {f.name: f.default for f in fields(config.Settings) if f.default is not MISSING}
    missing = [key for key in config._KEYS if key not in config_keys.KEY_DOCS]
    extra = [key for key in config_keys.KEY_DOCS if key not in config._KEYS]
    if missing or extra:
        raise ValueError(f"config_keys.KEY_DOCS out of step with the keys: {missing=} {extra=}")
    keys = []
    for key, (name, _validate) in config._KEYS.items():
        doc = config_keys.KEY_DOCS[key]
        if doc.default is not None:
            default = doc.default
        else:
            default = f"`{_toml_default(defaults[name], doc)}`"
        keys.append((key, doc, default))
    return keys


def render_configuration() -> str:
    """``docs/configuration.md``: every ``[tool.mlsmells]`` key with its type, default and
    meaning, from :class:`mlsmells.config.Settings` and :data:`mlsmells.config_keys.KEY_DOCS`."""
    keys = configuration_keys()
    rows = ["| Key | Type | Default |", "|---|---|---|"]
    rows += [
        f"| [`{key}`](#{key}) | {_cell(doc.type)} | {_cell(default)} |"
        for key, doc, default in keys
    ]
    parts = [
        "# Configuration reference",
        "Generated from the configuration model (`mlsmells/config.py`) by "
        "`python scripts/gen_docs.py`; do not edit.",
        CONFIGURATION_INTRO,
        "\n".join(rows),
    ]
    for key, doc, default in keys:
        parts += [
            f"## `{key}`",
            f"- **Type:** {doc.type}\n- **Default:** {default}",
            doc.description,
            f"```toml\n[tool.mlsmells]\n{key} = {doc.example}\n```",
        ]
    return "\n\n".join(parts) + "\n"


RULE_FACTS = "mlsmells/data/rule_facts.py"
"""Where :func:`render_rule_facts` goes, from the repository's root."""


def render_rule_facts(rules: Iterable[Rule]) -> str:
    """The module of :data:`mlsmells.registry.FACTS`: the facts of ``rules`` (the records)."""
    lines = [
        '"""The facts of every rule that choosing the rules of a run and reporting findings',
        "need (:class:`mlsmells.records.RuleFacts`: code, name, pylint id, fix, enabled by",
        "default, for test files only), generated from the rule modules' records by",
        "`python scripts/gen_docs.py`; do not edit. A run whose results all come from the cache",
        "reads them here instead of importing every rule module; the registry checks them",
        'against the records when it imports those."""',
        "",
        "from mlsmells.records import Fix, RuleFacts",
        "",
        "FACTS: tuple[RuleFacts, ...] = (",
    ]
    for rule in sorted(rules, key=lambda rule: rule.code):
        facts = rule.facts
        lines.append(
            f'    RuleFacts("{facts.code}", "{facts.name}", "{facts.pylint_id}", '
            f"Fix.{facts.fix.name}, {facts.default_enabled}, {facts.tests_only}),"
        )
    return "\n".join([*lines, ")", ""])


def generated_pages() -> dict[str, str]:
    """File name under ``docs/rules/`` -> content, for every generated page."""
    pages = {f"{code}.md": render_rule(rule) for code, rule in registry.RULES.items()}
    pages["index.md"] = render_index()
    return pages


def find_rule(name: str) -> Rule | None:
    """A rule by code (any case), symbol or pylint id."""
    key = name.strip()
    rule = registry.RULES.get(key.upper())
    if rule is not None:
        return rule
    for rule in registry.RULES.values():
        if key in (rule.symbol, rule.name) or key.upper() == rule.pylint_id:
            return rule
    return None
