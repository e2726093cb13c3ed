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
