"""Training-loop facts several PyTorch rules read: backward calls, optimizers and their
steps, and where a called same-file function may be defined."""

from __future__ import annotations

import ast

from mlsmells.rules.torch._common import _WORD, _identifier
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.names import last_names

#: Words that name an optimizer in an identifier the model cannot type (``opt``, ``d_optimizer``).
_OPTIMIZER_WORDS = frozenset({"opt", "optim", "optimizer", "optimiser", "optimizers", "optimisers"})


#: Words that make such an identifier something else (``opt_scheduler``, ``optim_lr``).
_NOT_OPTIMIZER_WORDS = frozenset(
    {"sched", "scheduler", "schedulers", "schedule", "lr", "warmup", "scaler", "ema", "swa"}
)


def _names_an_optimizer(identifier: str) -> bool:
    words = {word.lower() for word in _WORD.findall(identifier)}
    return bool(words & _OPTIMIZER_WORDS) and not words & _NOT_OPTIMIZER_WORDS


def callee_keys(model: SemanticModel, func: ast.expr) -> list[tuple[int, str]]:
    """Where the definition of a called function may be: a plain same-file function
    ``(0, name)`` or a method of the receiver's same-file class (or of a same-file base
    class) ``(id of the class node, name)``."""
    if isinstance(func, ast.Name):
        return [(0, func.id)]
    if not isinstance(func, ast.Attribute):
        return []
    keys: list[tuple[int, str]] = []
    pending = [model.instance_class(func.value)]
    while pending:
        klass = pending.pop()
        if klass is None or any(key[0] == id(klass.node) for key in keys):
            continue
        keys.append((id(klass.node), func.attr))
        for base in klass.node.bases:
            binding = model.lookup(base.id) if isinstance(base, ast.Name) else None
            if binding is not None and binding.is_class:
                pending.append(binding.klass)
    return keys


def is_optimizer(model: SemanticModel, expr: ast.expr) -> bool:
    """Known to be an optimizer, or (kind unknown) named like one."""
    kind = model.kind_of(expr)
    if kind is not None:
        return kind is Kind.OPTIMIZER
    identifier = _identifier(expr)
    return identifier is not None and _names_an_optimizer(identifier)


def stepped_optimizer(model: SemanticModel, receiver: ast.expr, call: ast.Call) -> ast.expr | None:
    """The optimizer that ``receiver.step(...)`` steps, if it is one."""
    if is_optimizer(model, receiver):
        return receiver
    # GradScaler: scaler.step(optimizer)
    if call.args and model.kind_of(receiver) is None and is_optimizer(model, call.args[0]):
        return call.args[0]
    return None


#: The autograd functions that backpropagate the tensors they are given.
AUTOGRAD_BACKWARD = frozenset({"torch.autograd.backward", "torch.autograd.grad"})
#: Their last names: a callee that may resolve to none of them needs no qualified name.
AUTOGRAD_NAMES = last_names(AUTOGRAD_BACKWARD)


def _is_backward_call(call: ast.Call, qualname: str | None) -> bool:
    callee = call.func.attr if isinstance(call.func, ast.Attribute) else None
    if callee is not None and "backward" in callee.lower():
        return True  # loss.backward(), accelerator.backward(loss), self.manual_backward(loss)
    return qualname in AUTOGRAD_BACKWARD
