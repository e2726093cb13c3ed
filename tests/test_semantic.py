"""The semantic model: qualified names through every import form, and kinds in source order."""

from __future__ import annotations

import ast
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.engine import Check
from mlsmells.semantic.kinds import Kind


class _Probe(Check):
    """Records qualname and kind of every expression statement (not registered as a rule)."""

    seen: ClassVar[list[tuple[int, str | None, Kind | None]]] = []
    nodes = (ast.Expr,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        value = node.value
        self.seen.append((node.lineno, self.model.qualname(value), self.model.kind_of(value)))


def probe(source: str) -> dict[int, tuple[str | None, Kind | None]]:
    _Probe.seen = []
    engine = registry.engine(frozenset())
    engine.checks = [_Probe]
    engine.run_source(source)
    return {line: (q, k) for line, q, k in _Probe.seen}


@pytest.mark.parametrize(
    ("source", "qualname"),
    [
        ("import numpy as np\nnp.random.seed", "numpy.random.seed"),
        ("import numpy.random as npr\nnpr.seed", "numpy.random.seed"),
        ("import numpy.random\nnumpy.random.seed", "numpy.random.seed"),
        ("from numpy import random as r\nr.seed", "numpy.random.seed"),
        ("from numpy.random import seed as s\ns", "numpy.random.seed"),
        ("from numpy import *\nrandom.seed", "numpy.random.seed"),
        ("import torch.nn.functional as F\nF.dropout", "torch.nn.functional.dropout"),
        ("import pytorch_lightning as pl\npl.LightningModule", "lightning.pytorch.LightningModule"),
        ("import torch\nload = torch.load\nload", "torch.load"),
        ("float", "builtins.float"),
    ],
)
def test_qualified_names(source: str, qualname: str) -> None:
    last = len(source.splitlines())
    assert probe(source)[last][0] == qualname


def test_function_local_import_does_not_leak() -> None:
    source = "def f():\n    import pandas as pd\n    pd.read_csv\npd\n"
    seen = probe(source)
    assert seen[3][0] == "pandas.read_csv"
    assert seen[4][0] is None


def test_alias_text_is_not_matched() -> None:
    # `pd` here is polars, `np` a local object: no pandas/numpy names.
    source = "import polars as pd\nclass np: pass\npd.read_csv\nnp.nan\n"
    seen = probe(source)
    assert seen[3][0] == "polars.read_csv"
    assert seen[4][0] is None


def test_rebinding_shadows_import() -> None:
    source = "import numpy as np\nnp = object()\nnp.nan\n"
    assert probe(source)[3][0] is None


def test_kinds_in_source_order() -> None:
    source = (
        "import pandas as pd\n"
        "df = pd.read_csv('x.csv')\n"
        "df\n"
        "df['a']\n"
        "df[['a', 'b']]\n"
        "df.dropna()\n"
        "df.values\n"
        "df = {'a': 1}\n"
        "df\n"
    )
    seen = probe(source)
    assert seen[3][1] is Kind.DATAFRAME
    assert seen[4][1] is Kind.SERIES
    assert seen[5][1] is Kind.DATAFRAME
    assert seen[6][1] is Kind.DATAFRAME
    assert seen[7][1] is Kind.NDARRAY
    assert seen[9][1] is None


def test_polars_frame_is_unknown() -> None:
    source = "import pandas as pd\nimport polars as pl\ndf = pl.read_csv('x')\ndf\n"
    assert probe(source)[4][1] is None


def test_annotations() -> None:
    source = (
        "import pandas as pd\nimport torch\nfrom typing import Optional\n"
        "def f(a: pd.DataFrame, b: 'torch.Tensor', c: Optional[pd.Series], d: int):\n"
        "    a\n    b\n    c\n    d\n"
    )
    seen = probe(source)
    assert [seen[n][1] for n in (5, 6, 7, 8)] == [Kind.DATAFRAME, Kind.TENSOR, Kind.SERIES, None]


def test_module_subclasses_and_self() -> None:
    source = (
        "import torch.nn as nn\n"
        "class Base(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "        self.crit = nn.MSELoss()\n"
        "class Child(Base):\n"
        "    def forward(self, x):\n"
        "        self\n"
        "class Plain:\n"
        "    def forward(self, x):\n"
        "        self\n"
        "class Other(Base):\n"
        "    def g(self):\n"
        "        self.fc\n"
        "        self.crit\n"
        "model = Child()\n"
        "model\n"
        "model.to('cpu')\n"
    )
    seen = probe(source)
    assert seen[8][1] is Kind.MODULE
    assert seen[11][1] is None
    assert seen[17][1] is Kind.MODULE
    assert seen[18][1] is Kind.MODULE


def test_self_attributes_are_per_class() -> None:
    source = (
        "import torch.nn as nn\n"
        "class A(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n"
        "        self.fc\n"
        "class B(nn.Module):\n"
        "    def forward(self, x):\n"
        "        self.fc\n"
    )
    seen = probe(source)
    assert seen[6][1] is Kind.MODULE
    assert seen[9][1] is None


def test_loss_and_loader_targets() -> None:
    source = (
        "import torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"
        "loader = DataLoader(ds, batch_size=4)\n"
        "crit = nn.CrossEntropyLoss()\n"
        "for step, (x, y) in enumerate(loader):\n"
        "    x\n"
        "    loss = crit(model(x), y)\n"
        "    loss\n"
        "    loss.item()\n"
        "    loss.detach()\n"
        "for batch in loader:\n"
        "    batch\n"
        "opt = torch.optim.SGD(params, lr=0.1)\n"
        "opt\n"
        "sched = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
        "sched\n"
    )
    seen = probe(source)
    assert seen[7][1] is Kind.TENSOR
    assert seen[9][1] is Kind.LOSS
    assert seen[10][1] is None
    assert seen[11][1] is Kind.TENSOR
    assert seen[13][1] is Kind.BATCH  # a tuple of tensors, or a tensor: not known which
    assert seen[15][1] is Kind.OPTIMIZER
    assert seen[17][1] is Kind.LR_SCHEDULER


def test_batches_and_progress_bars() -> None:
    source = (
        "import pandas as pd\nfrom typing import Sequence\nfrom tqdm.auto import tqdm\n"
        "from torch.utils.data import DataLoader\n"
        "loader = DataLoader(ds, batch_size=4)\n"
        "for i, batch in tqdm(enumerate(loader)):\n"
        "    x, y = batch\n"
        "    x\n"
        "    batch[0]\n"
        "    batch[0:1]\n"
        "x, y = next(iter(loader))\n"
        "y\n"
        "custom = DataLoader(ds, collate_fn=collate)\n"
        "for a, b in custom:\n"
        "    a\n"
        "df = pd.read_csv('x')\n"
        "for i, row in tqdm(df.iterrows(), total=len(df)):\n"
        "    row\n"
        "def f(frames: Sequence[pd.DataFrame], pair: 'tuple[pd.DataFrame, int]'):\n"
        "    left, right = frames\n"
        "    right\n"
        "    pair[0]\n"
    )
    seen = probe(source)
    assert seen[8][1] is Kind.TENSOR  # an item of a batch, the loader seen through tqdm
    assert seen[9][1] is Kind.TENSOR
    assert seen[10][1] is None  # a slice of a batch: a list
    assert seen[12][1] is Kind.TENSOR
    assert seen[15][1] is None  # a loader with a collate_fn batches anything
    assert seen[18][1] is Kind.SERIES
    assert seen[21][1] is Kind.DATAFRAME
    assert seen[22][1] is None  # items of different kinds


def test_comprehension_targets_do_not_leak_kinds() -> None:
    source = (
        "import pandas as pd\n"
        "df = pd.read_csv('x')\n"
        "[df for df in frames]\n"
        "df\n"
    )
    seen = probe(source)
    assert seen[4][1] is Kind.DATAFRAME
