"""Fixes of the reproducibility family (ML1xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.data import sklearn_api
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import Edit, FixContext, add_keyword, keyword_arg, transform


@transform("ML101")
def random_state(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Add ``random_state=<seed>``, or replace the ``None`` passed as ``random_state``.

    The rule says which (``data["random_state"]``: ``missing`` or ``none``)
    and names the callable (``data["callee"]``), whose table of positional
    parameters locates a ``None`` passed by position.
    """
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.settings.seed))
    given = keyword_arg(call, "random_state")
    if diag.get("random_state") == "missing":
        return Edit(call, add_keyword(call, "random_state", seed))
    if given is None:
        positional = sklearn_api.POSITIONAL_PARAMS.get(diag.get("callee") or "", ())
        if "random_state" not in positional:
            return None
        index = positional.index("random_state")
        args = [a for a in call.args if a.keyword is None]
        if index >= len(args) or args[index].star:
            return None
        given = args[index]
    if not (isinstance(given.value, cst.Name) and given.value.value == "None"):
        return None
    return Edit(given.value, seed)
