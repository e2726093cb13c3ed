"""ML919 unused-noqa, reported by the runner after the suppressions: what is judged, and
its fix (it only edits comments: the module's code is the same before and after)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from mlsmells import registry, runner
from mlsmells.fixes.apply import fix_source

ALL = frozenset(registry.RULES)
SOURCE = (
    "import torch\n"
    "a = torch.load('a.pt', weights_only=True)  # noqa: ML401, E501\n"
    "b = torch.load('b.pt', weights_only=True)  # pylint: disable=ml-torch-load-unsafe,W0611\n"
    "c = torch.load('c.pt', weights_only=True)  # pylint: disable=W7641  # why\n"
    "\n"
    "\n"
    "def f(path):\n"
    "    # pylint: disable=ml-torch-load-unsafe\n"
    "    return torch.load(path, weights_only=True)\n"
    "\n"
    "\n"
    "d = torch.load('d.pt')  # noqa: ML401\n"
)
FIXED = (
    "import torch\n"
    "a = torch.load('a.pt', weights_only=True)  # noqa: E501\n"
    "b = torch.load('b.pt', weights_only=True)  # pylint: disable=W0611\n"
    "c = torch.load('c.pt', weights_only=True)  # why\n"
    "\n"
    "\n"
    "def f(path):\n"
    "    return torch.load(path, weights_only=True)\n"
    "\n"
    "\n"
    "d = torch.load('d.pt')  # noqa: ML401\n"
)


def test_reported_for_unused_codes_only() -> None:
    found = [d for d in runner.check_source(SOURCE, "m.py", ALL) if d.code == "ML919"]
    assert [(d.line, d.get("unused")) for d in found] == [
        (2, "ML401"),
        (3, "ml-torch-load-unsafe"),
        (4, "W7641"),
        (8, "ml-torch-load-unsafe"),
    ]


def test_codes_of_rules_that_did_not_run_are_not_judged() -> None:
    without = ALL - {"ML401"}
    found = [d for d in runner.check_source(SOURCE, "m.py", without) if d.code == "ML919"]
    assert found == []


def test_an_ml919_finding_can_itself_be_suppressed() -> None:
    source = "x = 1  # noqa: ML999, ML919\n"
    assert runner.check_source(source, "m.py", ALL) == []


def test_fix_edits_comments_only() -> None:
    result = fix_source(SOURCE, "m.py", frozenset({"ML919"} | ALL), unsafe=False)
    assert result.source.replace("random_state=42", "") == FIXED
    assert ast.dump(ast.parse(result.source)) == ast.dump(ast.parse(SOURCE))


def test_fix_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "fix", "--isolated", "--extend-select", "ML919",
         str(path)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr  # (the last ML401 stays suppressed)
    assert path.read_text() == FIXED
