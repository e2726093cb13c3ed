"""What a walk of a project module learned, as its :class:`~.index.ModuleSummary`."""

from __future__ import annotations

import ast
from pathlib import Path

from mlsmells.semantic.index import ClassSummary, FunctionSummary, ModuleSummary
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.outputs import forward_output
from mlsmells.semantic.program import FunctionNode


def summary_of(
    model: SemanticModel, path: Path, digest: str, roots: frozenset[str]
) -> ModuleSummary:
    """The summary of the module ``model`` has just walked (with a program: its functions'
    return kinds are known only then)."""
    program = model.program

    def function(node: FunctionNode) -> FunctionSummary:
        if program is None:
            return FunctionSummary()
        return FunctionSummary(program.final_return(node), program.final_items(node))

    functions: dict[str, FunctionSummary] = {}
    names: dict[str, Kind] = {}
    imports: dict[str, str] = {}
    for name, binding in model.module_scope.bindings.items():
        node = binding.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[name] = function(node)
        elif binding.qualname is not None and isinstance(node, (ast.Import, ast.ImportFrom)):
            imports[name] = binding.qualname
        elif binding.kind is not None and not binding.is_class:
            names[name] = binding.kind
    classes = {
        name: ClassSummary(
            info.is_module,
            {m: function(f) for m, f in info.methods.items()},
            forward_output(model, info),
        )
        for name, info in model.classes.items()
    }
    used = model.project.used if model.project is not None else {}
    return ModuleSummary(
        path,
        digest,
        functions,
        classes,
        names,
        imports,
        roots,
        tuple(sorted(used.items())),
    )
