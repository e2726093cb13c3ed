"""Rule records of the PyTorch family (ML4xx)."""

from __future__ import annotations

from mlsmells.registry import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML401",
        name="torch-load-unsafe",
        pylint_id="W7641",
        family=Family.TORCH,
        message="`torch.load` without `weights_only=` can unpickle arbitrary code",
        summary="`torch.load(...)` is called without `weights_only`.",
        rationale=(
            "`torch.load` uses pickle. With `weights_only=False` (the default before PyTorch "
            "2.6) loading a checkpoint from an untrusted source runs arbitrary code. Since 2.6 "
            "the default flipped to `True`, so code that does not say which it wants behaves "
            "differently across versions. State it explicitly: `weights_only=True` for tensors "
            "and state dicts. A call passing `pickle_module=` has chosen its unpickler and is "
            "not reported."
        ),
        bad='state = torch.load("checkpoint.pt")\n',
        good='state = torch.load("checkpoint.pt", weights_only=True)\n',
        fix=Fix.UNSAFE,
        fix_summary="Add `weights_only=True`.",
        fix_safety=(
            "Unsafe: on PyTorch before 2.6 a checkpoint holding arbitrary pickled objects "
            "(a whole model, custom classes) no longer loads and raises instead."
        ),
    ),
    Rule(
        code="ML402",
        name="zero-grad-missing",
        pylint_id="W7642",
        family=Family.TORCH,
        message="gradients are never cleared in this loop: `{optimizer}.zero_grad()` is missing",
        summary=(
            "A training loop calls `backward()` and `optimizer.step()` but never clears gradients."
        ),
        rationale=(
            "PyTorch accumulates gradients into `.grad` on every `backward()`. A loop that steps "
            "the optimizer without `optimizer.zero_grad()` (or `model.zero_grad()`, or setting "
            "`p.grad = None`) applies the sum of all previous gradients at each step, and "
            "training silently diverges. Gradient accumulation, where the step and the clearing "
            "both sit under a condition, is recognised and not reported, and so is clearing done "
            "by a same-file helper the loop calls. The stepped object must be an optimizer: "
            "known from its construction or annotation, or, when unknown, named like one "
            "(`optimizer`, `opt_g`, `self.optim`); `scheduler.step()` never counts."
        ),
        bad=(
            "for x, y in loader:\n"
            "    loss = criterion(model(x), y)\n"
            "    loss.backward()\n"
            "    optimizer.step()\n"
        ),
        good=(
            "for x, y in loader:\n"
            "    optimizer.zero_grad()\n"
            "    loss = criterion(model(x), y)\n"
            "    loss.backward()\n"
            "    optimizer.step()\n"
        ),
    ),
    Rule(
        code="ML403",
        name="loss-accumulated-as-tensor",
        pylint_id="W7643",
        family=Family.TORCH,
        message="`{statement}` keeps the autograd graph of every iteration alive; add `{item}`",
        summary="A loss tensor is summed into an accumulator inside a loop without `.item()`.",
        rationale=(
            "A loss tensor carries its autograd history. Adding it to a running total keeps "
            "the total attached to every iteration's graph, so memory grows with every batch "
            "until the process runs out (the PyTorch FAQ's first entry). Accumulate "
            "`loss.item()` or `loss.detach()`. A total that is itself backpropagated (summing "
            "losses in order to call `total.backward()`, or returning the sum to a caller) is "
            "correct and not reported, nor is a sum made under `torch.no_grad()`."
        ),
        bad=(
            "total = 0\n"
            "for x, y in loader:\n"
            "    loss = criterion(model(x), y)\n"
            "    loss.backward()\n"
            "    total += loss\n"
        ),
        good=(
            "total = 0.0\n"
            "for x, y in loader:\n"
            "    loss = criterion(model(x), y)\n"
            "    loss.backward()\n"
            "    total += loss.item()\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary="Replace the added loss with `loss.item()`.",
        fix_safety=(
            "Unsafe: the accumulator becomes a Python float instead of a tensor; code that "
            "later calls tensor methods on it, or moves it between devices, changes behaviour."
        ),
    ),
    Rule(
        code="ML404",
        name="functional-dropout-always-on",
        pylint_id="W7644",
        family=Family.TORCH,
        message="`{func}` inside a Module without `training=` {effect}",
        summary="Functional dropout in an `nn.Module` method without `training=self.training`.",
        rationale=(
            "`torch.nn.functional.dropout` defaults to `training=True` and does not know about "
            "the module's mode, so dropout keeps dropping activations at evaluation and "
            "inference time, giving noisy, pessimistic predictions. `alpha_dropout` and "
            "`feature_alpha_dropout` have the opposite default (`training=False`): without the "
            "argument they never drop anything, not even in training. Pass "
            "`training=self.training`, or use an `nn.Dropout` submodule, which follows "
            "`model.eval()`."
        ),
        bad=(
            "class Net(nn.Module):\n"
            "    def forward(self, x):\n"
            "        return F.dropout(self.fc(x), p=0.5)\n"
        ),
        good=(
            "class Net(nn.Module):\n"
            "    def forward(self, x):\n"
            "        return F.dropout(self.fc(x), p=0.5, training=self.training)\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary="Add `training=self.training`.",
        fix_safety=(
            "Unsafe: outputs in evaluation mode change (dropout is no longer applied), which "
            "is the point of the fix but changes every evaluation number."
        ),
    ),
    Rule(
        code="ML406",
        name="mode-switch-not-called",
        pylint_id="E7646",
        family=Family.TORCH,
        message="`{expr}` is not called; the statement does nothing",
        summary=(
            "`model.eval`, `model.train`, `optimizer.zero_grad` or `optimizer.step` without `()`."
        ),
        rationale=(
            "Naming a bound method without calling it is a no-op: the model stays in its "
            "current mode, gradients are not cleared, the optimizer does not step. Python "
            "raises nothing. (The last line of a notebook cell, which displays the value, is "
            "not reported.)"
        ),
        bad="model.eval\nwith torch.no_grad():\n    preds = model(x)\n",
        good="model.eval()\nwith torch.no_grad():\n    preds = model(x)\n",
        fix=Fix.UNSAFE,
        fix_summary="Add the missing `()`.",
        fix_safety=(
            "Unsafe: the call now happens, changing the model's mode or the optimizer's state "
            "(as intended)."
        ),
    ),
)
