"""Fixes of the PyTorch family (ML4xx)."""

from __future__ import annotations

import libcst as cst

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    add_keyword,
    method_call,
    parse_expression,
    transform,
)


@transform("ML401")
def torch_load_weights_only(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``torch.load(f)`` -> ``torch.load(f, weights_only=True)``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    return Edit(call, add_keyword(call, "weights_only", cst.Name("True")))


@transform("ML403")
def loss_item(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``total += loss`` -> ``total += loss.item()``."""
    node = ctx.find(diag, cst.AugAssign)
    if node is None or not isinstance(node.operator, cst.AddAssign):
        return None
    return Edit(node.value, method_call(node.value, "item"))


@transform("ML404")
def dropout_training(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``F.dropout(x, p)`` -> ``F.dropout(x, p, training=self.training)``.

    The rule names the expression (``data["training"]``): the method's own
    first parameter, when nothing in between shadows it.
    """
    training = diag.get("training")
    call = ctx.find(diag, cst.Call)
    if training is None or call is None:
        return None
    return Edit(call, add_keyword(call, "training", parse_expression(training)))


@transform("ML406")
def call_mode_switch(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``model.eval`` -> ``model.eval()``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None:
        return None
    return Edit(attribute, cst.Call(func=attribute))
