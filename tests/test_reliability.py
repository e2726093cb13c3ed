"""Reliability through the command line (issue 20): each test runs ``python -m mlsmells``
in a child process, as CI and pre-commit do.

- a result cache committed to the project cannot silence the linter;
- a configuration file that is not UTF-8 is one line, exit 2;
- a temporary file left by a killed ``fix`` is removed by the next one;
- syntax of a newer Python says which Python the file needs;
- ``fix`` does not rewrite files outside the named paths and the current project;
- control characters in file names and messages are escaped in every format;
- ``fix`` refuses a file above its size limit with one line, and checks it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FINDING = 'import torch\nstate = torch.load("m.pt")\n'
FIXED = 'import torch\nstate = torch.load("m.pt", weights_only=True)\n'


def mlsmells(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m mlsmells ARGS`` in ``cwd``, running this checkout's code."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return subprocess.run(
        [sys.executable, "-m", "mlsmells", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


# ------------------------------------------------------------ configuration
@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_latin_1_pyproject_is_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.mlsmells]\n# caf\xe9\nseed = 3\n")
    (tmp_path / "a.py").write_text(FINDING)
    proc = mlsmells(command, "--unsafe-fixes", "a.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: a.py: {tmp_path / 'pyproject.toml'}: not UTF-8 (TOML files must "
        "be): byte 0xe9 on line 2"
    ]
    assert (tmp_path / "a.py").read_text() == FINDING


def test_a_utf_16_config_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "mlsmells.toml").write_text("seed = 3\n", encoding="utf-16")
    (tmp_path / "a.py").write_text(FINDING)
    proc = mlsmells("check", "--config", "mlsmells.toml", "a.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "mlsmells: error: mlsmells.toml: not UTF-8 (TOML files must be): byte 0xff on line 1"
    ]
    assert proc.stdout == ""


# ------------------------------------------------------------- newer syntax
NEWER_SYNTAX = {
    # name: (source, (line, column), what needs which Python)
    "type-alias": (
        "import torch\ntype Pair = tuple[int, int]\n",
        (2, 1),
        "a type alias statement (PEP 695) needs Python 3.12",
    ),
    "generic-function": (
        "def first[T](items: list[T]) -> T:\n    return items[0]\n",
        (1, 1),
        "a generic function (PEP 695) needs Python 3.12",
    ),
    "generic-method": (
        "class Box:\n    async def get[T](self, x: T) -> T:\n        return x\n",
        (2, 5),
        "a generic function (PEP 695) needs Python 3.12",
    ),
    "generic-class": (
        "class Box[T]:\n    item: T\n",
        (1, 1),
        "a generic class (PEP 695) needs Python 3.12",
    ),
    "type-parameter-default": (
        "def first[T = int](items: list[T]) -> T:\n    return items[0]\n",
        (1, 1),
        "a default of a type parameter (PEP 696) needs Python 3.13",
    ),
    "f-string-quotes": (
        'row = {\'a\': 1}\nprint(f"{row["a"]}")\n',
        (2, 7),
        "an f-string reusing its quotes inside a replacement field (PEP 701) needs Python 3.12",
    ),
    "f-string-nested-quotes": (
        'x = 1\nprint(f"{f\'{f"{x}"}\'}")\n',
        (2, 7),
        "an f-string reusing its quotes inside a replacement field (PEP 701) needs Python 3.12",
    ),
    "f-string-backslash": (
        "names = ['a']\nprint(f\"{'\\n'.join(names)}\")\n",
        (2, 7),
        "a backslash in an f-string's replacement field (PEP 701) needs Python 3.12",
    ),
    "f-string-comment": (
        "x = 1\ny = f'''{\n    x  # the value\n}'''\n",
        (2, 5),
        "a comment in an f-string's replacement field (PEP 701) needs Python 3.12",
    ),
    "template-string": (
        "name = 'x'\ngreeting = t'hello {name}'\n",
        (2, 12),
        "a template string (PEP 750) needs Python 3.14",
    ),
}


def _needs(text: str) -> tuple[int, int]:
    major, minor = text.rsplit(" ", 1)[1].split(".")
    return int(major), int(minor)


@pytest.mark.parametrize("command", ["check", "fix"])
@pytest.mark.parametrize("name", sorted(NEWER_SYNTAX))
def test_syntax_of_a_newer_python_says_which_python(
    tmp_path: Path, name: str, command: str
) -> None:
    source, (line, column), needs = NEWER_SYNTAX[name]
    if sys.version_info >= _needs(needs):
        pytest.skip(f"this Python parses {name}")
    (tmp_path / "new.py").write_text(source)
    proc = mlsmells(command, "new.py", cwd=tmp_path)
    assert proc.returncode == 2
    running = ".".join(map(str, sys.version_info[:3]))
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: new.py:{line}:{column}: syntax error: {needs} or newer "
        f"(mlsmells runs on Python {running})"
    ]
    assert (tmp_path / "new.py").read_text() == source


def test_newer_syntax_in_a_notebook_cell(tmp_path: Path) -> None:
    import json

    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": source,
        }
        for source in (FINDING, "type Pair = tuple[int, int]\n")
    ]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"nbformat": 4, "cells": cells}))
    proc = mlsmells("check", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1
    running = ".".join(map(str, sys.version_info[:3]))
    assert proc.stderr.splitlines() == [
        "mlsmells: notice: nb.ipynb:cell 2:1:1: cell does not parse (a type alias statement "
        f"(PEP 695) needs Python 3.12 or newer (mlsmells runs on Python {running})); it is "
        "not checked"
    ]


def test_a_real_syntax_error_is_reported_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("type = 1\ntype(x) = 2\nprint(f'{x:#x}', f'{')\n")
    proc = mlsmells("check", "bad.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "mlsmells: error: bad.py:2:1: syntax error: cannot assign to function call here. "
        "Maybe you meant '==' instead of '='?"
    ]


# --------------------------------------------------------- control characters
HOSTILE_NAME = "a\n::error file=b.py::pwned\r\x1b[2J\x85\u2028.py"
SHOWN_NAME = "a\\n::error file=b.py::pwned\\r\\x1b[2J\\x85\\u2028.py"
FORMATS = ["text", "concise", "full", "json", "json-lines", "github", "sarif", "junit"]


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    """A file with a finding and a file that does not parse, both named to inject lines."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text(FINDING)
    (folder / f"broken{HOSTILE_NAME}").write_text("x = (\n")
    return folder


