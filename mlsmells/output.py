"""The report formats of ``mlsmells check`` and ``mlsmells fix`` (``--output-format``).

=============  ===============================================================
``text``       ``path:line:col: CODE [*] message`` per finding (``[*]`` when
               ``mlsmells fix`` fixes it), then a summary that counts the fixable
``concise``    the same lines, no summary
``full``       each finding with its source line, a caret under its span and a
               ``help:`` line with the suggested change, then the summary
``json``       a JSON list of records (code, symbol, message, filename, cell,
               location, end_location, url, fix), modelled on ruff's
``json-lines`` the same records, one JSON object per line
``github``     GitHub Actions workflow commands (``::error file=...::...``)
``sarif``      a SARIF 2.1.0 log (GitHub code scanning and other viewers)
``junit``      JUnit XML, one test suite per file, a failing test per finding
=============  ===============================================================

Columns are characters + 1 in every format (see :mod:`mlsmells.report`; the
machine formats are in :mod:`mlsmells.formats`). ``text``, ``concise`` and ``full``
are coloured on a terminal (:func:`use_colour`: ``NO_COLOR`` and ``FORCE_COLOR``
are honoured).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from mlsmells import formats, records, registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.report import (
    FixCounts,
    ReportFile,
    Source,
    SourceReader,
    fix_counts,
    json_text,
    plural,
    printable,
    report_files,
    source_reader,
    start_column,
    where,
)
from mlsmells.runner import FileResult

__all__ = [
    "FORMATS",
    "Source",
    "SourceReader",
    "json_text",
    "printable",
    "source_reader",
    "use_colour",
    "write",
    "write_statistics",
    "write_text",
]

FORMATS = ("text", "concise", "full", "json", "json-lines", "github", "sarif", "junit")
HUMAN_FORMATS = ("text", "concise", "full")
"""The formats that mark fixable findings, may be coloured, and end with a summary."""


# ------------------------------------------------------------------- colour
def use_colour(out: TextIO) -> bool:
    """Colour for a terminal: ``NO_COLOR`` (set, not empty) turns it off, ``FORCE_COLOR``
    (set, not empty) on even when ``out`` is not a terminal (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty is not None and isatty())


