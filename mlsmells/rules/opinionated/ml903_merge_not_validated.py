"""ML903 merge-not-validated: a merge/join without explicit `how=` and `validate=`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.semantic.kinds import Kind

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")


RULE = Rule(
    code="ML903",
    name="merge-not-validated",
    pylint_id="C7683",
    family=Family.OPINIONATED,
    message="`{method}` without explicit {missing}",
    summary=(
        "`pd.merge`/`DataFrame.merge`/`DataFrame.join` without explicit `how=` and `validate=`."
    ),
    rationale=(
        "A merge on keys that are unexpectedly duplicated multiplies rows without a "
        "warning, and the join type defaults differently for `merge` (inner) and `join` "
        "(left). `how=` states which rows the author expects to keep, and "
        '`validate="one_to_one"`/`"many_to_one"`/... makes pandas raise when the keys '
        "do not have the expected cardinality. Only calls on objects known to be "
        "DataFrames (or `pd.merge`) are reported."
    ),
    bad='orders = orders.merge(customers, on="customer_id")\n',
    good=(
        'orders = orders.merge(customers, on="customer_id", how="left", validate="many_to_one")\n'
    ),
    fix=Fix.SAFE,
    fix_summary=(
        'Add `how=` with the method\'s default (`how="inner"` for `merge`, '
        '`how="left"` for `join`) when it is missing. `validate=` cannot be chosen '
        "mechanically: the finding stays until it is written."
    ),
    fix_safety="Safe: the added value is the default, so the call does the same join.",
    default_enabled=False,
    noise=(
        "`validate=` is rarely written even where the keys are known to be unique (a "
        "lookup table on its primary key), so most merges in a code base are reported."
    ),
)


#: Index of ``how`` among the positional parameters of each merge spelling.
_HOW_POSITION = {"pd.merge": 2, "DataFrame.merge": 1, "DataFrame.join": 2}


class MergeNotValidated(Check):
    """ML903: a merge or join without explicit ``how=`` and ``validate=``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        method = self._method(node)
        if method is None or has_star_kwargs(node):
            return
        missing = [k for k in ("how", "validate") if keyword(node, k) is None]
        if len(node.args) > _HOW_POSITION[method]:
            missing = [k for k in missing if k != "how"]  # ``how`` passed by position
        if not missing:
            return
        default = "left" if method.endswith("join") else "inner"
        self.report(
            "ML903",
            node,
            method=method,
            missing=" and ".join(f"`{k}=`" for k in missing),
            data=(("how", "missing" if "how" in missing else "set"), ("default", default)),
        )

    def _method(self, call: ast.Call) -> str | None:
        func = call.func
        if self.model.qualname(func) == "pandas.merge":
            return "pd.merge"
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("merge", "join")
            and self.model.kind_of(func.value) is Kind.DATAFRAME
        ):
            return f"DataFrame.{func.attr}"
        return None


# ---------------------------------------------------------------------- fix


def merge_not_validated(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Add ``how=`` with the method's default (``"inner"`` for merge, ``"left"`` for join)."""
    data = dict(diag.data)
    if data.get("how") != "missing" or data.get("default") not in ("inner", "left"):
        return None
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    how = cst.SimpleString(f'"{data["default"]}"')
    return fx.Edit(call, fx.add_keyword(call, "how", how))


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when ``how`` is missing (its default is written out)."""
    missing = diag.get("how") == "missing" and diag.get("default") in ("inner", "left")
    return Fix.SAFE if missing else Fix.NONE


FIXES = {"ML903": merge_not_validated}
FIXABLE = {"ML903": fix_applies}
