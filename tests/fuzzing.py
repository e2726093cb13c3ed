"""Generators and properties shared by ``tests/test_fuzz.py`` (short, in CI) and
``scripts/fuzz.py`` (long runs).

Three kinds of input:

- :func:`python_modules`: any valid Python, from hypothesmith (grammar- and
  libcst-based generators).
- :func:`ml_modules`: ML-flavoured modules assembled from smell templates
  (pandas chained assignment and ``inplace=``, NumPy legacy random, sklearn
  estimators and splits, torch loops and loading ...) with random names drawn
  from a small pool (so they collide with each other and with module aliases),
  the top-level statements of the detection and fix fixtures, random wrappers
  (function, method, loop, ``with``, ``try``) and random Python between them.
- :func:`hostile_files`: bytes as they may be on disk: valid modules mutated
  (a null byte, a cut, a stray ``\\r``, undecodable bytes, a wrong coding
  cookie, a BOM) or random bytes.

The properties (:func:`check_module`, :func:`check_file_bytes`) raise
:class:`AssertionError` with a one-line reason when mlsmells misbehaves.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import tempfile
import textwrap
import warnings
from collections.abc import Iterable
from pathlib import Path

import hypothesmith
from hypothesis import strategies as st

from mlsmells import records, registry, runner, sources
from mlsmells.config import SettingsCache
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import FixResult, fix_source
from mlsmells.frontends import fix as command

ALL_CODES = frozenset(registry.RULES)
FIXTURES = Path(__file__).parent / "fixtures"

#: Why a fix may be given up without that being a defect: libcst's own limits.
LIBCST_LIMITS = ("libcst cannot parse", "libcst does not reproduce")


# ------------------------------------------------------------------ parsing
def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# --------------------------------------------------------------- generators
def _line(code: str) -> str:
    return code if not code or code.endswith(("\n", "\r")) else code + "\n"


def python_modules(*, auto_target: bool = True) -> st.SearchStrategy[str]:
    """Valid Python from hypothesmith (the libcst generator sometimes makes code
    ``ast`` rejects; such examples are filtered out). ``auto_target`` steers towards
    bigger code; it must be off for a strategy drawn more than once per example."""
    grammar = hypothesmith.from_grammar(auto_target=auto_target)
    # from_node is ten times slower than from_grammar: one example in four.
    node = hypothesmith.from_node(auto_target=auto_target)
    return st.one_of(grammar, grammar, grammar, node).filter(parses)


NAMES = ("df", "frame", "X", "y", "model", "net", "loss", "opt", "loader", "x", "data", "np", "pd")
"""Variable names of the templates: few, so that they collide (``np``/``pd`` shadow modules)."""

IMPORT_LINES = (
    "import numpy as np",
    "import numpy",
    "import pandas as pd",
    "import pandas",
    "import torch",
    "import torch.nn as nn",
    "import torch.nn.functional as F",
    "from torch import nn",
    "from torch.utils.data import DataLoader",
    "from numpy import random as npr",
    "from numpy.random import *",
    "from pandas import DataFrame, read_csv",
    "from sklearn.ensemble import RandomForestClassifier",
    "from sklearn.model_selection import train_test_split, KFold, cross_val_score",
    "from sklearn.preprocessing import StandardScaler",
    "from sklearn.linear_model import LogisticRegression",
    "from sklearn.pipeline import make_pipeline",
    "from sklearn import *",
    "import sklearn.model_selection as ms",
)

USUAL_IMPORTS = IMPORT_LINES[:1] + IMPORT_LINES[2:3] + IMPORT_LINES[4:9] + IMPORT_LINES[11:17]

#: Smell templates (and their look-alikes); ``{a}``-``{d}`` are names, ``{n}`` a number,
#: ``{s}`` a string, ``{body}`` an indented block of other templates.
TEMPLATES = (
    "{a} = pd.read_csv({s})",
    "{a} = read_csv({s})",
    "{a} = DataFrame({{'c': [1, 2]}})",
    "{a}[{s}][{a}[{s}] > {n}] = {n}",
    "{a}[{s}][{n}] = {b}",
    "{a}.loc[{a}[{s}] > {n}][{s}] = {n}",
    "{a}[{s}].fillna({n}, inplace=True)",
    "{a}.dropna(inplace=True)",
    "{a} = {a}.dropna(inplace=True)",
    "{a} = {b}.sort_values({s}, inplace=True)",
    "{a}.drop(columns=[{s}])",
    "{a} = {b}[[{s}, {s}]].values",
    "{a} = {a}.append({b})",
    "{a} = pd.concat([{a}, {b}])",
    "for {c}, {d} in {a}.iterrows():\n    {a}.loc[{c}, {s}] = {d}[{s}] * {n}",
    "{a} = {b}.apply(lambda r: r[{s}] + {n}, axis=1)",
    "{a} = {b} == np.nan",
    "{a} = {b}[{b}[{s}] != numpy.nan]",
    "{a} = {b} is np.nan",
    "np.random.seed({n})",
    "{a} = np.random.rand({n}, {n})",
    "{a} = npr.randint(0, {n}, size={n})",
    "{a} = rand({n})",
    "{a} = np.random.default_rng()",
    "{a} = np.float({b})",
    "{a} = np.in1d({b}, {c})",
    "{a} = np.append({a}, {b})",
    "{a} = RandomForestClassifier(n_estimators={n})",
    "{a} = RandomForestClassifier(n_estimators={n}, random_state={n})",
    "{a}, {b}, {c}, {d} = train_test_split({a}, {b})",
    "{a}, {b} = train_test_split({c}, test_size=0.{n}, shuffle=True)",
    "{a} = StandardScaler().fit_transform({b})",
    "{a} = StandardScaler()\n{b} = {a}.fit_transform({b})\n{c} = {a}.fit_transform({c})",
    "{a} = KFold(n_splits={n}, random_state={n})",
    "{a} = ms.StratifiedKFold({n}, shuffle=True)",
    "{a} = cross_val_score(LogisticRegression(), {b}, {c}, cv={n})",
    "{a} = make_pipeline(StandardScaler(), LogisticRegression()).fit({b}, {c})",
    "{a} = {b}.predict({b})",
    "{a} = torch.load({s})",
    "{a} = torch.load({s}, map_location='cpu')",
    "{a}.eval",
    "{a}.eval()",
    "{a}.train()",
    "{a} = {b}.forward({c})",
    "{a} = {b}.cuda()",
    "{a} = F.dropout({b}, {n}.5)",
    "{a} = F.softmax({b}, dim=1)\n{c} = F.cross_entropy({a}, {d})",
    "{a} = nn.Linear({n}, {n})",
    "{a} = torch.optim.SGD({b}.parameters(), lr=0.1)",
    "{a} = DataLoader({b}, batch_size={n}, shuffle=True)",
    "{a} = torch.randn({n}, {n}, requires_grad=True)",
    "{a} += {b}",
    "{a} += {b}.item()",
    "{a}.backward()",
    "{a}.zero_grad()",
    "{a}.step()",
    "{a} = {b}({c})",
    "del {a}",
    "{a} = None",
    "global {a}",
    "print({a}, {b})",
    "for {a}, {b} in {c}:\n{body}",
    "for {a}, ({b}, {c}) in enumerate({d}):\n{body}",
    "with torch.no_grad():\n{body}",
    "with {a} as {b}:\n{body}",
    "if {a}:\n{body}\nelse:\n{body}",
    "while {a}:\n{body}\n    break",
    "try:\n{body}\nexcept Exception as {a}:\n    raise",
    "def {a}({b}, {c}={n}, *{d}):\n{body}\n    return {b}",
    "async def {a}({b}):\n{body}",
    "class {a}(nn.Module):\n    def forward(self, {b}):\n{body2}\n        return F.dropout({b})",
    "class {a}:\n    {b} = {n}\n    def __init__(self):\n        self.{c} = nn.Linear(2, 2)",
    "{a} = [{b} for {b} in {c} if {b}]",
    "{a} = {{{b}: {c} for {b}, {c} in {d}.items()}}",
    "{a} = lambda {b}: {b}.dropna(inplace=True)",
    "match {a}:\n    case [{b}, *{c}]:\n{body2}\n    case _:\n        pass",
    "{a} = ({b} := {c}.fillna(0))",
    "{a}: pd.DataFrame = {b}",
    "{a}: torch.Tensor",
    "import torch as {a}",
    "from pandas import read_csv as {a}",
    "def _f():\n    import numpy as {a}\n    return {a}.random.rand({n})",
    "{a} = {b}  # noqa: ML201",
    "{a}[{s}][{n}] = {b}  # noqa",
    "{a}.dropna(inplace=True)  # pylint: disable=ml-inplace-assignment",
)

FIXTURE_DIRS = ("rules", "fix")


@functools.lru_cache(maxsize=1)
def fixture_pieces() -> tuple[str, ...]:
    """The top-level statements of the detection and fix fixtures (expectation comments
    removed), each as source text."""
    pieces: list[str] = []
    for folder in FIXTURE_DIRS:
        for path in sorted((FIXTURES / folder).glob("*.py")):
            text = path.read_text(encoding="utf-8", errors="replace")
            text = re.sub(r"[ \t]*# error:[^\n]*", "", text)
            if not parses(text):
                continue  # a fixture being edited, or one meant not to parse
            lines = text.splitlines(keepends=True)
            for stmt in ast.parse(text).body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                    continue
                first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
                piece = "".join(lines[first - 1 : stmt.end_lineno])
                if parses(piece):
                    pieces.append(_line(piece))
    return tuple(pieces)


def _indent(code: str, depth: int) -> str:
    return textwrap.indent(code, "    " * depth) if code else "    " * depth + "pass\n"


@st.composite
def _template(draw: st.DrawFn, names: tuple[str, ...], depth: int = 0) -> str:
    template = draw(st.sampled_from(TEMPLATES))
    name = st.sampled_from(names)
    values = {
        "a": draw(name),
        "b": draw(name),
        "c": draw(name),
        "d": draw(name),
        "n": str(draw(st.integers(0, 9))),
        "s": repr(draw(st.sampled_from(("a", "price", "x", "col", "é", "")))),
    }
    if "{body" in template:
        inner = (
            draw(st.lists(_template(names, depth + 1), min_size=1, max_size=3))
            if depth < 2
            else ["pass\n"]
        )
        block = "".join(inner)
        values["body"] = _indent(block, 1).rstrip("\n")
        values["body2"] = _indent(block, 2).rstrip("\n")
    return _line(template.format(**values))


_WRAPPERS = (
    "{code}",
    "def step(model, loader, opt, df):\n{indented}",
    "class Trainer:\n    def run(self, df, X, y):\n{indented2}",
    "for epoch in range(3):\n{indented}",
    "if __name__ == '__main__':\n{indented}",
    "with torch.no_grad():\n{indented}",
    "try:\n{indented}except ValueError:\n    pass\n",
)


@st.composite
def _chunk(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    """A template or a fixture statement, maybe wrapped in a block.

    (Random Python from hypothesmith is left to :func:`python_modules`: drawing it
    several times per example makes generation a hundred times slower.)"""
    source = draw(
        st.one_of(
            _template(names),
            st.sampled_from(fixture_pieces()) if fixture_pieces() else _template(names),
        )
    )
    wrapper = draw(st.sampled_from(_WRAPPERS))
    wrapped = wrapper.format(code=source, indented=_indent(source, 1), indented2=_indent(source, 2))
    return wrapped if parses(wrapped) else source


@st.composite
def ml_modules(draw: st.DrawFn) -> str:
    """An ML-flavoured module: imports, then chunks (see the module docstring).

    The usual imports come first (most of the time), then random other import forms;
    the templates of one module share a few names, so that they act on each other.
    """
    imports = draw(st.lists(st.sampled_from(IMPORT_LINES), max_size=6, unique=True))
    if draw(st.integers(0, 3)):
        imports = [*USUAL_IMPORTS, *imports]
    names = tuple(draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True)))
    chunks = draw(st.lists(_chunk(names), min_size=1, max_size=10))
    source = "".join(_line(i) for i in imports) + "".join(chunks)
    if draw(st.booleans()):
        source = source.replace("\n", draw(st.sampled_from(("\r\n", "\r\n", "\r\n", "\r"))))
    return source


def corpus_modules(folder: Path) -> st.SearchStrategy[str]:
    """Windows of real code: a run of top-level statements of a ``.py`` file under
    ``folder`` (a corpus of ML projects, say), after the usual imports, with one of its
    names renamed to a name of the templates (so that real code meets new kinds)."""
    files = _corpus_statements(folder)
    if not files:
        raise ValueError(f"no Python file that parses under {folder}")

    return _windows(files)


@st.composite
def _windows(draw: st.DrawFn, files: list[list[str]]) -> str:
    statements = draw(st.sampled_from(files))
    start = draw(st.integers(0, len(statements) - 1))
    text = "".join(statements[start : start + draw(st.integers(1, 12))])
    names = sorted(_identifiers_of(text))
    rename: bool = draw(st.booleans())
    if names and rename:
        old, new = draw(st.sampled_from(names)), draw(st.sampled_from(NAMES))
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    header = "".join(_line(i) for i in USUAL_IMPORTS)
    return header + text if parses(header + text) else header


def _corpus_statements(folder: Path) -> list[list[str]]:
    """Per file under ``folder`` that parses, the source of each top-level statement."""
    files: list[list[str]] = []
    for path in sorted(folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not parses(text):
            continue
        lines = text.splitlines(keepends=True)
        statements = []
        for stmt in ast.parse(text).body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                continue
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
            statements.append(_line("".join(lines[first - 1 : stmt.end_lineno])))
        if statements:
            files.append(statements)
    return files


def _identifiers_of(text: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)}


#: Ways a file on disk can differ from clean source text.
_MUTATIONS = ("null", "cut", "cr", "bad-utf8", "cookie", "bom", "tab", "none")


@st.composite
def hostile_files(draw: st.DrawFn) -> bytes:
    """Bytes of a file: a mutated module, or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    modules = ml_modules() if draw(st.integers(0, 3)) else python_modules(auto_target=False)
    data = draw(modules).encode("utf-8")
    mutation = draw(st.sampled_from(_MUTATIONS))
    at = draw(st.integers(0, len(data)))
    if mutation == "null":
        data = data[:at] + b"\x00" + data[at:]
    elif mutation == "cut":
        data = data[:at]
    elif mutation == "cr":
        data = data[:at] + b"\r" + data[at:]
    elif mutation == "bad-utf8":
        data = data[:at] + draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80"))) + data[at:]
    elif mutation == "cookie":
        cookie = draw(st.sampled_from(("latin-1", "ascii", "utf-16", "rot13", "nope", "cp1252")))
        data = f"# -*- coding: {cookie} -*-\n".encode() + data
    elif mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "tab":
        data = data.replace(b"    ", b"\t", draw(st.integers(1, 3)))
    return data


