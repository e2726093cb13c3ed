"""ML401 torch-load-unsafe: `torch.load` without `weights_only=`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, is_none, keyword
from mlsmells.rules.torch._common import _has_star_args
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML401",
    name="torch-load-unsafe",
    pylint_id="W7641",
    family=Family.TORCH,
    message="`torch.load` {how} can unpickle arbitrary code{note}",
    summary="`torch.load(...)` is called without `weights_only`.",
    rationale=(
        "`torch.load` uses pickle. With `weights_only=False` (the default before PyTorch "
        "2.6) loading a checkpoint from an untrusted source runs arbitrary code. Since 2.6 "
        "the default flipped to `True`, so code that does not say which it wants behaves "
        "differently across versions. State it explicitly: `weights_only=True` for tensors "
        "and state dicts. A call passing `pickle_module=` (by keyword or as the third "
        "argument) is reported too: with a pickle module `torch.load` defaults to "
        "`weights_only=False` in every version, and refuses `weights_only=True`; it "
        "gets no fix."
    ),
    bad='state = torch.load("checkpoint.pt")\n',
    good='state = torch.load("checkpoint.pt", weights_only=True)\n',
    fix=Fix.UNSAFE,
    fix_summary="Add `weights_only=True` (not offered when `pickle_module=` is passed).",
    fix_safety=(
        "Unsafe: on PyTorch before 2.6 a checkpoint holding arbitrary pickled objects "
        "(a whole model, custom classes) no longer loads and raises instead."
    ),
)


_LOADERS = frozenset({"torch.load", "torch.serialization.load"})


class TorchLoadUnsafe(Check):
    """ML401: ``torch.load`` without ``weights_only=``, or with a ``pickle_module``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})

    words = ("load",)
    call_names = last_names(_LOADERS)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if self.model.qualname(node.func) not in _LOADERS:
            return
        if has_star_kwargs(node) or _has_star_args(node):
            return
        if keyword(node, "weights_only") is not None:
            return
        # torch.load(f, map_location, pickle_module, *, weights_only, ...)
        given = keyword(node, "pickle_module")
        module = given.value if given is not None else None
        if module is None and len(node.args) >= 3:
            module = node.args[2]
        if module is not None and not is_none(module):
            how, note = "with `pickle_module=`", " (`weights_only=True` refuses one)"
            self.report("ML401", node, how=how, note=note, data=(("pickle_module", "yes"),))
            return
        self.report("ML401", node, how="without `weights_only=`", note="")


# ---------------------------------------------------------------------- fix


def torch_load_weights_only(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``torch.load(f)`` -> ``torch.load(f, weights_only=True)``."""
    call = ctx.find(diag, cst.Call)
    if call is None or diag.get("pickle_module") is not None:
        return None
    return fx.Edit(call, fx.add_keyword(call, "weights_only", cst.Name("True")))


def fix_applies(diag: Diagnostic) -> Fix:
    """Not offered when the call passes a ``pickle_module``."""
    return Fix.NONE if diag.get("pickle_module") is not None else Fix.UNSAFE


FIXES = {"ML401": torch_load_weights_only}
FIXABLE = {"ML401": fix_applies}
