"""The ``mlsmells`` command.

Subcommands are added by *registrars* listed in :data:`SUBCOMMANDS`: each
takes the subparsers object, adds its parser and sets ``handler`` (a
function ``Namespace -> exit status``) as a default on it. Another module
adds a subcommand by appending its registrar to that list.

Exit status of ``check``: 0 no findings, 1 findings, 2 usage error, an
invalid configuration, or a file that could not be read, decoded or parsed
(the other files are still checked; each error is one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import mlsmells
from mlsmells import batch, docs, output, registry, runner
from mlsmells.baseline import Baseline, BaselineError, write_baseline
from mlsmells.cache import Cache
from mlsmells.config import ConfigError, Overrides, SettingsCache
from mlsmells.fixes import command as fix_command
from mlsmells.fixes.files import WriteScope
from mlsmells.noqa import add_noqa_to_file
from mlsmells.records import Fix
from mlsmells.runner import FileResult
from mlsmells.sources import FileError

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
    """``--select``, ``--ignore`` and ``--extend-select`` (flake8 semantics), and the
    configuration options: ``--config``, ``--isolated``, ``--exclude``, ``--extend-exclude``,
    ``--force-exclude``."""
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
    group = parser.add_argument_group("configuration")
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read the settings from FILE (a pyproject.toml, or a TOML file with the keys "
        "at its top level) instead of the nearest pyproject.toml",
    )
    source.add_argument(
        "--isolated",
        action="store_true",
        help="read no configuration file; defaults and flags only",
    )
    group.add_argument(
        "--exclude",
        type=_globs,
        action="extend",
        metavar="GLOBS",
        help="paths to skip when walking directories (replaces the configured and default list)",
    )
    group.add_argument(
        "--extend-exclude",
        type=_globs,
        action="extend",
        default=[],
        metavar="GLOBS",
        help="more paths to skip when walking directories",
    )
    group.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply the exclusions to the paths named on the command line too (for pre-commit)",
    )


def _globs(text: str) -> list[str]:
    """argparse type of ``--exclude``: comma-separated globs."""
    return [item.strip() for item in text.split(",") if item.strip()]


def settings_from_args(args: argparse.Namespace) -> SettingsCache:
    """The settings of each path: its configuration file's, the flags on top.

    Raises :class:`ConfigError` for an invalid ``--config`` file.
    """
    overrides = Overrides(
        select=tuple(args.select) if args.select is not None else None,
        extend_select=tuple(args.extend_select),
        ignore=tuple(args.ignore),
        exclude=tuple(args.exclude) if args.exclude is not None else None,
        extend_exclude=tuple(args.extend_exclude),
        unsafe_fixes=getattr(args, "unsafe_fixes", None),
    )
    return SettingsCache(overrides, config=args.config, isolated=args.isolated)


def discover(args: argparse.Namespace, settings: SettingsCache) -> list[Path]:
    """The files to check; :class:`ConfigError` when a configuration on the way is invalid."""

    def excluded(path: Path, named: bool) -> bool:
        if named and not args.force_exclude:
            return False
        return settings.is_excluded(path, parents=named)

    return runner.discover(args.paths, excluded)


def add_report_arguments(parser: argparse.ArgumentParser, *, in_check: bool = False) -> None:
    """How findings are reported: ``check`` and ``fix`` share them; the adoption helpers
    (``--add-noqa``, ``--write-baseline``) and ``--statistics`` are for ``check``."""
    group = parser.add_argument_group("reporting")
    group.add_argument(
        "--output-format",
        choices=output.FORMATS,
        default="text",
        help="text: path:line:col: CODE message and a summary (default); concise: the same "
        "without summary; json / json-lines: records with fixes; github: workflow annotations; "
        "sarif: SARIF 2.1.0; junit: JUnit XML",
    )
    group.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when there are findings (errors still exit 2)",
    )
    group.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="report only the findings that are not in FILE (written by --write-baseline)",
    )
    if not in_check:
        return
    group.add_argument(
        "--statistics", action="store_true", help="print the number of findings per code instead"
    )
    adopt = parser.add_argument_group("adopting mlsmells in an existing code base")
    adopt.add_argument(
        "--add-noqa",
        action="store_true",
        help="add a `# noqa: MLxxx` comment for every finding (merged with existing ones)",
    )
    adopt.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the current findings in FILE, for --baseline",
    )


# -------------------------------------------------------------------- check
CHECK_EXAMPLES = """\
examples:
  mlsmells check src/ notebooks/                 text report; exit 1 on findings
  mlsmells check --extend-select ML9 --ignore ML3 .
  mlsmells check --output-format sarif . > mlsmells.sarif
  mlsmells check --output-format github .        annotations in GitHub Actions
  mlsmells check --write-baseline base.json .    record today's findings ...
  mlsmells check --baseline base.json .          ... and report only new ones
  mlsmells check --add-noqa src/                 suppress every current finding
  mlsmells check --statistics .                  count findings per code

