"""Fixes of the NumPy family (ML3xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.data import api_changes
from mlsmells.data.api_changes import NumpyChange, Repl
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import Edit, FixContext, method_call, parenthesize, transform
from mlsmells.records import Fix

# -------------------------------------------------------------------- ML301


@transform("ML301")
def removed_numpy_alias(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """The documented replacement of a removed NumPy name.

    ``np.NaN`` -> ``np.nan`` (any spelling of the module: the receiver is kept),
    ``np.float`` -> ``float``, ``np.NINF`` -> ``-np.inf``, ``np.PZERO`` ->
    ``0.0``; ``from numpy import NaN`` -> ``from numpy import nan as NaN``; a
    name from ``from numpy import *`` -> the new name. Calls whose replacement
    is another call: ``np.in1d(a, b)`` -> ``np.isin(a, b).ravel()``,
    ``np.asfarray(a)`` -> ``np.asarray(a, dtype=np.float64)``, ``np.msort(a)``
    -> ``np.sort(a, axis=0)``, ``np.asscalar(a)`` -> ``a.item()``.
    Replacements that exist only from NumPy 2.0 on are unsafe.
    """
    data = dict(diag.data)
    change = api_changes.NUMPY.get(data.get("name", ""))
    if change is None or data.get("fixable") != "yes":
        return None
    safety = Fix.UNSAFE if change.repl is Repl.NUMPY2 else Fix.SAFE
    form = data.get("form")
    if form == "import":
        alias = ctx.find(diag, cst.ImportAlias)
        if alias is None or not isinstance(alias.name, cst.Name):
            return None
        asname = alias.asname or cst.AsName(name=cst.Name(change.name))
        renamed = alias.with_changes(name=cst.Name(change.target), asname=asname)
        return Edit(alias, renamed, safety=safety)
    node = ctx.find(diag, cst.Attribute, cst.Name)
    if isinstance(node, cst.Attribute):
        receiver: cst.BaseExpression | None = node.value
    elif isinstance(node, cst.Name):
        receiver = None
        if change.repl is not Repl.BUILTIN and _bare_target(change) in ctx.names_in_module():
            return None  # the new name may be bound to something else in this file
    else:
        return None
    if change.repl is Repl.CALL:
        return _call_replacement(ctx, node, receiver, change)
    replacement = _replacement(receiver, change)
    if replacement is None:
        return None
    if isinstance(replacement, cst.UnaryOperation) and _needs_parentheses(ctx, node):
        replacement = parenthesize(replacement)
    return Edit(node, _keep_parentheses(node, replacement), safety=safety)


def _bare_target(change: NumpyChange) -> str:
    return change.target.split(".")[0]


def _numpy_attr(receiver: cst.BaseExpression | None, path: str) -> cst.BaseExpression:
    """``<receiver>.<path>`` (``path`` dotted), or the bare name without a receiver."""
    parts = path.split(".")
    expr: cst.BaseExpression
    if receiver is None:
        expr = cst.Name(parts[0])
        parts = parts[1:]
    else:
        expr = receiver
    for part in parts:
        expr = cst.Attribute(value=expr, attr=cst.Name(part))
    return expr


def _replacement(
    receiver: cst.BaseExpression | None, change: NumpyChange
) -> cst.BaseExpression | None:
    if change.repl in (Repl.ATTR, Repl.NUMPY2):
        if receiver is None and "." in change.target:
            return None  # ``compare_chararrays`` from a star import: ``char`` is not bound
        return _numpy_attr(receiver, change.target)
    if change.repl is Repl.BUILTIN:
        return cst.Name(change.target)
    if change.repl is Repl.NEGATED:
        return cst.UnaryOperation(
            operator=cst.Minus(), expression=_numpy_attr(receiver, change.target)
        )
    if change.repl is Repl.LITERAL:
        value = cst.Float(change.target.lstrip("-"))
        if change.target.startswith("-"):
            return cst.UnaryOperation(operator=cst.Minus(), expression=value)
        return value
    return None


def _keep_parentheses(old: cst.CSTNode, new: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(old, (cst.Name, cst.Attribute)) and old.lpar:
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new


def _needs_parentheses(ctx: FixContext, node: cst.CSTNode) -> bool:
    """Whether a negation put where ``node`` is would bind differently without parentheses."""
    if isinstance(node, (cst.Name, cst.Attribute)) and node.lpar:
        return False
    parent = ctx.parent(node)
    if isinstance(parent, cst.Attribute):
        return parent.value is node
    if isinstance(parent, cst.Subscript):
        return parent.value is node
    if isinstance(parent, cst.Call):
        return parent.func is node
    if isinstance(parent, cst.BinaryOperation):
        return isinstance(parent.operator, cst.Power) and parent.left is node
    return False


def _call_replacement(
    ctx: FixContext,
    func: cst.Attribute | cst.Name,
    receiver: cst.BaseExpression | None,
    change: NumpyChange,
) -> Edit | None:
    call = ctx.parent(func)
    if not isinstance(call, cst.Call) or call.func is not func:
        return None
    if any(arg.star for arg in call.args):
        return None
    args = list(call.args)
    single = len(args) == 1 and args[0].keyword is None
    name = change.name
    new: cst.BaseExpression
    if name == "asscalar" and single:
        new = method_call(args[0].value, "item")
    elif name == "msort" and single:
        new = _with_keyword(call, _numpy_attr(receiver, "sort"), "axis", cst.Integer("0"))
    elif name == "asfarray" and single:
        if receiver is None and "float64" in ctx.names_in_module():
            return None
        dtype = _numpy_attr(receiver, "float64")
        new = _with_keyword(call, _numpy_attr(receiver, "asarray"), "dtype", dtype)
    elif name == "in1d":
        if any(a.keyword is not None and a.keyword.value in ("ar1", "ar2") for a in args):
            return None
        new = call.with_changes(func=_keep_parentheses(func, _numpy_attr(receiver, "isin")))
        if not (args and _is_flat_literal(args[0].value)):
            new = method_call(new, "ravel")
    else:
        return None
    return Edit(call, new, safety=Fix.SAFE)


def _with_keyword(
    call: cst.Call, func: cst.BaseExpression, name: str, value: cst.BaseExpression
) -> cst.Call:
    """``func(<the one argument of call>, name=value)``."""
    first = call.args[0].with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
        whitespace_after_arg=cst.SimpleWhitespace(""),
    )
    extra = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    return call.with_changes(func=func, args=[first, extra])


def _is_flat_literal(expr: cst.BaseExpression) -> bool:
    """A list or tuple literal of plain numbers or strings: ``in1d`` and ``isin`` agree on it."""
    if not isinstance(expr, (cst.List, cst.Tuple)) or not expr.elements:
        return False
    return all(
        isinstance(el, cst.Element)
        and isinstance(el.value, (cst.Integer, cst.Float, cst.SimpleString))
        for el in expr.elements
    )
