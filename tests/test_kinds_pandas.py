"""Kinds of pandas values that come out of grouping, indexers, accessors, loops, callbacks
and removed library spellings (the model; the rules read these)."""

from __future__ import annotations

import ast
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.engine import Check
from mlsmells.semantic.kinds import Kind


class _Probe(Check):
    """Records the kind of the value of each expression statement (in no rule module)."""

    seen: ClassVar[dict[int, Kind | None]] = {}
    nodes = (ast.Expr,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        self.seen[node.lineno] = self.model.kind_of(node.value)


def kind_of_last(source: str) -> Kind | None:
    """The kind of the expression statement on the last line of ``source``."""
    _Probe.seen = {}
    engine = registry.engine(frozenset())
    engine.checks = [_Probe]
    engine.run_source(source)
    return _Probe.seen[len(source.splitlines())]


FRAME = "import pandas as pd\nimport numpy as np\ndf = pd.read_csv('a.csv')\ns = df['a']\n"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        # grouping and windows
        ("df.groupby('k')", Kind.FRAME_GROUPBY),
        ("df.groupby('k').agg({'a': 'sum'})", Kind.DATAFRAME),
        ("df.groupby('k').mean()", Kind.DATAFRAME),
        ("df.groupby('k').size()", Kind.SERIES),
        ("df.groupby('k')['a'].sum()", Kind.SERIES),
        ("df.groupby('k')['a'].agg(['sum', 'mean'])", Kind.DATAFRAME),
        ("df.groupby('k')[['a', 'b']].max()", Kind.DATAFRAME),
        ("df.rolling(3).mean()", Kind.DATAFRAME),
        ("s.rolling(3).mean()", Kind.SERIES),
        ("df.groupby('k').plot()", None),
        # indexers
        ("df.loc[df['a'] > 0]", Kind.DATAFRAME),
        ("df.loc[:, 'a']", Kind.SERIES),
        ("df.loc[:, ['a', 'b']]", Kind.DATAFRAME),
        ("df.iloc[10:20]", Kind.DATAFRAME),
        ("df.iloc[:, 0]", Kind.SERIES),
        ("df.loc[0]", None),  # one row as a Series, or a frame with duplicate labels
        ("df.iloc[0, 1]", None),  # a value
        ("df.loc[~df['a'].isna()]", Kind.DATAFRAME),
        ("s.loc[s > 0]", Kind.SERIES),
        ("s[s > 0]", Kind.SERIES),
        ("s[2:5]", Kind.SERIES),
        ("s[0]", None),
        # accessors and functions
        ("s.str.lower()", Kind.SERIES),
        ("s.dt.year", Kind.SERIES),
        ("s.str.split(',')", None),
        ("pd.to_datetime(s)", Kind.SERIES),
        ("pd.to_datetime('2020-01-01')", None),
        ("pd.concat([df, df])", Kind.DATAFRAME),
        ("pd.concat([pd.read_csv(f) for f in files])", Kind.DATAFRAME),
        ("pd.concat([s, s])", Kind.SERIES),
        ("pd.concat([s, s], axis=1)", Kind.DATAFRAME),
        ("pd.concat(frames)", None),
        ("pd.read_csv('a.csv', chunksize=100)", None),
        ("s.reset_index()", Kind.DATAFRAME),
        ("s.reset_index(drop=True)", Kind.SERIES),
        ("df.add(1)", Kind.DATAFRAME),
        ("df.pipe(f)", None),
        # columns chosen by a list made elsewhere
        ("df[[c for c in df.columns if c != 'y']]", Kind.DATAFRAME),
        ("df[df.columns[1:]]", Kind.DATAFRAME),
        # the libraries' convention for methods giving pandas objects
        ("client.query(q).to_dataframe()", Kind.DATAFRAME),
        ("table.to_pandas()", Kind.FRAME_OR_SERIES),
        ("s.to_frame()", Kind.DATAFRAME),
    ],
)
def test_pandas_api_kinds(code: str, kind: Kind | None) -> None:
    assert kind_of_last(FRAME + code + "\n") is kind


@pytest.mark.parametrize(
    ("loop", "kind"),
    [
        ("for i, row in df.iterrows():\n    row\n", Kind.SERIES),
        ("for i, row in enumerate(df.iterrows()):\n    row\n", None),
        ("for name, col in df.items():\n    col\n", Kind.SERIES),
        ("for key, group in df.groupby('k'):\n    group\n", Kind.DATAFRAME),
        ("for key, part in df.groupby('k')['a']:\n    part\n", Kind.SERIES),
        ("for chunk in pd.read_csv('a.csv', chunksize=10):\n    chunk\n", Kind.DATAFRAME),
        ("for d in [df, df.copy()]:\n    d\n", Kind.DATAFRAME),
        ("combine = [df, df.dropna()]\nfor dataset in combine:\n    dataset\n", Kind.DATAFRAME),
        ("for i, d in enumerate([df, df]):\n    d\n", Kind.DATAFRAME),
        ("for d in [df, {}]:\n    d\n", None),
        ("for row in df.itertuples():\n    row\n", None),
        ("frames = [pd.read_csv(f) for f in files]\n[d for d in frames]\nfor d in frames:\n    d\n",
         Kind.DATAFRAME),
        ("for k, v in s.items():\n    v\n", None),
    ],
)
def test_loop_targets(loop: str, kind: Kind | None) -> None:
    assert kind_of_last(FRAME + loop) is kind


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("df.apply(lambda row: row, axis=1)", Kind.SERIES),
        ("df.apply(func=lambda col: col)", Kind.SERIES),
        ("df.pipe(lambda d: d)", Kind.DATAFRAME),
        ("df.groupby('k').apply(lambda g: g)", Kind.DATAFRAME),
        ("df.groupby('k')['a'].transform(lambda g: g)", Kind.SERIES),
        ("s.apply(lambda v: v)", None),  # a value
        ("s.map(lambda v: v)", None),
        ("sorted(items, key=lambda v: v)", None),
        ("df.apply(f, args=(lambda v: v,))", None),
    ],
)
def test_callback_parameters(call: str, kind: Kind | None) -> None:
    """The kind of the lambda's parameter, read where the lambda's body uses it."""
    source = FRAME + call + "\n"
    tree = ast.parse(source)
    lam = next(n for n in ast.walk(tree) if isinstance(n, ast.Lambda))
    seen: list[Kind | None] = []

    class Body(Check):
        nodes = (ast.Name,)

        def visit(self, node: ast.AST) -> None:
            if node is lam.body:
                seen.append(self.model.kind_of(lam.body))

    engine = registry.engine(frozenset())
    engine.checks = [Body]
    engine.run(tree, source.splitlines(keepends=True))
    assert seen == [kind]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("from sklearn.preprocessing import Imputer\nImputer().fit(X)\n", None),
        ("from sklearn.preprocessing import Imputer\nImputer()\n", Kind.SK_TRANSFORMER),
        ("from sklearn.cross_validation import KFold\nKFold(5)\n", Kind.SK_SPLITTER),
        ("from torch.autograd import Variable\nVariable(x)\n", Kind.TENSOR),
    ],
)
def test_removed_spellings_have_the_kinds_of_their_successors(
    source: str, kind: Kind | None
) -> None:
    assert kind_of_last(source) is kind
