"""``mlsmells fix`` (and ``mlsmells check --fix``, the same thing).

``mlsmells fix PATH... [--unsafe-fixes] [--diff] [--show-fixes]
[--select/--ignore/--extend-select CODES]`` applies the safe fixes (and the
unsafe ones with ``--unsafe-fixes``, or ``unsafe-fixes = true`` in
``[tool.mlsmells]``), then reports the findings that are left, as ``check``
would report them. ``--diff`` writes nothing and prints the unified diff of
what it would change (the report then goes to stderr).

Exit status: 0 when no finding is left, 1 when findings remain or ``--diff``
shows changes, 2 on errors (a file that cannot be read, parsed, fixed or
written, or an invalid configuration; the other files are still fixed).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mlsmells import output, registry, runner, sources
from mlsmells.baseline import Baseline, BaselineError
from mlsmells.config import ConfigError, Settings, SettingsCache
from mlsmells.fixes.files import (
    SourceFile,
    WriteScope,
    decode_source_file,
    fix_size_limit,
    read_source_file,
    read_text_file,
    remove_stale_temporaries,
    split_lines,
    write_source_file,
)
from mlsmells.frontends import options
from mlsmells.runner import FileResult
from mlsmells.sources import FileError

if TYPE_CHECKING:  # imported when fixing: libcst is slow to import, and `check` needs none
    from mlsmells.fixes.apply import FixResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def fix_source(
    source: str,
    filename: str,
    active: frozenset[str],
    *,
    settings: Settings | None = None,
    unsafe: bool = False,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
) -> FixResult:
    """:func:`mlsmells.fixes.apply.fix_source`, imported on first use (with libcst)."""
    from mlsmells.fixes.apply import fix_source as fix

    return fix(
        source,
        filename,
        active,
        settings=settings,
        unsafe=unsafe,
        cell_last_lines=cell_last_lines,
        line_map=line_map,
    )


@dataclass
class FileOutcome:
    """What fixing one file did."""

    path: Path
    result: FixResult | None = None
    """``None`` when the file could not be read or parsed."""
    diff: str = ""
    """What fixing changes (for a Python file, computed only when nothing is written)."""
    errors: list[str] = field(default_factory=list)
    """One-line errors, each starting with ``": "`` or with a ``":line:col: "`` location."""
    line_map: dict[int, tuple[int, int]] | None = None
    notices: tuple[str, ...] = ()


# ------------------------------------------------------------------ parsers
def add_fix_options(parser: argparse.ArgumentParser, *, in_check: bool = False) -> None:
    """The fixing options; ``check`` gets ``--fix`` too (``--diff`` implies it there)."""
    group = parser.add_argument_group("fixing")
    if in_check:
        group.add_argument("--fix", action="store_true", help="apply fixes, as `mlsmells fix` does")
    group.add_argument(
        "--unsafe-fixes",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also apply the fixes that change behaviour (default: the unsafe-fixes setting)",
    )
    group.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print the unified diff of the fixes (exit 1 when there is one)",
    )
    group.add_argument(
        "--show-fixes",
        action="store_true",
        help="list the findings fixed in each file"
        + (
            "; without --fix: ask the fixer (slower: it parses each file with a fixable "
            "finding) which findings `mlsmells fix` fixes, also of the rules that do not "
            "decide it when they report ([*] marks what they decided, by default)"
            if in_check
            else ""
        ),
    )
    group.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="exit 1 when a fix was applied, even if no finding is left (for pre-commit)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``fix`` subcommand (a registrar for :data:`mlsmells.frontends.cli.SUBCOMMANDS`)."""
    parser = subparsers.add_parser(
        "fix",
        help="fix findings",
        description=(
            "Apply the safe fixes (with --unsafe-fixes also the unsafe ones) of the selected "
            "rules, then report the findings that are left."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories to fix (default: the current directory); `-`: fix the "
        "code on standard input and write it to standard output",
    )
    options.add_stdin_argument(parser)
    options.add_selection_arguments(parser)
    options.add_report_arguments(parser)
    add_fix_options(parser)
    parser.set_defaults(handler=run_fix)


def wants_fix(args: argparse.Namespace) -> bool:
    """Whether a ``check`` invocation asks for fixing (``--fix`` or ``--diff``)."""
    return bool(getattr(args, "fix", False) or getattr(args, "diff", False))


# ------------------------------------------------------------------ running
def run_fix(args: argparse.Namespace) -> int:
    if args.diff and args.baseline is not None:
        # The findings left refer to the fixed text, which --diff does not write.
        print("mlsmells: error: --baseline does not combine with --diff", file=sys.stderr)
        return EXIT_ERROR
    try:
        stdin = options.stdin_path(args)
        if stdin is not None and args.baseline is not None:
            raise ValueError("--baseline needs files, not standard input")
        fix_size_limit()  # (each file reads it: an invalid value is one line here, first)
        settings = options.settings_from_args(args)
        baseline = Baseline.read(args.baseline) if args.baseline is not None else None
        paths = options.discover(args, settings) if stdin is None else []
    except (ConfigError, BaselineError, ValueError) as exc:
        print(f"mlsmells: error: {output.printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    texts: dict[Path, str] = {}
    if stdin is not None:
        outcomes = [fix_stdin(args, stdin, settings, texts)]
    else:
        if not paths:
            print("mlsmells: warning: no Python files found", file=sys.stderr)
        if not args.diff:  # what an earlier run killed while writing left behind
            remove_stale_temporaries(paths)
        # The command line's --unsafe-fixes is already part of each file's settings.
        scope = WriteScope(args.paths)
        outcomes = [
            fix_path(path, None, settings, write=not args.diff, scope=scope) for path in paths
        ]
    for outcome in outcomes:
        for error in outcome.errors:
            print(f"mlsmells: error: {output.printable(f'{outcome.path}{error}')}", file=sys.stderr)
        for notice in outcome.notices:
            line = output.printable(f"{outcome.path}{notice}")
            print(f"mlsmells: notice: {line}", file=sys.stderr)
    try:
        with options.report_stream(args) as out:
            if stdin is not None and args.output_file is None:
                out = sys.stderr  # stdout holds the fixed code (or its diff)
            outcomes = _report(args, outcomes, baseline, settings, out, texts)
    except options.OutputFileError as exc:
        return options.fail(str(exc))
    return exit_status(
        outcomes,
        diff=args.diff,
        exit_zero=getattr(args, "exit_zero", False),
        on_fix=args.exit_non_zero_on_fix,
    )


def _report(
    args: argparse.Namespace,
    outcomes: list[FileOutcome],
    baseline: Baseline | None,
    settings: SettingsCache,
    out: TextIO,
    texts: Mapping[Path, str],
) -> list[FileOutcome]:
    """Report a fix run on ``out``: the diffs (``--diff``, on stdout for standard input),
    or the findings left; then what was fixed and the summary (on stderr after a diff or
    a machine format). Returns the outcomes, counting as remaining only the findings the
    ``baseline`` did not hide."""
    report: TextIO = out
    hidden = 0
    if args.diff:
        diffs = sys.stdout if out is sys.stderr else out
        for outcome in outcomes:
            diffs.write(outcome.diff)
        report = sys.stderr
    else:
        remaining = [_as_file_result(o) for o in outcomes]
        if baseline is not None:
            filtered = baseline.filter(remaining)
            remaining, hidden = filtered.results, filtered.hidden
            outcomes = [_without_hidden(o, filtered.results) for o in outcomes]
        fmt = args.output_format
        read = output.source_reader(settings, texts)
        if fmt in output.HUMAN_FORMATS:
            output.write(
                fmt,
                remaining,
                out,
                read=read,
                summary=False,
                colour=output.use_colour(out),
                marks=False,
            )
        else:
            output.write(fmt, remaining, out, read=read)
            report = sys.stderr
    if args.show_fixes:
        write_fixes(outcomes, report, diff=args.diff)
    write_summary(outcomes, report, diff=args.diff)
    if hidden:
        report.write(f"{_plural(hidden, 'more finding')} left in the baseline.\n")
    return outcomes


def fix_stdin(
    args: argparse.Namespace, path: Path, settings: SettingsCache, texts: dict[Path, str]
) -> FileOutcome:
    """``fix -``: fix the code on standard input as the file ``path`` (its settings; left
    as it is when ``--force-exclude`` excludes ``path``) and write it to stdout (unless
    ``--diff``): the fixed code, or the code as it came when it could not be fixed. The
    fixed text goes into ``texts``, for the report."""
    data = options.read_stdin()
    outcome = FileOutcome(path)
    fixed = data
    try:
        config = settings.for_path(path)
        if not (args.force_exclude and settings.is_excluded(path, parents=True)):
            source, new_text = fix_loaded(outcome, _decode(path, data), None, config, None)
            texts[path] = new_text
            if args.diff:
                outcome.diff = outcome.diff or unified_diff(
                    output.printable(str(path)), source.text, new_text
                )
            fixed = source.encode(new_text)
    except ConfigError as exc:
        outcome.errors.append(f": {exc}")
    except FileError as exc:
        outcome.errors.append(f"{exc.location}: {exc}")
    if not args.diff:
        sys.stdout.flush()
        sys.stdout.buffer.write(fixed)
        sys.stdout.flush()
    return outcome


def _decode(path: Path, data: bytes) -> SourceFile:
    if path.suffix == sources.NOTEBOOK_SUFFIX:
        try:
            return SourceFile(path, data, data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError as exc:
            raise FileError(f"cannot decode as utf-8: {exc.reason} at byte {exc.start}") from None
    return decode_source_file(path, data)


def fix_path(
    path: Path,
    active: frozenset[str] | None,
    settings: SettingsCache,
    *,
    unsafe: bool | None = None,
    write: bool = True,
    scope: WriteScope | None = None,
) -> FileOutcome:
    """Fix one file, or only compute its diff when ``write`` is false.

    ``active`` ``None`` fixes the codes the file's settings select.
    ``unsafe`` overrides the ``unsafe-fixes`` setting when not ``None``; ``scope``, when
    given, says where the file may be written. Never raises for a problem with the file:
    it becomes one of ``errors``.
    """
    outcome = FileOutcome(path)
    try:
        config = settings.for_path(path)
    except ConfigError as exc:
        outcome.errors.append(f": {exc}")
        return outcome
    try:
        if path.suffix == sources.NOTEBOOK_SUFFIX:
            stored = read_text_file(path)
        else:
            stored = read_source_file(path)
        source, new_text = fix_loaded(outcome, stored, active, config, unsafe)
        if not write and path.suffix != sources.NOTEBOOK_SUFFIX:
            # (a diff of a big file costs a tenth of its fix)
            outcome.diff = unified_diff(output.printable(str(path)), source.text, new_text)
    except FileError as exc:
        outcome.errors.append(f"{exc.location}: {exc}")
        return outcome
    result = outcome.result
    assert result is not None
    if write and new_text != source.text:
        try:
            write_source_file(source, new_text, scope)
        except FileError as exc:
            outcome.errors.append(f": {exc}")
            outcome.result = result.abandoned(str(exc))
    return outcome


def fix_loaded(
    outcome: FileOutcome,
    source: SourceFile,
    active: frozenset[str] | None,
    config: Settings,
    unsafe: bool | None,
) -> tuple[SourceFile, str]:
    """Fix the text of a file read (``source``; a notebook's JSON text) into ``outcome``:
    (``source``, the fixed text). ``active`` ``None``: the codes the settings select for
    the file; ``unsafe`` ``None``: the ``unsafe-fixes`` setting. Raises
    :class:`FileError` when the text cannot be parsed (or is not a notebook)."""
    path = outcome.path
    if active is None:
        active = config.codes_for(path)
    apply_unsafe = config.unsafe_fixes if unsafe is None else unsafe
    if path.suffix == sources.NOTEBOOK_SUFFIX:
        new_text = _fix_notebook(outcome, source, active, config, apply_unsafe)
    else:
        outcome.result = fix_source(
            source.text, str(path), active, settings=config, unsafe=apply_unsafe
        )
        new_text = outcome.result.source
    assert outcome.result is not None
    if outcome.result.error is not None:
        outcome.errors.append(f": {outcome.result.error}")
    return source, new_text


def _fix_notebook(
    outcome: FileOutcome, source: SourceFile, active: frozenset[str], config: Settings, unsafe: bool
) -> str:
    """Fix the code cells of a notebook as one module and map the result back onto the
    cells: the notebook's new text."""
    from mlsmells import notebooks

    try:
        notebook = notebooks.Notebook(source.text)
    except notebooks.NotebookError as exc:
        raise FileError(str(exc)) from None
    outcome.notices = tuple(notice.text for notice in notebook.notices)
    outcome.line_map = notebook.line_map()
    result = fix_source(
        notebook.source,
        str(outcome.path),
        active,
        settings=config,
        unsafe=unsafe,
        cell_last_lines=notebook.cell_last_lines,
        line_map=outcome.line_map,
    )
    outcome.result = result
    if not result.changed:
        return source.text
    try:
        edit = notebook.apply(result.source)
    except notebooks.FixMappingError as exc:
        outcome.result = result.abandoned(f"{exc}; the notebook is left unchanged")
        return source.text
    outcome.diff = edit.diff(output.printable(str(outcome.path)))
    outcome.line_map = notebooks.Notebook(edit.text).line_map()
    return edit.text


def unified_diff(name: str, old: str, new: str) -> str:
    """A ``diff -u`` of two texts, both headed with the path."""
    if old == new:
        return ""
    chunks: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=name,
        tofile=name,
    ):
        chunks.append(line)
        if not line.endswith(("\n", "\r")):
            chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)


# ------------------------------------------------------------------ reports
_LOCATED = re.compile(r":(\d+):(\d+): (.*)")


def _as_file_result(outcome: FileOutcome) -> FileResult:
    """The findings left in a file (and its first error), as ``check`` reports a file."""
    error: FileError | None = None
    if outcome.errors:
        located = _LOCATED.fullmatch(outcome.errors[0])
        if located is not None:
            error = FileError(located[3], int(located[1]), int(located[2]))
        else:
            error = FileError(outcome.errors[0].removeprefix(": "))
    remaining = outcome.result.remaining if outcome.result is not None else ()
    wide = None
    if remaining and outcome.result is not None:
        wide = runner.wide_lines(remaining, split_lines(outcome.result.source))
    return FileResult(
        outcome.path,
        remaining,
        error,
        line_map=outcome.line_map,
        notices=outcome.notices,
        wide=wide,
    )


def _without_hidden(outcome: FileOutcome, kept: Sequence[FileResult]) -> FileOutcome:
    """``outcome`` counting as remaining only the findings a baseline did not hide."""
    if outcome.result is None:
        return outcome
    for result in kept:
        if result.path == outcome.path:
            fixed = dataclasses.replace(outcome.result, remaining=result.diagnostics)
            return dataclasses.replace(outcome, result=fixed)
    return outcome


def write_fixes(outcomes: Sequence[FileOutcome], out: TextIO, *, diff: bool = False) -> None:
    """Per file, how many findings of each code were (or, with ``--diff``, would be) fixed."""
    fixed = [(o.path, o.result.applied) for o in outcomes if o.result and o.result.applied]
    if not fixed:
        return
    total = sum(len(applied) for _, applied in fixed)
    out.write(f"{'Would fix' if diff else 'Fixed'} {_plural(total, 'finding')}:\n")
    for path, applied in fixed:
        out.write(f"- {output.printable(str(path))}:\n")
        for code, count in sorted(Counter(a.diagnostic.code for a in applied).items()):
            out.write(f"    {count} × {code} ({registry.get(code).name})\n")


def write_summary(outcomes: Sequence[FileOutcome], out: TextIO, *, diff: bool) -> None:
    """One line: fixed and remaining findings, unsafe fixes held back, files that failed."""
    if not outcomes:
        return
    results = [o.result for o in outcomes if o.result is not None]
    fixed = sum(len(r.applied) for r in results)
    remaining = sum(len(r.remaining) for r in results)
    held = sum(r.held_back for r in results)
    shown = sum(r.display_only for r in results)
    failed = sum(bool(o.errors) for o in outcomes)
    verb = "Would fix" if diff else "Fixed"
    if fixed or remaining or failed:
        parts = [f"{verb} {_plural(fixed, 'finding')}, {remaining} remaining."]
    else:
        parts = ["All checks passed."]
    if held:
        parts.append(
            f"{_plural(held, 'unsafe fix')} held back "
            "(re-run with --unsafe-fixes to apply {}).".format("it" if held == 1 else "them")
        )
    if shown:
        parts.append(
            f"{_plural(shown, 'fix')} not applied: the replacement needs a newer release than "
            "the project supports (see the findings)."
        )
    if failed:
        parts.append(f"{_plural(failed, 'file')} could not be fixed.")
    out.write(" ".join(parts) + "\n")


def exit_status(
    outcomes: Sequence[FileOutcome], *, diff: bool, exit_zero: bool = False, on_fix: bool = False
) -> int:
    """2 on errors; else 1 when findings remain (unless ``exit_zero``), when ``--diff`` shows
    a change, or when ``on_fix`` (``--exit-non-zero-on-fix``) and a fix was applied."""
    if any(o.errors for o in outcomes):
        return EXIT_ERROR
    if on_fix and any(o.result is not None and o.result.applied for o in outcomes):
        return EXIT_FINDINGS
    if exit_zero:
        return EXIT_CLEAN
    if any(o.result is not None and o.result.remaining for o in outcomes):
        return EXIT_FINDINGS
    if diff and any(o.diff for o in outcomes):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word}es" if word.endswith("x") else f"{count} {word}s"
