"""Jupyter notebooks: reading, IPython masking, locations, noqa, errors, writing back.

Fixture notebooks (``tests/fixtures/notebooks``) carry inline expectations the
way ``tests/fixtures/rules/*.py`` do: a trailing ``# error: MLxxx`` on each cell
line where a finding of that code starts. The codes a notebook is checked for
are the ones its markers name, among the rules that are implemented.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsmells import records, registry, runner, sources
from mlsmells.engine import Check
from mlsmells.frontends import cli
from mlsmells.ipython import mask_cell
from mlsmells.notebooks import (
    CodeCell,
    FixMappingError,
    Notebook,
    NotebookError,
    line_diff,
)
from mlsmells.runner import check_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
ALL = registry.select_codes(["ALL"])
IMPLEMENTED = frozenset(code for check in registry.CHECKS for code in check.codes)
_EXPECT = re.compile(r"#\s*error:\s*(?P<codes>ML\d{3}(?:\s*,\s*ML\d{3})*)")
_BREAK = re.compile(r"\r\n|\r|\n")

NOTICES = {
    "broken_cell.ipynb": [
        ":cell 3:1:13: cell does not parse ('(' was never closed); it is not checked"
    ],
    "r_analysis.ipynb": [": not a Python notebook (language 'R'); skipped"],
}


def fixture_notebooks() -> list[Path]:
    return sorted(FIXTURES.glob("*.ipynb"))


def cell_lines(source: str) -> list[str]:
    return _BREAK.split(source)


def expectations(path: Path) -> set[tuple[int, int, str]]:
    """(cell, line, code) marked in the notebook (read with nbformat, v3 converted)."""
    notebook = nbformat.read(path, as_version=4)
    found: set[tuple[int, int, str]] = set()
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        for line_no, line in enumerate(cell_lines(cell.source), start=1):
            match = _EXPECT.search(line)
            if match:
                for code in match.group("codes").split(","):
                    found.add((number, line_no, code.strip()))
    return found


def located(result: runner.FileResult) -> set[tuple[int, int, str]]:
    assert result.line_map is not None
    return {(*result.line_map[d.line], d.code) for d in result.diagnostics}


# ------------------------------------------------------------- fixtures
@pytest.mark.parametrize("path", fixture_notebooks(), ids=lambda p: p.name)
def test_fixture_notebook_is_valid(path: Path) -> None:
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", fixture_notebooks(), ids=lambda p: p.name)
def test_fixture_notebook_notices(path: Path) -> None:
    result = check_notebook(path, ALL)
    assert result.error is None
    assert list(result.notices) == NOTICES.get(path.name, [])
    assert not [d for d in result.diagnostics if d.code == records.INTERNAL_ERROR_CODE]


@pytest.mark.parametrize("path", fixture_notebooks(), ids=lambda p: p.name)
def test_fixture_notebook_findings(path: Path) -> None:
    want = expectations(path)
    marked = {code for _, _, code in want}
    if not marked:  # a notebook that is not checked at all
        assert check_notebook(path, ALL).diagnostics == ()
        return
    checked = marked & IMPLEMENTED
    if not checked:
        pytest.skip(f"rules {sorted(marked)} are not implemented yet")
    got = {item for item in located(check_notebook(path, ALL)) if item[2] in checked}
    want = {item for item in want if item[2] in checked}
    assert got == want, {"missing": sorted(want - got), "unexpected": sorted(got - want)}


def test_fixtures_cover_the_issue() -> None:
    """The shapes issue 5 asks for are all among the fixtures."""
    texts = {p.name: p.read_bytes() for p in fixture_notebooks()}
    assert b'\\r\\n"' in texts["crlf_sources.ipynb"] and b"\r\n" in texts["crlf_sources.ipynb"]
    assert json.loads(texts["string_sources.ipynb"])["cells"][1]["source"].startswith("import")
    assert isinstance(json.loads(texts["churn_eda.ipynb"])["cells"][1]["source"], list)
    assert json.loads(texts["legacy_v3.ipynb"])["nbformat"] == 3
    assert {"ML001", "ML201", "ML406"} <= {
        c for p in fixture_notebooks() for *_, c in expectations(p)
    }


# ------------------------------------------------------------- masking
@pytest.mark.parametrize(
    ("cell", "masked"),
    [
        ("%matplotlib inline\nx = 1", ["pass", "x = 1"]),
        ("  %time f()", ["  pass"]),
        ("!pip install -q torch", ["pass"]),
        ("files = !ls *.csv", ["files = ..."]),
        ("a, b = %sx echo 1 2", ["a, b = ..."]),
        ("self.out = !date", ["self.out = ..."]),
        ("df.head?", ["pass"]),
        ("?torch.load", ["pass"]),
        ("torch.load??  # source", ["pass"]),
        ("pip install -q lightning", ["pass"]),
        ("pip = 3\ncd(pip)", ["pip = 3", "cd(pip)"]),
        ("%%time\nx = 1\ny = 2", ["pass", "x = 1", "y = 2"]),
        ("\n%%capture log\nx = 1", ["", "pass", "x = 1"]),
        ("for f in files:\n    !gzip {f}\n", ["for f in files:", "    pass", ""]),
        ("!echo a \\\n  b\nx = 1", ["pass", "", "x = 1"]),
        ("get_ipython().run_line_magic('load_ext', 'autoreload')", ["pass"]),
        ("get_ipython().system(\n    'ls'\n)\nx = 1", ["pass", "", "", "x = 1"]),
        ('s = """\n%(a)s\n!x\nwhat?\n"""', ['s = """', "%(a)s", "!x", "what?", '"""']),
        ("f(a,\n  %b)", ["f(a,", "  %b)"]),
        ("x = 'a' \\\n  '?'", ["x = 'a' \\", "  '?'"]),
        ("x = 1  # why?", ["x = 1  # why?"]),
        ("y = x % 2\nz = x != 1", ["y = x % 2", "z = x != 1"]),
        ('t = r"\\"?"', ['t = r"\\"?"']),
        ("%%bash\necho hi", None),
        ("%%writefile run.py\nimport torch", None),
        ("%%html\n<b>x</b>", None),
        ("%%python3\nx = 1", None),
    ],
)
def test_mask_cell(cell: str, masked: list[str] | None) -> None:
    result = mask_cell(cell.split("\n"))
    if masked is None:
        assert result is None
        return
    assert result is not None
    lines, flags = result
    assert [line.removesuffix("\n") for line in lines] == masked
    assert all(line.endswith("\n") for line in lines)
    original = cell.split("\n")
    assert flags == [m != o for m, o in zip(masked, original, strict=True)]


# ----------------------------------------------------------- structure
Source = str | list[str]


def make_notebook(*sources: Source | tuple[str, Source], nbformat_version: int = 4) -> str:
    """A notebook's JSON text; a tuple is (cell_type, source)."""
    cells = []
    for item in sources:
        kind, source = item if isinstance(item, tuple) else ("code", item)
        cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    data = {"cells": cells, "metadata": {}, "nbformat": nbformat_version, "nbformat_minor": 5}
    return json.dumps(data, indent=1)


