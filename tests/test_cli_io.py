"""The command line as editors, hooks and terminals use it, through subprocesses: standard
input (``check -``, ``fix -``, ``--stdin-filename``), what fix can fix (``--show-fixes``,
``--statistics``), the ``full`` format, colour, ``--output-file``,
``--exit-non-zero-on-fix``, ``.gitignore``/``.ignore`` in a git repository, ``--watch``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

FINDING = 'import torch\nmodel = torch.load("model.pt")\n'
SAFE = "from sklearn.ensemble import RandomForestClassifier\nforest = RandomForestClassifier()\n"
BOTH = FINDING + SAFE


def mlsmells(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mlsmells", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


# --------------------------------------------------------------------- stdin
def test_check_reads_standard_input(tmp_path: Path) -> None:
    proc = mlsmells("check", "--isolated", "-", cwd=tmp_path, stdin=FINDING)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("-:2:9: ML401 ")


def test_stdin_filename_decides_settings_and_format(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells]\nper-file-ignores = { "legacy/*" = ["ML401"] }\n'
    )
    ignored = mlsmells("check", "--stdin-filename", "legacy/old.py", "-", cwd=tmp_path,
                       stdin=FINDING)
    assert (ignored.returncode, ignored.stdout) == (0, "All checks passed.\n")
    reported = mlsmells("check", "--stdin-filename", "src/new.py", "--output-format=json", "-",
                        cwd=tmp_path, stdin=FINDING)
    [record] = json.loads(reported.stdout)
    assert record["filename"] == "src/new.py" and record["fix"]["applicability"] == "unsafe"
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                       "execution_count": None, "source": FINDING}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )
    cells = mlsmells("check", "--stdin-filename", "eda.ipynb", "-", cwd=tmp_path, stdin=notebook)
    assert cells.stdout.startswith("eda.ipynb:cell 1:2:9: ML401 "), cells.stderr


def test_fix_writes_the_fixed_code_to_stdout(tmp_path: Path) -> None:
    proc = mlsmells("fix", "--isolated", "--stdin-filename", "train.py", "-", cwd=tmp_path,
                    stdin=BOTH)
    assert proc.stdout == BOTH.replace("RandomForestClassifier()",
                                       "RandomForestClassifier(random_state=42)")
    assert proc.returncode == 1  # the unsafe ML401 is left, reported on stderr
    assert "train.py:2:9: ML401 " in proc.stderr
    assert not (tmp_path / "train.py").exists()
    unsafe = mlsmells("fix", "--isolated", "--unsafe-fixes", "-", cwd=tmp_path, stdin=BOTH)
    assert unsafe.returncode == 0 and "weights_only=True" in unsafe.stdout


def test_fix_of_code_that_does_not_parse_gives_it_back(tmp_path: Path) -> None:
    proc = mlsmells("fix", "-", cwd=tmp_path, stdin="x = (\n")
    assert proc.stdout == "x = (\n" and proc.returncode == 2
    assert proc.stderr.startswith("mlsmells: error: -:1:")


def test_stdin_does_not_mix_with_paths(tmp_path: Path) -> None:
    proc = mlsmells("check", "-", "other.py", cwd=tmp_path, stdin=FINDING)
    assert proc.returncode == 2
    assert proc.stderr == "mlsmells: error: `-` (standard input) does not combine with other " \
        "paths\n"


# ----------------------------------------------------------------- fixable
CHAINED = "import pandas as pd\ndf = pd.read_csv('x.csv')\ndf[df.a > 0]['b'] = 1\n"


def test_check_marks_what_fix_fixes_and_counts_it(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BOTH)
    proc = mlsmells("check", "--isolated", "train.py", cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        "train.py:2:9: ML401 `torch.load` without `weights_only=` can unpickle arbitrary code",
        "train.py:4:10: ML101 [*] `RandomForestClassifier` uses randomness but `random_state` "
        "is not set",
        "Found 2 findings in 1 file.",
        "[*] 1 fixable with `mlsmells fix` (1 more with `--unsafe-fixes`).",
    ]
    unsafe = mlsmells("check", "--isolated", "--unsafe-fixes", "train.py", cwd=tmp_path)
    assert unsafe.stdout.splitlines()[0].startswith("train.py:2:9: ML401 [*] ")
    assert unsafe.stdout.splitlines()[-1] == "[*] 2 fixable with `mlsmells fix`."
    concise = mlsmells("check", "--isolated", "--output-format=concise", "train.py",
                       cwd=tmp_path)
    assert concise.stdout.splitlines() == proc.stdout.splitlines()[:2]
    # The marks are the fixer's: --show-fixes asks it, and says the same.
    asked = mlsmells("check", "--isolated", "--show-fixes", "train.py", cwd=tmp_path)
    assert asked.stdout == proc.stdout


def test_the_settings_decide_what_counts_as_safe(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlsmells]\nextend-safe-fixes = ["ML401"]\n')
    (tmp_path / "train.py").write_text(BOTH)
    proc = mlsmells("check", "train.py", cwd=tmp_path)
    assert proc.stdout.splitlines()[0].startswith("train.py:2:9: ML401 [*] ")
    assert proc.stdout.splitlines()[-1] == "[*] 2 fixable with `mlsmells fix`."


def test_a_fix_that_depends_on_the_code_as_written_is_marked_by_check(tmp_path: Path) -> None:
    """ML201's fix depends on the subscripts as written, ML501's rename on the names the
    module uses: each rule tells from what its check saw, as the fixer does."""
    (tmp_path / "frame.py").write_text(CHAINED)
    proc = mlsmells("check", "--isolated", "--unsafe-fixes", "frame.py", cwd=tmp_path)
    assert proc.stdout.splitlines()[0].startswith("frame.py:3:1: ML201 [*] ")
    assert proc.stdout.splitlines()[-1] == "[*] 1 fixable with `mlsmells fix`."
    asked = mlsmells("check", "--isolated", "--unsafe-fixes", "--show-fixes", "frame.py",
                     cwd=tmp_path)
    assert asked.stdout == proc.stdout
    renamed = "from sklearn.metrics import *\nscore = calinski_harabaz_score(X, y)\n"
    (tmp_path / "metrics.py").write_text(renamed)
    proc = mlsmells("check", "--isolated", "metrics.py", cwd=tmp_path)
    assert proc.stdout.splitlines()[0].startswith("metrics.py:2:9: ML501 [*] ")
    assert proc.stdout.splitlines()[-1] == "[*] 1 fixable with `mlsmells fix`."
    mlsmells("fix", "--isolated", "metrics.py", cwd=tmp_path)
    assert (tmp_path / "metrics.py").read_text() == renamed.replace("harabaz", "harabasz")
    (tmp_path / "metrics.py").write_text(renamed + "calinski_harabasz_score = None\n")
    taken = mlsmells("check", "--isolated", "metrics.py", cwd=tmp_path)
    assert "[*]" not in taken.stdout  # the new name means something else here
    assert "may be fixable" not in taken.stdout
    mlsmells("fix", "--isolated", "metrics.py", cwd=tmp_path)
    assert (tmp_path / "metrics.py").read_text() == renamed + "calinski_harabasz_score = None\n"


def test_the_marks_agree_with_json_and_with_fix(tmp_path: Path) -> None:
    """Each finding marked [*] has a fix in the JSON report, and `mlsmells fix` removes it;
    each unmarked one of a rule that decides has none."""
    code = (
        BOTH
        + "import pandas as pd\n"
        + "frame = pd.read_csv('x.csv')\n"
        + "frame.dropna(inplace=True)\n"  # ML204, fixed
        + "def clean(data):\n    data.dropna(inplace=True)\n"  # ML204 on a parameter: not
        + "values = frame.values\n"  # ML206
    )
    (tmp_path / "train.py").write_text(code)
    text = mlsmells("check", "--isolated", "--unsafe-fixes", "--output-format=concise",
                    "train.py", cwd=tmp_path)
    marked = {line.split(": ")[1].split()[0] + ":" + line.split(":")[1]
              for line in text.stdout.splitlines() if " [*] " in line}
    plain = {line.split(": ")[1].split()[0] + ":" + line.split(":")[1]
             for line in text.stdout.splitlines() if " [*] " not in line}
    records = json.loads(mlsmells("check", "--isolated", "--output-format=json", "train.py",
                                  cwd=tmp_path).stdout)
    with_fix = {f"{r['code']}:{r['location']['row']}" for r in records if r["fix"]}
    assert marked == with_fix and marked
    assert "ML204:9" in plain
    fixed = mlsmells("fix", "--isolated", "--unsafe-fixes", "train.py", cwd=tmp_path)
    assert "[*]" not in fixed.stdout
    left = mlsmells("check", "--isolated", "--output-format=concise", "train.py", cwd=tmp_path)
    codes = sorted(line.split(": ")[1].split()[0] for line in left.stdout.splitlines())
    assert codes == sorted(item.split(":")[0] for item in plain)


def test_a_file_fix_may_leave_alone_has_nothing_marked(tmp_path: Path) -> None:
    """libcst may not give back a line made of a backslash alone (then fix leaves the file
    unchanged): in such a file only the fixer can tell."""
    code = SAFE + "total = 1\n\\\nother = 2\n"
    (tmp_path / "train.py").write_text(code)
    proc = mlsmells("check", "--isolated", "train.py", cwd=tmp_path)
    assert "[*]" not in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "1 finding may be fixable: `--show-fixes` asks the fixer."
    )
    mlsmells("fix", "--isolated", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text() == code


def test_statistics_has_a_fixable_column_and_a_total(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BOTH + "other = RandomForestClassifier()\n")
    (tmp_path / "frame.py").write_text(CHAINED)
    proc = mlsmells("check", "--isolated", "--statistics", "train.py", "frame.py",
                    cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        "count  fixable  code   name",
        "    2        2  ML101  random-state-not-set",
        "    1        -  ML201  chained-assignment",
        "    1        -  ML401  torch-load-unsafe",
        "    4        2  total",
    ]
    asked = mlsmells("check", "--isolated", "--statistics", "--show-fixes", "--unsafe-fixes",
                     "train.py", "frame.py", cwd=tmp_path)
    assert asked.stdout.splitlines()[2:] == [
        "    1        1  ML201  chained-assignment",
        "    1        1  ML401  torch-load-unsafe",
        "    4        4  total",
    ]
    as_json = mlsmells("check", "--isolated", "--statistics", "--output-format=json",
                       "train.py", cwd=tmp_path)
    assert json.loads(as_json.stdout)[0] == {
        "code": "ML101", "name": "random-state-not-set", "count": 2, "fixable": 2
    }


# ------------------------------------------------------------------- output
def test_full_format_shows_the_source_carets_and_the_change(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import torch\nétat = torch.load('m.pt')\n")
    proc = mlsmells("check", "--isolated", "--output-format=full", "train.py", cwd=tmp_path)
    assert proc.stdout.splitlines()[:9] == [
        "train.py:2:8: ML401 `torch.load` without `weights_only=` can unpickle arbitrary code",
        "  |",
        "2 | état = torch.load('m.pt')",
        "  |        ^^^^^^^^^^^^^^^^^^ ML401",
        "  |",
        "  = help: Add `weights_only=True` (not offered when `pickle_module=` is passed)."
        " (unsafe fix: --unsafe-fixes)",
        "2 - état = torch.load('m.pt')",
        "2 + état = torch.load('m.pt', weights_only=True)",
        "",
    ]


def test_colour_on_a_terminal_only_and_as_the_environment_says(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(FINDING)
    piped = mlsmells("check", "--isolated", "m.py", cwd=tmp_path)
    assert "\x1b[" not in piped.stdout
    forced = mlsmells("check", "--isolated", "m.py", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31mML401\x1b[0m" in forced.stdout
    both = mlsmells("check", "--isolated", "m.py", cwd=tmp_path,
                    env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in both.stdout
    import pty  # a real terminal: coloured by default

    main, child = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--isolated", "m.py"],
        cwd=tmp_path, stdout=child, stderr=subprocess.DEVNULL, check=False,
        env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
    )
    os.close(child)
    shown = os.read(main, 65536).decode()
    os.close(main)
    assert proc.returncode == 1 and "\x1b[1;31mML401" in shown


def test_output_file(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(FINDING)
    proc = mlsmells("check", "--isolated", "--output-format=json", "--output-file=report.json",
                    "m.py", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert json.loads((tmp_path / "report.json").read_text())[0]["code"] == "ML401"
    refused = mlsmells("check", "--output-file=no/such/dir/r.txt", "m.py", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith("mlsmells: error: no/such/dir/r.txt: cannot write: ")


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SAFE)
    assert mlsmells("fix", "--isolated", "m.py", cwd=tmp_path).returncode == 0
    (tmp_path / "m.py").write_text(SAFE)
    proc = mlsmells("fix", "--isolated", "--exit-non-zero-on-fix", "m.py", cwd=tmp_path)
    assert proc.returncode == 1 and "random_state=42" in (tmp_path / "m.py").read_text()
    again = mlsmells("fix", "--isolated", "--exit-non-zero-on-fix", "m.py", cwd=tmp_path)
    assert again.returncode == 0  # nothing left to fix


# ----------------------------------------------------------------- gitignore
def test_gitignore_and_ignore_files_in_a_git_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n*_gen.py\n!keep_gen.py\n")
    for name in ("src/a.py", "src/b_gen.py", "src/keep_gen.py", "generated/c.py",
                 "notes/d.py", "notes/e.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(FINDING)
    (tmp_path / "notes" / ".ignore").write_text("d.py\n")
    proc = mlsmells("check", "--output-format=concise", ".", cwd=tmp_path)
    assert sorted(line.split(":")[0] for line in proc.stdout.splitlines()) == [
        "notes/e.py", "src/a.py", "src/keep_gen.py"
    ]
    everything = mlsmells("check", "--output-format=concise", "--no-respect-gitignore", ".",
                          cwd=tmp_path)
    assert len(everything.stdout.splitlines()) == 6
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nrespect-gitignore = false\n")
    configured = mlsmells("check", "--output-format=concise", ".", cwd=tmp_path)
    assert len(configured.stdout.splitlines()) == 6
    (tmp_path / "pyproject.toml").unlink()
    named = mlsmells("check", "--output-format=concise", "src/b_gen.py", cwd=tmp_path)
    assert named.stdout.startswith("src/b_gen.py:2:9: ML401")  # named: checked anyway


def test_gitignore_outside_a_repository_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.py\n")
    (tmp_path / "a.py").write_text(FINDING)
    proc = mlsmells("check", "--output-format=concise", ".", cwd=tmp_path)
    assert proc.stdout.startswith("a.py:2:9:")


# --------------------------------------------------------------------- watch
def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def _watching(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """``mlsmells check --watch`` running in ``folder``, stopped by Ctrl-C on leaving (it
    must then exit cleanly)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlsmells", "check", "--isolated", "--watch",
         "--output-format=concise", "."],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A test run started in the background of a shell inherits SIGINT ignored, and
        # Python then leaves it so: Ctrl-C is what this test sends, as a terminal would.
        preexec_fn=_interruptible,
    )
    # A watcher that stops answering is killed, so that the reads below end (and fail).
    guard = threading.Timer(120, proc.kill)
    guard.start()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        guard.cancel()
    assert proc.returncode == 0


