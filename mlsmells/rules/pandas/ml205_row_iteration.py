"""ML205 row-iteration: iterating over a DataFrame's rows in Python."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.data import pandas_api
from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules.pandas._kinds import KIND_EVIDENCE
from mlsmells.rules.pandas._text import brief
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel

RULE = Rule(
    code="ML205",
    name="row-iteration",
    pylint_id="W7625",
    family=Family.PANDAS,
    message="{what}; {advice}",
    summary=(
        "A Python loop over a DataFrame's rows (`iterrows()`, `itertuples()`, "
        "`range(len(df))` with `df.iloc[i]`) or `df.apply(lambda row: ..., axis=1)` "
        "that only combines columns."
    ),
    rationale=(
        "Row-by-row loops run the Python interpreter once per row; the equivalent column "
        "operations run in compiled code and are typically 100 to 1000 times faster. "
        "`iterrows()` also turns every row into a Series, so integer columns of a mixed "
        "frame come back as floats or objects. The rule reports loops whose body only "
        "computes (reads row fields, does arithmetic, collects results or writes into a "
        "frame, looks values up in a mapping); a body that prints, plots, calls a "
        "function of another library or a function of the file that does more than "
        "compute, calls methods of other objects, or runs a loop of its own for each row "
        "is left alone, since that per-row work may have no vectorized form. In "
        "`df.apply(f, axis=1)`, `f` counts as combining columns when it only uses "
        "arithmetic, comparisons, `if`/`else`, NumPy and `math` functions, `str`/`int`/"
        "`float`/`len`/`abs`/`round`/`min`/`max`, `pd.isnull`, `'_'.join([...])` and "
        "f-strings of the row's fields, `.days` and the other parts of a time "
        "difference, lookups in a mapping (`.map`), or calls of a function of the file "
        "that only computes; `apply(np.mean, axis=1)` (or `sum`, `max`, `np.median` ...) "
        "is the frame's own `.mean(axis=1)`. "
        + KIND_EVIDENCE
        + " Not seen: frames bound dynamically (`locals()[name] = frame`), files that do "
        "not import pandas, and per-row work written with comprehensions or string "
        "methods (`[int(t) for t in r.id.split('_')]`), which may have no column form."
    ),
    bad=(
        "for i, row in df.iterrows():\n"
        '    df.loc[i, "total"] = row["price"] * row["qty"]\n'
        'df["margin"] = df.apply(lambda r: r["price"] - r["cost"], axis=1)\n'
    ),
    good=('df["total"] = df["price"] * df["qty"]\ndf["margin"] = df["price"] - df["cost"]\n'),
)


#: Wrappers whose iteration is their first argument's (``enumerate``, progress bars).
_ITERATION_WRAPPERS = frozenset(
    {
        "builtins.enumerate",
        "builtins.list",
        "builtins.iter",
        "tqdm.tqdm",
        "tqdm.auto.tqdm",
        "tqdm.notebook.tqdm",
        "tqdm.std.tqdm",
    }
)
#: Methods that only collect a result: a loop that calls them is still doing data work.
_COLLECTING = frozenset({"append", "extend", "add", "update", "insert", "setdefault"})
#: Builtins with effects (I/O, code execution): a loop that calls them does per-row work.
_EFFECT_BUILTINS = frozenset(
    {"print", "open", "input", "exec", "eval", "breakpoint", "setattr", "delattr", "__import__"}
)
#: Libraries whose functions are data operations, not per-row work with effects.
_DATA_LIBRARIES = frozenset({"numpy", "pandas", "math", "builtins"})
_ROW_INDEXERS = frozenset({"iloc", "loc", "at", "iat", "ix"})
#: Methods of a mapping that only read it: ``if row["id"] in lookup.keys()``.
_MAPPING_READS = frozenset({"keys", "values", "items"})
#: Functions that combine the values of a row into one (``df.apply(np.mean, axis=1)``): the
#: frame has the same reduction along its rows, in compiled code.
_ROW_REDUCTIONS = {
    "builtins.sum": "sum", "builtins.max": "max", "builtins.min": "min",
    "numpy.sum": "sum", "numpy.nansum": "sum", "numpy.mean": "mean", "numpy.nanmean": "mean",
    "numpy.average": "mean", "numpy.prod": "prod", "numpy.nanprod": "prod",
    "numpy.median": "median", "numpy.nanmedian": "median", "numpy.max": "max",
    "numpy.nanmax": "max", "numpy.amax": "max", "numpy.min": "min", "numpy.nanmin": "min",
    "numpy.amin": "min",
}  # fmt: skip
#: Builtins that convert or measure one value (their column forms: ``astype``, ``str.len``).
_VALUE_BUILTINS = frozenset(
    {"builtins.abs", "builtins.round", "builtins.str", "builtins.int", "builtins.float",
     "builtins.len", "builtins.min", "builtins.max"}
)  # fmt: skip
#: pandas functions of one value with a column form.
_PANDAS_VALUE_FUNCTIONS = frozenset(
    {"pandas.isnull", "pandas.notnull", "pandas.isna", "pandas.notna"}
)
#: Attributes of a time difference or a timestamp (``(r["end"] - r["start"]).days``): the
#: column form reads them through ``.dt``.
_TIME_ATTRIBUTES = frozenset(
    {"days", "seconds", "microseconds", "nanoseconds", "year", "month", "day", "hour",
     "minute", "second", "dayofweek", "dayofyear", "quarter"}
)  # fmt: skip


class RowIteration(Check):
    """ML205: iterating over a DataFrame's rows in Python.

    Loops over ``iterrows()``/``itertuples()`` and ``range(len(df))`` loops
    that index ``df`` with the loop variable, when the loop body only
    computes (reads row fields, does arithmetic, collects results, writes
    into frames). A body that does per-row work the rule cannot see
    through (a statement call with effects such as ``print``/``ax.annotate``,
    a call of a same-file or third-party function, a method of some other
    object, ``yield``/``await``) is left alone: such work may have no
    vectorized form. Also ``df.apply(lambda row: ..., axis=1)`` whose
    lambda only combines the row's columns with operators.
    """

    rules = (RULE,)
    nodes = (
        ast.For,
        ast.AsyncFor,
        ast.ListComp,
        ast.SetComp,
        ast.GeneratorExp,
        ast.DictComp,
        ast.Call,
    )
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._apply(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._loop(node, node.iter, node.target, node.body, node)
        else:
            assert isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
            first = node.generators[0]
            parts: list[ast.AST] = list(first.ifs)
            if isinstance(node, ast.DictComp):
                parts += [node.key, node.value]
            else:
                parts.append(node.elt)
            for generator in node.generators[1:]:
                parts += [generator.iter, *generator.ifs]
            self._loop(node, first.iter, first.target, parts, None)

    def _loop(
        self,
        node: ast.AST,
        iterable: ast.expr,
        target: ast.expr,
        body: list[ast.stmt] | list[ast.AST],
        statement: ast.For | ast.AsyncFor | None,
    ) -> None:
        iterable = self._unwrap(iterable)
        if not isinstance(iterable, ast.Call) or not isinstance(iterable.func, ast.Attribute):
            self._range_loop(iterable, target, body, statement)
            return
        method = iterable.func.attr
        frame = iterable.func.value
        if method not in ("iterrows", "itertuples"):
            self._range_loop(iterable, target, body, statement)
            return
        if self.model.kind_of(frame) is not Kind.DATAFRAME:
            return
        if _opaque_work(self.model, body, _names(target)):
            return
        text = brief(self.ctx, frame)
        advice = "use vectorized column operations"
        if method == "iterrows":
            advice += " (or `itertuples()` where per-row work is unavoidable)"
        self.report(
            "ML205",
            statement if statement is not None else iterable,
            what=f"`for ... in {text}.{method}()` iterates over the rows one by one",
            advice=advice,
            data=(("shape", method),),
        )

    def _unwrap(self, iterable: ast.expr) -> ast.expr:
        while (
            isinstance(iterable, ast.Call)
            and iterable.args
            and not isinstance(iterable.args[0], ast.Starred)
            and self.model.qualname(iterable.func) in _ITERATION_WRAPPERS
        ):
            iterable = iterable.args[0]
        return iterable

    def _range_loop(
        self,
        iterable: ast.expr,
        target: ast.expr,
        body: list[ast.stmt] | list[ast.AST],
        statement: ast.For | ast.AsyncFor | None,
    ) -> None:
        """``for i in range(len(df)): ... df.iloc[i] ...`` (or ``df[col][i]``), also as
        ``for i, value in zip(range(len(df)), df[col])``."""
        if statement is None:
            return
        ranged = iterable
        index = target
        if (
            isinstance(iterable, ast.Call)
            and self.model.qualname(iterable.func) == "builtins.zip"
            and iterable.args
            and isinstance(target, (ast.Tuple, ast.List))
            and target.elts
        ):
            ranged, index = iterable.args[0], target.elts[0]
        if not isinstance(index, ast.Name):
            return
        frame = self._range_of_frame(ranged)
        if frame is None:
            return
        if not _indexes_rows(body, frame, index.id):
            return
        if _opaque_work(self.model, body, _names(target)):
            return
        text = brief(self.ctx, frame)
        self.report(
            "ML205",
            statement,
            what=f"`for {index.id} in {brief(self.ctx, ranged)}` indexes `{text}` row by row",
            advice="use vectorized column operations",
            data=(("shape", "range"),),
        )

    def _range_of_frame(self, iterable: ast.expr) -> ast.expr | None:
        """The DataFrame ``X`` of ``range(len(X))``, ``range(0, len(X))``, ``range(X.shape[0])``."""
        if not (
            isinstance(iterable, ast.Call)
            and self.model.qualname(iterable.func) == "builtins.range"
            and not iterable.keywords
            and len(iterable.args) in (1, 2)
        ):
            return None
        if len(iterable.args) == 2 and not (
            isinstance(iterable.args[0], ast.Constant) and iterable.args[0].value == 0
        ):
            return None
        stop = iterable.args[-1]
        frame: ast.expr | None = None
        if (
            isinstance(stop, ast.Call)
            and self.model.qualname(stop.func) == "builtins.len"
            and len(stop.args) == 1
        ):
            frame = stop.args[0]
        elif (
            isinstance(stop, ast.Subscript)
            and isinstance(stop.value, ast.Attribute)
            and stop.value.attr == "shape"
            and isinstance(stop.slice, ast.Constant)
            and stop.slice.value == 0
        ):
            frame = stop.value.value
        if frame is None or self.model.kind_of(frame) is not Kind.DATAFRAME:
            return None
        return frame

    def _apply(self, call: ast.Call) -> None:
        """``df.apply(lambda row: row["a"] * row["b"], axis=1)``."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "apply":
            return
        if self.model.kind_of(func.value) not in (Kind.DATAFRAME, Kind.FRAME_OR_SERIES):
            return  # (with ``axis=1``, only a frame's apply: a Series' passes it to the function)
        function = call.args[0] if call.args else None
        axis = call.args[1] if len(call.args) > 1 else None
        for kw in call.keywords:
            if kw.arg == "func":
                function = kw.value
            elif kw.arg == "axis":
                axis = kw.value
        if not isinstance(axis, ast.Constant) or axis.value not in (1, "columns"):
            return
        if function is None:
            return
        reduction = _ROW_REDUCTIONS.get(self.model.qualname(function) or "")
        if reduction is not None:
            self.report(
                "ML205",
                call,
                what=f"`{brief(self.ctx, func)}({brief(self.ctx, function)}, axis=1)` calls "
                "it once per row",
                advice=f"use the frame's own `.{reduction}(axis=1)`",
                data=(("shape", "apply"),),
            )
            return
        if not isinstance(function, ast.Lambda):
            return
        args = function.args
        params = args.posonlyargs + args.args
        if len(params) != 1 or args.vararg or args.kwarg or args.kwonlyargs:
            return
        if not _Vectorizable(self.model, params[0].arg).check(function.body):
            return
        self.report(
            "ML205",
            call,
            what=f"`{brief(self.ctx, func)}(lambda ..., axis=1)` calls Python once per row",
            advice="the lambda only combines columns: write it as column operations",
            data=(("shape", "apply"),),
        )


