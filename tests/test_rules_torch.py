"""What the torch rules hand to the fixer and the user, beyond the fixture lines."""

from __future__ import annotations

import ast

import pytest

from mlsmells import registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import fix_source

TORCH = frozenset({"ML401", "ML402", "ML403", "ML404", "ML406"})


def run(source: str, cell_last_lines: frozenset[int] = frozenset()) -> list[Diagnostic]:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    return registry.engine(TORCH).run(tree, lines, "<nb>", cell_last_lines)


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


# --------------------------------------------------------------- wave 3 rules

ALL_TORCH = frozenset(
    {"ML104", "ML405", "ML407", "ML408", "ML409", "ML410", "ML411", "ML412", "ML413"}
    | {"ML906", "ML907", "ML908"}
)


def codes(source: str, active: frozenset[str] = ALL_TORCH) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in registry.engine(active).run_source(source)]


SHUFFLED = (
    "import torch\n"
    "from torch.utils.data import DataLoader\n"
    "{seed}\n"
    "def loaders(ds):\n"
    "    return DataLoader(ds, batch_size=4, shuffle=True, num_workers=2)\n"
    "{later}\n"
)


@pytest.mark.parametrize(
    ("seed", "later"),
    [
        ("torch.manual_seed(0)", ""),
        ("", "def main():\n    torch.manual_seed(0)\n    loaders([])"),  # seeded after, in main
        ("import lightning as L\nL.seed_everything(42)", ""),
        ("from pytorch_lightning import seed_everything\nseed_everything(7)", ""),
        ("from transformers import set_seed\nset_seed(1)", ""),
        ("from project.utils import set_seed\nset_seed(1)", ""),  # a helper we cannot see
        ("def fix_seeds(s):\n    torch.random.manual_seed(s)", ""),  # a same-file helper
    ],
)
def test_shuffling_loader_is_fine_when_the_module_seeds_torch(seed: str, later: str) -> None:
    assert codes(SHUFFLED.format(seed=seed, later=later)) == []


@pytest.mark.parametrize(
    "seed",
    [
        "",
        "import numpy as np\nnp.random.seed(0)",
        "import random\nrandom.seed(0)",
        "torch.cuda.manual_seed_all(0)",
        "g = torch.Generator()\ng.manual_seed(0)",  # a local generator, not the global one
        "torch.seed()",
    ],
)
def test_shuffling_loader_in_an_unseeded_module(seed: str) -> None:
    assert codes(SHUFFLED.format(seed=seed, later="")) == [(seed.count("\n") + 5, "ML104")]


def test_shuffling_loader_fix_data_spells_torch_where_the_loader_is() -> None:
    source = (
        "import torch as th\n"
        "from torch.utils.data import DataLoader\n"
        "def f(ds, torch):\n"
        "    return DataLoader(ds, shuffle=True)\n"
    )
    (found,) = registry.engine(frozenset({"ML104"})).run_source(source)
    assert found.get("spelling") == "th.Generator" and found.get("import") is None
    (found,) = registry.engine(frozenset({"ML104"})).run_source(
        "from torch.utils.data import DataLoader\nDataLoader([], shuffle=True)\n"
    )
    assert found.get("spelling") == "torch.Generator" and found.get("import") == "torch"


def test_require_grad_read_as_an_own_attribute_is_not_a_typo() -> None:
    store = "import torch\nfor p in m.parameters():\n    p.require_grad = False\n"
    assert codes(store) == [(3, "ML411")]
    # A read of the attribute: the file uses it as its own.
    assert codes(store + "trainable = [p for p in m.parameters() if p.require_grad]\n") == []
    # A read copied into the typo, or a name spelled so, proves nothing.
    assert codes(store.replace("False", "cfg.require_grad")) == [(3, "ML411")]
    assert codes(store.replace("False", "require_grad")) == [(3, "ML411")]


def test_deprecated_import_in_a_version_fallback_is_not_reported() -> None:
    source = (
        "import torch\n"
        "try:\n"
        "    from torch.amp import GradScaler\n"
        "except ImportError:\n"
        "    from torch.cuda.amp import GradScaler\n"
        "scaler = GradScaler()\n"
    )
    assert codes(source) == []
    assert codes("from torch.cuda.amp import GradScaler\nscaler = GradScaler()\n") == [
        (2, "ML412")
    ]


def test_deprecated_api_messages() -> None:
    source = (
        "import torch\n"
        "import torch.nn as nn\n"
        "torch.symeig(x)\n"
        "nn.BCELoss(size_average=False, reduce=False)\n"
        "nn.MSELoss(size_average=flag)\n"
    )
    symeig, legacy, unknown = registry.engine(frozenset({"ML412"})).run_source(source)
    assert symeig.message.startswith(
        "ML412 `torch.symeig` was deprecated in PyTorch 1.9 and is removed; use `torch.linalg.eigh"
    )
    assert legacy.message == (
        "ML412 `size_average=` and `reduce=` are deprecated since PyTorch 0.4.1; "
        'use `reduction="none"`'
    )
    assert legacy.get("reduction") == "none"
    assert unknown.get("reduction") is None  # not a literal: no fix


