"""ML408 softmax-into-cross-entropy: softmax probabilities passed to cross-entropy."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules.torch._activations import Activations, input_argument, is_loss, source_text
from mlsmells.semantic.kinds import Output
from mlsmells.semantic.names import last_names

RULE = Rule(
    code="ML408",
    name="softmax-into-cross-entropy",
    pylint_id="E7648",
    family=Family.TORCH,
    message="`{loss}` expects raw logits but gets probabilities from {source}: softmax "
    "is applied twice",
    summary=(
        "The output of `softmax` is passed to `F.cross_entropy` or an "
        "`nn.CrossEntropyLoss`, which apply `log_softmax` themselves."
    ),
    rationale=(
        "`cross_entropy` computes `log_softmax` of its input. Feeding it probabilities "
        "applies softmax twice: the loss is squashed into a narrow range, gradients "
        "shrink, and training converges slowly or to a worse model without any error. "
        "Pass the logits (and apply softmax only for reporting probabilities). "
        "`log_softmax` output is fine (log-softmax of log-probabilities is unchanged) and "
        "so is `probs.log()`. The rule follows the value from the softmax call through "
        "assignments in the same function (not from inside a branch the loss call is not "
        "in) and through reshaping methods, and knows `nn.Softmax` layers and the models "
        "whose `forward` always returns a softmax (classes of the file or of the project's "
        "own modules) or whose `nn.Sequential` ends in `nn.Softmax`."
    ),
    bad=("probs = F.softmax(model(x), dim=1)\nloss = F.cross_entropy(probs, y)\n"),
    good=(
        "logits = model(x)\nloss = F.cross_entropy(logits, y)\nprobs = F.softmax(logits, dim=1)\n"
    ),
)


_CROSS_ENTROPY_MODULES = frozenset(
    {"torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"}
)
_CROSS_ENTROPY = "torch.nn.functional.cross_entropy"
_CROSS_ENTROPY_NAMES = last_names([*_CROSS_ENTROPY_MODULES, _CROSS_ENTROPY])


class SoftmaxIntoCrossEntropy(Check):
    """ML408: probabilities (softmax output) passed to cross-entropy, which expects logits."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    needs = (Activations,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not is_loss(
            self.model, node.func, _CROSS_ENTROPY, _CROSS_ENTROPY_MODULES, _CROSS_ENTROPY_NAMES
        ):
            return
        argument = input_argument(node)
        if argument is None:
            return
        found = self.ctx.analysis(Activations).probabilities(argument, node)
        if found is None or found.output is not Output.SOFTMAX:
            return
        source = source_text(self.ctx, found)
        self.report("ML408", node, loss=self.ctx.source_of(node.func), source=source)
