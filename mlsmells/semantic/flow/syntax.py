"""What the evaluator reads off the syntax tree: literal labels and integers, the
arguments of a call."""

from __future__ import annotations

import ast

from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel


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


def slice_cut(node: ast.expr) -> tuple[str, int] | None:
    """``[:n]`` -> (``"n"``, 0), ``[n:]`` -> (``"n"``, 1): the cut of a slice taking the rows
    before it or after it (``None``: not such a slice)."""
    if not isinstance(node, ast.Slice) or node.step is not None:
        return None
    lower = None if node.lower is None or const_int(node.lower) == 0 else node.lower
    if lower is None and node.upper is not None:
        return _text(node.upper), 0
    if lower is not None and node.upper is None:
        return _text(lower), 1
    return None


#: Comparison operators of a mask that selects one group of rows or all the others.
_MASK_OPS: dict[type[ast.cmpop], int] = {ast.Eq: 1, ast.Is: 1, ast.NotEq: 0, ast.IsNot: 0}


def mask_cut(node: ast.expr) -> tuple[str, int] | None:
    """A row mask that splits a frame in two by one column: ``df.fold == k`` (part 1, the
    fold) and ``df.fold != k`` (part 0, the rest); ``df.is_train`` (part 0) and
    ``~df.is_train``; ``df.id.isin(ids)`` and ``~df.id.isin(ids)``. ``None``: another kind
    of mask (``df.price > 0`` filters, it does not split)."""
    negated = False
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
        negated = not negated
        node = node.operand
    found = _mask_side(node)
    if found is None:
        return None
    text, part = found
    return text, 1 - part if negated else part


def _mask_side(node: ast.expr) -> tuple[str, int] | None:
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        part = _MASK_OPS.get(type(node.ops[0]))
        if part is None or not _is_column(node.left):
            return None
        value = node.comparators[0]
        if isinstance(value, ast.Constant) and value.value in (True, False, 1, 0):
            flag = _flag_side(node.left)
            return _text(node.left), flag if bool(value.value) == bool(part) else 1 - flag
        return f"{_text(node.left)} == {_text(value)}", part
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "isin"
        and len(node.args) == 1
        and not node.keywords
        and _is_column(node.func.value)
    ):
        return f"{_text(node.func.value)}.isin({_text(node.args[0])})", 1
    if _is_column(node):
        return _text(node), _flag_side(node)
    return None


def _flag_side(column: ast.expr) -> int:
    """The part the rows of a true flag column are: 0 (training) for ``is_train``."""
    return 0 if "train" in _text(column).lower() else 1


def _is_column(node: ast.expr) -> bool:
    """``df.col``, ``df["col"]``: a column read off a name."""
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name)
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            isinstance(node.value, ast.Name)
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        )
    return False


def _text(node: ast.expr) -> str:
    return " ".join(ast.unparse(node).split())


#: Methods giving a grouping (``groupby``) or a window over the rows.
_GROUPINGS = frozenset({"groupby", "rolling", "expanding", "ewm", "resample"})


def grouping_of(node: ast.expr, model: SemanticModel) -> str | None:
    """``"groupby"`` when ``node`` is a groupby (``df.groupby(k)``, ``df.groupby(k)["c"]``,
    a name of one), the method's name for a window (``df.rolling(7)``), else ``None``."""
    inner = node
    while isinstance(inner, (ast.Subscript, ast.Attribute)):
        inner = inner.value
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
        if inner.func.attr in _GROUPINGS:
            return inner.func.attr
    if isinstance(inner, ast.Name) and model.kind_of(node) in _GROUPBY_KINDS:
        return "groupby"
    return None


_GROUPBY_KINDS = (Kind.FRAME_GROUPBY, Kind.SERIES_GROUPBY)


def loop_assigned(loop: ast.For | ast.AsyncFor | ast.While) -> frozenset[str]:
    """The names the loop (its target and its body) assigns."""
    parts: list[ast.AST] = list(loop.body)
    if not isinstance(loop, ast.While):
        parts.append(loop.target)
    return frozenset(
        node.id
        for part in parts
        for node in ast.walk(part)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    )
