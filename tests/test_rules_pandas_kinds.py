"""ML203-ML208: receivers the model knows to be pandas objects, and nothing else.

The near misses the issue names (a dict, an xarray or polars object, a torch
tensor) are in the fixtures; here each rule is also run on the same statement
with only the receiver's origin changed, so a rule that fires without knowing
the kind fails here.
"""

from __future__ import annotations

import ast
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.semantic.kinds import Kind


def findings(
    code: str, source: str, cell_last_lines: frozenset[int] = frozenset()
) -> list[Diagnostic]:
    import ast

    tree = ast.parse(source)
    engine = registry.engine(frozenset({code}))
    found = engine.run(tree, source.splitlines(keepends=True), "x.py", cell_last_lines)
    return [d for d in found if d.code == code]


ORIGINS = {
    "pandas": "import pandas as pd\nobj = pd.read_csv('a.csv')\n",
    "dict": "import pandas as pd\nobj = {'a': [1, 2]}\n",
    "polars": "import pandas as pd\nimport polars as pl\nobj = pl.read_csv('a.csv')\n",
    "xarray": "import pandas as pd\nimport xarray as xr\nobj = xr.open_dataset('a.nc')\n",
    "torch": "import pandas as pd\nimport torch\nobj = torch.zeros(3)\n",
    "parameter": "import pandas as pd\ndef f(obj):\n    pass\n",
}
STATEMENTS = {
    "ML203": "obj.dropna()\n",
    "ML204": "obj.dropna(inplace=True)\n",
    "ML206": "x = obj.values\n",
    "ML208": "obj.iteritems()\n",
}


@pytest.mark.parametrize("origin", sorted(ORIGINS))
@pytest.mark.parametrize("code", sorted(STATEMENTS))
def test_only_pandas_receivers(code: str, origin: str) -> None:
    found = findings(code, ORIGINS[origin] + STATEMENTS[code])
    assert bool(found) == (origin == "pandas"), found


# --------------------------------------------------------------- the model
class _Probe(Check):
    """Records the kind of each expression statement (not registered as a rule)."""

    seen: ClassVar[dict[int, Kind | None]] = {}
    nodes = (ast.Expr,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        self.seen[node.lineno] = self.model.kind_of(node.value)


def _kinds(source: str) -> dict[int, Kind | None]:
    _Probe.seen = {}
    engine = registry.engine(frozenset())
    engine.checks = [_Probe]
    engine.run_source(source)
    return dict(_Probe.seen)


def test_list_of_columns_in_a_name_selects_a_frame() -> None:
    source = "import pandas as pd\ndf = pd.read_csv('a')\nFEATURES = ['a', 'b']\ncol = 'a'\n"
    kinds = _kinds(source + "df[FEATURES]\ndf[col]\ndf[key]\ndf[0]\n")
    assert kinds[5] is Kind.DATAFRAME
    assert kinds[6] is Kind.SERIES  # a name bound to a label
    assert kinds[7] is Kind.FRAME_OR_SERIES  # a label or a list of them: unknown which
    assert kinds[8] is None  # a label that is no string: maybe a row of an integer index


def test_removed_append_kept_the_kind() -> None:
    source = "import pandas as pd\ndf = pd.read_csv('a')\ndf = df.append(df)\n"
    kinds = _kinds(source + "s = df['a'].append(df['b'])\ndf\ns\n")
    assert kinds[5] is Kind.DATAFRAME
    assert kinds[6] is Kind.SERIES


# --------------------------------------------------------------------- ML203
FRAME = "import pandas as pd\ndf = pd.read_csv('a.csv')\n"


def test_ml203_notebook_cell_display_is_silent() -> None:
    source = FRAME + "df.sort_values('a')\n"
    assert findings("ML203", source)
    assert not findings("ML203", source, cell_last_lines=frozenset({3}))


def test_ml203_percent_cells() -> None:
    source = FRAME + "# %%\ndf.sort_values('a')\n\n# a comment\n# %%\ndf.dropna()\nx = 1\n"
    assert [d.line for d in findings("ML203", source)] == [8]
    # Without any cell marker the file is a plain script: the last line is no display.
    assert [d.line for d in findings("ML203", FRAME + "df.dropna()\n")] == [3]


def test_ml203_fix_data() -> None:
    found = findings("ML203", FRAME + "df.dropna()\ndf['a'].astype(int)\n")
    assert [d.get("receiver") for d in found] == ["name", "expression"]


# --------------------------------------------------------------------- ML204
def test_ml204_leaves_assigned_results_and_selections_to_ml202_and_ml201() -> None:
    source = FRAME + "df = df.dropna(inplace=True)\ndf['a'].fillna(0, inplace=True)\n"
    assert findings("ML204", source) == []


def test_ml204_fix_data() -> None:
    source = FRAME + (
        "df.dropna(inplace=True)\nprint(df.dropna(inplace=True))\n"
        "def f(frame: pd.DataFrame):\n    frame.dropna(inplace=True)\n"
        "def g(frame: pd.DataFrame):\n    frame = frame.copy()\n    frame.dropna(inplace=True)\n"
    )
    data = {d.line: dict(d.data) for d in findings("ML204", source)}
    assert data[3] == {"method": "dropna", "statement": "yes"}
    assert data[4]["statement"] == "no"
    assert data[6]["parameter"] == "yes"
    assert "parameter" not in data[9]  # rebound: no longer the caller's object


# --------------------------------------------------------------------- ML205
@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("    total.append(row['a'] * 2)\n", True),
        ("    df.loc[i, 'b'] = row['a'] + 1\n", True),
        ("    print(row['a'])\n", False),
        ("    total.append(score(row))\n", False),
        ("    total.append(model.predict(row))\n", False),
        ("    total.append(np.log(row['a']))\n", True),
        ("    requests.get(row['url'])\n", False),
        ("    yield row\n", False),
    ],
)
def test_ml205_loop_bodies(body: str, reported: bool) -> None:
    source = (
        "import numpy as np\nimport pandas as pd\nimport requests\n"
        "df = pd.read_csv('a.csv')\ntotal = []\n"
        "def score(r):\n    return 1\n"
        "def run(model):\n  for i, row in df.iterrows():\n"
        + "\n".join("  " + line for line in body.splitlines())
        + "\n"
    )
    assert bool(findings("ML205", source)) == reported


