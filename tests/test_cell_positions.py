"""Cells seen from inside the engine: how messages name a line, and which statement a
cell displays (notebooks and percent-format scripts share one definition).

The fixture notebooks ``eval_display.ipynb``, ``discarded_results.ipynb`` and
``leakage_cells.ipynb`` carry the locations (checked by ``tests/test_notebooks.py``);
this file checks what the messages say and the engine's cell bookkeeping.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from mlsmells import registry, runner, sources
from mlsmells.engine import Context
from mlsmells.fixes.apply import fix_source
from mlsmells.frontends import cli
from mlsmells.notebooks import Notebook, follow_line_map
from mlsmells.runner import check_notebook

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
LEAKAGE = frozenset({"ML001", "ML002", "ML003", "ML004", "ML005"})
DISPLAY_RULES = frozenset({"ML203", "ML406", "ML410"})


def make_notebook(*sources: str) -> str:
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s}
        for s in sources
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def located(text: str, active: frozenset[str]) -> list[tuple[int, int, str]]:
    """(cell, line in cell, code) of each finding in the notebook ``text``."""
    result = check_notebook(Path("nb.ipynb"), active, data=text.encode())
    assert result.line_map is not None
    return [(*result.line_map[d.line], d.code) for d in result.diagnostics]


def context(
    source: str,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: dict[int, tuple[int, int]] | None = None,
) -> Context:
    source = textwrap.dedent(source)
    lines = source.splitlines(keepends=True)
    return Context(ast.parse(source), lines, "<test>", cell_last_lines, line_map)


def displayed(ctx: Context) -> list[int]:
    """The lines of the expression statements (at any depth) that ``ctx`` says a cell shows."""
    return sorted(
        node.lineno
        for node in ast.walk(ctx.tree)
        if isinstance(node, ast.Expr) and ctx.displays(node)
    )


# ----------------------------------------------------------------- line labels
def test_line_label_of_a_plain_file_and_of_a_notebook() -> None:
    assert context("x = 1\n").line_label(7) == "line 7"
    ctx = context("x = 1\ny = 2\n", line_map={1: (2, 1), 2: (4, 3)})
    assert [ctx.line_label(1), ctx.line_label(2)] == ["cell 2, line 1", "cell 4, line 3"]


def test_leakage_messages_name_the_cell_and_line_of_the_other_statement() -> None:
    result = check_notebook(NOTEBOOKS / "leakage_cells.ipynb", LEAKAGE)
    assert result.line_map is not None
    found = {(*result.line_map[d.line], d.code): d.message for d in result.diagnostics}
    assert "(cell 4, line 2)" in found[4, 3, "ML005"]
    assert "`train_test_split` at cell 7, line 1 splits" in found[5, 2, "ML001"]
    assert (
        "the held-out part of `train_test_split` at cell 7, line 1, after a fit on its "
        "training part at cell 8, line 2" in found[8, 3, "ML002"]
    )
    another = "another `StandardScaler` is fit on its training part at cell 8, line 2"
    assert another in found[11, 2, "ML002"]
    assert "`X_test`, after a fit on `X_train` at cell 12, line 3" in found[12, 4, "ML002"]
    assert not any("line 1" in m and "cell" not in m for m in found.values())


def test_the_label_uses_the_cell_numbers_of_the_location(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``cell 5:2:12`` in the location and ``cell 7, line 1`` in the message are
    counted the same way (markdown cells included)."""
    status = cli.main(["check", "--no-cache", str(NOTEBOOKS / "leakage_baseline.ipynb")])
    out = capsys.readouterr().out
    assert status == 1
    assert f"{NOTEBOOKS / 'leakage_baseline.ipynb'}:cell 4:2:12: ML001 " in out
    assert "`train_test_split` at cell 6, line 1 splits" in out


LEAKY_SCRIPT = """\
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("churn.csv")
X = StandardScaler().fit_transform(df.drop(columns="churned"))
X_train, X_test = train_test_split(X, random_state=0)
"""


