"""Checks of the pandas family."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.data import pandas_api
from mlsmells.engine import Check
from mlsmells.rules._util import is_true, keyword
from mlsmells.semantic.kinds import Kind

#: Methods that took ``inplace`` before pandas 2.0 removed it there (pandas 2.0
#: release notes, "Removal of prior version deprecations"): code written for
#: older pandas still calls them so, and the result was None as well.
_REMOVED_INPLACE_METHODS = frozenset(
    {
        "set_axis",
        "set_levels",
        "set_codes",
        "add_categories",
        "remove_categories",
        "remove_unused_categories",
        "rename_categories",
        "reorder_categories",
        "set_categories",
        "as_ordered",
        "as_unordered",
    }
)
INPLACE_METHODS = pandas_api.INPLACE_METHODS | _REMOVED_INPLACE_METHODS

#: Methods that return the object itself with ``inplace=True`` since pandas 3.0
#: (None before): assigning their result binds None only on older pandas.
RETURN_SELF_SINCE_3 = frozenset(
    {"fillna", "ffill", "bfill", "interpolate", "replace", "clip", "where", "mask"}
)

#: Attribute indexers: ``X.loc[k]`` is one indexing step (``ix`` was removed in pandas 1.0).
_INDEXERS = frozenset({"loc", "iloc", "at", "iat", "ix"})

_PANDAS_KINDS = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.INDEX})


def _inplace_true(call: ast.Call) -> bool:
    kw = keyword(call, "inplace")
    return kw is not None and is_true(kw.value)


class ChainedAssignment(Check):
    """ML201: a write through two indexing steps of a DataFrame, or an in-place
    method on a selection of one (the write goes to a temporary copy)."""

    codes = ("ML201",)
    nodes = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Call)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._inplace_call(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for leaf in _leaves(target):
                    self._target(leaf)
        elif isinstance(node, ast.AugAssign) or (
            isinstance(node, ast.AnnAssign) and node.value is not None
        ):
            self._target(node.target)

    def _target(self, target: ast.expr) -> None:
        if not isinstance(target, ast.Subscript):
            return
        steps = self._frame_steps(target)
        if steps is not None and len(steps) >= 2:
            self.report(
                "ML201",
                target,
                target=self.ctx.source_of(target),
                data=(("shape", "-".join(steps)),),
            )

    def _inplace_call(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        if not _inplace_true(call):
            return
        steps = self._frame_steps(func.value)
        if steps:
            receiver = self.ctx.source_of(func.value)
            self.report(
                "ML201",
                call,
                target=f"{receiver}.{func.attr}(..., inplace=True)",
                data=(("shape", "inplace-method"), ("method", func.attr)),
            )

    def _frame_steps(self, expr: ast.expr) -> list[str] | None:
        """The indexing steps from a DataFrame to ``expr``, innermost first.

        ``None`` when ``expr`` is not an indexing chain on an expression the
        model knows to be a DataFrame. Steps: ``getitem`` (``X[k]``), an
        attribute indexer (``X.loc[k]`` ...), ``attr`` (``df.col``, a column
        read as an attribute: only directly on the DataFrame, and only for
        names that are no DataFrame member).
        """
        steps: list[str] = []
        while isinstance(expr, ast.Subscript):
            value = expr.value
            if isinstance(value, ast.Attribute) and value.attr in _INDEXERS:
                steps.append(value.attr)
                expr = value.value
            else:
                steps.append("getitem")
                expr = value
        if (
            isinstance(expr, ast.Attribute)
            and expr.attr not in pandas_api.FRAME_MEMBERS
            and expr.attr not in _INDEXERS
            and self.model.kind_of(expr.value) is Kind.DATAFRAME
        ):
            steps.append("attr")
            expr = expr.value
        if not steps or self.model.kind_of(expr) is not Kind.DATAFRAME:
            return None
        steps.reverse()
        return steps


def _leaves(target: ast.expr) -> Iterator[ast.expr]:
    """The single targets of a (possibly unpacking) assignment target."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _leaves(elt)
    elif isinstance(target, ast.Starred):
        yield from _leaves(target.value)
    else:
        yield target


class InplaceResultAssigned(Check):
    """ML202: ``x = obj.method(..., inplace=True)`` binds None."""

    codes = ("ML202",)
    nodes = (ast.Assign, ast.AnnAssign, ast.NamedExpr)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
        value = node.value
        if not isinstance(value, ast.Call) or not _inplace_true(value):
            return
        func = value.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        receiver = func.value
        if self.model.qualname(receiver) is not None:
            # A module or class attribute, not a method of a pandas object; but
            # ``pd.eval(..., inplace=True)`` returns None as well.
            if self.model.qualname(func) != "pandas.eval":
                return
        kind = self.model.kind_of(receiver)
        if kind is not None and kind not in _PANDAS_KINDS:
            return
        since = " before pandas 3.0" if func.attr in RETURN_SELF_SINCE_3 else ""
        self.report("ML202", value, method=func.attr, since=since, data=(("method", func.attr),))


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

    codes = ("ML209",)
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
            data.append(("import", function.rpartition(".")[0]))
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
        """A name bound to the module ``root`` at this point (``pd`` for pandas ...)."""
        candidates: list[str] = []
        for scope in self.model.scope.lookup_chain():
            for name, binding in scope.bindings.items():
                if binding.qualname == root and self.model.lookup(name) is binding:
                    candidates.append(name)
        return min(candidates, key=lambda n: (len(n), n)) if candidates else None

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