def test_cells_form_one_module_with_ui_numbers() -> None:
    nb = Notebook(
        make_notebook(
            ("markdown", "# Title"),
            "import torch\n%matplotlib inline\nmodel = torch.nn.Linear(2, 2)\n",
            ("raw", "raw text"),
            "%%bash\nls",
            ["model.eval\n", "print(1)"],
        )
    )
    assert [c.number for c in nb.cells] == [2, 5]
    assert nb.source == "import torch\npass\nmodel = torch.nn.Linear(2, 2)\nmodel.eval\nprint(1)\n"
    assert nb.line_map() == {1: (2, 1), 2: (2, 2), 3: (2, 3), 4: (5, 1), 5: (5, 2)}
    assert nb.cell_last_lines == frozenset({3, 5})


@pytest.mark.parametrize(
    ("cell", "display"),
    [
        ("model.eval", {1}),
        ("model.eval;", set()),
        ("model.eval ;  # quiet", set()),
        ("x = 1\n\n# trailing comment\n", {1}),
        ("for i in r:\n    f(i)\n", {2}),
        ("f(\n  1,\n)", {3}),
        ("a = 1; b", {1}),
    ],
)
def test_display_lines(cell: str, display: set[int]) -> None:
    assert Notebook(make_notebook(cell)).cell_last_lines == frozenset(display)


def test_broken_cell_is_one_notice_and_the_rest_is_checked() -> None:
    nb = Notebook(make_notebook("import torch", "def f(:\n  pass", "x = torch.zeros(1)"))
    assert [c.number for c in nb.cells] == [1, 3]
    assert [n.text for n in nb.notices] == [
        ":cell 2:1:7: cell does not parse (invalid syntax); it is not checked"
    ]


def test_null_byte_in_a_cell_is_a_notice() -> None:
    nb = Notebook(make_notebook("x = 1\x00", "y = 2"))
    assert [c.number for c in nb.cells] == [2]
    assert nb.notices[0].cell == 1


