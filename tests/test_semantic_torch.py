"""Semantic-model knowledge the torch rules rely on: losses, optimizers, schedulers."""

from __future__ import annotations

import ast
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.engine import Check
from mlsmells.semantic.kinds import Kind


class _Probe(Check):
    """Records the kind of every expression statement (not registered as a rule)."""

    seen: ClassVar[dict[int, Kind | None]] = {}
    nodes = (ast.Expr,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        self.seen[node.lineno] = self.model.kind_of(node.value)


def kind_of_last_line(source: str) -> Kind | None:
    _Probe.seen = {}
    engine = registry.engine(frozenset())
    engine.checks = [_Probe]
    engine.run_source(source)
    return _Probe.seen[len(source.splitlines())]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        # A criterion stored on self and called through the attribute gives a loss.
        (
            "import torch.nn as nn\n"
            "class Model(nn.Module):\n"
            "    def __init__(self):\n"
            "        self.criterion = nn.CrossEntropyLoss()\n"
            "    def step(self, x, y):\n"
            "        self.criterion(x, y)\n",
            Kind.LOSS,
        ),
        (
            "import torch.nn as nn\n"
            "class Model(nn.Module):\n"
            "    def __init__(self):\n"
            "        self.fc = nn.Linear(2, 2)\n"
            "    def step(self, x):\n"
            "        self.fc(x)\n",
            None,
        ),
        ("import torch\nopt = torch.optim.AdamW(model.parameters())\nopt\n", Kind.OPTIMIZER),
        ("from torch.optim.adamw import AdamW\nAdamW(params)\n", Kind.OPTIMIZER),
        ("import torch\ntorch.optim.optimizer.Optimizer(params, {})\n", None),
        ("from torch.optim.swa_utils import SWALR\nSWALR(opt, swa_lr=0.05)\n", Kind.LR_SCHEDULER),
        (
            "from transformers import get_linear_schedule_with_warmup as sched\n"
            "sched(opt, 10, 100)\n",
            Kind.LR_SCHEDULER,
        ),
        (
            "import transformers.optimization as tro\n"
            "tro.get_cosine_schedule_with_warmup(o, 1, 2)\n",
            Kind.LR_SCHEDULER,
        ),
        ("from transformers import AdamW\nAdamW(model.parameters(), lr=5e-5)\n", Kind.OPTIMIZER),
        ("from transformers import get_linear_schedule\nget_linear_schedule(o)\n", None),
    ],
)
def test_torch_kinds(source: str, kind: Kind | None) -> None:
    assert kind_of_last_line(source) is kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        # A parameter annotated with a same-file Module subclass is a Module ...
        (
            "import torch.nn as nn\nclass Net(nn.Module):\n    pass\ndef f(net: Net):\n    net\n",
            Kind.MODULE,
        ),
        (
            "import torch.nn as nn\nclass Net(nn.Module):\n    pass\ndef f(net: 'Net'):\n    net\n",
            Kind.MODULE,
        ),
        # ... one annotated with a plain same-file class is not.
        ("class Config:\n    pass\ndef f(c: Config):\n    c\n", None),
        # A module's in-place methods keep the module; a tensor's return tensors.
        ("import torch\nm = torch.nn.Linear(2, 2)\nm.to('cpu')\n", Kind.MODULE),
        ("import torch\nt = torch.zeros(2)\nt.to('cpu')\n", Kind.TENSOR),
        # A name rebound from a tensor to a module is a module.
        ("import torch\nx = torch.zeros(2)\nx = torch.nn.ReLU()\nx\n", Kind.MODULE),
        (
            "import torch\nfrom torch.optim.lr_scheduler import StepLR\nStepLR(opt, 3)\n",
            Kind.LR_SCHEDULER,
        ),
        (
            "import torch\nfrom torch.utils.data import DataLoader\nDataLoader(ds)\n",
            Kind.DATALOADER,
        ),
        ("import torch.nn as nn\nnn.CrossEntropyLoss()\n", Kind.LOSS_MODULE),
    ],
)
def test_torch_kinds_for_the_wave_3_rules(source: str, kind: Kind | None) -> None:
    assert kind_of_last_line(source) is kind


