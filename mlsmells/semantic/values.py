"""Values fixed in the file: what an argument such as ``shuffle=`` or ``probability=``
holds wherever the file runs it, when the file decides it (the model's *constants*)."""

from __future__ import annotations

import ast

from mlsmells.semantic.index import ProjectView
from mlsmells.semantic.names import NameModel
from mlsmells.semantic.program import Passed, Program
from mlsmells.semantic.scopes import Binding, ClassInfo, Fixed


class ValueModel(NameModel):
    """Names (:class:`NameModel`) and the values fixed in the file."""

    def __init__(self, program: Program | None = None, project: ProjectView | None = None) -> None:
        super().__init__(project)
        self.program = program
        """What walks of this file learned about its functions and names (``None``: the
        file is not worth it, see :data:`mlsmells.semantic.kinds.DATA_ROOTS`)."""

    def constant(self, expr: ast.expr, ask: bool = True) -> Fixed | None:
        """The value ``expr`` has wherever the file runs it, when the file fixes it: a
        literal; a name bound to one (the binding in effect at this point of the source, as
        for kinds) or to such an expression; a parameter that every call of its function
        in the file passes the same literal (or leaves the same literal default); ``self.x``
        bound so; ``not x``, ``-x``, ``x is None``, ``x == y``, ``a and b``, ``a or b``,
        ``a if t else b`` of such values. None when not fixed.

        ``ask``: a parameter whose value is not known yet is worth walking its function
        again for, once its calls are known (a rule asks; a binding does not)."""
        if isinstance(expr, ast.Constant):
            return Fixed(expr.value)
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is None:
                return None
            if ask and binding.constant is None and isinstance(binding.site, ast.arg):
                self._ask_value(expr.id, binding)
            return binding.constant
        if isinstance(expr, ast.Attribute):
            owner = self.self_class(expr.value)
            attribute = owner.attributes.get(expr.attr) if owner is not None else None
            return attribute.constant if attribute is not None else None
        if isinstance(expr, ast.UnaryOp):
            return _unary_constant(expr.op, self.constant(expr.operand, ask))
        if isinstance(expr, ast.Compare):
            if len(expr.ops) != 1:
                return None
            left = self.constant(expr.left, ask)
            if left is None:
                return None
            right = self.constant(expr.comparators[0], ask)
            return _compared(expr.ops[0], left, right) if right is not None else None
        if isinstance(expr, ast.BoolOp):
            found: Fixed | None = None
            for value in expr.values:
                found = self.constant(value, ask)
                if found is None:
                    return None
                if bool(found.value) != isinstance(expr.op, ast.And):
                    return found  # ``and`` stops at a false value, ``or`` at a true one
            return found
        if isinstance(expr, ast.IfExp):
            test = self.constant(expr.test, ask)
            if test is None:
                return None
            return self.constant(expr.body if test.value else expr.orelse, ask)
        return None

    def _ask_value(self, name: str, binding: Binding) -> None:
        """Record that a rule asked for the value of the parameter ``name`` (``binding``)."""
        if self.program is None:
            return
        for scope in self.scope.lookup_chain():
            if scope.bindings.get(name) is binding:
                if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.program.facts.asked_values.add(id(scope.node))
                return

    def passed_output(self, name: str, binding: Binding) -> Passed | None:
        """The probabilities that every call of the file's function passes to its positional
        parameter ``name`` (``binding``, not bound again since), as the walks of the file
        recorded them (see :class:`Passed`); not for a method, whose calls through an object
        of unknown class are not seen. A function asked about before its calls are known is
        worth walking again once they are."""
        program = self.program
        if program is None or binding.node is not None:
            return None
        for scope in self.scope.lookup_chain():
            if scope.bindings.get(name) is not binding:
                continue
            node = scope.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or scope.klass:
                return None
            positional = node.args.posonlyargs + node.args.args
            index = next((i for i, a in enumerate(positional) if a.arg == name), None)
            if index is None or binding.site not in (None, positional[index]):
                return None
            passed = program.seeds.outputs.get(id(node))
            if passed is None:
                program.facts.asked_outputs.add(id(node))
                return None
            return passed[index] if index < len(passed) else None
        return None

    def self_class(self, expr: ast.expr) -> ClassInfo | None:
        if isinstance(expr, ast.Name) and expr.id == self.scope.self_name:
            binding = self.lookup(expr.id)
            if binding is not None and binding.klass is self.enclosing_class():
                return binding.klass
        return None


def _unary_constant(op: ast.unaryop, operand: Fixed | None) -> Fixed | None:
    if operand is None:
        return None
    if isinstance(op, ast.Not):
        return Fixed(not operand.value)
    value = operand.value
    if isinstance(op, ast.USub) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fixed(-value)
    return None


def _compared(op: ast.cmpop, left: Fixed, right: Fixed) -> Fixed | None:
    """``left <op> right`` for ``is``, ``is not``, ``==`` and ``!=`` (``is`` only between
    ``None``, ``True`` and ``False``, whose identity is their value)."""
    if isinstance(op, (ast.Is, ast.IsNot)):
        singletons = all(v.value is None or isinstance(v.value, bool) for v in (left, right))
        if not singletons:
            return None
        return Fixed((left == right) == isinstance(op, ast.Is))
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return Fixed((left.value == right.value) == isinstance(op, ast.Eq))
    return None
