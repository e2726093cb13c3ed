"""Adopting mlsmells in an existing code base: ``--add-noqa``, baselines, ``--exit-zero``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlsmells import registry
from mlsmells.baseline import fingerprint
from mlsmells.diagnostics import Diagnostic
from mlsmells.frontends import cli
from mlsmells.noqa import add_noqa

TRAINING = '''\
"""Train and save a forest; load a checkpoint for comparison."""
import torch
from sklearn.ensemble import RandomForestClassifier


def train(X, y):
    forest = RandomForestClassifier(n_estimators=10)
    forest.fit(X, y)
    return forest


def load(path):
    return torch.load(path)
'''


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def flake8(*argv: str) -> list[str]:
    """flake8's findings of the default mlsmells rules (and E501, whose noqa comments must
    survive) as lines."""
    select = ",".join(sorted({code[:3] for code in registry.select_codes()}))
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", f"--select={select},E501", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


# ------------------------------------------------------------------ baseline
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(TRAINING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_hides_recorded_findings_and_survives_edits_above(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "check", "--write-baseline", "mlsmells-baseline.json", "src")
    assert status == 0
    assert err == "Wrote 2 findings to the baseline mlsmells-baseline.json.\n"
    recorded = json.loads((project / "mlsmells-baseline.json").read_text())
    assert recorded["version"] == 1
    assert [(f["file"], f["code"], f["line"]) for f in recorded["findings"]] == [
        ("src/train.py", "ML101", 7),
        ("src/train.py", "ML401", 13),
    ]
    assert run(capsys, "check", "--baseline", "mlsmells-baseline.json", "src")[:2] == (
        0,
        "All checks passed. 2 more in the baseline.\n",
    )
    # Unrelated edits above the findings (new lines, re-indentation elsewhere) keep them known.
    script = project / "src" / "train.py"
    edited = TRAINING.replace(
        "import torch\n", "import os\n\nimport torch\n\nDATA = os.environ['DATA']\n"
    ).replace("def train(X, y):\n", "def train(X, y):\n    # a comment\n")
    script.write_text(edited, encoding="utf-8")
    assert run(capsys, "check", "--baseline", "mlsmells-baseline.json", "src")[0] == 0
    # A new finding is reported (and only it).
    script.write_text(edited + "\n\ndef again(p):\n    return torch.load(p)\n", encoding="utf-8")
    status, out, _ = run(
        capsys, "check", "--baseline", "mlsmells-baseline.json", "--output-format=concise", "src"
    )
    assert status == 1
    assert out == (
        "src/train.py:22:12: ML401 `torch.load` without `weights_only=` can unpickle "
        "arbitrary code\n"
    )
    # Editing a flagged line makes its finding new.
    script.write_text(edited.replace("return torch.load(path)", "return torch.load(path2)"))
    status, out, _ = run(
        capsys, "check", "--baseline", "mlsmells-baseline.json", "--output-format=concise", "src"
    )
    assert (status, out.count("ML401"), out.count("ML101")) == (1, 1, 0)


def test_baseline_counts_identical_lines(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = project / "src" / "load.py"
    script.write_text("import torch\na = torch.load(p)\nb = 1\n")
    assert run(capsys, "check", "--write-baseline", "base.json", str(script))[0] == 0
    script.write_text("import torch\na = torch.load(p)\na = torch.load(p)\n")
    status, out, _ = run(
        capsys, "check", "--baseline", "base.json", "--output-format=concise", "src/load.py"
    )
    assert status == 1
    assert out.startswith("src/load.py:3:5: ML401")


def test_baseline_paths_are_relative_to_the_baseline_file(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "check", "--write-baseline", "ci/baseline.json", "src")[0] == 2  # no ci/
    (project / "ci").mkdir()
    assert run(capsys, "check", "--write-baseline", "ci/baseline.json", "src")[0] == 0
    files = {f["file"] for f in json.loads((project / "ci/baseline.json").read_text())["findings"]}
    assert files == {"../src/train.py"}
    monkeypatch.chdir(project / "src")
    status, _, _ = run(capsys, "check", "--baseline", "../ci/baseline.json", "train.py")
    assert status == 0


def test_stale_baseline_entries_are_noticed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "check", "--write-baseline", "b.json", "src")[0] == 0
    script = project / "src" / "train.py"
    script.write_text(TRAINING.replace("torch.load(path)", "torch.load(path, weights_only=True)"))
    status, _, err = run(capsys, "check", "--baseline", "b.json", "src")
    assert status == 0
    assert "b.json: 1 of its findings are gone (fixed or edited); refresh it with" in err


def test_baseline_of_a_notebook_survives_a_cell_inserted_above(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import torch"),
        nbformat.v4.new_code_cell("state = torch.load('m.pt')"),
    ]
    path = project / "eda.ipynb"
    nbformat.write(notebook, path)
    assert run(capsys, "check", "--write-baseline", "b.json", "eda.ipynb")[0] == 0
    notebook.cells.insert(1, nbformat.v4.new_code_cell("x = 1\ny = 2"))
    nbformat.write(notebook, path)
    assert run(capsys, "check", "--baseline", "b.json", "eda.ipynb")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "b.json: no such file (create it with --write-baseline b.json)"),
        ("{", "b.json: not an mlsmells baseline: invalid JSON"),
        ('{"version": 2, "findings": []}', "b.json: not an mlsmells baseline of version 1"),
        ('{"version": 1}', "b.json: not an mlsmells baseline: no list of findings"),
        ('{"version": 1, "findings": [{"file": "a.py"}]}', "b.json: finding 1 needs the strings"),
    ],
)
def test_invalid_baselines_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    if content is not None:
        (project / "b.json").write_text(content)
    status, out, err = run(capsys, "check", "--baseline", "b.json", "src")
    assert (status, out) == (2, "")
    assert err.startswith(f"mlsmells: error: {message}")
    assert len(err.splitlines()) == 1


def test_fix_reports_only_findings_not_in_the_baseline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "check", "--write-baseline", "b.json", "src")[0] == 0
    status, out, _ = run(capsys, "fix", "--baseline", "b.json", "src")
    # ML101's safe fix is applied; ML401 (unsafe, held back) is in the baseline.
    assert status == 0
    assert "random_state=42" in (project / "src" / "train.py").read_text()
    assert "Fixed 1 finding, 0 remaining." in out
    assert "1 more finding left in the baseline." in out
    assert run(capsys, "fix", "--diff", "--baseline", "b.json", "src")[0] == 2


def test_fingerprint_ignores_whitespace_only() -> None:
    assert fingerprint("  x = f(a,  b)\n") == fingerprint("x = f(a, b)")
    assert fingerprint("x = f(a, b)") != fingerprint("x = f(a, c)")


def test_adoption_options_are_exclusive(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check", "--add-noqa", "--write-baseline", "b.json", "src")
    assert status == 2 and "one of --add-noqa, --write-baseline and --baseline" in err
    status, _, err = run(capsys, "check", "--fix", "--add-noqa", "src")
    assert status == 2 and "do not combine with fixing" in err


def test_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--exit-zero", "src")[0] == 0
    assert run(capsys, "fix", "--exit-zero", "src")[0] == 0
    (project / "src" / "broken.py").write_text("def f(:\n")
    assert run(capsys, "check", "--exit-zero", "src")[0] == 2  # errors still count


# ------------------------------------------------------------------- noqa
SHAPES = '''\
"""Every shape a noqa comment can take."""
import torch
from sklearn.ensemble import RandomForestClassifier

plain = torch.load("a.pt")
typed = torch.load("b.pt")  # type: ignore[no-untyped-call]
listed = torch.load("c.pt")  # noqa: E501 the path is long on purpose, so the line is long too
spaced = torch.load("d.pt")  # noqa:E501,W291
blanket = torch.load("e.pt")  # noqa
pragma = torch.load("f.pt")  # pylint: disable=invalid-name
multi = torch.load("""
g.pt""")
joined = \\
    torch.load("h.pt")
forest = RandomForestClassifier(
    n_estimators=10,
)
both = torch.load(RandomForestClassifier().fit(1, 2))
covered = torch.load("i.pt")  # noqa: ML4
'''


def test_add_noqa_suppresses_everything_for_mlsmells_and_flake8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "shapes.py"
    script.write_text(SHAPES, encoding="utf-8")
    _, before, _ = run(capsys, "check", "--output-format=concise", str(script))
    assert len(before.splitlines()) == 10
    # flake8 reports the same (its E501 on the long `listed` line is suppressed by its noqa).
    assert len(flake8(str(script))) == 10
    status, out, err = run(capsys, "check", "--add-noqa", str(script))
    assert (status, out) == (0, "")
    assert err == "Added 9 noqa comments to 1 file.\n"
    text = script.read_text(encoding="utf-8")
    assert text.splitlines()[4:] == [
        'plain = torch.load("a.pt")  # noqa: ML401',
        'typed = torch.load("b.pt")  # type: ignore[no-untyped-call]  # noqa: ML401',
        'listed = torch.load("c.pt")  # noqa: E501, ML401 the path is long on purpose, so the'
        " line is long too",
        'spaced = torch.load("d.pt")  # noqa:E501,W291,ML401',
        'blanket = torch.load("e.pt")  # noqa',
        'pragma = torch.load("f.pt")  # pylint: disable=invalid-name  # noqa: ML401',
        'multi = torch.load("""',
        'g.pt""")  # noqa: ML401',
        "joined = \\",
        '    torch.load("h.pt")  # noqa: ML401',
        "forest = RandomForestClassifier(  # noqa: ML101",
        "    n_estimators=10,",
        ")",
        "both = torch.load(RandomForestClassifier().fit(1, 2))  # noqa: ML101, ML401",
        'covered = torch.load("i.pt")  # noqa: ML4',
    ]
    # mlsmells and flake8 read the comments alike: nothing is left, E501 stays suppressed.
    assert run(capsys, "check", str(script))[0] == 0
    assert flake8(str(script)) == []
    # Idempotent: a second run changes nothing.
    assert (
        run(capsys, "check", "--add-noqa", str(script))[2] == "Added 0 noqa comments to 0 files.\n"
    )
    assert script.read_text(encoding="utf-8") == text


