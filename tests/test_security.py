"""mlsmells reads code, it never runs it: no import or execution of the checked code (by
any front end), no network, no walk out of the checked tree through a link, and no
evaluation of configuration strings.

The strongest check runs each front end in a subprocess under an audit hook
(:pep:`578`): every code object Python executes, every socket and every process
started is seen there, so "nothing under the checked folder ran" is observed, not
assumed.
"""

from __future__ import annotations

import ast
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import mlsmells
from mlsmells.frontends import cli

PACKAGE = Path(mlsmells.__file__).parent
FINDING = 'import torch\nstate = torch.load("m.pt")\n'
FIXED = 'import torch\nstate = torch.load("m.pt", weights_only=True)\n'


def _trap(marker: str) -> str:
    """Module code that leaves a file behind if it is ever executed."""
    return (
        "import pathlib, os\n"
        f"pathlib.Path(__file__).with_name({marker!r}).write_text('ran')\n"
        f"os.system('touch {marker}.shell')\n"
    )


@pytest.fixture
def trapped(tmp_path: Path) -> Path:
    """A project whose every module, imported or run, writes a marker file: modules
    shadowing the libraries mlsmells and its hosts know (torch, numpy, pandas, ast ...),
    a package, a conftest, a setup.py, sitecustomize, and a notebook."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("evil", "torch", "numpy", "pandas", "sklearn", "ast", "tokenize", "json"):
        (root / f"{name}.py").write_text(_trap(f"RAN-{name}") + FINDING)
    for name in ("conftest", "setup", "sitecustomize", "usercustomize", "__main__"):
        (root / f"{name}.py").write_text(_trap(f"RAN-{name}"))
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(_trap("RAN-pkg"))
    (package / "model.py").write_text(
        "from . import helper\nimport evil\nfrom pkg import *\n" + _trap("RAN-model") + FINDING
    )
    (package / "helper.py").write_text(_trap("RAN-helper"))
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook = {"nbformat": 4, "cells": [{**cell, "source": _trap("RAN-notebook") + FINDING}]}
    (root / "analysis.ipynb").write_text(json.dumps(notebook))
    return root


def _markers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("RAN-*"))


AUDITED = """\
import json, sys
root, report = sys.argv[1], sys.argv[2]
seen = {{"ran": [], "executed": 0, "mlsmells": 0, "events": []}}

def hook(event, args):
    if event == "exec":
        name = getattr(args[0], "co_filename", "")
        seen["executed"] += 1
        seen["mlsmells"] += "/mlsmells/" in name
        if name.startswith(root):
            seen["ran"].append(name)
    elif event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn",
                           "os.posix_spawn", "os.fork", "urllib.", "http.", "ftplib.")):
        seen["events"].append(event)

sys.addaudithook(hook)
try:
{body}
finally:
    with open(report, "w") as out:
        json.dump(seen, out)
