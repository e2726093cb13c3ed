"""ML405 forward-called-directly: `model.forward(x)` instead of `model(x)`, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always
from mlsmells.rules.torch._common import TORCH_FAMILY, _text
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML405",
    name="forward-called-directly",
    pylint_id="W7645",
    family=Family.TORCH,
    message="`{receiver}.forward(...)` skips the module's `__call__` and its hooks; "
    "call `{receiver}(...)`",
    summary="`model.forward(x)` is called on a module other than `self`/`super()`.",
    rationale=(
        "Calling a module runs `nn.Module.__call__`, which runs the registered forward "
        "pre-hooks and hooks, the backward hooks, and what wrappers such as "
        "`DistributedDataParallel`, FSDP, `torch.compile`d modules and quantization "
        "observers rely on; `forward` itself skips all of that. `self.forward(...)`, "
        "`super().forward(...)` and `Base.forward(self, ...)` inside a class are how a "
        "class extends its own forward and are not reported. The receiver must be known "
        "to be a Module: built from a `torch.nn` class or a same-file subclass (of "
        "`nn.Module`, Lightning's `LightningModule`, a Hugging Face `PreTrainedModel` or "
        "`ModelMixin`, also through its `from_pretrained`), annotated `nn.Module`, a "
        "`DistributedDataParallel`/`DataParallel` wrapper or its `.module`, handed over as "
        "one by the same-file callers of a function, or proven one by its uses: an "
        "attribute only Modules have (`parameters()`, `named_modules()`, "
        "`register_forward_hook` ...), or both `train()` and `eval()` called on it. An "
        "object of unknown kind is left alone: skorch's `NeuralNet.forward` and "
        "`RemoteModule.forward` are documented methods, and other libraries have their "
        "own `forward`."
    ),
    bad="logits = model.forward(images)\n",
    good="logits = model(images)\n",
    fix=Fix.UNSAFE,
    fix_summary="Call the module: `model.forward(x)` becomes `model(x)`.",
    fix_safety=(
        "Unsafe: the module's hooks now run (the point of the fix), which changes the "
        "result when hooks modify inputs or outputs."
    ),
)


def _is_method_owner(model: SemanticModel, expr: ast.expr) -> bool:
    """Whether ``expr`` is the first parameter (``self``/``cls``) of an enclosing method."""
    if not isinstance(expr, ast.Name):
        return False
    binding = model.lookup(expr.id)
    if binding is None:
        return False
    for scope in model.scope.lookup_chain():
        node = scope.node
        if scope.type is not ScopeType.FUNCTION or scope.klass is None:
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        positional = node.args.posonlyargs + node.args.args
        if positional and positional[0].arg == expr.id and scope.bindings.get(expr.id) is binding:
            return True
    return False


class ForwardCalledDirectly(Check):
    """ML405: ``model.forward(x)`` on a module other than ``self``/``super()``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = TORCH_FAMILY
    words = ("forward",)
    call_names = frozenset({"forward"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "forward":
            return
        receiver = func.value
        if self._is_own_forward(receiver, node) or not self._is_module(receiver):
            return
        text = self.ctx.source_of(receiver)
        self.report("ML405", node, receiver=text if "\n" not in text else _text(receiver))

    def _is_own_forward(self, receiver: ast.expr, call: ast.Call) -> bool:
        """``self.forward``, ``super().forward``, ``Base.forward(self, ...)``."""
        if isinstance(receiver, ast.Call) and self.model.qualname(receiver.func) in (
            "builtins.super",
            "builtins.type",
        ):
            return True
        if _is_method_owner(self.model, receiver):
            return True
        return bool(call.args) and _is_method_owner(self.model, call.args[0])

    def _is_module(self, receiver: ast.expr) -> bool:
        """Known to be a Module (kind or same-file class); unknown: no."""
        model = self.model
        if model.qualname(receiver) is not None:
            return False  # a module or class: ``nn.Linear.forward``, ``layers.forward``
        kind = model.kind_of(receiver)
        if kind is not None:
            return kind.is_module
        klass = model.instance_class(receiver)
        return klass is not None and klass.is_module


# ---------------------------------------------------------------------- fix


def call_module(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``model.forward(x)`` -> ``model(x)``."""
    call = ctx.find(diag, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    return fx.Edit(call, call.with_changes(func=call.func.value))


FIXES = {"ML405": call_module}
FIXABLE = {"ML405": fix_always(Fix.UNSAFE)}