def test_forward_on_a_module_passed_in_and_not_on_an_unknown_receiver() -> None:
    source = (
        "import torch\n"
        "class Net(torch.nn.Module):\n"
        "    pass\n"
        "def run(net: Net, other, x):\n"
        "    net.forward(x)\n"
        "    other.forward(x)\n"
    )
    assert codes(source) == [(5, "ML405")]
    # The uses of a parameter prove it a Module: an attribute only Modules have, or both
    # mode switches (one alone proves nothing: `DataFrame.eval` exists too).
    source = (
        "import torch\n"
        "def run(a, b, c, x):\n"
        "    a.register_forward_hook(print)\n"
        "    b.train()\n"
        "    b.eval()\n"
        "    c.eval()\n"
        "    return a.forward(x), b.forward(x), c.forward(x)\n"
    )
    assert codes(source) == [(7, "ML405"), (7, "ML405")]


def test_tensor_move_data_names_a_plain_receiver_only() -> None:
    source = "import torch\nx = torch.ones(2)\nx.cuda()\nx.T.cpu()\n"
    first, second = registry.engine(frozenset({"ML410"})).run_source(source)
    assert first.get("receiver") == "x"
    assert second.get("receiver") is None
    assert first.message == (
        "ML410 `x.cuda()` returns a new tensor, which is discarded: `x` is unchanged"
    )


def test_eval_restore_fix_data_only_when_a_top_of_loop_train_helps() -> None:
    source = (
        "import torch\n"
        "for x in loader:\n"
        "    model.eval()\n"
        "    model(x).sum().backward()\n"
        "for x in loader:\n"
        "    model(x).sum().backward()\n"
        "    model.eval()\n"
    )
    before, after = registry.engine(frozenset({"ML407"})).run_source(source)
    assert before.data == ()
    assert after.get("model") == "model" and after.get("loop_line") == "5"


def test_eval_in_a_helper_is_reported_in_the_helper() -> None:
    source = (
        "import torch\n"
        "def check(m, data):\n"
        "    m.eval()\n"
        "    return [m(x) for x in data]\n"
        "def fit(model, loader, val):\n"
        "    for x in loader:\n"
        "        model(x).sum().backward()\n"
        "        check(model, val)\n"
        "def fit_again(model, loader, val):\n"
        "    for x in loader:\n"
        "        model(x).sum().backward()\n"
        "        check(model, val)\n"
    )
    (found,) = registry.engine(frozenset({"ML407"})).run_source(source)  # once, for both loops
    assert (found.line, found.col) == (3, 4)
    assert found.message == (
        "ML407 `m.eval()` leaves `model` in eval mode when `check(model, val)` runs in the "
        "loop at line 6: `model.train()` is not called again before the next `backward()` "
        "in that loop"
    )
    fixed = fix_source(source, "x.py", frozenset({"ML407"}), unsafe=True).source
    assert fixed.count("model.train()") == 2  # each loop's top, one pass after the other
    assert "    for x in loader:\n        model.train()\n" in fixed


LIBRARY = (
    "import torch\n"
    "def train(model, loader, opt):\n"
    "    for x, y in loader:\n"
    "        opt.zero_grad()\n"
    "        model(x).sum().backward()\n"
    "        opt.step()\n"
)


def test_script_rules_need_an_entry_point() -> None:
    opt_in = frozenset({"ML907", "ML908"})
    assert codes(LIBRARY, opt_in) == []
    script = LIBRARY + "if __name__ == '__main__':\n    train(None, [], None)\n"
    assert codes(script, opt_in) == [(5, "ML907"), (5, "ML908")]
    seeded = script.replace("import torch\n", "import torch\ntorch.manual_seed(0)\n")
    assert codes(seeded, opt_in) == [(6, "ML908")]
    deterministic = seeded.replace(
        "torch.manual_seed(0)\n", "torch.manual_seed(0)\ntorch.use_deterministic_algorithms(True)\n"
    )
    assert codes(deterministic, opt_in) == []


def test_torch_load_with_a_pickle_module_is_reported_without_a_fix() -> None:
    source = (
        "import pickle\nimport torch\n"
        "torch.load(f, pickle_module=pickle)\n"
        "torch.load(f, None, pickle)\n"
        "torch.load(f, pickle_module=None)\n"
    )
    keyword, positional, default = registry.engine(frozenset({"ML401"})).run_source(source)
    assert keyword.message == (
        "ML401 `torch.load` with `pickle_module=` can unpickle arbitrary code "
        "(`weights_only=True` refuses one)"
    )
    assert keyword.get("pickle_module") == positional.get("pickle_module") == "yes"
    assert default.get("pickle_module") is None
    assert fix_source(source, "x.py", frozenset({"ML401"}), unsafe=True).source == source.replace(
        "pickle_module=None)", "pickle_module=None, weights_only=True)"
    )
