"""ML406 mode-switch-not-called: `model.eval` as a statement, not called, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always, method_name
from mlsmells.rules.torch._common import TORCH_FAMILY, _identifier
from mlsmells.semantic.scopes import ClassInfo

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML406",
    name="mode-switch-not-called",
    pylint_id="E7646",
    family=Family.TORCH,
    message="`{expr}` is not called; the statement does nothing",
    summary=(
        "`model.eval`, `model.train`, `optimizer.zero_grad` or `optimizer.step` without `()`."
    ),
    rationale=(
        "Naming a bound method without calling it is a no-op: the model stays in its "
        "current mode, gradients are not cleared, the optimizer does not step. Python "
        "raises nothing. (The last line of a notebook cell, which displays the value, is "
        "not reported.)"
    ),
    bad="model.eval\nwith torch.no_grad():\n    preds = model(x)\n",
    good="model.eval()\nwith torch.no_grad():\n    preds = model(x)\n",
    fix=Fix.UNSAFE,
    fix_summary="Add the missing `()`.",
    fix_safety=(
        "Unsafe: the call now happens, changing the model's mode or the optimizer's state "
        "(as intended)."
    ),
)


_MODE_SWITCHES = frozenset({"eval", "train", "zero_grad", "step"})
_RAISES_CONTEXTS = frozenset({"raises", "assertRaises"})
_CATCHING_ATTRIBUTE_ERROR = frozenset({"AttributeError", "Exception", "BaseException"})


class ModeSwitchNotCalled(Check):
    """ML406: ``model.eval`` (or ``train``/``zero_grad``/``step``) as a statement, not called."""

    rules = (RULE,)
    nodes = (ast.Expr,)
    requires = TORCH_FAMILY

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._properties: dict[int, set[str]] | None = None
        """id of a same-file class (0: any class) -> the properties it defines."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        value = node.value
        if not isinstance(value, ast.Attribute) or value.attr not in _MODE_SWITCHES:
            return
        if self.ctx.displays(node):
            return  # a notebook (or percent-format) cell displays its last expression
        if self._may_be_property(value) or self._expects_attribute_error(node):
            return
        self.report("ML406", value, expr=self.ctx.source_of(value), data=(("name", value.attr),))

    def _may_be_property(self, attribute: ast.Attribute) -> bool:
        """Whether ``attribute`` may read a same-file property (reading one may do something)."""
        properties = self._same_file_properties()
        klass = self.model.instance_class(attribute.value)
        if klass is not None:
            return attribute.attr in properties.get(id(klass.node), set()) or any(
                attribute.attr in properties.get(id(base.node), set())
                for base in self._same_file_bases(klass.node)
            )
        if self.model.kind_of(attribute.value) is not None:
            return False  # a library object: its eval/train/step are methods
        return attribute.attr in properties.get(0, set())

    def _same_file_bases(self, node: ast.ClassDef) -> list[ClassInfo]:
        found: list[ClassInfo] = []
        pending = [node]
        while pending:
            for base in pending.pop().bases:
                binding = self.model.lookup(base.id) if isinstance(base, ast.Name) else None
                klass = binding.klass if binding is not None and binding.is_class else None
                if klass is not None and klass not in found:
                    found.append(klass)
                    pending.append(klass.node)
        return found

    def _same_file_properties(self) -> dict[int, set[str]]:
        if self._properties is None:
            self._properties = {0: set()}
            for klass in ast.walk(self.ctx.tree):
                if not isinstance(klass, ast.ClassDef):
                    continue
                for node in klass.body:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                        _decorator_name(d) in ("property", "cached_property")
                        for d in node.decorator_list
                    ):
                        self._properties.setdefault(id(klass), set()).add(node.name)
                        self._properties[0].add(node.name)
        return self._properties

    def _expects_attribute_error(self, statement: ast.stmt) -> bool:
        """Inside ``pytest.raises(...)``/``assertRaises`` or a ``try`` catching AttributeError."""
        ancestors = [*self.ctx.ancestors, statement]
        for i, node in enumerate(ancestors):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    expr = item.context_expr
                    if isinstance(expr, ast.Call) and method_name(expr) in _RAISES_CONTEXTS:
                        return True
            elif isinstance(node, ast.Try) and i + 1 < len(ancestors):
                if ancestors[i + 1] in node.body and any(
                    _catches_attribute_error(h) for h in node.handlers
                ):
                    return True
        return False


def _decorator_name(decorator: ast.expr) -> str | None:
    return _identifier(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _catches_attribute_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_identifier(t) in _CATCHING_ATTRIBUTE_ERROR for t in types)


# ---------------------------------------------------------------------- fix


def call_mode_switch(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``model.eval`` -> ``model.eval()``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None:
        return None
    return fx.Edit(attribute, cst.Call(func=attribute))


FIXES = {"ML406": call_mode_switch}
FIXABLE = {"ML406": fix_always(Fix.UNSAFE)}
