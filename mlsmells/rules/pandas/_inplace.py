"""Which pandas methods take ``inplace``, and what they return with it (ML201-ML204)."""

from __future__ import annotations

import ast

from mlsmells.data import pandas_api
from mlsmells.rules._util import is_true, keyword

#: Methods that took ``inplace`` before pandas 2.0 removed it there (pandas 2.0
#: release notes, "Removal of prior version deprecations"): code written for
#: older pandas still calls them so, and the result was None as well.
_REMOVED_INPLACE_METHODS = frozenset(
    {
        "set_axis",
        "set_levels",
        "set_codes",
        "add_categories",
        "remove_categories",
        "remove_unused_categories",
        "rename_categories",
        "reorder_categories",
        "set_categories",
        "as_ordered",
        "as_unordered",
    }
)
INPLACE_METHODS = pandas_api.INPLACE_METHODS | _REMOVED_INPLACE_METHODS

#: Methods that return the object itself with ``inplace=True`` since pandas 3.0
#: (None before): assigning their result binds None only on older pandas.
RETURN_SELF_SINCE_3 = frozenset(
    {"fillna", "ffill", "bfill", "interpolate", "replace", "clip", "where", "mask"}
)


def inplace_true(call: ast.Call) -> bool:
    kw = keyword(call, "inplace")
    return kw is not None and is_true(kw.value)
