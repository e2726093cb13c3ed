"""The machine-readable report formats: ``json``, ``json-lines``, ``github``, ``sarif``
and ``junit`` (positions, escaping and fixes: :mod:`mlsmells.report`).

=============  ===============================================================
``json``       a JSON list of records (code, symbol, message, filename, cell,
               location, end_location, url, fix), modelled on ruff's
``json-lines`` the same records, one JSON object per line
``github``     GitHub Actions workflow commands (``::error file=...::...``)
``sarif``      a SARIF 2.1.0 log (GitHub code scanning and other viewers)
``junit``      JUnit XML, one test suite per file, a failing test per finding
=============  ===============================================================

The ``fix`` of a JSON record and the ``fixes`` of a SARIF result are what
``mlsmells fix`` would change for that finding alone (see
:mod:`mlsmells.fixes.suggest`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

import mlsmells
from mlsmells import records, registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.report import (
    ReportFile,
    SourceReader,
    end_column,
    json_text,
    printable,
    report_files,
    row,
    start_column,
    where,
)
from mlsmells.runner import FileResult

if TYPE_CHECKING:
    from mlsmells.fixes.suggest import Suggestion

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/mlsmells/mlsmells"
SOURCE_ROOT = "%SRCROOT%"


# ---------------------------------------------------------------------- json
def json_record(
    result: FileResult, diag: Diagnostic, fix: dict[str, object] | None = None
) -> dict[str, object]:
    rule = registry.FACTS.get(diag.code)
    cell, line = row(result, diag.line)
    _, end_line = row(result, diag.end_line)
    return {
        "code": diag.code,
        "symbol": rule.symbol if rule is not None else records.INTERNAL_ERROR_SYMBOL,
        "message": diag.text,
        "filename": str(result.path),
        "cell": cell,
        "location": {"row": line, "column": start_column(result, diag)},
        "end_location": {"row": end_line, "column": end_column(result, diag)},
        "url": rule.url if rule is not None else None,
        "fix": fix,
    }


def _json_fix(file: ReportFile, fix: Suggestion) -> dict[str, object] | None:
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
    found: dict[str, object] = {"applicability": fix.kind, "message": fix.message, "edits": edits}
    if fix.needs is not None:
        found["needs"] = fix.needs
    return found


def _records(files: Iterable[ReportFile]) -> Iterable[dict[str, object]]:
    for file in files:
        fixes = file.suggestions()
        for diag in file.result.diagnostics:
            fix = fixes.get(diag)
            yield json_record(file.result, diag, _json_fix(file, fix) if fix is not None else None)


def write_json(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    out.write(json_text(list(_records(report_files(results, read))), indent=2) + "\n")


def write_json_lines(
    results: Sequence[FileResult], out: TextIO, read: SourceReader | None = None
) -> None:
    for record in _records(report_files(results, read)):
        out.write(json_text(record) + "\n")


# -------------------------------------------------------------------- github
def _escape_data(text: str) -> str:
    """GitHub's escapes (which its runner decodes: the annotation shows the exact text), and
    the other control characters as :func:`printable` shows them."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(results: Sequence[FileResult], out: TextIO) -> None:
    """GitHub Actions annotations; a notebook's findings annotate the file as a whole."""
    for result in results:
        path = _escape_property(str(result.path))
        if result.error is not None:
            at = ""
            if result.error.line is not None:
                at = f",line={result.error.line},col={result.error.column or 1}"
            reason = _escape_data(str(result.error))
            out.write(f"::error file={path}{at},title=mlsmells::{reason}\n")
        for diag in result.diagnostics:
            title = _escape_property(diag.code)
            col = start_column(result, diag)
            if result.line_map is not None:
                text = _escape_data(f"{where(result, diag.line)}:{col}: {diag.text}")
                out.write(f"::error file={path},title={title}::{text}\n")
                continue
            out.write(
                f"::error file={path},line={diag.line},col={col},endLine={diag.end_line},"
                f"endColumn={end_column(result, diag)},title={title}::{_escape_data(diag.text)}\n"
            )


# --------------------------------------------------------------------- sarif
_LEVELS = {"E": "error", "F": "error", "W": "warning", "C": "note", "R": "note"}


def _level(code: str) -> str:
    rule = registry.FACTS.get(code)
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


def _notifications(result: FileResult, artifact: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if result.error is not None:
        location: dict[str, Any] = {"artifactLocation": artifact}
        if result.error.line is not None:
            location["region"] = {
                "startLine": result.error.line,
                "startColumn": result.error.column or 1,
            }
        found.append(
            {
                "level": "error",
                "message": {"text": str(result.error)},
                "locations": [{"physicalLocation": location}],
            }
        )
    for notice in result.notices:
        found.append(
            {
                "level": "note",
                "message": {"text": notice.lstrip(": ")},
                "locations": [{"physicalLocation": {"artifactLocation": artifact}}],
            }
        )
    return found


def _fix_description(fix: Suggestion) -> str:
    if fix.needs is None:
        return f"{fix.message} ({fix.kind} fix)"
    return f"{fix.message} (display-only fix: it needs {fix.needs}, which the project does not)"


def _sarif_fix(fix: Suggestion, artifact: dict[str, str]) -> dict[str, Any]:
    return {
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


def sarif_log(results: Sequence[FileResult], read: SourceReader | None = None) -> dict[str, Any]:
    files = report_files(results, read)
    codes = sorted({d.code for f in files for d in f.result.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    relative = False
    for file in files:
        result = file.result
        artifact = _artifact(result.path)
        relative = relative or not result.path.is_absolute()
        notifications.extend(_notifications(result, artifact))
        fixes = {} if file.is_notebook else file.suggestions()
        for diag in result.diagnostics:
            entry: dict[str, Any] = {
                "ruleId": diag.code,
                "ruleIndex": index[diag.code],
                "level": _level(diag.code),
                "message": {"text": diag.text},
            }
            if file.is_notebook:
                cell, line = row(result, diag.line)
                entry["message"] = {"text": f"cell {cell}, line {line}: {diag.text}"}
                entry["locations"] = [{"physicalLocation": {"artifactLocation": artifact}}]
                entry["properties"] = {
                    "cell": cell,
                    "line": line,
                    "column": start_column(result, diag),
                }
            else:
                start = (diag.line, start_column(result, diag) - 1)
                end = (diag.end_line, end_column(result, diag) - 1)
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
                entry["fixes"] = [_sarif_fix(fix, artifact)]
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
            at = f"{where(result, diag.line)}:{start_column(result, diag)}"
            case = ET.Element(
                "testcase", name=f"{diag.code} {at}", classname=_classname(result.path)
            )
            case.set("file", path)
            case.set("line", str(row(result, diag.line)[1]))
            failure = ET.SubElement(case, "failure", message=printable(diag.text), type=diag.code)
            failure.text = f"{path}:{at}: {printable(diag.message)}"
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
