"""Fixes of the pandas family (ML2xx)."""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import ImportItem

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
    """The simple shapes of a chained assignment (``data["shape"]`` names the shape).

    - ``getitem-getitem``: ``df[a][b] = v`` (or ``+=``) -> ``df.loc[b, a] = v``
      when ``a`` is a literal column key (a string, an integer, or a list of
      them) and ``b`` a single row key or mask;
    - ``inplace-method``: ``df[c].m(..., inplace=True)`` as a statement ->
      ``df[c] = df[c].m(...)`` (``df.col.m(..., inplace=True)`` ->
      ``df["col"] = df.col.m(...)``) when the selection is one step on a
      name or attribute chain, so that evaluating it twice is harmless.
    """
    shape = diag.get("shape")
    if shape == "getitem-getitem":
        target = ctx.find(diag, cst.Subscript)
        return _chained_subscript(target) if target is not None else None
    if shape == "inplace-method":
        call = ctx.find(diag, cst.Call)
        return _inplace_on_selection(ctx, call) if call is not None else None
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


@transform("ML209")
def nan_equality(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x == np.nan`` -> ``pd.isna(x)``, ``x != np.nan`` -> ``pd.notna(x)`` ...

    The rule chooses the replacement and says it in its message; the data
    carries it: ``replacement`` (the function, under the alias bound where
    the comparison is), ``negate`` (``""``, ``"~"`` or ``"not "``),
    ``nan_side`` (``left``/``right``), and ``import`` when the module must
    be imported first (done only if its name is used nowhere else).
    """
    node = ctx.find(diag, cst.Comparison)
    function = diag.get("replacement")
    negate = diag.get("negate")
    side = diag.get("nan_side")
    if node is None or function is None or len(node.comparisons) != 1:
        return None
    operand = node.comparisons[0].comparator if side == "left" else node.left
    imports: tuple[ImportItem, ...] = ()
    module = diag.get("import")
    if module is not None:
        if module.split(".")[0] in ctx.names_in_module():
            return None
        imports = (ImportItem(module),)
    call: cst.BaseExpression = cst.Call(
        func=cst.parse_expression(function), args=[cst.Arg(_without_parens(operand))]
    )
    if negate == "~":
        call = cst.UnaryOperation(operator=cst.BitInvert(), expression=call)
    elif negate == "not ":
        call = cst.UnaryOperation(operator=cst.Not(), expression=call)
    elif negate != "":
        return None
    return Edit(node, call.with_changes(lpar=node.lpar, rpar=node.rpar), imports)


def _without_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without redundant parentheses, as the only argument of a call."""
    if not node.lpar or isinstance(node, (cst.Tuple, cst.GeneratorExp, cst.Yield)):
        return node
    simple = all(isinstance(p.whitespace_after, cst.SimpleWhitespace) for p in node.lpar) and all(
        isinstance(p.whitespace_before, cst.SimpleWhitespace) for p in node.rpar
    )
    return node.with_changes(lpar=[], rpar=[]) if simple else node
