"""ML203 result-discarded: a copy-returning pandas method used as a statement, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.rules.pandas._inplace import INPLACE_METHODS
from mlsmells.rules.pandas._kinds import FRAME_OR_SERIES
from mlsmells.rules.pandas._text import brief

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML203",
    name="result-discarded",
    pylint_id="W7623",
    family=Family.PANDAS,
    message="the result of `{call}` is discarded: the method returns a new object and "
    "leaves the original unchanged; {advice}",
    summary=(
        "A copy-returning DataFrame/Series method (`dropna`, `fillna`, `astype`, `rename`, "
        "`drop`, `reset_index` ...) used as a bare statement."
    ),
    rationale=(
        "These methods never change the object they are called on: they return a new "
        "DataFrame or Series. Called as a statement, `df.dropna()` computes the cleaned "
        "frame and throws it away, and the code below keeps working on the uncleaned "
        "data without any error. The author almost always meant `df = df.dropna()`. "
        "Reported only when the receiver is known to be a pandas DataFrame or Series, "
        "for methods that only return a result; not on a notebook cell's last line, "
        "where the result is displayed, nor on the last line of a cell of a script with "
        "cells (`# %%` lines, sphinx-gallery blocks, and the `# In[12]:` lines of a "
        "notebook exported by nbconvert)."
    ),
    bad='df = pd.read_csv("sales.csv")\ndf.dropna(subset=["price"])\n',
    good='df = pd.read_csv("sales.csv")\ndf = df.dropna(subset=["price"])\n',
    fix=Fix.UNSAFE,
    fix_summary="`df.method(...)` becomes `df = df.method(...)` when the receiver is a name.",
    fix_safety=(
        "Unsafe: the program now works on the result, which changes everything computed "
        "after the statement (that is the bug being fixed, but the behaviour changes)."
    ),
)


#: Methods of DataFrame/Series that return a new object and change nothing:
#: those that take ``inplace`` (without it they return the result) and the
#: ones whose name says "change" but that never took ``inplace``.
COPY_RETURNING = (INPLACE_METHODS - {"set_names"}) | frozenset(
    {
        "abs",
        "add_prefix",
        "add_suffix",
        "asfreq",
        "assign",
        "astype",
        "convert_dtypes",
        "droplevel",
        "explode",
        "infer_objects",
        "join",
        "merge",
        "reindex",
        "reorder_levels",
        "round",
        "swaplevel",
        "truncate",
        "tz_convert",
        "tz_localize",
    }
)


class ResultDiscarded(Check):
    """ML203: a copy-returning method of a DataFrame or Series used as a statement."""

    rules = (RULE,)
    nodes = (ast.Expr,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return
        method = call.func.attr
        if method not in COPY_RETURNING or keyword(call, "inplace") is not None:
            return
        if has_star_kwargs(call):
            return  # ``**options`` may hold inplace=True
        if self.ctx.displays(node):
            return  # a notebook cell (or a script's cell) displays its last expression
        receiver = call.func.value
        if self.model.kind_of(receiver) not in FRAME_OR_SERIES:
            return
        plain = isinstance(receiver, ast.Name)
        text = brief(self.ctx, receiver)
        self.report(
            "ML203",
            call,
            call=f"{text}.{method}(...)",
            advice=f"assign it: `{text} = {text}.{method}(...)`" if plain else "assign it",
            data=(("method", method), ("receiver", "name" if plain else "expression")),
        )


# ---------------------------------------------------------------------- fix


def assign_result(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
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
    return fx.Edit(statement, assign)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the receiver is a name (``receiver``)."""
    return Fix.UNSAFE if diag.get("receiver") == "name" else Fix.NONE


FIXES = {"ML203": assign_result}
FIXABLE = {"ML203": fix_applies}
