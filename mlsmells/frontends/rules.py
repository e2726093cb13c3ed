"""``mlsmells rule CODE`` / ``mlsmells rule --all`` and ``mlsmells rules [SELECTOR...]``: the
rules' documentation."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Sequence

from mlsmells import docs, registry
from mlsmells.frontends.options import EXIT_CLEAN, fail
from mlsmells.records import Fix, Rule


def register_rule(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rule",
        help="show a rule's documentation",
        description="Print the documentation of a rule, given its code, symbol or pylint id "
        "(or of every rule, with --all).",
    )
    parser.add_argument(
        "rule", nargs="?", metavar="CODE", help="e.g. ML201, ml-chained-assignment, W7621"
    )
    parser.add_argument("--all", action="store_true", help="every rule")
    parser.add_argument(
        "--output-format",
        choices=("text", "json"),
        default="text",
        help="text: the rule pages (markdown); json: the rules' records",
    )
    parser.set_defaults(handler=run_rule)


def rule_record(rule: Rule) -> dict[str, object]:
    """A rule as JSON (``rule --output-format json``)."""
    return {
        "code": rule.code,
        "name": rule.name,
        "symbol": rule.symbol,
        "pylint_id": rule.pylint_id,
        "family": rule.family.value,
        "default_enabled": rule.default_enabled,
        "fix": rule.fix.value,
        "summary": rule.summary,
        "message": rule.message,
        "rationale": rule.rationale,
        "bad": rule.bad,
        "good": rule.good,
        "fix_summary": rule.fix_summary or None,
        "fix_safety": rule.fix_safety or None,
        "noise": rule.noise or None,
        "url": rule.url,
    }


def run_rule(args: argparse.Namespace) -> int:
    if args.all == (args.rule is not None):
        return fail("give a rule (e.g. `mlsmells rule ML201`) or --all")
    if args.all:
        chosen = list(registry.RULES.values())
    else:
        rule = docs.find_rule(args.rule)
        if rule is None:
            return fail(f"unknown rule {args.rule!r}{_did_you_mean(args.rule)}")
        chosen = [rule]
    if args.output_format == "json":
        records = [rule_record(rule) for rule in chosen]
        json.dump(records if args.all else records[0], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n".join(docs.render_rule(rule) for rule in chosen))
    return EXIT_CLEAN


def _did_you_mean(name: str) -> str:
    """``"; did you mean 'ML201'?"`` for a close code, symbol or pylint id, or ``""``."""
    names = registry.rule_names()
    close = difflib.get_close_matches(name.strip().lower(), list(names), n=1, cutoff=0.6)
    return f"; did you mean {names[close[0]][0]!r}?" if close else ""


def register_rules(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules",
        description="List the rules (those the selectors match: a family such as ML4, or "
        "codes): code, symbol, pylint id, default, fix, summary; the summary is cut to the "
        "terminal's width.",
    )
    parser.add_argument(
        "selectors", nargs="*", metavar="SELECTOR", help="code prefixes, e.g. ML4 or ML201"
    )
    parser.set_defaults(handler=run_rules)


def run_rules(args: argparse.Namespace) -> int:
    selectors = [s.strip().upper() for s in args.selectors]
    for selector in selectors:
        if not registry.is_valid_selector(selector) or not _matching([selector]):
            return fail(f"rule selector {selector!r} matches no rule{_did_you_mean(selector)}")
    rules = _matching(selectors) if selectors else list(registry.RULES.values())
    header = ("code", "symbol", "pylint", "default", "fix", "summary")
    rows = [header]
    for rule in rules:
        fix = "-" if rule.fix is Fix.NONE else rule.fix.value
        default = "on" if rule.default_enabled else "off"
        rows.append((rule.code, rule.symbol, rule.pylint_id, default, fix, rule.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    room = _width()
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        line = "  ".join([*cells, row[-1]])
        if room is not None and len(line) > room:
            line = line[: max(room - 1, sum(widths) + 2 * len(widths))] + "…"
        print(line)
    return EXIT_CLEAN


def _matching(selectors: Sequence[str]) -> list[Rule]:
    return [
        rule
        for code, rule in registry.RULES.items()
        if any(s == "ALL" or code.startswith(s) for s in selectors)
    ]


def _width() -> int | None:
    """The width to fit: ``COLUMNS``, else the terminal's; ``None`` when not on a terminal."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if not sys.stdout.isatty():
        return None
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return None
