"""The one reader of a project's declaration files (:mod:`mlsmells.declared`), shared by
the target versions (ML208/ML301/ML412/ML501) and ML812's pytest-randomly detection."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlsmells import declared
from mlsmells.frontends import cli
from mlsmells.semantic.index import _INDEXES, ProjectIndex, ProjectView, forget

TEST = """\
import numpy as np

def test_draw():
    assert np.random.rand(3).shape == (3,)

def test_nan():
    assert np.isnan(np.NaN)
"""


def _findings(capsys: pytest.CaptureFixture[str], root: Path) -> set[tuple[int, str]]:
    cli.main(["check", "--no-cache", "--output-format=json", "--select=ML301,ML812", str(root)])
    return {(r["location"]["row"], r["code"]) for r in json.loads(capsys.readouterr().out)}


@pytest.mark.parametrize("included", [True, False])
def test_an_included_requirements_file_serves_both_features(
    included: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No project marker: the requirements file makes the folder the project, for the
    # target versions and for ML812 alike (the index's root is the tests folder).
    (tmp_path / "requirements.txt").write_text("-r ci/deps.txt\n" if included else "pandas\n")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "deps.txt").write_text("numpy>=1.21,<2\npytest-randomly\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_draws.py").write_text(TEST)
    found = _findings(capsys, tmp_path)
    assert found == (set() if included else {(4, "ML812"), (7, "ML301")})
    names = [f.path.relative_to(tmp_path).as_posix() for f in declared.project_files(tmp_path)]
    assert names == (["requirements.txt", "ci/deps.txt"] if included else ["requirements.txt"])
    expected = (("numpy", "<2,>=1.21", "ci/deps.txt"),) if included else ()
    assert declared.declarations(tmp_path / "tests") == expected


def test_the_files_are_read_again_when_one_changes_comes_or_goes(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "requirements.txt").write_text("-r base.txt\n")
    (tmp_path / "base.txt").write_text("numpy<2\n")
    first = declared.project_files(tmp_path)
    assert declared.project_files(tmp_path) is first  # unchanged: not read again
    assert declared.declarations(tmp_path) == (("numpy", "<2", "base.txt"),)
    (tmp_path / "base.txt").write_text("numpy<1.26\n")  # an included file changes
    assert declared.declarations(tmp_path) == (("numpy", "<1.26", "base.txt"),)
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "test.txt").write_text("pytest-randomly\n")  # one comes
    view = ProjectView(ProjectIndex(tmp_path, lambda *args: None), tmp_path / "test_a.py")
    assert view.declares("pytest-randomly")
    assert view.used[tmp_path / "requirements" / "test.txt"]
    (tmp_path / "requirements" / "test.txt").unlink()  # and goes
    assert not view.declares("pytest-randomly")


def test_the_project_of_the_declarations_is_found_again_after_forget(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    index = ProjectIndex(tmp_path / "tests", lambda *args: None)  # no marker: its own root
    view = ProjectView(index, tmp_path / "tests" / "test_a.py")
    assert not view.declares("pytest-randomly")
    (tmp_path / "requirements.txt").write_text("pytest-randomly\n")
    _INDEXES[index.root] = index
    try:
        forget()
        assert view.declares("pytest-randomly")
    finally:
        del _INDEXES[index.root]


def test_only_regular_files_of_at_most_1_mib_inside_the_project_are_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.txt").write_text("pytest-randomly\nnumpy<2\n")
    (project / "requirements.txt").write_text("-r ../outside.txt\n-r /dev/zero\npandas<2\n")
    (project / "requirements-link.txt").symlink_to(tmp_path / "outside.txt")
    os.mkfifo(project / "requirements-fifo.txt")  # never waited on
    big = '[project]\ndependencies = ["torch<2"]\n# pytest-randomly\n'
    (project / "pyproject.toml").write_text(big + "#\n" * declared.MAX_SIZE)
    files = declared.project_files(project)
    assert [f.path.name for f in files] == ["requirements.txt"]
    assert declared.declarations(project) == (("pandas", "<2", "requirements.txt"),)
    view = ProjectView(ProjectIndex(project, lambda *args: None), project / "test_a.py")
    assert not view.declares("pytest-randomly")
