"""What the torch rules hand to the fixer and the user, beyond the fixture lines."""

from __future__ import annotations

import ast

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Engine

TORCH = frozenset({"ML401", "ML402", "ML403", "ML404", "ML406"})


def run(source: str, cell_last_lines: frozenset[int] = frozenset()) -> list[Diagnostic]:
    tree = ast.parse(source)
    return Engine(TORCH).run(tree, source.splitlines(keepends=True), "<nb>", cell_last_lines)


NOTEBOOK = "import torch\nmodel = torch.nn.Linear(2, 2)\nmodel.eval\nmodel.train\nx = 1\n"


def test_last_line_of_a_notebook_cell_displays_the_value() -> None:
    assert [d.line for d in run(NOTEBOOK)] == [3, 4]
    assert [d.line for d in run(NOTEBOOK, frozenset({3}))] == [4]


def test_mode_switch_message_and_span() -> None:
    (found,) = run("import torch\nnet.module.eval\n")
    assert found.message == "ML406 `net.module.eval` is not called; the statement does nothing"
    assert (found.line, found.col, found.end_line, found.end_col) == (2, 0, 2, 15)


def test_loss_accumulation_data_for_the_fixer() -> None:
    source = (
        "import torch.nn.functional as F\n"
        "def train(model, loader, opt):\n"
        "    total = 0\n"
        "    for x, y in loader:\n"
        "        opt.zero_grad()\n"
        "        loss = F.cross_entropy(model(x), y)\n"
        "        loss.backward()\n"
        "        opt.step()\n"
        "        total += loss * x.size(0)\n"
        "    return total\n"
    )
    (found,) = run(source)
    assert found.code == "ML403"
    assert found.get("target") == "total"
    assert found.get("loss") == "loss * x.size(0)"
    assert "add `(loss * x.size(0)).item()`" in found.message


def test_dropout_data_names_self_only_when_there_is_one() -> None:
    source = (
        "import torch.nn as nn\nimport torch.nn.functional as F\n"
        "class Net(nn.Module):\n"
        "    def forward(me, x):\n"
        "        return F.dropout(x, 0.1)\n"
        "    @staticmethod\n"
        "    def noisy(x):\n"
        "        return F.dropout(x, 0.1)\n"
    )
    first, second = run(source)
    assert first.get("training") == "me.training"
    assert second.get("training") is None


def test_zero_grad_message_names_the_optimizer() -> None:
    source = (
        "import torch\n"
        "for x in data:\n"
        "    model(x).sum().backward()\n"
        "    scaler.step(self.d_optimizer)\n"
    )
    (found,) = run(source)
    assert found.code == "ML402"
    assert "`self.d_optimizer.zero_grad()`" in found.message
    assert (found.line, found.col) == (3, 4)


def test_torch_load_needs_a_torch_import() -> None:
    assert run("import numpy\ntorch.load('x.pt')\n") == []