def _raw_controls(text: str) -> set[str]:
    """The control characters of ``text`` other than the newlines ending its lines."""
    return {c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F} | (
        {c for c in text if c in "\u2028\u2029"}
    )


@pytest.mark.parametrize("output_format", FORMATS)
def test_control_characters_in_names_are_escaped(hostile_names: Path, output_format: str) -> None:
    proc = mlsmells("check", "--output-format", output_format, "src", cwd=hostile_names.parent)
    assert proc.returncode == 2
    assert not _raw_controls(proc.stdout + proc.stderr)
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: src/broken{SHOWN_NAME}:1:5: syntax error: '(' was never closed"
    ]
    lines = proc.stdout.splitlines()
    if output_format in ("text", "concise", "full"):
        assert lines[0].startswith(f"src/{SHOWN_NAME}:2:9: ML401 ")
        if output_format != "full":  # (full: the source lines follow)
            assert len(lines) == (3 if output_format == "text" else 1)
    elif output_format == "github":
        # One workflow command per annotation, and no other line GitHub would execute.
        assert [line[:15] for line in lines] == ["::error file=sr"] * 2
        assert all("::" not in line[2:].split("::", 1)[1] for line in lines)
    elif output_format in ("json", "json-lines"):
        import json

        records = (
            json.loads(proc.stdout)
            if output_format == "json"
            else [json.loads(line) for line in lines]
        )
        assert [r["filename"] for r in records] == [f"src/{HOSTILE_NAME}"]  # exact data
    elif output_format == "sarif":
        import json

        log = json.loads(proc.stdout)
        [result] = log["runs"][0]["results"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert "%0A" in uri and "\n" not in uri
    else:
        import xml.etree.ElementTree as ET

        suites = ET.fromstring(proc.stdout)  # well-formed: the raw characters are not
        assert {case.get("file") for case in suites.iter("testcase")} == {
            f"src/{SHOWN_NAME}",
            f"src/broken{SHOWN_NAME}",
        }


def test_control_characters_in_names_are_escaped_by_fix(hostile_names: Path) -> None:
    proc = mlsmells("fix", "--unsafe-fixes", "--show-fixes", "src", cwd=hostile_names.parent)
    assert proc.returncode == 2
    assert not _raw_controls(proc.stdout + proc.stderr)
    assert f"- src/{SHOWN_NAME}:" in proc.stdout.splitlines()
    assert (hostile_names / HOSTILE_NAME).read_text() == FIXED
    diff = mlsmells("fix", "--diff", "src", cwd=hostile_names.parent)
    assert not _raw_controls(diff.stdout + diff.stderr)
    (hostile_names / HOSTILE_NAME).write_text(FINDING)
    diff = mlsmells("fix", "--unsafe-fixes", "--diff", "src", cwd=hostile_names.parent)
    assert f"--- src/{SHOWN_NAME}" in diff.stdout.splitlines()
    assert not _raw_controls(diff.stdout + diff.stderr)


# -------------------------------------------------------------------- cache
FORGE = """\
import sys
from pathlib import Path
from mlsmells import cache
from mlsmells.config import SettingsCache
from mlsmells.runner import FileResult

# What anyone can do: compute the key of each file's entry and store "no findings" there.
store = cache.Cache(Path(cache.DEFAULT_DIR))
for name in sys.argv[1:]:
    path = Path(name)
    settings = SettingsCache().for_path(path)
    key = cache.entry_key(path, path.read_bytes(), settings.codes_for(path), settings.serialise())
    store.put(key, cache.encode(FileResult(path)))
"""


def _user(tmp_path: Path, name: str) -> dict[str, str]:
    """The environment of a user of this machine whose cache directory is their own, running
    with the default cache folder (no folder named, not in CI)."""
    return {"XDG_CACHE_HOME": str(tmp_path / name), "MLSMELLS_CACHE_DIR": "", "CI": ""}


def test_a_committed_cache_cannot_silence_the_linter(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(FINDING)
    attacker = {**os.environ, **_user(tmp_path, "attacker")}
    attacker["PYTHONPATH"] = str(ROOT)
    subprocess.run([sys.executable, "-c", FORGE, "train.py"], cwd=project, env=attacker, check=True)
    [forged] = (project / ".mlsmells_cache").glob("*/*.json")
    planted = forged.read_bytes()
    proc = mlsmells("check", "train.py", cwd=project, env=_user(tmp_path, "victim"))
    assert proc.returncode == 1
    assert proc.stdout.startswith("train.py:2:9: ML401 ")
    assert forged.read_bytes() != planted  # replaced by an entry of the victim's own
    again = mlsmells("check", "train.py", cwd=project, env=_user(tmp_path, "victim"))
    assert (again.returncode, again.stdout) == (1, proc.stdout)


def test_the_cache_key_is_private_to_the_user(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(FINDING)
    assert mlsmells("check", "train.py", cwd=tmp_path, env=_user(tmp_path, "me")).returncode == 1
    key = tmp_path / "me" / "mlsmells" / "key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(key.read_text())) == 32
    ignore = (tmp_path / ".mlsmells_cache" / ".gitignore").read_text()
    assert "*" in ignore.splitlines()
    # A key that others can read is not used: no entry is written with it.
    shutil.rmtree(tmp_path / ".mlsmells_cache")
    key.chmod(0o644)
    assert mlsmells("check", "train.py", cwd=tmp_path, env=_user(tmp_path, "me")).returncode == 1
    assert not list(tmp_path.glob(".mlsmells_cache/*/*.json"))


@pytest.mark.parametrize(
    ("env", "used"),
    [
        ({"CI": "true"}, False),
        ({"CI": "true", "MLSMELLS_CACHE_DIR": "named"}, True),
        ({"MLSMELLS_NO_CACHE": "1"}, False),
        ({"MLSMELLS_NO_CACHE": "1", "MLSMELLS_CACHE_DIR": "named"}, False),
        ({"MLSMELLS_NO_CACHE": "0"}, True),
    ],
)
def test_ci_runs_without_a_cache(tmp_path: Path, env: dict[str, str], used: bool) -> None:
    (tmp_path / "train.py").write_text(FINDING)
    proc = mlsmells("check", "train.py", cwd=tmp_path, env={**_user(tmp_path, "me"), **env})
    assert proc.returncode == 1
    folder = tmp_path / env.get("MLSMELLS_CACHE_DIR", ".mlsmells_cache")
    assert bool(list(folder.glob("*/*.json"))) == used


def test_a_committed_cache_folder_cannot_delete_or_write_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".mlsmells_cache" / "notes").mkdir(parents=True)
    (project / "train.py").write_text(FINDING)
    outside = tmp_path / "outside"
    outside.mkdir()
    old = [project / ".mlsmells_cache" / "notes" / "old.txt", outside / f"{'a' * 64}.json"]
    for path in old:
        path.write_text("keep me\n")
        os.utime(path, (0, 0))
    (project / ".mlsmells_cache" / ("0" * 20)).symlink_to(outside)
    assert mlsmells("check", "train.py", cwd=project, env=_user(tmp_path, "me")).returncode == 1
    assert all(path.read_text() == "keep me\n" for path in old)
    # A cache folder that is a link (to the home directory, say) is not used at all.
    home = tmp_path / "home"
    home.mkdir()
    shutil.rmtree(project / ".mlsmells_cache")
    (project / ".mlsmells_cache").symlink_to(home)
    assert mlsmells("check", "train.py", cwd=project, env=_user(tmp_path, "me")).returncode == 1
    assert list(home.iterdir()) == []


# ---------------------------------------------------------------- big files
def test_fix_refuses_a_file_over_the_size_limit_and_checks_it(tmp_path: Path) -> None:
    padding = "".join(f"value_{i} = {i}  # padding\n" for i in range(60))
    (tmp_path / "big.py").write_text(FINDING + padding)
    (tmp_path / "small.py").write_text(FINDING)
    size = len(FINDING + padding)
    assert 1024 < size < 2048
    env = {"MLSMELLS_FIX_SIZE_LIMIT": "1K"}
    proc = mlsmells("fix", "--unsafe-fixes", "big.py", "small.py", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: big.py: not fixed: {size / 1024:.1f} KiB of code, over the 1.0 KiB "
        "that fix takes (set MLSMELLS_FIX_SIZE_LIMIT to change it); checked only"
    ]
    assert proc.stdout.splitlines()[0].startswith("big.py:2:9: ML401 ")
    assert (tmp_path / "big.py").read_text() == FINDING + padding
    assert (tmp_path / "small.py").read_text() == FIXED
    # The limit is a setting of the environment: raised (or 0, none), the file is fixed.
    for limit in ("2K", "0"):
        (tmp_path / "big.py").write_text(FINDING + padding)
        env = {"MLSMELLS_FIX_SIZE_LIMIT": limit}
        assert mlsmells("fix", "--unsafe-fixes", "big.py", cwd=tmp_path, env=env).returncode == 0
        assert (tmp_path / "big.py").read_text() == FIXED + padding


def test_an_invalid_size_limit_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FINDING)
    proc = mlsmells("fix", "a.py", cwd=tmp_path, env={"MLSMELLS_FIX_SIZE_LIMIT": "lots"})
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "mlsmells: error: MLSMELLS_FIX_SIZE_LIMIT: expected a size in bytes such as 8000000 "
        "or 8M, got 'lots'"
    ]
    assert (tmp_path / "a.py").read_text() == FINDING


