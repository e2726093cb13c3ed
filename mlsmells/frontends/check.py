"""``mlsmells check``: report findings (and adopt mlsmells: ``--add-noqa``,
``--write-baseline``); ``check --fix`` is ``fix``.

Exit status: 0 no findings, 1 findings, 2 usage error, an invalid configuration,
or a file that could not be read, decoded or parsed (the other files are still
checked; each error is one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mlsmells import batch, output, runner, versions
from mlsmells.baseline import Baseline, BaselineError, write_baseline
from mlsmells.cache import Cache
from mlsmells.config import ConfigError, Settings, SettingsCache
from mlsmells.fixes.files import WriteScope, decode_source_file
from mlsmells.frontends import fix as fix_command
from mlsmells.frontends.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
    STDIN,
    OutputFileError,
    add_report_arguments,
    add_selection_arguments,
    add_stdin_argument,
    discover,
    exit_status,
    fail,
    read_stdin,
    report_errors,
    report_stream,
    settings_from_args,
    stdin_path,
)
from mlsmells.runner import FileResult
from mlsmells.sources import NOTEBOOK_SUFFIX, FileError

CHECK_EXAMPLES = """\
examples:
  mlsmells check src/ notebooks/                 text report; exit 1 on findings
  mlsmells check --extend-select ML9 --ignore ML3 .
  mlsmells check --output-format sarif . > mlsmells.sarif
  mlsmells check --output-format github .        annotations in GitHub Actions
  mlsmells check --write-baseline base.json .    record today's findings ...
  mlsmells check --baseline base.json .          ... and report only new ones
  mlsmells check --add-noqa src/                 suppress every current finding
  mlsmells check --statistics .                  count findings per code (and the fixable)
  mlsmells check --show-fixes .                  ask the fixer too which findings it fixes
  mlsmells check --output-format full src/       with the source and the suggested fixes
  cat nb.ipynb | mlsmells check --stdin-filename nb.ipynb -
  mlsmells check --watch src/                    check again on every change
  mlsmells check --show-settings src/train.py    the settings and target versions in force

settings: [tool.mlsmells] in the nearest pyproject.toml; the options above win.
exit status: 0 no findings, 1 findings, 2 usage, configuration or file error.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        help="files or directories to check (default: the current directory); `-`: the code "
        "on standard input",
    )
    add_stdin_argument(parser)
    parser.add_argument(
        "--watch",
        action="store_true",
        help="check again whenever a file changes, until Ctrl-C (needs the watch extra)",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings in force for each PATH (the configuration file, the rules, "
        "the library versions the project supports and where they come from) and exit",
    )
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
    keep_trees: bool = False,
) -> list[FileResult]:
    """Check each file with the codes its settings select (a file whose configuration is
    invalid is not checked: its result carries the error), in ``jobs`` processes, through
    the result ``cache``; the results are in the order of ``paths``. ``keep_trees``: for a
    report that shows fixes (see :func:`batch.check_files`)."""
    return batch.check_files(paths, settings, jobs=jobs, cache=cache, keep_trees=keep_trees)


#: The output formats that show the fixes of the findings (so compute them).
FIX_SHOWING_FORMATS = frozenset({"full", "json", "json-lines", "sarif"})