settings: [tool.mlsmells] in the nearest pyproject.toml; the options above win.
exit status: 0 no findings, 1 findings, 2 usage, configuration or file error.
"""


def _register_check(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="report findings",
        description="Report the findings of the selected rules in Python files and notebooks.",
        epilog=CHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories to check (default: the current directory)",
    )
    add_selection_arguments(parser)
    add_report_arguments(parser, in_check=True)
    batch.add_arguments(parser)
    fix_command.add_fix_options(parser, in_check=True)
    parser.set_defaults(handler=run_check)


def check_paths(
    paths: Sequence[Path],
    settings: SettingsCache,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
) -> list[FileResult]:
    """Check each file with the codes its settings select (a file whose configuration is
    invalid is not checked: its result carries the error), in ``jobs`` processes, through
    the result ``cache``; the results are in the order of ``paths``."""
    return batch.check_files(paths, settings, jobs=jobs, cache=cache)


def _fail(message: str) -> int:
    print(f"mlsmells: error: {output.printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def run_check(args: argparse.Namespace) -> int:
    if fix_command.wants_fix(args):  # `check --fix` is `fix`
        if args.add_noqa or args.write_baseline or args.statistics:
            return _fail("--add-noqa, --write-baseline and --statistics do not combine with fixing")
        return fix_command.run_fix(args)
    if sum(map(bool, (args.add_noqa, args.write_baseline, args.baseline))) > 1:
        return _fail("use one of --add-noqa, --write-baseline and --baseline at a time")
    if args.statistics and args.output_format not in ("text", "concise", "json", "json-lines"):
        return _fail(f"--statistics does not combine with --output-format {args.output_format}")
    try:
        settings = settings_from_args(args)
        baseline = Baseline.read(args.baseline) if args.baseline is not None else None
        paths = discover(args, settings)
    except (ConfigError, BaselineError) as exc:
        return _fail(str(exc))
    results = check_paths(
        paths, settings, jobs=batch.jobs_from_args(args), cache=batch.cache_from_args(args)
    )
    if not results:
        print("mlsmells: warning: no Python files found", file=sys.stderr)
    report_errors(results, sys.stderr)
    if args.add_noqa:
        return run_add_noqa(results, WriteScope(args.paths))
    if args.write_baseline is not None:
        return run_write_baseline(args.write_baseline, results)
    hidden = 0
    if baseline is not None:
        filtered = baseline.filter(results)
        results, hidden = filtered.results, filtered.hidden
        if filtered.stale:
            print(
                f"mlsmells: notice: {args.baseline}: {filtered.stale} of its findings are gone "
                f"(fixed or edited); refresh it with --write-baseline {args.baseline}",
                file=sys.stderr,
            )
    if args.statistics:
        as_json = args.output_format in ("json", "json-lines")
        output.write_statistics(results, sys.stdout, as_json=as_json)
    else:
        output.write(
            args.output_format,
            results,
            sys.stdout,
            read=output.source_reader(settings),
            hidden=hidden,
        )
    return exit_status(results, exit_zero=args.exit_zero)


def run_add_noqa(results: Sequence[FileResult], scope: WriteScope | None = None) -> int:
    """``--add-noqa``: exit 0 once every finding is suppressed, 2 if a file could not be
    (``scope``: where files may be written)."""
    added = 0
    files = 0
    failed = any(r.error is not None for r in results)
    for result in results:
        if not result.diagnostics:
            continue
        try:
            changed = add_noqa_to_file(result.path, result.diagnostics, scope)
        except FileError as exc:
            print(f"mlsmells: error: {output.printable(f'{result.path}: {exc}')}", file=sys.stderr)
            failed = True
            continue
        added += changed
        files += bool(changed)
    noun = "noqa comment" if added == 1 else "noqa comments"
    print(f"Added {added} {noun} to {files} file{'' if files == 1 else 's'}.", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_CLEAN


def run_write_baseline(path: Path, results: Sequence[FileResult]) -> int:
    try:
        count = write_baseline(path, results)
    except BaselineError as exc:
        return _fail(str(exc))
    noun = "finding" if count == 1 else "findings"
    print(f"Wrote {count} {noun} to the baseline {path}.", file=sys.stderr)
    return EXIT_ERROR if any(r.error is not None for r in results) else EXIT_CLEAN


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
            print(f"mlsmells: error: {output.printable(f'{where}: {result.error}')}", file=out)
        for notice in result.notices:  # e.g. a notebook cell that does not parse
            print(f"mlsmells: notice: {output.printable(f'{result.path}{notice}')}", file=out)


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
