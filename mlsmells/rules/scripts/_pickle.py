"""Pickle-based loads: the calls that unpickle what they read (ML801, ML913)."""

from __future__ import annotations

import ast

from mlsmells.rules._util import constant, keyword
from mlsmells.semantic import kinds as K
from mlsmells.semantic.model import SemanticModel

#: Loads that always unpickle: qualified name -> the keyword of the data argument (first).
_ALWAYS: dict[str, str] = {
    "pickle.load": "file",
    "pickle.loads": "data",
    "_pickle.load": "file",
    "_pickle.loads": "data",
    "pickle5.load": "file",
    "pickle5.loads": "data",
    "dill.load": "file",
    "dill.loads": "str",
    "cloudpickle.load": "file",
    "cloudpickle.loads": "data",
    "joblib.load": "filename",
    "joblib.numpy_pickle.load": "filename",
    "pandas.read_pickle": "filepath_or_buffer",
    "pandas.io.pickle.read_pickle": "filepath_or_buffer",
}

#: Loads that unpickle when a flag says so: qualified name -> (data keyword, flag keyword,
#: the flag's position or None when keyword-only, the value that makes them unpickle).
_FLAGGED: dict[str, tuple[str, str, int | None, bool]] = {
    "numpy.load": ("file", "allow_pickle", 2, True),
    "torch.load": ("f", "weights_only", None, False),
    "torch.serialization.load": ("f", "weights_only", None, False),
}

#: Top-level packages of the loads (a file importing none of them has none).
PICKLE_ROOTS = frozenset(
    {"pickle", "_pickle", "pickle5", "dill", "cloudpickle", "joblib", "pandas", "numpy", "torch",
     "sklearn"}
)  # fmt: skip

#: The last part of every load's name (a cheap test before resolving a callee).
LOAD_NAMES = frozenset(name.rpartition(".")[2] for name in (*_ALWAYS, *_FLAGGED))


def pickle_load(model: SemanticModel, call: ast.Call) -> tuple[str, ast.expr | None] | None:
    """For a call that unpickles what it reads: its qualified name and the argument it
    reads (``None``: not found, behind ``*args``); ``None`` for any other call.

    ``np.load`` counts with ``allow_pickle`` known to be true (a literal or a name bound
    to one), ``torch.load`` with ``weights_only`` known to be false: without it,
    ``torch.load`` is ML401's (on PyTorch 2.6 and later it loads weights only).
    """
    qualname = model.qualname(call.func)
    if qualname is None:
        return None
    qualname = K.modern(qualname)  # sklearn.externals.joblib.load
    data_keyword = _ALWAYS.get(qualname)
    if data_keyword is None:
        flagged = _FLAGGED.get(qualname)
        if flagged is None:
            return None
        data_keyword, flag, position, unpickles = flagged
        given = keyword(call, flag)
        value = given.value if given is not None else None
        if value is None and position is not None and len(call.args) > position:
            value = call.args[position]
        found = constant(model, value)
        if found is None or found.value is not unpickles:
            return None
    given = keyword(call, data_keyword)
    if given is not None:
        return qualname, given.value
    if call.args and not isinstance(call.args[0], ast.Starred):
        return qualname, call.args[0]
    return qualname, None