def run_check(args: argparse.Namespace) -> int:
    if args.watch:
        if fix_command.wants_fix(args) or args.add_noqa or args.write_baseline:
            return fail("--watch does not combine with fixing, --add-noqa or --write-baseline")
        if STDIN in args.paths:
            return fail("--watch needs files, not standard input")
        from mlsmells.frontends import watch

        return watch.run(argparse.Namespace(**{**vars(args), "watch": False}), run_check)
    if fix_command.wants_fix(args):  # `check --fix` is `fix`
        if args.add_noqa or args.write_baseline or args.statistics:
            return fail("--add-noqa, --write-baseline and --statistics do not combine with fixing")
        return fix_command.run_fix(args)
    if sum(map(bool, (args.add_noqa, args.write_baseline, args.baseline))) > 1:
        return fail("use one of --add-noqa, --write-baseline and --baseline at a time")
    if args.statistics and args.output_format not in ("text", "concise", "json", "json-lines"):
        return fail(f"--statistics does not combine with --output-format {args.output_format}")
    if args.show_settings:
        return run_show_settings(args)
    try:
        stdin = stdin_path(args)
    except ValueError as exc:
        return fail(str(exc))
    if stdin is not None and (args.add_noqa or args.write_baseline or args.baseline):
        return fail("--add-noqa, --write-baseline and --baseline need files, not standard input")
    try:
        settings = settings_from_args(args)
        baseline = Baseline.read(args.baseline) if args.baseline is not None else None
        paths = discover(args, settings) if stdin is None else []
    except (ConfigError, BaselineError) as exc:
        return fail(str(exc))
    texts: dict[Path, str] = {}
    if stdin is not None:
        results = check_stdin(stdin, read_stdin(), settings, args.force_exclude, texts)
    else:
        results = check_paths(
            paths,
            settings,
            jobs=batch.jobs_from_args(args),
            cache=batch.cache_from_args(args),
            keep_trees=args.show_fixes or args.output_format in FIX_SHOWING_FORMATS,
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
    read = output.source_reader(settings, texts)
    try:
        with report_stream(args) as out:
            if args.statistics:
                as_json = args.output_format in ("json", "json-lines")
                output.write_statistics(
                    results, out, as_json=as_json, read=read, fixer=args.show_fixes
                )
            else:
                output.write(
                    args.output_format,
                    results,
                    out,
                    read=read,
                    hidden=hidden,
                    colour=output.use_colour(out),
                    fixes=args.show_fixes,
                )
    except OutputFileError as exc:
        return fail(str(exc))
    return exit_status(results, exit_zero=args.exit_zero)


def check_stdin(
    path: Path, data: bytes, settings: SettingsCache, force_exclude: bool, texts: dict[Path, str]
) -> list[FileResult]:
    """Check code read from standard input as the file ``path`` (its settings, its
    per-file-ignores; nothing when ``force_exclude`` and ``path`` is excluded). The text
    goes into ``texts``, for the report's fixes."""
    try:
        config = settings.for_path(path)
        if force_exclude and settings.is_excluded(path, parents=True):
            return []
        codes = config.codes_for(path)
    except ConfigError as exc:
        return [FileResult(path, error=FileError(str(exc)))]
    result = runner.check_file(path, codes, data=data, targets=config.targets)
    if result.error is None:
        try:
            texts[path] = stdin_text(path, data)
        except FileError:
            pass
    return [result]


def stdin_text(path: Path, data: bytes) -> str:
    """The text of code read from standard input (a notebook's JSON, or Python source with
    its line endings), as a checked file's text is read again for its fixes."""
    if path.suffix == NOTEBOOK_SUFFIX:
        return data.decode("utf-8")
    return decode_source_file(path, data).text


def run_show_settings(args: argparse.Namespace) -> int:
    """``--show-settings``: the effective settings of each named path."""
    try:
        settings = settings_from_args(args)
        for number, path in enumerate(args.paths):
            config = settings.for_path(Path(path))
            if number:
                print()
            print(show_settings(Path(path), config))
    except ConfigError as exc:
        return fail(str(exc))
    return EXIT_CLEAN


def show_settings(path: Path, config: Settings) -> str:
    """The settings that apply to ``path``, as ``--show-settings`` prints them."""
    source = str(config.source) if config.source is not None else "none (the defaults)"
    codes = sorted(config.codes_for(path)) if path.is_file() else sorted(config.active_codes())
    lines = [
        f"Settings for {output.printable(str(path))}",
        f"  configuration: {output.printable(source)}",
        f"  rules: {len(codes)}: {', '.join(codes)}",
    ]
    if config.per_file_ignores:
        pairs = "; ".join(f"{g}: {', '.join(c)}" for g, c in config.per_file_ignores)
        lines.append(f"  per-file-ignores: {pairs}")
    lines += [
        f"  exclude: {', '.join(config.exclude_patterns)}",
        f"  seed: {config.seed}",
        f"  unsafe-fixes: {'true' if config.unsafe_fixes else 'false'}",
        f"  test-files: {', '.join(config.test_files)}"
        + (" (this is one)" if path.is_file() and config.is_test_file(path) else ""),
    ]
    for key, value in (
        ("extend-safe-fixes", config.extend_safe_fixes),
        ("extend-unsafe-fixes", config.extend_unsafe_fixes),
    ):
        if value:
            lines.append(f"  {key}: {', '.join(value)}")
    lines.append("  target versions:")
    for library in sorted(versions.DISTRIBUTION_OF, key=versions.DISTRIBUTION_OF.__getitem__):
        name = f"{versions.DISTRIBUTION_OF[library]:<14}"
        found = config.targets.get(library)
        if found is None:
            newest = config.targets.newest(library)
            lines.append(f"    {name}not declared: the newest releases ({newest})")
            continue
        span = found.oldest if found.oldest == found.newest else f"{found.oldest} to {found.newest}"
        lines.append(f"    {name}{found.specifier}: releases {span} (from {found.source})")
    return "\n".join(lines)


def run_add_noqa(results: Sequence[FileResult], scope: WriteScope | None = None) -> int:
    """``--add-noqa``: exit 0 once every finding is suppressed, 2 if a file could not be
    (``scope``: where files may be written)."""
    from mlsmells.noqa import add_noqa_to_file  # (with its tokenizing of comments)

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
        return fail(str(exc))
    noun = "finding" if count == 1 else "findings"
    print(f"Wrote {count} {noun} to the baseline {path}.", file=sys.stderr)
    return EXIT_ERROR if any(r.error is not None for r in results) else EXIT_CLEAN
