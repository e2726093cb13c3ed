"""ML201 chained-assignment: a DataFrame written through two indexing steps, and its fix."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import (
    is_pure,
    parenthesized_in,
    parenthesized_tuple,
    rewrite_data,
)
from mlsmells.rules.pandas._inplace import INPLACE_METHODS, inplace_true
from mlsmells.rules.pandas._kinds import frame_steps

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML201",
    name="chained-assignment",
    pylint_id="W7621",
    family=Family.PANDAS,
    message="chained assignment `{target}` writes to a temporary copy, not to the DataFrame",
    summary="A write through two indexing steps, or an in-place method on a column selection.",
    rationale=(
        "`df[a][b] = v`, `df.loc[m][c] = v` and `df[c].iloc[i] = v` first build an "
        "intermediate object and then write into it. Under Copy-on-Write, the default since "
        "pandas 3.0, that intermediate is always a copy: the write never reaches `df` and "
        "nothing is raised. The same holds for an in-place method on a selected column, "
        '`df["c"].fillna(0, inplace=True)`. Earlier pandas versions only warned with '
        "`SettingWithCopyWarning`, and sometimes wrote, sometimes did not."
    ),
    bad=(
        'df = pd.read_csv("sales.csv")\n'
        'df["price"][df["price"] < 0] = 0\n'
        'df["qty"].fillna(0, inplace=True)\n'
    ),
    good=(
        'df = pd.read_csv("sales.csv")\n'
        'df.loc[df["price"] < 0, "price"] = 0\n'
        'df["qty"] = df["qty"].fillna(0)\n'
    ),
    fix=Fix.UNSAFE,
    fix_summary=(
        "For the simple shapes: `df[a][b] = v` becomes `df.loc[b, a] = v` (`a` a column "
        'key); `df[mask]["c"] = v` and `df.loc[mask]["c"] = v` become '
        '`df.loc[mask, "c"] = v`; `df["c"].loc[k] = v` becomes `df.loc[k, "c"] = v`; '
        '`df["c"].iloc[i] = v` becomes `df.iloc[i, df.columns.get_loc("c")] = v`; '
        "`df[c].method(..., inplace=True)` becomes `df[c] = df[c].method(...)`."
    ),
    fix_safety=(
        "Unsafe: the fixed code really writes to `df`, which the original silently did not "
        "under Copy-on-Write. That is the intended behaviour, but it is a change in "
        "behaviour, and `.loc` label semantics can differ from positional `[]` on a "
        "non-default index."
    ),
)


class ChainedAssignment(Check):
    """ML201: a write through two indexing steps of a DataFrame, or an in-place
    method on a selection of one (the write goes to a temporary copy)."""

    rules = (RULE,)
    nodes = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Call)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._inplace_call(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for leaf in _leaves(target):
                    self._target(leaf)
        elif isinstance(node, ast.AugAssign) or (
            isinstance(node, ast.AnnAssign) and node.value is not None
        ):
            self._target(node.target)

    def _target(self, target: ast.expr) -> None:
        if not isinstance(target, ast.Subscript):
            return
        steps = frame_steps(self.model, target)
        if steps is not None and len(steps) >= 2:
            shape = "-".join(steps)
            rewritten = _SUBSCRIPT_FACTS.get(shape)
            self.report(
                "ML201",
                target,
                target=self.ctx.source_of(target),
                data=(("shape", shape),)
                + rewrite_data(rewritten is not None and rewritten(self.ctx, target)),
            )

    def _inplace_call(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        if not inplace_true(call):
            return
        steps = frame_steps(self.model, func.value)
        if steps:
            receiver = self.ctx.source_of(func.value)
            self.report(
                "ML201",
                call,
                target=f"{receiver}.{func.attr}(..., inplace=True)",
                data=(("shape", "inplace-method"), ("method", func.attr))
                + rewrite_data(self._rewritten_call(call, func)),
            )

    def _rewritten_call(self, call: ast.Call, func: ast.Attribute) -> bool:
        """Whether :func:`_inplace_on_selection` rewrites ``call`` (the ast twin of its
        tests): a statement of its own, without parentheses, on one selection step of a
        name or attribute chain."""
        statement = self.ctx.parent
        selection = func.value
        if (
            not isinstance(statement, ast.Expr)
            or parenthesized_in(statement, call)
            or parenthesized_in(func, selection)
        ):
            return False
        if isinstance(selection, ast.Subscript):
            key = _one_index(self.ctx, selection)
            return key is not None and is_pure(key) and is_pure(selection.value)
        return isinstance(selection, ast.Attribute) and is_pure(selection.value)


# The ast twins of the fix's tests of a subscript (see :func:`chained_assignment`): what
# ``check`` decides the fix from. libcst keeps the parentheses that ``ast`` drops: an
# inner part in parentheses (``(df[a])[b]``) is not rewritten, and ``df[(a, b)]`` is one
# key where ``df[a, b]`` is two.


def _key(ctx: Context, node: ast.Subscript) -> ast.expr | None:
    """The one key of ``node`` (an index or a slice), as libcst's single subscript element."""
    key = node.slice
    if isinstance(key, ast.Tuple) and not parenthesized_tuple(ctx, key):
        if len(key.elts) != 1 or isinstance(key.elts[0], ast.Starred):
            return None  # ``df[a, b]``, ``df[*a]``
        key = key.elts[0]  # ``df[a,]``
    return key