def _wait_for(stream: IO[str], text: str, deadline: float) -> str:
    """The first line of ``stream`` holding ``text`` (before ``deadline``)."""
    line = stream.readline()
    while text not in line:
        assert line and time.monotonic() < deadline
        line = stream.readline()
    return line


def test_watch_sees_a_change_of_an_imported_module(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "helper.py").write_text("size = 3\n")
    (tmp_path / "user.py").write_text("from helper import *\nweights = torch.load('m.pt')\n")
    with _watching(tmp_path) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        deadline = time.monotonic() + 60
        _wait_for(proc.stderr, "Watching", deadline)
        # The star import brings torch once the helper imports it.
        (tmp_path / "helper.py").write_text("import torch\n\nsize = 3\n")
        assert _wait_for(proc.stdout, "ML401", deadline).startswith("user.py:2:")


def test_watch_checks_again_after_a_change(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(FINDING)
    with _watching(tmp_path) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith("m.py:2:9: ML401")
        deadline = time.monotonic() + 60
        _wait_for(proc.stderr, "Watching", deadline)
        (tmp_path / "m.py").write_text(FINDING + "again = torch.load('x.pt')\n")
        _wait_for(proc.stderr, "Checking", deadline)
        lines = []
        while len(lines) < 2:
            lines.append(proc.stdout.readline())
            assert time.monotonic() < deadline
        assert lines[1].split(":")[1] == "3"
