"""ML414 log-of-probabilities: the log of softmax or sigmoid probabilities, which underflows
where the fused functions do not, and its fix."""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, has_identifier
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import holds_comment
from mlsmells.rules.torch._activations import (
    Activations,
    has_comment,
    in_log_form,
    input_argument,
    log_form,
    short,
    source_text,
)
from mlsmells.rules.torch._spelling import spellable
from mlsmells.semantic import outputs
from mlsmells.semantic.kinds import Output
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML414",
    name="log-of-probabilities",
    pylint_id="W7654",
    family=Family.TORCH,
    message="`{call}` takes the log of {what} from {source}: it is `-inf` where "
    "{underflow}; use `{replacement}`",
    summary=(
        "`torch.log` (or `.log()`) of the output of `softmax` or `sigmoid`: "
        "`log_softmax` / `logsigmoid` compute it without underflow."
    ),
    rationale=(
        "A probability far from the largest one underflows to exactly 0 (in float32, a "
        "logit about 104 below the largest for softmax, a logit below about -88 for "
        "sigmoid; much sooner in half precision), and its log is `-inf`: a loss or an "
        "entropy computed from it becomes `inf` or `nan`, and the gradient `nan`. Before "
        "that, the log of a tiny probability has lost digits (-99.98 for -100). "
        "`F.log_softmax(x, dim)` and `F.logsigmoid(x)` compute the same values with the "
        "log-sum-exp trick, exactly and without underflow. The rule sees `torch.log(p)` and "
        "`p.log()` where `p` is the output of `softmax` (`torch.softmax`, `F.softmax`, "
        "`torch.special.softmax`, a tensor's `.softmax()`, an `nn.Softmax` layer) or of "
        "`sigmoid` (`torch.sigmoid`, `F.sigmoid`, `torch.special.expit`, `.sigmoid()`, "
        "`nn.Sigmoid`), in the call itself or through assignments in the same function, "
        "reshaping methods and indexing, or of a model whose `forward` ends in one, of a "
        "function of the file, or of a parameter every call passes them to (as ML408 follows "
        "them); and `torch.log(1 - p)` of sigmoid probabilities, which "
        "is `-inf` where they round to 1 and is `F.logsigmoid(-x)`. A clamp or an added "
        "epsilon (`torch.log(p + 1e-8)`) is taken as deliberate and left alone; logs in "
        "other bases and `1 - p` of softmax probabilities are not seen."
    ),
    bad="log_probs = torch.log(F.softmax(logits, dim=1))\n",
    good="log_probs = F.log_softmax(logits, dim=1)\n",
    fix=Fix.UNSAFE,
    fix_summary=(
        "When the softmax or sigmoid call is the argument of the log itself: "
        "`torch.log(F.softmax(x, dim=1))` -> `F.log_softmax(x, dim=1)` (`torch.softmax` -> "
        "`torch.log_softmax`, `x.softmax(1).log()` -> `x.log_softmax(1)`, same arguments), "
        "`torch.log(torch.sigmoid(x))` / `x.sigmoid().log()` -> `F.logsigmoid(x)`, "
        "`torch.log(1 - torch.sigmoid(x))` -> `F.logsigmoid(-x)` (spelled with the module's "
        "own name for `torch.nn.functional`, else with `torch`, imported if need be)."
    ),
    fix_safety=(
        "Unsafe: the values agree to rounding where the log was finite, but they are not "
        "bit for bit the same, and where the log was `-inf` (or its gradient `nan`) the "
        "fused function gives a finite value, so results and training change (for the "
        "better). Not offered for a softmax without `dim` (its implicit choice of dimension "
        "is deprecated), a layer, a model, or probabilities that come through a name."
    ),
)

_LOG = "torch.log"
_LOG_NAMES = last_names([_LOG])
_FUSED = {Output.SOFTMAX: "log_softmax", Output.SIGMOID: "F.logsigmoid"}


