"""Small AST helpers shared by the rule modules."""

from __future__ import annotations

import ast


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of ``call``, if passed explicitly."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """Whether ``call`` passes ``**kwargs`` (then any keyword may be present)."""
    return any(kw.arg is None for kw in call.keywords)


def is_true(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def method_name(call: ast.Call) -> str | None:
    """``m`` for a call ``<receiver>.m(...)``."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None