"""

FRONT_ENDS = {
    "check": "    from mlsmells.frontends.cli import main\n"
    "    main(['check', '--jobs', '1', '--no-cache', '--select', 'ALL', root])",
    "check-sarif": "    from mlsmells.frontends.cli import main\n"
    "    main(['check', '--jobs', '1', '--no-cache', '--output-format', 'sarif', root])",
    "fix": "    from mlsmells.frontends.cli import main\n"
    "    main(['fix', '--unsafe-fixes', '--extend-select', 'ML9', root])",
    "flake8": "    from flake8.main.cli import main\n"
    "    try:\n"
    "        main(['--isolated', '--jobs', '1', '--select', 'ML', root])\n"
    "    except SystemExit:\n"
    "        pass",
    "pylint": "    from pylint.lint import Run\n"
    "    Run(['--load-plugins=mlsmells.pylint_plugin', '--disable=all', '--enable=mlsmells',\n"
    "         '--jobs=1', '--persistent=n', '--recursive=y', root], exit=False)",
}


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_no_checked_code_runs_no_socket_no_process(
    trapped: Path, tmp_path: Path, front_end: str
) -> None:
    report = tmp_path / "audit.json"
    script = AUDITED.format(body=FRONT_ENDS[front_end])
    # -I: the checked folder (the current directory here) is not on sys.path, as with
    # the installed `mlsmells`, `flake8` and `pylint` commands.
    proc = subprocess.run(
        [sys.executable, "-I", "-c", script, str(trapped), str(report)],
        cwd=trapped,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.exists(), proc.stderr
    seen = json.loads(report.read_text())
    assert seen["ran"] == [], f"{front_end} executed checked code"
    assert seen["events"] == [], f"{front_end}: network or process events"
    assert seen["mlsmells"] > 0, "the audit hook saw mlsmells run"  # not a vacuous pass
    assert _markers(trapped) == []
    if front_end == "fix":
        assert (trapped / "pkg" / "model.py").read_text().endswith(FIXED)
    else:
        assert "ML401" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("command", ["mlsmells", "flake8", "pylint"])
def test_installed_commands_run_nothing_from_the_current_directory(
    trapped: Path, command: str
) -> None:
    executable = shutil.which(command)
    if executable is None:
        pytest.skip(f"{command} is not installed")
    argv = {
        "mlsmells": ["check", "--no-cache", "."],
        "flake8": ["--isolated", "--select=ML", "."],
        "pylint": [
            "--load-plugins=mlsmells.pylint_plugin",
            "--disable=all",
            "--enable=mlsmells",
            "--persistent=n",
            "--recursive=y",
            ".",
        ],
    }[command]
    proc = subprocess.run(
        [executable, *argv], cwd=trapped, capture_output=True, text=True, timeout=600
    )
    assert "ML401" in proc.stdout, proc.stdout + proc.stderr
    assert _markers(trapped) == []


# ------------------------------------------------------------------ network
def test_no_network_in_process(
    trapped: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> object:
        def no_network(*args: object, **kwargs: object) -> object:
            attempts.append(name)
            raise OSError(f"network access attempted: {name}")

        return no_network

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(name))
    root = str(trapped)
    for argv in (
        ["check", "--jobs", "1", "--no-cache", "--select", "ALL", root],
        ["check", "--jobs", "1", "--no-cache", "--output-format", "sarif", root],
        ["check", "--jobs", "1", "--no-cache", "--output-format", "github", root],
        ["fix", "--unsafe-fixes", "--diff", root],
        ["rule", "ML401"],
        ["rules"],
    ):
        assert cli.main(argv) in (0, 1), argv
    capsys.readouterr()
    assert attempts == []


# ------------------------------------------------------------------ links
@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A tree with links to a file and a folder outside it, and a link inside it."""
    outside = tmp_path / "outside"
    (outside / "lib").mkdir(parents=True)
    (outside / "secret.py").write_text(FINDING)
    (outside / "lib" / "module.py").write_text(FINDING)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(FINDING)
    (tree / "escape.py").symlink_to(outside / "secret.py")
    (tree / "relative_escape.py").symlink_to(Path("..") / "outside" / "secret.py")
    (tree / "lib").symlink_to(outside / "lib")
    (tree / "alias.py").symlink_to("own.py")  # inside the tree: followed
    return tree, outside


