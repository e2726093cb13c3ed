"""The visitor that records, during a walk, what :mod:`mlsmells.semantic.program` needs:
returns, calls of the file's own functions (the kinds and the literal values they pass),
the functions passed around as values, and evidence from uses of names."""

from __future__ import annotations

import ast
from typing import ClassVar

from mlsmells.data import evidence
from mlsmells.engine.check import Context, Visitor
from mlsmells.engine.nodes import iter_nodes
from mlsmells.semantic.kinds import REFINABLE_KINDS, Kind
from mlsmells.semantic.program import FunctionNode, Program, parameter_kinds
from mlsmells.semantic.scopes import Arguments, Binding, Fixed, Scope, ScopeType

_PANDAS_EVIDENCE: dict[str, Kind] = {
    name: {"DataFrame": Kind.DATAFRAME, "Series": Kind.SERIES}.get(which, Kind.FRAME_OR_SERIES)
    for name, which in evidence.PANDAS.items()
}
#: pandas methods that take ``inplace=``: ``x.<method>(..., inplace=True)`` is a frame or a
#: Series (no look-alike spells an in-place update so; ``nn.ReLU(inplace=True)`` is a call
#: of a class, not of a method of a name).
_INPLACE_METHODS = frozenset(
    {
        "drop", "dropna", "fillna", "replace", "rename", "reset_index", "set_index",
        "sort_values", "sort_index", "drop_duplicates", "interpolate", "clip", "where",
        "mask", "rename_axis", "set_axis", "query", "eval", "ffill", "bfill", "update",
    }
)  # fmt: skip


#: The two mode switches of ``torch.nn.Module``: a name on which both are called is a Module
#: (no look-alike has both: pandas' ``eval`` has no ``train``, gensim's ``train`` no ``eval``,
#: skorch's NeuralNet neither).
_MODE_SWITCHES = frozenset({"train", "eval"})


#: The attributes whose use is evidence (the only ones the recorder is handed).
_EVIDENCE_NAMES = frozenset(
    {*evidence.PANDAS, *evidence.TENSOR, *evidence.MODULE, *_INPLACE_METHODS, *_MODE_SWITCHES}
)


