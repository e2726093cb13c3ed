"""The package's layout keeps the promises CONTRIBUTING.md makes: no import cycle, each
rule module registered, no catch-all module."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

from mlsmells import registry

PACKAGE = Path(__file__).resolve().parent.parent / "mlsmells"
#: Tables generated from the libraries (or kept as data), exempt from the size limit.
GENERATED = {"data"}
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports: every import statement (in
    functions and ``TYPE_CHECKING`` blocks too), every ``importlib.import_module`` or
    ``lazy_import`` of a literal name, and the rule modules the registry lists."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None))
                in ("import_module", "lazy_import")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                targets = [node.args[0].value]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    for rule_module in registry.RULE_MODULES:
        graph["mlsmells.registry"].add(f"mlsmells.rules.{rule_module}")
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in list(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_rule_module_is_registered() -> None:
    on_disk = {f"{path.parent.name}.{path.stem}" for path in (PACKAGE / "rules").glob("*/ml*.py")}
    assert on_disk == set(registry.RULE_MODULES)
    assert list(registry.RULE_MODULES) == sorted(
        registry.RULE_MODULES, key=lambda m: m.split(".")[1]
    )


def test_no_module_is_a_catch_all() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in GENERATED
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_check_imports_no_fix_machinery() -> None:
    """The front ends' check path never imports libcst (a rule module's fix is lazy)."""
    import subprocess

    code = (
        "import sys\n"
        "from mlsmells.frontends.cli import main\n"
        "main(['check', '--no-cache', '--select', 'ALL', sys.argv[1]])\n"
        "import importlib.util\n"
        "loaded = [m for m in ('libcst', 'mlsmells.fixes.base') if m in sys.modules\n"
        "          and not isinstance(sys.modules[m], importlib.util._LazyModule)]\n"
        "print(loaded)\n"
    )
    examples = PACKAGE.parent / "examples"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(examples)], capture_output=True, text=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
