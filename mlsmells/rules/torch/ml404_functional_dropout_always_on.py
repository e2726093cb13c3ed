"""ML404 functional-dropout-always-on: `F.dropout` in a module without `training=`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.rules.torch._common import _has_star_args
from mlsmells.rules.torch._loops import walk_local
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML404",
    name="functional-dropout-always-on",
    pylint_id="W7644",
    family=Family.TORCH,
    message="`{func}` inside a Module without `training=` {effect}",
    summary="Functional dropout in an `nn.Module` method without `training=self.training`.",
    rationale=(
        "`torch.nn.functional.dropout` defaults to `training=True` and does not know about "
        "the module's mode, so dropout keeps dropping activations at evaluation and "
        "inference time, giving noisy, pessimistic predictions. `alpha_dropout` and "
        "`feature_alpha_dropout` have the opposite default (`training=False`): without the "
        "argument they never drop anything, not even in training. Pass "
        "`training=self.training`, or use an `nn.Dropout` submodule, which follows "
        "`model.eval()`."
    ),
    bad=(
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.dropout(self.fc(x), p=0.5)\n"
    ),
    good=(
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.dropout(self.fc(x), p=0.5, training=self.training)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary="Add `training=self.training`.",
    fix_safety=(
        "Unsafe: outputs in evaluation mode change (dropout is no longer applied), which "
        "is the point of the fix but changes every evaluation number."
    ),
)


#: Functional dropouts -> the default of their ``training`` parameter (third positional).
_FUNCTIONAL_DROPOUTS: dict[str, bool] = {
    "torch.nn.functional.dropout": True,
    "torch.nn.functional.dropout1d": True,
    "torch.nn.functional.dropout2d": True,
    "torch.nn.functional.dropout3d": True,
    "torch.nn.functional.alpha_dropout": False,
    "torch.nn.functional.feature_alpha_dropout": False,
}


_MODE_WORDS = frozenset({"train", "training", "is_train", "is_training"})


def _mentions_mode(node: ast.AST) -> bool:
    """Whether ``node`` reads the training mode: ``self.training``, ``training``, ``"train"``."""
    for sub in ast.walk(node):
        word: object = None
        if isinstance(sub, ast.Name):
            word = sub.id
        elif isinstance(sub, ast.Attribute):
            word = sub.attr
        elif isinstance(sub, ast.Constant):
            word = sub.value
        if isinstance(word, str) and word.lower() in _MODE_WORDS:
            return True
    return False


class FunctionalDropoutAlwaysOn(Check):
    """ML404: functional dropout in an ``nn.Module`` method without ``training=``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    call_names = last_names(_FUNCTIONAL_DROPOUTS)
    words = tuple(last_names(_FUNCTIONAL_DROPOUTS))

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        default = _FUNCTIONAL_DROPOUTS.get(self.model.qualname(node.func) or "")
        if default is None:
            return
        if has_star_kwargs(node) or _has_star_args(node) or len(node.args) >= 3:
            return
        if keyword(node, "training") is not None or _mentions_mode(node):
            return
        found = self._module_method()
        if found is None or self._mode_tested():
            return
        effect = (
            "stays active after `model.eval()`"
            if default
            else "is never applied, not even in training (`training` defaults to False)"
        )
        data = (("training", f"{found}.training"),) if found else ()
        self.report("ML404", node, func=self.ctx.source_of(node.func), effect=effect, data=data)

    def _mode_tested(self) -> bool:
        """Whether the enclosing function branches on the mode (``if self.training: ...``,
        ``if not self.training: return x``): the dropout may run in training only."""
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body: list[ast.stmt] = node.body
                break
            if isinstance(node, ast.Lambda):
                return _mentions_mode(node.body)
        else:
            return False
        for sub in walk_local(body):
            if isinstance(sub, (ast.If, ast.IfExp, ast.While, ast.Assert)) and _mentions_mode(
                sub.test
            ):
                return True
        return False

    def _module_method(self) -> str | None:
        """``None`` outside an ``nn.Module`` method; else the name of ``self`` there ("": none)."""
        scope: Scope | None = self.model.scope
        shadowing: set[str] = set()
        while scope is not None and scope.type not in (ScopeType.MODULE, ScopeType.CLASS):
            if scope.klass is not None:
                if not scope.klass.is_module:
                    return None
                self_name = scope.self_name
                return self_name if self_name and self_name not in shadowing else ""
            shadowing.update(scope.bindings)
            scope = scope.parent
        return None


# ---------------------------------------------------------------------- fix


def dropout_training(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``F.dropout(x, p)`` -> ``F.dropout(x, p, training=self.training)``.

    The rule names the expression (``data["training"]``): the method's own
    first parameter, when nothing in between shadows it.
    """
    training = diag.get("training")
    call = ctx.find(diag, cst.Call)
    if training is None or call is None:
        return None
    return fx.Edit(call, fx.add_keyword(call, "training", fx.parse_expression(training)))


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the rule found the module's ``training`` flag (``training``)."""
    return Fix.UNSAFE if diag.get("training") is not None else Fix.NONE


FIXES = {"ML404": dropout_training}
FIXABLE = {"ML404": fix_applies}
