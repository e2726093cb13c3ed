"""What a walk of a project module learned, as its :class:`~.index.ModuleSummary`."""

from __future__ import annotations

import ast
from pathlib import Path

from mlsmells.semantic.index import UNKNOWN_FUNCTION, ClassSummary, FunctionSummary, ModuleSummary
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.outputs import forward_output
from mlsmells.semantic.program import FunctionNode
from mlsmells.semantic.scopes import Binding


def summary_of(
    model: SemanticModel, path: Path, digest: str, roots: frozenset[str]
) -> ModuleSummary:
    """The summary of the module ``model`` has just walked (with a program: its functions'
    return kinds are known only then)."""
    program = model.program

    def function(node: FunctionNode) -> FunctionSummary:
        if program is None:
            return UNKNOWN_FUNCTION
        returns, items = program.final_return(node), program.final_items(node)
        if returns is None and items is None:
            return UNKNOWN_FUNCTION
        return FunctionSummary(returns, items)

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
            info.is_lightning,
            {m: tuple(dict.fromkeys(passed)) for m, passed in info.calls.items()},
        )
        for name, info in model.classes.items()
    }
    used = model.project.used if model.project is not None else {}
    scope = model.module_scope
    return ModuleSummary(
        path,
        digest,
        functions,
        classes,
        names,
        imports,
        tuple(scope.star_imports),
        _public(scope.bindings.get("__all__")),
        roots,
        dict(used),
    )


def _public(binding: Binding | None) -> frozenset[str] | None:
    """The names of a literal ``__all__`` list or tuple (None: none, or not literal)."""
    value = binding.node if binding is not None else None
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    names = [e.value for e in value.elts if isinstance(e, ast.Constant)]
    if len(names) != len(value.elts) or not all(isinstance(n, str) for n in names):
        return None
    return frozenset(str(n) for n in names)
