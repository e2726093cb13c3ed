"""ML205 row-iteration: iterating over a DataFrame's rows in Python."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.data import pandas_api
from mlsmells.engine import Check
from mlsmells.records import Family, Rule
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
        "frame); a body that prints, plots, calls a function of the file or of another "
        "library, or calls methods of other objects is left alone, since that per-row "
        "work may have no vectorized form."
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
_ROW_INDEXERS = frozenset({"iloc", "loc", "at", "iat"})


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
        """``for i in range(len(df)): ... df.iloc[i] ...``."""
        if statement is None or not isinstance(target, ast.Name):
            return
        frame = self._range_of_frame(iterable)
        if frame is None:
            return
        if not _indexes_rows(body, frame, target.id):
            return
        if _opaque_work(self.model, body, {target.id}):
            return
        text = brief(self.ctx, frame)
        self.report(
            "ML205",
            statement,
            what=f"`for {target.id} in {brief(self.ctx, iterable)}` indexes `{text}` row by row",
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
        if self.model.kind_of(func.value) is not Kind.DATAFRAME:
            return
        function = call.args[0] if call.args else None
        axis = call.args[1] if len(call.args) > 1 else None
        for kw in call.keywords:
            if kw.arg == "func":
                function = kw.value
            elif kw.arg == "axis":
                axis = kw.value
        if not isinstance(axis, ast.Constant) or axis.value not in (1, "columns"):
            return
        if not isinstance(function, ast.Lambda):
            return
        args = function.args
        params = args.posonlyargs + args.args
        if len(params) != 1 or args.vararg or args.kwarg or args.kwonlyargs:
            return
        if not _vectorizable(self.model, function.body, params[0].arg):
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
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
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
    if func.attr in _COLLECTING:
        return False
    if _root_name(func.value) in row_names:
        return False  # a method of a row field: row["name"].lower()
    kind = model.kind_of(func.value)
    return kind not in (Kind.DATAFRAME, Kind.SERIES, Kind.INDEX, Kind.NDARRAY)


def _indexes_rows(body: list[ast.stmt] | list[ast.AST], frame: ast.expr, index: str) -> bool:
    """``body`` reads or writes ``frame.iloc[index]`` (``loc``/``at``/``iat`` too)."""
    wanted = ast.dump(frame)
    for node in _walk_body(body):
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in _ROW_INDEXERS
            and ast.dump(node.value.value) == wanted
        ):
            continue
        key = node.slice
        first = key.elts[0] if isinstance(key, ast.Tuple) and key.elts else key
        if isinstance(first, ast.Name) and first.id == index:
            return True
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


def _vectorizable(model: SemanticModel, body: ast.expr, row: str) -> bool:
    """``body`` only combines columns of ``row`` (``row["a"]``, ``row.a``), numbers and
    free names with arithmetic, comparisons, conditional expressions and NumPy functions."""
    columns = 0

    def visit(expr: ast.expr) -> bool:
        nonlocal columns
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, (int, float, str)) and not isinstance(expr.value, bool)
        if isinstance(expr, ast.Name):
            return expr.id != row
        if isinstance(expr, ast.Subscript):
            if isinstance(expr.value, ast.Name) and expr.value.id == row:
                key = expr.slice
                columns += 1
                return isinstance(key, ast.Constant) and isinstance(key.value, (str, int))
            return False
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == row:
                columns += 1
                return expr.attr not in pandas_api.FRAME_MEMBERS and expr.attr != "name"
            return model.qualname(expr) is not None  # np.pi, a module constant
        if isinstance(expr, ast.BinOp):
            return isinstance(expr.op, _VECTOR_OPERATORS) and visit(expr.left) and visit(expr.right)
        if isinstance(expr, ast.UnaryOp):
            return isinstance(expr.op, (ast.USub, ast.UAdd, ast.Invert)) and visit(expr.operand)
        if isinstance(expr, ast.Compare):
            return (
                len(expr.ops) == 1
                and not isinstance(expr.ops[0], (ast.In, ast.NotIn, ast.Is, ast.IsNot))
                and visit(expr.left)
                and visit(expr.comparators[0])
            )
        if isinstance(expr, ast.IfExp):
            return visit(expr.test) and visit(expr.body) and visit(expr.orelse)
        if isinstance(expr, ast.BoolOp):
            return all(visit(value) for value in expr.values)
        if isinstance(expr, ast.Call):
            qualname = model.qualname(expr.func) or ""
            vector_call = qualname.startswith("numpy.") or qualname in (
                "builtins.abs",
                "builtins.round",
            )
            return (
                vector_call
                and not expr.keywords
                and all(not isinstance(a, ast.Starred) and visit(a) for a in expr.args)
            )
        return False

    return visit(body) and columns > 0
