"""Fixes of the pandas family (ML2xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    is_pure,
    is_true,
    keyword_arg,
    remove_arg,
    transform,
)

# -------------------------------------------------------------------- ML201


@transform("ML201")
def chained_assignment(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """The simple shapes of a chained assignment.

    - ``df[a][b] = v`` (or ``+=``) -> ``df.loc[b, a] = v`` when ``a`` is a
      literal column key (a string, an integer, or a list of them) and ``b``
      a single row key or mask;
    - ``df[c].m(..., inplace=True)`` as a statement ->
      ``df[c] = df[c].m(...)``; ``df.col.m(..., inplace=True)`` ->
      ``df["col"] = df.col.m(...)``, when the selection can be evaluated twice.
    """
    target = ctx.find(diag, cst.Subscript, cst.Call, cst.Assign, cst.AugAssign)
    if isinstance(target, cst.Assign):
        if len(target.targets) != 1:
            return None
        target = target.targets[0].target
    elif isinstance(target, cst.AugAssign):
        target = target.target
    if isinstance(target, cst.Subscript):
        return _chained_subscript(target)
    if isinstance(target, cst.Call):
        return _inplace_on_selection(ctx, target)
    return None


def _single_index(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if not isinstance(index, cst.Index) or index.star is not None:
        return None
    return index.value


def _is_column_key(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _is_column_key(node.left) and _is_column_key(node.right)
    if isinstance(node, cst.List):
        return bool(node.elements) and all(
            isinstance(el, cst.Element) and _is_column_key(el.value) for el in node.elements
        )
    return False


def _chained_subscript(outer: cst.Subscript) -> Edit | None:
    inner = outer.value
    if not isinstance(inner, cst.Subscript) or inner.lpar:
        return None
    column = _single_index(inner)
    row = _single_index(outer)
    if column is None or row is None or not _is_column_key(column):
        return None
    loc = cst.Subscript(
        value=cst.Attribute(value=inner.value, attr=cst.Name("loc")),
        slice=[
            cst.SubscriptElement(
                slice=cst.Index(row), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            ),
            cst.SubscriptElement(slice=cst.Index(column)),
        ],
        lpar=outer.lpar,
        rpar=outer.rpar,
    )
    return Edit(outer, loc)


def _inplace_on_selection(ctx: FixContext, call: cst.Call) -> Edit | None:
    statement = ctx.parent(call)
    inplace = keyword_arg(call, "inplace")
    func = call.func
    if (
        not isinstance(statement, cst.Expr)
        or inplace is None
        or not is_true(inplace.value)
        or not isinstance(func, cst.Attribute)
        or call.lpar
    ):
        return None
    selection = func.value
    if selection.lpar:
        return None
    # One selection step on a plain name (or attribute chain): it is evaluated twice.
    target: cst.BaseAssignTargetExpression
    if isinstance(selection, cst.Subscript):
        key = _single_index(selection)
        if key is None or not is_pure(key) or not is_pure(selection.value):
            return None
        target = selection
    elif isinstance(selection, cst.Attribute) and is_pure(selection.value):
        column = cst.SimpleString(f'"{selection.attr.value}"')
        target = cst.Subscript(
            value=selection.value, slice=[cst.SubscriptElement(slice=cst.Index(column))]
        )
    else:
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=target)],
        value=remove_arg(call, inplace),
        semicolon=statement.semicolon,
    )
    return Edit(statement, assign)


# -------------------------------------------------------------------- ML202


@transform("ML202")
def inplace_result_assigned(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``df = df.dropna(inplace=True)`` -> ``df = df.dropna()``."""
    node = ctx.find(diag, cst.Call, cst.Assign, cst.AnnAssign)
    call = node.value if isinstance(node, (cst.Assign, cst.AnnAssign)) else node
    if not isinstance(call, cst.Call):
        return None
    inplace = keyword_arg(call, "inplace")
    if inplace is None or not is_true(inplace.value):
        return None
    return Edit(call, remove_arg(call, inplace))


# -------------------------------------------------------------------- ML209

#: Qualified names of NaN (and NA) constants.
_NAN_CONSTANTS = frozenset(
    {"numpy.nan", "numpy.NaN", "numpy.NAN", "math.nan", "pandas.NA", "torch.nan"}
)
_POSITIVE = (cst.Equal, cst.Is)
_NEGATIVE = (cst.NotEqual, cst.IsNot)


@transform("ML209")
def nan_equality(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x == np.nan`` -> ``pd.isna(x)`` (``!=``: ``pd.notna(x)``).

    With pandas imported in the module the pandas functions are used; else
    with NumPy ``np.isnan(x)`` / ``~np.isnan(x)``; else
    ``math.isnan(x)`` / ``not math.isnan(x)``. An existing import is reused
    under its alias; a missing one is added.
    """
    node = ctx.find(diag, cst.Comparison)
    if node is None or len(node.comparisons) != 1:
        return None
    target = node.comparisons[0]
    operator = target.operator
    if isinstance(operator, _POSITIVE):
        negated = False
    elif isinstance(operator, _NEGATIVE):
        negated = True
    else:
        return None
    if _is_nan(ctx, target.comparator):
        operand = node.left
    elif _is_nan(ctx, node.left):
        operand = target.comparator
    else:
        return None
    roots = _imported_roots(ctx.module)
    if "pandas" in roots:
        qualname, negation = ("pandas.notna" if negated else "pandas.isna"), None
    elif "numpy" in roots:
        qualname, negation = "numpy.isnan", "~"
    else:
        qualname, negation = "math.isnan", "not"
    found = ctx.reference(node, qualname)
    if found is None:
        return None
    text, imports = found
    call: cst.BaseExpression = cst.Call(
        func=cst.parse_expression(text), args=[cst.Arg(_without_parens(operand))]
    )
    if negated and negation == "~":
        call = cst.UnaryOperation(operator=cst.BitInvert(), expression=call)
    elif negated and negation == "not":
        call = cst.UnaryOperation(operator=cst.Not(), expression=call)
    return Edit(node, call.with_changes(lpar=node.lpar, rpar=node.rpar), imports)


def _is_nan(ctx: FixContext, node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Name, cst.Attribute)):
        return any(q.name in _NAN_CONSTANTS for q in ctx.qualified_names(node))
    if isinstance(node, cst.Call) and len(node.args) == 1 and not node.args[0].keyword:
        arg = node.args[0].value
        return (
            isinstance(arg, cst.SimpleString)
            and arg.evaluated_value in ("nan", "NaN", "NAN", "+nan", "-nan")
            and any(q.name == "builtins.float" for q in ctx.qualified_names(node.func))
        )
    return False


def _imported_roots(module: cst.Module) -> set[str]:
    roots: set[str] = set()

    class _Imports(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                roots.add(_root(alias.name))

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if node.module is not None and not node.relative:
                roots.add(_root(node.module))

    module.visit(_Imports())
    return roots


def _root(node: cst.BaseExpression) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _without_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without redundant parentheses, as the only argument of a call."""
    if not node.lpar or isinstance(node, (cst.Tuple, cst.GeneratorExp, cst.Yield)):
        return node
    simple = all(isinstance(p.whitespace_after, cst.SimpleWhitespace) for p in node.lpar) and all(
        isinstance(p.whitespace_before, cst.SimpleWhitespace) for p in node.rpar
    )
    return node.with_changes(lpar=[], rpar=[]) if simple else node
