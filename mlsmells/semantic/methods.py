"""The kind a method returns, called on a value of a known kind (``df.dropna()`` is a
DataFrame, ``loss.detach()`` a Tensor, ``df.groupby(k).sum()`` a DataFrame)."""

from __future__ import annotations

import ast

from mlsmells.semantic import kinds as K
from mlsmells.semantic.kinds import Kind

#: Tensor methods after which a loss no longer carries autograd history.
_LOSS_DETACHING = frozenset({"detach"})


def method_result(receiver: Kind, method: str, call: ast.Call) -> Kind | None:
    if receiver in (Kind.DATAFRAME, Kind.SERIES) and method in K.GROUPING_METHODS:
        return Kind.FRAME_GROUPBY if receiver is Kind.DATAFRAME else Kind.SERIES_GROUPBY
    if receiver is Kind.FRAME_GROUPBY or receiver is Kind.SERIES_GROUPBY:
        return _grouped_result(receiver, method, call)
    if receiver is Kind.SERIES_ACCESSOR:
        return None if method in K.ACCESSOR_NOT_SERIES else Kind.SERIES
    if receiver is Kind.FRAME_OR_SERIES:
        if method in K.FRAME_TO_FRAME and method in K.SERIES_TO_SERIES:
            return Kind.FRAME_OR_SERIES
        return Kind.NDARRAY if method == "to_numpy" else None
    if receiver is Kind.DATAFRAME:
        if method in K.FRAME_TO_FRAME:
            return Kind.DATAFRAME
        if method in K.FRAME_TO_SERIES:
            if any(kw.arg == "axis" and _is_none(kw.value) for kw in call.keywords):
                return None
            return Kind.SERIES
        if method == "to_numpy":
            return Kind.NDARRAY
        return None
    if receiver is Kind.SERIES:
        if method in K.SERIES_TO_SERIES:
            return Kind.SERIES
        if method == "reset_index":
            drop = next((kw.value for kw in call.keywords if kw.arg == "drop"), None)
            if drop is None or (isinstance(drop, ast.Constant) and drop.value is False):
                return Kind.DATAFRAME
            return Kind.SERIES if isinstance(drop, ast.Constant) else None
        if method == "to_numpy" or method == "unique":
            return Kind.NDARRAY
        if method == "to_frame":
            return Kind.DATAFRAME
        return None
    if receiver is Kind.NDARRAY:
        return Kind.NDARRAY if method in K.NDARRAY_TO_NDARRAY else None
    if receiver.is_tensor:
        if method in K.TENSOR_TO_TENSOR:
            keeps_graph = receiver is Kind.LOSS and method not in _LOSS_DETACHING
            return Kind.LOSS if keeps_graph else Kind.TENSOR
        return None
    if receiver.is_module and method in K.MODULE_TO_MODULE:
        return receiver
    return None


def _grouped_result(receiver: Kind, method: str, call: ast.Call) -> Kind | None:
    """A reduction of a groupby or window object: a frame over a frame, a Series over a
    Series (``agg`` with a list of functions gives a frame either way)."""
    if method == "size":
        return Kind.SERIES
    if method not in K.GROUPBY_REDUCTIONS:
        return None
    if receiver is Kind.FRAME_GROUPBY:
        return Kind.DATAFRAME
    if method in ("agg", "aggregate") and call.args and isinstance(call.args[0], ast.List):
        return Kind.DATAFRAME
    return Kind.SERIES


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