class _Paint:
    """ANSI styles, or nothing."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def _style(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on and text else text

    def bold(self, text: str) -> str:
        return self._style("1", text)

    def code(self, text: str) -> str:
        return self._style("1;31", text)

    def fixable(self, text: str) -> str:
        return self._style("36", text)

    def gutter(self, text: str) -> str:
        return self._style("1;34", text)

    def removed(self, text: str) -> str:
        return self._style("31", text)

    def added(self, text: str) -> str:
        return self._style("32", text)


# ---------------------------------------------------------------------- text
def _line(
    file: ReportFile, diag: Diagnostic, paint: _Paint, marks: bool, fixer: bool
) -> str:
    result = file.result
    at = f"{where(result, diag.line)}:{start_column(result, diag)}"
    mark = ""
    if marks and file.marked(diag, fixer):
        mark = paint.fixable("[*]") + " "
    path = paint.bold(printable(str(result.path)))
    return f"{path}:{at}: {paint.code(diag.code)} {mark}{printable(diag.text)}"


def write_text(
    results: Sequence[FileResult],
    out: TextIO,
    *,
    summary: bool = True,
    hidden: int = 0,
    read: SourceReader | None = None,
    colour: bool = False,
    full: bool = False,
    fixes: bool = False,
    marks: bool = True,
) -> FixCounts:
    """``path:line:col: CODE message`` per finding; with ``marks`` and ``read`` (the files'
    settings and text) ``CODE [*] message`` when ``mlsmells fix`` fixes it, as the rule
    decided when it reported the finding, or with ``fixes`` (``--show-fixes``) or ``full``
    as the fixer tells (libcst's parse of each file with such a finding: it also knows the
    findings whose rule leaves the question to it); ``full`` adds the source and the
    suggested change. With ``summary``, a last line counts the findings (``hidden``: those
    a baseline left out), then a line the fixable ones. Returns the fixable counts."""
    paint = _Paint(colour)
    files = report_files(results, read)
    marks = marks and read is not None
    fixer = fixes or full
    findings = 0
    with_findings = 0
    for file in files:
        for diag in file.result.diagnostics:
            out.write(_line(file, diag, paint, marks, fixer) + "\n")
            if full:
                out.write(_context(file, diag, paint))
        findings += len(file.result.diagnostics)
        with_findings += bool(file.result.diagnostics)
    counts = fix_counts(files, fixer) if marks else FixCounts()
    if not summary:
        return counts
    failed = sum(r.error is not None for r in results)
    if findings:
        line = f"Found {plural(findings, 'finding')} in {plural(with_findings, 'file')}."
    elif failed:
        line = "No findings."
    elif results:
        line = "All checks passed."
    else:
        return counts
    if hidden:
        line += f" {hidden} more in the baseline."
    if failed:
        line += f" {plural(failed, 'file')} could not be checked."
    out.write(paint.bold(line) + "\n")
    fixable = counts.summary()
    if fixable is not None:
        out.write(fixable + "\n")
    return counts


# ---------------------------------------------------------------------- full
_MAX_SHOWN = 6
"""Lines of a finding's span (and of a fix's change) shown at most."""


def _context(file: ReportFile, diag: Diagnostic, paint: _Paint) -> str:
    """The finding's source lines with carets under its span, and the help line."""
    result = file.result
    last = min(diag.end_line, diag.line + _MAX_SHOWN - 1)
    shown = [(n, file.line(n)) for n in range(diag.line, last + 1)]
    if any(text is None for _, text in shown):
        return ""
    numbers = [str(_display_row(result, n)) for n, _ in shown]
    width = max(len(n) for n in numbers)
    bar = paint.gutter(" " * width + " |")
    parts = [bar + "\n"]
    for (n, text), label in zip(shown, numbers, strict=True):
        assert text is not None
        parts.append(f"{paint.gutter(label.rjust(width) + ' |')} {printable(text)}\n")
        start = start_column(result, diag) - 1 if n == diag.line else _indent(text)
        end = result.char_col(n, diag.end_col) if n == diag.end_line else len(text)
        start_cells = len(printable(text[:start]))
        span_cells = max(1, len(printable(text[start:end])))
        carets = "^" * span_cells
        code = f" {diag.code}" if n == last else ""
        parts.append(f"{bar} {' ' * start_cells}{paint.code(carets + code)}\n")
    parts.append(bar + "\n")
    parts.append(_help(file, diag, paint, width))
    return "".join(parts) + "\n"


def _display_row(result: FileResult, line: int) -> int:
    if result.line_map is not None and line in result.line_map:
        return result.line_map[line][1]
    return line


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _help(file: ReportFile, diag: Diagnostic, paint: _Paint, width: int) -> str:
    pad = " " * width
    fix = file.suggestions().get(diag)
    if fix is None:
        return f"{pad} = {paint.bold('help:')} no automatic fix; see `mlsmells rule {diag.code}`\n"
    safety = "" if fix.applicability is records.Fix.SAFE else " (unsafe fix: --unsafe-fixes)"
    if fix.needs is not None:
        safety = f" (display-only fix: it needs {fix.needs}, which the project does not)"
    parts = [f"{pad} = {paint.bold('help:')} {printable(fix.message)}{safety}\n"]
    for edit in fix.edits:
        first, last = edit.start[0], edit.end[0]
        old = [file.line(n) for n in range(first, last + 1)]
        if any(text is None for text in old) or last - first >= _MAX_SHOWN:
            continue
        before = "\n".join(text or "" for text in old)
        start = edit.start[1]
        end = len(before) - (len(old[-1] or "") - edit.end[1])
        after = before[:start] + edit.content + before[end:]
        label = str(_display_row(file.result, first)).rjust(width)
        for text in before.split("\n") if before else []:
            parts.append(paint.removed(f"{label} - {printable(text)}") + "\n")
        new_lines = after.split("\n")
        if new_lines and new_lines[-1] == "" and after.endswith("\n"):
            new_lines.pop()
        for text in new_lines[:_MAX_SHOWN]:
            parts.append(paint.added(f"{label} + {printable(text)}") + "\n")
    return "".join(parts)


