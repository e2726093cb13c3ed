"""The report formats of ``mlsmells check`` and ``mlsmells fix`` (``--output-format``).

=============  ===============================================================
``text``       ``path:line:col: CODE message`` per finding, then a summary line
``concise``    the same lines, no summary (flake8's output, for grep and editors)
``json``       a JSON list of records (code, symbol, message, filename, cell,
               location, end_location, url, fix), modelled on ruff's
``json-lines`` the same records, one JSON object per line
``github``     GitHub Actions workflow commands (``::error file=...::...``)
``sarif``      a SARIF 2.1.0 log (GitHub code scanning and other viewers)
``junit``      JUnit XML, one test suite per file, a failing test per finding
=============  ===============================================================

Columns: ``text``, ``concise``, ``json`` and ``junit`` count UTF-8 bytes + 1,
as flake8 does; ``github`` and ``sarif`` count characters + 1 (SARIF's
``unicodeCodePoints``), which is what their viewers expect. In a notebook,
lines are counted inside the cell, and ``cell`` gives the cell number.

Control characters in file names and messages (a newline, a carriage return,
an escape sequence ...) never reach the output raw: a file whose name holds
``\\n::error::`` must not start a second line that a terminal or GitHub Actions
interprets. The line formats show them escaped as Python would (:func:`printable`:
a newline is the two characters backslash and ``n``, ESC is backslash ``x1b``);
JSON and SARIF keep the exact text, every control character written as a JSON
escape (:func:`json_text`).

The ``fix`` of a JSON record and the ``fixes`` of a SARIF result are what
``mlsmells fix`` would change for that finding alone (see
:mod:`mlsmells.fixes.suggest`); computing them re-reads the files.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

import mlsmells
from mlsmells import records, registry
from mlsmells.config import ConfigError, Settings, SettingsCache
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.files import split_lines
from mlsmells.runner import FileResult
from mlsmells.sources import NOTEBOOK_SUFFIX, FileError

if TYPE_CHECKING:  # imported when a format shows fixes: libcst is slow to import
    from mlsmells.fixes.suggest import Suggestion

FORMATS = ("text", "concise", "json", "json-lines", "github", "sarif", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/mlsmells/mlsmells"
SOURCE_ROOT = "%SRCROOT%"


# ----------------------------------------------------------------- escaping
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""C0 and C1 controls, DEL, and the line and paragraph separators."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029]")
"""What :func:`json.dumps` leaves raw with ``ensure_ascii=False`` (it escapes C0 itself)."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` with its control characters escaped, fit for one line of a report."""
    return _CONTROL.sub(_escape, text)


