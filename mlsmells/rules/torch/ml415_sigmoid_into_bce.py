"""ML415 sigmoid-into-bce: sigmoid probabilities passed to binary cross-entropy."""

from __future__ import annotations

import ast

from mlsmells.records import Family, Rule
from mlsmells.rules.torch._activations import IntoLoss, Loss, Probabilities, source_text
from mlsmells.semantic.kinds import Output

RULE = Rule(
    code="ML415",
    name="sigmoid-into-bce",
    pylint_id="W7655",
    family=Family.TORCH,
    message="`{loss}` gets probabilities from {source}: `BCEWithLogitsLoss` (or "
    "`binary_cross_entropy_with_logits`) on the logits is the numerically stable form",
    summary=(
        "The output of `sigmoid` is passed to `nn.BCELoss` or `F.binary_cross_entropy`; "
        "`BCEWithLogitsLoss` on the logits is the numerically stable form."
    ),
    rationale=(
        "`binary_cross_entropy` takes the log of the probabilities it is given. Once the "
        "sigmoid saturates (a logit above about 16.6 in float32, much less in half "
        "precision), the probability rounds to exactly 0 or 1 and the loss of a wrong "
        "prediction is `log(0)`, which PyTorch clamps to a loss of 100 whatever the logit, "
        "with a zero gradient: confidently wrong outputs are never corrected (and before "
        "that the loss is already off: 14.84 instead of 15 at a logit of 15). "
        "`BCEWithLogitsLoss` / `binary_cross_entropy_with_logits` fuse the sigmoid into the "
        "loss with the log-sum-exp trick and stay exact; they are also the "
        "only binary cross-entropy allowed under CUDA autocast (`binary_cross_entropy` "
        "raises there). The rule follows the value from `torch.sigmoid`, `F.sigmoid`, "
        "`torch.special.expit`, a tensor's `.sigmoid()` or an `nn.Sigmoid` layer through "
        "assignments in the same function (not from inside a branch the loss call is not "
        "in), reshaping methods and names unpacked from a tuple, and knows the models whose "
        "`forward` always returns a sigmoid (classes of the file or of the project's own "
        "modules, also through a method of the class) or returns one as an item of its "
        "tuple (classes of the file), whose `nn.Sequential` ends in `nn.Sigmoid`, and the "
        "functions of the file that return one. Across functions, a parameter holds "
        "probabilities (or a model ending in a sigmoid) when every call of its function in "
        "the file passes them; not the parameter of a method, nor of a function passed "
        "around as a value. Probabilities made by a function of another module, and an item "
        "of the tuple of a project module's class, are not followed. No fix: taking the sigmoid "
        "out of a model changes what it returns to every other caller (predictions, "
        "metrics), a change to make by hand."
    ),
    bad=(
        "model = nn.Sequential(nn.Linear(16, 1), nn.Sigmoid())\n"
        "criterion = nn.BCELoss()\n"
        "loss = criterion(model(x), y)\n"
    ),
    good=(
        "model = nn.Linear(16, 1)\n"
        "criterion = nn.BCEWithLogitsLoss()\n"
        "loss = criterion(model(x), y)\n"
        "probs = torch.sigmoid(model(x))  # for predictions\n"
    ),
)


class SigmoidIntoBce(IntoLoss):
    """ML415: probabilities (sigmoid output) passed to binary cross-entropy."""

    rules = (RULE,)
    loss = Loss.BINARY_CROSS_ENTROPY
    output = Output.SIGMOID

    def found(self, node: ast.Call, found: Probabilities) -> None:
        source = source_text(self.ctx, found)
        self.report("ML415", node, loss=self.ctx.source_of(node.func), source=source)
