"""The rules about test code (ML811, ML812): which files are tests (the ``test-files``
setting, the plugins' options), and what seeds a test's random generators where pytest
finds it (its module, its class, the ``conftest.py`` files above it through the project
index, pytest-randomly declared by the project)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.config import DEFAULT_TEST_FILES, Settings, is_test_path, settings_from_table
from mlsmells.frontends import cli
from mlsmells.semantic.index import ProjectIndex, ProjectView

ALL = registry.select_codes(["ALL"])
FLOAT_TEST = "import numpy as np\n\ndef test_mean():\n    assert np.mean([0.1, 0.2]) == 0.15\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> set[tuple[str, int, str]]:
    """(file name, line, code) of each finding of ``mlsmells check``."""
    cli.main(["check", "--no-cache", "--output-format=json", *argv])
    out = capsys.readouterr().out
    return {(Path(r["filename"]).name, r["location"]["row"], r["code"]) for r in json.loads(out)}


# --------------------------------------------------------------- test files
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("test_model.py", True),
        ("pkg/model_test.py", True),
        ("conftest.py", True),
        ("tests/helpers.py", True),
        ("project/tests/unit/data.py", True),
        ("model.py", False),
        ("testing/model.py", False),
        ("tests_data.py", False),
        ("contest.py", False),
    ],
)
def test_default_test_files(path: str, expected: bool, tmp_path: Path) -> None:
    assert is_test_path(tmp_path / path, DEFAULT_TEST_FILES, tmp_path) is expected
    assert Settings().is_test_file(tmp_path / path) is expected


def test_rules_of_test_code_are_dropped_outside_test_files(tmp_path: Path) -> None:
    settings = Settings()
    tests_only = registry.tests_only_codes()
    assert tests_only == {"ML811", "ML812"}
    assert tests_only <= settings.codes_for(tmp_path / "tests" / "test_a.py")
    assert not tests_only & settings.codes_for(tmp_path / "src" / "model.py")
    custom = settings_from_table({"test-files": ["checks/**"]}, tmp_path / "pyproject.toml")
    assert tests_only <= custom.codes_for(tmp_path / "checks" / "deep" / "a.py")
    assert not tests_only & custom.codes_for(tmp_path / "tests" / "test_a.py")
    assert '"test-files":["checks/**"]' in custom.serialise()


def test_check_reports_float_equality_only_in_test_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"test_stats.py": FLOAT_TEST, "stats.py": FLOAT_TEST})
    found = check(capsys, "--select=ML811", str(tmp_path))
    assert found == {("test_stats.py", 4, "ML811")}
    (tmp_path / "pyproject.toml").write_text('[tool.mlsmells]\ntest-files = ["stats.py"]\n')
    found = check(capsys, "--select=ML811", str(tmp_path))
    assert found == {("stats.py", 4, "ML811")}


def _tool(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_flake8_option_names_the_test_files(tmp_path: Path) -> None:
    write(tmp_path, {"test_stats.py": FLOAT_TEST, "checks_stats.py": FLOAT_TEST})
    base = ("flake8", "--isolated", "--select=ML811", "--format=%(path)s")
    assert _tool(tmp_path, *base, ".").split() == ["./test_stats.py"]
    found = _tool(tmp_path, *base, "--mlsmells-test-files=checks_*.py", ".")
    assert found.split() == ["./checks_stats.py"]


def test_pylint_option_names_the_test_files(tmp_path: Path) -> None:
    write(tmp_path, {"test_stats.py": FLOAT_TEST, "checks_stats.py": FLOAT_TEST})
    base = (
        "pylint", "--load-plugins=mlsmells.pylint_plugin", "--disable=all",
        "--enable=ml-float-equality-in-test", "--score=n", "--persistent=n",
        "--msg-template={path}",
    )  # fmt: skip

    def reported(*options: str) -> list[str]:
        found = _tool(tmp_path, *base, *options, "test_stats.py", "checks_stats.py")
        return [line for line in found.splitlines() if not line.startswith("*")]

    assert reported() == ["test_stats.py"]
    assert reported("--mlsmells-test-files=checks_*.py") == ["checks_stats.py"]


# ------------------------------------------------- ML812 across the project
DRAWS = """\
import numpy as np
import torch

def test_numpy():
    assert np.random.rand(3).shape == (3,)

def test_torch(torch_seed):
    assert torch.rand(3).shape == (3,)
