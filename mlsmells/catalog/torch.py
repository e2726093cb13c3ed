"""Rule records of the PyTorch rules: the ML4xx family, and ML104 and ML906-ML908, which are
PyTorch-specific rules of the reproducibility and opinionated families."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML104",
        name="dataloader-unseeded-shuffle",
        pylint_id="W7614",
        family=Family.REPRODUCIBILITY,
        message="`{loader}(..., shuffle=True)` without `generator=` in a module that never "
        "seeds torch: the batch order changes on every run",
        summary=(
            "A shuffling `DataLoader` has no seeded `generator` and nothing in the module "
            "seeds torch."
        ),
        rationale=(
            "With `shuffle=True` the sampler draws its permutation from a generator seeded "
            "from torch's global random state. Unless something seeds that state, every run "
            "sees the batches in a different order, so losses, checkpoints and bugs cannot be "
            "reproduced. A `generator=torch.Generator().manual_seed(seed)` makes the order "
            "reproducible without touching the global state. The rule is silent when the "
            "module seeds torch itself (`torch.manual_seed`, Lightning's `seed_everything`, "
            "`transformers.set_seed`, `accelerate.utils.set_seed`, or any call of a function "
            "named like a seeding helper such as `set_seed(42)`), when the loader gets a "
            "`sampler`, `batch_sampler` or `**kwargs`, and when `shuffle` is not known to be "
            "true (a literal `True`, or a name assigned `True`). Same-file subclasses of "
            "`DataLoader` count as loaders."
        ),
        bad="loader = DataLoader(train_set, batch_size=64, shuffle=True)\n",
        good=(
            "loader = DataLoader(\n"
            "    train_set, batch_size=64, shuffle=True,\n"
            "    generator=torch.Generator().manual_seed(42),\n"
            ")\n"
        ),
        fix=Fix.SAFE,
        fix_summary=(
            "Add `generator=torch.Generator().manual_seed(<seed>)` (the configured seed, 42 by "
            "default)."
        ),
        fix_safety=(
            "Safe: every epoch still yields each sample exactly once, in a uniformly random "
            "order; only which order changes, and it is now the same on every run. The loader "
            "no longer draws its shuffling seed from torch's global generator, which nothing "
            "in this module seeds (so its draws were different on every run anyway). Offered "
            "for `torch.utils.data.DataLoader` itself, not for subclasses (whose constructor "
            "may not accept `generator`)."
        ),
    ),
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
            "known from its construction or annotation (also as an element of a list, tuple or "
            "dict built of optimizers: `optimizers[0]`, `opts[\"g\"]`), or, when unknown, named "
            "like one (`optimizer`, `opt_g`, `self.optim`); `scheduler.step()` never counts."
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
            "`loss.item()` or `loss.detach()`. The accumulator may be a name, an attribute "
            "(`self.total_loss += loss`) or an element (`totals[\"train\"] += loss`). A total "
            "that is itself backpropagated (summing losses in order to call `total.backward()`, "
            "in the same function or, for an attribute, in any function of the file; or "
            "returning the sum to a caller) is correct and not reported, nor is a sum made "
            "under `torch.no_grad()`."
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
    Rule(
        code="ML405",
        name="forward-called-directly",
        pylint_id="W7645",
        family=Family.TORCH,
        message="`{receiver}.forward(...)` skips the module's `__call__` and its hooks; "
        "call `{receiver}(...)`",
        summary="`model.forward(x)` is called on a module other than `self`/`super()`.",
        rationale=(
            "Calling a module runs `nn.Module.__call__`, which runs the registered forward "
            "pre-hooks and hooks, the backward hooks, and what wrappers such as "
            "`DistributedDataParallel`, FSDP, `torch.compile`d modules and quantization "
            "observers rely on; `forward` itself skips all of that. `self.forward(...)`, "
            "`super().forward(...)` and `Base.forward(self, ...)` inside a class are how a "
            "class extends its own forward and are not reported. The receiver must be known "
            "to be a Module, or at least not known to be something else (a same-file class "
            "that is not a Module, a tensor, a non-Module torch object): other libraries' "
            "`forward` methods are left alone."
        ),
        bad="logits = model.forward(images)\n",
        good="logits = model(images)\n",
        fix=Fix.UNSAFE,
        fix_summary="Call the module: `model.forward(x)` becomes `model(x)`.",
        fix_safety=(
            "Unsafe: the module's hooks now run (the point of the fix), which changes the "
            "result when hooks modify inputs or outputs."
        ),
    ),
    Rule(
        code="ML407",
        name="eval-without-train-restore",
        pylint_id="W7647",
        family=Family.TORCH,
        message="`{call}` leaves `{model}` in eval mode{via}: `{model}.train()` is not called "
        "again before the next `backward()` in this loop",
        summary=(
            "A training loop switches the model to eval mode and never back before the next "
            "backward pass."
        ),
        rationale=(
            "`model.eval()` turns off dropout and freezes batch-norm statistics. Validating in "
            "the middle of training without calling `model.train()` afterwards means every "
            "later step trains the model in eval mode: no dropout, stale normalisation "
            "statistics, silently worse results. The rule follows the loop body in source "
            "order (nested `with`/`if`/`try` blocks and inner loops included, wrapping around "
            "to the top of the body for the next iteration) and looks one level into "
            "same-file helpers the loop calls (an `evaluate(model)` that calls `model.eval()`, "
            "a `train_one_epoch(model)` that calls `model.train()`). A model that is never "
            "trained (a teacher, an EMA or target copy, one frozen with "
            "`requires_grad_(False)`), a model built anew in every iteration, a helper's own "
            "local model, an `eval()` followed by `break`/`return`, and a model passed on to "
            "another library's function after `eval()` (which may switch it back) are not "
            "reported; `model.train()` restores `model.module` too, and the other way round."
        ),
        bad=(
            "model.train()\n"
            "for epoch in range(epochs):\n"
            "    for x, y in train_loader:\n"
            "        optimizer.zero_grad()\n"
            "        criterion(model(x), y).backward()\n"
            "        optimizer.step()\n"
            "    model.eval()\n"
            "    validate(model, val_loader)\n"
        ),
        good=(
            "for epoch in range(epochs):\n"
            "    model.train()\n"
            "    for x, y in train_loader:\n"
            "        optimizer.zero_grad()\n"
            "        criterion(model(x), y).backward()\n"
            "        optimizer.step()\n"
            "    model.eval()\n"
            "    validate(model, val_loader)\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary=(
            "Insert `model.train()` at the top of the loop body (offered when the `eval()` "
            "comes after every backward pass of the iteration)."
        ),
        fix_safety=(
            "Unsafe: training now runs with dropout and batch-norm updates, which changes "
            "every result (as intended)."
        ),
    ),
    Rule(
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
            "in) and through reshaping methods, and knows same-file models whose `forward` "
            "always returns a softmax or whose `nn.Sequential` ends in `nn.Softmax`."
        ),
        bad=("probs = F.softmax(model(x), dim=1)\nloss = F.cross_entropy(probs, y)\n"),
        good=(
            "logits = model(x)\n"
            "loss = F.cross_entropy(logits, y)\n"
            "probs = F.softmax(logits, dim=1)\n"
        ),
    ),
    Rule(
        code="ML409",
        name="scheduler-before-optimizer-step",
        pylint_id="W7649",
        family=Family.TORCH,
        message="`{scheduler}.step()` comes before `{optimizer}.step()` in this loop: the "
        "first learning-rate value is skipped",
        summary="`scheduler.step()` is called before `optimizer.step()` in a training loop.",
        rationale=(
            "Since PyTorch 1.1 a learning-rate scheduler must be stepped after the optimizer. "
            "Stepping it first skips the first value of the schedule (the warm-up starts one "
            "step late, a step decay happens one epoch early) and PyTorch warns at run time. "
            "The rule compares source order inside one loop body, including nested blocks, "
            "inner loops and same-file helpers the loop calls (one level deep). A "
            "`ReduceLROnPlateau`, which has no such order, and a scheduler stepped under a "
            "condition the optimizer step is not under (`if epoch > 0:`) are not reported. "
            "The scheduler is known from its construction or annotation, or, when unknown, is "
            "a `scheduler`/`lr_scheduler`/`sched` stepped without arguments."
        ),
        bad=(
            "for epoch in range(epochs):\n"
            "    scheduler.step()\n"
            "    for x, y in loader:\n"
            "        optimizer.zero_grad()\n"
            "        criterion(model(x), y).backward()\n"
            "        optimizer.step()\n"
        ),
        good=(
            "for epoch in range(epochs):\n"
            "    for x, y in loader:\n"
            "        optimizer.zero_grad()\n"
            "        criterion(model(x), y).backward()\n"
            "        optimizer.step()\n"
            "    scheduler.step()\n"
        ),
    ),
    Rule(
        code="ML410",
        name="tensor-move-discarded",
        pylint_id="E7650",
        family=Family.TORCH,
        message="`{expr}` returns a new tensor, which is discarded: `{receiver}` is unchanged",
        summary=(
            "`x.to(device)`, `x.cuda()`, `x.cpu()`, `x.float()` ... on a tensor as a bare "
            "statement."
        ),
        rationale=(
            "`Module.to()` moves a module in place, but `Tensor.to()`, `.cuda()`, `.cpu()` and "
            "the dtype conversions (`.float()`, `.half()`, `.long()` ...) return a new tensor "
            "and leave the original where and what it was. As a statement the result is "
            "thrown away, and the code later fails with a device or dtype mismatch, or "
            "silently runs on the CPU. Only receivers known to be tensors are reported (never "
            "a module, never an unknown object), and not on the last line of a notebook cell, "
            "which displays the value."
        ),
        bad="for x, y in loader:\n    x.to(device)\n    y.to(device)\n",
        good="for x, y in loader:\n    x = x.to(device)\n    y = y.to(device)\n",
        fix=Fix.UNSAFE,
        fix_summary="Assign the result back: `x.to(device)` becomes `x = x.to(device)`.",
        fix_safety=(
            "Unsafe: the tensor now really moves (or changes dtype), which changes where and "
            "how the rest of the code computes."
        ),
    ),
    Rule(
        code="ML411",
        name="requires-grad-typo",
        pylint_id="E7651",
        family=Family.TORCH,
        message="`{target}.require_grad` is not a tensor attribute (`requires_grad` is): the "
        "assignment changes nothing",
        summary="An assignment to `.require_grad`, a typo of `requires_grad`.",
        rationale=(
            "Tensors and parameters accept any new attribute, so `p.require_grad = False` "
            "raises nothing and freezes nothing: the parameter keeps training. Code that uses "
            "`require_grad` as its own attribute (it reads it somewhere, or a same-file class "
            "that is not a Module owns it) is not reported."
        ),
        bad="for p in backbone.parameters():\n    p.require_grad = False\n",
        good="for p in backbone.parameters():\n    p.requires_grad = False\n",
        fix=Fix.UNSAFE,
        fix_summary="Rename the attribute to `requires_grad`.",
        fix_safety=(
            "Unsafe: the parameters are now really frozen (or unfrozen), which changes training."
        ),
    ),
    Rule(
        code="ML412",
        name="deprecated-torch-api",
        pylint_id="W7652",
        family=Family.TORCH,
        message="{what} {status}; use {replacement}",
        summary="A deprecated or removed PyTorch or torchvision API is used.",
        rationale=(
            "Deprecated APIs warn at every call and disappear in a later release; removed ones "
            "raise. The table behind this rule cites, for every entry, the version that "
            "deprecated it and where that was checked in PyTorch itself: "
            "`torch.cuda.amp.autocast`/`GradScaler`/`custom_fwd`/`custom_bwd` and "
            "`torch.cpu.amp.*` (2.4), `torch.solve`/`symeig`/`eig`/`lstsq`/`matrix_rank` "
            "(deprecated 1.9, removed), `torch.chain_matmul`/`qr`/`cholesky` (1.9), "
            "`torch.autograd.Variable`, `clip_grad_norm` and the `nn.init` functions without "
            "the trailing underscore (0.4.0), `F.upsample` (0.4.1), "
            "`torch.testing.assert_allclose` (1.12), `functorch.*` and "
            "`torch.nn.utils.stateless.functional_call` (2.0), `torch.set_default_tensor_type` "
            "(2.1); the `size_average=`/`reduce=` arguments of losses (0.4.1), softmax without "
            "`dim` (0.3.0), and torchvision's `pretrained=` (torchvision 0.13). `F.sigmoid` "
            "and `F.tanh` are not reported: their 0.4.1 deprecation was withdrawn. Code inside a "
            "version check (`if _TORCH_GREATER_EQUAL_2_4: ... else: ...`, `hasattr(torch, "
            "...)`) or an `except ImportError` fallback keeps the old API on purpose and is "
            "not reported."
        ),
        bad=(
            "scaler = torch.cuda.amp.GradScaler()\n"
            "with torch.cuda.amp.autocast():\n"
            "    loss = criterion(model(x), y)\n"
            "torch.nn.utils.clip_grad_norm(model.parameters(), 1.0)\n"
        ),
        good=(
            'scaler = torch.amp.GradScaler("cuda")\n'
            'with torch.amp.autocast("cuda"):\n'
            "    loss = criterion(model(x), y)\n"
            "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
        ),
        fix=Fix.MIXED,
        fix_summary=(
            "Rewrite the call to its replacement. Safe where PyTorch documents the replacement "
            "as equivalent: the `torch.amp` spellings, `clip_grad_norm_`, `nn.init.*_`, "
            "`F.interpolate`, `torch.linalg.multi_dot`/`qr`/`cholesky`, `torch.func`, "
            "`reduction=` for literal `size_average`/`reduce`, torchvision `weights=` for a "
            "literal `pretrained`. Unsafe: `Variable(t)` to `t`, `assert_allclose` to "
            "`assert_close`, `torch.cholesky(A, upper=True)` to `torch.linalg.cholesky(A).mH`."
        ),
        fix_safety=(
            "The safe rewrites compute the same values (PyTorch's deprecated functions "
            "forward to exactly these replacements). `Variable(t)` returned a detached alias "
            "of `t`, so replacing it with `t` lets gradients flow where they did not; "
            "`assert_close` has tighter default tolerances than `assert_allclose`, so a test "
            "may start failing; `cholesky(A, upper=True)` and `linalg.cholesky(A).mH` agree "
            "only up to rounding. Removed APIs, and replacements with a different signature "
            "(`torch.linalg.solve(A, B)` reverses the arguments), get no fix."
        ),
    ),
    Rule(
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
    ),
    Rule(
        code="ML906",
        name="dataloader-workers-unset",
        pylint_id="C7686",
        family=Family.OPINIONATED,
        message="`{loader}(...)` without `num_workers=`: batches are loaded in the main process",
        summary="A `DataLoader` is built without `num_workers`.",
        rationale=(
            "By default a `DataLoader` loads and collates every batch in the training "
            "process itself, between optimizer steps, so the accelerator waits for the data "
            "pipeline. Setting `num_workers` (and usually `pin_memory=True`) overlaps loading "
            "with computation. Stating `num_workers=0` explicitly records that the choice was "
            "made. A loader given `**kwargs`, or six positional arguments, is not reported."
        ),
        bad="loader = DataLoader(train_set, batch_size=64, shuffle=True)\n",
        good="loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=4)\n",
        default_enabled=False,
        noise=(
            "Fires on every loader of small in-memory datasets, tests, notebooks and Windows "
            "scripts, where worker processes cost more than they save or cannot be used "
            "(TorchFix keeps its equivalent, TOR401, off by default for the same reason)."
        ),
    ),
    Rule(
        code="ML907",
        name="torch-not-seeded",
        pylint_id="C7687",
        family=Family.OPINIONATED,
        message="this script trains with torch but never seeds it (`torch.manual_seed`)",
        summary=(
            "An entry-point script that trains a PyTorch model never calls "
            "`torch.manual_seed` (or an equivalent)."
        ),
        rationale=(
            "Weight initialisation, dropout masks, shuffling and augmentation all draw from "
            "torch's global generator; without a seed two runs of the same script give "
            "different models, and a regression cannot be told from noise. The rule looks at "
            'scripts only: a module with `if __name__ == "__main__":` or with training code '
            "at module level (notebooks), that calls `backward()` (or Lightning's "
            "`Trainer.fit`). It accepts `torch.manual_seed`, Lightning's `seed_everything`, "
            "`transformers.set_seed`, `accelerate.utils.set_seed` and any call of a function "
            "named like a seeding helper (`set_seed(args.seed)`). Reported on the first "
            "training call of each function that trains (and of the module level)."
        ),
        bad=(
            "def main():\n"
            "    model = Net()\n"
            "    for x, y in loader:\n"
            "        criterion(model(x), y).backward()\n"
            "        ...\n\n"
            'if __name__ == "__main__":\n'
            "    main()\n"
        ),
        good=("def main():\n    torch.manual_seed(0)\n    model = Net()\n    ...\n"),
        default_enabled=False,
        noise=(
            "Many projects seed in a shared configuration module or pass the seed through a "
            "framework the rule cannot see, and exploratory runs often want different seeds "
            "on purpose."
        ),
    ),
    Rule(
        code="ML908",
        name="nondeterministic-algorithms",
        pylint_id="C7688",
        family=Family.OPINIONATED,
        message="this script trains with torch without `torch.use_deterministic_algorithms(True)`",
        summary=(
            "An entry-point training script does not enable PyTorch's deterministic algorithms."
        ),
        rationale=(
            "Even with every seed fixed, several GPU kernels (scatter/index additions, some "
            "convolutions and interpolations) use atomics and give different results from "
            "run to run. `torch.use_deterministic_algorithms(True)` selects deterministic "
            "implementations or raises where none exists; `torch.backends.cudnn."
            "deterministic = True` only covers cuDNN. The rule looks at the same scripts as "
            "ML907 and accepts `torch.use_deterministic_algorithms(...)` with anything but a "
            "literal `False`, Lightning's `Trainer(deterministic=...)` and "
            "`transformers.enable_full_determinism`."
        ),
        bad="torch.manual_seed(0)\nfor x, y in loader:\n    criterion(model(x), y).backward()\n",
        good=(
            "torch.manual_seed(0)\n"
            "torch.use_deterministic_algorithms(True)\n"
            "for x, y in loader:\n"
            "    criterion(model(x), y).backward()\n"
        ),
        default_enabled=False,
        noise=(
            "Determinism costs speed, needs `CUBLAS_WORKSPACE_CONFIG` on CUDA, and raises for "
            "operations without a deterministic implementation; most training scripts "
            "reasonably accept run-to-run noise."
        ),
    ),
)
