"""ML410 tensor-move-discarded: `x.to(device)` on a tensor, its result discarded, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules.torch._common import TORCH_FAMILY, _text

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML410",
    name="tensor-move-discarded",
    pylint_id="E7650",
    family=Family.TORCH,
    message="`{expr}` returns a new tensor, which is discarded: `{receiver}` is unchanged",
    summary=(
        "`x.to(device)`, `x.cuda()`, `x.cpu()`, `x.float()` ... on a tensor as a bare statement."
    ),
    rationale=(
        "`Module.to()` moves a module in place, but `Tensor.to()`, `.cuda()`, `.cpu()` and "
        "the dtype conversions (`.float()`, `.half()`, `.long()` ...) return a new tensor "
        "and leave the original where and what it was. As a statement the result is "
        "thrown away, and the code later fails with a device or dtype mismatch, or "
        "silently runs on the CPU. Only receivers known to be tensors are reported (never "
        "a module, never an unknown object). The items of a DataLoader's batch count as "
        "tensors (`x, y = batch`, `batch[0]`, the batch of a Lightning `training_step`), "
        "unless the loader has a `collate_fn`; the batch itself does not, unless its uses "
        "prove it one (a tokenizer's `BatchEncoding` moves in place). Only a tensor the "
        "code names is reported (a variable, "
        "an attribute, an element): a temporary built in the same statement "
        '(`torch.ones(1).to("cuda")`, written to initialise the device) leaves nothing '
        "unchanged that the code could use later. Not reported either on the last line of "
        "a notebook cell, which displays the value."
    ),
    bad="for x, y in loader:\n    x.to(device)\n    y.to(device)\n",
    good="for x, y in loader:\n    x = x.to(device)\n    y = y.to(device)\n",
    fix=Fix.UNSAFE,
    fix_summary="Assign the result back: `x.to(device)` becomes `x = x.to(device)`.",
    fix_safety=(
        "Unsafe: the tensor now really moves (or changes dtype), which changes where and "
        "how the rest of the code computes."
    ),
)


#: Tensor methods that return a converted copy (``Module.to`` & co. work in place instead).
_TENSOR_MOVES = frozenset(
    {
        "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "long", "int", "short",
        "bool", "byte", "char", "pin_memory", "type",
    }
)  # fmt: skip


def _names_a_tensor(expr: ast.expr) -> bool:
    """A variable, or an attribute or element of one (``x``, ``self.x``, ``batch[0]``)."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return isinstance(expr, ast.Name)


class TensorMoveDiscarded(Check):
    """ML410: ``x.to(device)`` (and ``cuda``/``cpu``/dtype conversions) on a tensor, discarded."""

    rules = (RULE,)
    nodes = (ast.Expr,)
    requires = TORCH_FAMILY

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return
        method = call.func.attr
        if method not in _TENSOR_MOVES or (method == "type" and not call.args):
            return
        receiver = call.func.value
        if not _names_a_tensor(receiver):
            return  # a temporary: ``torch.ones(1).to("cuda")`` initialises the device
        kind = self.model.kind_of(receiver)
        if kind is None or not kind.is_tensor:
            return
        if self.ctx.displays(node):
            return  # a notebook (or percent-format) cell displays its last expression
        text = self.ctx.source_of(receiver)
        data = (("receiver", text),) if isinstance(receiver, ast.Name) else ()
        expr = self.ctx.source_of(call)
        self.report(
            "ML410",
            call,
            expr=expr if "\n" not in expr else _text(call),
            receiver=text if "\n" not in text else _text(receiver),
            data=data,
        )


# ---------------------------------------------------------------------- fix


def assign_moved_tensor(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``x.to(device)`` -> ``x = x.to(device)`` (a plain name only)."""
    receiver = diag.get("receiver")
    call = ctx.find(diag, cst.Call)
    if receiver is None or call is None:
        return None
    statement = ctx.parent(call)
    if not isinstance(statement, cst.Expr):
        return None
    assign = cst.Assign(targets=[cst.AssignTarget(target=cst.Name(receiver))], value=call)
    return fx.Edit(statement, assign)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the moved tensor is a name (``receiver``)."""
    return Fix.UNSAFE if diag.get("receiver") is not None else Fix.NONE


FIXES = {"ML410": assign_moved_tensor}
FIXABLE = {"ML410": fix_applies}
