"""The evaluator's methods of data: statistics (``df.mean()``, ``value_counts()``, the
aggregates and transforms of a ``groupby``), columns (``drop``, ``pop``, ``assign``), rows
(``sample``, ``take``, ``head``, ``merge``), callbacks (``apply``, ``map``, ``transform``
with a lambda or a function of the file), and the uses (training, evaluation) that tell a
hand-written split made for validation from a data set cut back into its files."""

from __future__ import annotations

import ast

from mlsmells.semantic.flow.functions import FunctionEvaluator
from mlsmells.semantic.flow.syntax import (
    const_int,
    grouping_of,
    is_true,
    keyword_arg,
    literal_labels,
    per_row_axis,
)
from mlsmells.semantic.flow.tables import (
    AXIS_STATS,
    CALLBACK_METHODS,
    EVALUATION_METHODS,
    GROUP_AGGREGATES,
    GROUP_METHODS,
    GROUP_STAT_TRANSFORMS,
    MUTATING_METHODS,
    NUMPY_STATS,
    STAT_METHODS,
    TRAINING_METHODS,
)
from mlsmells.semantic.flow.values import (
    EMPTY,
    Abstract,
    Taint,
    TaintKind,
    Value,
    derive,
    drop_columns,
    join,
    mask,
    replace,
    select_columns,
    store_columns,
)
from mlsmells.semantic.kinds import Kind

#: Kinds whose ``apply``/``map`` callback gets one element (a value, a row) at a time.
_ELEMENT_KINDS = frozenset({Kind.SERIES})
_PANDAS_DATA = frozenset({Kind.DATAFRAME, Kind.SERIES})


