"""ML209 nan-equality: a comparison with NaN (``x == np.nan`` is always False), and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import import_data
from mlsmells.rules.pandas._text import module_alias

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML209",
    name="nan-equality",
    pylint_id="E7629",
    family=Family.PANDAS,
    message="comparison `{comparison}` {result}; use `{replacement}`",
    summary="A value is compared with NaN (`== np.nan`, `is math.nan`, `!= pd.NA` ...).",
    rationale=(
        "NaN is not equal to anything, itself included: `x == np.nan` is always False and "
        "`x != np.nan` always True, element-wise on arrays and frames as well. `x is np.nan` "
        "depends on object identity and misses NaNs produced by computation. `pd.NA` "
        "propagates instead of answering. Use `pd.isna`/`pd.notna`, `np.isnan` or "
        "`math.isnan`."
    ),
    bad='missing = df[df["age"] == np.nan]\n',
    good='missing = df[df["age"].isna()]\n',
    fix=Fix.UNSAFE,
    fix_summary=(
        "`pd.isna(x)` / `pd.notna(x)` when pandas is imported, else `np.isnan(x)` / "
        "`~np.isnan(x)`, else `math.isnan(x)` / `not math.isnan(x)`."
    ),
    fix_safety=(
        "Unsafe: the original expression is constant (always False or always True); the "
        "fixed one really tests for missing values, so the program's behaviour changes "
        "(as intended). `np.isnan` also raises on object arrays where the comparison did not."
    ),
)


#: Qualified names of NaN-like constants.
_NAN_CONSTANTS = frozenset(
    {"numpy.nan", "numpy.NaN", "numpy.NAN", "math.nan", "torch.nan", "pandas.NA"}
)
#: Callables that build a NaN from the string "nan".
_FLOAT_CONSTRUCTORS = frozenset(
    {"builtins.float", "numpy.float64", "numpy.float32", "numpy.double"}
)
_NAN_STRINGS = frozenset({"nan", "+nan", "-nan"})


class NanEquality(Check):
    """ML209: ``x == np.nan`` (always False), ``x != np.nan`` (always True), ``x is np.nan``."""

    rules = (RULE,)
    nodes = (ast.Compare,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Compare)
        if len(node.ops) != 1:
            return  # chained comparisons: rewriting them is not mechanical; silent
        op = node.ops[0]
        if not isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            return
        left, right = node.left, node.comparators[0]
        left_nan, right_nan = self._nan(left), self._nan(right)
        if (left_nan is None) == (right_nan is None):
            return  # no NaN, or NaN against NaN (a demonstration, not a test)
        nan, operand, side = (
            (left_nan, right, "left") if left_nan is not None else (right_nan, left, "right")
        )
        assert nan is not None
        if self._maybe_polars(operand):
            return
        identity = isinstance(op, (ast.Is, ast.IsNot))
        if nan == "pandas.NA" and identity:
            return  # pd.NA is a singleton: ``x is pd.NA`` is the documented identity test
        if identity and isinstance(operand, ast.Attribute) and operand.attr == "na_value":
            # ``dtype.na_value`` is a sentinel, the np.nan object or pd.NA
            # (``StringDtype(na_value=np.nan)``): identity is the right test.
            return
        negated = isinstance(op, (ast.NotEq, ast.IsNot))
        op_text = {ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not"}[type(op)]
        if nan == "pandas.NA":
            result = "gives NA, never True or False"
        elif identity:
            result = "tests object identity and misses NaNs produced by computation"
        else:
            result = "is always True" if negated else "is always False"
        nan_text = self.ctx.source_of(left if side == "left" else right)
        aliases = {root: self._alias(root) for root in ("pandas", "numpy", "math", "torch")}
        prefix, function, needs_import = self._replacement(operand, negated, aliases)
        data = [
            ("op", op_text),
            ("nan_side", side),
            ("nan", nan),
            ("replacement", function),
            ("negate", prefix),
        ]
        data += [(root, alias) for root, alias in aliases.items() if alias is not None]
        if needs_import:
            data += import_data(self.ctx, function.rpartition(".")[0])
        self.report(
            "ML209",
            node,
            comparison=f"{nan_text} {op_text} ..."
            if side == "left"
            else f"... {op_text} {nan_text}",
            result=result,
            replacement=f"{prefix}{function}(...)",
            data=data,
        )

    def _nan(self, expr: ast.expr) -> str | None:
        """``expr``'s NaN constant (qualified name, or ``float('nan')``), if it is one."""
        if isinstance(expr, ast.Call):
            if (
                len(expr.args) == 1
                and not expr.keywords
                and isinstance(expr.args[0], ast.Constant)
                and isinstance(expr.args[0].value, str)
                and expr.args[0].value.strip().lower() in _NAN_STRINGS
                and self.model.qualname(expr.func) in _FLOAT_CONSTRUCTORS
            ):
                return "float('nan')"
            return None
        if isinstance(expr, (ast.Name, ast.Attribute)) and self._names_an_import(expr):
            qualname = self.model.qualname(expr)
            if qualname in _NAN_CONSTANTS:
                return qualname
        return None

    def _names_an_import(self, expr: ast.expr) -> bool:
        """``expr`` is an imported name or an attribute of one, not a variable.

        ``na_value = np.nan`` in one branch does not make ``na_value`` NaN in
        the others: only names bound by an import (or a star import) count.
        """
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return False
        binding = self.model.lookup(expr.id)
        return binding is None or isinstance(binding.node, (ast.Import, ast.ImportFrom))

    def _maybe_polars(self, operand: ast.expr) -> bool:
        """Polars compares NaN equal to NaN ("Any NaN compares equal to any other NaN",
        polars user guide, floating point): ``pl.col("x") == np.nan`` is a real test.

        Silent for an operand built from a polars name, and, in a file that
        imports polars, for any operand whose kind the model does not know.
        """
        root = operand
        while isinstance(root, (ast.Call, ast.Attribute, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        qualname = self.model.qualname(root)
        if qualname is not None and qualname.split(".")[0] == "polars":
            return True
        return "polars" in self.model.imported_roots and self.model.kind_of(operand) is None

    def _alias(self, root: str) -> str | None:
        return module_alias(self.model, root)

    def _replacement(
        self, operand: ast.expr, negated: bool, aliases: dict[str, str | None]
    ) -> tuple[str, str, bool]:
        """(negation prefix, qualified-by-alias function, whether an import must be added)."""
        kind = self.model.kind_of(operand)
        torch = aliases["torch"]
        if kind is not None and kind.is_tensor and torch is not None:
            return ("~" if negated else ""), f"{torch}.isnan", False
        pandas = aliases["pandas"]
        if pandas is not None:
            return "", f"{pandas}.{'notna' if negated else 'isna'}", False
        numpy = aliases["numpy"]
        if numpy is not None:
            return ("~" if negated else ""), f"{numpy}.isnan", False
        math = aliases["math"]
        if math is not None:
            return ("not " if negated else ""), f"{math}.isnan", False
        roots = self.model.imported_roots
        if "pandas" in roots:
            return "", f"pandas.{'notna' if negated else 'isna'}", True
        if "numpy" in roots:
            return ("~" if negated else ""), "numpy.isnan", True
        return ("not " if negated else ""), "math.isnan", True


# ---------------------------------------------------------------------- fix


def nan_equality(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``x == np.nan`` -> ``pd.isna(x)``, ``x != np.nan`` -> ``pd.notna(x)`` ...

    The rule chooses the replacement and says it in its message; the data
    carries it: ``replacement`` (the function, under the alias bound where
    the comparison is), ``negate`` (``""``, ``"~"`` or ``"not "``),
    ``nan_side`` (``left``/``right``), and ``import`` when the module must
    be imported first (done only if its name is used nowhere else).
    """
    node = ctx.find(diag, cst.Comparison)
    function = diag.get("replacement")
    negate = diag.get("negate")
    side = diag.get("nan_side")
    if node is None or function is None or len(node.comparisons) != 1:
        return None
    operand = node.comparisons[0].comparator if side == "left" else node.left
    imports: tuple[fx.ImportItem, ...] = ()
    module = diag.get("import")
    if module is not None:
        if module.split(".")[0] in ctx.names_in_module():
            return None
        imports = (fx.ImportItem(module),)
    call: cst.BaseExpression = cst.Call(
        func=cst.parse_expression(function), args=[cst.Arg(_without_parens(operand))]
    )
    if negate == "~":
        call = cst.UnaryOperation(operator=cst.BitInvert(), expression=call)
    elif negate == "not ":
        call = cst.UnaryOperation(operator=cst.Not(), expression=call)
    elif negate != "":
        return None
    return fx.Edit(node, call.with_changes(lpar=node.lpar, rpar=node.rpar), imports)


def _without_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without redundant parentheses, as the only argument of a call."""
    if not node.lpar or isinstance(node, (cst.Tuple, cst.GeneratorExp, cst.Yield)):
        return node
    simple = all(isinstance(p.whitespace_after, cst.SimpleWhitespace) for p in node.lpar) and all(
        isinstance(p.whitespace_before, cst.SimpleWhitespace) for p in node.rpar
    )
    return node.with_changes(lpar=[], rpar=[]) if simple else node


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered unless the replacement needs an import of a name the module uses otherwise
    (``taken``)."""
    return Fix.NONE if diag.get("taken") is not None else Fix.UNSAFE


FIXES = {"ML209": nan_equality}
FIXABLE = {"ML209": fix_applies}
