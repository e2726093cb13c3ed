"""``--output-format``: golden files for every format of ``check`` and ``fix``, SARIF schema.

The project under ``tests/fixtures/formats/project`` has a safe fix (ML101 in
``train.py``), an unsafe one on a line with non-ASCII text before the
finding (ML401 in ``load.py``: byte and character columns differ), a
notebook finding (ML202 in cell 3 of ``analysis.ipynb``) and a file that
does not parse. Each run's stdout is compared with
``tests/fixtures/formats/<command>.<format>.out``, after replacing the
current directory's URI and the version (SARIF) by placeholders.

To regenerate the golden files after a deliberate change (a rule's
message, a new field), run
``MLSMELLS_UPDATE_GOLDEN=1 python -m pytest -p no:cacheprovider tests/test_formats.py``
and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

import mlsmells
from mlsmells import formats, output, registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.frontends import cli
from mlsmells.runner import FileResult

HERE = Path(__file__).parent
FORMATS_DIR = HERE / "fixtures" / "formats"
PROJECT = FORMATS_DIR / "project"
SARIF_SCHEMA = HERE / "schemas" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("MLSMELLS_UPDATE_GOLDEN") == "1"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, as ``project/`` under the current directory."""
    shutil.copytree(PROJECT, tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = cli.main(list(argv))
    out, _ = capsys.readouterr()
    return status, out


def _normalised(text: str) -> str:
    """The output with what changes for other reasons than its format replaced by placeholders:
    the current directory, the version, and the rules' prose (checked elsewhere)."""
    text = text.replace(Path.cwd().as_uri(), "file:///CWD").replace(
        f'"version": "{mlsmells.__version__}"', '"version": "VERSION"'
    )
    prose = [
        (getattr(rule, field), f"<{rule.code} {field}>")
        for rule in registry.RULES.values()
        for field in ("rationale", "summary", "fix_summary")
        if getattr(rule, field)
    ]
    for value, placeholder in sorted(prose, key=lambda item: -len(item[0])):
        text = text.replace(json.dumps(value)[1:-1], placeholder).replace(value, placeholder)
    return text


def _golden(name: str, actual: str) -> None:
    path = FORMATS_DIR / name
    actual = _normalised(actual)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with MLSMELLS_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its golden file; if the change is wanted, regenerate with "
        "MLSMELLS_UPDATE_GOLDEN=1 (see this module's docstring)"
    )


# ------------------------------------------------------------------- golden
@pytest.mark.parametrize("fmt", output.FORMATS)
def test_check_golden(fmt: str, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "check", "--isolated", "--output-format", fmt, "project")
    assert status == 2  # findings, and broken.py does not parse
    _golden(f"check.{fmt}.out", out)


@pytest.mark.parametrize("fmt", output.FORMATS)
def test_fix_golden(fmt: str, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "fix", "--isolated", "--output-format", fmt, "project")
    assert status == 2
    assert "random_state=42" in (workdir / "project" / "train.py").read_text(encoding="utf-8")
    _golden(f"fix.{fmt}.out", out)


def test_statistics_golden(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "check", "--isolated", "--statistics", "project")
    assert status == 2
    _golden("check.statistics.out", out)
    _, out = _run(capsys, "check", "--isolated", "--statistics", "--output-format=json", "project")
    assert {r["code"]: r["count"] for r in json.loads(out)} == {
        "ML101": 1,
        "ML202": 1,
        "ML401": 1,
    }


