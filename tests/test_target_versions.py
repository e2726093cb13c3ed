"""Target versions: the library releases a project supports (the setting, its declared
dependencies, else the newest) and what they change: which removed APIs are reported
and which fixes are applied, in ``mlsmells check``/``fix``, flake8 and pylint alike.

The fixture projects (``tests/fixtures/projects/versions_*``) mark each line with
``# error: MLxxx`` (reported under the project's own ranges and under the newest
releases; ``[display-only]`` when the replacement needs a newer release than the
project supports), ``# range: MLxxx`` (reported under the project's ranges only) or
``# newest: MLxxx`` (reported only when nothing is declared: the newest releases)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlsmells import declared, versions
from mlsmells.config import (
    ConfigError,
    Settings,
    SettingsCache,
    settings_from_table,
    targets_for,
)
from mlsmells.frontends.check import show_settings
from mlsmells.registry import engine, select_codes
from mlsmells.versions import NEWEST, Targets, resolve
from tests.fixture_util import FIXTURES, PYLINT_MLSMELLS

PROJECTS = FIXTURES.parent / "projects"
CASES = {
    "versions_setting": "train.py",
    "versions_pyproject": "train.py",
    "versions_requirements": "features.py",
}
CODES = ("ML208", "ML301", "ML412", "ML501")
_MARK = re.compile(r"#\s*(error|range|newest):\s*(ML\d{3})(\s*\[display-only\])?")


def marks(path: Path) -> dict[str, set[tuple[int, str]]]:
    """``error``, ``range``, ``newest`` and ``display`` (line, code) pairs of a fixture."""
    found: dict[str, set[tuple[int, str]]] = {
        "error": set(),
        "range": set(),
        "newest": set(),
        "display": set(),
    }
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _MARK.search(line)
        if match is None:
            continue
        found[match.group(1)].add((number, match.group(2)))
        if match.group(3):
            found["display"].add((number, match.group(2)))
    return found


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _json_findings(cwd: Path, name: str) -> list[dict[str, object]]:
    proc = _run(cwd, "mlsmells", "check", "--no-cache", "--output-format=json", name)
    records: list[dict[str, object]] = json.loads(proc.stdout)
    return [r for r in records if r["code"] in CODES]


def _row(record: dict[str, object]) -> tuple[int, str]:
    location = record["location"]
    assert isinstance(location, dict)
    return location["row"], str(record["code"])


# ------------------------------------------------------------- front ends


@pytest.mark.parametrize("project", sorted(CASES))
def test_check_reports_what_the_supported_releases_break(project: str) -> None:
    folder = PROJECTS / project
    expected = marks(folder / CASES[project])
    records = _json_findings(folder, CASES[project])
    assert {_row(r) for r in records} == expected["error"] | expected["range"]
    display = set()
    for record in records:
        fix = record["fix"]
        if isinstance(fix, dict) and fix["applicability"] == "display-only":
            display.add(_row(record))
            assert fix["needs"] in str(record["message"])
    assert display == expected["display"]


@pytest.mark.parametrize("project", sorted(CASES))
def test_without_declarations_the_newest_releases_are_assumed(
    project: str, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()  # a project root with no declarations
    source = PROJECTS / project / CASES[project]
    shutil.copy(source, tmp_path / source.name)
    expected = marks(source)
    records = _json_findings(tmp_path, source.name)
    assert {_row(r) for r in records} == expected["error"] | expected["newest"]
    assert not any(
        isinstance(r["fix"], dict) and r["fix"]["applicability"] == "display-only"
        for r in records
    )


@pytest.mark.parametrize("project", sorted(CASES))
def test_flake8_sees_the_same(project: str) -> None:
    folder = PROJECTS / project
    proc = _run(folder, "flake8", "--select=ML", "--format=%(row)d %(code)s", CASES[project])
    rows = (line.split() for line in proc.stdout.splitlines())
    found = {(int(row), code) for row, code in rows if code in CODES}
    expected = marks(folder / CASES[project])
    assert found == expected["error"] | expected["range"]


@pytest.mark.parametrize("project", sorted(CASES))
def test_pylint_sees_the_same(project: str) -> None:
    folder = PROJECTS / project
    proc = _run(
        folder,
        "pylint",
        *PYLINT_MLSMELLS,
        "--msg-template={line} {msg}",
        CASES[project],
    )
    rows = [r.split()[:2] for r in proc.stdout.splitlines() if not r.startswith("*")]
    found = {(int(line), code) for line, code in rows if code in CODES}
    expected = marks(folder / CASES[project])
    assert found == expected["error"] | expected["range"]


@pytest.mark.parametrize("project", sorted(CASES))
def test_fix_leaves_display_only_findings_alone(project: str, tmp_path: Path) -> None:
    folder = tmp_path / project
    shutil.copytree(PROJECTS / project, folder)
    name = CASES[project]
    before = (folder / name).read_text(encoding="utf-8").splitlines()
    expected = marks(folder / name)
    fixable = {
        _row(r)[0]
        for r in _json_findings(folder, name)
        if isinstance(r["fix"], dict) and r["fix"]["applicability"] != "display-only"
    }
    select = "--select=" + ",".join(CODES)
    proc = _run(folder, "mlsmells", "fix", "--unsafe-fixes", select, name)
    after = (folder / name).read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = {n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b}
    display = {line for line, _ in expected["display"]}
    assert changed == fixable
    assert not fixable & display
    assert f"{len(display)} fix" in proc.stdout + proc.stderr
    assert "not applied" in proc.stdout + proc.stderr


def test_sarif_describes_display_only_fixes() -> None:
    folder = PROJECTS / "versions_setting"
    proc = _run(folder, "mlsmells", "check", "--no-cache", "--output-format=sarif", "train.py")
    results = json.loads(proc.stdout)["runs"][0]["results"]
    described = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: fix["description"]["text"]
        for r in results
        for fix in r.get("fixes", ())
    }
    display = {line for line, _ in marks(folder / "train.py")["display"]}
    assert display
    for line, text in described.items():
        if line in display:
            assert "(display-only fix: it needs scikit-learn 1.1" in text
        else:
            assert "display-only" not in text


def test_show_settings_says_where_the_versions_come_from() -> None:
    proc = _run(PROJECTS / "versions_requirements", "mlsmells", "check", "--show-settings", ".")
    assert proc.returncode == 0
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert "<2.1,>=1.3: releases 1.3 to 2.0 (from requirements.txt)" in lines["pandas"]
    assert "==1.13.1: releases 1.13 (from requirements-torch.txt)" in lines["torch"]
    assert "not declared: the newest releases" in lines["scikit-learn"]
    assert lines["test-files:"].endswith("test_*.py, *_test.py, conftest.py, tests")
    proc = _run(PROJECTS / "versions_setting", "mlsmells", "check", "--show-settings", "train.py")
    assert "[tool.mlsmells.target-versions]" in proc.stdout


def test_show_settings_says_whether_a_file_is_a_test_file(tmp_path: Path) -> None:
    for name in ("test_model.py", "model.py"):
        (tmp_path / name).write_text("")
    shown = {
        name: show_settings(tmp_path / name, Settings(source=tmp_path / "pyproject.toml"))
        for name in ("test_model.py", "model.py")
    }
    assert "conftest.py, tests (this is one)\n" in shown["test_model.py"]
    assert "(this is one)" not in shown["model.py"]


# ---------------------------------------------------------------- ranges


def _targets(**specs: str) -> Targets:
    return resolve(((dist.replace("_", "-"), spec, "test") for dist, spec in specs.items()), ())


def test_ranges_become_the_examined_releases() -> None:
    targets = _targets(scikit_learn=">=1.0,<1.2", numpy="==1.26.4", pandas="~=2.1.0")
    assert (targets.oldest("sklearn"), targets.newest("sklearn")) == ("1.0", "1.1")
    assert (targets.oldest("numpy"), targets.newest("numpy")) == ("1.26", "1.26")
    assert (targets.oldest("pandas"), targets.newest("pandas")) == ("2.1", "2.1")
    assert targets.oldest("torch") == targets.newest("torch") == versions.newest("torch")
    upper_only = _targets(numpy="<2")
    assert upper_only.oldest("numpy") == versions.floor("numpy")
    assert upper_only.newest("numpy") == "1.26"
    beyond = _targets(torch=">=9")
    assert beyond.oldest("torch") == beyond.newest("torch") == versions.newest("torch")
    patch = _targets(numpy=">1.21.6,<1.22.2")  # only patch releases of two minors
    assert (patch.oldest("numpy"), patch.newest("numpy")) == ("1.21", "1.22")


def test_several_declarations_of_a_library_are_a_union() -> None:
    targets = resolve(
        [],
        [("numpy", "<1.20", "requirements-old.txt"), ("numpy", ">=2.2", "requirements.txt")],
    )
    assert (targets.oldest("numpy"), targets.newest("numpy")) == ("1.15", "2.4")
    found = targets.get("numpy")
    assert found is not None and found.source == "requirements-old.txt, requirements.txt"


def test_the_setting_wins_over_declarations_library_by_library() -> None:
    targets = resolve(
        [("scikit-learn", ">=1.0", "setting")],
        [("scikit_learn", ">=1.4", "deps"), ("Torch", ">=2.0", "deps")],
    )
    assert targets.oldest("sklearn") == "1.0"
    assert targets.oldest("torch") == "2.0"


def test_affected_means_deprecated_or_removed_somewhere_in_the_range() -> None:
    old = _targets(scikit_learn=">=1.0,<1.2", numpy="<2")
    assert not old.affected("sklearn", "1.2", "1.4")  # sparse=: fine up to 1.1
    assert old.affected("sklearn", "1.0", "1.2")  # criterion="mse": deprecated in 1.0
    assert not old.affected("numpy", "2.0", "2.0")  # np.NaN: removed in 2.0, no warning
    assert old.affected("numpy", None, None)  # unknown: reported
    assert NEWEST.affected("numpy", "2.0", "2.0")


def test_missing_replacements_name_the_release_they_need() -> None:
    old = _targets(scikit_learn=">=1.0")
    assert old.missing("sklearn", "1.2") == (
        "scikit-learn 1.2; the project supports 1.0, per test"
    )
    assert old.missing("sklearn", "1.0") is None
    assert old.missing("sklearn", None) is None
    assert old.missing("sklearn", versions.floor("sklearn")) is None  # "the floor or older"
    assert NEWEST.missing("torch", "2.3") is None  # the newest releases have everything


def test_a_declared_range_decides_the_numpy_2_fixes() -> None:
    """np.trapz -> np.trapezoid (NumPy 2.0): unsafe when nothing is declared, safe when
    every supported NumPy has it, display-only when some lacks it."""
    from mlsmells.fixes.apply import fix_source

    source = "import numpy as np\n\narea = np.trapz([1.0, 2.0])\n"
    active = frozenset({"ML301"})
    assert fix_source(source, "a.py", active).held_back == 1
    numpy2 = Settings(targets=_targets(numpy=">=2.0"))
    assert "np.trapezoid" in fix_source(source, "a.py", active, settings=numpy2).source
    numpy1 = Settings(targets=_targets(numpy=">=1.21"))
    result = fix_source(source, "a.py", active, settings=numpy1, unsafe=True)
    assert not result.changed and result.display_only == 1


def test_np_bool_is_reported_only_where_a_supported_numpy_lacks_it() -> None:
    source = "import numpy as np\nmask = np.zeros(3, dtype=np.bool)\nbig = np.long(2)\n"
    ml301 = engine(select_codes(["ML301"]))
    assert ml301.run_source(source) == []  # the newest NumPy has them again
    assert ml301.run_source(source, targets=_targets(numpy=">=2")) == []
    assert ml301.run_source(source, targets=_targets(numpy="<1.24")) == []
    found = ml301.run_source(source, targets=_targets(numpy=">=1.21"))
    assert [d.line for d in found] == [2, 3]
    assert "use `bool` (or `np.bool_`)" in found[0].message


def test_engine_without_targets_reports_as_before() -> None:
    source = "import numpy as np\nx = np.NaN\n"
    ml301 = engine(select_codes(["ML301"]))
    assert [d.code for d in ml301.run_source(source)] == ["ML301"]
    assert ml301.run_source(source, targets=_targets(numpy="<2")) == []


# ------------------------------------------------------------ declarations


def test_requirements_files_are_read_with_their_includes(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# the cluster\n"
        "--index-url https://example.invalid/simple\n"
        "-r requirements/base.txt\n"
        "numpy>=1.21,<2  # pinned below 2\n"
        "pandas \\\n"
        "  >=1.3\n"
        "scikit-learn\n"
        "torch @ https://example.invalid/torch.whl\n"
        "-e .\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text(
        "-r ../requirements.txt\ntorchvision==0.14.1; python_version < '3.12'\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements-dev.txt").write_text("pytest\nnot a requirement!\n")
    (tmp_path / "src").mkdir()
    assert set(declared.declarations(tmp_path / "src")) == {
        ("numpy", "<2,>=1.21", "requirements.txt"),
        ("pandas", ">=1.3", "requirements.txt"),
        ("torchvision", "==0.14.1", "requirements/base.txt"),
    }


def test_files_outside_the_project_or_not_regular_are_not_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.txt").write_text("pandas<2\n", encoding="utf-8")
    (project / "requirements.txt").write_text(
        "-r /dev/zero\n-r ../outside.txt\nnumpy<2\n", encoding="utf-8"
    )
    (project / "requirements-big.txt").write_text("# x\n" * (declared.MAX_SIZE // 4 + 1))
    assert declared.declarations(project) == (("numpy", "<2", "requirements.txt"),)


def test_pyproject_and_setup_cfg_are_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["numpy>=1.21", "requests", "torch>=2"]\n'
        '[project.optional-dependencies]\ntest = ["pandas>=2"]\n',
        encoding="utf-8",
    )
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires =\n    scikit-learn>=1.0  # the oldest tested\n"
        "    numpy\n",
        encoding="utf-8",
    )
    assert set(declared.declarations(tmp_path)) == {
        ("numpy", ">=1.21", "pyproject.toml [project] dependencies"),
        ("torch", ">=2", "pyproject.toml [project] dependencies"),
        ("scikit-learn", ">=1.0", "setup.cfg install_requires"),
    }


def test_the_nearest_project_is_read_and_broken_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy<2\n", encoding="utf-8")
    inner = tmp_path / "service"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project\n", encoding="utf-8")  # not TOML
    assert declared.declarations(inner) == ()
    assert declared.declarations(tmp_path) == (("numpy", "<2", "requirements.txt"),)


def test_settings_of_a_path_combine_the_setting_and_the_declarations(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["numpy<2", "torch>=2.0"]\n'
        '[tool.mlsmells.target-versions]\ntorch = ">=1.13"\n',
        encoding="utf-8",
    )
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    for cache in (SettingsCache(), SettingsCache(isolated=True)):
        targets = cache.for_path(tmp_path / "a.py").targets
        assert targets.newest("numpy") == "1.26"
    assert SettingsCache().for_path(tmp_path / "a.py").targets.oldest("torch") == "1.13"
    assert SettingsCache(isolated=True).for_path(tmp_path / "a.py").targets.oldest("torch") == "2.0"
    text = SettingsCache().for_path(tmp_path / "a.py").serialise()
    assert '"targets":[["numpy","<2"' in text  # part of the result cache's key


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"target-versions": {"sklearn": ">=1"}}, "did you mean 'scikit-learn'?"),
        ({"target-versions": {"jax": ">=1"}}, "known: numpy, pandas, scikit-learn"),
        ({"target-versions": {"numpy": ">=1.2.x"}}, "expected a PEP 440 version specifier"),
        ({"target-versions": {"numpy": ""}}, "expected a PEP 440 version specifier"),
        ({"target-versions": {"numpy": 2}}, "expected a string"),
        ({"target-versions": ["numpy>=1"]}, "expected a table of distribution"),
    ],
)
def test_invalid_target_versions_are_one_line_errors(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from_table(table, Path("pyproject.toml"))


def test_plugins_fail_on_an_invalid_setting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells.target-versions]\nnumpy = "latest"\n', encoding="utf-8"
    )
    (tmp_path / "a.py").write_text("import numpy as np\nx = np.NaN\n", encoding="utf-8")
    proc = _run(
        tmp_path,
        "pylint",
        "--load-plugins=mlsmells.pylint_plugin",
        "--disable=all",
        "--enable=mlsmells",
        "--persistent=n",
        "a.py",
    )
    assert proc.returncode == 32
    assert "target-versions: 'numpy': expected a PEP 440" in proc.stderr
    proc = _run(tmp_path, "flake8", "--select=ML", "a.py")
    assert proc.returncode == 1
    assert "a.py:1:1: ML000 invalid configuration: " in proc.stdout
    assert "'numpy': expected a PEP 440" in proc.stdout


def test_plugins_take_a_linked_files_targets_from_the_project_it_links_into(
    tmp_path: Path,
) -> None:
    """The plugins' targets are looked up once per folder, but a link beside plain files
    still gets those of the folder its target is in."""
    old, new = tmp_path / "old", tmp_path / "new"
    for project, numpy in ((old, "<2"), (new, ">=2")):
        project.mkdir()
        (project / "pyproject.toml").write_text(
            f'[project]\ndependencies = ["numpy{numpy}"]\n', encoding="utf-8"
        )
        (project / "train.py").write_text("", encoding="utf-8")
    (new / "legacy.py").symlink_to(old / "train.py")
    assert targets_for(new / "train.py").newest("numpy") != "1.26"
    assert targets_for(new / "legacy.py").newest("numpy") == "1.26"
    assert targets_for(new / "train.py").newest("numpy") != "1.26"