def test_nbformat_3_cells_across_worksheets() -> None:
    data = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "heading", "level": 1, "source": "T", "metadata": {}}]},
            {
                "cells": [
                    {"cell_type": "code", "input": ["x = 1\n", "x"], "language": "python"},
                    {"cell_type": "code", "input": "%%R\nx <- 1", "language": "python"},
                    {"cell_type": "code", "input": "x <- 1", "language": "r"},
                ]
            },
        ],
    }
    nb = Notebook(json.dumps(data))
    assert [c.number for c in nb.cells] == [2]
    assert nb.source == "x = 1\nx\n"


def test_vscode_cell_in_another_language_is_skipped() -> None:
    data = json.loads(make_notebook("SELECT 1", "x = 1"))
    data["cells"][0]["metadata"] = {"vscode": {"languageId": "sql"}}
    assert [c.number for c in Notebook(json.dumps(data)).cells] == [2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "invalid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "not a notebook: the top level is not a JSON object"),
        ('{"metadata": {}}', "not a notebook: no 'cells' list"),
        ('{"cells": {}}', "not a notebook: no 'cells' list"),
        ('{"cells": [1]}', "cell 1 is not a JSON object"),
        ('{"cells": [{"cell_type": "code", "source": 3}]}', "cell 1 has no 'source' text"),
        ('{"cells": [], "nbformat": "4"}', "not a notebook: nbformat is '4'"),
        ('{"cells": [], "nbformat": 2}', "nbformat 2 is not supported (only 3 and 4)"),
        ('{"nbformat": 3}', "not a notebook: nbformat 3 without a 'worksheets' list"),
        (
            '{"nbformat": 3, "worksheets": [{}]}',
            "not a notebook: a worksheet without a 'cells' list",
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply", id="deep"),
    ],
)
def test_malformed_notebook(text: str, message: str) -> None:
    with pytest.raises(NotebookError) as exc:
        Notebook(text)
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.ipynb"
    path.write_bytes(make_notebook("x = 'caf\u00e9'").encode("utf-8").replace(b"\\u00e9", b"\xe9"))
    result = runner.check_file(path, ALL)
    assert result.error is not None and str(result.error).startswith("not UTF-8")


def test_bom_is_accepted_and_kept() -> None:
    text = "\ufeff" + make_notebook(
        "import torch\nmodel = torch.nn.Linear(1, 1)\nmodel.eval\nx = 1"
    )
    nb = Notebook(text)
    assert nb.apply(nb.source).text == text
    assert nb.apply(nb.source.replace("model.eval\n", "model.eval()\n")).text.startswith("\ufeff")


# ------------------------------------------------------------------ CLI
TORCH_CELLS = ("import torch\nmodel = torch.nn.Linear(2, 2)", "model.eval\nprint(model)")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_text_output_names_cell_line_column(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "magics.ipynb"
    status, out, err = run(capsys, "check", "--select", "ML406", str(path))
    assert status == 1 and err == ""
    assert out.splitlines()[0] == (
        f"{path}:cell 5:3:1: ML406 `model.eval` is not called; the statement does nothing"
    )
    assert f"{path}:cell 12:5:5: ML406 `optimizer.step`" in out


def test_json_output_carries_cell(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "crlf_sources.ipynb"
    status, out, _ = run(capsys, "check", "--select", "ML406", "--output-format", "json", str(path))
    records = json.loads(out)
    assert status == 1
    assert [(r["cell"], r["location"], r["end_location"]) for r in records] == [
        (3, {"row": 4, "column": 5}, {"row": 4, "column": 19}),
        (4, {"row": 1, "column": 1}, {"row": 1, "column": 11}),
    ]


def test_broken_cell_notice_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "broken_cell.ipynb"
    status, out, err = run(capsys, "check", "--select", "ML406", str(path))
    assert status == 1
    assert err == f"mlsmells: notice: {path}{NOTICES['broken_cell.ipynb'][0]}\n"
    assert out.count("ML406") == 2


def test_mixed_folder_with_malformed_notebooks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text("import torch\nm = torch.nn.Linear(1, 1)\nm.eval\nm()\n")
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "explore.ipynb").write_text(make_notebook(*TORCH_CELLS))
    (tmp_path / "nb" / "truncated.ipynb").write_text(make_notebook(*TORCH_CELLS)[:120])
    (tmp_path / "nb" / "no_cells.ipynb").write_text('{"metadata": {}, "nbformat": 4}')
    checkpoints = tmp_path / "nb" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "explore-checkpoint.ipynb").write_text(make_notebook(*TORCH_CELLS))
    status, out, err = run(capsys, "check", "--select", "ML406", str(tmp_path))
    assert status == 2
    no_cells, truncated = err.splitlines()
    assert no_cells == (
        f"mlsmells: error: {tmp_path / 'nb' / 'no_cells.ipynb'}: not a notebook: no 'cells' list"
    )
    assert truncated.startswith(
        f"mlsmells: error: {tmp_path / 'nb' / 'truncated.ipynb'}: invalid JSON: "
    )
    assert out.splitlines() == [
        f"{tmp_path / 'nb' / 'explore.ipynb'}:cell 2:1:1: ML406 "
        "`model.eval` is not called; the statement does nothing",
        f"{tmp_path / 'train.py'}:3:1: ML406 `m.eval` is not called; the statement does nothing",
        "Found 2 findings in 2 files. 2 files could not be checked.",
        "[*] 0 fixable with `mlsmells fix` (2 more with `--unsafe-fixes`).",
    ]


