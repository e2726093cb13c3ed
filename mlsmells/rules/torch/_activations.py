"""Where probabilities go, for ML408, ML414, ML415 and ML417: the :class:`Activations`
analysis follows the output of a softmax or a sigmoid (a call, a model whose ``forward``
ends in one or returns it in a tuple, a function of the file that returns it, see
:mod:`mlsmells.semantic.outputs`) to the call that uses it.

The flow in a function is local and certain: from a use back through subscripts, methods
that keep values (``view``, ``squeeze``, ``to`` ...), names assigned in the same function
on every way to the use (an assignment inside a branch the use is not in does not count),
and names unpacked from a tuple (``out, hidden = net(x, h)``). Across functions it goes
through the whole-program facts (:class:`~mlsmells.semantic.program.Passed`): the analysis
records the probabilities each call of a function of the file passes to its parameters,
and a parameter that every call passes the same probabilities (or the same model ending in
an activation) holds them.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Analysis, Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.rules._util import keyword
from mlsmells.rules.torch._common import _constructor
from mlsmells.rules.torch._spelling import _spelling_data, spelled
from mlsmells.semantic import outputs
from mlsmells.semantic.kinds import Output
from mlsmells.semantic.names import last_names
from mlsmells.semantic.program import Passed
from mlsmells.semantic.scopes import Binding

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

_FLOW_DEPTH = 6
#: How a message names what an activation makes.
NAMES = {Output.SOFTMAX: "softmax", Output.SIGMOID: "sigmoid"}


class Loss(enum.Enum):
    """The losses that expect something else than probabilities."""

    CROSS_ENTROPY = "cross-entropy"
    BINARY_CROSS_ENTROPY = "binary cross-entropy"
    NLL = "negative log-likelihood"


_LOSS_FUNCTIONS = {
    "torch.nn.functional.cross_entropy": Loss.CROSS_ENTROPY,
    "torch.nn.functional.binary_cross_entropy": Loss.BINARY_CROSS_ENTROPY,
    "torch.nn.functional.nll_loss": Loss.NLL,
}
_LOSS_MODULES = {
    "torch.nn.CrossEntropyLoss": Loss.CROSS_ENTROPY,
    "torch.nn.modules.loss.CrossEntropyLoss": Loss.CROSS_ENTROPY,
    "torch.nn.BCELoss": Loss.BINARY_CROSS_ENTROPY,
    "torch.nn.modules.loss.BCELoss": Loss.BINARY_CROSS_ENTROPY,
    "torch.nn.NLLLoss": Loss.NLL,
    "torch.nn.modules.loss.NLLLoss": Loss.NLL,
}
_LOSS_NAMES = last_names([*_LOSS_FUNCTIONS, *_LOSS_MODULES])


@dataclass(frozen=True)
class Probabilities:
    """A value holding probabilities, and where they come from."""

    call: ast.Call | None
    """The activation's call, or the call of the model (or of the function of the file)
    that returns probabilities; None for a parameter (:attr:`parameter`)."""
    output: Output
    by_model: bool
    """``call`` is a model's."""
    direct: bool
    """``call`` is in the expression asked about (no name on the way)."""
    by_function: bool = False
    """``call`` is a function's of the file."""
    item: int | None = None
    """The item of the tuple ``call`` returns that holds the probabilities."""
    parameter: tuple[str, str] | None = None
    """(function, parameter): a parameter that every call passes the probabilities."""


def _block_path(
    ancestors: list[ast.AST], node: ast.AST, fields: dict[int, dict[int, str]]
) -> list[tuple[int, str]]:
    """(id of each ancestor, the field holding the next node on the way to ``node``).

    ``fields`` caches, per parent, the field of each child (id -> name): searching a
    long body once per statement would take quadratic time on a big module.
    """
    path = [*ancestors, node]
    steps: list[tuple[int, str]] = []
    for parent, child in zip(path, path[1:], strict=False):
        where = fields.get(id(parent))
        if where is None:
            where = fields[id(parent)] = {
                id(item): name
                for name, value in ast.iter_fields(parent)
                for item in (value if isinstance(value, list) else (value,))
                if isinstance(item, ast.AST)
            }
        name = where.get(id(child))
        if name is not None:
            steps.append((id(parent), name))
    return steps