def test_plain_files_keep_line_numbers_in_every_front_end(tmp_path: Path) -> None:
    from mlsmells.frontends.flake8 import MLSmellsChecker

    (found,) = runner.check_source(LEAKY_SCRIPT, "leaky.py", LEAKAGE)
    assert "`train_test_split` at line 7 splits" in found.message
    lines = LEAKY_SCRIPT.splitlines(keepends=True)
    plugin = MLSmellsChecker(ast.parse(LEAKY_SCRIPT), "leaky.py", lines)
    assert [m for _, _, m, _ in plugin.run() if m.startswith("ML001 ")] == [found.message]

    from pylint.lint import Run
    from pylint.reporters import CollectingReporter

    path = tmp_path / "leaky.py"
    path.write_text(LEAKY_SCRIPT, encoding="utf-8")
    reporter = CollectingReporter()
    args = ["--load-plugins=mlsmells.pylint_plugin", "--disable=all", "--enable=W7601"]
    Run([*args, "--persistent=n", str(path)], reporter=reporter, exit=False)
    assert [m.msg for m in reporter.messages] == [found.message]


def test_percent_format_scripts_keep_line_numbers() -> None:
    source = LEAKY_SCRIPT.replace("\ndf =", "\n# %%\ndf =")
    (found,) = runner.check_source(source, "leaky.py", LEAKAGE)
    assert "`train_test_split` at line 8 splits" in found.message


def test_fixing_a_notebook_keeps_the_labels_of_the_remaining_findings() -> None:
    """A fix that adds lines to a cell moves the lines a message names; the remaining
    findings say what a fresh check of the fixed notebook says."""
    text = make_notebook(
        "from math import nan\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "X, y = load_iris(return_X_y=True)\n"
        "X = StandardScaler().fit_transform(X)\n"
        "parts = train_test_split(X, y)\n",
        "ratio = 0.5\nunset = ratio != nan\n",
    )
    nb = Notebook(text)
    active = LEAKAGE | {"ML209"}
    result = fix_source(
        nb.source,
        "churn.ipynb",
        active,
        unsafe=True,
        cell_last_lines=nb.cell_last_lines,
        line_map=nb.line_map(),
    )
    assert [a.diagnostic.code for a in result.applied] == ["ML209"]
    (before,) = [d for d in result.before if d.code == "ML001"]
    assert "`train_test_split` at cell 1, line 7 splits" in before.message
    written = nb.apply(result.source).text
    assert len(Notebook(written).lines) == len(nb.lines) + 2  # ``import math`` and a blank line
    fresh = check_notebook(Path("churn.ipynb"), active, data=written.encode()).diagnostics
    assert [d.message for d in result.remaining] == [d.message for d in fresh]
    (after,) = result.remaining
    assert "`train_test_split` at cell 1, line 9 splits" in after.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("x = 1\n", "import math\nx = 1\n"),  # before the first line: cell 1
        ("y = 2\n", "y = 2\nu = 0\n"),  # after a cell's last line: that cell
        ("z = 3\n", "import math\n\nz = 3\n"),  # before a cell's first line: the cell before
        ("y = 2\n", ""),  # a line deleted
        ("v = 5\n", ""),  # a whole cell emptied
        ("x = 1\ny = 2\n", "x = [\n    1,\n]\ny = 2\n"),  # a line replaced by three
    ],
)
def test_followed_line_map_is_the_map_of_the_written_notebook(old: str, new: str) -> None:
    nb = Notebook(make_notebook("x = 1\ny = 2\n", "z = 3\nw = 4\n", "v = 5\n"))
    assert nb.source.count(old) == 1
    fixed = nb.source.replace(old, new)
    written = Notebook(nb.apply(fixed).text)
    old_lines = sources.split_lines(nb.source)
    assert follow_line_map(nb.line_map(), old_lines, sources.split_lines(fixed)) == (
        written.line_map()
    )


# --------------------------------------------------------------- display lines
def test_only_a_top_level_last_statement_is_displayed() -> None:
    ctx = context(
        """\
        model.eval
        for step in range(3):
            model.eval
        if ready:
            model.eval
        model.train; model.eval
        """,
        cell_last_lines=frozenset({1, 3, 5, 6}),
        line_map={n: (1, n) for n in range(1, 7)},
    )
    assert displayed(ctx) == [1, 6]  # not the nested ones, not ``model.train`` before ``;``


