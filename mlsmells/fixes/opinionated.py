"""Fixes of the opinionated family (ML9xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import Edit, FixContext, add_keyword, transform

# -------------------------------------------------------------------- ML903


@transform("ML903")
def merge_not_validated(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Add ``how=`` with the method's default (``"inner"`` for merge, ``"left"`` for join)."""
    data = dict(diag.data)
    if data.get("how") != "missing" or data.get("default") not in ("inner", "left"):
        return None
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    how = cst.SimpleString(f'"{data["default"]}"')
    return Edit(call, add_keyword(call, "how", how))
