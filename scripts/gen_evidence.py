"""Generate ``mlsmells/data/evidence.py`` from the installed libraries.

    python scripts/gen_evidence.py            # rewrite the table
    python scripts/gen_evidence.py --check    # exit 1 when the committed table differs

A use of a name can prove what the name holds: ``x.iterrows()`` is possible on a
pandas DataFrame and on nothing else a notebook is likely to hold. This script
derives those attributes from the libraries' real APIs, by introspection (nothing
is run but ``dir``): the public attributes of the pandas DataFrame and Series, of
``torch.Tensor`` and of ``torch.nn.Module``, minus every attribute of the
look-alikes below (NumPy arrays and scalars, Python containers and strings,
xarray's Dataset and DataArray, polars' DataFrame, Series and LazyFrame, SciPy's
sparse matrices, scikit-learn estimators, networkx graphs, torch's DataLoader,
optimizers and schedulers, and each other). What is left is evidence: an attribute
no look-alike has. Tensors get only their distinctive and in-place methods.

pandas' own clones (dask, modin, cuDF, pandas API on Spark) have the pandas
attributes on purpose; the rules take no pandas evidence in a file that imports
one (:data:`PANDAS_CLONES`).

The look-alike libraries are test dependencies, so ``tests/test_evidence.py``
re-runs this derivation and fails when the committed table is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "mlsmells" / "data" / "evidence.py"

#: Attributes left out although no look-alike has them: names too generic to tell a
#: library by (a project's own class, or any other library, may well use them).
TOO_GENERIC = frozenset(
    {
        "attrs", "flags", "style", "plot", "hist", "boxplot", "info", "update", "pop",
        "insert", "get", "items", "keys", "first", "last", "size", "empty", "name", "mode",
        "rank", "apply", "map", "pipe", "agg", "aggregate", "transform", "filter", "eval",
        "query", "compare", "combine", "align", "select", "xs", "cov", "div", "divide",
        "multiply", "subtract", "add_prefix", "add_suffix", "equals", "cuda", "cpu", "to",
        "float", "double", "half", "bool", "int", "long", "byte", "char", "short", "type",
        "data", "device", "layout", "names", "forward", "apply_", "zero_", "share_memory",
        "backward", "register_hook", "train", "children", "modules", "buffers",
        "grad", "requires_grad", "is_leaf", "is_cuda", "retain_grad", "new", "element_size",
        "compile", "T_destination", "dump_patches", "call_super_init",
    }
)  # fmt: skip

#: Tensor attributes distinctive of torch (most of a Tensor's other methods are mathematical
#: words any array library, or a project's class, may use: ``det``, ``flip``, ``inverse``):
#: these and the in-place methods (``add_``), when no look-alike has them.
DISTINCTIVE_TENSOR = frozenset(
    {
        "detach", "unsqueeze", "numel", "contiguous", "masked_fill", "expand_as", "view_as",
        "type_as", "index_select", "grad_fn", "data_ptr", "get_device",
        "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "is_contiguous",
        "permute", "narrow", "unbind", "masked_select", "masked_scatter", "logsumexp",
        "log_softmax", "softmax", "index_add", "index_copy", "index_fill", "index_put",
        "scatter_add", "scatter_reduce", "is_floating_point", "storage_offset",
    }
)  # fmt: skip


def _public(obj: object) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


def _lookalikes() -> set[str]:
    import networkx
    import numpy
    import polars
    import scipy.sparse
    import sklearn.base
    import torch
    import xarray

    names: set[str] = set()
    for obj in (
        numpy.ndarray, numpy.generic, numpy.ma.MaskedArray, dict, list, tuple, set, str,
        bytes, xarray.Dataset, xarray.DataArray, polars.DataFrame, polars.Series,
        polars.LazyFrame, scipy.sparse.csr_matrix, scipy.sparse.csr_array,
        sklearn.base.BaseEstimator, networkx.Graph, torch.utils.data.DataLoader,
        torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler,
    ):  # fmt: skip
        names |= _public(obj)
    return names


def derive() -> tuple[dict[str, str], list[str], list[str]]:
    """(pandas attribute -> "DataFrame" / "Series" / "DataFrame or Series", tensor-only
    attributes, Module-only attributes)."""
    import pandas
    import torch

    others = _lookalikes() | TOO_GENERIC
    frame, series, index = _public(pandas.DataFrame), _public(pandas.Series), _public(pandas.Index)
    tensor, module = _public(torch.Tensor), _public(torch.nn.Module)
    not_pandas = others | index | tensor | module
    pandas_evidence: dict[str, str] = {}
    for name in sorted((frame | series) - not_pandas):
        if name in frame and name in series:
            pandas_evidence[name] = "DataFrame or Series"
        else:
            pandas_evidence[name] = "DataFrame" if name in frame else "Series"
    tensors = sorted(
        name
        for name in tensor - others - frame - series - index - module
        if name.endswith("_") or name in DISTINCTIVE_TENSOR
    )
    modules = sorted(module - others - frame - series - index - tensor)
    return pandas_evidence, tensors, modules


def render() -> str:
    import pandas
    import polars
    import torch
    import xarray

    pandas_evidence, tensors, modules = derive()
    lines = [
        '"""Evidence: attributes whose use proves what a name holds (generated; do not edit).',
        "",
        "Written by ``scripts/gen_evidence.py`` from pandas "
        f"{pandas.__version__}, torch {torch.__version__.split('+')[0]}, xarray "
        f"{xarray.__version__} and",
        f"polars {polars.__version__} (and the other look-alikes that script lists): an "
        "attribute is here",
        "when the library object has it and none of the look-alikes does.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "#: pandas attribute -> which pandas objects have it.",
        "PANDAS: dict[str, str] = {",
    ]
    lines += [f'    "{name}": "{kind}",' for name, kind in pandas_evidence.items()]
    lines += ["}", "", "#: Distinctive attributes of ``torch.Tensor`` only."]
    lines += ["TENSOR: frozenset[str] = frozenset("]
    lines += ["    {"] + [f'        "{name}",' for name in tensors] + ["    }", ")", ""]
    lines += ["#: Attributes of ``torch.nn.Module`` only.", "MODULE: frozenset[str] = frozenset("]
    lines += ["    {"] + [f'        "{name}",' for name in modules] + ["    }", ")", ""]
    lines += [
        "#: Packages that copy pandas' API: no pandas evidence in a file importing one.",
        'PANDAS_CLONES = frozenset({"dask", "modin", "cudf", "pyspark", "databricks"})',
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale: run python scripts/gen_evidence.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
