"""``mlsmells fix`` and ``mlsmells check --fix``: output, exit status, selection, examples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.frontends.cli import main
from mlsmells.records import Fix

EXAMPLES = Path(__file__).parent.parent / "examples"

SOURCE = """\
import torch
from sklearn.ensemble import RandomForestClassifier

model = RandomForestClassifier(n_estimators=10)
state = torch.load("m.pt")
kept = torch.load("trusted.pt")  # noqa: ML401
"""
SAFE = SOURCE.replace("n_estimators=10)", "n_estimators=10, random_state=42)")
ALL = SAFE.replace('torch.load("m.pt")', 'torch.load("m.pt", weights_only=True)')


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(SOURCE)
    return path


def test_fix_applies_safe_fixes_and_reports_what_is_left(
    script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fix", str(script)]) == 1
    assert script.read_text() == SAFE
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{script}:5:9: ML401 `torch.load` without `weights_only=` can unpickle arbitrary code",
        "Fixed 1 finding, 1 remaining. 1 unsafe fix held back "
        "(re-run with --unsafe-fixes to apply it).",
    ]


def test_unsafe_fixes_leave_nothing(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--unsafe-fixes", str(script)]) == 0
    assert script.read_text() == ALL
    assert capsys.readouterr().out == "Fixed 2 findings, 0 remaining.\n"
    assert main(["fix", "--unsafe-fixes", str(script)]) == 0
    assert capsys.readouterr().out == "All checks passed.\n"


def test_diff_writes_nothing(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--diff", "--unsafe-fixes", str(script)]) == 1
    assert script.read_text() == SOURCE
    captured = capsys.readouterr()
    assert captured.out == (
        f"--- {script}\n+++ {script}\n@@ -1,6 +1,6 @@\n"
        " import torch\n from sklearn.ensemble import RandomForestClassifier\n \n"
        "-model = RandomForestClassifier(n_estimators=10)\n"
        '-state = torch.load("m.pt")\n'
        "+model = RandomForestClassifier(n_estimators=10, random_state=42)\n"
        '+state = torch.load("m.pt", weights_only=True)\n'
        ' kept = torch.load("trusted.pt")  # noqa: ML401\n'
    )
    assert captured.err == "Would fix 2 findings, 0 remaining.\n"


def test_diff_without_changes_or_findings_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clean.py"
    path.write_text(ALL)
    assert main(["fix", "--diff", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_diff_without_changes_but_with_findings_is_1(
    script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fix", "--diff", "--select", "ML401", str(script)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 unsafe fix held back" in captured.err


def test_check_fix_is_fix(script: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.py"
    other.write_text(SOURCE)
    assert main(["fix", str(script)]) == 1
    via_fix = capsys.readouterr().out.replace(str(script), "X")
    assert main(["check", "--fix", str(other)]) == 1
    via_check = capsys.readouterr().out.replace(str(other), "X")
    assert via_check == via_fix
    assert other.read_text() == script.read_text() == SAFE


def test_check_diff_is_fix_diff(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--diff", str(script)]) == 1
    via_check = capsys.readouterr()
    assert main(["fix", "--diff", str(script)]) == 1
    assert capsys.readouterr() == via_check
    assert script.read_text() == SOURCE


def test_show_fixes(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--unsafe-fixes", "--show-fixes", str(script)]) == 0
    assert capsys.readouterr().out == (
        "Fixed 2 findings:\n"
        f"- {script}:\n"
        "    1 × ML101 (random-state-not-set)\n"
        "    1 × ML401 (torch-load-unsafe)\n"
        "Fixed 2 findings, 0 remaining.\n"
    )


def test_selection_limits_what_is_fixed(script: Path) -> None:
    assert main(["fix", "--unsafe-fixes", "--select", "ML4", str(script)]) == 0
    assert script.read_text() == SOURCE.replace(
        'torch.load("m.pt")', 'torch.load("m.pt", weights_only=True)'
    )
    assert main(["fix", "--unsafe-fixes", "--ignore", "ML1", str(script)]) == 0
    assert "random_state" not in script.read_text()


def test_check_fix_json_and_exit_zero(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--fix", "--output-format", "json", "--exit-zero", str(script)]) == 0
    captured = capsys.readouterr()
    records = json.loads(captured.out)
    assert [(r["code"], r["location"]["row"]) for r in records] == [("ML401", 5)]
    assert captured.err.startswith("Fixed 1 finding, 1 remaining.")


def test_no_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", str(tmp_path)]) == 0
    assert capsys.readouterr().err == "mlsmells: warning: no Python files found\n"


def test_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's acceptance: fix leaves only findings without a safe fix, and
    fix --unsafe-fixes only findings without any fix."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    before = {p.name: p.read_text() for p in folder.glob("*.py")}
    assert main(["fix", "--diff", str(folder)]) == 1
    diff = capsys.readouterr().out
    assert "+model = RandomForestClassifier(n_estimators=300, random_state=42)\n" in diff
    assert {p.name: p.read_text() for p in folder.glob("*.py")} == before

    main(["fix", str(folder)])
    capsys.readouterr()
    main(["check", "--output-format", "json", str(folder)])
    left = {r["code"] for r in json.loads(capsys.readouterr().out)}
    assert all(registry.get(code).fix is not Fix.SAFE for code in left), left

    main(["fix", "--unsafe-fixes", str(folder)])
    capsys.readouterr()
    main(["check", "--output-format", "json", str(folder)])
    left = {r["code"] for r in json.loads(capsys.readouterr().out)}
    assert all(registry.get(code).fix is Fix.NONE for code in left), left