def test_check_does_not_follow_links_out_of_the_tree(
    linked: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tree, _ = linked
    assert cli.main(["check", "--no-cache", "--output-format=concise", str(tree)]) == 1
    out = capsys.readouterr().out
    reported = sorted({line.split(":")[0] for line in out.splitlines()})
    assert reported == [str(tree / "alias.py"), str(tree / "own.py")]


def test_fix_does_not_follow_links_out_of_the_tree(linked: tuple[Path, Path]) -> None:
    tree, outside = linked
    assert cli.main(["fix", "--unsafe-fixes", str(tree)]) == 0
    assert (tree / "own.py").read_text() == FIXED
    assert (outside / "secret.py").read_text() == FINDING
    assert (outside / "lib" / "module.py").read_text() == FINDING


def test_a_link_named_by_the_user_is_checked_but_not_rewritten(
    linked: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tree, outside = linked
    named = [str(tree / "escape.py"), str(tree / "lib"), str(tree / "own.py")]
    assert cli.main(["fix", "--unsafe-fixes", *named]) == 2
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == [
        str(tree / "escape.py"),
        str(tree / "lib" / "module.py"),
    ]
    assert err.splitlines() == [
        f"mlsmells: error: {tree / name}: not written: it leads to {target}, outside the "
        "paths named and the current project (fix the file there, or from there)"
        for name, target in (
            ("escape.py", outside / "secret.py"),
            ("lib/module.py", outside / "lib" / "module.py"),
        )
    ]
    assert (tree / "own.py").read_text() == FIXED
    assert (outside / "secret.py").read_text() == FINDING
    assert (outside / "lib" / "module.py").read_text() == FINDING


def test_a_link_into_the_current_project_is_written(
    linked: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, outside = linked
    monkeypatch.chdir(outside)  # working on the project the links lead to
    assert cli.main(["fix", "--unsafe-fixes", str(tree / "escape.py"), str(tree / "lib")]) == 0
    assert (tree / "escape.py").is_symlink()
    assert (outside / "secret.py").read_text() == FIXED
    assert (outside / "lib" / "module.py").read_text() == FIXED


# ------------------------------------------------------------ configuration
PAYLOAD = "__import__('os').system('touch PWNED')"
CONFIG_ERRORS = {
    "select": f'expected a list of rule codes such as ["ML2", "ML401"], got the string "{PAYLOAD}"',
    "ignore": f'expected a list of rule codes such as ["ML2", "ML401"], got the string "{PAYLOAD}"',
    "seed": f'expected an integer, got the string "{PAYLOAD}"',
    "unsafe-fixes": f'expected true or false, got the string "{PAYLOAD}"',
    "exclude": f'expected a list of glob patterns, got the string "{PAYLOAD}"',
}


@pytest.mark.parametrize("key", sorted(CONFIG_ERRORS))
def test_a_config_value_is_never_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.mlsmells]\n{key} = "{PAYLOAD}"\n')
    (tmp_path / "a.py").write_text(FINDING)
    monkeypatch.chdir(tmp_path)  # where `touch PWNED` would land
    assert cli.main(["check", "--no-cache", "a.py"]) == 2
    err = capsys.readouterr().err
    assert f"[tool.mlsmells] {key}: {CONFIG_ERRORS[key]}" in err
    assert not (tmp_path / "PWNED").exists()


def test_a_selector_list_with_code_in_it_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.mlsmells]\nselect = ["{PAYLOAD}"]\n')
    (tmp_path / "a.py").write_text(FINDING)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--no-cache", "a.py"]) == 2
    assert "invalid rule selector" in capsys.readouterr().err
    assert not (tmp_path / "PWNED").exists()


#: What mlsmells must never call or import: evaluation of strings, code loading,
#: processes, the network.
FORBIDDEN_CALLS = frozenset({"eval", "exec", "compile", "__import__", "execfile", "breakpoint"})
FORBIDDEN_MODULES = frozenset(
    {
        "subprocess",
        "socket",
        "ssl",
        "http",
        "ftplib",
        "smtplib",
        "xmlrpc",
        "runpy",
        "code",
        "codeop",
        "pickle",
        "marshal",
        "shelve",
        "ctypes",
        "webbrowser",
        "requests",
        "urllib3",
    }
)
ALLOWED_SUBMODULES = frozenset({"urllib.parse"})  # quoting for SARIF/GitHub output


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_mlsmells_has_no_eval_exec_or_code_loading() -> None:
    problems: list[str] = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else None
                if name in FORBIDDEN_CALLS:
                    problems.append(f"{where}:{node.lineno}: {name}()")
                attr = func.attr if isinstance(func, ast.Attribute) else None
                if attr in {"system", "popen", "spawnv", "execv", "startfile"} and isinstance(
                    func.value, ast.Name
                ):
                    problems.append(f"{where}:{node.lineno}: {func.value.id}.{attr}()")
                if attr == "import_module" and not _own_module(node):
                    problems.append(f"{where}:{node.lineno}: import_module of a non-mlsmells name")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for module in _imported(node):
                    if module not in ALLOWED_SUBMODULES and (
                        module.split(".")[0] in FORBIDDEN_MODULES or module == "urllib.request"
                    ):
                        problems.append(f"{where}:{node.lineno}: import {module}")
    assert problems == []


def _own_module(call: ast.Call) -> bool:
    """``import_module("mlsmells.x")`` or ``import_module(f"mlsmells.x.{name}")``."""
    if not call.args:
        return False
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value.startswith("mlsmells.")
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        return (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and first.value.startswith("mlsmells.")
        )
    return False


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or node.module is None:
        return []
    return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]


def test_the_source_scan_sees_what_it_looks_for(tmp_path: Path) -> None:
    # The scan above must not pass because it looks at nothing.
    assert len(_sources()) > 20
    bad = ast.parse("import subprocess\neval('1')\nimportlib.import_module(name)\n")
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call)]
    assert [c.func.id for c in calls if isinstance(c.func, ast.Name)] == ["eval"]
    assert not _own_module(calls[1])
    assert _imported(bad.body[0]) == ["subprocess"]  # type: ignore[arg-type]
