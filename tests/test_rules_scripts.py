"""The Hugging Face and scripts rules (ML7xx, ML8xx, ML912, ML913) beyond their fixture lines:
messages, notebooks, project modules, and the ML802 fix run with torch."""

from __future__ import annotations

import ast
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import pytest

from mlsmells import registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import fix_source
from mlsmells.records import Fix

CODES = frozenset({"ML701", "ML801", "ML802", "ML803", "ML912", "ML913"})


def run(source: str, filename: str = "<string>", **notebook: Any) -> list[Diagnostic]:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    return registry.engine(CODES).run(tree, lines, filename, **notebook)


def test_unsafe_deserialization_names_the_download_and_its_line() -> None:
    source = (
        "import pickle\n"
        "from huggingface_hub import hf_hub_download\n"
        'path = hf_hub_download("someone/agent", "q.pkl")\n'
        'table = pickle.load(open(path, "rb"))\n'
    )
    found = [d for d in run(source) if d.code == "ML801"]
    assert [d.message for d in found] == [
        "ML801 `pickle.load` unpickles data from `hf_hub_download` (line 3): loading it can "
        "run any code the file holds"
    ]
    assert [d.code for d in run(source) if d.line == 4] == ["ML801", "ML913"]


def test_unsafe_deserialization_through_a_caller_reports_the_load() -> None:
    source = (
        "import joblib\n"
        "import requests\n"
        "def load(blob):\n"
        "    return joblib.load(blob)\n"
        'data = requests.get("https://example.com/m.joblib").content\n'
        "model = load(data)\n"
    )
    (found,) = [d for d in run(source) if d.code == "ML801"]
    assert (found.line, found.col) == (4, 11)
    assert "`requests.get` (line 5)" in found.message


def test_a_later_rebinding_is_not_the_download() -> None:
    source = (
        "import pickle\n"
        "from huggingface_hub import hf_hub_download\n"
        'path = hf_hub_download("someone/agent", "q.pkl")\n'
        'path = "local.pkl"\n'
        'table = pickle.load(open(path, "rb"))\n'
    )
    assert not [d for d in run(source) if d.code == "ML801"]


def test_workers_message_names_where_they_start() -> None:
    source = (
        "from torch.utils.data import DataLoader\n"
        "loader = DataLoader(ds, num_workers=2)\n"
        "def train():\n"
        "    for batch in loader:\n"
        "        step(batch)\n"
        "train()\n"
    )
    (found,) = run(source)
    assert (found.code, found.line) == ("ML803", 2)
    assert "runs on import (line 4)" in found.message


def test_workers_are_not_reported_in_notebooks() -> None:
    source = (
        "from torch.utils.data import DataLoader\n"
        "loader = DataLoader(ds, num_workers=2)\n"
        "for batch in loader:\n"
        "    step(batch)\n"
    )
    assert [d.code for d in run(source)] == ["ML803"]
    notebook = {"line_map": {n: (1, n) for n in range(1, 5)}}
    assert run(source, **notebook) == []


def test_fork_start_method_silences_workers() -> None:
    source = (
        "import multiprocessing\n"
        "from torch.utils.data import DataLoader\n"
        'multiprocessing.set_start_method("fork")\n'
        "for batch in DataLoader(ds, num_workers=2):\n"
        "    step(batch)\n"
    )
    assert run(source) == []


def test_save_whole_module_of_a_project_class(tmp_path: Path) -> None:
    (tmp_path / "nets.py").write_text(
        "import torch.nn as nn\n\n"
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return x\n",
        encoding="utf-8",
    )
    script = tmp_path / "train.py"
    source = 'import torch\nfrom nets import Net\nnet = Net()\ntorch.save(net, "net.pt")\n'
    script.write_text(source, encoding="utf-8")
    assert [(d.code, d.line) for d in run(source, str(script))] == [("ML802", 4)]


torch = pytest.importorskip("torch")

PROGRAM = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8))
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.body(x))


torch.manual_seed(0)
model = Net()
model(torch.randn(16, 4))  # moves the BatchNorm running statistics
model.eval()
torch.save(model, "model.pt")
"""


def test_save_whole_module_fix_saves_state_that_restores_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unsafe fix changes what the file holds (a state dict, not the Module), and a
    fresh model that loads it, with ``weights_only=True``, computes what the original did.
    """
    result = fix_source(PROGRAM, "train.py", frozenset({"ML802"}), unsafe=True)
    assert result.error is None and [a.safety for a in result.applied] == [Fix.UNSAFE]
    assert 'torch.save(model.state_dict(), "model.pt")' in result.source
    monkeypatch.chdir(tmp_path)
    before, after = types.ModuleType("ml802_before"), types.ModuleType("ml802_after")
    for module in (before, after):  # importable by name, as pickle needs
        monkeypatch.setitem(sys.modules, module.__name__, module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(PROGRAM, "before.py", "exec"), vars(before))
        with pytest.raises(Exception, match="[Ww]eights only"):
            torch.load("model.pt", weights_only=True)  # the whole Module: refused
        exec(compile(result.source, "after.py", "exec"), vars(after))
        state = torch.load("model.pt", weights_only=True)
    fresh = after.Net()
    fresh.load_state_dict(state)
    fresh.eval()
    x = torch.randn(5, 4)
    with torch.no_grad():
        assert torch.equal(fresh(x), after.model(x))
        assert torch.equal(after.model(x), before.model(x))