_OPT = "import torch\nfrom torch.optim.lr_scheduler import StepLR\n"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        # Containers whose every element is an optimizer: an element is one.
        (_OPT + "opts = [torch.optim.SGD(a), torch.optim.Adam(b)]\nopts[0]\n", Kind.OPTIMIZER),
        (_OPT + "opts = (torch.optim.SGD(a),)\nopts[i]\n", Kind.OPTIMIZER),
        (_OPT + 'opts = {"g": torch.optim.SGD(a)}\nopts["g"]\n', Kind.OPTIMIZER),
        (_OPT + "o = torch.optim.SGD(a)\n"
         "opts = [o, torch.optim.SGD(b)]\nopts[1]\n", Kind.OPTIMIZER),
        (_OPT + "opts = [torch.optim.SGD(m.parameters()) for m in models]\nopts[0]\n",
         Kind.OPTIMIZER),
        (_OPT + "opts = {k: torch.optim.SGD(m.parameters()) for k, m in ms}\nopts[k]\n",
         Kind.OPTIMIZER),
        (
            _OPT
            + "class T:\n"
            + "    def __init__(self, a):\n"
            + "        self.opts = [torch.optim.SGD(a)]\n"
            + "    def fit(self):\n"
            + "        self.opts[0]\n",
            Kind.OPTIMIZER,
        ),
        # Otherwise unknown: a slice, a mixed or empty container, a spread, a
        # comprehension whose element is not built by a known constructor.
        (_OPT + "opts = [torch.optim.SGD(a), torch.optim.SGD(b)]\nopts[1:]\n", None),
        (_OPT + "opts = [torch.optim.SGD(a), env]\nopts[0]\n", None),
        (_OPT + "opts = []\nopts[0]\n", None),
        (_OPT + "opts = [torch.optim.SGD(a), *more]\nopts[0]\n", None),
        (_OPT + 'opts = {"g": torch.optim.SGD(a), **more}\nopts["g"]\n', None),
        (_OPT + "opts = [make(m) for m in models]\nopts[0]\n", None),
        # (the outer `make` is an optimizer class, the comprehension's is not)
        (_OPT + "make = torch.optim.SGD\nopts = [make(p) for make in factories]\nopts[0]\n", None),
        (_OPT + "opts = [torch.optim.SGD(a)]\nopts = load()\nopts[0]\n", None),
        # Optimizers and data (frames, Series, arrays, tensors) are tracked as elements.
        (_OPT + "s = [StepLR(o, 1), StepLR(o, 2)]\ns[0]\n", None),
        (_OPT + "ts = [torch.zeros(2), torch.ones(2)]\nts[0]\n", Kind.TENSOR),
    ],
)
def test_element_kinds(source: str, kind: Kind | None) -> None:
    assert kind_of_last_line(source) is kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        # Parallel wrappers are Modules, and so is the Module they hold.
        ("from torch.nn.parallel import DistributedDataParallel as D\nD(m)\n", Kind.MODULE),
        ("import torch\ntorch.nn.DataParallel(torch.nn.Linear(2, 2)).module\n", Kind.MODULE),
        # Hugging Face and Lightning bases make a same-file class a Module, and their
        # class-method constructors build one.
        (
            "from diffusers import ModelMixin\nclass Net(ModelMixin):\n    pass\n"
            "Net.from_pretrained('org/net')\n",
            Kind.MODULE,
        ),
        (
            "import transformers\nclass Net(transformers.PreTrainedModel):\n    pass\n"
            "Net.from_config(cfg)\n",
            Kind.MODULE,
        ),
        ("class Config:\n    pass\nConfig.from_pretrained('x')\n", None),
        # An attribute set by a same-file base class.
        (
            "import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self):\n"
            "        self.fc = nn.Linear(2, 2)\nclass B(A):\n    def f(self):\n"
            "        self.fc\n",
            Kind.MODULE,
        ),
        # Both mode switches called on a name prove a Module; one of them does not.
        ("import torch\ndef f(m):\n    m.train()\n    m.eval()\n    m\n", Kind.MODULE),
        ("import torch\ndef f(m):\n    m.eval()\n    m\n", None),
        ("import torch\ndef f(m):\n    m.train\n    m.eval\n    m\n", None),
    ],
)
def test_more_module_kinds(source: str, kind: Kind | None) -> None:
    assert kind_of_last_line(source) is kind
