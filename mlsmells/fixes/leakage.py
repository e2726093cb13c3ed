"""Fixes of the data-leakage family (ML0xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import Edit, FixContext, transform


@transform("ML002")
def transform_test_data(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``scaler.fit_transform(X_test, y_test)`` -> ``scaler.transform(X_test)``.

    Offered by the rule only when the same object was fit on the training data
    earlier in the scope (``data["fix"] == "transform"``). ``transform`` takes
    the data alone, so the target and any fit parameters are dropped.
    """
    if diag.get("fix") != "transform":
        return None
    call = ctx.find(diag, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    if call.func.attr.value != "fit_transform" or not call.args:
        return None
    data = call.args[0]
    if data.star or (data.keyword is not None and data.keyword.value != "X"):
        return None
    last = call.args[-1]
    # The kept argument ends as the last one did (a trailing comma and the closing line).
    kept = data.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    func = call.func.with_changes(attr=cst.Name("transform"))
    return Edit(call, call.with_changes(func=func, args=[kept]))