def _one_index(ctx: Context, node: ast.Subscript) -> ast.expr | None:
    key = _key(ctx, node)
    return None if isinstance(key, ast.Slice) else key


def _column_key(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes, int)) and not isinstance(node.value, bool)
    if isinstance(node, ast.List):
        return bool(node.elts) and all(_column_key(e) for e in node.elts)
    return False


def _mask(node: ast.expr) -> bool:
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Invert)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.BitAnd, ast.BitOr, ast.BitXor))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in _MASK_METHODS
    return False


def _chained_facts(ctx: Context, outer: ast.Subscript) -> bool:
    inner = outer.value
    if not isinstance(inner, ast.Subscript) or parenthesized_in(outer, inner):
        return False
    first, second = _one_index(ctx, inner), _one_index(ctx, outer)
    if first is None or second is None:
        return False
    return _column_key(first) or (_mask(first) and _column_key(second))


def _loc_then_column_facts(ctx: Context, outer: ast.Subscript) -> bool:
    inner = outer.value
    if not isinstance(inner, ast.Subscript) or parenthesized_in(outer, inner):
        return False
    indexer = inner.value
    if not isinstance(indexer, ast.Attribute) or parenthesized_in(inner, indexer):
        return False
    return _key(ctx, inner) is not None and _column_key(_one_index(ctx, outer))


def _column_then_indexer_facts(ctx: Context, outer: ast.Subscript) -> bool:
    indexer = outer.value
    if not isinstance(indexer, ast.Attribute) or parenthesized_in(outer, indexer):
        return False
    selection = indexer.value
    if not isinstance(selection, ast.Subscript) or parenthesized_in(indexer, selection):
        return False
    column = _one_index(ctx, selection)
    if _key(ctx, outer) is None or not _column_key(column):
        return False
    if indexer.attr == "loc":
        return True
    return not isinstance(column, ast.List) and is_pure(selection.value)


#: The shapes the fix rewrites -> whether it rewrites this subscript (``_SUBSCRIPT_SHAPES``).
_SUBSCRIPT_FACTS: dict[str, Callable[[Context, ast.Subscript], bool]] = {
    "getitem-getitem": _chained_facts,
    "loc-getitem": _loc_then_column_facts,
    "getitem-loc": _column_then_indexer_facts,
    "getitem-iloc": _column_then_indexer_facts,
}


