"""ML202 inplace-result-assigned: ``x = obj.method(..., inplace=True)`` binds None, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always
from mlsmells.rules.pandas._inplace import INPLACE_METHODS, RETURN_SELF_SINCE_3, inplace_true
from mlsmells.rules.pandas._kinds import PANDAS_KINDS

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML202",
    name="inplace-result-assigned",
    pylint_id="E7622",
    family=Family.PANDAS,
    message="`{method}(..., inplace=True)` returns None{since}; assigning its result binds None",
    summary="The result of a call with `inplace=True` is assigned: it is always None.",
    rationale=(
        "pandas methods called with `inplace=True` modify the object and return `None`. "
        "`df = df.dropna(inplace=True)` therefore replaces the DataFrame with `None`, and "
        "the error only shows up later, far from its cause. Since pandas 3.0, `fillna`, "
        "`ffill`, `bfill`, `interpolate`, `replace`, `clip`, `where` and `mask` return the "
        "object itself instead: there the assignment works only on pandas 3.0 and later, "
        "and `inplace` is on its way out (PDEP-8)."
    ),
    bad="df = df.dropna(inplace=True)\n",
    good="df = df.dropna()\n",
    fix=Fix.SAFE,
    fix_summary="Remove `inplace=True`, so the method returns the new object that is assigned.",
    fix_safety=(
        "Safe: the name is bound to exactly the object the in-place call would have made "
        "(instead of `None`; pandas 3 returns the object itself from a few methods, and "
        "then nothing changes for that name). The original object is no longer mutated "
        "in place, which matters only if another name aliases it."
    ),
)


class InplaceResultAssigned(Check):
    """ML202: ``x = obj.method(..., inplace=True)`` binds None."""

    rules = (RULE,)
    nodes = (ast.Assign, ast.AnnAssign, ast.NamedExpr)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
        value = node.value
        if not isinstance(value, ast.Call) or not inplace_true(value):
            return
        func = value.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        receiver = func.value
        if self.model.qualname(receiver) is not None:
            # A module or class attribute, not a method of a pandas object; but
            # ``pd.eval(..., inplace=True)`` returns None as well.
            if self.model.qualname(func) != "pandas.eval":
                return
        kind = self.model.kind_of(receiver)
        if kind is not None and kind not in PANDAS_KINDS:
            return
        since = " before pandas 3.0" if func.attr in RETURN_SELF_SINCE_3 else ""
        self.report("ML202", value, method=func.attr, since=since, data=(("method", func.attr),))


# ---------------------------------------------------------------------- fix


def inplace_result_assigned(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``df = df.dropna(inplace=True)`` -> ``df = df.dropna()``."""
    node = ctx.find(diag, cst.Call, cst.Assign, cst.AnnAssign)
    call = node.value if isinstance(node, (cst.Assign, cst.AnnAssign)) else node
    if not isinstance(call, cst.Call):
        return None
    inplace = fx.keyword_arg(call, "inplace")
    if inplace is None or not fx.is_true(inplace.value):
        return None
    return fx.Edit(call, fx.remove_arg(call, inplace))


FIXES = {"ML202": inplace_result_assigned}
FIXABLE = {"ML202": fix_always(Fix.SAFE)}