def test_noqa_in_a_cell_only_covers_its_line(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    path.write_text(
        make_notebook(TORCH_CELLS[0], "model.eval  # noqa: ML406\nx = 1", "model.eval\nx = 2")
    )
    assert located(check_notebook(path, ALL)) == {(3, 1, "ML406")}
    path.write_text(make_notebook(TORCH_CELLS[0], "# flake8: noqa\n", "model.eval\nx = 2"))
    assert check_notebook(path, ALL).diagnostics == ()


# ------------------------------------------------------ property: export
# Cells of a notebook are drawn from realistic pieces; the same notebook
# exported to a .py (IPython syntax turned into the get_ipython() calls IPython
# itself produces, cells separated by "# In[ ]:" headers as nbconvert does)
# must give the same findings once lines are mapped.
PIECES = [
    "import torch",
    "import numpy as np\nimport pandas as pd",
    "from torch import nn",
    "model = torch.nn.Linear(4, 2)",
    "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))",
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
    "model.eval",
    "model.train",
    "optimizer.step",
    "optimizer.zero_grad  # noqa: ML406",
    "model.eval;",
    "model.eval  # noqa",
    "state = torch.load('checkpoint.pt')",
    "state = torch.load('checkpoint.pt', weights_only=True)",
    "df = pd.read_csv('data.csv')",
    "df['a'][df['a'] < 0] = 0",
    "df = df.dropna(inplace=True)",
    "missing = df[df['a'] == np.nan]",
    "x = torch.randn(3, 4)\nx.to('cpu')",
    "for step in range(3):\n    optimizer.zero_grad()\n    model.eval\n    optimizer.step()",
    "def evaluate(m):\n    m.eval\n    return m",
    "with torch.no_grad():\n    out = model(torch.randn(1, 4))",
    "print(model)",
    "model",
    # IPython syntax, with the translation IPython makes of it.
    "%matplotlib inline",
    "!pip install -q torch",
    "files = !ls data",
    "model.eval?",
    "%timeit model(torch.randn(1, 4))",
    "for name in ['a', 'b']:\n    !echo {name}\n    print(name)",
    "get_ipython().run_line_magic('load_ext', 'autoreload')",
]
_TRANSLATE = [
    (re.compile(r"^(\s*)%(\w+) ?(.*)$"), r"\1get_ipython().run_line_magic('\2', '\3')"),
    (re.compile(r"^(\s*)!(.*)$"), r"\1get_ipython().system('\2')"),
    (re.compile(r"^(\s*)(\w+) = !(.*)$"), r"\1\2 = get_ipython().getoutput('\3')"),
    (re.compile(r"^(\s*)([\w.]+)\?$"), r"\1get_ipython().run_line_magic('pinfo', '\2')"),
]


def export_line(line: str) -> str:
    for pattern, replacement in _TRANSLATE:
        if pattern.match(line):
            return pattern.sub(replacement, line)
    return line


@st.composite
def notebooks(draw: st.DrawFn) -> tuple[str, list[tuple[int, str]]]:
    """(notebook JSON text, [(cell number, exported code)] for the code cells)."""
    cells: list[dict[str, object]] = []
    exported: list[tuple[int, str]] = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        kind = draw(st.sampled_from(["code", "code", "code", "markdown", "bash"]))
        newline = draw(st.sampled_from(["\n", "\r\n"]))
        if kind == "markdown":
            source = "## Notes" + newline + "model.eval is a method"
        elif kind == "bash":
            source = "%%bash" + newline + "model.eval"  # not Python: not exported
        else:
            pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=5))
            lines = "\n".join(pieces).split("\n")
            timed = draw(st.booleans())
            code = "\n".join(export_line(line) for line in lines)
            if timed:
                lines = ["%%time", *lines]
                code = "get_ipython().run_line_magic('time', '')\n" + code
            exported.append((number, code))
            source = newline.join(lines) + draw(st.sampled_from(["", newline]))
        as_list = draw(st.booleans())
        value: object = source.splitlines(keepends=True) if as_list else source
        cell: dict[str, object] = {"cell_type": "markdown" if kind == "markdown" else "code"}
        cell.update(metadata={}, source=value)
        if cell["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    data = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    return json.dumps(data, indent=draw(st.sampled_from([1, 2]))), exported


def export(exported: list[tuple[int, str]]) -> tuple[str, dict[int, tuple[int, int]], set[int]]:
    """The .py text, its line -> (cell, line) map, and each cell's display line."""
    out: list[str] = []
    mapping: dict[int, tuple[int, int]] = {}
    display: set[int] = set()
    for number, code in exported:
        out += ["", f"# In[{number}]:", ""]
        first = len(out) + 1
        lines = code.split("\n")
        for offset in range(len(lines)):
            mapping[first + offset] = (number, offset + 1)
        out += lines
        body = ast.parse(code).body
        if body:
            last = body[-1]
            assert last.end_lineno is not None and last.end_col_offset is not None
            rest = lines[last.end_lineno - 1].encode()[last.end_col_offset :]
            if not rest.lstrip().startswith(b";"):
                display.add(first + last.end_lineno - 1)
    return "\n".join(out) + "\n", mapping, display


class Probe(Check):
    """Reports every name whose kind the semantic model knows, and every display
    line, so that the comparison also covers cross-cell kinds while few rules exist.
    Not registered: it is in no rule module."""

    rules = (registry.get("ML406"),)
    nodes = (ast.Name, ast.Expr)

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            kind = self.model.kind_of(node)
            if kind is not None:
                self.report("ML406", node, expr=kind.name)
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Attribute)
            and node.end_lineno in self.ctx.cell_last_lines
        ):
            self.report("ML406", node, expr="display")


