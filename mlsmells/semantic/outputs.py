"""Probabilities: the calls that make them (a softmax or a sigmoid, as a function, a tensor
method or an ``nn.Softmax``/``nn.Sigmoid`` layer), and what a model returns when its
``forward`` ends in one: a class of the linted file, an ``nn.Sequential``, or a class of a
project module (whose :class:`~.index.ClassSummary` carries it, so that ``from models
import Net`` knows it).

Only what is certain counts: a ``forward`` returns probabilities when every ``return`` in
it returns the output of the same activation (directly, through a name assigned just
before in the body of ``forward``, or through a method that keeps values such as
``view``); anything else is unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.semantic import kinds as K
from mlsmells.semantic.index import ClassSummary
from mlsmells.semantic.kinds import Output
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import ClassInfo

#: Functions whose result is probabilities.
FUNCTION_OUTPUTS: dict[str, Output] = {
    "torch.softmax": Output.SOFTMAX,
    "torch.nn.functional.softmax": Output.SOFTMAX,
    "torch.special.softmax": Output.SOFTMAX,
    "torch.sigmoid": Output.SIGMOID,
    "torch.nn.functional.sigmoid": Output.SIGMOID,
    "torch.special.expit": Output.SIGMOID,
}
#: Tensor methods whose result is probabilities.
METHOD_OUTPUTS: dict[str, Output] = {"softmax": Output.SOFTMAX, "sigmoid": Output.SIGMOID}
#: Layers whose output is probabilities.
LAYER_OUTPUTS: dict[str, Output] = {
    "torch.nn.Softmax": Output.SOFTMAX,
    "torch.nn.modules.activation.Softmax": Output.SOFTMAX,
    "torch.nn.Softmax2d": Output.SOFTMAX,
    "torch.nn.modules.activation.Softmax2d": Output.SOFTMAX,
    "torch.nn.Sigmoid": Output.SIGMOID,
    "torch.nn.modules.activation.Sigmoid": Output.SIGMOID,
}
_SEQUENTIAL = frozenset({"torch.nn.Sequential", "torch.nn.modules.container.Sequential"})
#: Tensor methods that reshape, move or cast: probabilities stay probabilities.
KEEPS_VALUES = frozenset(
    {
        "view", "reshape", "squeeze", "unsqueeze", "flatten", "float", "double", "half",
        "to", "contiguous", "permute", "transpose", "cpu", "cuda", "clone", "view_as",
        "reshape_as",
    }
)  # fmt: skip
_DEPTH = 8
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def call_output(model: SemanticModel, call: ast.Call) -> Output | None:
    """The probabilities the function or tensor method ``call`` makes: ``F.softmax(x, 1)``,
    ``torch.sigmoid(x)``, ``x.softmax(1)`` (a receiver of unknown kind counts as a tensor;
    a method of anything else than a tensor does not)."""
    func = call.func
    qualname = model.qualname(func)
    if qualname is not None:
        return FUNCTION_OUTPUTS.get(qualname)
    if isinstance(func, ast.Attribute) and func.attr in METHOD_OUTPUTS:
        kind = model.kind_of(func.value)
        if kind is None or kind.is_tensor:
            return METHOD_OUTPUTS[func.attr]
    return None


def layer_output(model: SemanticModel, made_by: ast.Call) -> Output | None:
    """The probabilities a layer built by ``made_by`` makes (``nn.Softmax(dim=1)``)."""
    return LAYER_OUTPUTS.get(model.qualname(made_by.func) or "")


def built_output(model: SemanticModel, made_by: ast.Call) -> Output | None:
    """What a model built by ``made_by`` returns: an ``nn.Sequential`` whose last layer is
    an activation, or a class of a project module whose ``forward`` ends in one (moved or
    switched on the way: ``Net().to(device)``)."""
    for _ in range(_DEPTH):
        func = made_by.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr in K.MODULE_TO_MODULE
            and isinstance(func.value, ast.Call)
        ):
            break
        made_by = func.value
    qualname = model.qualname(made_by.func)
    if qualname is None:
        return None
    if qualname in _SEQUENTIAL:
        layers = made_by.args
        if not layers or any(isinstance(layer, ast.Starred) for layer in layers):
            return None
        last = layers[-1]
        return layer_output(model, last) if isinstance(last, ast.Call) else None
    symbol = model.project_symbol(qualname)
    if isinstance(symbol, ClassSummary) and symbol.is_module:
        return symbol.output
    return None


def forward_output(
    model: SemanticModel, klass: ClassInfo, outer: frozenset[int] = frozenset()
) -> Output | None:
    """What the ``forward`` of the ``nn.Module`` class ``klass`` returns, when every one of
    its ``return`` statements returns the probabilities of one activation (``outer``: the
    classes whose ``forward`` returns what this one's does, to stop at a cycle)."""
    forward = klass.methods.get("forward")
    if forward is None or not klass.is_module or id(klass.node) in outer:
        return None
    outer |= {id(klass.node)}
    found = {_returned(model, forward, ret, klass, outer) for ret in _returns(forward.body)}
    if len(found) != 1:
        return None  # no return, or returns of different things
    return found.pop()


def _returns(body: list[ast.stmt]) -> Iterator[ast.Return]:
    """The ``return`` statements of a function's ``body`` (not of nested definitions)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        elif not isinstance(node, (ast.expr, *_DEFINITIONS)):
            stack.extend(ast.iter_child_nodes(node))


def _returned(
    model: SemanticModel,
    forward: ast.FunctionDef | ast.AsyncFunctionDef,
    ret: ast.Return,
    klass: ClassInfo,
    outer: frozenset[int],
) -> Output | None:
    """The probabilities ``ret`` returns: ``return F.softmax(x, 1)``, ``return
    self.sigmoid(x)`` (an ``nn.Sigmoid`` attribute, or a model that ends in one: an
    ``nn.Sequential``, a class of the file or of a project module), ``x = x.softmax(1);
    return x``."""
    body = forward.body
    value = ret.value
    index = next((i for i, stmt in enumerate(body) if stmt is ret), None)
    for _ in range(_DEPTH):
        if isinstance(value, ast.Name) and index is not None:
            found = _assigned_before(body, index, value.id)
            if found is None:
                return None
            index, value = found
        elif isinstance(value, ast.Subscript):
            value = value.value
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in KEEPS_VALUES
        ):
            value = value.func.value
        else:
            break
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    positional = forward.args.posonlyargs + forward.args.args
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and positional
        and func.value.id == positional[0].arg
        and func.attr in klass.attributes
    ):
        # ``return self.softmax(x)``: what ``self.softmax`` was built as decides.
        attribute = klass.attributes[func.attr]
        if attribute.klass is not None:
            return forward_output(model, attribute.klass, outer)
        made_by = attribute.node
        if not isinstance(made_by, ast.Call):
            return None
        return layer_output(model, made_by) or built_output(model, made_by)
    qualname = model.qualname(func)
    if qualname is not None:
        return FUNCTION_OUTPUTS.get(qualname)
    if isinstance(func, ast.Attribute):
        return METHOD_OUTPUTS.get(func.attr)
    return None


def _assigned_before(body: list[ast.stmt], index: int, name: str) -> tuple[int, ast.expr] | None:
    """The last assignment to ``name`` in ``body`` before ``body[index]``: its place, value."""
    for i in range(index - 1, -1, -1):
        stmt = body[i]
        if isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in stmt.targets
        ):
            return i, stmt.value
    return None