BIG_PROGRAM = """\
frame{i} = pd.read_csv("data.csv")
frame{i}.dropna(inplace=True)
forest{i} = RandomForestClassifier(n_estimators=10)
state{i} = torch.load("model.pt")
x{i} = np.random.rand(3)
"""
BIG_HEADER = """\
import torch
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
"""


def _fix_work(copies: int) -> int:
    """Python and C function calls made by fixing ``copies`` blocks of fixable findings: a
    measure of work that, unlike time, does not depend on the machine or its load."""
    from mlsmells import registry
    from mlsmells.fixes.apply import fix_source

    source = BIG_HEADER + "".join(BIG_PROGRAM.format(i=i) for i in range(copies))
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        result = fix_source(source, "big.py", registry.select_codes(), unsafe=True)
    finally:
        sys.setprofile(None)
    assert len(result.applied) >= 4 * copies and not result.remaining
    return calls


def test_fix_work_grows_linearly_with_the_findings() -> None:
    # Each fix once looked its node up among all the statements of the module.
    small, large = _fix_work(100), _fix_work(400)
    # Four times the findings: about four times the work (quadratic would be about 16).
    assert large < 5 * small, f"{small} calls for 100 blocks, {large} for 400"


# -------------------------------------------------------------------- links
def test_fix_does_not_rewrite_what_a_named_link_leads_out_to(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "lib").mkdir(parents=True)
    (outside / "secret.py").write_text(FINDING)
    (outside / "lib" / "module.py").write_text(FINDING)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "src").mkdir()
    (project / "src" / "own.py").write_text(FINDING)
    (project / "src" / "escape.py").symlink_to(outside / "secret.py")
    (project / "src" / "lib").symlink_to(outside / "lib")
    (project / "src" / "alias.py").symlink_to("own.py")  # inside the project: written
    proc = mlsmells("fix", "--unsafe-fixes", "escape.py", "lib", "alias.py", cwd=project / "src")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: {name}: not written: it leads to {target}, outside the paths named "
        "and the current project (fix the file there, or from there)"
        for name, target in (
            ("escape.py", outside / "secret.py"),
            ("lib/module.py", outside / "lib" / "module.py"),
        )
    ]
    # Checked all the same: their findings are reported.
    *findings, summary = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in findings] == ["escape.py", "lib/module.py"]
    assert summary == "Fixed 1 finding, 2 remaining. 2 files could not be fixed."
    assert (outside / "secret.py").read_text() == FINDING
    assert (outside / "lib" / "module.py").read_text() == FINDING
    assert (project / "src" / "own.py").read_text() == FIXED