class LogOfProbabilities(Check):
    """ML414: ``torch.log`` of softmax or sigmoid probabilities."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    call_names = _LOG_NAMES | {"log"}  # ``torch.log(p)``, ``p.log()``
    needs = (Activations,)

    @classmethod
    def runs_on(cls, roots: AbstractSet[str], text: str) -> bool:
        return has_identifier(text, "log")  # ``torch.log``, ``.log()``

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        model = self.model
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "log"
            and not node.args
            and not node.keywords
            and model.qualname(func) is None  # (not a function of a module)
        ):
            argument: ast.expr | None = func.value
            alone = True
        elif model.may_resolve_to(func, _LOG_NAMES) and model.qualname(func) == _LOG:
            argument = input_argument(node)
            alone = len(node.args) + len(node.keywords) == 1
        else:
            return
        if argument is None:
            return
        complement = (
            isinstance(argument, ast.BinOp)
            and isinstance(argument.op, ast.Sub)
            and _is_one(argument.left)
        )
        if complement:  # ``torch.log(1 - torch.sigmoid(x))``: ``F.logsigmoid(-x)``
            assert isinstance(argument, ast.BinOp)
            argument = argument.right
        found = self.ctx.analysis(Activations).probabilities(argument, node)
        if found is None or (complement and found.output is not Output.SIGMOID):
            return
        data: tuple[tuple[str, str], ...] = ()
        call = found.call
        if alone and call is argument and outputs.call_output(model, call) is not None:
            data = log_form(self.ctx, call, found.output) or ()
            if data and complement:
                data += (("negate", "argument"),)
            if data and holds_comment(self.ctx, node):
                data += (("rewrite", "no"),)  # the rewrite might drop the comment
        self.report(
            "ML414",
            node,
            call=short(self.ctx, node),
            what="1 minus probabilities" if complement else "probabilities",
            source=source_text(self.ctx, found),
            underflow="they round to 1" if complement else "they underflow to 0",
            replacement="F.logsigmoid(-x)" if complement else _FUSED[found.output],
            data=data,
        )


def _is_one(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, (int, float))
        and not isinstance(expr.value, bool)
        and expr.value == 1
    )


# ---------------------------------------------------------------------- fix


def fused_log(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``torch.log(F.softmax(x, dim=1))`` -> ``F.log_softmax(x, dim=1)``,
    ``x.sigmoid().log()`` -> ``F.logsigmoid(x)`` ...: the log call of the finding is
    replaced by the activation call inside it, rewritten as the rule's data says."""
    log = ctx.find(diag, cst.Call)
    if log is None or not (diag.get("method") or diag.get("spelling")) or has_comment(log):
        return None
    inner: cst.BaseExpression
    if not log.args and isinstance(log.func, cst.Attribute):
        inner = log.func.value  # ``p.log()``
    elif len(log.args) == 1:
        inner = log.args[0].value
    else:
        return None
    negate = diag.get("negate") is not None
    if negate:  # ``1 - torch.sigmoid(x)``
        if not isinstance(inner, cst.BinaryOperation):
            return None
        inner = inner.right
    if not isinstance(inner, cst.Call):
        return None
    found = in_log_form(ctx, diag, inner)
    if found is None:
        return None
    replacement, imports = found
    if negate:
        if len(replacement.args) != 1:
            return None
        value = replacement.args[0].value
        operand = value if fx.is_atom(value) else fx.parenthesize(value)
        negated = cst.UnaryOperation(operator=cst.Minus(), expression=operand)
        replacement = replacement.with_changes(
            args=[replacement.args[0].with_changes(value=negated)]
        )
    replacement = replacement.with_changes(lpar=log.lpar, rpar=log.rpar)
    return fx.Edit(log, replacement, imports)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for the shapes the rule's data spells in their log form (a method, or a
    function whose import is possible), without a comment to lose (``rewrite``)."""
    written = diag.get("method") is not None or spellable(diag)
    return Fix.UNSAFE if written and diag.get("rewrite") != "no" else Fix.NONE


FIXES = {"ML414": fused_log}
FIXABLE = {"ML414": fix_applies}
