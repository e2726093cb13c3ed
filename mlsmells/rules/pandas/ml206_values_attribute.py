"""ML206 values-attribute: ``.values`` of a DataFrame, Series or Index, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always
from mlsmells.rules.pandas._kinds import KIND_EVIDENCE, PANDAS_KINDS
from mlsmells.rules.pandas._text import brief

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML206",
    name="values-attribute",
    pylint_id="W7626",
    family=Family.PANDAS,
    message="`{expr}.values` on a {kind}: use `{expr}.to_numpy()` (or `.array`)",
    summary="`.values` read on a DataFrame, Series or Index.",
    rationale=(
        "`.values` returns a NumPy array for some dtypes and a pandas extension array "
        "(Categorical, a nullable integer or string array, a timezone-aware DatetimeArray) "
        "for others, so what the next line receives depends on the data. pandas "
        "recommends `.to_numpy()` when a NumPy array is wanted (with `dtype=` and "
        "`na_value=` to control the conversion) and `.array` for the underlying pandas "
        "array. Reported only on receivers known to be pandas objects: a dict's "
        "`.values()` or an xarray's `.values` are not pandas'. "
        + KIND_EVIDENCE
        + " Not seen: frames from other libraries' loaders (`bq_helper`, `quandl`, "
        "`pytesseract` ...) that no pandas-only use proves, items of a list filled by "
        "`append`, parameters of a function the file never calls (or calls only from "
        "other modules), and values of a function of another module that returns a list "
        "or dict of frames."
    ),
    bad="X = df[features].values\n",
    good="X = df[features].to_numpy()\n",
    fix=Fix.UNSAFE,
    fix_summary="`x.values` becomes `x.to_numpy()`.",
    fix_safety=(
        "Unsafe: for extension dtypes the result changes type (a Categorical or "
        "nullable-integer `.values` becomes a NumPy object or float array, a "
        "timezone-aware column becomes an object array of Timestamps)."
    ),
)


class ValuesAttribute(Check):
    """ML206: ``.values`` of a DataFrame, Series or Index."""

    rules = (RULE,)
    nodes = (ast.Attribute,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        if node.attr != "values" or not isinstance(node.ctx, ast.Load):
            return
        parent = self.ctx.parent
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # ``.values()``: a mapping's method, not pandas'
        kind = self.model.kind_of(node.value)
        if kind not in PANDAS_KINDS:
            return
        assert kind is not None
        self.report("ML206", node, expr=brief(self.ctx, node.value), kind=kind.value, data=())


# ---------------------------------------------------------------------- fix


def to_numpy(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``x.values`` -> ``x.to_numpy()``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None or attribute.attr.value != "values":
        return None
    call = cst.Call(
        func=attribute.with_changes(attr=cst.Name("to_numpy"), lpar=[], rpar=[]),
        lpar=attribute.lpar,
        rpar=attribute.rpar,
    )
    return fx.Edit(attribute, call)


FIXES = {"ML206": to_numpy}
FIXABLE = {"ML206": fix_always(Fix.UNSAFE)}
