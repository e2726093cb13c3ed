"""The ``mlsmells`` command.

Subcommands are added by *registrars* listed in :data:`SUBCOMMANDS`: each
takes the subparsers object, adds its parser and sets ``handler`` (a
function ``Namespace -> exit status``) as a default on it. Another module
adds a subcommand by appending its registrar to that list.

Exit status of ``check``: 0 no findings, 1 findings, 2 usage error or a
file that could not be read, decoded or parsed (the other files are still
checked; each error is one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

import mlsmells
from mlsmells import docs, registry, runner
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes import command as fix_command
from mlsmells.registry import Fix
from mlsmells.runner import FileResult

Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


# ---------------------------------------------------------------- selection
def _selectors(text: str) -> list[str]:
    """argparse type of ``--select``/``--ignore``: comma-separated code prefixes."""
    items = [s.strip().upper() for s in text.split(",") if s.strip()]
    for item in items:
        if not registry.is_valid_selector(item):
            raise argparse.ArgumentTypeError(
                f"invalid rule selector {item!r} (expected ALL, ML or a code prefix like ML2)"
            )
        if item != "ALL" and not any(code.startswith(item) for code in registry.RULES):
            raise argparse.ArgumentTypeError(f"rule selector {item!r} matches no rule")
    return items


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--select``, ``--ignore`` and ``--extend-select`` (flake8 semantics)."""
    group = parser.add_argument_group("rule selection (comma-separated code prefixes)")
    group.add_argument(
        "--select",
        type=_selectors,
        action="extend",
        metavar="CODES",
        help="check only these codes (default: every rule except the opt-in ML9xx)",
    )
    group.add_argument(
        "--extend-select",
        type=_selectors,
        action="extend",
        default=[],
        metavar="CODES",
        help="add these codes to the selection (e.g. ML9 for the opt-in rules)",
    )
    group.add_argument(
        "--ignore",
        type=_selectors,
        action="extend",
        default=[],
        metavar="CODES",
        help="skip these codes (the longer prefix wins against --select)",
    )


def active_codes(args: argparse.Namespace) -> frozenset[str]:
    return registry.select_codes(args.select, args.ignore, args.extend_select)


# -------------------------------------------------------------------- check
def _register_check(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="report findings",
        description="Report the findings of the selected rules in Python files and notebooks.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories to check (default: the current directory)",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--output-format",
        choices=("text", "json"),
        default="text",
        help="text: path:line:col: CODE message (default); json: a list of records",
    )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when there are findings (errors still exit 2)",
    )
    fix_command.add_fix_options(parser, in_check=True)
    parser.set_defaults(handler=run_check)


def check_paths(paths: Sequence[str], active: frozenset[str]) -> list[FileResult]:
    return [runner.check_file(path, active) for path in runner.discover(paths)]


def run_check(args: argparse.Namespace) -> int:
    if fix_command.wants_fix(args):  # `check --fix` is `fix`
        return fix_command.run_fix(args)
    results = check_paths(args.paths, active_codes(args))
    if not results:
        print("mlsmells: warning: no Python files found", file=sys.stderr)
    report_errors(results, sys.stderr)
    if args.output_format == "json":
        write_json(results, sys.stdout)
    else:
        write_text(results, sys.stdout)
    return exit_status(results, exit_zero=args.exit_zero)


def exit_status(results: Sequence[FileResult], *, exit_zero: bool = False) -> int:
    if any(r.error is not None for r in results):
        return EXIT_ERROR
    if not exit_zero and any(r.diagnostics for r in results):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def report_errors(results: Sequence[FileResult], out: TextIO) -> None:
    for result in results:
        if result.error is not None:
            where = f"{result.path}{result.error.location}"
            print(f"mlsmells: error: {where}: {result.error}", file=out)
        for notice in result.notices:  # e.g. a notebook cell that does not parse
            print(f"mlsmells: notice: {result.path}{notice}", file=out)


def _row(result: FileResult, line: int) -> tuple[int | None, int]:
    """(cell, row) of a line of the checked source; the cell is None outside notebooks."""
    if result.line_map is not None and line in result.line_map:
        return result.line_map[line]
    return None, line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def write_text(results: Sequence[FileResult], out: TextIO) -> None:
    """``path:line:col: CODE message``; the column is the UTF-8 byte offset + 1, as in flake8."""
    findings = 0
    files = 0
    for result in results:
        for diag in result.diagnostics:
            cell, row = _row(result, diag.line)
            where = f"cell {cell}:{row}" if cell is not None else f"{row}"
            out.write(f"{result.path}:{where}:{diag.col + 1}: {diag.message}\n")
        findings += len(result.diagnostics)
        files += bool(result.diagnostics)
    failed = sum(r.error is not None for r in results)
    if findings:
        summary = f"Found {_plural(findings, 'finding')} in {_plural(files, 'file')}."
    elif failed:
        summary = "No findings."
    elif results:
        summary = "All checks passed."
    else:
        return
    if failed:
        summary += f" {_plural(failed, 'file')} could not be checked."
    out.write(summary + "\n")


def json_record(result: FileResult, diag: Diagnostic) -> dict[str, object]:
    rule = registry.RULES.get(diag.code)
    cell, row = _row(result, diag.line)
    _, end_row = _row(result, diag.end_line)
    record: dict[str, object] = {
        "code": diag.code,
        "symbol": rule.symbol if rule is not None else registry.INTERNAL_ERROR_SYMBOL,
        "message": diag.text,
        "filename": str(result.path),
        "location": {"row": row, "column": diag.col + 1},
        "end_location": {"row": end_row, "column": diag.end_col + 1},
        "url": rule.url if rule is not None else None,
        "fix": None,
    }
    if cell is not None:
        record["cell"] = cell
    return record


def write_json(results: Sequence[FileResult], out: TextIO) -> None:
    records = [json_record(r, d) for r in results for d in r.diagnostics]
    json.dump(records, out, indent=2, ensure_ascii=False)
    out.write("\n")


# ------------------------------------------------------------ rule / rules
def _register_rule(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _register_rules(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


# --------------------------------------------------------------------- main
SUBCOMMANDS: list[Registrar] = [
    _register_check,
    fix_command.register,
    _register_rule,
    _register_rules,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlsmells",
        description="Find machine-learning code smells in Python code.",
    )
    parser.add_argument("--version", action="version", version=f"mlsmells {mlsmells.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader went away (`mlsmells check | head`): stop quietly, with
        # the status the Python documentation recommends (SIGPIPE notes).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
