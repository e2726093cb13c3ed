"""The repository is clean under its own flake8 configuration (setup.cfg), with
the mlsmells plugin installed: pycodestyle, pyflakes and mlsmells's own rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_flake8_with_the_plugin_is_clean_on_the_repository() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "mlsmells", "tests", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plugins = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "mlsmells" in plugins  # the ML rules ran too
