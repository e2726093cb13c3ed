"""``[tool.mlsmells]``: every key, every invalid case, precedence CLI > file > defaults,
per-file-ignores, exclusion, ``--config``/``--isolated``, fix-safety overrides, and the
pylint plugin's ``mlsmells-per-file-ignores``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    Overrides,
    Settings,
    SettingsCache,
    glob_matches,
    load_config_file,
    resolve_selection,
    settings_from_table,
)
from mlsmells.frontends import cli
from mlsmells.frontends.pylint import parse_per_file_ignores
from mlsmells.records import Fix

SOURCE = Path("proj/pyproject.toml")
TORCH = 'import torch\nmodel = torch.load("model.pt")\n'  # ML401 (unsafe fix)
SKLEARN = (  # ML101 (safe fix)
    "from sklearn.ensemble import RandomForestClassifier\n"
    "model = RandomForestClassifier(n_estimators=10)\n"
)
PANDAS = 'import pandas as pd\ndf = pd.read_csv("x.csv")\n'  # ML902 when selected (opt-in)
DEFAULTS = registry.select_codes()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def codes(out: str) -> list[str]:
    """The codes of ``--output-format concise`` lines."""
    return sorted(line.split(": ")[1].split()[0] for line in out.splitlines())


# ------------------------------------------------------------------ parsing
def test_every_key_is_read() -> None:
    settings = settings_from_table(
        {
            "select": ["ml", "ML9"],
            "extend-select": ["ML902"],
            "ignore": ["ML3"],
            "per-file-ignores": {"tests/*": ["ML101"], "*.ipynb": ["ML4", "ML9"]},
            "exclude": ["build"],
            "extend-exclude": ["legacy/*"],
            "seed": 7,
            "unsafe-fixes": True,
            "extend-safe-fixes": ["ML401"],
            "extend-unsafe-fixes": ["ML1"],
            "test-files": ["checks_*.py", "qa"],
        },
        SOURCE,
    )
    assert settings == Settings(
        seed=7,
        unsafe_fixes=True,
        source=SOURCE,
        select=("ML", "ML9"),
        extend_select=("ML902",),
        ignore=("ML3",),
        per_file_ignores=(("tests/*", ("ML101",)), ("*.ipynb", ("ML4", "ML9"))),
        exclude=("build",),
        extend_exclude=("legacy/*",),
        extend_safe_fixes=("ML401",),
        extend_unsafe_fixes=("ML1",),
        test_files=("checks_*.py", "qa"),
    )


def test_empty_table_is_the_defaults() -> None:
    settings = settings_from_table({})
    assert settings == Settings()
    assert settings.active_codes() == DEFAULTS
    assert settings.exclude_patterns == DEFAULT_EXCLUDE


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"select": "ML2"}, 'select: expected a list of rule codes such as ["ML2", "ML401"], got'),
        ({"select": [2]}, "select: expected a list of rule codes"),
        ({"ignore": ["E501"]}, "ignore: invalid rule selector 'E501' (expected ALL, ML or a code"),
        ({"extend-select": ["ML6"]}, "extend-select: rule selector 'ML6' matches no rule"),
        ({"extend-safe-fixes": ["ML1001"]}, "extend-safe-fixes: invalid rule selector 'ML1001'"),
        ({"extend-unsafe-fixes": "ML4"}, "extend-unsafe-fixes: expected a list of rule codes"),
        ({"per-file-ignores": ["tests/*"]}, "per-file-ignores: expected a table of glob = [rule"),
        ({"per-file-ignores": {"tests/*": "ML1"}}, "per-file-ignores: 'tests/*': expected a list"),
        ({"per-file-ignores": {"t/*": ["XX1"]}}, "per-file-ignores: 't/*': invalid rule selector"),
        ({"per-file-ignores": {" ": ["ML1"]}}, "per-file-ignores: an empty glob pattern"),
        ({"exclude": "build"}, "exclude: expected a list of glob patterns, got the string 'build'"),
        (
            {"extend-exclude": [""]},
            "extend-exclude: expected a list of glob patterns, got an empty",
        ),
        ({"seed": "42"}, "seed: expected an integer, got the string '42'"),
        ({"unsafe-fixes": 1}, "unsafe-fixes: expected true or false, got 1"),
        ({"selectt": ["ML"]}, "unknown key 'selectt'; did you mean 'select'?"),
        ({"colour": True}, "unknown key 'colour' (known keys: exclude, extend-exclude"),
    ],
)
def test_invalid_tables_are_one_line_errors_naming_file_and_key(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_table(table, SOURCE)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("proj/pyproject.toml: [tool.mlsmells] ")
    assert message in text


def test_invalid_configuration_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlsmells]\nignore = ["ML2", "F401"]\n')
    (tmp_path / "a.py").write_text(TORCH)
    (tmp_path / "b.py").write_text(TORCH)
    status, out, err = run(capsys, "check", str(tmp_path))  # found while walking the directory
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"mlsmells: error: {tmp_path / 'pyproject.toml'}: [tool.mlsmells] ignore: "
        "invalid rule selector 'F401' (expected ALL, ML or a code prefix like ML2)"
    ]
    status, _, err = run(capsys, "check", str(tmp_path / "a.py"))  # a file named
    assert status == 2
    assert "[tool.mlsmells] ignore: invalid rule selector 'F401'" in err


# --------------------------------------------------------------- precedence
def test_selection_layers() -> None:
    file_layer = resolve_selection(DEFAULTS, None, ["ML902"], ["ML4"])
    assert "ML902" in file_layer and "ML401" not in file_layer and "ML101" in file_layer
    # A command-line --select starts afresh; --extend-select / --ignore adjust the file's.
    assert resolve_selection(file_layer, ["ML4"], [], []) == {
        c for c in registry.RULES if c.startswith("ML4")
    }
    adjusted = resolve_selection(file_layer, None, ["ML401"], ["ML1"])
    assert "ML401" in adjusted and "ML902" in adjusted and "ML101" not in adjusted
    # Within a layer the longer prefix wins; ignore wins a tie.
    assert resolve_selection(DEFAULTS, None, ["ML401"], ["ML4"]) >= {"ML401"}
    assert "ML401" not in resolve_selection(DEFAULTS, None, ["ML401"], ["ML401"])
    assert resolve_selection(DEFAULTS, ["ALL"], [], ["ALL"]) == frozenset()
    assert resolve_selection(DEFAULTS, [], [], []) == frozenset()


def test_precedence_cli_over_file_over_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "train.py"
    script.write_text(TORCH + SKLEARN + PANDAS)
    # Defaults: ML101 and ML401; the opt-in ML902 is off.
    assert codes(run(capsys, "check", "--output-format=concise", str(script))[1]) == [
        "ML101",
        "ML401",
    ]
    # The file: ignore ML4, add ML902.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells]\nignore = ["ML4"]\nextend-select = ["ML902"]\n'
    )
    assert codes(run(capsys, "check", "--output-format=concise", str(script))[1]) == [
        "ML101",
        "ML902",
    ]
    # The command line on top: --extend-select brings ML401 back, --ignore drops ML1.
    _, out, _ = run(
        capsys,
        "check",
        "--output-format=concise",
        "--extend-select=ML401",
        "--ignore=ML1",
        str(script),
    )
    assert codes(out) == ["ML401", "ML902"]
    # --select replaces the file's selection.
    _, out, _ = run(capsys, "check", "--output-format=concise", "--select=ML1", str(script))
    assert codes(out) == ["ML101"]
    # --isolated: the defaults again; --config: another file.
    _, out, _ = run(capsys, "check", "--output-format=concise", "--isolated", str(script))
    assert codes(out) == ["ML101", "ML401"]
    other = tmp_path / "ci.toml"
    other.write_text('select = ["ML4"]\n')
    _, out, _ = run(capsys, "check", "--output-format=concise", f"--config={other}", str(script))
    assert codes(out) == ["ML401"]


def test_unsafe_fixes_precedence(tmp_path: Path) -> None:
    script = tmp_path / "load.py"
    script.write_text(TORCH)
    assert cli.main(["fix", str(script)]) == 1  # default: unsafe fixes held back
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nunsafe-fixes = true\n")
    assert cli.main(["fix", "--no-unsafe-fixes", str(script)]) == 1  # the flag wins
    assert script.read_text() == TORCH
    assert cli.main(["fix", str(script)]) == 0  # the file's setting
    assert "weights_only=True" in script.read_text()


def test_config_and_isolated_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "--config=x.toml", "--isolated", "."])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_config_file_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: no \[tool.mlsmells\] table"):
        load_config_file(pyproject)
    other = tmp_path / "lint.toml"
    other.write_text("[tool.mlsmells]\nseed = 3\n")
    assert load_config_file(other).seed == 3
    other.write_text("seed = 4\n")
    assert load_config_file(other).seed == 4
    other.write_text("sed = 4\n")
    with pytest.raises(ConfigError) as info:
        load_config_file(other)
    assert str(info.value) == f"{other.resolve()}: unknown key 'sed'; did you mean 'seed'?"
    status, _, err = run(capsys, "check", f"--config={tmp_path / 'missing.toml'}", str(tmp_path))
    assert status == 2
    assert err == f"mlsmells: error: {tmp_path / 'missing.toml'}: no such file\n"


# -------------------------------------------------------- per-file-ignores
@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("tests/*", "tests/test_a.py", True),
        ("tests/*", "tests/unit/test_a.py", True),  # * crosses directories, as in flake8/ruff
        ("tests/*", "src/tests.py", False),
        ("**/conftest.py", "conftest.py", True),
        ("**/conftest.py", "a/b/conftest.py", True),
        ("test_*.py", "deep/down/test_x.py", True),  # no /: the file name
        ("test_*.py", "deep/test_dir/x.py", False),
        ("./notebooks/", "notebooks", True),
        ("nb/ex?.ipynb", "nb/ex1.ipynb", True),
        ("nb/ex?.ipynb", "nb/ex12.ipynb", False),
        ("[!_]*.py", "_private.py", False),
        ("[!_]*.py", "public.py", True),
        ("data[0-9].py", "data7.py", True),
    ],
)
def test_globs(pattern: str, path: str, matches: bool, tmp_path: Path) -> None:
    assert glob_matches(pattern, tmp_path / path, tmp_path) is matches


def test_relative_globs_never_match_outside_their_root(tmp_path: Path) -> None:
    assert not glob_matches("tests/*", tmp_path / "tests" / "a.py", tmp_path / "sub")


def test_per_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells]\nper-file-ignores = { "tests/**" = ["ML1"], "scratch_*.py" = ["ALL"] }\n'
    )
    for name in ("src/train.py", "tests/unit/test_train.py", "src/scratch_1.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TORCH + SKLEARN)
    _, out, _ = run(capsys, "check", "--output-format=concise", str(tmp_path))
    found = sorted(
        (Path(line.split(":")[0]).relative_to(tmp_path).as_posix(), line.split(": ")[1][:5])
        for line in out.splitlines()
    )
    assert found == [
        ("src/train.py", "ML101"),
        ("src/train.py", "ML401"),
        ("tests/unit/test_train.py", "ML401"),
    ]
    # The fixer leaves the ignored codes alone too.
    assert cli.main(["fix", str(tmp_path / "tests")]) == 1
    assert "random_state" not in (tmp_path / "tests/unit/test_train.py").read_text()


# ---------------------------------------------------------------- exclusion
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("src/a.py", "legacy/old.py", "src/gen_pb2.py", "build/b.py", "src/build/c.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TORCH)
    return tmp_path


def _checked(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> list[str]:
    _, out, _ = run(capsys, "check", "--output-format=concise", *argv)
    return sorted(
        Path(line.split(":")[0]).relative_to(root).as_posix() for line in out.splitlines()
    )


def test_exclude_and_extend_exclude(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _checked(capsys, tree, str(tree)) == ["legacy/old.py", "src/a.py", "src/gen_pb2.py"]
    (tree / "pyproject.toml").write_text(
        '[tool.mlsmells]\nextend-exclude = ["legacy", "*_pb2.py"]\n'
    )
    assert _checked(capsys, tree, str(tree)) == ["src/a.py"]
    # `exclude` replaces the defaults: build/ is checked again.
    (tree / "pyproject.toml").write_text('[tool.mlsmells]\nexclude = ["legacy"]\n')
    assert _checked(capsys, tree, str(tree)) == [
        "build/b.py",
        "src/a.py",
        "src/build/c.py",
        "src/gen_pb2.py",
    ]
    # On the command line, relative to the current directory.
    assert _checked(
        capsys, tree, "--isolated", f"--extend-exclude={tree / 'src'}/*", str(tree)
    ) == ["legacy/old.py"]


def test_named_files_are_checked_unless_force_exclude(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "pyproject.toml").write_text('[tool.mlsmells]\nextend-exclude = ["legacy"]\n')
    old = str(tree / "legacy" / "old.py")
    assert _checked(capsys, tree, old) == ["legacy/old.py"]
    # pre-commit names every staged file: --force-exclude applies the exclusions to them,
    # a parent directory's match included.
    assert _checked(capsys, tree, "--force-exclude", old, str(tree / "src" / "a.py")) == [
        "src/a.py"
    ]


def test_exclusion_follows_the_nearest_configuration(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "pyproject.toml").write_text('[tool.mlsmells]\nextend-exclude = ["legacy"]\n')
    (tree / "src" / "pyproject.toml").write_text('[tool.mlsmells]\nextend-exclude = ["a.py"]\n')
    assert _checked(capsys, tree, str(tree)) == ["src/gen_pb2.py"]


# ----------------------------------------------------------- fix safety
@pytest.mark.parametrize(
    ("safe", "unsafe", "code", "declared", "expected"),
    [
        ((), (), "ML401", Fix.UNSAFE, Fix.UNSAFE),
        (("ML4",), (), "ML401", Fix.UNSAFE, Fix.SAFE),
        ((), ("ML1",), "ML101", Fix.SAFE, Fix.UNSAFE),
        (("ML4",), ("ML401",), "ML401", Fix.UNSAFE, Fix.UNSAFE),  # longer prefix wins
        (("ML401",), ("ML4",), "ML401", Fix.UNSAFE, Fix.SAFE),
        (("ML401",), ("ML401",), "ML401", Fix.UNSAFE, Fix.UNSAFE),  # unsafe wins a tie
        (("ALL",), (), "ML202", Fix.UNSAFE, Fix.SAFE),
    ],
)
def test_fix_safety_overrides(
    safe: tuple[str, ...], unsafe: tuple[str, ...], code: str, declared: Fix, expected: Fix
) -> None:
    settings = Settings(extend_safe_fixes=safe, extend_unsafe_fixes=unsafe)
    assert settings.fix_safety(code, declared) is expected


def test_extend_safe_and_unsafe_fixes_change_what_fix_applies(tmp_path: Path) -> None:
    load = tmp_path / "load.py"
    train = tmp_path / "train.py"
    load.write_text(TORCH)
    train.write_text(SKLEARN)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells]\nextend-safe-fixes = ["ML401"]\nextend-unsafe-fixes = ["ML101"]\n'
    )
    assert cli.main(["fix", str(tmp_path)]) == 1  # ML101 is now held back
    assert "weights_only=True" in load.read_text()
    assert train.read_text() == SKLEARN
    assert cli.main(["fix", "--unsafe-fixes", str(tmp_path)]) == 0
    assert "random_state=42" in train.read_text()


# ----------------------------------------------------------- serialisation
def test_serialise_is_canonical_and_sensitive() -> None:
    a = settings_from_table({"select": ["ML4", "ML1"], "ignore": ["ML9"]})
    b = settings_from_table({"select": ["ML1", "ML4"]})
    assert a.serialise() == b.serialise()  # same effective selection
    assert json.loads(a.serialise())["select"] == sorted(a.active_codes())
    assert Settings().serialise() != Settings(seed=1).serialise()
    assert Settings().serialise() != Settings(extend_safe_fixes=("ML4",)).serialise()
    merged = Settings().with_overrides(Overrides(ignore=("ML4",)))
    assert merged.serialise() == Settings(ignore=("ML4",)).serialise()


def test_settings_cache_applies_overrides_to_every_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlsmells]\nignore = ["ML1"]\n')
    cache = SettingsCache(Overrides(extend_select=("ML101",), unsafe_fixes=True))
    settings = cache.for_path(tmp_path / "a.py")
    assert "ML101" in settings.active_codes() and settings.unsafe_fixes
    assert settings.source == (tmp_path / "pyproject.toml").resolve()


# ------------------------------------------------------------------ pylint
def test_pylint_per_file_ignores_parsing() -> None:
    assert parse_per_file_ignores(["tests/*:ML101", "ML9", "scripts/*:ML907"]) == (
        ("tests/*", ("ML101", "ML9")),
        ("scripts/*", ("ML907",)),
    )
    assert parse_per_file_ignores(["tests/*:ML101,ML9 x.py:ML4"]) == (
        ("tests/*", ("ML101", "ML9")),
        ("x.py", ("ML4",)),
    )
    for bad in (["ML101"], ["tests/*:"], [":ML1"], ["tests/*:E501"]):
        with pytest.raises(ValueError):
            parse_per_file_ignores(bad)


def test_pylint_per_file_ignores_option(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text(TORCH + SKLEARN)
    (tmp_path / "a.py").write_text(TORCH + SKLEARN)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pylint.main]\n"
        'load-plugins = ["mlsmells.pylint_plugin"]\n'
        'disable = ["all"]\n'
        'enable = ["mlsmells"]\n'
        "[tool.pylint.mlsmells]\n"
        'mlsmells-per-file-ignores = ["tests/*:ML4"]\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--score=n", "a.py", "tests/t.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    found = sorted(
        (line.split(":")[0], line.split(": ")[2].split()[0])  # path:line:col: W7641: ML401 ...
        for line in result.stdout.splitlines()
        if ": ML" in line
    )
    assert found == [("a.py", "ML101"), ("a.py", "ML401"), ("tests/t.py", "ML101")]
    bad = subprocess.run(
        [sys.executable, "-m", "pylint", "--mlsmells-per-file-ignores=tests/*:E501", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 32
    assert "mlsmells-per-file-ignores: invalid rule selector 'E501'" in bad.stderr


def test_check_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert "examples:\n  mlsmells check src/ notebooks/" in out
    assert "--write-baseline base.json" in out and "[tool.mlsmells]" in out
