"""ML408 softmax-into-cross-entropy: softmax probabilities passed to cross-entropy."""

from __future__ import annotations

import ast

from mlsmells.records import Family, Rule
from mlsmells.rules.torch._activations import IntoLoss, Loss, Probabilities, source_text
from mlsmells.semantic.kinds import Output

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
        "in), reshaping methods and names unpacked from a tuple, and knows `nn.Softmax` "
        "layers, the models whose `forward` always returns a softmax (classes of the file or "
        "of the project's own modules) or returns one as an item of its tuple (classes of "
        "the file), or whose `nn.Sequential` ends in `nn.Softmax`, and the functions of the "
        "file that return one. Across functions, a parameter holds probabilities (or a model "
        "ending in a softmax) when every call of its function in the file passes them; not "
        "the parameter of a method, nor of a function passed around as a value."
    ),
    bad=("probs = F.softmax(model(x), dim=1)\nloss = F.cross_entropy(probs, y)\n"),
    good=(
        "logits = model(x)\nloss = F.cross_entropy(logits, y)\nprobs = F.softmax(logits, dim=1)\n"
    ),
)


class SoftmaxIntoCrossEntropy(IntoLoss):
    """ML408: probabilities (softmax output) passed to cross-entropy, which expects logits."""

    rules = (RULE,)
    loss = Loss.CROSS_ENTROPY
    output = Output.SOFTMAX

    def found(self, node: ast.Call, found: Probabilities) -> None:
        source = source_text(self.ctx, found)
        self.report("ML408", node, loss=self.ctx.source_of(node.func), source=source)