class MethodEvaluator(FunctionEvaluator):
    """Methods called on data (a :class:`~mlsmells.semantic.flow.values.Value`)."""

    def _data_method(self, receiver: Value, node: ast.Call, method: str) -> Value:
        func = node.func
        assert isinstance(func, ast.Attribute)
        if method in GROUP_METHODS:
            grouping = grouping_of(func.value, self.model)
            if grouping is not None and grouping != "groupby":
                return self._generic_method(receiver, node, method)  # a window: local values
            if grouping == "groupby":
                if method in GROUP_AGGREGATES:
                    self._arguments(node)
                    return self.aggregate(node, receiver, method)
                if method in GROUP_STAT_TRANSFORMS:
                    return self._group_transform(receiver, node, method)
        if method in STAT_METHODS or method in AXIS_STATS:
            return self._statistic_method(receiver, node, method)
        if method == "value_counts":
            self._arguments(node)
            return self.aggregate(node, receiver, method)
        if method == "isin":
            return mask([receiver] + [v for v in self._arguments(node) if isinstance(v, Value)])
        if method in ("head", "tail") and len(node.args) == 1 and receiver.rows:
            self.eval(node.args[0])
            cut = " ".join(ast.unparse(node.args[0]).split())
            if method == "tail":
                cut = f"-{cut}"
            step = self.manual_step(receiver, node, cut, 0 if method == "head" else 1)
            return self.select(receiver, step)
        if method in ("merge", "join"):
            others = [a for a in self._arguments(node) if isinstance(a, Value)]
            return self.merged(receiver, others)
        if method == "drop":
            return self._drop(receiver, node)
        if method == "pop" and node.args:
            labels = literal_labels(node.args[0])
            base = self._key(func.value)
            if labels is not None and base is not None:
                self.set(base, drop_columns(receiver, labels), mutation=True)
            return select_columns(receiver, labels)
        if method == "assign":
            result = receiver
            for kw in node.keywords:
                value = self.value(kw.value)
                labels = (kw.arg,) if kw.arg is not None else None
                result = store_columns(result, labels, value, weak=False)
            for a in node.args:
                self.eval(a)
            return result
        if method == "sample" and is_true(keyword_arg(node, "replace")):
            for kw in node.keywords:
                self.eval(kw.value)
            taint = Taint(TaintKind.RESAMPLE, node, "sample", receiver.rows)
            return replace(derive(receiver), taints=receiver.taints | {taint})
        if method == "take" and node.args:
            index = self.value(node.args[0])
            if index.fold is not None:
                return self.select(receiver, index.fold)
        if method in CALLBACK_METHODS and node.args:
            return self._callback_method(receiver, node, method)
        if method == "append" and (
            self.model.kind_of(func.value) in _PANDAS_DATA
            or isinstance(self.current, ast.Assign)
            and self.current.value is node  # ``df = df.append(rows)``: not a list's
        ):
            others = [v for v in self._arguments(node) if isinstance(v, Value)]
            result = join([receiver, *others])  # ``df.append(rows)``: a new frame
            copied = self.duplication(node, [receiver, *others], [func.value, *node.args])
            return result if copied is None else replace(result, taints=result.taints | {copied})
        args = self._arguments(node)
        if method in TRAINING_METHODS or method in EVALUATION_METHODS:
            self.model_use(node, args, evaluated=method in EVALUATION_METHODS)
        return self._generic_method(receiver, node, method, args)

    def _generic_method(
        self, receiver: Value, node: ast.Call, method: str, args: list[Abstract] | None = None
    ) -> Value:
        if args is None:
            args = self._arguments(node)
        for arg in args:
            self._escape(arg)
        result = join([receiver] + [v for v in args if isinstance(v, Value)])
        if method in MUTATING_METHODS:  # rows collected one at a time are many rows
            func = node.func
            assert isinstance(func, ast.Attribute)
            key = self._key(func.value)
            if key is not None:
                self.set(key, replace(result, single=False, rebuilt=self.weak), mutation=True)
            return EMPTY
        if receiver.prediction is not None:
            result = replace(result, prediction=receiver.prediction)
        if receiver.labels is not None and method in ("tolist", "copy"):
            result = replace(result, labels=receiver.labels)
        return result

    # ---------------------------------------------------------- statistics
    def _statistic_method(self, receiver: Value, node: ast.Call, method: str) -> Value:
        axis = keyword_arg(node, "axis")
        if axis is None and method != "quantile" and node.args:
            axis = node.args[0]
        for a in node.args:
            self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        if method in AXIS_STATS and (axis is None or per_row_axis(axis) or const_int(axis) != 0):
            return derive(receiver)  # ``df.isnull().sum()``: a count, unless over the rows
        result = self._statistic(node, receiver, method, axis)
        if receiver.prediction is not None:
            result = replace(result, prediction=None)
        return result

    def _group_transform(self, receiver: Value, node: ast.Call, method: str) -> Value:
        """``df.groupby(k)[c].transform("mean")``, ``.rank()``, ``.apply(f)``: one value per
        row, from a statistic of its group."""
        learns = method == "rank"
        for a in node.args:
            if isinstance(a, ast.Constant) and isinstance(a.value, str):
                learns = learns or a.value in GROUP_AGGREGATES
            elif isinstance(a, ast.Lambda):
                learns = learns or bool(self.callback(a, derive(receiver)).pending)
            else:
                learns = learns or self.model.qualname(a) in NUMPY_STATS
                self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        if not learns or not receiver.rows or receiver.single:
            return derive(receiver)
        taint = Taint(TaintKind.STATISTIC, node, method, receiver.rows)
        return replace(derive(receiver), taints=receiver.taints | {taint})

    # ----------------------------------------------------------- callbacks
    def _callback_method(self, receiver: Value, node: ast.Call, method: str) -> Value:
        """``s.map(lambda x: ...)``, ``df.apply(f, axis=1)``: the callback's result joined
        with the receiver (a statistic over all rows inside it is applied to every row; one
        of a single row or element is not a statistic of the rows)."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        kind = self.model.kind_of(func.value)
        element = kind in _ELEMENT_KINDS or method == "applymap"
        if method == "apply" and per_row_axis(keyword_arg(node, "axis")):
            element = True
        argument = replace(derive(receiver), single=receiver.single or element)
        results = [receiver]
        callback, *rest = node.args
        results.append(self.callback(callback, argument))
        for a in rest:
            self._escape(self.eval(a))
        for kw in node.keywords:
            self.eval(kw.value)
        return join(results)

    def callback(self, func: ast.expr, argument: Value) -> Value:
        """What the function ``func`` returns when given ``argument``."""
        if isinstance(func, ast.Lambda):
            args = func.args
            names = [a.arg for a in args.posonlyargs + args.args]
            layer: dict[str, Abstract] = dict.fromkeys(names, EMPTY)
            if names:
                layer[names[0]] = argument
            self.overlay.append(layer)
            try:
                return self.value(func.body)
            finally:
                self.overlay.pop()
        return self.call_with(func, argument)

    def call_with(self, func: ast.expr, argument: Value) -> Value:
        """``func(argument)`` for a function that is not a lambda (the summary of a function
        of the file, in :class:`~mlsmells.semantic.flow.calls.Evaluator`)."""
        self.eval(func)
        return EMPTY

    # -------------------------------------------------------------- frames
    def _drop(self, receiver: Value, node: ast.Call) -> Value:
        columns = keyword_arg(node, "columns")
        labels: tuple[str, ...] | None = None
        if columns is not None:
            labels = self._labels(columns)
        elif node.args:
            axis = keyword_arg(node, "axis")
            if axis is None and len(node.args) > 1:
                axis = node.args[1]
            if axis is not None and (
                const_int(axis) == 1 or (isinstance(axis, ast.Constant) and axis.value == "columns")
            ):
                labels = self._labels(node.args[0])
            else:
                self.eval(node.args[0])
        for kw in node.keywords:
            if kw.arg != "columns":
                self.eval(kw.value)
        if labels is None:
            return derive(receiver)
        return drop_columns(receiver, labels)
