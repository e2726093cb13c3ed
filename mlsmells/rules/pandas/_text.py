"""How the pandas rules spell code in their messages and fix data: a short form of an
expression, and the name a module is bound to."""

from __future__ import annotations

import ast

from mlsmells.engine import Context
from mlsmells.semantic.model import SemanticModel


def module_alias(model: SemanticModel, module: str) -> str | None:
    """A name bound to ``module`` at this point (``pd`` for pandas ...), the shortest."""
    candidates: list[str] = []
    for scope in model.scope.lookup_chain():
        for name, binding in scope.bindings.items():
            if binding.qualname == module and model.lookup(name) is binding:
                candidates.append(name)
    return min(candidates, key=lambda n: (len(n), n)) if candidates else None


def brief(ctx: Context, node: ast.AST, limit: int = 40) -> str:
    """The source of ``node`` for a message: as written when short and on one line,
    else with call arguments and subscripts elided (``results.pivot_table(...)``)."""
    text = ctx.source_of(node)
    if "\n" not in text and len(text) <= limit:
        return text
    if isinstance(node, ast.Call):
        return f"{brief(ctx, node.func, limit)}(...)"
    if isinstance(node, ast.Attribute):
        return f"{brief(ctx, node.value, limit)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{brief(ctx, node.value, limit)}[...]"
    return "..."
