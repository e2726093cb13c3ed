"""ML204 inplace-argument: ``inplace=True`` on a DataFrame or Series method, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import is_pure, parenthesized_in
from mlsmells.rules.pandas._inplace import INPLACE_METHODS, inplace_true
from mlsmells.rules.pandas._kinds import FRAME_OR_SERIES, KIND_EVIDENCE, frame_steps
from mlsmells.rules.pandas._text import brief

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML204",
    name="inplace-argument",
    pylint_id="W7624",
    family=Family.PANDAS,
    message="`{call}`: `inplace=True` breaks method chaining and is on its way out of "
    "pandas; use `x = x.{method}(...)`",
    summary="A DataFrame/Series method called with `inplace=True`.",
    rationale=(
        "`inplace=True` rarely saves memory (pandas usually copies internally anyway), "
        "returns None so the call cannot be chained or assigned, and makes the flow of "
        "data harder to follow. Under Copy-on-Write (pandas 3.0) it is a frequent source "
        "of writes that do not reach the object meant, and PDEP-8 proposes deprecating "
        "it for most methods. The assigned form (`df = df.dropna(inplace=True)`) is "
        'ML202, an in-place call on a column selection (`df["c"].fillna(0, '
        "inplace=True)`) is ML201. "
        + KIND_EVIDENCE
        + " Only a literal `inplace=True` counts: `inplace=flag` is the caller's choice."
    ),
    bad='df.dropna(subset=["price"], inplace=True)\n',
    good='df = df.dropna(subset=["price"])\n',
    fix=Fix.UNSAFE,
    fix_summary=(
        "A statement `x.method(..., inplace=True)` becomes `x = x.method(...)` when `x` is "
        "a name or an attribute chain (not for a function's parameter)."
    ),
    fix_safety=(
        "Unsafe: other names bound to the same object (a caller's variable, an alias) no "
        "longer see the change, since the name is rebound to a new object instead."
    ),
)


class InplaceArgument(Check):
    """ML204: ``inplace=True`` on a DataFrame or Series method.

    Left to ML202 when the result is assigned, and to ML201 when the
    receiver is a selection of a DataFrame (the write is then lost).
    """

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        if not inplace_true(node):
            return
        parent = self.ctx.parent
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is node:
            return
        receiver = func.value
        if self.model.kind_of(receiver) not in FRAME_OR_SERIES:
            return
        if frame_steps(self.model, receiver):
            return
        statement = isinstance(parent, ast.Expr)
        data = [("method", func.attr), ("statement", "yes" if statement else "no")]
        if self._is_parameter(receiver):
            data.append(("parameter", "yes"))
        if isinstance(parent, ast.Expr) and not _assignable(parent, node, func):
            data.append(("rewrite", "no"))
        text = brief(self.ctx, receiver)
        self.report(
            "ML204",
            node,
            call=f"{text}.{func.attr}(..., inplace=True)",
            method=func.attr,
            data=data,
        )

    def _is_parameter(self, receiver: ast.expr) -> bool:
        """``receiver`` is still the parameter of the enclosing function (the caller's object)."""
        if not isinstance(receiver, ast.Name):
            return False
        for scope in self.model.scope.lookup_chain():
            binding = scope.bindings.get(receiver.id)
            if binding is None:
                continue
            function = scope.node
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            args = function.args
            names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            return receiver.id in names and binding.node is None
        return False


def _assignable(statement: ast.stmt, call: ast.Call, func: ast.Attribute) -> bool:
    """Whether :func:`drop_inplace` rewrites the statement ``call`` (the ast twin of its
    tests): the receiver a name or an attribute chain (it is evaluated twice), neither it
    nor the call in parentheses of its own."""
    receiver = func.value
    return (
        isinstance(receiver, (ast.Name, ast.Attribute))
        and is_pure(receiver)
        and not parenthesized_in(statement, call)
        and not parenthesized_in(func, receiver)
    )


# ---------------------------------------------------------------------- fix


def drop_inplace(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
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
    inplace = fx.keyword_arg(call, "inplace")
    if not isinstance(func, cst.Attribute) or inplace is None or not fx.is_true(inplace.value):
        return None
    receiver = func.value
    if (
        receiver.lpar
        or not isinstance(receiver, (cst.Name, cst.Attribute))
        or not fx.is_pure(receiver)
    ):
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=receiver)],
        value=fx.remove_arg(call, inplace),
        semicolon=statement.semicolon,
    )
    return fx.Edit(statement, assign)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for a statement whose receiver is not the function's parameter, written as
    the fix takes it (``rewrite``)."""
    if diag.get("statement") != "yes" or diag.get("parameter") == "yes":
        return Fix.NONE
    return Fix.NONE if diag.get("rewrite") == "no" else Fix.UNSAFE


FIXES = {"ML204": drop_inplace}
FIXABLE = {"ML204": fix_applies}