def probe(tree: ast.Module, lines: list[str], display: frozenset[int]) -> set[tuple[int, int, str]]:
    engine = registry.engine(frozenset({"ML406"}))
    engine.checks = [Probe]
    found = engine.run(tree, lines, "<probe>", cell_last_lines=display)
    return {(d.line, d.col, d.message) for d in found}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebooks())
def test_notebook_findings_equal_exported_py_findings(
    case: tuple[str, list[tuple[int, str]]],
) -> None:
    text, exported = case
    py, mapping, display = export(exported)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.ipynb"
        path.write_text(text, encoding="utf-8")
        result = check_notebook(path, ALL)
    assert result.notices == ()
    from_py = runner.check_source(py, "case.py", ALL, cell_last_lines=frozenset(display))
    assert located(result) == {(*mapping[d.line], d.code) for d in from_py}
    assert {(d.col, d.end_col, d.message) for d in result.diagnostics} == {
        (d.col, d.end_col, d.message) for d in from_py
    }
    nb = Notebook(text)
    line_map = nb.line_map()
    py_lines = sources.split_lines(py)
    back = {v: k for k, v in mapping.items()}
    assert {
        (back[line_map[line]], col, msg)
        for line, col, msg in probe(nb.tree, nb.lines, nb.cell_last_lines)
    } == probe(ast.parse(py), py_lines, frozenset(display))


# ----------------------------------------------------------- writing back
def fixed(nb: Notebook, old: str, new: str) -> str:
    assert old in nb.source
    return nb.source.replace(old, new)


@pytest.mark.parametrize("path", fixture_notebooks(), ids=lambda p: p.name)
def test_unchanged_notebook_is_byte_identical(path: Path) -> None:
    nb = Notebook.read(path)
    edit = nb.apply(nb.source)
    assert edit.text.encode("utf-8") == path.read_bytes() and edit.changes == ()


def changed_cells(before: bytes, after: str) -> list[int]:
    old = nbformat.reads(before.decode("utf-8"), as_version=4)
    new = nbformat.reads(after, as_version=4)
    nbformat.validate(new)
    assert old.metadata == new.metadata and old.nbformat_minor == new.nbformat_minor
    changed = []
    for number, (a, b) in enumerate(zip(old.cells, new.cells, strict=True), start=1):
        # (ids are made up afresh each time nbformat converts a version 3 notebook)
        assert {k: v for k, v in a.items() if k not in ("source", "id")} == {
            k: v for k, v in b.items() if k not in ("source", "id")
        }
        if a.source != b.source:
            changed.append(number)
    return changed


