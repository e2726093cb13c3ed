"""What the subcommands share: the selection, configuration and reporting options, the
settings and files they lead to, exit statuses and error lines."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from mlsmells import output, runner
from mlsmells.config import Overrides, Settings, SettingsCache, check_selector
from mlsmells.ignorefiles import IgnoreFiles
from mlsmells.runner import FileResult

Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


# ---------------------------------------------------------------- selection
def _selectors(text: str) -> list[str]:
    """argparse type of ``--select``/``--ignore``: comma-separated code prefixes."""
    try:
        return [check_selector(s) for s in text.split(",") if s.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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
        "--respect-gitignore",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip what .gitignore and .ignore files ignore when walking directories "
        "(default: the respect-gitignore setting, true)",
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
        respect_gitignore=getattr(args, "respect_gitignore", None),
    )
    return SettingsCache(overrides, config=args.config, isolated=args.isolated)


def discover(args: argparse.Namespace, settings: SettingsCache) -> list[Path]:
    """The files to check; :class:`ConfigError` when a configuration on the way is invalid."""

    ignores = IgnoreFiles()
    # Folder -> its settings, and whether some ignore file can skip a path in it.
    folders: dict[str, tuple[Settings, bool]] = {}

    def excluded(path: Path, named: bool) -> bool:
        if named:
            # A file named on the command line is checked whatever the ignore files say.
            return args.force_exclude and settings.is_excluded(path, parents=True)
        folder = os.path.dirname(path)
        found = folders.get(folder)
        if found is None:
            parent = path.parent
            config = settings.for_path(parent)
            found = folders[folder] = (
                config,
                config.respect_gitignore and ignores.any_in(parent),
            )
        config, ignoring = found
        return config.is_excluded(path) or (ignoring and ignores.ignored(path))

    return runner.discover(args.paths, excluded)


def add_report_arguments(parser: argparse.ArgumentParser, *, in_check: bool = False) -> None:
    """How findings are reported: ``check`` and ``fix`` share them; the adoption helpers
    (``--add-noqa``, ``--write-baseline``) and ``--statistics`` are for ``check``."""
    group = parser.add_argument_group("reporting")
    group.add_argument(
        "--output-format",
        choices=output.FORMATS,
        default="text",
        help="text: path:line:col: CODE [*] message and a summary (default; [*]: `mlsmells "
        "fix` fixes it); concise: the same without summary; full: with the source line, a "
        "caret under the finding and the suggested change; json / json-lines: records with "
        "fixes; github: workflow annotations; sarif: SARIF 2.1.0; junit: JUnit XML",
    )
    group.add_argument(
        "--output-file",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of standard output",
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


def add_stdin_argument(parser: argparse.ArgumentParser) -> None:
    """``--stdin-filename``: the name of the code read from standard input (``PATH`` ``-``)."""
    parser.add_argument(
        "--stdin-filename",
        type=Path,
        metavar="PATH",
        help="with `-` as the path: the file name of the code read from standard input; it "
        "decides Python or notebook, the configuration and the per-file-ignores "
        "(default: `-`, Python code)",
    )


STDIN = "-"


def stdin_path(args: argparse.Namespace) -> Path | None:
    """The path standard input is checked as when ``-`` is the only path, else ``None``.

    Raises :class:`ValueError` when ``-`` is mixed with other paths, or
    ``--stdin-filename`` is given without ``-``."""
    paths: list[str] = args.paths
    name: Path | None = getattr(args, "stdin_filename", None)
    if STDIN not in paths:
        if name is not None:
            raise ValueError("--stdin-filename needs `-` as the path (the code on standard input)")
        return None
    if len(paths) != 1:
        raise ValueError("`-` (standard input) does not combine with other paths")
    return name if name is not None else Path(STDIN)


def read_stdin() -> bytes:
    return sys.stdin.buffer.read()


@contextlib.contextmanager
def report_stream(args: argparse.Namespace) -> Iterator[TextIO]:
    """Where the report goes: ``--output-file`` (UTF-8, created or replaced), else stdout.

    Raises :class:`OutputFileError` when the file cannot be opened."""
    target: Path | None = getattr(args, "output_file", None)
    if target is None:
        yield sys.stdout
        return
    try:
        stream = open(target, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write: {exc.strerror or exc}") from None
    with stream:
        yield stream


class OutputFileError(Exception):
    """The ``--output-file`` cannot be written (the message is one line)."""


def fail(message: str) -> int:
    print(f"mlsmells: error: {output.printable(message)}", file=sys.stderr)
    return EXIT_ERROR


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
