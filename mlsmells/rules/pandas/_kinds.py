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
