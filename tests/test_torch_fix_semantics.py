"""The safe fixes of the torch rules keep behaviour: run the code before and after with torch.

Each case is a small program. The fixer rewrites it (safe fixes only, as
``mlsmells fix`` does by default); both versions then run with the same seed
and must produce the same tensors, bit for bit. Every shape of safe fix the
torch rules offer has a case (``test_every_safe_shape_has_a_case`` checks the
ML412 table).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from mlsmells.data import torch_api  # noqa: E402
from mlsmells.data.torch_api import Shape  # noqa: E402
from mlsmells.fixes.apply import fix_source  # noqa: E402
from mlsmells.records import Fix  # noqa: E402


def fixed(source: str, code: str) -> str:
    result = fix_source(source, "case.py", frozenset({code}))
    assert result.error is None, result.error
    assert result.changed, "the safe fix did not apply"
    assert all(applied.safety is Fix.SAFE for applied in result.applied)
    assert not result.remaining, result.remaining  # every deprecated use was rewritten
    return result.source


def run(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<case>", "exec"), namespace)
    return namespace


def same(before: object, after: object) -> None:
    """Equal tensors (dtype, shape, bits), recursively through tuples, lists and dicts."""
    if isinstance(before, torch.Tensor):
        assert isinstance(after, torch.Tensor)
        assert before.dtype == after.dtype and before.shape == after.shape
        assert torch.equal(before, after), (before, after)
    elif isinstance(before, (tuple, list)):
        assert isinstance(after, (tuple, list)) and len(before) == len(after)
        for b, a in zip(before, after, strict=True):
            same(b, a)
    elif isinstance(before, dict):
        assert isinstance(after, dict) and before.keys() == after.keys()
        for key in before:
            same(before[key], after[key])
    else:
        assert before == after


SETUP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
A = torch.randn(5, 5)
SPD = A @ A.T + 5 * torch.eye(5)
"""

