"""``[tool.mlsmells]`` in pyproject.toml: discovery, validation, what the fixer takes from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsmells.config import (
    ConfigError,
    Settings,
    SettingsCache,
    find_pyproject,
    load_settings,
    settings_from_table,
)
from mlsmells.frontends.cli import main

SKLEARN = (
    "from sklearn.ensemble import RandomForestClassifier\n"
    "model = RandomForestClassifier(n_estimators=10)\n"
)
TORCH = "import torch\nstate = torch.load('m.pt')\n"


def test_defaults() -> None:
    assert settings_from_table({}) == Settings(seed=42, unsafe_fixes=False)


def test_values_are_read() -> None:
    settings = settings_from_table({"seed": 7, "unsafe-fixes": True}, Path("p/pyproject.toml"))
    assert (settings.seed, settings.unsafe_fixes) == (7, True)
    assert settings.source == Path("p/pyproject.toml")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"seed": "42"}, "[tool.mlsmells] seed: expected an integer, got the string '42'"),
        ({"seed": True}, "[tool.mlsmells] seed: expected an integer, got true"),
        ({"seed": 4.2}, "[tool.mlsmells] seed: expected an integer, got 4.2"),
        ({"seed": -1}, "[tool.mlsmells] seed: expected an integer from 0 to 4294967295, got -1"),
        ({"seed": 2**32}, "expected an integer from 0 to 4294967295, got 4294967296"),
        ({"unsafe-fixes": "yes"}, "unsafe-fixes: expected true or false, got the string 'yes'"),
        ({"sede": 1}, "[tool.mlsmells] unknown key 'sede'"),
    ],
)
def test_invalid_values_are_one_line_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_table(table, Path("proj/pyproject.toml"))
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("proj/pyproject.toml: ")
    assert message in text


def test_nearest_pyproject_with_the_table_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nseed = 1\n")
    project = tmp_path / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: skipped
    script = project / "src" / "pkg" / "train.py"
    script.write_text("x = 1\n")
    assert find_pyproject(script) == tmp_path / "pyproject.toml"
    assert load_settings(script).seed == 1
    (project / "src" / "pyproject.toml").write_text("[tool.mlsmells]\nseed = 2\n")
    assert load_settings(script).seed == 2


def test_no_pyproject_gives_defaults(tmp_path: Path) -> None:
    script = tmp_path / "a.py"
    script.write_text("x = 1\n")
    assert find_pyproject(script) is None
    assert load_settings(script) == Settings()


def test_invalid_toml_and_a_non_table_are_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells\nseed = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool]\nmlsmells = 3\n")
    with pytest.raises(ConfigError, match=r"\[tool.mlsmells\] must be a table"):
        load_settings(tmp_path)


def test_cache_reads_each_directory_once(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.mlsmells]\nseed = 3\n")
    cache = SettingsCache()
    assert cache.for_path(tmp_path / "a.py").seed == 3
    pyproject.write_text("[tool.mlsmells]\nseed = 4\n")
    assert cache.for_path(tmp_path / "b.py").seed == 3


def test_configured_seed_is_what_ml101_inserts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nseed = 2024\n")
    script = tmp_path / "train.py"
    script.write_text(SKLEARN)
    assert main(["fix", str(script)]) == 0
    assert "RandomForestClassifier(n_estimators=10, random_state=2024)" in script.read_text()


def test_default_seed_is_42(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SKLEARN)
    assert main(["fix", str(script)]) == 0
    assert "random_state=42" in script.read_text()


def test_unsafe_fixes_setting_and_its_override(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nunsafe-fixes = true\n")
    script = tmp_path / "load.py"
    script.write_text(TORCH)
    assert main(["fix", "--no-unsafe-fixes", str(script)]) == 1
    assert script.read_text() == TORCH
    assert main(["fix", str(script)]) == 0
    assert "weights_only=True" in script.read_text()


def test_invalid_configuration_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nseed = 'forty-two'\n")
    script = tmp_path / "train.py"
    script.write_text(SKLEARN)
    assert main(["fix", str(script)]) == 2
    assert script.read_text() == SKLEARN
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"mlsmells: error: {script}: {tmp_path / 'pyproject.toml'}: [tool.mlsmells] seed: "
        "expected an integer, got the string 'forty-two'"
    ]
