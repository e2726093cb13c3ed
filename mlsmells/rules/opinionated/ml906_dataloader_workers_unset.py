"""ML906 dataloader-workers-unset: a `DataLoader` built without `num_workers`."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules._util import has_star_kwargs
from mlsmells.rules.torch._common import _has_star_args
from mlsmells.rules.torch._dataloader import _DATALOADER, loader_argument
from mlsmells.semantic.names import last_names

RULE = Rule(
    code="ML906",
    name="dataloader-workers-unset",
    pylint_id="C7686",
    family=Family.OPINIONATED,
    message="`{loader}(...)` without `num_workers=`: batches are loaded in the main process",
    summary="A `DataLoader` is built without `num_workers`.",
    rationale=(
        "By default a `DataLoader` loads and collates every batch in the training "
        "process itself, between optimizer steps, so the accelerator waits for the data "
        "pipeline. Setting `num_workers` (and usually `pin_memory=True`) overlaps loading "
        "with computation. Stating `num_workers=0` explicitly records that the choice was "
        "made. A loader given `**kwargs`, or six positional arguments, is not reported."
    ),
    bad="loader = DataLoader(train_set, batch_size=64, shuffle=True)\n",
    good="loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=4)\n",
    default_enabled=False,
    noise=(
        "Fires on every loader of small in-memory datasets, tests, notebooks and Windows "
        "scripts, where worker processes cost more than they save or cannot be used "
        "(TorchFix keeps its equivalent, TOR401, off by default for the same reason)."
    ),
)


class DataLoaderWorkersUnset(Check):
    """ML906: DataLoader without ``num_workers``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    call_names = last_names({_DATALOADER})
    words = tuple(last_names({_DATALOADER}))

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        # torch's own DataLoader only (ML104 also looks at same-file subclasses)
        if self.model.qualname(node.func) != _DATALOADER:
            return
        if has_star_kwargs(node) or _has_star_args(node):
            return
        if loader_argument(node, "num_workers", positional=True) is None:
            self.report("ML906", node, loader=self.ctx.source_of(node.func))