"""


def _ml812(capsys: pytest.CaptureFixture[str], root: Path) -> set[tuple[str, int, str]]:
    return check(capsys, "--select=ML812", str(root))


def test_conftest_fixtures_of_the_folders_above_seed_the_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"pyproject.toml": "", "tests/unit/test_draws.py": DRAWS})
    assert _ml812(capsys, tmp_path) == {
        ("test_draws.py", 5, "ML812"),
        ("test_draws.py", 8, "ML812"),
    }
    write(
        tmp_path,
        {
            "tests/conftest.py": """\
                import numpy as np
                import pytest

                def _reseed():
                    np.random.seed(0)

                @pytest.fixture(autouse=True)
                def numpy_seed():
                    _reseed()
            """,
            "tests/unit/conftest.py": """\
                import pytest
                from helpers import seed_all

                @pytest.fixture
                def torch_seed(base_seed):
                    seed_all(base_seed)

                @pytest.fixture
                def base_seed():
                    return 0
            """,
        },
    )
    assert _ml812(capsys, tmp_path) == set()


def test_conftest_above_the_project_root_does_not_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "conftest.py": "import pytest\nimport numpy as np\n\n"
            "@pytest.fixture(autouse=True)\ndef seed():\n    np.random.seed(0)\n",
            "project/pyproject.toml": "",
            "project/tests/test_draws.py": DRAWS,
        },
    )
    found = _ml812(capsys, tmp_path / "project")
    assert ("test_draws.py", 5, "ML812") in found


def test_conftest_hooks_and_module_code_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "tests/conftest.py": """\
                import torch

                torch.manual_seed(0)

                def pytest_runtest_setup(item):
                    import numpy
                    numpy.random.seed(1)
            """,
            "tests/test_draws.py": "import numpy as np\nimport torch\n\n"
            "X = torch.randn(3)\nY = np.random.rand(3)\n\n"
            "def test_x():\n    assert np.random.rand(2).shape == (2,)\n",
        },
    )
    # Module-level draws run at import: the conftest's module code seeded torch, not NumPy.
    assert _ml812(capsys, tmp_path) == {("test_draws.py", 5, "ML812")}


@pytest.mark.parametrize(
    ("files", "silent"),
    [
        ({"requirements-dev.txt": "pytest\npytest-randomly>=3\n"}, True),
        ({"pyproject.toml": '[project.optional-dependencies]\ntest = ["pytest_randomly"]\n'}, True),
        ({"requirements/test.txt": "pytest-randomly\n", "setup.py": ""}, True),
        (
            {
                "requirements.txt": "pytest-randomly\n",
                "pytest.ini": "[pytest]\naddopts = -p no:randomly\n",
            },
            False,
        ),
        ({"requirements.txt": "pytest\n"}, False),
    ],
)
def test_pytest_randomly_seeds_every_test(
    files: dict[str, str], silent: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {**files, "tests/test_draws.py": DRAWS})
    if not any(name in files for name in ("pyproject.toml", "setup.py")):
        (tmp_path / ".git").mkdir()
    found = _ml812(capsys, tmp_path)
    assert (found == set()) is silent


def test_a_changed_conftest_changes_the_cached_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"pyproject.toml": "", "tests/test_draws.py": DRAWS})
    conftest = tmp_path / "tests" / "conftest.py"
    seeding = "import pytest\nimport numpy as np\n\n@pytest.fixture(autouse=True)\n"
    conftest.write_text(seeding + "def seed():\n    np.random.seed(0)\n")
    monkeypatch.chdir(tmp_path)

    def cached() -> set[int]:
        cli.main(["check", "--select=ML812", "--output-format=json", "tests"])
        return {r["location"]["row"] for r in json.loads(capsys.readouterr().out)}

    assert cached() == {8}
    conftest.write_text(seeding + "def seed():\n    pass\n")
    assert cached() == {5, 8}


def test_index_finds_the_conftest_files_up_to_the_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conftest.py": "",
            "repo/setup.py": "",
            "repo/conftest.py": "",
            "repo/tests/conftest.py": "",
            "repo/tests/deep/test_a.py": "",
            "repo/requirements-test.txt": "pytest-randomly\n",
        },
    )
    importer = tmp_path / "repo" / "tests" / "deep" / "test_a.py"
    index = ProjectIndex(tmp_path / "repo", lambda *args: None)
    assert index.conftest_paths(importer) == [
        tmp_path / "repo" / "tests" / "conftest.py",
        tmp_path / "repo" / "conftest.py",
    ]
    view = ProjectView(index, importer)
    assert view.declares("PYTEST-randomly") and not view.declares("no:randomly")
    assert tmp_path / "repo" / "requirements-test.txt" in view.used
