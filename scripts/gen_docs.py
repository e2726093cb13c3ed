#!/usr/bin/env python3
"""Write the rule pages under docs/rules/ from the registry.

Usage: python scripts/gen_docs.py

Writes docs/rules/MLxxx.md for every rule, docs/rules/index.md and the
rule table in README.md, and
removes pages of rules that no longer exist. tests/test_docs.py fails
until this has been run after a change to the registry or to
mlsmells/docs.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsmells.docs import generated_pages, with_readme_table  # noqa: E402

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
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    updated = with_readme_table(text)
    if updated != text:
        readme.write_text(updated, encoding="utf-8", newline="\n")
        changed += 1
    print(f"docs/rules: {len(pages)} pages, {changed} files written or removed (README included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
