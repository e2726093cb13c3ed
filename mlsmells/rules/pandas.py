"""Checks of the pandas family."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.data import pandas_api, pandas_removed
from mlsmells.data.pandas_removed import Access, Removed, Repl
from mlsmells.engine import Check, Context
from mlsmells.rules._util import has_star_kwargs, is_true, keyword
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import SemanticModel

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
        steps = frame_steps(self.model, target)
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
        steps = frame_steps(self.model, func.value)
        if steps:
            receiver = self.ctx.source_of(func.value)
            self.report(
                "ML201",
                call,
                target=f"{receiver}.{func.attr}(..., inplace=True)",
                data=(("shape", "inplace-method"), ("method", func.attr)),
            )


def frame_steps(model: SemanticModel, expr: ast.expr) -> list[str] | None:
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
        and model.kind_of(expr.value) is Kind.DATAFRAME
    ):
        steps.append("attr")
        expr = expr.value
    if not steps or model.kind_of(expr) is not Kind.DATAFRAME:
        return None
    steps.reverse()
    return steps


def module_alias(model: SemanticModel, module: str) -> str | None:
    """A name bound to ``module`` at this point (``pd`` for pandas ...), the shortest."""
    candidates: list[str] = []
    for scope in model.scope.lookup_chain():
        for name, binding in scope.bindings.items():
            if binding.qualname == module and model.lookup(name) is binding:
                candidates.append(name)
    return min(candidates, key=lambda n: (len(n), n)) if candidates else None


def brief(ctx: Context, node: ast.AST, limit: int = 40) -> str:
    """The source of ``node`` for a message: as written when short and on one line,
    else with call arguments and subscripts elided (``results.pivot_table(...)``)."""
    text = ctx.source_of(node)
    if "\n" not in text and len(text) <= limit:
        return text
    if isinstance(node, ast.Call):
        return f"{brief(ctx, node.func, limit)}(...)"
    if isinstance(node, ast.Attribute):
        return f"{brief(ctx, node.value, limit)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{brief(ctx, node.value, limit)}[...]"
    return "..."


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


# --------------------------------------------------------------------- ML203

#: Methods of DataFrame/Series that return a new object and change nothing:
#: those that take ``inplace`` (without it they return the result) and the
#: ones whose name says "change" but that never took ``inplace``.
COPY_RETURNING = (INPLACE_METHODS - {"set_names"}) | frozenset(
    {
        "abs",
        "add_prefix",
        "add_suffix",
        "asfreq",
        "assign",
        "astype",
        "convert_dtypes",
        "droplevel",
        "explode",
        "infer_objects",
        "join",
        "merge",
        "reindex",
        "reorder_levels",
        "round",
        "swaplevel",
        "truncate",
        "tz_convert",
        "tz_localize",
    }
)
_FRAME_OR_SERIES = frozenset({Kind.DATAFRAME, Kind.SERIES})


class ResultDiscarded(Check):
    """ML203: a copy-returning method of a DataFrame or Series used as a statement."""

    codes = ("ML203",)
    nodes = (ast.Expr,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return
        method = call.func.attr
        if method not in COPY_RETURNING or keyword(call, "inplace") is not None:
            return
        if has_star_kwargs(call):
            return  # ``**options`` may hold inplace=True
        if self.ctx.displays(node):
            return  # a notebook (or percent-format) cell displays its last expression
        receiver = call.func.value
        if self.model.kind_of(receiver) not in _FRAME_OR_SERIES:
            return
        plain = isinstance(receiver, ast.Name)
        text = brief(self.ctx, receiver)
        self.report(
            "ML203",
            call,
            call=f"{text}.{method}(...)",
            advice=f"assign it: `{text} = {text}.{method}(...)`" if plain else "assign it",
            data=(("method", method), ("receiver", "name" if plain else "expression")),
        )


# --------------------------------------------------------------------- ML204


class InplaceArgument(Check):
    """ML204: ``inplace=True`` on a DataFrame or Series method.

    Left to ML202 when the result is assigned, and to ML201 when the
    receiver is a selection of a DataFrame (the write is then lost).
    """

    codes = ("ML204",)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in INPLACE_METHODS:
            return
        if not _inplace_true(node):
            return
        parent = self.ctx.parent
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is node:
            return
        receiver = func.value
        if self.model.kind_of(receiver) not in _FRAME_OR_SERIES:
            return
        if frame_steps(self.model, receiver):
            return
        statement = isinstance(parent, ast.Expr)
        data = [("method", func.attr), ("statement", "yes" if statement else "no")]
        if self._is_parameter(receiver):
            data.append(("parameter", "yes"))
        text = brief(self.ctx, receiver)
        self.report(
            "ML204",
            node,
            call=f"{text}.{func.attr}(..., inplace=True)",
            method=func.attr,
            data=data,
        )

    def _is_parameter(self, receiver: ast.expr) -> bool:
        """``receiver`` is still the parameter of the enclosing function (the caller's object)."""
        if not isinstance(receiver, ast.Name):
            return False
        for scope in self.model.scope.lookup_chain():
            binding = scope.bindings.get(receiver.id)
            if binding is None:
                continue
            function = scope.node
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            args = function.args
            names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            return receiver.id in names and binding.node is None
        return False


# --------------------------------------------------------------------- ML205

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

    codes = ("ML205",)
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


# --------------------------------------------------------------------- ML206


class ValuesAttribute(Check):
    """ML206: ``.values`` of a DataFrame, Series or Index."""

    codes = ("ML206",)
    nodes = (ast.Attribute,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        if node.attr != "values" or not isinstance(node.ctx, ast.Load):
            return
        parent = self.ctx.parent
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # ``.values()``: a mapping's method, not pandas'
        kind = self.model.kind_of(node.value)
        if kind not in _PANDAS_KINDS:
            return
        assert kind is not None
        self.report("ML206", node, expr=brief(self.ctx, node.value), kind=kind.value, data=())


# --------------------------------------------------------------------- ML207

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class FrameGrownInLoop(Check):
    """ML207: a DataFrame grown by one piece per loop iteration."""

    codes = ("ML207",)
    nodes = (ast.Assign,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1 or not self._in_loop(node):
            return
        target = node.targets[0]
        if self._concat_onto(node.value, target):
            text = brief(self.ctx, target)
            self.report(
                "ML207", node, target=text, how=f"`{text} = pd.concat([{text}, ...])`", data=()
            )
        elif self._enlarged(target):
            assert isinstance(target, ast.Subscript)
            text = brief(self.ctx, target)
            frame = brief(self.ctx, target.value)
            self.report(
                "ML207", node, target=frame.removesuffix(".loc"), how=f"`{text} = ...`", data=()
            )

    def _in_loop(self, node: ast.stmt) -> bool:
        """``node`` is in the body of a loop of its own function (not in a loop's ``else``)."""
        child: ast.AST = node
        for ancestor in reversed(self.ctx.ancestors):
            if isinstance(ancestor, _SCOPES):
                return False
            if isinstance(ancestor, _LOOPS) and any(child is s for s in ancestor.body):
                return True
            child = ancestor
        return False

    def _concat_onto(self, value: ast.expr, target: ast.expr) -> bool:
        """``value`` is ``pd.concat([target, ...])`` (maybe followed by method calls)."""
        if not isinstance(target, (ast.Name, ast.Attribute)):
            return False
        if isinstance(value, ast.IfExp):  # out = batch if out is None else pd.concat([out, batch])
            return self._concat_onto(value.body, target) or self._concat_onto(value.orelse, target)
        while (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and self.model.qualname(value.func) is None
        ):
            value = value.func.value
        if not isinstance(value, ast.Call) or self.model.qualname(value.func) != "pandas.concat":
            return False
        pieces = value.args[0] if value.args else None
        objs = keyword(value, "objs")
        if objs is not None:
            pieces = objs.value
        if not isinstance(pieces, (ast.List, ast.Tuple)):
            return False
        wanted = ast.dump(target, include_attributes=False).replace("Store()", "Load()")
        return any(ast.dump(elt) == wanted for elt in pieces.elts)

    def _enlarged(self, target: ast.expr) -> bool:
        """``target`` is ``df.loc[len(df)]`` (or ``[len(df), ...]``, ``[df.shape[0]]``)."""
        if not (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "loc"
        ):
            return False
        frame = target.value.value
        if self.model.kind_of(frame) is not Kind.DATAFRAME:
            return False
        key = target.slice
        first = key.elts[0] if isinstance(key, ast.Tuple) and key.elts else key
        wanted = ast.dump(frame)
        if (
            isinstance(first, ast.Call)
            and self.model.qualname(first.func) == "builtins.len"
            and len(first.args) == 1
        ):
            size_of = first.args[0]
            if isinstance(size_of, ast.Attribute) and size_of.attr == "index":
                size_of = size_of.value
            return ast.dump(size_of) == wanted
        return (
            isinstance(first, ast.Subscript)
            and isinstance(first.value, ast.Attribute)
            and first.value.attr == "shape"
            and isinstance(first.slice, ast.Constant)
            and first.slice.value == 0
            and ast.dump(first.value.value) == wanted
        )


# --------------------------------------------------------------------- ML208


class RemovedPandasApi(Check):
    """ML208: an API that pandas removed (table: :mod:`mlsmells.data.pandas_removed`)."""

    codes = ("ML208",)
    nodes = (ast.Attribute, ast.Name, ast.Call, ast.Import, ast.ImportFrom)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._keywords(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.ctx, ast.Load) and not self._member(node):
                self._name(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self._name(node)

    def _report(self, node: ast.AST, entry: Removed, old: str, data: list[tuple[str, str]]) -> None:
        deprecated = f" (deprecated since {entry.deprecated})"
        self.report(
            "ML208",
            node,
            old=old,
            version=entry.removed,
            deprecated=deprecated,
            replacement=entry.replacement,
            data=[
                ("name", entry.name),
                ("where", entry.where.value),
                ("repl", entry.repl.value),
                ("target", entry.target),
                *data,
            ],
        )

    # ------------------------------------------------------------- members
    def _member(self, node: ast.Attribute) -> bool:
        owner = self._owner(node.value)
        entry = pandas_removed.MEMBERS.get((node.attr, owner or ""))
        if entry is None:
            return False
        parent = self.ctx.parent
        called = isinstance(parent, ast.Call) and parent.func is node
        if entry.access is Access.CALL and not called:
            return True  # a column read as an attribute, or a bound method passed on
        if entry.access is Access.INDEXER and not (
            isinstance(parent, ast.Subscript) and parent.value is node
        ):
            return True
        reported: ast.AST = parent if called and parent is not None else node
        data: list[tuple[str, str]] = []
        if entry.repl is Repl.CONCAT and isinstance(parent, ast.Call):
            data = self._concat_data(node, parent)
        self._report(reported, entry, f"{brief(self.ctx, node.value)}.{node.attr}", data)
        return True

    def _owner(self, receiver: ast.expr) -> str | None:
        """``DataFrame``/``Series``/``Index`` for a known pandas object, ``Series.dt`` for
        its ``.dt`` accessor."""
        if isinstance(receiver, ast.Attribute) and receiver.attr == "dt":
            if self.model.kind_of(receiver.value) is Kind.SERIES:
                return "Series.dt"
            return None
        kind = self.model.kind_of(receiver)
        return kind.value if kind in _PANDAS_KINDS and kind is not None else None

    def _concat_data(self, node: ast.Attribute, call: ast.Call) -> list[tuple[str, str]]:
        """What the ``append`` -> ``pd.concat`` fix needs, when the call has a shape it takes."""
        pandas = module_alias(self.model, "pandas")
        if pandas is None or has_star_kwargs(call) or len(call.args) != 1:
            return []
        if any(kw.arg not in ("ignore_index", "verify_integrity", "sort") for kw in call.keywords):
            return []
        other = call.args[0]
        receiver = self.model.kind_of(node.value)
        other_kind = self.model.kind_of(other)
        if receiver is Kind.DATAFRAME and isinstance(other, ast.Dict):
            ignore = keyword(call, "ignore_index")
            if ignore is None or not is_true(ignore.value):
                return []  # pandas raised TypeError for a dict without ignore_index=True
            shape = "dict"
        elif receiver is other_kind and receiver in _FRAME_OR_SERIES:
            shape = "same"
        else:
            return []
        return [("pandas", pandas), ("other", shape)]

    # ------------------------------------------------------------ keywords
    def _keywords(self, call: ast.Call) -> None:
        if not call.keywords:
            return
        func = call.func
        owner: str | None
        if isinstance(func, ast.Attribute) and func.attr in pandas_removed.KEYWORD_METHODS:
            kind = self.model.kind_of(func.value)
            owner = f"{kind.value}.{func.attr}" if kind in _PANDAS_KINDS and kind else None
            if owner is None:
                owner = self.model.qualname(func)
        else:
            owner = self.model.qualname(func)
        if owner is None:
            return
        for kw in call.keywords:
            entry = pandas_removed.KEYWORDS.get((kw.arg or "", owner))
            if entry is None:
                continue
            data = [("keyword", kw.arg or ""), *self._keyword_data(entry, call, kw)]
            self._report(call, entry, f"{brief(self.ctx, func)}({kw.arg}=...)", data)

    def _keyword_data(
        self, entry: Removed, call: ast.Call, kw: ast.keyword
    ) -> list[tuple[str, str]]:
        if entry.repl is Repl.FILL:
            try:
                method = ast.literal_eval(kw.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return []
            fill = {"ffill": "ffill", "pad": "ffill", "bfill": "bfill", "backfill": "bfill"}
            others = {k.arg for k in call.keywords if k is not kw}
            if (
                not isinstance(method, str)
                or method not in fill
                or call.args
                or not others <= {"axis", "inplace", "limit"}
            ):
                return []
            return [("fill", fill[method])]
        if entry.repl is Repl.SEP:
            others = {k.arg for k in call.keywords if k is not kw}
            if others & {"sep", "delimiter"} or len(call.args) > 1 or has_star_kwargs(call):
                return []
            if not isinstance(kw.value, ast.Constant) or not isinstance(kw.value.value, bool):
                return []
            return [("sep", "yes" if kw.value.value else "no")]
        return []

    # --------------------------------------------------------------- names
    def _name(self, node: ast.Name | ast.Attribute) -> None:
        qualname = self.model.qualname(node)
        entry = pandas_removed.NAMES.get(qualname or "")
        if entry is None:
            return
        if isinstance(node, ast.Name):
            binding = self.model.lookup(node.id)
            if binding is not None and isinstance(binding.node, (ast.Import, ast.ImportFrom)):
                return  # reported at the import
        data: list[tuple[str, str]] = []
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if (
            isinstance(node, ast.Attribute)
            and isinstance(root, ast.Name)
            and self.model.qualname(root) == "pandas"
        ):
            data.append(("root", root.id))
            if entry.repl is Repl.NUMPY:
                numpy = module_alias(self.model, "numpy")
                if numpy is not None:
                    data.append(("numpy", numpy))
        self._report(node, entry, brief(self.ctx, node), data)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names.append(node.module)
        for name in names:
            entry = pandas_removed.NAMES.get(name)
            if entry is not None:
                self._report(node, entry, name, [])
