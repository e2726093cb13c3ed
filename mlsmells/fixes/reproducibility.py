"""Fixes of the reproducibility family (ML1xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    add_keyword,
    keyword_arg,
    transform,
)


@transform("ML101")
def random_state(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Add ``random_state=<seed>``, or replace an explicit ``random_state=None``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.settings.seed))
    existing = keyword_arg(call, "random_state")
    if existing is None:
        return Edit(call, add_keyword(call, "random_state", seed))
    if isinstance(existing.value, cst.Name) and existing.value.value == "None":
        return Edit(existing.value, seed)
    return None
