"""The leakage rules across the project's modules: splits, fits and statistics done inside
the functions of a sibling module, a package (relative imports, re-exports) or a ``src/``
layout, the same in ``mlsmells check``, flake8 and pylint (each run as a subprocess on a
fixture project), in notebooks, and kept fresh when a module changes."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from mlsmells.engine.walk import summarize
from mlsmells.rules.leakage import _project
from mlsmells.semantic import index
from tests.fixture_util import FIXTURES, PYLINT_MLSMELLS
from tests.test_project_index import _run, expectations

PROJECT = FIXTURES.parent / "projects" / "leakage"
PROGRAMS = (
    "leaky.py",
    "clean.py",
    "wildcard.py",
    "helpers.py",
    "pkg/train.py",
    "src/features/build.py",
)
CODES = ("ML001", "ML002", "ML003", "ML004", "ML005")


def expected() -> set[tuple[str, int, str]]:
    return {
        (name, line, code)
        for name in PROGRAMS
        for line, code in expectations(PROJECT / name)
        if code in CODES
    }


def test_the_fixture_has_leaky_and_clean_programs() -> None:
    found = expected()
    assert len(found) >= 8
    assert {name for name, _, _ in found} == {"leaky.py", "wildcard.py", "pkg/train.py"}
    assert "# error" not in (PROJECT / "clean.py").read_text(encoding="utf-8")


def test_check_follows_the_projects_modules() -> None:
    proc = _run("mlsmells", "check", "--no-cache", "--select=ML0", "--output-format=json", ".",
                cwd=PROJECT)  # fmt: skip
    found = {
        (Path(r["filename"]).as_posix(), r["location"]["row"], r["code"])
        for r in json.loads(proc.stdout)
    }
    assert found == expected()


def test_a_finding_names_the_call_into_the_other_module() -> None:
    proc = _run("mlsmells", "check", "--no-cache", "--select=ML001", "leaky.py", cwd=PROJECT)
    assert (
        "leaky.py:16:5: ML001 `StandardScaler().fit_transform()` learns from rows that "
        "`split_data` at line 17 splits into train and test parts"
    ) in proc.stdout
    assert (
        "leaky.py:22:6: ML001 `scale_all()` learns from rows that `helpers.split_data` at "
        "line 23"
    ) in proc.stdout


def test_flake8_sees_the_same() -> None:
    proc = _run("flake8", "--isolated", "--select=ML0", "--format=%(path)s %(row)d %(code)s",
                *PROGRAMS, cwd=PROJECT)  # fmt: skip
    found = {
        (Path(path).as_posix().removeprefix("./"), int(line), code)
        for path, line, code in (row.split() for row in proc.stdout.splitlines())
    }
    assert found == expected()


def test_pylint_sees_the_same() -> None:
    proc = _run(
        "pylint",
        *PYLINT_MLSMELLS,
        "--msg-template={path} {line} {msg}",
        *PROGRAMS,
        cwd=PROJECT,
    )
    rows = [r.split()[:3] for r in proc.stdout.splitlines() if not r.startswith("*")]
    found = {(Path(p).as_posix(), int(line), code) for p, line, code in rows if code in CODES}
    assert found == expected()


def test_a_notebook_of_the_project_follows_its_modules(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Credit"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": ["import pandas as pd\n", "from helpers import scale_all, split_data\n",
                    "df = pd.read_csv('credit.csv')\n", "y = df.pop('default')\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
         "source": ["X = scale_all(df)\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
         "source": ["X_tr, X_te, y_tr, y_te = split_data(X, y)\n"]},
    ]  # fmt: skip
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    proc = _run("mlsmells", "check", "--no-cache", "--select=ML0", "--output-format=json",
                "explore.ipynb", cwd=project)  # fmt: skip
    found = [(r["cell"], r["location"]["row"], r["code"]) for r in json.loads(proc.stdout)]
    assert found == [(3, 1, "ML001")]
    assert "`split_data` at cell 4, line 1" in json.loads(proc.stdout)[0]["message"]


def test_a_cached_result_is_stale_when_the_helper_changes(tmp_path: Path) -> None:
    """Through the CLI with its result cache: the script itself is unchanged."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    helper = tmp_path / "prep.py"
    splits = "from sklearn.model_selection import train_test_split\n"
    splits += "def cut(X, y):\n    return train_test_split(X, y)\n"
    helper.write_text(splits, encoding="utf-8")
    script = "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
    script += "from prep import cut\n"
    script += "X = StandardScaler().fit_transform(pd.read_csv('a'))\n"
    script += "parts = cut(X, pd.read_csv('b'))\n"
    (tmp_path / "run.py").write_text(script, encoding="utf-8")

    def check() -> str:
        return _run("mlsmells", "check", "--select=ML001", "run.py", cwd=tmp_path).stdout

    assert "run.py:4:5: ML001" in check()
    assert "run.py:4:5: ML001" in check()  # from the cache
    helper.write_text("import numpy as np\ndef cut(X, y):\n    return X, y\n", encoding="utf-8")
    assert "All checks passed" in check()


def test_summaries_hold_no_node_of_the_module() -> None:
    path = (PROJECT / "helpers.py").resolve()
    module = index.index_for(path, summarize).summary(path)
    assert module is not None
    functions = _project._functions(module)
    # Loaders and helpers that learn, split and fit nothing are not followed.
    assert "load" not in functions
    assert {"split_data", "scale_all", "fitted_scaler", "cut_at", "fill_income"} <= set(
        functions
    )
    tree = ast.parse((PROJECT / "helpers.py").read_text(encoding="utf-8"))
    own = {id(node) for node in ast.walk(tree)}
    for summary in functions.values():
        for sink in summary.sinks:
            assert id(sink.node) not in own
