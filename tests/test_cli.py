"""``mlsmells check``, ``rule`` and ``rules``: output, exit codes, errors, discovery, selection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlsmells
from mlsmells import output, registry, runner
from mlsmells.diagnostics import Diagnostic
from mlsmells.docs import render_rule
from mlsmells.frontends import cli
from mlsmells.runner import FileResult

# ML401 (torch.load without weights_only) is the finding these tests provoke.
FINDING = 'import torch\nmodel = torch.load("model.pt")\n'
CLEAN = 'import torch\nmodel = torch.load("model.pt", weights_only=True)\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        cli.main(list(argv))
    assert exc.value.code == 2
    return capsys.readouterr().err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(FINDING, encoding="utf-8")
    (tmp_path / "good.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------- exit codes
def test_clean_file_exits_0(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, err = run(capsys, "check", str(project / "good.py"))
    assert (status, out, err) == (0, "All checks passed.\n", "")


def test_findings_exit_1_with_flake8_style_lines(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    status, out, err = run(capsys, "check", str(project))
    assert status == 1 and err == ""
    first, summary = out.splitlines()
    assert first.startswith(f"{project / 'bad.py'}:2:9: ML401 ")
    assert summary == "Found 1 finding in 1 file."


def test_exit_zero(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, _ = run(capsys, "check", "--exit-zero", str(project))
    assert status == 0 and "ML401" in out


def test_text_output_matches_flake8_byte_columns(tmp_path: Path) -> None:
    source = 'import torch\nétiquette = "é"; poids = torch.load("modèle.pt")\n'
    path = tmp_path / "accents.py"
    path.write_text(source, encoding="utf-8")
    ours = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    theirs = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=ML", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ours.returncode == 1 and theirs.returncode == 1
    assert ours.stdout.splitlines()[:-1] == theirs.stdout.splitlines()
    assert ":2:28: ML401 " in ours.stdout  # 27 bytes precede the call, 25 characters


# ----------------------------------------------------------------- errors
def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("mlsmells: error: ")
    return lines[0]


def test_nonexistent_path_exits_2_and_others_are_still_checked(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    missing = project / "missing.py"
    status, out, err = run(capsys, "check", str(missing), str(project / "bad.py"))
    assert status == 2
    assert _one_error_line(err) == f"mlsmells: error: {missing}: no such file or directory"
    assert "ML401" in out
    assert out.splitlines()[-1] == "Found 1 finding in 1 file. 1 file could not be checked."


def test_unreadable_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    status, out, err = run(capsys, "check", str(loop))
    assert status == 2
    assert _one_error_line(err).startswith(f"mlsmells: error: {loop}: ")
    assert out == "No findings. 1 file could not be checked.\n"


def test_permission_denied(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    real_open = os.open

    def deny(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).name == "bad.py":  # running as root, chmod 000 would not stop a read
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = runner.check_file(project / "bad.py", registry.select_codes())
    assert result.error is not None and str(result.error) == "permission denied"


def test_syntax_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import torch\nmodel = torch.load(\n", encoding="utf-8")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2
    assert _one_error_line(err) == (
        f"mlsmells: error: {path}:2:19: syntax error: '(' was never closed"
    )


def test_indentation_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "indent.py"
    path.write_text("def f():\nreturn 1\n", encoding="utf-8")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2
    assert _one_error_line(err).startswith(f"mlsmells: error: {path}:2:1: indentation error: ")


def test_null_byte(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "null.py"
    path.write_bytes(b"x = 1\x00\n")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2
    assert "null byte" in _one_error_line(err)


def test_non_utf8_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"import torch\n\nname = 'caf\xe9'\n")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2
    assert _one_error_line(err) == (
        f"mlsmells: error: {path}: cannot decode as utf-8: byte 0xe9 on line 3 "
        "(declare the file's encoding with a PEP 263 coding comment)"
    )


def test_unknown_coding_cookie(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "cookie.py"
    path.write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2
    assert (
        _one_error_line(err) == f"mlsmells: error: {path}: cannot decode: unknown encoding: klingon"
    )


def test_coding_cookie_and_bom_are_honoured(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nimport torch\nm = torch.load('caf\xe9.pt')\n")
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + FINDING.replace("\n", "\r\n").encode())
    status, out, err = run(capsys, "check", str(latin), str(bom))
    assert status == 1 and err == ""
    assert f"{latin}:3:5: ML401 " in out
    assert f"{bom}:2:9: ML401 " in out


# -------------------------------------------------------------- discovery
def test_discovery_skips_tool_and_environment_directories(tmp_path: Path) -> None:
    wanted = [tmp_path / "train.py", tmp_path / "pkg" / "model.py", tmp_path / "nb" / "eda.ipynb"]
    skipped = [
        tmp_path / d / "x.py"
        for d in (
            ".git",
            ".venv",
            "venv",
            "__pycache__",
            "build",
            "dist",
            ".tox",
            ".nox",
            "node_modules",
            ".mlsmells_cache",
            "pkg/build",
        )
    ]
    env = tmp_path / "myenv"
    skipped.append(env / "lib" / "site.py")
    for path in [*wanted, *skipped, tmp_path / "notes.txt"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    (env / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    assert runner.discover([tmp_path]) == sorted(wanted)


def test_named_files_are_always_checked(tmp_path: Path) -> None:
    inside = tmp_path / "build" / "gen.py"
    script = tmp_path / "train"  # no suffix
    inside.parent.mkdir()
    inside.write_text("", encoding="utf-8")
    script.write_text("", encoding="utf-8")
    assert runner.discover([inside, script, inside]) == sorted([inside, script])
    assert runner.discover([tmp_path / "build"]) == [inside]


def test_no_python_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, "check", str(tmp_path))
    assert (status, out) == (0, "")
    assert err == "mlsmells: warning: no Python files found\n"


# -------------------------------------------------------------- selection
@pytest.mark.parametrize(
    ("options", "status"),
    [
        ([], 1),
        (["--select", "ML4"], 1),
        (["--select", "ML401"], 1),
        (["--select", "ml2"], 0),
        (["--ignore", "ML4"], 0),
        (["--ignore", "ML401,ML2"], 0),
        (["--select", "ML40", "--ignore", "ML401"], 0),
        (["--select", "ML401", "--ignore", "ML4"], 1),
        (["--select", "ML2", "--extend-select", "ML401"], 1),
        (["--select", "ALL"], 1),
    ],
)
def test_select_and_ignore_prefixes(
    capsys: pytest.CaptureFixture[str], project: Path, options: list[str], status: int
) -> None:
    assert run(capsys, "check", *options, str(project / "bad.py"))[0] == status


@pytest.mark.parametrize("selector", ["XX1", "ML1234", "ML6", "E501"])
def test_invalid_selectors_are_usage_errors(
    capsys: pytest.CaptureFixture[str], project: Path, selector: str
) -> None:
    err = usage_error(capsys, "check", "--select", selector, str(project))
    assert f"{selector!r}" in err and "Traceback" not in err


# ---------------------------------------------------------------- formats
def test_json_output(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, _ = run(capsys, "check", "--output-format", "json", str(project))
    assert status == 1
    [record] = json.loads(out)
    rule = registry.get("ML401")
    assert record == {
        "code": "ML401",
        "symbol": rule.symbol,
        "message": record["message"],
        "filename": str(project / "bad.py"),
        "cell": None,
        "location": {"row": 2, "column": 9},
        "end_location": {"row": 2, "column": 31},
        "url": rule.url,
        "fix": {
            "applicability": "unsafe",
            "message": rule.fix_summary,
            "edits": [
                {
                    "content": ", weights_only=True",
                    "location": {"row": 2, "column": 30},
                    "end_location": {"row": 2, "column": 30},
                }
            ],
        },
    }
    assert not record["message"].startswith("ML401") and record["message"]


def test_json_output_when_clean(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, _ = run(capsys, "check", "--output-format=json", str(project / "good.py"))
    assert (status, json.loads(out)) == (0, [])


def test_notebook_locations_are_cells() -> None:
    diag = Diagnostic(7, 4, "ML401", "ML401 text", 7, 20)
    result = FileResult(Path("eda.ipynb"), (diag,), line_map={7: (3, 2)})
    out = _render(output.write_text, [result])
    assert out.splitlines()[0] == "eda.ipynb:cell 3:2:5: ML401 text"
    record = output.json_record(result, diag)
    assert record["cell"] == 3 and record["location"] == {"row": 2, "column": 5}


def _render(write: object, results: list[FileResult]) -> str:
    import io

    buffer = io.StringIO()
    assert callable(write)
    write(results, buffer)
    return buffer.getvalue()


# ------------------------------------------------------------ suppression
def test_noqa_and_pylint_pragmas_are_honoured(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "quiet.py"
    path.write_text(
        "import torch\n"
        'a = torch.load("a.pt")  # noqa: ML401\n'
        'b = torch.load("b.pt")  # noqa: ML2\n'
        'c = torch.load("c.pt")  # pylint: disable=ml-torch-load-unsafe\n'
        'd = torch.load("d.pt")  # noqa\n',
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1
    assert [line.split(":")[1] for line in out.splitlines()[:-1]] == ["3"]


def test_flake8_file_noqa(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "generated.py"
    path.write_text("# flake8: noqa\n" + FINDING, encoding="utf-8")
    assert run(capsys, "check", str(path))[0] == 0


# ------------------------------------------------------------ rule, rules
def test_rule_prints_the_docs_page(capsys: pytest.CaptureFixture[str]) -> None:
    rule = registry.get("ML401")
    for key in ("ML401", "ml401", rule.symbol, rule.pylint_id):
        status, out, _ = run(capsys, "rule", key)
        assert (status, out) == (0, render_rule(rule))


def test_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "rule", "ML999")
    assert (status, out, err) == (2, "", "mlsmells: error: unknown rule 'ML999'\n")


def test_rules_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules")
    assert status == 0
    header, *rows = out.splitlines()
    assert header.split() == ["code", "symbol", "pylint", "default", "fix", "summary"]
    assert [row.split()[0] for row in rows] == list(registry.RULES)
    for row, rule in zip(rows, registry.RULES.values(), strict=True):
        code, symbol, pylint_id, default, fix = row.split()[:5]
        assert (code, symbol, pylint_id) == (rule.code, rule.symbol, rule.pylint_id)
        assert default == ("on" if rule.default_enabled else "off")
        assert fix == (rule.fix.value if rule.fix.value != "none" else "-")
        assert row.endswith(rule.summary)


def test_version_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"mlsmells {mlsmells.__version__}\n"
    status, _, err = run(capsys)
    assert status == 2 and "usage: mlsmells" in err


def test_console_script_is_installed(project: Path) -> None:
    """The ``mlsmells`` entry point (pip install) runs the same command."""
    exe = Path(sys.executable).with_name("mlsmells")
    command = [str(exe)] if exe.exists() else ["mlsmells"]
    proc = subprocess.run(
        [*command, "check", str(project)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 1 and "ML401" in proc.stdout, proc.stderr


def test_warnings_about_the_checked_code_are_not_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "warns.py"
    path.write_text('pattern = "\\d+"\nsame = 1 is 1\n', encoding="utf-8")
    assert run(capsys, "check", str(path)) == (0, "All checks passed.\n", "")