def json_text(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON (UTF-8 text kept as it is), every control character escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@dataclass(frozen=True)
class Source:
    """The text a file's findings were reported in, and what fixing it needs."""

    text: str
    """For a notebook: its code cells as one module (the text the findings refer to)."""
    settings: Settings
    masked: frozenset[int] = frozenset()
    """Lines no fix may touch (a notebook's IPython syntax)."""


SourceReader = Callable[[Path], "Source | None"]


def source_reader(settings: SettingsCache) -> SourceReader:
    """Read a checked file again (``None`` when it cannot be read any more)."""
    from mlsmells.fixes.files import read_source_file

    def read(path: Path) -> Source | None:
        try:
            config = settings.for_path(path)
            if path.suffix == NOTEBOOK_SUFFIX:
                from mlsmells import notebooks  # (not imported by a run without notebooks)

                notebook = notebooks.read_for_runner(path)
                masked = frozenset(
                    cell.start + n
                    for cell in notebook.cells
                    for n, is_masked in enumerate(cell.is_masked)
                    if is_masked
                )
                return Source(notebook.source, config, masked)
            return Source(read_source_file(path).text, config)
        except (ConfigError, FileError):
            return None

    return read


# ----------------------------------------------------------------- positions
def _row(result: FileResult, line: int) -> tuple[int | None, int]:
    """(cell, row) of a line of the checked source; the cell is None outside notebooks."""
    if result.line_map is not None and line in result.line_map:
        return result.line_map[line]
    return None, line


def _where(result: FileResult, line: int) -> str:
    cell, row = _row(result, line)
    return f"cell {cell}:{row}" if cell is not None else f"{row}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _File:
    """One file's findings with lazy access to its text (for characters and fixes)."""

    def __init__(self, result: FileResult, read: SourceReader | None) -> None:
        self.result = result
        self._read = read
        self._loaded = False
        self._source: Source | None = None
        self._lines: list[str] = []

    @property
    def source(self) -> Source | None:
        if not self._loaded:
            self._loaded = True
            if self._read is not None and self.result.error is None:
                self._source = self._read(self.result.path)
                if self._source is not None:
                    self._lines = split_lines(self._source.text)
        return self._source

    @property
    def is_notebook(self) -> bool:
        return self.result.line_map is not None

    def char_col(self, line: int, byte_col: int) -> int:
        """The character offset of a UTF-8 byte offset (the byte offset if the text is gone)."""
        if self.source is None or not 1 <= line <= len(self._lines):
            return byte_col
        return len(self._lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))

    def byte_col(self, line: int, char_col: int) -> int:
        if self.source is None or not 1 <= line <= len(self._lines):
            return char_col
        return len(self._lines[line - 1][:char_col].encode("utf-8"))

    def suggestions(self) -> dict[Diagnostic, Suggestion]:
        """The fix of each finding that has one."""
        source = self.source
        if source is None or not self.result.diagnostics:
            return {}
        from mlsmells.fixes.suggest import suggest

        found = suggest(source.text, self.result.diagnostics, source.settings)
        if source.masked:
            found = {
                diag: fix
                for diag, fix in found.items()
                if not any(
                    line in source.masked
                    for edit in fix.edits
                    for line in range(edit.start[0], edit.end[0] + 1)
                )
            }
        return found

    def edit_position(self, line: int, char_col: int) -> tuple[int | None, int, int] | None:
        """(cell, row, byte column) of an edit position; ``None`` if it is outside every cell."""
        if not self.is_notebook:
            return None, line, self.byte_col(line, char_col)
        assert self.result.line_map is not None
        if line in self.result.line_map:
            cell, row = self.result.line_map[line]
            return cell, row, self.byte_col(line, char_col)
        if char_col == 0 and line - 1 in self.result.line_map:  # just after a cell's last line
            cell, row = self.result.line_map[line - 1]
            return cell, row + 1, 0
        return None


# ---------------------------------------------------------------------- text
def write_text(
    results: Sequence[FileResult], out: TextIO, *, summary: bool = True, hidden: int = 0
) -> None:
    """``path:line:col: CODE message``; the column is the UTF-8 byte offset + 1, as in flake8.

    With ``summary``, a last line counts the findings (``hidden``: those a
    baseline left out).
    """
    findings = 0
    files = 0
    for result in results:
        for diag in result.diagnostics:
            where = f"{_where(result, diag.line)}:{diag.col + 1}"
            out.write(f"{printable(str(result.path))}:{where}: {printable(diag.message)}\n")
        findings += len(result.diagnostics)
        files += bool(result.diagnostics)
    if not summary:
        return
    failed = sum(r.error is not None for r in results)
    if findings:
        line = f"Found {_plural(findings, 'finding')} in {_plural(files, 'file')}."
    elif failed:
        line = "No findings."
    elif results:
        line = "All checks passed."
    else:
        return
    if hidden:
        line += f" {hidden} more in the baseline."
    if failed:
        line += f" {_plural(failed, 'file')} could not be checked."
    out.write(line + "\n")


