"""The pre-commit hooks, end to end: real ``pre-commit try-repo`` in a temporary git repository.

The hook repository is a snapshot of this checkout's working tree (its
tracked and untracked, not ignored, files) committed to a temporary git
repository, so that the test exercises what would be pushed. pre-commit
installs it into its own virtual environment with pip (libcst comes from
the package index). Skipped when pre-commit or git is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _snapshot(target: Path) -> Path:
    """This checkout's working tree as a one-commit git repository."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: there is no working tree to hand to pre-commit")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _snapshot(tmp_path_factory.mktemp("hook-repo"))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.mlsmells]\nextend-exclude = ["legacy"]\n')
    (root / "load.py").write_text('import torch\n\nstate = torch.load("model.pt")\n')
    (root / "train.py").write_text(
        "from sklearn.ensemble import RandomForestClassifier\n\n"
        "forest = RandomForestClassifier(n_estimators=10)\n"
    )
    (root / "legacy").mkdir()
    (root / "legacy" / "old.py").write_text('import torch\n\nstate = torch.load("old.pt")\n')
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('import torch\nstate = torch.load("nb.pt")')]
    nbformat.write(notebook, root / "eda.ipynb")
    (root / "README.txt").write_text("not python\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    return root


def _try_repo(project: Path, hook_repo: Path, home: Path, hook: str) -> tuple[int, str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    result = subprocess.run(
        ["pre-commit", "try-repo", str(hook_repo), hook, "--all-files", "--verbose"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_hook(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path / "project")
    status, log = _try_repo(project, hook_repo, pre_commit_home, "mlsmells")
    assert status == 1, log
    assert "load.py:3:9: ML401" in log
    assert "train.py:3:10: ML101" in log
    assert "eda.ipynb:cell 1:2:9: ML401" in log  # notebooks are hooked too
    assert "old.py" not in log  # --force-exclude: the configured exclusion holds
    assert "README" not in log
    assert "Traceback" not in log


def test_fix_hook(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path / "project")
    status, log = _try_repo(project, hook_repo, pre_commit_home, "mlsmells-fix")
    assert status == 1, log  # files were modified, and ML401 (unsafe fix) remains
    assert "random_state=42" in (project / "train.py").read_text()
    assert (project / "load.py").read_text() == 'import torch\n\nstate = torch.load("model.pt")\n'
    assert "files were modified by this hook" in log
    assert "load.py:3:9: ML401" in log
    assert "Traceback" not in log
