"""ML802 save-whole-module: `torch.save(model, path)` pickles the Module itself, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always, keyword
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML802",
    name="save-whole-module",
    pylint_id="W7666",
    family=Family.SCRIPTS,
    message="`{save}({module}, ...)` pickles the whole Module: save its `state_dict()` instead",
    summary="`torch.save` is given a Module rather than its `state_dict()`.",
    rationale=(
        "`torch.save(model, path)` pickles the Module object: the file refers to the "
        "model's class by its import path and holds the pickled attributes of every "
        "submodule. Loading it needs the same code at the same place (a renamed module "
        "or class, a moved file, a refactored `__init__` and the checkpoint no longer "
        "loads), and needs `weights_only=False`, which lets the file run any code (the "
        "default since PyTorch 2.6 refuses it). Saving `model.state_dict()` stores the "
        "tensors by parameter name, loads with `weights_only=True` into a freshly built "
        "model, and survives refactors. The rule reports a first argument that the "
        "semantic model knows to be a Module: built from an `nn` class or a subclass "
        "(of the file, or of a project module it imports), `self` inside a Module's "
        "methods, a Module attribute of it, or a parameter annotated `nn.Module`. A "
        "Module inside a dict or list (`torch.save({'model': model}, path)`) is not "
        "reported, nor is `torch.jit.save`, whose scripted modules are code by design."
    ),
    bad='torch.save(model, "model.pt")\n',
    good='torch.save(model.state_dict(), "model.pt")\n',
    fix=Fix.UNSAFE,
    fix_summary="Save `model.state_dict()` instead of `model`.",
    fix_safety=(
        "Unsafe: the file then holds a dict of tensors, not the Module, so every place "
        "that loads it (`model = torch.load(path)`, in this project or another) must "
        "build the model and call `model.load_state_dict(torch.load(path))` instead; "
        "attributes of the Module that are not parameters or buffers are no longer saved."
    ),
)

_SAVES = frozenset({"torch.save", "torch.serialization.save"})
_SAVE_NAMES = last_names(_SAVES)


def _saved(call: ast.Call) -> ast.expr | None:
    """The object ``torch.save(obj, f)`` saves."""
    given = keyword(call, "obj")
    if given is not None:
        return given.value
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return None


class SaveWholeModule(Check):
    """ML802: ``torch.save`` of a Module."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    words = tuple(_SAVE_NAMES)
    call_names = _SAVE_NAMES

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _SAVE_NAMES):
            return
        if self.model.qualname(node.func) not in _SAVES:
            return
        saved = _saved(node)
        if saved is None:
            return
        kind = self.model.kind_of(saved)
        if kind is not None and kind.is_module:
            self.report(
                "ML802", node, save=self.ctx.source_of(node.func), module=self.ctx.source_of(saved)
            )


# ---------------------------------------------------------------------- fix


def save_state_dict(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``torch.save(model, path)`` -> ``torch.save(model.state_dict(), path)``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        first = index == 0 and arg.keyword is None
        if first or (arg.keyword is not None and arg.keyword.value == "obj"):
            saved = fx.method_call(arg.value, "state_dict")
            args = [*call.args]
            args[index] = arg.with_changes(value=saved)
            return fx.Edit(call, call.with_changes(args=args))
    return None


FIXES = {"ML802": save_state_dict}
FIXABLE = {"ML802": fix_always(Fix.UNSAFE)}