def only_span_differs(before: str, after: str) -> tuple[str, str]:
    """The differing middle of two texts (common prefix and suffix removed)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return before[start : len(before) - end], after[start : len(after) - end]


def test_fix_rewrites_only_the_changed_list_source() -> None:
    path = FIXTURES / "mnist_training.ipynb"
    before = path.read_bytes()
    nb = Notebook.read(path)
    edit = nb.apply(fixed(nb, "model.eval  # error", "model.eval()  # error"))
    assert changed_cells(before, edit.text) == [7]
    assert only_span_differs(before.decode(), edit.text) == ("", "()")
    assert [c.number for c in edit.changes] == [7]


def test_fix_keeps_crlf_inside_cells_and_in_the_json() -> None:
    path = FIXTURES / "crlf_sources.ipynb"
    before = path.read_bytes()
    nb = Notebook.read(path)
    after = fixed(
        nb, "    optimizer.step  # error: ML406\n", "    optimizer.step()  # error: ML406\n"
    )
    after = after.replace("model.eval  # error: ML406\n", "model.eval()\nmodel.train(False)\n")
    edit = nb.apply(after)
    assert changed_cells(before, edit.text) == [3, 4]
    data = json.loads(edit.text)
    assert data["cells"][2]["source"][3] == "    optimizer.step()  # error: ML406\r\n"
    assert data["cells"][3]["source"] == (
        "model.eval()\r\nmodel.train(False)\r\nwith torch.no_grad():\r\n"
        "    out = model(torch.randn(2, 8))\r\nout.shape\r\n"
    )
    assert edit.text.count("\r\n") == before.decode().count("\r\n")  # same JSON layout
    assert "\n" not in edit.text.replace("\r\n", "")


def test_fix_keeps_string_sources_escapes_and_missing_final_newline() -> None:
    path = FIXTURES / "string_sources.ipynb"
    before = path.read_bytes()
    nb = Notebook.read(path)
    edit = nb.apply(fixed(nb, "modèle.eval  #", "modèle.eval()  #"))
    assert changed_cells(before, edit.text) == [5]
    old, new = only_span_differs(before.decode(), edit.text)
    assert (old, new) == ("", "()")
    assert edit.text.isascii() and not edit.text.endswith("\n")


def test_fix_in_nbformat_3() -> None:
    path = FIXTURES / "legacy_v3.ipynb"
    before = path.read_bytes()
    nb = Notebook.read(path)
    edit = nb.apply(fixed(nb, "net.train  #", "net.train()  #"))
    assert only_span_differs(before.decode(), edit.text) == ("", "()")
    assert changed_cells(before, edit.text) == [3]


def test_fix_restores_masked_lines_and_inserts_in_the_right_cell() -> None:
    path = FIXTURES / "magics.ipynb"
    before = path.read_bytes()
    nb = Notebook.read(path)
    after = fixed(nb, "    optimizer.step  # error: ML406\n", "    optimizer.step()\n")
    after = after.replace(
        "for step in range(100):\n", "for step in range(100):\n    model.train()\n"
    )
    edit = nb.apply(after)
    assert changed_cells(before, edit.text) == [12]
    cell = json.loads(edit.text)["cells"][11]["source"]
    assert cell == [
        "%%capture training_log\n",
        "for step in range(100):\n",
        "    model.train()\n",
        "    optimizer.zero_grad()\n",
        "    model(torch.randn(4, 10)).sum().backward()\n",
        "    optimizer.step()\n",
        'print("done")',
    ]
    assert "\n".join(edit.diff("m.ipynb").splitlines()[:3]) == (
        "--- m.ipynb:cell 12\n+++ m.ipynb:cell 12\n@@ -1,6 +1,7 @@"
    )


def test_fix_appending_to_a_cell_without_final_newline() -> None:
    nb = Notebook(make_notebook("import torch", "m = torch.nn.Linear(1, 1)\nm.eval"))
    edit = nb.apply(nb.source + "m.train()\n")
    assert (
        json.loads(edit.text)["cells"][1]["source"]
        == "m = torch.nn.Linear(1, 1)\nm.eval\nm.train()"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("pass\nx = 1\n", "x = 2\n", "a fix would change an IPython line"),
        ("y = 1\nz = 2\n", "print(locals())\n", "a fix spans more than one cell"),
        ("x = 1\n", "x = (\n", "cell 1 would not parse after the fix: '(' was never closed"),
    ],
)
def test_fix_that_cannot_be_mapped(old: str, new: str, message: str) -> None:
    nb = Notebook(make_notebook("%time f()\nx = 1", "y = 1", "z = 2"))
    assert nb.source == "pass\nx = 1\ny = 1\nz = 2\n"
    with pytest.raises(FixMappingError, match=re.escape(message)):
        nb.apply(nb.source.replace(old, new))


def test_compact_and_unicode_escaped_layouts_are_kept() -> None:
    data = json.loads(make_notebook(["x = 'é'\n", "m.eval"]))
    text = json.dumps(data)  # one line, ", " separators, \u escapes
    nb = Notebook(text)
    edit = nb.apply(nb.source.replace("m.eval", "m.eval()"))
    assert edit.text == text.replace('"m.eval"', '"m.eval()"')


def iter_sources(text: str) -> Iterator[object]:
    for cell in json.loads(text)["cells"]:
        yield cell["source"]


@settings(max_examples=150, deadline=None)
@given(notebooks(), st.data())
def test_round_trip_of_generated_notebooks(
    case: tuple[str, list[tuple[int, str]]], data: st.DataObject
) -> None:
    """Fix-like edits (a call added, a line inserted after a statement) land in
    their own cell, with the cell's line endings; everything else is kept."""
    text, _ = case
    nb = Notebook(text)
    assert nb.apply(nb.source).text == text
    calls = [i for i, line in enumerate(nb.lines) if line.strip() in ("model.eval", "model.train")]
    if not calls:
        return
    edits = data.draw(st.dictionaries(st.sampled_from(calls), st.booleans(), min_size=1))
    lines: list[str] = []
    expected: dict[int, list[str]] = {}
    for i, line in enumerate(nb.lines):
        number, _ = nb.line_map()[i + 1]
        bodies = expected.setdefault(number, [])
        body = line.rstrip("\n")
        if i in edits:
            if edits[i]:  # insert a statement after the line
                indent = body[: len(body) - len(body.lstrip())]
                bodies += [body, indent + "model.train()"]
                lines += [line, indent + "model.train()\n"]
                continue
            body += "()"
        bodies.append(body)
        lines.append(body + "\n")
    edit = nb.apply("".join(lines))
    assert {c.number for c in edit.changes} == {nb.line_map()[i + 1][0] for i in edits}
    new = nbformat.reads(edit.text, as_version=4)
    nbformat.validate(new)
    for cell in nb.cells:
        source = new.cells[cell.number - 1].source
        want = [
            raw.rstrip("\r\n") if masked else body
            for raw, masked, body in zip(
                _lines_of(source, len(expected[cell.number])),
                _masked_flags(cell, edits, nb),
                expected[cell.number],
                strict=True,
            )
        ]
        assert _BREAK.split(source.rstrip("\r\n")) == want
        endings = set(re.findall(r"\r\n|\r|\n", source))
        assert endings <= {cell.newline}
        assert source.endswith(cell.newline) == cell.source.endswith(cell.newline)
    for old, new_source in zip(iter_sources(text), iter_sources(edit.text), strict=True):
        assert type(old) is type(new_source)
    assert Notebook(edit.text).source == "".join(lines)


