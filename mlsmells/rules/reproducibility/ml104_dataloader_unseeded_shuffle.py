"""ML104 dataloader-unseeded-shuffle: a shuffling `DataLoader` nothing seeds, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, is_none, keyword
from mlsmells.rules.torch._common import _has_star_args
from mlsmells.rules.torch._dataloader import (
    _DATALOADER,
    _LOADER_GENERATOR_POSITION,
    loader_argument,
)
from mlsmells.rules.torch._seeding import seeds_torch
from mlsmells.rules.torch._spelling import _spelling_data, spellable, spelled
from mlsmells.semantic.scopes import Binding, Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML104",
    name="dataloader-unseeded-shuffle",
    pylint_id="W7614",
    family=Family.REPRODUCIBILITY,
    message="`{loader}(..., shuffle=True)` without `generator=` in a module that never "
    "seeds torch: the batch order changes on every run",
    summary=(
        "A shuffling `DataLoader` has no seeded `generator` and nothing in the module seeds torch."
    ),
    rationale=(
        "With `shuffle=True` the sampler draws its permutation from a generator seeded "
        "from torch's global random state. Unless something seeds that state, every run "
        "sees the batches in a different order, so losses, checkpoints and bugs cannot be "
        "reproduced. A `generator=torch.Generator().manual_seed(seed)` makes the order "
        "reproducible without touching the global state. The rule is silent when the "
        "module seeds torch itself (`torch.manual_seed`, Lightning's `seed_everything`, "
        "`transformers.set_seed`, `accelerate.utils.set_seed`, or any call of a function "
        "named like a seeding helper such as `set_seed(42)`; `torch` may come from a star "
        "import of a project module that imports it), when the loader gets a "
        "`batch_sampler`, a `sampler` that is not None, or `**kwargs`, and when `shuffle` "
        "is not known to be true. Known true: a value fixed in the file (`True`, a name "
        "bound to it, `not False`, `sampler is None` after `sampler = None`, a parameter "
        "that every call of its function in the file passes `True` or leaves at a `True` "
        "default), a sampler object (`shuffle=RandomSampler(ds)` is true: the loader "
        "shuffles with its own unseeded sampler), and `shuffle=s is None` with "
        "`sampler=s` (it shuffles whenever no sampler is given). Same-file subclasses of "
        "`DataLoader` count as loaders. The dataloader hooks of a LightningModule or "
        "LightningDataModule are reported only in a file that builds the Trainer (a "
        "notebook, a script): elsewhere the script that builds it may seed. Not seen: "
        "values passed from other modules (a helper's `shuffle` parameter that only "
        "another module's calls set), seeding in another module, loaders in "
        "`%%writefile` cells, and subclasses of `DataLoader` from other modules."
    ),
    bad="loader = DataLoader(train_set, batch_size=64, shuffle=True)\n",
    good=(
        "loader = DataLoader(\n"
        "    train_set, batch_size=64, shuffle=True,\n"
        "    generator=torch.Generator().manual_seed(42),\n"
        ")\n"
    ),
    fix=Fix.SAFE,
    fix_summary=(
        "Add `generator=torch.Generator().manual_seed(<seed>)` (the configured seed, 42 by "
        "default)."
    ),
    fix_safety=(
        "Safe: every epoch still yields each sample exactly once, in a uniformly random "
        "order; only which order changes, and it is now the same on every run. The loader "
        "no longer draws its shuffling seed from torch's global generator, which nothing "
        "in this module seeds (so its draws were different on every run anyway). Offered "
        "for `torch.utils.data.DataLoader` itself, not for subclasses (whose constructor "
        "may not accept `generator`)."
    ),
)


_LIGHTNING_HOSTS = frozenset(
    {
        "lightning.pytorch.LightningModule",
        "lightning.pytorch.LightningDataModule",
        "lightning.LightningDataModule",
        "lightning.pytorch.core.LightningDataModule",
        "lightning.pytorch.core.datamodule.LightningDataModule",
    }
)


#: Lightning's Trainer: a file that builds one runs its modules' dataloader hooks itself.
_TRAINERS = frozenset(
    {
        "lightning.Trainer",
        "lightning.pytorch.Trainer",
        "lightning.pytorch.trainer.Trainer",
        "lightning.pytorch.trainer.trainer.Trainer",
    }
)
#: torch's samplers: an instance passed as ``shuffle=`` is true (a non-empty sampler), so
#: the loader shuffles with its own unseeded RandomSampler and ignores the object.
_SAMPLERS = frozenset(
    f"torch.utils.data.{name}"
    for name in (
        "RandomSampler", "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler",
        "BatchSampler", "DistributedSampler", "distributed.DistributedSampler",
        "sampler.RandomSampler", "sampler.SequentialSampler", "sampler.SubsetRandomSampler",
        "sampler.WeightedRandomSampler",
    )
)  # fmt: skip


class DataLoaderUnseededShuffle(Check):
    """ML104: shuffling DataLoader without a seeded generator in an unseeded module."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    #: A ``DataLoader(...)`` (shuffling by position or keyword), or a subclass's call with
    #: ``shuffle=``.
    words = ("DataLoader", "shuffle")

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.seeded = False
        self.trainer = False
        """Whether the file builds a Lightning Trainer (it is the program that runs the
        dataloader hooks of its Lightning modules)."""
        self.unseeded_shuffles: list[tuple[ast.Call, tuple[tuple[str, str], ...]]] = []
        """(the DataLoader call, the fixer's data: empty for a subclass)."""
        self.hosted: list[tuple[ast.Call, tuple[tuple[str, str], ...]]] = []
        """The same, in a Lightning module's hooks."""
        self.ended = False
        """Whether the walk of the module is over (what follows walks functions again)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if seeds_torch(self.model, node):
            self.seeded = True
            return
        qualname = self.model.qualname(node.func)
        if qualname in _TRAINERS:
            self.trainer = True
            return
        direct = qualname == _DATALOADER
        if not direct and not self._is_loader_subclass(node.func):
            return
        if has_star_kwargs(node) or _has_star_args(node):
            return
        if self._shuffles_unseeded(node, direct):
            data = _spelling_data(self.ctx, "torch.Generator") if direct else ()
            found = self.hosted if self._in_lightning_class() else self.unseeded_shuffles
            found.append((node, data))

    def _shuffles_unseeded(self, call: ast.Call, direct: bool) -> bool:
        if keyword(call, "generator") is not None:
            return False
        if direct and len(call.args) > _LOADER_GENERATOR_POSITION:
            return False
        if loader_argument(call, "batch_sampler", positional=direct) is not None:
            return False
        shuffle = loader_argument(call, "shuffle", positional=direct)
        if shuffle is None:
            return False
        sampler = loader_argument(call, "sampler", positional=direct)
        if sampler is not None:
            given = self.model.constant(sampler)
            if given is None:
                return _without(shuffle, sampler) and not self._sampler(sampler)
            if given.value is not None:
                return False
        return self._true(shuffle)

    def _sampler(self, expr: ast.expr) -> bool:
        """Whether ``expr`` is (a name bound to) a new torch sampler: not None."""
        value: ast.AST | None = expr
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
        return isinstance(value, ast.Call) and self.model.qualname(value.func) in _SAMPLERS

    def _true(self, shuffle: ast.expr) -> bool:
        """Whether ``shuffle`` is known to be true: a value fixed in the file, or a sampler
        object (``shuffle=RandomSampler(ds)``)."""
        fixed = self.model.constant(shuffle)
        if fixed is not None:
            return bool(fixed.value)
        return self._sampler(shuffle)

    def _in_lightning_class(self) -> bool:
        """In a LightningModule/LightningDataModule: the Trainer runs its dataloader hooks,
        and Lightning's scripts seed with ``seed_everything`` where they build the Trainer
        (when that is another file)."""
        klass = self.model.enclosing_class()
        pending = [klass.node] if klass is not None else []
        seen: set[int] = set()
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for base in node.bases:
                if self.model.qualname(base) in _LIGHTNING_HOSTS:
                    return True
                binding = self.model.lookup(base.id) if isinstance(base, ast.Name) else None
                if binding is not None and binding.is_class and binding.klass is not None:
                    pending.append(binding.klass.node)
        return False

    def _is_loader_subclass(self, func: ast.expr) -> bool:
        """A same-file subclass of DataLoader whose body does not handle generators itself."""
        if not isinstance(func, ast.Name):
            return False
        binding = self.model.lookup(func.id)
        seen: set[int] = set()
        while binding is not None and binding.is_class and binding.klass is not None:
            node = binding.klass.node
            if id(node) in seen:
                return False
            seen.add(id(node))
            source = self.ctx.source_of(node)
            if "generator" in source or "sampler" in source:
                return False
            parent: Binding | None = None
            for base in node.bases:
                if self.model.qualname(base) == _DATALOADER:
                    return True
                if isinstance(base, ast.Name):
                    parent = self.model.lookup(base.id)
            binding = parent
        return False

    def leave_scope(self, scope: Scope) -> None:
        """Report at the end of the module (seeding anywhere in it counts), and after that
        at the end of each function walked again (its parameters' values now known)."""
        if scope.type is ScopeType.MODULE:
            self.ended = True
        elif not self.ended:
            return
        found = self.unseeded_shuffles + (self.hosted if self.trainer else [])
        self.unseeded_shuffles, self.hosted = [], []
        if self.seeded:
            return
        for call, data in sorted(found, key=lambda item: (item[0].lineno, item[0].col_offset)):
            self.report("ML104", call, loader=self.ctx.source_of(call.func), data=data)


def _without(shuffle: ast.expr, sampler: ast.expr) -> bool:
    """``shuffle=sampler is None, sampler=sampler``: the loader shuffles (unseeded) exactly
    when no sampler is given, which the code provides for."""
    return (
        isinstance(shuffle, ast.Compare)
        and len(shuffle.ops) == 1
        and isinstance(shuffle.ops[0], ast.Is)
        and is_none(shuffle.comparators[0])
        and isinstance(shuffle.left, ast.Name)
        and isinstance(sampler, ast.Name)
        and shuffle.left.id == sampler.id
    )


# ---------------------------------------------------------------------- fix


def seeded_generator(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``DataLoader(ds, shuffle=True)`` -> ``DataLoader(ds, shuffle=True,
    generator=torch.Generator().manual_seed(<seed>))`` (torch's own DataLoader only)."""
    call = ctx.find(diag, cst.Call)
    if call is None or fx.keyword_arg(call, "generator"):
        return None
    found = spelled(ctx, diag)
    if found is None:
        return None
    text, imports = found
    generator = fx.parse_expression(f"{text}().manual_seed({ctx.seed})")
    return fx.Edit(call, fx.add_keyword(call, "generator", generator), imports)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the rule found how to spell ``torch.Generator`` here (``spelling``), and
    the import it may need is possible."""
    return Fix.SAFE if spellable(diag) else Fix.NONE


FIXES = {"ML104": seeded_generator}
FIXABLE = {"ML104": fix_applies}