_MAGICS = ("%matplotlib inline", "!pip install torch", "%load_ext autoreload", "files = !ls")
_CELL_MAGICS = ("%%time", "%%capture", "%%bash")


@st.composite
def notebooks(draw: st.DrawFn) -> bytes:
    """A notebook file: an ML module cut into code cells at statement boundaries, with
    markdown cells, IPython magics and a broken cell here and there."""
    source = draw(ml_modules()).replace("\r\n", "\n").replace("\r", "\n")
    lines = source.splitlines(keepends=True)
    starts = sorted({s.lineno - 1 for s in ast.parse(source).body} | {0}) if parses(source) else [0]
    cuts = sorted(set(draw(st.lists(st.sampled_from(starts), max_size=6))) | {0, len(lines)})
    cells: list[dict[str, object]] = []
    for first, last in zip(cuts, cuts[1:], strict=False):
        text = "".join(lines[first:last])
        kind = draw(st.integers(0, 9))
        if kind == 0:
            text = f"{draw(st.sampled_from(_MAGICS))}\n{text}"
        elif kind == 1:
            text = f"{draw(st.sampled_from(_CELL_MAGICS))}\n{text}"
        elif kind == 2:
            text += "def broken(:\n"
        cells.append(_cell("code", text, draw(st.booleans())))
        if draw(st.integers(0, 3)) == 0:
            cells.append(_cell("markdown", "# Notes\n\nSome *text*.", draw(st.booleans())))
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    indent = draw(st.sampled_from((None, 1, 2)))
    text = json.dumps(notebook, indent=indent, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def _cell(kind: str, text: str, as_lines: bool) -> dict[str, object]:
    source: object = text.splitlines(keepends=True) if as_lines else text
    cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


# --------------------------------------------------------------- properties
def _no_internal_error(found: FixResult | Iterable[Diagnostic], where: str) -> None:
    for diag in found.remaining if isinstance(found, FixResult) else found:
        assert diag.code != records.INTERNAL_ERROR_CODE, f"{where}: {diag.message}"


def _fix_is_sound(source: str, result: FixResult, *, unsafe: bool) -> None:
    if result.error is not None:
        assert result.error.startswith(LIBCST_LIMITS), f"fix gave up: {result.error}"
        assert result.source == source, "a fix that gave up changed the text"
        return
    if not result.changed:
        return
    assert parses(result.source), "the fixed text does not parse"
    again = fix_source(result.source, "fuzz.py", ALL_CODES, unsafe=unsafe)
    assert again.error is None, f"fixing the fixed text gave up: {again.error}"
    assert not again.changed, "the fix is not idempotent (a second run changes the text)"
    _no_internal_error(runner.check_source(result.source, "fuzz.py", ALL_CODES), "check of fix")


def check_module(source: str) -> None:
    """``check`` and ``fix`` (safe and unsafe) on ``source``: no exception, no internal
    error (ML000); a fix's output parses and is a fixed point."""
    # A file is read with universal newlines, so detection sees "\n" endings. That
    # text, not ``source``, must parse: ``ast.parse`` accepts a backslash before a
    # final CRLF in a string ("\n\\\r\n") that Python refuses in a file.
    detection = source.replace("\r\n", "\n").replace("\r", "\n")
    if not parses(detection):
        try:
            runner.check_source(detection, "fuzz.py", ALL_CODES)
        except sources.FileError:
            return
        raise AssertionError("check accepted a module that does not parse")
    _no_internal_error(runner.check_source(detection, "fuzz.py", ALL_CODES), "check")
    for unsafe in (False, True):
        result = fix_source(source, "fuzz.py", ALL_CODES, unsafe=unsafe)
        _no_internal_error(result, "fix")
        _fix_is_sound(source, result, unsafe=unsafe)
        if source == detection and result.error is None:
            # The same module with CRLF line endings gets the same fixes, with CRLF.
            crlf = fix_source(source.replace("\n", "\r\n"), "fuzz.py", ALL_CODES, unsafe=unsafe)
            if crlf.error is None:
                expected = result.source.replace("\n", "\r\n")
                assert crlf.source == expected, "CRLF endings change what is fixed"


def check_file_bytes(data: bytes, suffix: str = ".py") -> None:
    """``check_file`` and ``fix_path`` on a file of these bytes: a result or a one-line
    error, never an exception; a file is only ever rewritten with text that parses."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        result = runner.check_file(path, ALL_CODES)
        if result.error is not None:
            assert "\n" not in str(result.error), "a multi-line error"
        else:
            _no_internal_error(result.diagnostics, "check_file")
        outcome = command.fix_path(path, ALL_CODES, SettingsCache(), unsafe=True)
        for error in outcome.errors:
            assert "\n" not in error, "a multi-line error"
        after = path.read_bytes()
        if after != data:
            assert result.error is None, "fix rewrote a file that check could not read"
            assert parses(sources.decode_source(after)), "fix wrote text that does not parse"


def check_notebook_bytes(data: bytes) -> None:
    """:func:`check_file_bytes` for a notebook, and when the fix rewrites it: still a
    notebook with the same cells (types, order, non-code cells unchanged), whose code
    cells still parse where they did, and a second fix changes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ipynb"
        path.write_bytes(data)
        result = runner.check_file(path, ALL_CODES)
        assert result.error is None or "\n" not in str(result.error), "a multi-line error"
        _no_internal_error(result.diagnostics, "check of notebook")
        outcome = command.fix_path(path, ALL_CODES, SettingsCache(), unsafe=True)
        assert all("\n" not in e for e in outcome.errors), "a multi-line error"
        after = path.read_bytes()
        if after == data:
            return
        before_cells = json.loads(data.decode("utf-8"))["cells"]
        after_cells = json.loads(after.decode("utf-8"))["cells"]
        assert [c["cell_type"] for c in after_cells] == [c["cell_type"] for c in before_cells]
        for old, new in zip(before_cells, after_cells, strict=True):
            if old["cell_type"] != "code":
                assert old == new, "the fix changed a markdown cell"
            else:
                assert {k: v for k, v in old.items() if k != "source"} == {
                    k: v for k, v in new.items() if k != "source"
                }, "the fix changed a cell's outputs or metadata"
        again = command.fix_path(path, ALL_CODES, SettingsCache(), unsafe=True)
        assert not again.errors, f"fixing the fixed notebook failed: {again.errors}"
        assert path.read_bytes() == after, "the notebook fix is not idempotent"
        _no_internal_error(runner.check_file(path, ALL_CODES).diagnostics, "check of fix")
