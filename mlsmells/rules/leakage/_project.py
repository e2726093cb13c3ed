"""Functions of the project's other modules, for the data flow of the leakage rules: what
``from utils import split_data`` then ``split_data(X)`` does to ``X``.

A module is walked for its data flow (statements only, no rule) the first time a file
checked for leakage calls one of its functions, and only when it imports a library whose
data the flow follows; the summaries of its module-level functions are kept portable (no
node of its tree, see :func:`~mlsmells.semantic.flow.summaries.portable`) by its path and
digest, for every file of the run that calls them. The functions are followed one level
deep: what they call in turn in other modules is unknown to them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from mlsmells import sources
from mlsmells.engine import Analysis, Context
from mlsmells.engine.walk import File, walk_file
from mlsmells.semantic.flow import STATEMENTS, FlowTracker, Summary
from mlsmells.semantic.flow.summaries import portable
from mlsmells.semantic.index import ModuleSummary, ProjectView
from mlsmells.semantic.scopes import Scope

#: The libraries a module must import for its functions to be worth a walk: those whose
#: objects, statistics and splits the flow follows.
FLOW_ROOTS = frozenset(
    {"sklearn", "imblearn", "pandas", "numpy", "scipy", "torch", "keras", "tensorflow",
     "tf_keras", "patsy", "sklearn_pandas"}
)  # fmt: skip

_FLOWS: dict[Path, tuple[str, dict[str, Summary]]] = {}
"""Module -> (its digest, the portable summaries of its functions that do something the
flow follows, by name)."""


class _ModuleFlow(Analysis):
    """The data flow of a project module, for its functions' summaries."""

    nodes = STATEMENTS

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.flow = FlowTracker(self.model)

    def visit(self, node: ast.AST) -> None:
        self.flow.statement(node, self.ctx.ancestors)

    def leave_scope(self, scope: Scope) -> None:
        self.flow.end_scope(scope)


def resolver(view: ProjectView) -> Callable[[str], Summary | None]:
    """What :attr:`FlowTracker.project` asks, for a file that sees the project as ``view``:
    the portable summary of the project function a qualified name calls."""

    def summary(qualname: str) -> Summary | None:
        if not view.is_project_module(qualname):
            return None
        found = view.function(qualname)
        if found is None:
            return None
        module, name = found
        if not module.roots & FLOW_ROOTS:
            return None
        return _functions(module).get(name)

    return summary


def _functions(module: ModuleSummary) -> dict[str, Summary]:
    known = _FLOWS.get(module.path)
    if known is not None and known[0] == module.digest:
        return known[1]
    found = _walk(module.path)
    _FLOWS[module.path] = (module.digest, found)
    return found


def _walk(path: Path) -> dict[str, Summary]:
    """The portable summaries of the module-level functions of the module at ``path``."""
    try:
        source = sources.decode_source(sources.read_bytes(path))
        tree = sources.parse(source, str(path))
        file = File(tree, sources.split_lines(source), str(path))
        walker = walk_file(file, (), frozenset(), True, (_ModuleFlow,))[1]
    except (sources.FileError, RecursionError):
        return {}
    tracker = walker.ctx.analysis(_ModuleFlow).flow
    found: dict[str, Summary] = {}
    for name, binding in walker.model.module_scope.bindings.items():
        summary = tracker.summaries.get(id(binding.node))
        if summary is not None and isinstance(binding.node, ast.FunctionDef):
            made = portable(summary, tracker.splits, tracker.validated)
            if made is not None:
                found[name] = made
    walker.release()
    return found
