"""The unsafe fixes of the numerics rules (ML414, ML416, ML417), run with the real torch and
NumPy: on ordinary inputs the fixed code computes the same values (to rounding), and where
the original underflows, overflows or loses its digits the fixed code gives the exact
answer (computed in float64 as the reference). ML417's fix changes the loss on purpose: to
the cross-entropy the code meant.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from mlsmells.fixes.apply import fix_source  # noqa: E402
from mlsmells.records import Fix  # noqa: E402


def fixed(source: str, code: str) -> str:
    """``source`` after the unsafe fixes of ``code``: every finding rewritten."""
    result = fix_source(source, "case.py", frozenset({code}), unsafe=True)
    assert result.error is None, result.error
    assert result.changed, "the fix did not apply"
    assert all(applied.safety is Fix.UNSAFE for applied in result.applied)
    assert not result.remaining, result.remaining
    return result.source


def run(source: str, **given: object) -> dict[str, Any]:
    namespace: dict[str, Any] = dict(given)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<case>", "exec"), namespace)
    return namespace


SETUP = (
    "import numpy as np\nimport torch\nimport torch.nn.functional as F\n"
    "x = torch.as_tensor(given)\n"
)

#: name -> (code, program computing ``result`` from ``x``)
CASES: dict[str, tuple[str, str]] = {
    "log_softmax_function": ("ML414", "result = torch.log(torch.softmax(x, dim=1))\n"),
    "log_softmax_functional": ("ML414", "result = torch.log(F.softmax(x, 1))\n"),
    "log_softmax_dtype": ("ML414", "result = torch.log(F.softmax(x, 1, dtype=torch.float64))\n"),
    "log_softmax_log_method": ("ML414", "result = F.softmax(x, dim=-1).log()\n"),
    "log_softmax_methods": ("ML414", "result = x.softmax(-1).log()\n"),
    "log_softmax_special": ("ML414", "result = torch.log(torch.special.softmax(x, 1))\n"),
    "logsigmoid_function": ("ML414", "result = torch.log(torch.sigmoid(x))\n"),
    "logsigmoid_expit": ("ML414", "result = torch.log(input=torch.special.expit(input=x))\n"),
    "logsigmoid_method": ("ML414", "result = (x * 2).sigmoid().log()\n"),
    "logsigmoid_complement": ("ML414", "result = torch.log(1 - torch.sigmoid(x))\n"),
    "logsigmoid_complement_method": ("ML414", "result = (1.0 - (x + 1).sigmoid()).log()\n"),
    "log1p_torch": ("ML416", "result = torch.log(1 + x)\n"),
    "log1p_numpy": ("ML416", "result = torch.from_numpy(np.log(x.numpy() + 1.0))\n"),
    "expm1_torch": ("ML416", "result = torch.exp(x) - 1\n"),
    "expm1_method": ("ML416", "result = (x * 2).exp() - 1\n"),
    "log1p_method": ("ML416", "result = (1 + (-x.abs()).exp()).log()\n"),
    "expm1_numpy": ("ML416", "result = torch.from_numpy(np.exp(x.numpy()) - 1.0)\n"),
    "logsumexp_function": ("ML416", "result = torch.log(torch.sum(torch.exp(x), dim=1))\n"),
    "logsumexp_keepdim": ("ML416", "result = torch.log(torch.exp(x).sum(1, keepdim=True))\n"),
    "logsumexp_methods": ("ML416", "result = x.exp().sum(-1).log()\n"),
    "logsumexp_dims": ("ML416", "result = torch.log(torch.sum(x.exp(), (0, 1)))\n"),
}

ORDINARY = torch.randn(6, 5, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_code_computes_the_same_values(name: str) -> None:
    code, program = CASES[name]
    before = SETUP + program
    after = fixed(before, code)
    old = run(before, given=ORDINARY.clone())["result"]
    new = run(after, given=ORDINARY.clone())["result"]
    assert old.dtype == new.dtype and old.shape == new.shape
    # (``log(1 + x)`` is NaN where ``x < -1``, and so is ``log1p(x)``.)
    torch.testing.assert_close(new, old, rtol=1e-5, atol=1e-6, equal_nan=True)


#: name -> (input where the original form breaks down, its exact result in float64)
EXTREMES: dict[str, tuple[torch.Tensor, Any]] = {
    # A logit 120 below the largest: softmax underflows to 0, its log to -inf.
    "log_softmax_function": (
        torch.tensor([[0.0, 120.0]]),
        lambda x: torch.log_softmax(x.double(), dim=1),
    ),
    "log_softmax_methods": (torch.tensor([[0.0, 120.0]]), lambda x: x.double().log_softmax(-1)),
    "logsigmoid_function": (
        torch.tensor([[-100.0, 0.0]]),
        lambda x: -torch.log1p(torch.exp(-x.double())),
    ),
    # sigmoid(20) rounds to 1 in float32: log(1 - 1) is -inf.
    "logsigmoid_complement": (
        torch.tensor([[20.0, 100.0]]),
        lambda x: -torch.log1p(torch.exp(x.double())),
    ),
    # 1 + 1e-9 is 1 in float32 (and in float64 for NumPy's 1e-17).
    "log1p_torch": (torch.tensor([[1e-9, 3e-8]]), lambda x: torch.log1p(x.double())),
    "log1p_numpy": (
        torch.tensor([[1e-9, 3e-8]], dtype=torch.float64) * 1e-8,
        lambda x: torch.log1p(x),
    ),
    "expm1_torch": (torch.tensor([[1e-9, -3e-8]]), lambda x: torch.expm1(x.double())),
    "expm1_method": (torch.tensor([[1e-9, -3e-8]]), lambda x: torch.expm1(2 * x.double())),
    # exp(-|x|) is tiny for a large |x|: 1 + it rounds to 1.
    "log1p_method": (
        torch.tensor([[20.0, -30.0]]),
        lambda x: torch.log1p(torch.exp(-x.double().abs())),
    ),
    # exp(100) overflows float32.
    "logsumexp_function": (
        torch.tensor([[100.0, 99.0]]),
        lambda x: torch.logsumexp(x.double(), dim=1),
    ),
}


@pytest.mark.parametrize("name", sorted(EXTREMES))
def test_fixed_code_is_exact_where_the_original_is_not(name: str) -> None:
    code, program = CASES[name]
    before = SETUP + program
    after = fixed(before, code)
    given, exact = EXTREMES[name]
    old = run(before, given=given.clone())["result"]
    new = run(after, given=given.clone())["result"]
    reference = exact(given).to(new.dtype)
    assert torch.isfinite(new).all()
    torch.testing.assert_close(new, reference, rtol=1e-6, atol=0.0)
    # ... where the original is infinite, or off by more than rounding.
    wrong = ~torch.isfinite(old) | ((old - reference).abs() > 1e-3 * reference.abs())
    assert wrong.any(), (old, reference)


NLL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
logits = torch.randn(32, 10, requires_grad=True)
labels = torch.randint(0, 10, (32,))
criterion = nn.NLLLoss()
first = F.nll_loss(F.softmax(logits, dim=1), labels)
second = criterion(logits.softmax(dim=-1).view(32, 10), labels)
first.backward()
gradient = logits.grad.clone()
"""


def test_nll_fix_gives_the_cross_entropy() -> None:
    after = fixed(NLL, "ML417")
    old, new = run(NLL), run(after)
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(new["logits"], new["labels"])
    torch.testing.assert_close(new["first"], expected)
    torch.testing.assert_close(new["second"], expected)
    # The original minimised -p[target], in [-1, 0]: not the cross-entropy.
    assert -1.0 <= old["first"].item() <= 0.0
    assert not torch.allclose(old["first"], expected)
    # ... and its gradient was far smaller than the cross-entropy's.
    assert old["gradient"].abs().sum() < new["gradient"].abs().sum()
