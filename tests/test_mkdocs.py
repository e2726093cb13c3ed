"""The documentation site builds with ``mkdocs build --strict`` (every link and anchor valid)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlsmells import registry

pytest.importorskip(
    "mkdocs", reason="mkdocs is not installed (it comes with pip install -e '.[test]')"
)

ROOT = Path(__file__).resolve().parent.parent


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(config),
            "--site-dir",
            str(site),
        ],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = _build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = ["index.html", "flake8/index.html", "pylint/index.html", "cli/index.html"]
    pages += ["configuration/index.html", "rules/index.html", "flow/index.html"]
    pages += [f"rules/{code}/index.html" for code in registry.RULES]
    missing = [page for page in pages if not (site / page).is_file()]
    assert not missing, f"pages not built: {missing}"


def test_strict_build_fails_on_a_broken_anchor(tmp_path: Path) -> None:
    """The validation settings in mkdocs.yml make --strict reject a link to a missing anchor."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "docs" / "index.md").open("a", encoding="utf-8") as handle:
        handle.write("\nSee [the reference](configuration.md#no-such-key).\n")
    result = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-key" in result.stdout + result.stderr