def _lines_of(source: str, count: int) -> list[str]:
    lines = _BREAK.split(source.rstrip("\r\n")) if source else []
    assert len(lines) == count
    return lines


def _masked_flags(cell: CodeCell, edits: dict[int, bool], nb: Notebook) -> list[bool]:
    """Per line of the fixed cell: whether it is an IPython line (kept as written)."""
    flags: list[bool] = []
    for n, masked in enumerate(cell.is_masked):
        flags.append(masked)
        if edits.get(cell.start - 1 + n):
            flags.append(False)
    return flags


def test_repeated_lines_stay_in_their_cells() -> None:
    nb = Notebook(make_notebook("model.eval", "model.eval\nplt.show()", "model.eval\nplt.show()"))
    edit = nb.apply("model.eval\nmodel.eval()\nplt.show()\nmodel.eval\nmodel.train()\nplt.show()\n")
    assert [(c.number, c.new) for c in edit.changes] == [
        (2, "model.eval()\nplt.show()"),
        (3, "model.eval\nmodel.train()\nplt.show()"),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), max_size=12),
    st.lists(st.sampled_from("abcdef"), max_size=12),
)
def test_line_diff_turns_a_into_b(a: list[str], b: list[str]) -> None:
    rebuilt: list[str] = []
    i = j = 0
    for tag, i1, i2, j1, j2 in line_diff(a, b):
        assert (i1, j1) == (i, j) and (i1 < i2 or j1 < j2)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        rebuilt += b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b)) and rebuilt == b


def test_unchanged_lines_of_a_changed_cell_keep_their_json_text() -> None:
    """A line the fix did not touch keeps its escapes, even where json.dumps would differ."""
    text = (
        make_notebook(("markdown", "Résumé"), ["s = 'caf\u00e9/x'\n", "m.eval"])
        .replace("R\\u00e9sum\\u00e9", "Résumé")
        .replace("/x", "\\/x")
    )
    nb = Notebook(text)
    edit = nb.apply(nb.source.replace("m.eval", "m.eval()"))
    assert only_span_differs(text, edit.text) == ("", "()")