def test_statistics_reject_formats_without_a_table(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--statistics", "--output-format", "sarif", "project"]) == 2
    assert "--statistics does not combine" in capsys.readouterr().err


# -------------------------------------------------------------------- sarif
def _sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    _, out = _run(capsys, "check", "--isolated", "--output-format=sarif", *argv)
    log = json.loads(out)
    assert isinstance(log, dict)
    return log


def test_sarif_is_valid_against_the_schema(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    for argv in (["project"], [str(workdir / "project")], ["project/train.py"]):
        log = _sarif(capsys, *argv)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    # The validator is not vacuous: a result without its message is rejected.
    broken = _sarif(capsys, "project")
    del broken["runs"][0]["results"][0]["message"]  # type: ignore[index]
    assert any(True for _ in validator.iter_errors(broken))


def test_sarif_content(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _sarif(capsys, "project")
    [run] = log["runs"]  # type: ignore[index]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"ML101", "ML202", "ML401"}
    for code, rule in rules.items():
        assert rule["helpUri"] == registry.get(code).url
        assert registry.get(code).rationale in rule["help"]["text"]
    by_rule = {result["ruleId"]: result for result in run["results"]}
    assert run["tool"]["driver"]["rules"][by_rule["ML401"]["ruleIndex"]]["id"] == "ML401"
    region = by_rule["ML401"]["locations"][0]["physicalLocation"]["region"]
    # `modèle = torch.load(...)`: column 10 in characters (11 in UTF-8 bytes).
    assert region == {"startLine": 3, "startColumn": 10, "endLine": 3, "endColumn": 32}
    [fix] = by_rule["ML401"]["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "project/load.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 31, "endLine": 3, "endColumn": 31},
            "insertedContent": {"text": ", weights_only=True"},
        }
    ]
    assert "unsafe" in fix["description"]["text"]
    notebook = by_rule["ML202"]
    assert notebook["properties"] == {"cell": 3, "line": 1, "column": 6}
    assert "region" not in notebook["locations"][0]["physicalLocation"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("syntax error")


def test_sarif_fix_applied_gives_the_fixed_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Applying a SARIF fix's replacements yields what `mlsmells fix` writes."""
    log = _sarif(capsys, "project/train.py")
    [result] = log["runs"][0]["results"]  # type: ignore[index]
    [change] = result["fixes"][0]["artifactChanges"]
    text = (workdir / "project" / "train.py").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for replacement in reversed(change["replacements"]):
        region = replacement["deletedRegion"]
        start = sum(map(len, lines[: region["startLine"] - 1])) + region["startColumn"] - 1
        end = sum(map(len, lines[: region["endLine"] - 1])) + region["endColumn"] - 1
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    assert cli.main(["fix", "--isolated", "project/train.py"]) == 0
    assert text == (workdir / "project" / "train.py").read_text(encoding="utf-8")


# --------------------------------------------------------------- json fixes
def test_json_fix_edits_apply_by_characters(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON columns are characters + 1, as in every CLI format; the edits apply to the text."""
    _, out = _run(capsys, "check", "--isolated", "--output-format=json", "project/load.py")
    [record] = json.loads(out)
    assert record["location"] == {"row": 3, "column": 10}
    [edit] = record["fix"]["edits"]
    text = (workdir / "project" / "load.py").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = sum(map(len, lines[: edit["location"]["row"] - 1])) + edit["location"]["column"] - 1
    assert edit["location"] == edit["end_location"]
    fixed = text[:start] + edit["content"] + text[start:]
    assert 'torch.load("model.pt", weights_only=True)' in fixed


def test_json_fix_of_a_notebook_is_in_cell_coordinates(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _run(capsys, "check", "--isolated", "--output-format=json", "project/analysis.ipynb")
    [record] = json.loads(out)
    assert record["cell"] == 3
    assert record["fix"]["applicability"] == "safe"
    for edit in record["fix"]["edits"]:
        assert edit["cell"] == 3


def test_json_lines_match_json(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, whole = _run(capsys, "check", "--isolated", "--output-format=json", "project")
    _, lines = _run(capsys, "check", "--isolated", "--output-format=json-lines", "project")
    assert json.loads(whole) == [json.loads(line) for line in lines.splitlines()]


def test_extend_safe_fixes_changes_the_reported_applicability(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "pyproject.toml").write_text('[tool.mlsmells]\nextend-safe-fixes = ["ML401"]\n')
    _, out = _run(capsys, "check", "--output-format=json", "project/load.py")
    assert json.loads(out)[0]["fix"]["applicability"] == "safe"


# ------------------------------------------------------------------- github
def test_github_escapes_properties_and_data() -> None:
    diag = Diagnostic(2, 0, "ML401", "ML401 50% done,\nreally: yes", 2, 4)
    result = FileResult(Path("a,b:c.py"), (diag,))
    buffer = io.StringIO()
    formats.write_github([result], buffer)
    assert buffer.getvalue() == (
        "::error file=a%2Cb%3Ac.py,line=2,col=1,endLine=2,endColumn=5,title=ML401"
        "::50%25 done,%0Areally: yes\n"
    )


# -------------------------------------------------------------------- junit
def test_junit_counts(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, "check", "--isolated", "--output-format=junit", "project")
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "3", "1")
    suites = {suite.get("name"): suite for suite in root}
    assert set(suites) == {
        "project/analysis.ipynb",
        "project/broken.py",
        "project/load.py",
        "project/train.py",
    }
    [case] = suites["project/load.py"]
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "ML401"


def test_junit_clean_file_is_a_passing_case(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "clean.py").write_text("x = 1\n")
    status, out = _run(capsys, "check", "--output-format=junit", "clean.py")
    root = ET.fromstring(out)
    assert status == 0
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
