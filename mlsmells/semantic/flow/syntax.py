"""What the evaluator reads off the syntax tree: literal labels and integers, the
arguments of a call."""

from __future__ import annotations

import ast


def literal_labels(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        labels = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            labels.append(elt.value)
        return tuple(labels)
    return None


def const_int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def per_row_axis(node: ast.expr | None) -> bool:
    """Whether an ``axis`` argument makes a reduction run along each row (not over rows)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and node.value in ("columns",):
        return True
    return const_int(node) in (1, -1)


def keyword_arg(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def call_arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """Argument ``name`` passed by position ``index`` or by keyword."""
    found = keyword_arg(call, name)
    if found is not None:
        return found
    positional = call.args
    if any(isinstance(a, ast.Starred) for a in positional[: index + 1]):
        return None
    return positional[index] if index < len(positional) else None


def is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
