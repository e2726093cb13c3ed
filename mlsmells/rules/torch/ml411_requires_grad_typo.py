"""ML411 requires-grad-typo: an assignment to `.require_grad`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always
from mlsmells.rules.torch._common import TORCH_FAMILY, _text

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML411",
    name="requires-grad-typo",
    pylint_id="E7651",
    family=Family.TORCH,
    message="`{target}.require_grad` is not a tensor attribute (`requires_grad` is): the "
    "assignment changes nothing",
    summary="An assignment to `.require_grad`, a typo of `requires_grad`.",
    rationale=(
        "Tensors and parameters accept any new attribute, so `p.require_grad = False` "
        "raises nothing and freezes nothing: the parameter keeps training. Code that uses "
        "`require_grad` as its own attribute is not reported: a file that reads the "
        "attribute somewhere (other than to copy it into another `.require_grad`), a "
        "same-file class that is not a Module, and a class setting `self.require_grad` "
        "in its own methods (a Module has no `requires_grad` attribute either, so that "
        "is a flag of its own). A parameter or variable named `require_grad` is no such "
        "sign: `p.require_grad = require_grad` is the typo all the same."
    ),
    bad="for p in backbone.parameters():\n    p.require_grad = False\n",
    good="for p in backbone.parameters():\n    p.requires_grad = False\n",
    fix=Fix.UNSAFE,
    fix_summary="Rename the attribute to `requires_grad`.",
    fix_safety=(
        "Unsafe: the parameters are now really frozen (or unfrozen), which changes training."
    ),
)


class RequiresGradTypo(Check):
    """ML411: an assignment to ``.require_grad``."""

    rules = (RULE,)
    nodes = (ast.Attribute,)
    requires = TORCH_FAMILY
    words = ("require_grad",)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._own_attribute: bool | None = None

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        if node.attr != "require_grad" or not isinstance(node.ctx, ast.Store):
            return
        if self._file_reads_require_grad():
            return
        receiver = node.value
        if isinstance(receiver, ast.Name) and receiver.id == self.model.scope.self_name:
            return  # the class's own attribute, set in its own method
        kind = self.model.kind_of(receiver)
        if kind is not None and not (kind.is_tensor or kind.is_module):
            return
        klass = self.model.instance_class(receiver)
        if klass is not None and not klass.is_module:
            return
        text = self.ctx.source_of(receiver)
        self.report("ML411", node, target=text if "\n" not in text else _text(receiver))

    def _file_reads_require_grad(self) -> bool:
        """Whether the file reads a ``require_grad`` attribute (its own attribute, then),
        other than in the value of an assignment to one (``p.require_grad = cfg.require_grad``
        copies a setting into the typo)."""
        if self._own_attribute is None:
            copies: set[int] = set()
            reads: list[ast.Attribute] = []
            for sub in ast.walk(self.ctx.tree):
                if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    if sub.value is not None and any(
                        isinstance(t, ast.Attribute) and t.attr == "require_grad"
                        for target in targets
                        for t in ast.walk(target)
                    ):
                        copies.update(id(n) for n in ast.walk(sub.value))
                elif (
                    isinstance(sub, ast.Attribute)
                    and sub.attr == "require_grad"
                    and isinstance(sub.ctx, ast.Load)
                ):
                    reads.append(sub)
            self._own_attribute = any(id(read) not in copies for read in reads)
        return self._own_attribute


# ---------------------------------------------------------------------- fix


def rename_requires_grad(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``p.require_grad = False`` -> ``p.requires_grad = False``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None or attribute.attr.value != "require_grad":
        return None
    return fx.Edit(attribute, attribute.with_changes(attr=cst.Name("requires_grad")))


FIXES = {"ML411": rename_requires_grad}
FIXABLE = {"ML411": fix_always(Fix.UNSAFE)}