def test_percent_format_cells() -> None:
    ctx = context(
        """\
        # %% [markdown]
        # # Training
        # %%
        import torch
        model.eval

        # a note before the next cell
        # %%
        for step in range(3):
            model.eval
        # %%
        model.eval;
        # %%
        model.train
        @torch.no_grad()
        def evaluate(net):
            return net(x)
        evaluate(model)
        """
    )
    assert ctx.cell_last_lines == frozenset({5, 10, 18})
    assert displayed(ctx) == [5, 18]  # not line 10: in a loop; not 12: ``;``; not 14


def test_sphinx_gallery_blocks_are_cells() -> None:
    ctx = context("x = 1\nx\n" + "#" * 30 + "\n# text\ny = x\ny\n")
    assert ctx.cell_last_lines == frozenset({2, 6})


def test_nbconvert_exports_are_cells() -> None:
    """``jupyter nbconvert --to script`` writes ``# In[N]:`` before each code cell (and
    markdown cells as comments): each cell displays its last expression there too."""
    ctx = context(
        """        #!/usr/bin/env python
        # coding: utf-8

        # # Exploring the data

        # In[1]:


        import pandas as pd
        frame = pd.read_csv("a.csv")
        frame.head()


        # In[ ]:


        frame.dropna()
        frame.fillna(0)
        """
    )
    assert ctx.cell_last_lines == frozenset({11, 18})
    assert displayed(ctx) == [11, 18]
    # ``# In[1]: text`` is a comment, not a marker.
    assert context("x = 1\nx\n# In[1]: see above\ny = 2\n").cell_last_lines == frozenset()


def test_a_script_without_cell_markers_has_no_cells() -> None:
    assert context("import torch\nmodel.eval\n").cell_last_lines == frozenset()


def test_a_notebook_cell_marker_comment_is_no_cell() -> None:
    """In a notebook the notebook's cells count, not ``# %%`` comments inside them."""
    text = make_notebook(
        "import pandas as pd\nimport torch\n",
        'frame = pd.read_csv("a.csv")\nframe.dropna()\n# %%\nprint(frame)\n',
        "model.eval\n# %%\nmodel.train()\n",
    )
    assert located(text, DISPLAY_RULES) == [(2, 2, "ML203"), (3, 1, "ML406")]


PERCENT_SCRIPT = """\
# %%
import pandas as pd
import torch

frame = pd.read_csv("runs.csv")
weights = torch.zeros(4)
model = torch.nn.Linear(4, 2)

# %%
for epoch in range(3):
    model.train()
    model.eval
# %%
if torch.cuda.is_available():
    weights.cuda()
# %%
for column in frame.columns:
    frame.sort_values(column)
# %%
model.eval
# %%
weights.cuda()
# %%
frame.sort_values("loss")
"""


def test_display_rules_share_the_percent_format_cells() -> None:
    found = runner.check_source(PERCENT_SCRIPT, "runs.py", DISPLAY_RULES)
    assert [(d.line, d.code) for d in found] == [(12, "ML406"), (15, "ML410"), (18, "ML203")]


def test_a_notebook_and_its_percent_export_agree() -> None:
    cells = PERCENT_SCRIPT.split("# %%\n")[1:]
    assert located(make_notebook(*cells), DISPLAY_RULES) == [
        (2, 3, "ML406"),
        (3, 2, "ML410"),
        (4, 2, "ML203"),
    ]


def test_engine_run_without_cells_flags_every_last_line() -> None:
    source = "import torch\nmodel = torch.nn.Linear(2, 2)\nfor _ in range(2):\n    model.eval\n"
    found = registry.engine(frozenset({"ML406"})).run_source(source)
    assert [d.line for d in found] == [4]
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    in_cell = registry.engine(frozenset({"ML406"})).run(tree, lines, "<nb>", frozenset({4}))
    assert [d.line for d in in_cell] == [4]  # nested: shown by no cell