def test_add_noqa_keeps_crlf_and_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "legacy.py"
    source = "# -*- coding: latin-1 -*-\nimport torch\nmod\xe8le = torch.load('x')\n"
    script.write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    assert run(capsys, "check", "--add-noqa", str(script))[0] == 0
    assert script.read_bytes() == (
        source.replace("load('x')", "load('x')  # noqa: ML401").replace("\n", "\r\n")
    ).encode("latin-1")
    assert run(capsys, "check", str(script))[0] == 0


def test_add_noqa_in_a_notebook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch"),
        nbformat.v4.new_markdown_cell("Load it"),
        nbformat.v4.new_code_cell("state = torch.load('m.pt')\nstate"),
    ]
    path = tmp_path / "eda.ipynb"
    nbformat.write(notebook, path)
    assert run(capsys, "check", "--add-noqa", str(path))[0] == 0
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].source == "%matplotlib inline\nimport torch"
    assert cells[2].source == "state = torch.load('m.pt')  # noqa: ML401\nstate"
    assert run(capsys, "check", str(path))[0] == 0


def test_add_noqa_text_level_cases() -> None:
    def diag(line: int, code: str = "ML401") -> Diagnostic:
        return Diagnostic(line, 0, code, f"{code} x", line, 1)

    # A run without a final newline; an internal error is not suppressed.
    assert add_noqa("x = f()", [diag(1), diag(1, "ML000")]) == ("x = f()  # noqa: ML401", 1)
    # Trailing whitespace before the new comment is dropped, the comment keeps its text.
    assert add_noqa("x = f()   \n", [diag(1)])[0] == "x = f()  # noqa: ML401\n"
    # A code already covered by a listed prefix is not repeated.
    assert add_noqa("x = f()  # noqa: ML\n", [diag(1)]) == ("x = f()  # noqa: ML\n", 0)
