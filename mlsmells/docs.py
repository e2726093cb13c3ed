"""Rule documentation rendered from the registry.

``mlsmells rule CODE`` prints :func:`render_rule`; ``scripts/gen_docs.py``
writes :func:`generated_pages` under ``docs/rules/`` and the test suite
fails when the files there differ from what this module renders.
"""

from __future__ import annotations

from mlsmells import registry
from mlsmells.registry import Family, Fix, Rule

FAMILY_TITLES: dict[Family, str] = {
    Family.LEAKAGE: "ML0xx — data leakage and evaluation",
    Family.REPRODUCIBILITY: "ML1xx — reproducibility",
    Family.PANDAS: "ML2xx — pandas",
    Family.NUMPY: "ML3xx — NumPy",
    Family.TORCH: "ML4xx — PyTorch",
    Family.SKLEARN: "ML5xx — scikit-learn API",
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
