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
#: Functions that run the module given as their first argument.
_RUNS_MODULE = frozenset(
    {"torch.nn.parallel.data_parallel", "torch.nn.parallel.data_parallel.data_parallel"}
)
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
    classes and functions whose result is what this one's is, to stop at a cycle)."""
    forward = klass.methods.get("forward")
    if forward is None or not klass.is_module or id(klass.node) in outer:
        return None
    return function_output(model, forward, klass, outer | {id(klass.node)})


def forward_items(model: SemanticModel, klass: ClassInfo) -> tuple[Output | None, ...] | None:
    """The probabilities in each item of the tuple the ``forward`` of the ``nn.Module`` class
    ``klass`` returns (``return torch.sigmoid(x), hidden``), when every ``return`` returns
    a tuple of the same length and agrees on them; None when no item is known."""
    forward = klass.methods.get("forward")
    if forward is None or not klass.is_module:
        return None
    return function_items(model, forward, klass, frozenset({id(klass.node)}))


def function_output(
    model: SemanticModel,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    klass: ClassInfo | None,
    outer: frozenset[int] = frozenset(),
) -> Output | None:
    """What ``function`` (a method of ``klass``, or a function of the file: ``None``)
    returns, when every one of its ``return`` statements returns the probabilities of one
    activation."""
    if id(function) in outer:
        return None
    outer |= {id(function)}
    found = {
        _returned(model, function, ret, klass, outer, ret.value) for ret in _returns(function.body)
    }
    if len(found) != 1:
        return None  # no return, or returns of different things
    return found.pop()


def function_items(
    model: SemanticModel,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    klass: ClassInfo | None,
    outer: frozenset[int] = frozenset(),
) -> tuple[Output | None, ...] | None:
    """The probabilities in each item of the tuple ``function`` returns (see
    :func:`forward_items`)."""
    if id(function) in outer:
        return None
    outer |= {id(function)}
    rows: set[tuple[Output | None, ...]] = set()
    for ret in _returns(function.body):
        value = ret.value
        if not isinstance(value, ast.Tuple) or any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        rows.add(tuple(_returned(model, function, ret, klass, outer, e) for e in value.elts))
    if not rows or len({len(row) for row in rows}) != 1:
        return None
    agreed = tuple(
        column[0] if len(set(column)) == 1 else None for column in zip(*rows, strict=True)
    )
    return agreed if any(output is not None for output in agreed) else None


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
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    ret: ast.Return,
    klass: ClassInfo | None,
    outer: frozenset[int],
    value: ast.expr | None,
) -> Output | None:
    """The probabilities ``value`` (what ``ret`` returns, or an item of it) holds: ``return
    F.softmax(x, 1)``, ``return self.sigmoid(x)`` (an ``nn.Sigmoid`` attribute, or a model
    that ends in one: an ``nn.Sequential``, a class of the file or of a project module),
    ``return self.decode(z)`` (a method that returns them), ``x = x.softmax(1); return x``
    (assigned in both branches of an ``if`` too)."""
    if value is None:
        return None
    body = function.body
    index = next((i for i, stmt in enumerate(body) if stmt is ret), None)
    if index is None:  # a ``return`` inside a block: the names it returns are not followed
        body, index = [], 0
    return _value_output(model, function, klass, outer, body, index, value)


def _value_output(
    model: SemanticModel,
    forward: ast.FunctionDef | ast.AsyncFunctionDef,
    klass: ClassInfo | None,
    outer: frozenset[int],
    body: list[ast.stmt],
    index: int,
    value: ast.expr,
    depth: int = _DEPTH,
) -> Output | None:
    """The probabilities ``value`` holds before ``body[index]`` (a name: as the statements
    before it in ``body`` assign it)."""
    for _ in range(depth):
        if isinstance(value, ast.Name):
            found = _assigned_before(body, index, value.id)
            if not found:
                return None
            if len(found) > 1:  # one in each branch of an ``if``: they must agree
                outputs = {
                    _value_output(model, forward, klass, outer, b, i, v, depth - 1)
                    for b, i, v in found
                }
                return outputs.pop() if len(outputs) == 1 else None
            body, index, value = found[0]
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
    if model.qualname(func) in _RUNS_MODULE and value.args:
        func = value.args[0]  # ``data_parallel(self.main, input, ...)`` runs ``self.main``
    positional = forward.args.posonlyargs + forward.args.args
    on_self = (
        klass is not None
        and isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and bool(positional)
        and func.value.id == positional[0].arg
    )
    if on_self and klass is not None and isinstance(func, ast.Attribute):
        method = klass.methods.get(func.attr)
        if func.attr not in klass.attributes:
            # ``return self.decode(z)``: what the method returns.
            return function_output(model, method, klass, outer) if method is not None else None
        # ``return self.softmax(x)``: what ``self.softmax`` was built as decides.
        attribute = klass.attributes[func.attr]
        if attribute.klass is not None:
            return forward_output(model, attribute.klass, outer)
        made_by = attribute.node
        if not isinstance(made_by, ast.Call):
            return None
        return layer_output(model, made_by) or built_output(model, made_by)
    if func is not value.func:
        return None
    qualname = model.qualname(func)
    if qualname is not None:
        return FUNCTION_OUTPUTS.get(qualname)
    if isinstance(func, ast.Attribute):
        return METHOD_OUTPUTS.get(func.attr)
    return None


_Place = tuple[list[ast.stmt], int, ast.expr]


def _assigned_before(body: list[ast.stmt], index: int, name: str) -> list[_Place] | None:
    """Where ``name`` was last assigned in ``body`` before ``body[index]``: one assignment
    (its block, place and value), or the last one of each branch of an ``if`` that
    assigns it in both. None when something else binds it last (a loop, ``+=`` ...)."""
    for i in range(index - 1, -1, -1):
        stmt = body[i]
        if isinstance(stmt, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in stmt.targets
        ):
            return [(body, i, stmt.value)]
        if not _binds(stmt, name):
            continue
        if not isinstance(stmt, ast.If) or not stmt.orelse:
            return None
        branches = [
            _assigned_before(branch, len(branch), name) for branch in (stmt.body, stmt.orelse)
        ]
        if branches[0] is None or branches[1] is None:
            return None
        return branches[0] + branches[1]
    return None


def _binds(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` (not a nested definition of it) binds ``name``."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, _DEFINITIONS) and node is not stmt:
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