class FactRecorder(Visitor):
    """Feeds :attr:`Program.facts` (run first in a walk, only in files worth it)."""

    nodes: ClassVar[tuple[type[ast.AST], ...]] = (ast.Return, ast.Call, ast.Attribute)
    names = _EVIDENCE_NAMES

    statements_only: ClassVar[bool] = False
    """Run in a walk that visits no expression (:class:`SummaryRecorder`)."""

    def __init__(self, ctx: Context, program: Program, pandas_evidence: bool) -> None:
        super().__init__(ctx)
        self.program = program
        self.facts = program.facts
        self.pandas = _PANDAS_EVIDENCE if pandas_evidence else {}
        """Attribute -> pandas kind it proves (none in a file importing a pandas clone)."""
        self.switched: dict[int, set[str]] = {}
        """Binding site -> the mode switches called on the name bound there."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute):
            self._use(node)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Return):
            self._return(node)
        if self.statements_only:
            self._self_calls_in(node)

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is ScopeType.FUNCTION and scope.node is not None:
            self.program.walked.add(id(scope.node))

    # ------------------------------------------------------------------ returns
    def _return(self, node: ast.Return) -> None:
        scope = self.model.scope
        value = node.value
        if scope.type is not ScopeType.FUNCTION or not isinstance(
            scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            return
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            return  # ``return None`` on some path: what the other paths return still counts
        if isinstance(value, ast.Tuple) and not any(isinstance(e, ast.Starred) for e in value.elts):
            kinds = tuple(self.model.kind_of(e) for e in value.elts)
            self.facts.add_items(scope.node, kinds)
        self.facts.add_return(scope.node, self.model.kind_of(value))

    # -------------------------------------------------------------------- calls
    def _call(self, node: ast.Call) -> None:
        model = self.model
        names = self.program.names
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called in names:
            function = model.callee(func)
            if function is not None and not isinstance(function, ast.Lambda):
                arguments = self._passed(node)
                bound = isinstance(func, ast.Attribute)
                self.facts.add_call(function, parameter_kinds(function, arguments, bound))
                self._values(node, function)
                self._self_call(node, arguments)
        for argument in (*node.args, *[kw.value for kw in node.keywords]):
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Name):
                if argument.id not in names:
                    continue
            elif not isinstance(argument, ast.Attribute) or argument.attr not in names:
                continue
            passed = model.callee(argument)
            if passed is None:
                continue
            self.facts.escaped.add(id(passed))  # called where the walk cannot see
            if isinstance(argument, ast.Name) and node.args and argument is node.args[0]:
                # ``df.apply(fix_row, axis=1)``: pandas calls fix_row with a row
                kind = model.callback_argument_kind(node, argument)
                if kind is not None:
                    self.facts.add_call(passed, (kind,))

    def _self_call(self, call: ast.Call, arguments: Arguments) -> None:
        """``self.prepare(batch)`` calls every override of ``prepare`` in the subclasses too:
        what it passes is kept with its class (:attr:`ClassInfo.calls`)."""
        func = call.func
        owner = self.model.self_class(func.value) if isinstance(func, ast.Attribute) else None
        if owner is not None and (any(arguments[0]) or any(k for _, k in arguments[1])):
            assert isinstance(func, ast.Attribute)
            owner.calls.setdefault(func.attr, []).append(arguments)

    def _self_calls_in(self, statement: ast.AST) -> None:
        """The calls of the file's methods through ``self`` in a simple ``statement`` (in a
        walk that visits no expression)."""
        value = getattr(statement, "value", None)
        if value is None or self.model.scope.self_name is None:
            return
        names = self.program.names
        for node in iter_nodes(value):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in names
                and self.model.callee(node.func) is not None
            ):
                self._self_call(node, self._passed(node))

    def _passed(self, call: ast.Call) -> Arguments:
        """The kinds ``call`` passes."""
        kind_of = self.model.kind_of
        positional: list[Kind | None] = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                break
            positional.append(kind_of(arg))
        keywords = tuple((kw.arg, kind_of(kw.value)) for kw in call.keywords if kw.arg is not None)
        return tuple(positional), keywords

    def _values(self, call: ast.Call, function: FunctionNode) -> None:
        """The literal values ``call`` passes to each parameter of ``function`` (its
        literal defaults where it passes nothing); a decorated function is called by its
        decorator's wrapper, with values the walk cannot see."""
        assert not isinstance(function, ast.Lambda)
        if any(not _transparent(d) for d in function.decorator_list):
            self.facts.escaped.add(id(function))
            return
        args = function.args
        positional = args.posonlyargs + args.args
        names = [a.arg for a in positional + args.kwonlyargs]
        values: list[Fixed | None] = [None] * len(names)
        first = len(positional) - len(args.defaults)
        for i, default in enumerate(args.defaults):
            values[first + i] = _literal(default)
        for i, kw_default in enumerate(args.kw_defaults):
            values[len(positional) + i] = _literal(kw_default)
        bound = isinstance(call.func, ast.Attribute) and not _is_static(function)
        constant = self.model.constant
        for i, arg in enumerate(call.args, start=1 if bound else 0):
            if isinstance(arg, ast.Starred):
                values = [None] * len(names)  # ``f(*args)``: any parameter may get anything
                break
            if i >= len(positional):
                break
            values[i] = constant(arg, ask=False)
        for keyword in call.keywords:
            if keyword.arg is None:  # ``f(**kwargs)``
                values = [None] * len(names)
                break
            if keyword.arg in names:
                values[names.index(keyword.arg)] = constant(keyword.value, ask=False)
        self.facts.add_values(function, call, tuple(values))

    # ----------------------------------------------------------------- evidence
    def _use(self, node: ast.Attribute) -> None:
        receiver = node.value
        if not isinstance(receiver, ast.Name):
            return
        name = node.attr
        kind = self.pandas.get(name)
        if kind is None:
            if name in _MODE_SWITCHES:
                if not self._both_switches(node, receiver):
                    return
                kind = Kind.MODULE
            elif name in evidence.TENSOR:
                kind = Kind.TENSOR
            elif name in evidence.MODULE:
                kind = Kind.MODULE
            elif name in _INPLACE_METHODS and self.pandas and self._inplace(node):
                kind = Kind.FRAME_OR_SERIES
            else:
                return
        binding = self.model.lookup(receiver.id)
        if _unknown(binding):
            assert binding is not None and binding.site is not None
            if id(binding.site) in self.facts.unbound and not self.model.project_instance(
                binding.node
            ):
                self.facts.add_evidence(binding.site, kind)

    def _both_switches(self, node: ast.Attribute, receiver: ast.Name) -> bool:
        """Whether ``receiver.train(...)``/``receiver.eval()`` is called here and the other
        one already was on the name bound at the same site."""
        parent = self.ctx.parent
        binding = self.model.lookup(receiver.id)
        if not (isinstance(parent, ast.Call) and parent.func is node) or not _unknown(binding):
            return False
        assert binding is not None and binding.site is not None
        switched = self.switched.setdefault(id(binding.site), set())
        switched.add(node.attr)
        return switched == _MODE_SWITCHES

    def _inplace(self, node: ast.Attribute) -> bool:
        parent = self.ctx.parent
        return (
            isinstance(parent, ast.Call)
            and parent.func is node
            and any(
                kw.arg == "inplace"
                and isinstance(kw.value, ast.Constant)
                and kw.value.value is True
                for kw in parent.keywords
            )
        )


def _transparent(decorator: ast.expr) -> bool:
    """A decorator after which calls still reach the function with the values they pass."""
    return isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod")


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def _literal(default: ast.expr | None) -> Fixed | None:
    return Fixed(default.value) if isinstance(default, ast.Constant) else None


def _unknown(binding: Binding | None) -> bool:
    return (
        binding is not None
        and binding.site is not None
        and binding.kind in REFINABLE_KINDS
        and binding.klass is None
        and binding.qualname is None
    )


class SummaryRecorder(FactRecorder):
    """The recorder of a walk that summarises a module and visits no expression: the
    returns, and the calls through ``self`` in the values of simple statements (what the
    module's summary keeps of its classes)."""

    nodes = (ast.Return, ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)
    statements_only = True
