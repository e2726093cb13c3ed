"""ML905 matrix-product-with-dot: `np.dot` of two operands known to be 2-D arrays."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import keyword
from mlsmells.semantic.kinds import Kind

RULE = Rule(
    code="ML905",
    name="matrix-product-with-dot",
    pylint_id="C7685",
    family=Family.OPINIONATED,
    message="`{func}` of two 2-D arrays is a matrix product: `{left} @ {right}` states it",
    summary="`np.dot(a, b)` where both operands are known to be 2-D arrays.",
    rationale=(
        "`np.dot` means a dot product for vectors, a matrix product for 2-D arrays and a "
        "sum-product over the last and second-to-last axes for N-D arrays (unlike "
        "`np.matmul`, which broadcasts over the leading axes). On 2-D arrays the `@` "
        "operator computes the same matrix product and says so. The rule only reports when "
        "both operands are known to be 2-D in the same scope: built with a 2-D shape "
        "(`np.zeros((n, m))`, `np.eye(n)`, `np.random.rand(n, m)`, a nested list literal, "
        "`.reshape(n, m)`, `np.outer`, `.T` or a product of such arrays), or a DataFrame's "
        "`.to_numpy()`/`.values`."
    ),
    bad=("W = np.random.randn(64, 32)\nX = np.zeros((batch, 64))\nH = np.dot(X, W)\n"),
    good=("W = np.random.randn(64, 32)\nX = np.zeros((batch, 64))\nH = X @ W\n"),
    default_enabled=False,
    noise=(
        "Purely a matter of style where both operands are 2-D: `np.dot` computes the "
        "right thing there, and code bases that also support N-D inputs may prefer it "
        "deliberately."
    ),
)


_SHAPED = frozenset({"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full"})
_SQUARE = frozenset({"numpy.eye", "numpy.identity", "numpy.outer"})
_SIZED = frozenset(
    {
        "numpy.random.random", "numpy.random.random_sample", "numpy.random.standard_normal",
        "numpy.random.normal", "numpy.random.uniform", "numpy.random.randint",
    }
)  # fmt: skip
_PRODUCTS = frozenset({"numpy.dot", "numpy.matmul"})
_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)


def _literal_depth(expr: ast.expr) -> int | None:
    """Nesting depth of a rectangular list/tuple literal of numbers (a number: 0)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float, complex)):
        return 0 if not isinstance(expr.value, bool) else None
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return _literal_depth(expr.operand)
    if isinstance(expr, (ast.List, ast.Tuple)) and expr.elts:
        depths = {_literal_depth(e) for e in expr.elts}
        if len(depths) == 1:
            (depth,) = depths
            return None if depth is None else depth + 1
    return None


def _shape_rank(expr: ast.expr) -> int | None:
    if isinstance(expr, (ast.Tuple, ast.List)):
        if any(isinstance(e, ast.Starred) for e in expr.elts):
            return None
        return len(expr.elts)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return 1
    return None


class MatrixProductWithDot(Check):
    """ML905: ``np.dot`` of two operands known to be 2-D arrays."""

    rules = (RULE,)
    nodes = (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Call)
    requires = frozenset({"numpy"})
    words = ("dot",)  # every finding is a call of ``numpy.dot``

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._ranks: dict[int, int] = {}
        """id(value expression of a binding) -> its number of dimensions, when known."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
            return
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
        value = node.value
        if value is None:
            return
        self._remember(value)
        if isinstance(value, (ast.Tuple, ast.List)):
            for elt in value.elts:
                self._remember(elt)

    def _remember(self, value: ast.expr) -> None:
        rank = self._rank(value, 0)
        if rank is not None:
            self._ranks[id(value)] = rank

    def _call(self, call: ast.Call) -> None:
        if self.model.qualname(call.func) != "numpy.dot":
            return
        if len(call.args) != 2 or call.keywords:
            return  # ``out=`` has no ``@`` spelling
        left, right = call.args
        if self._rank(left, 0) == 2 and self._rank(right, 0) == 2:
            self.report(
                "ML905",
                call,
                func=self.ctx.source_of(call.func),
                left=self.ctx.source_of(left),
                right=self.ctx.source_of(right),
            )

    def _rank(self, expr: ast.expr, depth: int) -> int | None:
        """The number of dimensions of the ndarray ``expr`` evaluates to, if known."""
        if depth > 20:
            return None
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None or binding.node is None:
                return None
            return self._ranks.get(id(binding.node))
        if isinstance(expr, ast.Call):
            return self._call_rank(expr, depth)
        if isinstance(expr, ast.Attribute):
            if expr.attr == "T":
                return self._rank(expr.value, depth + 1)
            if expr.attr == "values" and self.model.kind_of(expr.value) is Kind.DATAFRAME:
                return 2
            return None
        if isinstance(expr, ast.BinOp):
            left = self._rank(expr.left, depth + 1)
            right = self._rank(expr.right, depth + 1)
            if isinstance(expr.op, ast.MatMult):
                return 2 if left == 2 and right == 2 else None
            if isinstance(expr.op, _ELEMENTWISE):
                if _is_number(expr.left):
                    return right
                if _is_number(expr.right):
                    return left
                return left if left is not None and left == right else None
        return None

    def _call_rank(self, call: ast.Call, depth: int) -> int | None:
        qualname = self.model.qualname(call.func)
        has_starred = any(isinstance(a, ast.Starred) for a in call.args)
        if qualname is not None and not has_starred:
            if qualname in _SHAPED:
                shape = call.args[0] if call.args else _kw_value(call, "shape")
                return _shape_rank(shape) if shape is not None else None
            if qualname in _SQUARE:
                return 2
            if qualname in ("numpy.random.rand", "numpy.random.randn"):
                return len(call.args) or None
            if qualname in _SIZED:
                size = _kw_value(call, "size")
                return _shape_rank(size) if size is not None else None
            if qualname in ("numpy.array", "numpy.asarray") and call.args:
                return self._array_rank(call.args[0], depth)
            if qualname in _PRODUCTS and len(call.args) == 2:
                ranks = [self._rank(a, depth + 1) for a in call.args]
                return 2 if ranks == [2, 2] else None
            if qualname == "numpy.transpose" and len(call.args) == 1:
                return self._rank(call.args[0], depth + 1)
            if qualname == "numpy.reshape" and len(call.args) == 2:
                return _shape_rank(call.args[1])
        func = call.func
        if not isinstance(func, ast.Attribute) or has_starred:
            return None
        receiver_kind = self.model.kind_of(func.value)
        if func.attr == "to_numpy" and receiver_kind is Kind.DATAFRAME:
            return 2
        if func.attr == "reshape" and (
            receiver_kind is Kind.NDARRAY or self._rank(func.value, depth + 1) is not None
        ):
            if len(call.args) == 1:
                return _shape_rank(call.args[0])
            return len(call.args) if call.args and not call.keywords else None
        if func.attr in ("copy", "astype") and receiver_kind is Kind.NDARRAY:
            return self._rank(func.value, depth + 1)
        return None

    def _array_rank(self, data: ast.expr, depth: int) -> int | None:
        literal = _literal_depth(data)
        if literal is not None:
            return literal
        return self._rank(data, depth + 1)


def _kw_value(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def _is_number(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp):
        return _is_number(expr.operand)
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float))