def _names(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _walk_body(body: list[ast.stmt] | list[ast.AST]) -> Iterator[ast.AST]:
    """Every node of ``body``, not entering nested functions, lambdas or classes."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        pending.extend(ast.iter_child_nodes(node))


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _opaque_work(
    model: SemanticModel, body: list[ast.stmt] | list[ast.AST], row_names: set[str]
) -> bool:
    """Whether ``body`` does per-row work the rule cannot see through (see RowIteration)."""
    for node in _walk_body(body):
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await, ast.For, ast.While)):
            return True  # (a loop in each row's work: an algorithm per row)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if not (isinstance(func, ast.Attribute) and func.attr in _COLLECTING):
                return True
        if isinstance(node, ast.Call) and _opaque_call(model, node, row_names):
            return True
    return False


def _opaque_call(model: SemanticModel, call: ast.Call, row_names: set[str]) -> bool:
    func = call.func
    qualname = model.qualname(func)
    if qualname is not None:
        root, _, name = qualname.partition(".")
        if root == "builtins":
            return name in _EFFECT_BUILTINS
        return root not in _DATA_LIBRARIES
    if isinstance(func, ast.Name):
        return True  # a same-file function (or an unknown one)
    if not isinstance(func, ast.Attribute):
        return True
    if func.attr in _COLLECTING or func.attr in _MAPPING_READS and not call.args:
        return False
    if _root_name(func.value) in row_names:
        return False  # a method of a row field: row["name"].lower()
    kind = model.kind_of(func.value)
    return kind not in (Kind.DATAFRAME, Kind.SERIES, Kind.INDEX, Kind.NDARRAY)


def _indexes_rows(body: list[ast.stmt] | list[ast.AST], frame: ast.expr, index: str) -> bool:
    """``body`` reads or writes ``frame.iloc[index]`` (``loc``/``at``/``iat``/``ix`` too),
    or a column of ``frame`` at ``index`` (``frame[col][index]``, ``frame[col].iloc[index]``)."""
    wanted = ast.dump(frame)
    for node in _walk_body(body):
        if not isinstance(node, ast.Subscript):
            continue
        key = node.slice
        first = key.elts[0] if isinstance(key, ast.Tuple) and key.elts else key
        if not (isinstance(first, ast.Name) and first.id == index):
            continue
        indexed = node.value
        if isinstance(indexed, ast.Attribute) and indexed.attr in _ROW_INDEXERS:
            indexed = indexed.value
            if ast.dump(indexed) == wanted:
                return True
        if isinstance(indexed, ast.Subscript) and ast.dump(indexed.value) == wanted:
            return True  # a column of the frame, at the row
    return False


_VECTOR_OPERATORS = (
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.BitAnd,
    ast.BitOr,
    ast.BitXor,
)


class _Vectorizable:
    """Whether an expression of a row (``row["a"]``, ``row.a``) only combines its columns,
    numbers, strings and free names in ways that have a column form: arithmetic,
    comparisons, conditional expressions, NumPy and ``math`` functions, ``abs``/``round``/
    ``min``/``max``/``len`` and conversions (``astype``), ``pd.isnull`` (``isna``), joining
    strings (``"_".join([str(r["a"]), str(r["b"])])``, f-strings: ``+`` of string columns),
    lookups in a mapping (``.map``), the parts of a time difference (``.dt.days``), and
    calls of functions of the file that only compute on their parameters."""

    def __init__(self, model: SemanticModel, row: str) -> None:
        self.model = model
        self.row = row
        self.columns = 0

    def check(self, body: ast.expr) -> bool:
        return self.visit(body) and self.columns > 0

    def visit(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, (int, float, str)) and not isinstance(expr.value, bool)
        if isinstance(expr, ast.Name):
            return expr.id != self.row
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr)
        if isinstance(expr, ast.BinOp):
            return (
                isinstance(expr.op, _VECTOR_OPERATORS)
                and self.visit(expr.left)
                and self.visit(expr.right)
            )
        if isinstance(expr, ast.UnaryOp):
            return isinstance(expr.op, (ast.USub, ast.UAdd, ast.Invert)) and self.visit(
                expr.operand
            )
        if isinstance(expr, ast.Compare):
            return (
                len(expr.ops) == 1
                and not isinstance(expr.ops[0], (ast.In, ast.NotIn, ast.Is, ast.IsNot))
                and self.visit(expr.left)
                and self.visit(expr.comparators[0])
            )
        if isinstance(expr, ast.IfExp):
            return self.visit(expr.test) and self.visit(expr.body) and self.visit(expr.orelse)
        if isinstance(expr, ast.BoolOp):
            return all(self.visit(value) for value in expr.values)
        if isinstance(expr, ast.JoinedStr):
            return all(self._formatted(v) for v in expr.values)
        if isinstance(expr, ast.Call):
            return self._call(expr)
        return False

    def _formatted(self, part: ast.expr) -> bool:
        """A part of an f-string: text, or a value formatted without a format spec."""
        if isinstance(part, ast.FormattedValue):
            return part.format_spec is None and self.visit(part.value)
        return isinstance(part, ast.Constant)

    def _subscript(self, expr: ast.Subscript) -> bool:
        key = expr.slice
        if isinstance(expr.value, ast.Name) and expr.value.id == self.row:
            self.columns += 1
            if isinstance(key, ast.Constant):
                return isinstance(key.value, (str, int))
            return isinstance(key, ast.Name) and key.id != self.row  # row[col]
        # a lookup in a mapping by a value of the row: ``fill[row["class"]]`` (``.map``)
        return self._free(expr.value) and self.visit(key)

    def _free(self, expr: ast.expr) -> bool:
        """A name, or items of it, that is not the row (a mapping, a constant)."""
        while isinstance(expr, ast.Subscript):
            if not (isinstance(expr.slice, (ast.Name, ast.Constant)) and self._free(expr.slice)):
                return False
            expr = expr.value
        return isinstance(expr, ast.Name) and expr.id != self.row or isinstance(
            expr, ast.Constant
        )

    def _attribute(self, expr: ast.Attribute) -> bool:
        if isinstance(expr.value, ast.Name) and expr.value.id == self.row:
            self.columns += 1
            return expr.attr not in pandas_api.FRAME_MEMBERS and expr.attr != "name"
        if expr.attr in _TIME_ATTRIBUTES and not isinstance(expr.value, ast.Name):
            return self.visit(expr.value)  # (r["end"] - r["start"]).days
        return self.model.qualname(expr) is not None  # np.pi, a module constant

    def _call(self, call: ast.Call) -> bool:
        if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            return False
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
            and len(call.args) == 1
            and isinstance(call.args[0], (ast.List, ast.Tuple))
        ):  # "_".join([str(r["a"]), str(r["b"])]): r["a"].astype(str) + "_" + ...
            return all(self.visit(e) for e in call.args[0].elts)
        qualname = self.model.qualname(func) or ""
        if (
            qualname.startswith(("numpy.", "math."))
            or qualname in _VALUE_BUILTINS
            or qualname in _PANDAS_VALUE_FUNCTIONS
        ):
            return all(self.visit(a) for a in call.args)
        function = self.model.callee(func) if isinstance(func, ast.Name) else None
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and _computes(
            self.model, function
        ):
            return all(self._argument(a) for a in call.args)
        return False

    def _argument(self, expr: ast.expr) -> bool:
        """An argument of a function of the file: a value, or a tuple of them (a point)."""
        if isinstance(expr, (ast.Tuple, ast.List)):
            return all(self.visit(e) for e in expr.elts)
        return self.visit(expr)


#: Builtins a function of the file may call and still only compute.
_COMPUTING_BUILTINS = frozenset(
    {"abs", "round", "str", "int", "float", "bool", "len", "min", "max", "sum", "pow",
     "zip", "range", "enumerate", "tuple", "list", "sorted", "divmod"}
)  # fmt: skip


def _computes(model: SemanticModel, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``function`` (of the file) only computes a value from its parameters:
    assignments, ``if``/``return`` and expressions whose calls are of NumPy, ``math``, or
    a few pure builtins (``def distance(a, b): return sqrt(sum(pow(x - y, 2) ...))``), and
    ``raise`` for what it rejects."""
    if isinstance(function, ast.AsyncFunctionDef) or function.decorator_list:
        return False
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body or not any(isinstance(s, ast.Return) for s in ast.walk(function)):
        return False
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Raise):
            continue  # rejecting an argument
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.stmt) and not isinstance(
            node, (ast.Return, ast.Assign, ast.AugAssign, ast.If)
        ):
            return False
        if isinstance(node, (ast.Lambda, ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)):
            return False
        if isinstance(node, ast.Call):
            qualname = model.qualname(node.func) or ""
            root, _, name = qualname.partition(".")
            pure = root == "builtins" and name in _COMPUTING_BUILTINS
            if not (pure or root in ("numpy", "math")):
                return False
    return True
