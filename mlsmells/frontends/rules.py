"""``mlsmells rule CODE`` and ``mlsmells rules``: the rules' documentation."""

from __future__ import annotations

import argparse
import sys

from mlsmells import docs, registry
from mlsmells.frontends.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
)
from mlsmells.records import Fix


def register_rule(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rule",
        help="show a rule's documentation",
        description="Print the documentation of a rule, given its code, symbol or pylint id.",
    )
    parser.add_argument("rule", metavar="CODE", help="e.g. ML201, ml-chained-assignment, W7621")
    parser.set_defaults(handler=run_rule)


def run_rule(args: argparse.Namespace) -> int:
    rule = docs.find_rule(args.rule)
    if rule is None:
        print(f"mlsmells: error: unknown rule {args.rule!r}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(docs.render_rule(rule))
    return EXIT_CLEAN


def register_rules(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules",
        description="List every rule: code, symbol, pylint id, default, fix, summary.",
    )
    parser.set_defaults(handler=run_rules)


def run_rules(args: argparse.Namespace) -> int:
    header = ("code", "symbol", "pylint", "default", "fix", "summary")
    rows = [header]
    for rule in registry.RULES.values():
        fix = "-" if rule.fix is Fix.NONE else rule.fix.value
        default = "on" if rule.default_enabled else "off"
        rows.append((rule.code, rule.symbol, rule.pylint_id, default, fix, rule.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return EXIT_CLEAN