# ---------------------------------------------------------------------- json
def json_record(
    result: FileResult, diag: Diagnostic, fix: dict[str, object] | None = None
) -> dict[str, object]:
    rule = registry.RULES.get(diag.code)
    cell, row = _row(result, diag.line)
    _, end_row = _row(result, diag.end_line)
    return {
        "code": diag.code,
        "symbol": rule.symbol if rule is not None else records.INTERNAL_ERROR_SYMBOL,
        "message": diag.text,
        "filename": str(result.path),
        "cell": cell,
        "location": {"row": row, "column": diag.col + 1},
        "end_location": {"row": end_row, "column": diag.end_col + 1},
        "url": rule.url if rule is not None else None,
        "fix": fix,
    }


def _json_fix(file: _File, fix: Suggestion) -> dict[str, object] | None:
    edits: list[dict[str, object]] = []
    for edit in fix.edits:
        start = file.edit_position(*edit.start)
        end = file.edit_position(*edit.end)
        if start is None or end is None:
            return None
        record: dict[str, object] = {
            "content": edit.content,
            "location": {"row": start[1], "column": start[2] + 1},
            "end_location": {"row": end[1], "column": end[2] + 1},
        }
        if file.is_notebook:
            record["cell"] = start[0]
        edits.append(record)
    record = {"applicability": fix.kind, "message": fix.message, "edits": edits}
    if fix.needs is not None:
        record["needs"] = fix.needs
    return record


def _records(files: Iterable[_File]) -> Iterable[dict[str, object]]:
    for file in files:
        fixes = file.suggestions()
        for diag in file.result.diagnostics:
            fix = fixes.get(diag)
            yield json_record(file.result, diag, _json_fix(file, fix) if fix is not None else None)