# ---------------------------------------------------------------- dispatcher
def write(
    fmt: str,
    results: Sequence[FileResult],
    out: TextIO,
    *,
    read: SourceReader | None = None,
    summary: bool = True,
    hidden: int = 0,
    colour: bool = False,
    fixes: bool = False,
    marks: bool = True,
) -> None:
    """Write ``results`` in format ``fmt`` (one of :data:`FORMATS`).

    ``read`` gives the files' settings and text, for fixes (and the ``full`` format's source
    lines); ``summary``, ``hidden``, ``colour``, ``marks`` (mark the fixable findings) and
    ``fixes`` (ask the fixer which they are) are for the human formats.
    """
    if fmt in HUMAN_FORMATS:
        write_text(
            results,
            out,
            summary=summary and fmt != "concise",
            hidden=hidden,
            read=read,
            colour=colour,
            full=fmt == "full",
            fixes=fixes,
            marks=marks,
        )
    elif fmt == "json":
        formats.write_json(results, out, read)
    elif fmt == "json-lines":
        formats.write_json_lines(results, out, read)
    elif fmt == "github":
        formats.write_github(results, out)
    elif fmt == "sarif":
        formats.write_sarif(results, out, read)
    elif fmt == "junit":
        formats.write_junit(results, out)
    else:
        raise ValueError(f"unknown output format {fmt!r}")


# ---------------------------------------------------------------- statistics
def statistics(
    results: Sequence[FileResult], read: SourceReader | None = None, fixer: bool = False
) -> list[tuple[str, int, int]]:
    """(code, number of findings, number of them ``mlsmells fix`` fixes: as their rules
    decided, or as the ``fixer`` tells), the most frequent first (the fixable counts are 0
    without ``read``)."""
    counts = Counter[str]()
    fixable = Counter[str]()
    for file in report_files(results, read):
        for diag in file.result.diagnostics:
            counts[diag.code] += 1
            if read is not None and file.marked(diag, fixer):
                fixable[diag.code] += 1
    rows = [(code, count, fixable[code]) for code, count in counts.items()]
    return sorted(rows, key=lambda item: (-item[1], item[0]))


def write_statistics(
    results: Sequence[FileResult],
    out: TextIO,
    *,
    as_json: bool = False,
    read: SourceReader | None = None,
    fixer: bool = False,
) -> None:
    """``--statistics``: the number of findings per code, how many of them ``mlsmells fix``
    fixes (``fixer``: as the fixer tells), and a total (a JSON list of records with
    ``as_json``)."""
    rows = statistics(results, read, fixer)
    if as_json:
        data = [
            {"code": code, "name": _name(code), "count": count, "fixable": fixes}
            for code, count, fixes in rows
        ]
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    if not rows:
        return
    total = sum(count for _, count, _ in rows)
    fixable = sum(fixes for _, _, fixes in rows)
    width = max(len(str(total)), len("count"))
    fix_width = len("fixable")
    code_width = max(len(code) for code, _, _ in rows)
    out.write(f"{'count':>{width}}  {'fixable':>{fix_width}}  {'code':<{code_width}}  name\n")
    for code, count, fixes in rows:
        shown = str(fixes) if fixes else "-"
        out.write(f"{count:>{width}}  {shown:>{fix_width}}  {code:<{code_width}}  {_name(code)}\n")
    out.write(f"{total:>{width}}  {fixable:>{fix_width}}  {'total':<{code_width}}\n")


def _name(code: str) -> str:
    rule = registry.FACTS.get(code)
    return rule.name if rule is not None else records.INTERNAL_ERROR_SYMBOL