def _leaves(target: ast.expr) -> Iterator[ast.expr]:
    """The single targets of a (possibly unpacking) assignment target."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _leaves(elt)
    elif isinstance(target, ast.Starred):
        yield from _leaves(target.value)
    else:
        yield target


# ---------------------------------------------------------------------- fix


def chained_assignment(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The simple shapes of a chained assignment (``data["shape"]`` names the shape).

    - ``getitem-getitem``: ``df[a][b] = v`` (or ``+=``) -> ``df.loc[b, a] = v``
      when ``a`` is a literal column key (a string, an integer, or a list of
      them) and ``b`` a single row key or mask; ``df[mask][c] = v`` ->
      ``df.loc[mask, c] = v`` when ``mask`` is written as a boolean mask (a
      comparison, ``~m``, ``m1 & m2``, ``s.isin(...)`` ...) and ``c`` a literal
      column key;
    - ``loc-getitem``: ``df.loc[k][c] = v`` -> ``df.loc[k, c] = v`` (``k`` one
      key, ``c`` a literal column key);
    - ``getitem-loc``: ``df[c].loc[k] = v`` -> ``df.loc[k, c] = v``;
    - ``getitem-iloc``: ``df[c].iloc[i] = v`` ->
      ``df.iloc[i, df.columns.get_loc(c)] = v`` (``c`` one literal label, ``df``
      a name or attribute chain: it is evaluated twice);
    - ``inplace-method``: ``df[c].m(..., inplace=True)`` as a statement ->
      ``df[c] = df[c].m(...)`` (``df.col.m(..., inplace=True)`` ->
      ``df["col"] = df.col.m(...)``) when the selection is one step on a
      name or attribute chain, so that evaluating it twice is harmless.
    """
    shape = diag.get("shape")
    if shape in _SUBSCRIPT_SHAPES:
        target = ctx.find(diag, cst.Subscript)
        return _SUBSCRIPT_SHAPES[shape](target) if target is not None else None
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


#: Methods whose result, inside ``df[...]``, is a boolean mask of rows.
_MASK_METHODS = frozenset(
    {"isin", "isna", "isnull", "notna", "notnull", "between", "duplicated", "contains",
     "startswith", "endswith", "match", "fullmatch"}
)  # fmt: skip


def _is_mask(node: cst.BaseExpression) -> bool:
    """Written as a boolean mask: a comparison, ``~m``, ``m1 & m2`` (``|``, ``^``), or a
    call of a method that returns one (``s.isin(...)``, ``s.str.contains(...)`` ...)."""
    if isinstance(node, cst.Comparison):
        return True
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.BitInvert)
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, (cst.BitAnd, cst.BitOr, cst.BitXor))
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value in _MASK_METHODS
    return False


def _row_key(node: cst.Subscript) -> cst.BaseSlice | None:
    """The one key of an indexer's subscript: an index or a slice (``.iloc[-3:]``)."""
    if len(node.slice) != 1:
        return None
    key = node.slice[0].slice
    if isinstance(key, cst.Index):
        return key if key.star is None else None
    return key if isinstance(key, cst.Slice) else None


def _loc(
    frame: cst.BaseExpression,
    indexer: str,
    row: cst.BaseExpression | cst.BaseSlice,
    column: cst.BaseExpression,
    outer: cst.Subscript,
) -> cst.Subscript:
    """``frame.<indexer>[row, column]``, with ``outer``'s parentheses."""
    key = row if isinstance(row, cst.BaseSlice) else cst.Index(row)
    return cst.Subscript(
        value=cst.Attribute(value=frame, attr=cst.Name(indexer)),
        slice=[
            cst.SubscriptElement(
                slice=key, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            ),
            cst.SubscriptElement(slice=cst.Index(column)),
        ],
        lpar=outer.lpar,
        rpar=outer.rpar,
    )