#: name -> (program; the ML412 fix must change it, and ``result`` must come out the same)
ML412_CASES: dict[str, str] = {
    "chain_matmul": "result = torch.chain_matmul(A, SPD, A.T)\n",
    "ger": "result = torch.ger(A[0], A[1])\n",
    "qr": "result = torch.qr(A)\n",
    "qr_some_false": "result = torch.qr(A, some=False)\n",
    "qr_some_true": "result = torch.qr(A, True)\n",
    "cholesky": "result = torch.cholesky(SPD)\n",
    "cholesky_upper_false": "result = torch.cholesky(SPD, upper=False)\n",
    "clip_grad_norm": (
        "model = nn.Linear(5, 5)\n"
        "model(A).pow(2).sum().backward()\n"
        "norm = torch.nn.utils.clip_grad_norm(model.parameters(), 0.5, norm_type=2.0)\n"
        "result = (norm, [p.grad for p in model.parameters()])\n"
    ),
    "init_functions": (
        "w = torch.empty(4, 6)\n"
        "nn.init.xavier_uniform(w, gain=2.0)\n"
        "b = torch.empty(6)\n"
        "nn.init.normal(b, 0.0, 0.1)\n"
        "c = torch.empty(3, 3)\n"
        "torch.nn.init.kaiming_normal(c, mode='fan_out')\n"
        "result = (w, b, c)\n"
    ),
    "init_reference": (
        "init = nn.init.orthogonal\n"
        "w = torch.empty(4, 4)\n"
        "init(w)\n"
        "result = w\n"
    ),
    "upsample": (
        "x = torch.randn(1, 2, 3, 3)\n"
        "result = (F.upsample(x, scale_factor=2), F.upsample(x, None, 2, 'bilinear', False))\n"
    ),
    "functional_call": (
        "model = nn.Linear(5, 2)\n"
        "params = {k: torch.ones_like(v) for k, v in model.named_parameters()}\n"
        "result = torch.nn.utils.stateless.functional_call(model, params, (A,))\n"
        "result2 = torch.nn.utils.stateless.functional_call(\n"
        "    model, parameters_and_buffers=params, args=(A,)\n"
        ")\n"
        "result = (result, result2)\n"
    ),
    "functorch": (
        "import functorch\n"
        "from functorch import grad, jacrev\n"
        "def f(x):\n"
        "    return (x.sin() * x).sum()\n"
        "result = (\n"
        "    functorch.vmap(torch.sin)(A),\n"
        "    grad(f)(A[0]),\n"
        "    jacrev(torch.sin)(A[0]),\n"
        "    functorch.hessian(f)(A[0]),\n"
        ")\n"
    ),
    "legacy_reduction": (
        "target = torch.randn(5, 5)\n"
        "result = (\n"
        "    nn.MSELoss(size_average=False)(A, target),\n"
        "    nn.L1Loss(reduce=False)(A, target),\n"
        "    nn.SmoothL1Loss(size_average=True, reduce=True)(A, target),\n"
        "    F.mse_loss(A, target, size_average=None, reduce=False, reduction='sum'),\n"
        "    F.cross_entropy(A, torch.tensor([0, 1, 2, 3, 4]), size_average=False),\n"
        ")\n"
    ),
    "cpu_autocast": (
        "lin = nn.Linear(5, 5)\n"
        "with torch.cpu.amp.autocast(dtype=torch.bfloat16):\n"
        "    low = lin(A)\n"
        "with torch.cpu.amp.autocast(False):\n"
        "    full = lin(A)\n"
        "result = (low, full)\n"
    ),
    "cuda_autocast": (
        "ctx = torch.cuda.amp.autocast(True, torch.float16, cache_enabled=False)\n"
        "with ctx:\n"
        "    out = A @ A\n"
        "result = (out, ctx.device, ctx.fast_dtype, ctx._enabled, ctx._cache_enabled)\n"
    ),
    "cpu_grad_scaler": (
        "model = nn.Linear(5, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scaler = torch.cpu.amp.GradScaler(2.0**8, 3.0, 0.25, 7)\n"
        "for _ in range(3):\n"
        "    opt.zero_grad()\n"
        "    scaler.scale(model(A).pow(2).mean()).backward()\n"
        "    scaler.step(opt)\n"
        "    scaler.update()\n"
        "result = ([p.detach() for p in model.parameters()], scaler.state_dict())\n"
    ),
    "cuda_grad_scaler": (
        "scaler = torch.cuda.amp.GradScaler(init_scale=1024.0, growth_interval=10)\n"
        "result = (scaler.state_dict(), scaler.is_enabled(), scaler.scale(A))\n"
    ),
    "custom_fwd_bwd": (
        "class Double(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    @torch.cuda.amp.custom_fwd\n"
        "    def forward(ctx, x):\n"
        "        return x * 2\n"
        "\n"
        "    @staticmethod\n"
        "    @torch.cuda.amp.custom_bwd\n"
        "    def backward(ctx, grad):\n"
        "        return grad * 2\n"
        "\n"
        "class Cast(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    @torch.cuda.amp.custom_fwd(cast_inputs=torch.float32)\n"
        "    def forward(ctx, x):\n"
        "        return x + 1\n"
        "\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad):\n"
        "        return grad\n"
        "\n"
        "x = A.clone().requires_grad_()\n"
        "y = Double.apply(x) + Cast.apply(x)\n"
        "y.sum().backward()\n"
        "result = (y, x.grad)\n"
    ),
    "from_imports": (
        "from torch.cuda.amp import GradScaler, autocast\n"
        "from torch.nn.functional import upsample\n"
        "from torch.nn.init import uniform\n"
        "w = torch.empty(3)\n"
        "uniform(w, -1.0, 1.0)\n"
        "with autocast(enabled=False):\n"
        "    up = upsample(A.view(1, 1, 5, 5), scale_factor=2)\n"
        "result = (w, up, GradScaler(enabled=False).scale(A))\n"
    ),
}


@pytest.mark.parametrize("name", sorted(ML412_CASES))
def test_ml412_safe_fix_keeps_results(name: str) -> None:
    before = SETUP + ML412_CASES[name]
    after = fixed(before, "ML412")
    same(run(before)["result"], run(after)["result"])


def test_loader_iterator_next_is_the_builtin_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """``it.next()`` -> ``next(it)``: up to PyTorch 1.12 the iterator defined ``next =
    __next__`` (Python 2's spelling); run ``before`` with that definition back."""
    from torch.utils.data import dataloader

    source = (
        "from torch.utils.data import DataLoader, TensorDataset\n"
        "loader = DataLoader(TensorDataset(torch.arange(12.0)), batch_size=4, shuffle=True)\n"
        "batches = iter(loader)\n"
        "first = batches.next()\n"
        "result = (first, batches.next())\n"
    )
    after = fixed(SETUP + source, "ML412")
    assert "next(batches)" in after
    iterator = dataloader._BaseDataLoaderIter
    monkeypatch.setattr(iterator, "next", iterator.__next__, raising=False)
    same(run(SETUP + source)["result"], run(after)["result"])