def write_json(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    out.write(json_text(list(_records(_files(results, read))), indent=2) + "\n")


def write_json_lines(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    for record in _records(_files(results, read)):
        out.write(json_text(record) + "\n")


def _files(results: Sequence[FileResult], read: SourceReader | None) -> list[_File]:
    return [_File(result, read) for result in results]


# -------------------------------------------------------------------- github
def _escape_data(text: str) -> str:
    """GitHub's escapes (which its runner decodes: the annotation shows the exact text), and
    the other control characters as :func:`printable` shows them."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    """GitHub Actions annotations; a notebook's findings annotate the file as a whole."""
    for file in _files(results, read):
        result = file.result
        path = _escape_property(str(result.path))
        if result.error is not None:
            where = ""
            if result.error.line is not None:
                where = f",line={result.error.line},col={result.error.column or 1}"
            reason = _escape_data(str(result.error))
            out.write(f"::error file={path}{where},title=mlsmells::{reason}\n")
        for diag in result.diagnostics:
            title = _escape_property(diag.code)
            if file.is_notebook:
                where = f"{_where(result, diag.line)}:{diag.col + 1}"
                text = _escape_data(f"{where}: {diag.text}")
                out.write(f"::error file={path},title={title}::{text}\n")
                continue
            col = file.char_col(diag.line, diag.col) + 1
            end_col = file.char_col(diag.end_line, diag.end_col) + 1
            out.write(
                f"::error file={path},line={diag.line},col={col},endLine={diag.end_line},"
                f"endColumn={end_col},title={title}::{_escape_data(diag.text)}\n"
            )


# --------------------------------------------------------------------- sarif
_LEVELS = {"E": "error", "F": "error", "W": "warning", "C": "note", "R": "note"}


def _level(code: str) -> str:
    rule = registry.RULES.get(code)
    letter = rule.pylint_id[0] if rule is not None else records.INTERNAL_ERROR_PYLINT_ID[0]
    return _LEVELS[letter]


def _rule_descriptor(code: str) -> dict[str, object]:
    rule = registry.RULES.get(code)
    if rule is None:  # ML000: a rule failed on a file
        return {
            "id": code,
            "name": records.INTERNAL_ERROR_SYMBOL,
            "shortDescription": {"text": "An mlsmells rule failed on this file."},
            "fullDescription": {
                "text": "An mlsmells rule raised an error; the message names the rule. "
                "Please report it."
            },
            "defaultConfiguration": {"level": _level(code)},
        }
    fix = "no automatic fix" if rule.fix is records.Fix.NONE else f"{rule.fix.value} fix"
    help_text = f"{rule.summary}\n\n{rule.rationale}\n\nDocumentation: {rule.url}"
    help_markdown = f"{rule.summary}\n\n{rule.rationale}\n\n[{rule.code} documentation]({rule.url})"
    return {
        "id": rule.code,
        "name": rule.symbol,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": _level(rule.code), "enabled": rule.default_enabled},
        "properties": {"tags": [rule.family.value, fix], "pylintId": rule.pylint_id},
    }


def _artifact(path: Path) -> dict[str, str]:
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": SOURCE_ROOT}


def _region(start: tuple[int, int], end: tuple[int, int]) -> dict[str, int]:
    """A SARIF region from two (line, character column) positions, 0-based columns."""
    return {
        "startLine": start[0],
        "startColumn": start[1] + 1,
        "endLine": end[0],
        "endColumn": end[1] + 1,
    }


def sarif_log(results: Sequence[FileResult], read: SourceReader | None = None) -> dict[str, Any]:
    files = _files(results, read)
    codes = sorted({d.code for f in files for d in f.result.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    relative = False
    for file in files:
        result = file.result
        artifact = _artifact(result.path)
        relative = relative or not result.path.is_absolute()
        if result.error is not None:
            location: dict[str, Any] = {"artifactLocation": artifact}
            if result.error.line is not None:
                location["region"] = {
                    "startLine": result.error.line,
                    "startColumn": result.error.column or 1,
                }
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": str(result.error)},
                    "locations": [{"physicalLocation": location}],
                }
            )
        for notice in result.notices:
            notifications.append(
                {
                    "level": "note",
                    "message": {"text": notice.lstrip(": ")},
                    "locations": [{"physicalLocation": {"artifactLocation": artifact}}],
                }
            )
        fixes = {} if file.is_notebook else file.suggestions()
        for diag in result.diagnostics:
            entry: dict[str, Any] = {
                "ruleId": diag.code,
                "ruleIndex": index[diag.code],
                "level": _level(diag.code),
                "message": {"text": diag.text},
            }
            if file.is_notebook:
                cell, row = _row(result, diag.line)
                entry["message"] = {"text": f"cell {cell}, line {row}: {diag.text}"}
                entry["locations"] = [{"physicalLocation": {"artifactLocation": artifact}}]
                entry["properties"] = {"cell": cell, "line": row, "column": diag.col + 1}
            else:
                start = (diag.line, file.char_col(diag.line, diag.col))
                end = (diag.end_line, file.char_col(diag.end_line, diag.end_col))
                entry["locations"] = [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": _region(start, end),
                        }
                    }
                ]
            fix = fixes.get(diag)
            if fix is not None:
                entry["fixes"] = [
                    {
                        "description": {"text": _fix_description(fix)},
                        "artifactChanges": [
                            {
                                "artifactLocation": artifact,
                                "replacements": [
                                    {
                                        "deletedRegion": _region(edit.start, edit.end),
                                        "insertedContent": {"text": edit.content},
                                    }
                                    for edit in fix.edits
                                ],
                            }
                        ],
                    }
                ]
            sarif_results.append(entry)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mlsmells",
                "version": mlsmells.__version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(code) for code in codes],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(f.result.error for f in files),
                "toolExecutionNotifications": notifications,
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    if relative:
        run["originalUriBaseIds"] = {SOURCE_ROOT: {"uri": Path.cwd().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _fix_description(fix: Suggestion) -> str:
    if fix.needs is None:
        return f"{fix.message} ({fix.kind} fix)"
    return f"{fix.message} (display-only fix: it needs {fix.needs}, which the project does not)"


def write_sarif(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    out.write(json_text(sarif_log(results, read), indent=2) + "\n")


# --------------------------------------------------------------------- junit
def _classname(path: Path) -> str:
    return printable(path.with_suffix("").as_posix().replace("/", "."))


def write_junit(results: Sequence[FileResult], out: TextIO) -> None:
    """JUnit XML: a suite per file; a failing case per finding, an error case per unreadable file,
    one passing case for a clean file. (Control characters are escaped: most are not
    allowed in XML at all.)"""
    import xml.etree.ElementTree as ET  # (only this format needs it)

    suites = ET.Element("testsuites", name="mlsmells")
    totals = Counter[str]()
    for result in results:
        path = printable(str(result.path))
        cases: list[ET.Element] = []
        failures = errors = 0
        if result.error is not None:
            case = ET.Element("testcase", name="mlsmells", classname=_classname(result.path))
            case.set("file", path)
            reason = printable(str(result.error))
            error = ET.SubElement(case, "error", message=reason)
            error.text = f"{path}{result.error.location}: {reason}"
            cases.append(case)
            errors += 1
        for diag in result.diagnostics:
            where = f"{_where(result, diag.line)}:{diag.col + 1}"
            case = ET.Element(
                "testcase", name=f"{diag.code} {where}", classname=_classname(result.path)
            )
            case.set("file", path)
            case.set("line", str(_row(result, diag.line)[1]))
            failure = ET.SubElement(case, "failure", message=printable(diag.text), type=diag.code)
            failure.text = f"{path}:{where}: {printable(diag.message)}"
            cases.append(case)
            failures += 1
        if not cases:
            case = ET.Element("testcase", name="mlsmells", classname=_classname(result.path))
            case.set("file", path)
            cases.append(case)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(len(cases)),
            failures=str(failures),
            errors=str(errors),
        )
        suite.extend(cases)
        totals.update(tests=len(cases), failures=failures, errors=errors)
    for key in ("tests", "failures", "errors"):
        suites.set(key, str(totals[key]))
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


# ---------------------------------------------------------------- dispatcher
def write(
    fmt: str,
    results: Sequence[FileResult],
    out: TextIO,
    *,
    read: SourceReader | None = None,
    summary: bool = True,
    hidden: int = 0,
) -> None:
    """Write ``results`` in format ``fmt`` (one of :data:`FORMATS`).

    ``read`` gives the files' text, for character columns and fixes;
    ``summary`` and ``hidden`` are for the text format.
    """
    if fmt == "text":
        write_text(results, out, summary=summary, hidden=hidden)
    elif fmt == "concise":
        write_text(results, out, summary=False)
    elif fmt == "json":
        write_json(results, out, read)
    elif fmt == "json-lines":
        write_json_lines(results, out, read)
    elif fmt == "github":
        write_github(results, out, read)
    elif fmt == "sarif":
        write_sarif(results, out, read)
    elif fmt == "junit":
        write_junit(results, out)
    else:
        raise ValueError(f"unknown output format {fmt!r}")


# ---------------------------------------------------------------- statistics
def statistics(results: Sequence[FileResult]) -> list[tuple[str, int]]:
    """(code, number of findings), the most frequent first."""
    counts = Counter(d.code for r in results for d in r.diagnostics)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def write_statistics(results: Sequence[FileResult], out: TextIO, *, as_json: bool = False) -> None:
    """``--statistics``: the number of findings per code (a JSON list with ``as_json``)."""
    rows = statistics(results)
    if as_json:
        records = [{"code": code, "name": _name(code), "count": count} for code, count in rows]
        json.dump(records, out, indent=2)
        out.write("\n")
        return
    if not rows:
        return
    width = max(len(str(count)) for _, count in rows)
    for code, count in rows:
        out.write(f"{count:>{width}}  {code}  {_name(code)}\n")


def _name(code: str) -> str:
    rule = registry.RULES.get(code)
    return rule.name if rule is not None else records.INTERNAL_ERROR_SYMBOL