@pytest.mark.parametrize(
    ("function", "reported"),
    [
        ("lambda r: r['a'] * r['b'] + 1", True),
        ("lambda r: r.a - r.b", True),
        ("lambda r: 1 if r['a'] > 0 else 0", True),
        ("lambda r: np.sqrt(r['a'])", True),
        ("lambda r: r.name", False),
        ("lambda r: r['a'].upper()", False),
        ("lambda r: str(r['a'])", False),
        ("lambda r: f(r)", False),
        ("lambda r: 3", False),
        ("lambda r, k: r['a'] * k", False),
    ],
)
def test_ml205_apply_lambdas(function: str, reported: bool) -> None:
    source = "import numpy as np\nimport pandas as pd\ndf = pd.read_csv('a')\n"
    source += f"y = df.apply({function}, axis=1)\n"
    assert bool(findings("ML205", source)) == reported


# --------------------------------------------------------------------- ML207
def test_ml207_loop_else_and_nested_definitions_are_not_the_loop() -> None:
    source = FRAME + (
        "for i in range(3):\n    pass\nelse:\n    df = pd.concat([df, df])\n"
        "for i in range(3):\n    def g(df):\n        df = pd.concat([df, df])\n"
        "for i in range(3):\n    df = pd.concat([df, df])\n"
    )
    assert [d.line for d in findings("ML207", source)] == [11]


# --------------------------------------------------------------------- ML208
def test_ml208_method_names_only_when_called() -> None:
    """`df.first` alone may be a column named "first" (pandas 3 has no such method)."""
    source = FRAME + "a = df.first\nb = df.first('3D')\nc = df.ix\nd = df.ix[0]\n"
    assert [d.line for d in findings("ML208", source)] == [4, 6]


def test_ml208_imports_are_reported_once() -> None:
    source = (
        "import pandas as pd\nfrom pandas import np\nimport pandas.util.testing as tm\n"
        "x = np.nan\ntm.assert_frame_equal(pd.DataFrame(), pd.DataFrame())\n"
    )
    assert [d.line for d in findings("ML208", source)] == [2, 3]


def test_ml208_append_fix_data() -> None:
    source = FRAME + (
        "other = pd.read_csv('b.csv')\n"
        "a = df.append(other)\nb = df.append({'x': 1}, ignore_index=True)\n"
        "c = df.append(rows)\nd = df.append({'x': 1})\n"
    )
    data = {d.line: dict(d.data) for d in findings("ML208", source)}
    assert data[4]["other"] == "same" and data[4]["pandas"] == "pd"
    assert data[5]["other"] == "dict"
    assert "other" not in data[6] and "other" not in data[7]


def test_ml203_nbconvert_export_cells() -> None:
    cells = "\n# In[64]:\n\n\ndf.sort_values('a')\ndf.dropna()\n\n\n# In[ ]:\n\n\ndf.fillna(0)\n"
    source = FRAME + cells
    assert [d.line for d in findings("ML203", source)] == [7]  # not 8, not 14: displayed


def test_ml203_sphinx_gallery_blocks_are_cells() -> None:
    source = FRAME + "df.sort_values('a')\n" + "#" * 79 + "\n# Next section\ndf.dropna()\n"
    assert [d.line for d in findings("ML203", source)] == []  # both end a block


def test_messages_abbreviate_long_receivers() -> None:
    source = FRAME + "x = df.pivot_table(\n    index='a', columns='b', values='c'\n).values\n"
    (found,) = findings("ML206", source)
    assert "`df.pivot_table(...).values`" in found.message and "\n" not in found.message
