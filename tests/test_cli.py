"""``mlsmells check``, ``rule`` and ``rules``: output, exit codes, errors, discovery, selection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlsmells
from mlsmells import formats, output, registry, runner
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
    first, summary, hint = out.splitlines()
    assert first.startswith(f"{project / 'bad.py'}:2:9: ML401 ")
    assert summary == "Found 1 finding in 1 file."
    assert hint == "[*] 0 fixable with `mlsmells fix` (1 more with `--unsafe-fixes`)."


def test_exit_zero(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, _ = run(capsys, "check", "--exit-zero", str(project))
    assert status == 0 and "ML401" in out


def test_columns_are_characters_in_every_format(tmp_path: Path) -> None:
    """text, json, sarif and github agree on a line with non-ASCII text (1-based character
    columns); flake8 keeps its own convention (UTF-8 bytes + 1)."""
    source = 'import torch\nétiquette = "é"; poids = torch.load("modèle.pt")\n'
    path = tmp_path / "accents.py"
    path.write_text(source, encoding="utf-8")

    def ours(fmt: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "mlsmells", "check", "--isolated", f"--output-format={fmt}",
             str(path)],
            capture_output=True, text=True, check=False,
        )
        assert proc.returncode == 1, proc.stderr
        return proc.stdout

    # 25 characters precede the call (27 UTF-8 bytes); it ends at character 48.
    assert ours("text").startswith(f"{path}:2:26: ML401 ")
    assert ours("full").startswith(f"{path}:2:26: ML401 ")
    [record] = json.loads(ours("json"))
    assert (record["location"], record["end_location"]) == (
        {"row": 2, "column": 26},
        {"row": 2, "column": 49},
    )
    region = json.loads(ours("sarif"))["runs"][0]["results"][0]["locations"][0]
    assert region["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 26, "endLine": 2, "endColumn": 49
    }
    assert ",line=2,col=26,endLine=2,endColumn=49," in ours("github")
    assert 'name="ML401 2:26"' in ours("junit")
    theirs = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=ML", str(path)],
        capture_output=True, text=True, check=False,
    )
    assert f"{path}:2:28: ML401 " in theirs.stdout


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
    assert out.splitlines()[-2] == "Found 1 finding in 1 file. 1 file could not be checked."


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
    record = formats.json_record(result, diag)
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
    status, out, _ = run(capsys, "check", "--output-format=concise", str(path))
    assert status == 1
    assert [line.split(":")[1] for line in out.splitlines()] == ["3"]


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
    status, out, err = run(capsys, "rule", "ml-chained-asignment")
    assert (status, out) == (2, "")
    assert err == (
        "mlsmells: error: unknown rule 'ml-chained-asignment'; "
        "did you mean 'ml-chained-assignment'?\n"
    )
    assert run(capsys, "rule", "XYZZY")[2] == "mlsmells: error: unknown rule 'XYZZY'\n"


def _mlsmells(*argv: str, columns: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "mlsmells", *argv],
        capture_output=True, text=True, env=env, check=False,
    )


def test_rule_all() -> None:
    proc = _mlsmells("rule", "--all")
    assert proc.returncode == 0
    assert proc.stdout == "\n".join(render_rule(rule) for rule in registry.RULES.values())
    proc = _mlsmells("rule", "--all", "--output-format", "json")
    records = json.loads(proc.stdout)
    assert [r["code"] for r in records] == list(registry.RULES)
    assert records[0]["url"] == registry.get(records[0]["code"]).url
    proc = _mlsmells("rule", "ML401", "--output-format", "json")
    assert json.loads(proc.stdout)["symbol"] == "ml-torch-load-unsafe"
    assert _mlsmells("rule").returncode == 2  # neither a rule nor --all


def test_rules_selector_and_width() -> None:
    proc = _mlsmells("rules", "ML4", columns="80")
    rows = proc.stdout.splitlines()[1:]
    assert proc.returncode == 0 and rows
    assert {row[:3] for row in rows} == {"ML4"}
    assert all(len(line) <= 80 for line in proc.stdout.splitlines())
    assert any(line.endswith("…") for line in rows)
    assert max(map(len, _mlsmells("rules", "ML4").stdout.splitlines())) > 80  # (no terminal)
    proc = _mlsmells("rules", "ML99")
    assert proc.returncode == 2 and "matches no rule" in proc.stderr


@pytest.mark.parametrize(
    ("selector", "hint"),
    [
        ("ML4011", "did you mean 'ML411'?"),
        ("ML49", "did you mean 'ML409'?"),
        ("chained-assignment", "did you mean 'ML201'?"),
        ("E501", None),  # another tool's code: no guess
    ],
)
def test_a_mistyped_selector_says_what_was_meant(selector: str, hint: str | None) -> None:
    proc = _mlsmells("check", "--select", selector, "examples")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    if hint is None:
        assert "did you mean" not in proc.stderr
    else:
        assert hint in proc.stderr


def test_unknown_command_and_option_say_what_was_meant() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "chek", "."], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.endswith("error: unknown command 'chek'; did you mean 'check'?\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--selct", "ML2"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: mlsmells check ")  # check's usage, not mlsmells'
    assert proc.stderr.endswith(
        "mlsmells check: error: unrecognized arguments: --selct; did you mean --select?\n"
    )


def test_rules_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # (not a terminal: nothing is cut)
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
    build = "yes" if mlsmells.compiled() else "no"
    assert capsys.readouterr().out == f"mlsmells {mlsmells.__version__} (compiled: {build})\n"
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
