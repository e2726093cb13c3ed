"""Fixes of the pandas family (ML2xx)."""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import ImportItem

from mlsmells.data.pandas_removed import Repl
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    is_pure,
    is_true,
    keyword_arg,
    parse_expression,
    remove_arg,
    transform,
)
from mlsmells.records import Fix

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


# -------------------------------------------------------------------- ML203


@transform("ML203")
def assign_result(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``df.dropna()`` as a statement -> ``df = df.dropna()`` (the receiver is a name)."""
    if diag.get("receiver") != "name":
        return None
    call = ctx.find(diag, cst.Call)
    statement = ctx.parent(call) if call is not None else None
    if call is None or not isinstance(statement, cst.Expr):
        return None
    func = call.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=cst.Name(func.value.value))],
        value=call,
        semicolon=statement.semicolon,
    )
    return Edit(statement, assign)


# -------------------------------------------------------------------- ML204


@transform("ML204")
def drop_inplace(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x.method(..., inplace=True)`` as a statement -> ``x = x.method(...)``.

    Only when ``x`` is a name or an attribute chain (it is evaluated twice)
    and not the enclosing function's parameter (the caller's object would no
    longer be changed: ``data["parameter"]``).
    """
    if diag.get("statement") != "yes" or diag.get("parameter") == "yes":
        return None
    call = ctx.find(diag, cst.Call)
    statement = ctx.parent(call) if call is not None else None
    if call is None or not isinstance(statement, cst.Expr) or call.lpar:
        return None
    func = call.func
    inplace = keyword_arg(call, "inplace")
    if not isinstance(func, cst.Attribute) or inplace is None or not is_true(inplace.value):
        return None
    receiver = func.value
    if (
        receiver.lpar
        or not isinstance(receiver, (cst.Name, cst.Attribute))
        or not is_pure(receiver)
    ):
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=receiver)],
        value=remove_arg(call, inplace),
        semicolon=statement.semicolon,
    )
    return Edit(statement, assign)


# -------------------------------------------------------------------- ML206


@transform("ML206")
def to_numpy(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x.values`` -> ``x.to_numpy()``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None or attribute.attr.value != "values":
        return None
    call = cst.Call(
        func=attribute.with_changes(attr=cst.Name("to_numpy"), lpar=[], rpar=[]),
        lpar=attribute.lpar,
        rpar=attribute.rpar,
    )
    return Edit(attribute, call)


# -------------------------------------------------------------------- ML208


@transform("ML208")
def removed_pandas_api(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """The replacements of :mod:`mlsmells.data.pandas_removed` that are mechanical.

    The rule says which entry (``name``, ``where``, ``repl``, ``target``)
    and what the fix needs beyond it: ``fill`` (the method replacing
    ``fillna(method=...)``), ``sep``, ``root`` (the name of the pandas module
    an attribute chain starts from), ``numpy`` (the module's name for NumPy),
    ``pandas`` and ``other`` (for ``append``).
    """
    repl = diag.get("repl")
    if repl == Repl.RENAME.value:
        return _rename(ctx, diag)
    if repl == Repl.KEYWORD_RENAME.value:
        return _rename_keyword(ctx, diag)
    if repl == Repl.FILL.value:
        return _fill(ctx, diag)
    if repl == Repl.SEP.value:
        return _sep(ctx, diag)
    if repl == Repl.NUMPY.value:
        numpy = diag.get("numpy")
        node = ctx.find(diag, cst.Attribute)
        if numpy is None or node is None:
            return None
        return Edit(node, cst.Name(numpy, lpar=node.lpar, rpar=node.rpar), safety=Fix.SAFE)
    if repl == Repl.CONCAT.value:
        return _concat(ctx, diag)
    return None


def _rename(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    target = diag.get("target") or ""
    if not target:
        return None
    if diag.get("where") == "name":
        root = diag.get("root")
        node = ctx.find(diag, cst.Attribute)
        if root is None or node is None:
            return None
        new = parse_expression(f"{root}.{target}").with_changes(lpar=node.lpar, rpar=node.rpar)
        return Edit(node, new, safety=Fix.SAFE)
    found = ctx.find(diag, cst.Call, cst.Attribute)
    func = found.func if isinstance(found, cst.Call) else found
    if not isinstance(func, cst.Attribute) or func.attr.value != diag.get("name"):
        return None
    return Edit(func, func.with_changes(attr=cst.Name(target)), safety=Fix.SAFE)


def _rename_keyword(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    call = ctx.find(diag, cst.Call)
    target = diag.get("target") or ""
    if call is None or not target or keyword_arg(call, target) is not None:
        return None
    arg = keyword_arg(call, diag.get("keyword") or "")
    if arg is None:
        return None
    return Edit(arg, arg.with_changes(keyword=cst.Name(target)), safety=Fix.SAFE)


def _fill(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x.fillna(method="ffill", limit=2)`` -> ``x.ffill(limit=2)``."""
    call = ctx.find(diag, cst.Call)
    fill = diag.get("fill")
    if call is None or fill is None or not isinstance(call.func, cst.Attribute):
        return None
    method = keyword_arg(call, "method")
    if method is None:
        return None
    rest = remove_arg(call, method)
    func = call.func.with_changes(attr=cst.Name(fill))
    return Edit(call, rest.with_changes(func=func), safety=Fix.SAFE)


def _sep(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``delim_whitespace=True`` -> ``sep=r"\\s+"``; ``delim_whitespace=False`` is dropped."""
    call = ctx.find(diag, cst.Call)
    arg = keyword_arg(call, "delim_whitespace") if call is not None else None
    if call is None or arg is None:
        return None
    if diag.get("sep") == "yes":
        new = arg.with_changes(keyword=cst.Name("sep"), value=cst.SimpleString('r"\\s+"'))
        return Edit(arg, new, safety=Fix.SAFE)
    if diag.get("sep") == "no":
        return Edit(call, remove_arg(call, arg), safety=Fix.SAFE)
    return None


def _concat(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``a.append(b, ignore_index=True)`` -> ``pd.concat([a, b], ignore_index=True)``;
    a dict appended as a row becomes ``pd.DataFrame([row])``."""
    pandas = diag.get("pandas")
    other_shape = diag.get("other")
    call = ctx.find(diag, cst.Call)
    if pandas is None or other_shape is None or call is None:
        return None
    func = call.func
    positional = [a for a in call.args if a.keyword is None]
    if not isinstance(func, cst.Attribute) or len(positional) != 1 or positional[0].star:
        return None
    other = positional[0].value
    if other_shape == "dict":
        other = cst.Call(
            func=parse_expression(f"{pandas}.DataFrame"),
            args=[cst.Arg(cst.List([cst.Element(other)]))],
        )
    pieces = cst.List(
        [
            cst.Element(func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Element(other),
        ]
    )
    args = [cst.Arg(pieces), *(a for a in call.args if a.keyword is not None)]
    for i in range(len(args) - 1):
        args[i] = args[i].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    concat = cst.Call(
        func=parse_expression(f"{pandas}.concat"), args=args, lpar=call.lpar, rpar=call.rpar
    )
    return Edit(call, concat, safety=Fix.UNSAFE)