def test_add_noqa_does_not_write_what_a_named_link_leads_out_to(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.py").write_text(FINDING)
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "escape.py").symlink_to(tmp_path / "outside" / "secret.py")
    (project / "own.py").write_text(FINDING)
    proc = mlsmells("check", "--add-noqa", "escape.py", "own.py", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mlsmells: error: escape.py: not written: it leads to {tmp_path / 'outside' / 'secret.py'}"
        ", outside the paths named and the current project (fix the file there, or from there)",
        "Added 1 noqa comment to 1 file.",
    ]
    assert (tmp_path / "outside" / "secret.py").read_text() == FINDING
    assert (project / "own.py").read_text().endswith("  # noqa: ML401\n")


# ------------------------------------------------------------ the cache key
def test_a_key_made_meanwhile_by_another_run_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlsmells import cache

    path = tmp_path / "mlsmells" / "key"
    path.parent.mkdir()
    other = os.urandom(32)
    real_link = os.link

    def another_run_first(source: str, target: Path) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, other.hex().encode() + b"\n")
        os.close(fd)
        real_link(source, target)  # FileExistsError, as when two runs start at once

    monkeypatch.setattr(os, "link", another_run_first)
    assert cache._make_key(path) == other
    assert [p.name for p in path.parent.iterdir()] == ["key"]


def test_a_damaged_key_is_replaced(tmp_path: Path) -> None:
    from mlsmells import cache

    path = tmp_path / "mlsmells" / "key"
    path.parent.mkdir()
    path.write_text("not a key\n")
    path.chmod(0o600)
    assert cache._read_key(path) is None
    made = cache._make_key(path)
    assert len(made) == 32 and cache._read_key(path) == made


def test_a_key_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsmells import cache

    def unsupported(source: str, target: Path) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", unsupported)
    path = tmp_path / "mlsmells" / "key"
    made = cache._make_key(path)
    assert cache._read_key(path) == made
    assert [p.name for p in path.parent.iterdir()] == ["key"]
