"""What pandas object an expression is: the kinds the pandas rules accept, and the
indexing steps from a DataFrame to a selection of it."""

from __future__ import annotations

import ast

from mlsmells.data import pandas_api
from mlsmells.semantic import kinds as K
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel

#: Attribute indexers: ``X.loc[k]`` is one indexing step (``ix`` was removed in pandas 1.0).
_INDEXERS = frozenset({"loc", "iloc", "at", "iat", "ix"})

#: What the pandas rules accept as showing that a value is a DataFrame or a Series (their
#: documentation quotes it).
KIND_EVIDENCE = (
    "A value is known to be a DataFrame or a Series when the code shows it: a pandas "
    "constructor or reader, `pd.concat`/`merge`, a pandas method, indexer or column of "
    "another one (`df.col`, `df.loc[...]`, a groupby's `sum()`), a function of the file "
    "or of another module of the project returning one, a parameter to which every "
    "call of its function in the file passes one, a loop or comprehension over a list "
    "or dict of them, the rows of `iterrows()` and of `apply(..., axis=1)`, or a use of "
    "the name that only pandas allows (`x.iloc`, `x.iterrows()`, "
    "`x.fillna(..., inplace=True)`; not in a file importing a pandas look-alike such as "
    "polars or xarray)."
)

#: The kinds of pandas objects (what a pandas method's receiver can be).
PANDAS_KINDS = K.PANDAS_KINDS
FRAME_OR_SERIES = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.FRAME_OR_SERIES})


def frame_steps(model: SemanticModel, expr: ast.expr) -> list[str] | None:
    """The indexing steps from a DataFrame to ``expr``, innermost first.

    ``None`` when ``expr`` is not an indexing chain on an expression the
    model knows to be a DataFrame. Steps: ``getitem`` (``X[k]``), an
    attribute indexer (``X.loc[k]`` ...), ``attr`` (``df.col``, a column
    read as an attribute: only directly on the DataFrame, and only for
    names that are no DataFrame member).
    """
    steps: list[str] = []
    while isinstance(expr, ast.Subscript):
        value = expr.value
        if isinstance(value, ast.Attribute) and value.attr in _INDEXERS:
            steps.append(value.attr)
            expr = value.value
        else:
            steps.append("getitem")
            expr = value
    if (
        isinstance(expr, ast.Attribute)
        and expr.attr not in pandas_api.FRAME_MEMBERS
        and expr.attr not in _INDEXERS
        and model.kind_of(expr.value) is Kind.DATAFRAME
    ):
        steps.append("attr")
        expr = expr.value
    if not steps or model.kind_of(expr) is not Kind.DATAFRAME:
        return None
    steps.reverse()
    return steps
