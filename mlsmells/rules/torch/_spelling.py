"""How a fix writes a torch object where a finding is: the rule finds the spelling
(``torch_spelling``, put in the finding's data), the fix reads it back (``spelled``).
Used by ML104 and ML412."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Context
from mlsmells.lazy import bind_lazily
from mlsmells.rules._fixfacts import import_data
from mlsmells.semantic.model import SemanticModel

if TYPE_CHECKING:
    from mlsmells.fixes import base as fx
bind_lazily(globals(), fx="mlsmells.fixes.base")


def torch_spelling(model: SemanticModel, qualname: str) -> tuple[str, str | None]:
    """How to write the torch object ``qualname`` here, and the module to import for it.

    A visible name bound to it or to one of its parent modules is reused (``autocast``
    after ``from torch.amp import autocast``, ``F.interpolate`` after ``import
    torch.nn.functional as F``, ``th.amp.autocast`` after ``import torch as th``);
    otherwise ``torch.<...>`` with ``import torch``, which loads every submodule the fixes
    name (``torch.amp``, ``torch.linalg``, ``torch.func``, ``torch.nn.functional`` ...).
    """
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        candidates = [
            name
            for scope in model.scope.lookup_chain()
            for name, binding in scope.bindings.items()
            if binding.qualname == prefix and model.lookup(name) is binding
        ]
        if candidates:
            name = min(candidates, key=lambda n: (len(n), n))
            return ".".join([name, *parts[cut:]]), None
    return qualname, parts[0]


def _spelling_data(ctx: Context, qualname: str) -> tuple[tuple[str, str], ...]:
    """The data of :func:`spelled`: ``spelling``, ``import``, and ``taken`` when the module
    to import names something already (the fix does not import it then)."""
    text, module = torch_spelling(ctx.model, qualname)
    return (("spelling", text),) + import_data(ctx, module)


def spellable(diag: Diagnostic) -> bool:
    """Whether :func:`spelled` writes the replacement of ``diag`` (for a fix decision)."""
    return diag.get("spelling") is not None and diag.get("taken") is None


# ---------------------------------------------------------------------- fix


def spelled(ctx: fx.FixContext, diag: Diagnostic) -> tuple[str, tuple[fx.ImportItem, ...]] | None:
    """The replacement's name as the rule spelled it where the finding is (``spelling``),
    and the import it needs (``import``: done only if that name is used nowhere else)."""
    text = diag.get("spelling")
    if text is None:
        return None
    module = diag.get("import")
    if module is None:
        return text, ()
    if module.split(".")[0] in ctx.names_in_module():
        return None
    return text, (fx.ImportItem(module),)