# ------------------------------------------------------------ mlsmells fix
@pytest.fixture
def notebooks_copy(tmp_path: Path) -> Path:
    for path in fixture_notebooks():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def test_fix_unsafe_rewrites_only_changed_cells(
    capsys: pytest.CaptureFixture[str], notebooks_copy: Path
) -> None:
    before = {p.name: p.read_bytes() for p in notebooks_copy.iterdir()}
    status, out, err = run(
        capsys, "fix", "--unsafe-fixes", "--select", "ML406", str(notebooks_copy)
    )
    assert status == 0  # suppressed findings are neither fixed nor reported
    assert err == f"mlsmells: notice: {notebooks_copy / 'broken_cell.ipynb'}" + (
        NOTICES["broken_cell.ipynb"][0] + "\n"
    ) + f"mlsmells: notice: {notebooks_copy / 'r_analysis.ipynb'}" + (
        NOTICES["r_analysis.ipynb"][0] + "\n"
    )
    marked = sum(code == "ML406" for p in fixture_notebooks() for *_, code in expectations(p))
    assert out.splitlines()[-1] == f"Fixed {marked} findings, 0 remaining."
    for path in sorted(notebooks_copy.iterdir()):
        want = {(cell, line) for cell, line, code in expectations(path) if code == "ML406"}
        after = path.read_text(encoding="utf-8")
        if not want:
            assert path.read_bytes() == before[path.name], path.name
            continue
        assert set(changed_cells(before[path.name], after)) == {cell for cell, _ in want}
        assert check_notebook(path, frozenset({"ML406"})).diagnostics == ()
        fixed_lines = {
            (cell, line)
            for cell, line, _ in expectations(path)
            if "()"
            in cell_lines(nbformat.reads(after, as_version=4).cells[cell - 1].source)[line - 1]
        }
        assert fixed_lines == want, path.name


def test_fix_without_unsafe_holds_unsafe_fixes_back(
    capsys: pytest.CaptureFixture[str], notebooks_copy: Path
) -> None:
    before = {p.name: p.read_bytes() for p in notebooks_copy.iterdir()}
    status, out, _ = run(capsys, "fix", "--select", "ML406", str(notebooks_copy))
    assert status == 1
    assert "unsafe fixes held back" in out.splitlines()[-1]
    assert {p.name: p.read_bytes() for p in notebooks_copy.iterdir()} == before


def test_fix_diff_shows_cells_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], notebooks_copy: Path
) -> None:
    path = notebooks_copy / "mnist_training.ipynb"
    before = path.read_bytes()
    status, out, err = run(
        capsys, "fix", "--diff", "--unsafe-fixes", "--select", "ML406", str(path)
    )
    assert status == 1 and path.read_bytes() == before
    assert out == (
        f"--- {path}:cell 7\n+++ {path}:cell 7\n@@ -1,4 +1,4 @@\n"
        "-model.eval  # error: ML406\n+model.eval()  # error: ML406\n correct = 0\n"
        " with torch.no_grad():\n     for images, labels in test_loader:\n"
        f"--- {path}:cell 9\n+++ {path}:cell 9\n@@ -1,2 +1,2 @@\n"
        ' model.load_state_dict(torch.load("checkpoints/best.pt", weights_only=True))\n'
        "-model.eval;  # error: ML406\n+model.eval();  # error: ML406\n"
    )
    assert err == "Would fix 2 findings, 0 remaining.\n"


@pytest.mark.skipif("ML202" not in IMPLEMENTED, reason="ML202 (a safe fix) is not implemented yet")
def test_safe_fix_applies_by_default(
    capsys: pytest.CaptureFixture[str], notebooks_copy: Path
) -> None:
    path = notebooks_copy / "churn_eda.ipynb"
    before = path.read_bytes()
    run(capsys, "fix", "--select", "ML202", str(path))
    after = path.read_text(encoding="utf-8")
    assert changed_cells(before, after) == [7]
    assert only_span_differs(before.decode(), after) == ("inplace=True", "")


def test_fix_mixed_folder_with_a_malformed_notebook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text("import torch\nm = torch.nn.Linear(1, 1)\nm.eval\nm()\n")
    (tmp_path / "explore.ipynb").write_text(make_notebook(*TORCH_CELLS))
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    status, out, err = run(capsys, "fix", "--unsafe-fixes", "--select", "ML406", str(tmp_path))
    assert status == 2
    assert err.splitlines()[0].startswith(
        f"mlsmells: error: {tmp_path / 'broken.ipynb'}: invalid JSON"
    )
    assert len(err.splitlines()) == 1
    assert (
        tmp_path / "train.py"
    ).read_text() == "import torch\nm = torch.nn.Linear(1, 1)\nm.eval()\nm()\n"
    cells = json.loads((tmp_path / "explore.ipynb").read_text())["cells"]
    assert cells[1]["source"] == "model.eval()\nprint(model)"
    assert out.splitlines()[-1] == "Fixed 2 findings, 0 remaining. 1 file could not be fixed."
