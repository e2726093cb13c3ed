"""flake8, pylint and ``mlsmells check`` report the same findings on every rule fixture.

Each tool runs once, as a subprocess, over the whole fixture set; the
findings are compared as (line, 0-based column, code) sets per file. flake8
prints the engine's column + 1, pylint prints it as it is, and the CLI's
JSON has the column + 1 (flake8's convention).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import mlsmells
from mlsmells import records, registry
from mlsmells.suppression import UNUSED_CODE
from tests.fixture_util import PYLINT_MLSMELLS, fixture_files

Findings = dict[Path, set[tuple[int, int, str]]]
FIXTURES = [p.resolve() for p in fixture_files()]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", *args, *map(str, FIXTURES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def flake8() -> Findings:
    proc = _run(
        "flake8", "--isolated", "--select=ML", "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s"
    )
    assert proc.returncode in (0, 1), proc.stderr
    found: Findings = defaultdict(set)
    for row in proc.stdout.splitlines():
        path, line, col, code = row.split("\t")
        found[Path(path).resolve()].add((int(line), int(col) - 1, code))
    return found


@pytest.fixture(scope="module")
def pylint() -> Findings:
    proc = _run(
        "pylint",
        *PYLINT_MLSMELLS,
        "--msg-template={path}\t{line}\t{column}\t{msg}",
    )
    found: Findings = defaultdict(set)
    for row in proc.stdout.splitlines():
        if row.startswith("*************"):
            continue
        path, line, col, message = row.split("\t")
        found[Path(path).resolve()].add((int(line), int(col), message.split()[0]))
    return found


@pytest.fixture(scope="module")
def cli() -> Findings:
    proc = _run("mlsmells", "check", "--select=ALL", "--output-format=json")
    assert proc.returncode in (0, 1), proc.stderr
    found: Findings = defaultdict(set)
    for record in json.loads(proc.stdout):
        location = record["location"]
        found[Path(record["filename"]).resolve()].add(
            (location["row"], location["column"] - 1, record["code"])
        )
    return found


def test_same_findings(flake8: Findings, pylint: Findings, cli: Findings) -> None:
    """One test for the whole fixture set, so that each tool runs once per test session
    (pylint takes seconds: astroid builds pandas and torch for every file importing them).
    ML919 (unused suppressions) is the CLI's alone: flake8 and pylint apply suppressions
    themselves (test_unused_suppressions_are_the_clis_alone)."""
    assert FIXTURES, "no rule fixtures in tests/fixtures/rules"
    mismatches: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for path in FIXTURES:
        ours = cli[path]
        if path.name.startswith(UNUSED_CODE):
            # Its look-alikes hold each tool's comments, which the others do not read.
            assert any(code == UNUSED_CODE for *_, code in ours)
            continue
        if not ours:
            mismatches[path.name] = {"the CLI found nothing in a rule fixture": []}
            continue
        diff = {
            "flake8 only": sorted(flake8[path] - ours),
            "pylint only": sorted(pylint[path] - ours),
            "cli only (vs flake8)": sorted(ours - flake8[path]),
            "cli only (vs pylint)": sorted(ours - pylint[path]),
        }
        diff = {k: v for k, v in diff.items() if v}
        if diff:
            mismatches[path.name] = diff
    assert not mismatches, mismatches


# ------------------------------------------------- the plugins, in process
def test_flake8_plugin_yields_engine_findings_on_flake8s_tree() -> None:
    import ast

    from mlsmells.frontends.flake8 import MLSmellsChecker

    source = 'import torch\nmodel = torch.load("m.pt")\n'
    lines = source.splitlines(keepends=True)
    plugin = MLSmellsChecker(ast.parse(source), "m.py", lines)
    found = list(plugin.run())
    expected = registry.engine(frozenset(registry.RULES)).run_source(source)
    assert found == [(d.line, d.col, d.message, MLSmellsChecker) for d in expected]
    assert found and found[0][2].startswith("ML401 ")
    assert MLSmellsChecker.name == "mlsmells"
    assert MLSmellsChecker.version == mlsmells.__version__


def test_flake8_plugin_default_ignores_the_opt_in_rules() -> None:
    from flake8.options.manager import OptionManager

    from mlsmells.frontends.flake8 import MLSmellsChecker

    manager = OptionManager(version="0", plugin_versions="", parents=[], formatter_names=[])
    MLSmellsChecker.add_options(manager)
    assert manager.extended_default_ignore == ["ML9"]


def test_flake8_reports_an_internal_error(tmp_path: Path) -> None:
    """ML000 reaches flake8's output (a rule that raised), like any other finding."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "from mlsmells.registry import CHECKS\n"
        "from mlsmells.frontends.flake8 import MLSmellsChecker\n"
        "for check in CHECKS:\n"
        "    if 'ML401' in check.codes:\n"
        "        check.visit = lambda self, node: 1 / 0\n"
        "from flake8.main.cli import main\n"
        "main(sys.argv[1:])\n",
        encoding="utf-8",
    )
    target = tmp_path / "t.py"
    target.write_text('import torch\nm = torch.load("m.pt")\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), "--isolated", "--select=ML", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ": ML000 internal error in rule ML401" in proc.stdout, proc.stderr


def test_pylint_messages_follow_the_registry() -> None:
    from pylint.lint import PyLinter

    from mlsmells.frontends import pylint as pylint_plugin

    linter = PyLinter()
    pylint_plugin.register(linter)
    for rule in registry.RULES.values():
        [definition] = linter.msgs_store.get_message_definitions(rule.pylint_id)
        assert definition.symbol == rule.symbol
        assert definition.description == rule.summary
        assert linter.is_message_enabled(rule.symbol) == rule.default_enabled
    [internal] = linter.msgs_store.get_message_definitions(records.INTERNAL_ERROR_PYLINT_ID)
    assert internal.symbol == records.INTERNAL_ERROR_SYMBOL
    assert linter.is_message_enabled(internal.symbol)


def test_pylint_reports_an_internal_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pylint.lint import Run
    from pylint.reporters import CollectingReporter

    from mlsmells.diagnostics import Diagnostic
    from mlsmells.frontends import pylint as pylint_plugin

    crash = Diagnostic(2, 0, "ML000", "ML000 internal error in rule ML401: boom", 2, 0)

    class CrashingEngine:
        def __init__(self, active: frozenset[str]) -> None:
            self.active = active

        def run(self, *args: object, **kwargs: object) -> list[Diagnostic]:
            return [crash]

    monkeypatch.setattr(pylint_plugin, "_engine", CrashingEngine)
    target = tmp_path / "t.py"
    target.write_text("import torch\nm = 1\n", encoding="utf-8")
    reporter = CollectingReporter()
    Run(
        [
            "--load-plugins=mlsmells.pylint_plugin",
            "--disable=all",
            "--enable=mlsmells",
            "--persistent=n",
            str(target),
        ],
        reporter=reporter,
        exit=False,
    )
    assert [(m.msg_id, m.symbol, m.line, m.msg) for m in reporter.messages] == [
        ("F7600", "ml-internal-error", 2, crash.message)
    ]


OPT_IN = [p for p in FIXTURES if not registry.get(p.name[:5]).default_enabled]


@pytest.mark.skipif(not OPT_IN, reason="no opt-in (ML9xx) rule fixture yet")
def test_opt_in_rules_are_off_by_default_everywhere(flake8: Findings, cli: Findings) -> None:
    """Without a selection, neither flake8 nor the CLI reports an opt-in rule; with
    the opt-in selectors both do (the findings above). pylint's default state of
    each message is checked in process by test_pylint_messages_follow_the_registry."""
    files = [str(p) for p in OPT_IN]
    off = {registry.get(p.name[:5]).code for p in OPT_IN}
    commands = {
        "flake8": ["flake8", "--isolated"],
        "cli": ["mlsmells", "check"],
    }
    for tool, command in commands.items():
        proc = subprocess.run(
            [sys.executable, "-m", *command, *files], capture_output=True, text=True, check=False
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        reported = {code for code in off if f": {code} " in proc.stdout}
        assert not reported, f"{tool} reports opt-in rules by default: {sorted(reported)}"
    for path in OPT_IN:
        assert (flake8[path] or path.name.startswith(UNUSED_CODE)) and cli[path]


def test_unused_suppressions_are_the_clis_alone(flake8: Findings, pylint: Findings) -> None:
    """ML919's check reports nothing in the engine: flake8 and pylint never show it."""
    for findings in (flake8, pylint):
        assert not any(code == UNUSED_CODE for found in findings.values() for *_, code in found)
