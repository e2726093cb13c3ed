#!/usr/bin/env python3
"""Write the generated documentation: rule pages from the registry, the
configuration reference from the configuration model.

Usage: python scripts/gen_docs.py

Writes docs/rules/MLxxx.md for every rule, docs/rules/index.md, the rule
table in README.md and docs/configuration.md (from mlsmells/config.py), and
removes pages of rules that no longer exist. tests/test_docs.py fails
until this has been run after a change to the registry, to the settings or
to mlsmells/docs.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsmells.docs import (  # noqa: E402
    generated_pages,
    render_configuration,
    with_readme_table,
)

RULE_PAGE = re.compile(r"^ML\d{3}\.md$")


def main() -> int:
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