class Activations(Analysis):
    """The assignments of a file, to follow probabilities from where they are made to the
    call that uses them (:meth:`probabilities`), and the loss each call computes, worked out
    once for the rules that ask (:meth:`loss`)."""

    nodes = (ast.Assign, ast.Call)
    requires = frozenset({"torch"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.assignments: dict[int, tuple[list[ast.AST], ast.Assign]] = {}
        """id of an assigned value -> (the ancestors, the assignment statement)."""
        self.assigned_in: dict[int, list[tuple[int, str]]] = {}
        """id of an assigned value -> the block path of its assignment statement (computed
        when a use asks: most assignments are never asked about)."""
        self.unpacked: dict[int, tuple[ast.expr, int]] = {}
        """id of a name a tuple is unpacked into -> (the value unpacked, its item)."""
        self._forward_outputs: dict[int, Output | None] = {}
        self._items: dict[int, tuple[Output | None, ...] | None] = {}
        self._returns: dict[int, Output | None] = {}
        """What the models' ``forward`` and the file's functions return, by class or
        function node."""
        self._fields: dict[int, dict[int, str]] = {}
        """For :func:`_block_path`."""
        self._call: ast.Call | None = None
        self._loss: Loss | None = None
        """The call being visited and the loss it computes."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call, self._loss = node, self._loss_of(node.func)
            func = node.func
            program = self.model.program
            if program is not None and isinstance(func, ast.Name) and func.id in program.names:
                self._record(node, func)
            return
        assert isinstance(node, ast.Assign)
        value = node.value
        self.assignments[id(value)] = (list(self.ctx.ancestors), node)
        program = self.model.program
        if program is not None:
            items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
            for item in items:
                if isinstance(item, ast.Name) and item.id in program.names:
                    # ``self.loss_fn = loss_fn``: called through another name, with anything
                    function = self.model.callee(item)
                    if function is not None and not isinstance(function, ast.Lambda):
                        program.facts.add_outputs(function, node, ())
        for target in node.targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                elts = target.elts
                if not any(isinstance(elt, ast.Starred) for elt in elts):
                    for i, elt in enumerate(elts):
                        if isinstance(elt, ast.Name):
                            self.unpacked[id(elt)] = (node.value, i)

    def _record(self, call: ast.Call, func: ast.Name) -> None:
        """Record what ``call`` of a function of the file passes to its positional
        parameters (see :class:`~mlsmells.semantic.program.Passed`)."""
        model = self.model
        function = model.callee(func)
        program = model.program
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or program is None:
            return
        names = [a.arg for a in function.args.posonlyargs + function.args.args]
        passed: list[Passed | None] = [None] * len(names)
        unpacked = any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        )
        if not unpacked:
            path = _block_path(self.ctx.ancestors, call, self._fields)
            for i, argument in enumerate(call.args[: len(names)]):
                passed[i] = self._passed(argument, path)
            for named in call.keywords:
                if named.arg in names:
                    passed[names.index(named.arg)] = self._passed(named.value, path)
        program.facts.add_outputs(function, call, tuple(passed))

    def _passed(self, argument: ast.expr, path: list[tuple[int, str]]) -> Passed | None:
        """The probabilities ``argument`` holds (or, as a model, returns), at its call."""
        if isinstance(argument, ast.Constant):
            return None
        found = self._flow(argument, path, _FLOW_DEPTH, direct=False)
        if found is not None:
            return Passed(found.output)
        made = self._model_output(argument)
        return Passed(made, model=True) if made is not None else None

    def loss(self, call: ast.Call) -> Loss | None:
        """The loss that ``call``, the call being visited, computes: a loss function, or an
        instance of a loss module (``criterion = nn.CrossEntropyLoss()``)."""
        return self._loss if call is self._call else None

    def _loss_of(self, func: ast.expr) -> Loss | None:
        # Names and constructors ending otherwise are not resolved (most calls).
        model = self.model
        if model.may_resolve_to(func, _LOSS_NAMES):
            found = _LOSS_FUNCTIONS.get(model.qualname(func) or "")
            if found is not None:
                return found
        made_by = _constructor(model, func)
        if made_by is None or not model.may_resolve_to(made_by.func, _LOSS_NAMES):
            return None
        return _LOSS_MODULES.get(model.qualname(made_by.func) or "")

    def probabilities(self, expr: ast.expr, use: ast.AST) -> Probabilities | None:
        """The probabilities ``expr`` holds at ``use`` (the node being visited), if it does."""
        path = _block_path(self.ctx.ancestors, use, self._fields)
        return self._flow(expr, path, _FLOW_DEPTH, direct=True)

    def activation(self, call: ast.Call) -> Output | None:
        """The probabilities ``call`` makes: a softmax or sigmoid function or tensor method,
        or a layer (``self.softmax(x)`` with ``self.softmax = nn.Softmax(dim=1)``)."""
        found = outputs.call_output(self.model, call)
        if found is not None:
            return found
        made_by = _constructor(self.model, call.func)
        return outputs.layer_output(self.model, made_by) if made_by is not None else None

    def _flow(
        self, expr: ast.expr, path: list[tuple[int, str]], depth: int, direct: bool
    ) -> Probabilities | None:
        if depth <= 0:
            return None
        if isinstance(expr, ast.Subscript):
            return self._flow(expr.value, path, depth - 1, direct)
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None:
                return None
            value = binding.node
            item = None
            if value is None and binding.site is not None:
                found = self.unpacked.get(id(binding.site))
                if found is None:
                    return self._parameter(expr, binding)
                value, item = found
            if not isinstance(value, ast.expr):
                return self._parameter(expr, binding)
            where = self._assigned_in(value)
            if where is None or where != path[: len(where)]:
                return None  # not assigned on every way to the use
            if item is not None:
                return self._item(value, item)
            return self._flow(value, path, depth - 1, direct=False)
        if not isinstance(expr, ast.Call):
            return None
        made = self.activation(expr)
        if made is not None:
            return Probabilities(expr, made, by_model=False, direct=direct)
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in outputs.KEEPS_VALUES:
            return self._flow(func.value, path, depth - 1, direct)
        returned = self._model_output(func)
        if returned is not None:
            return Probabilities(expr, returned, by_model=True, direct=direct)
        function = self._function(func)
        if function is not None:
            key = id(function)
            if key not in self._returns:
                self._returns[key] = outputs.function_output(self.model, function, None)
            returned = self._returns[key]
            if returned is not None:
                return Probabilities(expr, returned, False, direct, by_function=True)
        return None

    def _parameter(self, expr: ast.Name, binding: Binding) -> Probabilities | None:
        """The probabilities every call passes to the parameter ``expr`` (not a model)."""
        passed = self.model.passed_output(expr.id, binding)
        if passed is None or passed.model:
            return None
        where = next(
            (
                scope.node.name
                for scope in self.model.scope.lookup_chain()
                if scope.bindings.get(expr.id) is binding
                and isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            ),
            "",
        )
        return Probabilities(
            None, passed.output, by_model=False, direct=False, parameter=(where, expr.id)
        )

    def _function(self, func: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function of the file (not a method) that calling ``func`` by name runs."""
        program = self.model.program
        if not isinstance(func, ast.Name) or program is None or func.id not in program.names:
            return None
        function = self.model.callee(func)
        return function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def _item(self, value: ast.expr, item: int) -> Probabilities | None:
        """The probabilities in item ``item`` of what the call ``value`` returns: a model
        whose ``forward`` returns a tuple (a class of the file), or a function of the file."""
        if not isinstance(value, ast.Call):
            return None
        klass = self.model.instance_class(value.func)
        by_model = klass is not None and klass.is_module
        if klass is not None and klass.is_module:
            key = id(klass.node)
            if key not in self._items:
                self._items[key] = outputs.forward_items(self.model, klass)
        else:
            function = self._function(value.func)
            if function is None:
                return None
            key = id(function)
            if key not in self._items:
                self._items[key] = outputs.function_items(self.model, function, None)
        found = self._items[key]
        if found is None or item >= len(found) or found[item] is None:
            return None
        output = found[item]
        assert output is not None
        return Probabilities(value, output, by_model, False, not by_model, item)

    def _assigned_in(self, value: ast.expr) -> list[tuple[int, str]] | None:
        """The block path of the assignment of ``value`` (None: not an assigned value)."""
        path = self.assigned_in.get(id(value))
        if path is None:
            assignment = self.assignments.get(id(value))
            if assignment is None:
                return None
            ancestors, statement = assignment
            path = self.assigned_in[id(value)] = _block_path(ancestors, statement, self._fields)
        return path

    def _model_output(self, func: ast.expr) -> Output | None:
        """What calling the model ``func`` returns: a model built here as an
        ``nn.Sequential`` or a class of a project module, or an instance of a class of
        this file (see :mod:`mlsmells.semantic.outputs`)."""
        if isinstance(func, ast.Name):
            binding = self.model.lookup(func.id)
            if binding is not None and binding.node is None:
                passed = self.model.passed_output(func.id, binding)
                return passed.output if passed is not None and passed.model else None
        made_by = _constructor(self.model, func)
        if made_by is not None:
            built = outputs.built_output(self.model, made_by)
            if built is not None:
                return built
        klass = self.model.instance_class(func)
        if klass is None or not klass.is_module:
            return None
        key = id(klass.node)
        if key not in self._forward_outputs:
            self._forward_outputs[key] = outputs.forward_output(self.model, klass)
        return self._forward_outputs[key]


class IntoLoss(Check):
    """Probabilities (:attr:`output`) passed to a loss (:attr:`loss`) that expects something
    else: the base of the checks of ML408, ML415 and ML417, which say it (:meth:`found`)."""

    nodes = (ast.Call,)
    requires = frozenset({"torch"})
    needs = (Activations,)
    loss: ClassVar[Loss]
    output: ClassVar[Output]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        losses = {**_LOSS_FUNCTIONS, **_LOSS_MODULES}
        # A finding is at a call of the loss (by name, or of a module the file constructs).
        cls.words = tuple(last_names(q for q, loss in losses.items() if loss is cls.loss))

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flow = ctx.analysis(Activations)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if self.flow.loss(node) is not self.loss:
            return
        argument = input_argument(node)
        if argument is None:
            return
        found = self.flow.probabilities(argument, node)
        if found is not None and found.output is self.output:
            self.found(node, found)

    def found(self, node: ast.Call, found: Probabilities) -> None:
        raise NotImplementedError


def short(ctx: Context, call: ast.Call) -> str:
    """How a message shows a call: its text, or ``func(...)`` when that is long."""
    shown = ctx.source_of(call)
    if "\n" in shown or len(shown) > 80:
        shown = f"{ctx.source_of(call.func)}(...)"
    return shown


def source_text(ctx: Context, found: Probabilities) -> str:
    """How a message shows where probabilities come from."""
    name = NAMES[found.output]
    if found.call is None:
        function, parameter = found.parameter or ("", "")
        return f"the parameter `{parameter}` (every call of `{function}` passes a {name}'s output)"
    shown = f"`{short(ctx, found.call)}`"
    who = "the model" if found.by_model else "the function"
    if found.item is not None:
        shown += f" ({who} returns a tuple whose item [{found.item}] is a {name}'s output)"
    elif found.by_model:
        shown += f" (the model ends in a {name})"
    elif found.by_function:
        shown += f" (the function returns a {name}'s output)"
    return shown


def input_argument(call: ast.Call) -> ast.expr | None:
    """The first argument of a torch function's call (``input``), unless it is unpacked."""
    given = keyword(call, "input")
    argument = given.value if given is not None else (call.args[0] if call.args else None)
    return None if argument is None or isinstance(argument, ast.Starred) else argument


def log_form(ctx: Context, call: ast.Call, output: Output) -> tuple[tuple[str, str], ...] | None:
    """The data of a fix that turns the activation ``call`` (a function or a tensor method)
    into its log form: ``F.softmax(x, 1)`` -> ``F.log_softmax(x, 1)`` (the same namespace,
    whose signature is the same), ``x.softmax(1)`` -> ``x.log_softmax(1)``,
    ``torch.sigmoid(x)`` / ``x.sigmoid()`` -> ``F.logsigmoid(x)``. None for a shape it does
    not rewrite: a softmax without an explicit ``dim`` (the implicit choice is deprecated),
    unpacked or unexpected arguments."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    qualname = ctx.model.qualname(call.func)  # None: a tensor method
    if output is Output.SIGMOID:
        logsigmoid = "torch.nn.functional.logsigmoid"
        if qualname is None:  # ``x.sigmoid()``: ``x`` becomes the argument
            if call.args or call.keywords:
                return None
            return (*_spelling_data(ctx, logsigmoid), ("receiver", "argument"))
        arguments = len(call.args) + len(call.keywords)
        plain = arguments == 1 and (bool(call.args) or call.keywords[0].arg == "input")
        return _spelling_data(ctx, logsigmoid) if plain else None
    params = ("dim",) if qualname is None else ("input", "dim")
    if len(call.args) > len(params):
        return None
    named = {k.arg for k in call.keywords}
    if not named <= {"input", "dim", "dtype"} - ({"input"} if qualname is None else set()):
        return None
    given_dim = keyword(call, "dim")
    dim = (
        call.args[-1] if len(call.args) == len(params) else (given_dim.value if given_dim else None)
    )
    if dim is None or (isinstance(dim, ast.Constant) and dim.value is None):
        return None
    if qualname is None:
        return (("method", "log_softmax"),)
    return _spelling_data(ctx, f"{qualname.rpartition('.')[0]}.log_softmax")


# ---------------------------------------------------------------------- fix


def has_comment(node: cst.BaseExpression) -> bool:
    """Whether a comment lies inside ``node``'s code (not in the parentheses around it): a
    rewrite of the node is not made then, it might drop the comment (the rule sees the
    same with :func:`mlsmells.rules._fixfacts.holds_comment`)."""
    found = False

    class _Find(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            nonlocal found
            found = True

    node.with_changes(lpar=[], rpar=[]).visit(_Find())
    return found


def bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its parentheses when they hold nothing but spaces (for an argument,
    or a call that takes the place of a parenthesized operation)."""
    spaces = [p.whitespace_after for p in node.lpar] + [p.whitespace_before for p in node.rpar]
    if not node.lpar or not all(isinstance(s, cst.SimpleWhitespace) for s in spaces):
        return node
    return node.with_changes(lpar=[], rpar=[])


def in_log_form(
    ctx: fx.FixContext, diag: Diagnostic, call: cst.Call
) -> tuple[cst.Call, tuple[fx.ImportItem, ...]] | None:
    """The activation ``call`` of a finding rewritten into its log form, as the rule's data
    (:func:`log_form`) says, and the imports that needs."""
    method = diag.get("method")
    if method is not None:
        if not isinstance(call.func, cst.Attribute):
            return None
        return call.with_changes(func=call.func.with_changes(attr=cst.Name(method))), ()
    found = spelled(ctx, diag)
    if found is None:
        return None
    text, imports = found
    func = cst.parse_expression(text)
    if diag.get("receiver") is not None:
        if not isinstance(call.func, cst.Attribute) or call.args:
            return None
        return cst.Call(func=func, args=[cst.Arg(bare(call.func.value))]), imports
    return call.with_changes(func=func), imports
