#!/usr/bin/env python3
"""Write the generated documentation: rule pages from the registry, the
configuration reference from the configuration model.

Usage: python scripts/gen_docs.py

Writes mlsmells/data/rule_facts.py (what choosing rules and reporting need
of each record), docs/rules/MLxxx.md for every rule, docs/rules/index.md, the
rule table in README.md and docs/configuration.md (from mlsmells/config.py),
and removes pages of rules that no longer exist. tests/test_docs.py fails
until this has been run after a change to the registry, to the settings or
to mlsmells/docs.py (and the registry refuses rule facts that disagree with
the records).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsmells import registry  # noqa: E402
from mlsmells.docs import (  # noqa: E402
    RULE_FACTS,
    generated_pages,
    render_configuration,
    render_rule_facts,
    with_readme_table,
)

RULE_PAGE = re.compile(r"^ML\d{3}\.md$")


def main() -> int:
    facts = ROOT / RULE_FACTS
    content = render_rule_facts(registry.records_in_modules().values())
    if facts.read_text(encoding="utf-8") != content:
        facts.write_text(content, encoding="utf-8", newline="\n")
        print(f"{RULE_FACTS}: written; the rest in a new process, which reads it")
        return subprocess.call([sys.executable, *sys.argv])
    out = ROOT / "docs" / "rules"
    out.mkdir(parents=True, exist_ok=True)
    pages = generated_pages()
    changed = 0
    for name, content in pages.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
            changed += 1
    for path in sorted(out.iterdir()):
        if RULE_PAGE.match(path.name) and path.name not in pages:
            path.unlink()
            changed += 1
    configuration = ROOT / "docs" / "configuration.md"
    content = render_configuration()
    if not configuration.exists() or configuration.read_text(encoding="utf-8") != content:
        configuration.write_text(content, encoding="utf-8", newline="\n")
        changed += 1
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    updated = with_readme_table(text)
    if updated != text:
        readme.write_text(updated, encoding="utf-8", newline="\n")
        changed += 1
    print(
        f"docs/rules: {len(pages)} pages, docs/configuration.md, README table: "
        f"{changed} files written or removed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