def _chained_subscript(outer: cst.Subscript) -> fx.Edit | None:
    """``df[a][b]`` -> ``df.loc[b, a]`` (``a`` a column key), ``df[mask][c]`` ->
    ``df.loc[mask, c]``."""
    inner = outer.value
    if not isinstance(inner, cst.Subscript) or inner.lpar:
        return None
    first = _single_index(inner)
    second = _single_index(outer)
    if first is None or second is None:
        return None
    if _is_column_key(first):
        return fx.Edit(outer, _loc(inner.value, "loc", second, first, outer))
    if _is_mask(first) and _is_column_key(second):
        return fx.Edit(outer, _loc(inner.value, "loc", first, second, outer))
    return None


def _loc_then_column(outer: cst.Subscript) -> fx.Edit | None:
    """``df.loc[k][c]`` -> ``df.loc[k, c]``."""
    inner = outer.value
    if not isinstance(inner, cst.Subscript) or inner.lpar:
        return None
    indexer = inner.value
    if not isinstance(indexer, cst.Attribute) or indexer.lpar:
        return None
    row = _row_key(inner)
    column = _single_index(outer)
    if row is None or column is None or not _is_column_key(column):
        return None
    return fx.Edit(outer, _loc(indexer.value, "loc", row, column, outer))


def _column_then_indexer(outer: cst.Subscript) -> fx.Edit | None:
    """``df[c].loc[k]`` -> ``df.loc[k, c]``; ``df[c].iloc[i]`` ->
    ``df.iloc[i, df.columns.get_loc(c)]``."""
    indexer = outer.value
    if not isinstance(indexer, cst.Attribute) or indexer.lpar:
        return None
    selection = indexer.value
    if not isinstance(selection, cst.Subscript) or selection.lpar:
        return None
    column = _single_index(selection)
    row = _row_key(outer)
    if column is None or row is None or not _is_column_key(column):
        return None
    frame = selection.value
    if indexer.attr.value == "loc":
        return fx.Edit(outer, _loc(frame, "loc", row, column, outer))
    if isinstance(column, cst.List) or not fx.is_pure(frame):
        return None  # one label only; the frame is written twice
    position = cst.Call(
        func=cst.Attribute(
            value=cst.Attribute(value=frame, attr=cst.Name("columns")), attr=cst.Name("get_loc")
        ),
        args=[cst.Arg(value=column)],
    )
    return fx.Edit(outer, _loc(frame, "iloc", row, position, outer))


#: The shapes of a chained assignment the fix rewrites, by the finding's ``shape``.
_SUBSCRIPT_SHAPES: dict[str, Callable[[cst.Subscript], fx.Edit | None]] = {
    "getitem-getitem": _chained_subscript,
    "loc-getitem": _loc_then_column,
    "getitem-loc": _column_then_indexer,
    "getitem-iloc": _column_then_indexer,
}


def _inplace_on_selection(ctx: fx.FixContext, call: cst.Call) -> fx.Edit | None:
    statement = ctx.parent(call)
    inplace = fx.keyword_arg(call, "inplace")
    func = call.func
    if (
        not isinstance(statement, cst.Expr)
        or inplace is None
        or not fx.is_true(inplace.value)
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
        if key is None or not fx.is_pure(key) or not fx.is_pure(selection.value):
            return None
        target = selection
    elif isinstance(selection, cst.Attribute) and fx.is_pure(selection.value):
        column = cst.SimpleString(f'"{selection.attr.value}"')
        target = cst.Subscript(
            value=selection.value, slice=[cst.SubscriptElement(slice=cst.Index(column))]
        )
    else:
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=target)],
        value=fx.remove_arg(call, inplace),
        semicolon=statement.semicolon,
    )
    return fx.Edit(statement, assign)


def fix_applies(diag: Diagnostic) -> Fix:
    """The shapes :func:`chained_assignment` rewrites, unless the rule found the subscripts
    or the call written otherwise (``rewrite``: ``no``)."""
    shape = diag.get("shape") or ""
    rewritten = shape in _SUBSCRIPT_FACTS or shape == "inplace-method"
    return Fix.UNSAFE if rewritten and diag.get("rewrite") != "no" else Fix.NONE


FIXES = {"ML201": chained_assignment}
FIXABLE = {"ML201": fix_applies}
