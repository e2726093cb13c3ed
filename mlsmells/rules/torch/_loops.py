"""Where a node is, for the PyTorch rules: the loops and the function around it, and the
nodes of a body (not descending into nested definitions)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_Loop = ast.For | ast.AsyncFor | ast.While


def enclosing_loops(ancestors: list[ast.AST]) -> list[_Loop]:
    """The loops around the current node in its own function, innermost first."""
    loops: list[_Loop] = []
    for node in reversed(ancestors):
        if isinstance(node, _DEFINITIONS):
            break
        if isinstance(node, _LOOPS):
            loops.append(node)
    return loops


def walk_local(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, not descending into nested definitions."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _innermost_function(
    ancestors: list[ast.AST],
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in reversed(ancestors):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
        if isinstance(node, (ast.Lambda, ast.ClassDef)):
            return None
    return None
