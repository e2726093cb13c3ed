"""ML413 checkpoint-reentrant-unset: `checkpoint(...)` without `use_reentrant=`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always, has_star_kwargs, keyword
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML413",
    name="checkpoint-reentrant-unset",
    pylint_id="W7653",
    family=Family.TORCH,
    message="`{func}(...)` without `use_reentrant=`: PyTorch warns and will require it; "
    "`use_reentrant=False` is recommended",
    summary=(
        "`torch.utils.checkpoint.checkpoint` (or `checkpoint_sequential`) without an "
        "explicit `use_reentrant`."
    ),
    rationale=(
        "Activation checkpointing has two implementations. Without `use_reentrant` "
        "PyTorch 2.x warns on every call, falls back to the reentrant variant (which "
        "needs an input with `requires_grad=True` to produce gradients at all, and does "
        "not support `torch.autograd.grad` or keyword arguments) and announces that the "
        "argument will become required. Say which one you want; PyTorch recommends "
        "`use_reentrant=False`."
    ),
    bad="out = checkpoint(self.block, hidden)\n",
    good="out = checkpoint(self.block, hidden, use_reentrant=False)\n",
    fix=Fix.UNSAFE,
    fix_summary="Add `use_reentrant=False`.",
    fix_safety=(
        "Unsafe: the non-reentrant variant computes gradients in more cases (inputs that "
        "do not require grad), handles RNG state and hooks differently, and changes "
        "memory use."
    ),
)


_CHECKPOINTS = frozenset(
    {"torch.utils.checkpoint.checkpoint", "torch.utils.checkpoint.checkpoint_sequential"}
)


class CheckpointReentrantUnset(Check):
    """ML413: activation checkpointing without ``use_reentrant=``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    call_names = last_names(_CHECKPOINTS)
    words = tuple(last_names(_CHECKPOINTS))

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if self.model.qualname(node.func) not in _CHECKPOINTS:
            return
        if keyword(node, "use_reentrant") is not None or has_star_kwargs(node):
            return
        self.report("ML413", node, func=self.ctx.source_of(node.func))


# ---------------------------------------------------------------------- fix


def explicit_use_reentrant(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``checkpoint(f, x)`` -> ``checkpoint(f, x, use_reentrant=False)``."""
    call = ctx.find(diag, cst.Call)
    if call is None or fx.keyword_arg(call, "use_reentrant") is not None:
        return None
    return fx.Edit(call, fx.add_keyword(call, "use_reentrant", cst.Name("False")))


FIXES = {"ML413": explicit_use_reentrant}
FIXABLE = {"ML413": fix_always(Fix.UNSAFE)}
