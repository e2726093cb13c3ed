"""ML417 probabilities-into-nll: softmax probabilities passed to the negative log-likelihood
loss, which expects log-probabilities, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import holds_comment, parenthesized_in
from mlsmells.rules.torch._activations import (
    IntoLoss,
    Loss,
    Probabilities,
    has_comment,
    in_log_form,
    input_argument,
    log_form,
    source_text,
)
from mlsmells.rules.torch._spelling import spellable
from mlsmells.semantic import outputs
from mlsmells.semantic.kinds import Output

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML417",
    name="probabilities-into-nll",
    pylint_id="E7657",
    family=Family.TORCH,
    message="`{loss}` expects log-probabilities but gets probabilities from {source}: "
    "use `log_softmax`",
    summary=(
        "The output of `softmax` is passed to `F.nll_loss` or an `nn.NLLLoss`, which "
        "expect log-probabilities."
    ),
    rationale=(
        "`nll_loss` picks `-input[target]`: it is the cross-entropy only when its input "
        "holds log-probabilities (`log_softmax`). Given probabilities it minimises "
        "`-p[target]`, a different loss bounded in [-1, 0] whose gradient fades as soon as "
        "the target's probability grows: training runs without any error and optimises the "
        "wrong objective. Use `log_softmax` (or `F.cross_entropy` on the logits). The rule "
        "follows the value from `softmax` (a function, a tensor's `.softmax()`, an "
        "`nn.Softmax` layer) through assignments in the same function (not from inside a "
        "branch the loss call is not in), reshaping methods and names unpacked from a tuple, "
        "and knows the models whose `forward` always returns a softmax (classes of the file "
        "or of the project's own modules, also through a method of the class) or returns one "
        "as an item of its tuple (classes of the file), whose `nn.Sequential` ends in "
        "`nn.Softmax`, and the functions of the file that return one. Across functions, a "
        "parameter holds probabilities (or a model ending in a softmax) when every call of "
        "its function in the file passes them; not the parameter of a method, nor of a "
        "function passed around as a value. `probs.log()` is the right input (ML414 suggests "
        "the stable form of it)."
    ),
    bad="probs = F.softmax(model(x), dim=1)\nloss = F.nll_loss(probs, y)\n",
    good="log_probs = F.log_softmax(model(x), dim=1)\nloss = F.nll_loss(log_probs, y)\n",
    fix=Fix.UNSAFE,
    fix_summary=(
        "`softmax` -> `log_softmax` when the softmax call is in the loss call itself, "
        "with an explicit `dim`: `F.nll_loss(F.softmax(x, dim=1), y)` -> "
        "`F.nll_loss(F.log_softmax(x, dim=1), y)` (`torch.softmax` -> `torch.log_softmax`, "
        "`x.softmax(1)` -> `x.log_softmax(1)`, same arguments)."
    ),
    fix_safety=(
        "Unsafe: the loss and its gradients change (to the intended ones), so training "
        "behaves differently and a learning rate or threshold tuned on the old loss may "
        "need tuning again. Not offered when the probabilities come through a name, a "
        "layer or a model (the softmax may have other uses), nor for a softmax without "
        "`dim`."
    ),
)


class ProbabilitiesIntoNll(IntoLoss):
    """ML417: probabilities (softmax output) passed to the negative log-likelihood loss."""

    rules = (RULE,)
    loss = Loss.NLL
    output = Output.SOFTMAX

    def found(self, node: ast.Call, found: Probabilities) -> None:
        data: tuple[tuple[str, str], ...] = ()
        call = found.call
        if found.direct and call is not None and outputs.call_output(self.model, call):
            data = log_form(self.ctx, call, Output.SOFTMAX) or ()
            if data:
                data += (("softmax", self.ctx.source_of(call.func)),)
                if not _reached(node, call) or holds_comment(self.ctx, call):
                    data += (("rewrite", "no"),)
        self.report(
            "ML417",
            node,
            loss=self.ctx.source_of(node.func),
            source=source_text(self.ctx, found),
            data=data,
        )


def _reached(loss: ast.Call, softmax: ast.Call) -> bool:
    """Whether the fix's walk from the loss call's input (through subscripts and the
    methods that keep values, as :func:`log_softmax_into_nll` goes) ends at ``softmax``,
    a call whose function it reads as the rule wrote it (no parentheses of its own)."""
    node = input_argument(loss)
    for _ in range(16):
        if isinstance(node, ast.Subscript):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in outputs.KEEPS_VALUES
        ):
            node = node.func.value
        else:
            break
    return node is softmax and not parenthesized_in(softmax, softmax.func)


# ---------------------------------------------------------------------- fix


def log_softmax_into_nll(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``F.nll_loss(F.softmax(x, dim=1), y)`` -> ``F.nll_loss(F.log_softmax(x, dim=1), y)``:
    the softmax call named by the finding (``softmax``: the text of its function), found in
    the loss call's input through subscripts and the methods that keep values."""
    loss = ctx.find(diag, cst.Call)
    wanted = diag.get("softmax")
    if loss is None or wanted is None:
        return None
    given = fx.keyword_arg(loss, "input")
    positional = [arg for arg in loss.args if arg.keyword is None]
    if given is None and not positional:
        return None
    node: cst.BaseExpression = given.value if given is not None else positional[0].value
    for _ in range(16):
        if isinstance(node, cst.Subscript):
            node = node.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in outputs.KEEPS_VALUES
        ):
            node = node.func.value
        else:
            break
    if not isinstance(node, cst.Call) or cst.Module([]).code_for_node(node.func) != wanted:
        return None
    found = in_log_form(ctx, diag, node)
    if found is None:
        return None
    replacement, imports = found
    if has_comment(node):
        return None  # the rewrite might drop it
    return fx.Edit(node, replacement, imports)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered where the rule names the softmax call (``softmax``) and its log form (a
    method, or a function whose import is possible), and the fix reaches the call and
    loses no comment (``rewrite``)."""
    if diag.get("softmax") is None or diag.get("rewrite") == "no":
        return Fix.NONE
    written = diag.get("method") is not None or spellable(diag)
    return Fix.UNSAFE if written else Fix.NONE


FIXES = {"ML417": log_softmax_into_nll}
FIXABLE = {"ML417": fix_applies}