def test_mnist_renamed_attributes_are_the_new_ones(tmp_path: Path) -> None:
    """``train_set.train_labels`` -> ``train_set.targets`` (the property returned it), on
    a tiny MNIST written in its own file format."""
    pytest.importorskip("torchvision")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = bytes(i % 256 for i in range(2 * 28 * 28))
    for prefix, count in (("train", 2), ("t10k", 2)):
        header = (2051).to_bytes(4, "big") + count.to_bytes(4, "big") + (28).to_bytes(4, "big")
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(header + (28).to_bytes(4, "big") + images)
        labels = (2049).to_bytes(4, "big") + count.to_bytes(4, "big") + bytes([3, 7])
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(labels)
    source = (
        "import torchvision\n"
        f"train_set = torchvision.datasets.MNIST({str(tmp_path)!r}, train=True)\n"
        f"test_set = torchvision.datasets.MNIST({str(tmp_path)!r}, train=False)\n"
        "result = (train_set.train_data, train_set.train_labels, test_set.test_data,\n"
        "          test_set.test_labels)\n"
    )
    after = fixed(source, "ML412")
    assert ".train_labels" not in after and ".targets" in after
    same(run(source)["result"], run(after)["result"])


def test_every_safe_shape_has_a_case() -> None:
    """Each deprecated API with a safe rewrite appears in some case (or is functorch's
    transforms other than those exercised, which share one wrapper)."""
    text = "".join(ML412_CASES.values())
    for entry in torch_api.DEPRECATED.values():
        if not entry.equivalent or entry.shape in (Shape.NONE, Shape.VARIABLE):
            continue
        name = entry.qualname.rsplit(".", 1)[1]
        if entry.qualname.startswith(("functorch.", "torch.nn.init.")):
            continue  # one wrapper each (verified in test_torch_api), exercised above
        assert name in text, entry.qualname


def test_ml412_functorch_fix_moves_the_imports_and_warns_no_more() -> None:
    """The transforms are imported from torch.func: no `functorch` import is left, and the
    fixed code no longer triggers functorch's deprecation warnings."""
    before = SETUP + ML412_CASES["functorch"]
    after = fixed(before, "ML412")
    assert "functorch" not in after
    assert "from torch.func import grad, jacrev\n" in after
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(after, "<case>", "exec"), {})  # noqa: S102 - test snippet
    assert not [w for w in caught if "functorch" in str(w.message)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(before, "<case>", "exec"), {})  # noqa: S102 - test snippet
    assert [w for w in caught if "functorch" in str(w.message)]


def test_safe_cholesky_is_bit_identical_but_upper_is_not_offered_as_safe() -> None:
    source = SETUP + "result = torch.cholesky(SPD, upper=True)\n"
    result = fix_source(source, "case.py", frozenset({"ML412"}))
    assert not result.changed and result.held_back == 1


# ------------------------------------------------------------------- ML104

LOADER = """\
import torch
from torch.utils.data import DataLoader, TensorDataset
dataset = TensorDataset(torch.arange(50).float().unsqueeze(1), torch.arange(50))
loader = DataLoader(dataset, batch_size=8, shuffle=True)
epochs = [[batch for batch in loader] for _ in range(3)]
after_loader = torch.randn(4)
"""


def test_seeded_generator_keeps_every_sample_and_is_reproducible() -> None:
    after = fixed(LOADER, "ML104")
    assert "generator=torch.Generator().manual_seed(42)" in after
    original, first, second = run(LOADER), run(after), run(after)
    for epoch_before, epoch_after in zip(original["epochs"], first["epochs"], strict=True):
        # The same batch sizes, and each sample exactly once per epoch: a permutation.
        assert [len(b[1]) for b in epoch_before] == [len(b[1]) for b in epoch_after]
        labels = torch.cat([b[1] for b in epoch_after])
        assert torch.equal(labels.sort().values, torch.arange(50))
        features = torch.cat([b[0] for b in epoch_after])
        assert torch.equal(features.squeeze(1), labels.float())  # rows stay together
    # The same order on every run now ...
    same(first["epochs"], second["epochs"])
    # ... and the loader no longer draws from the global generator.
    torch.manual_seed(0)
    untouched = torch.randn(4)
    assert torch.equal(first["after_loader"], untouched)
    assert not torch.equal(original["after_loader"], untouched)


# -------------------------------------------------------------- torchvision


def test_torchvision_weights_keep_the_legacy_weights() -> None:
    pytest.importorskip("torchvision")
    source = (
        "import torchvision\n"
        "a = torchvision.models.resnet18(pretrained=False)\n"
        "b = torchvision.models.resnet18(pretrained=True)\n"
    )
    after = fixed(source, "ML412")
    assert 'weights="IMAGENET1K_V1"' in after and "weights=None" in after
