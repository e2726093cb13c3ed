"""Property tests: smell templates inside random surrounding code (hypothesmith).

A program is a header of imports, then smell templates with random valid
Python between them. Its expected fixed text is known exactly: the same
surroundings around the fixed templates. So each example checks that
the output parses, that a second fix changes nothing, that checking the
output finds none of the fixed codes, and that every byte outside the fixed
nodes is unchanged (the output equals the expected text).
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

import hypothesmith
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mlsmells import records, registry, runner, sources
from mlsmells.fixes.apply import detection_text, fix_source
from mlsmells.registry import TRANSFORMS

HEADER = """\
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.ensemble import RandomForestClassifier
"""


@dataclass(frozen=True)
class Template:
    code: str
    before: str
    after: str

    @property
    def safe(self) -> bool:
        return registry.get(self.code).fix is records.Fix.SAFE


TEMPLATES = (
    Template(
        "ML101",
        "forest = RandomForestClassifier(n_estimators=10)\n",
        "forest = RandomForestClassifier(n_estimators=10, random_state=42)\n",
    ),
    Template(
        "ML202",
        'frame = pd.read_csv("a.csv")\nframe = frame.dropna(inplace=True)\n',
        'frame = pd.read_csv("a.csv")\nframe = frame.dropna()\n',
    ),
    Template(
        "ML201",
        'table = pd.read_csv("b.csv")\ntable["x"][table["y"] > 0] = 0\n',
        'table = pd.read_csv("b.csv")\ntable.loc[table["y"] > 0, "x"] = 0\n',
    ),
    Template(
        "ML201",
        'sheet = pd.read_csv("c.csv")\nsheet["q"].fillna(0, inplace=True)\n',
        'sheet = pd.read_csv("c.csv")\nsheet["q"] = sheet["q"].fillna(0)\n',
    ),
    Template("ML209", "flags = values == np.nan\n", "flags = pd.isna(values)\n"),
    Template(
        "ML401",
        'state = torch.load("m.pt")\n',
        'state = torch.load("m.pt", weights_only=True)\n',
    ),
    Template(
        "ML403",
        "def fit(net, batches, opt):\n"
        "    total = 0.0\n"
        "    for xb, yb in batches:\n"
        "        opt.zero_grad()\n"
        "        loss = F.mse_loss(net(xb), yb)\n"
        "        loss.backward()\n"
        "        opt.step()\n"
        "        total += loss\n"
        "    return total\n",
        "def fit(net, batches, opt):\n"
        "    total = 0.0\n"
        "    for xb, yb in batches:\n"
        "        opt.zero_grad()\n"
        "        loss = F.mse_loss(net(xb), yb)\n"
        "        loss.backward()\n"
        "        opt.step()\n"
        "        total += loss.item()\n"
        "    return total\n",
    ),
    Template(
        "ML404",
        "class Block(torch.nn.Module):\n"
        "    def forward(self, h):\n"
        "        return F.dropout(h, 0.5)\n",
        "class Block(torch.nn.Module):\n"
        "    def forward(self, h):\n"
        "        return F.dropout(h, 0.5, training=self.training)\n",
    ),
    Template(
        "ML406",
        "layer = torch.nn.Linear(2, 2)\nlayer.eval\n",
        "layer = torch.nn.Linear(2, 2)\nlayer.eval()\n",
    ),
    Template(
        "ML405",
        "encoder = torch.nn.Linear(2, 2)\nencoded = encoder.forward(torch.ones(2))\n",
        "encoder = torch.nn.Linear(2, 2)\nencoded = encoder(torch.ones(2))\n",
    ),
    Template(
        "ML407",
        "def fit_loop(net, batches, opt):\n"
        "    for xb in batches:\n"
        "        opt.zero_grad()\n"
        "        net(xb).sum().backward()\n"
        "        opt.step()\n"
        "        net.eval()\n",
        "def fit_loop(net, batches, opt):\n"
        "    for xb in batches:\n"
        "        net.train()\n"
        "        opt.zero_grad()\n"
        "        net(xb).sum().backward()\n"
        "        opt.step()\n"
        "        net.eval()\n",
    ),
    Template(
        "ML410",
        "weights = torch.ones(2)\nweights.double()\n",
        "weights = torch.ones(2)\nweights = weights.double()\n",
    ),
    Template(
        "ML411",
        "frozen = torch.nn.Linear(2, 2)\nfrozen.weight.require_grad = False\n",
        "frozen = torch.nn.Linear(2, 2)\nfrozen.weight.requires_grad = False\n",
    ),
    Template(
        "ML413",
        "checked = torch.utils.checkpoint.checkpoint(\n"
        "    torch.sin, torch.ones(2)\n"
        ")\n",
        "checked = torch.utils.checkpoint.checkpoint(\n"
        "    torch.sin, torch.ones(2), use_reentrant=False\n"
        ")\n",
    ),
)
CODES = frozenset(t.code for t in TEMPLATES)


def _identifiers(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


RESERVED = _identifiers(HEADER + "".join(t.before for t in TEMPLATES))


def _harmless(code: str) -> bool:
    """Surrounding code that cannot change what the templates mean or how they are checked."""
    if any(marker in code for marker in ("noqa", "pylint", "coding", "__future__")):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if any(
        isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
        for n in ast.walk(tree)
    ):
        return False
    return not _identifiers(code) & RESERVED


def _line(code: str) -> str:
    return code if code.endswith(("\n", "\r")) or not code else code + "\n"


surroundings = hypothesmith.from_grammar().filter(_harmless).map(_line)


@st.composite
def programs(draw: st.DrawFn) -> tuple[str, str, str]:
    """(program, expected after the default run, expected after the unsafe run)."""
    chosen = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=4))
    before, safe, unsafe = [HEADER], [HEADER], [HEADER]
    for template in chosen:
        text = draw(surroundings)
        for parts in (before, safe, unsafe):
            parts.append(text)
        before.append(template.before)
        safe.append(template.after if template.safe else template.before)
        unsafe.append(template.after)
    text = draw(surroundings)
    return "".join([*before, text]), "".join([*safe, text]), "".join([*unsafe, text])


def _check(source: str) -> set[str]:
    return {d.code for d in runner.check_source(detection_text(source), "p.py", CODES)}


def _assume_surroundings_are_neutral(program: str, expected: str) -> None:
    """The random code must parse around the templates and add no finding of its own."""
    try:
        found = runner.check_source(detection_text(program), "p.py", registry.select_codes())
    except sources.FileError:
        assume(False)
        return
    assume(not any(d.code == records.INTERNAL_ERROR_CODE for d in found))
    assume(_check(expected) <= {t.code for t in TEMPLATES if not t.safe})


PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPERTY_SETTINGS
@given(programs())
def test_default_run(case: tuple[str, str, str]) -> None:
    program, expected, _ = case
    _assume_surroundings_are_neutral(program, expected)
    result = fix_source(program, "p.py", CODES)
    assume(result.error is None or not result.error.startswith("libcst"))  # libcst's limits
    assert result.error is None
    assert result.source == expected  # every byte outside the fixed nodes is kept
    ast.parse(result.source)
    assert not fix_source(result.source, "p.py", CODES).changed
    fixed = {a.diagnostic.code for a in result.applied}
    assert not _check(result.source) & fixed


@PROPERTY_SETTINGS
@given(programs())
def test_unsafe_run(case: tuple[str, str, str]) -> None:
    program, _, expected = case
    _assume_surroundings_are_neutral(program, expected)
    result = fix_source(program, "p.py", CODES, unsafe=True)
    assume(result.error is None or not result.error.startswith("libcst"))  # libcst's limits
    assert result.error is None
    assert result.source == expected
    ast.parse(result.source)
    assert not fix_source(result.source, "p.py", CODES, unsafe=True).changed
    assert not _check(result.source) & set(TRANSFORMS)
