"""The evaluator of a call: to a library function (:mod:`mlsmells.semantic.flow.functions`),
a method of a tracked object (fit, transform, predict, score, split, resample ...) or of
data (statistics, ``drop``, ``assign``, ``sample`` ...), or a function of the same file
through its summary (one level deep)."""

from __future__ import annotations

import ast
from dataclasses import replace

from mlsmells.semantic import kinds as K
from mlsmells.semantic.flow.functions import FunctionEvaluator
from mlsmells.semantic.flow.summaries import Substitution, Summary
from mlsmells.semantic.flow.syntax import call_arg, const_int, is_true, keyword_arg, literal_labels
from mlsmells.semantic.flow.tables import (
    CLUSTER_TRANSFORM_METHODS,
    FIT_METHODS,
    FIT_TRANSFORM_METHODS,
    MUTATING_METHODS,
    PREDICT_METHODS,
    RESAMPLE_METHODS,
    STAT_METHODS,
    TRANSFORM_METHODS,
)
from mlsmells.semantic.flow.values import (
    EMPTY,
    Abstract,
    ArgRole,
    Fit,
    Obj,
    Prediction,
    Role,
    Sink,
    SinkKind,
    Taint,
    TaintKind,
    TransformUse,
    Value,
    derive,
    drop_columns,
    join,
    select_columns,
    short_call,
    store_columns,
    with_rows_step,
)


class Evaluator(FunctionEvaluator):
    """Evaluates the expressions of one statement over the abstract values of its scope.

    The statements and expressions are those of
    :class:`~mlsmells.semantic.flow.expressions.ExpressionEvaluator`, the library calls
    those of :class:`~mlsmells.semantic.flow.functions.FunctionEvaluator`; here: the
    dispatch of a call, the methods of objects and data, and same-file functions.
    """

    # --------------------------------------------------------------- calls
    def _call(self, node: ast.Call) -> Abstract:
        func = node.func
        qualname = self.model.qualname(func)
        if qualname is not None:
            # ``sklearn.cross_validation.train_test_split`` splits as the modern one does
            return self._qualified_call(node, K.modern(qualname))
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value)
            if isinstance(receiver, Obj):
                return self._method(receiver, node, func.attr)
            return self._data_method(receiver, node, func.attr)
        if isinstance(func, ast.Name):
            binding = self.model.lookup(func.id)
            if binding is not None and isinstance(
                binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                summary = self.tracker.summaries.get(id(binding.node))
                if summary is not None:
                    return self._apply_summary(node, summary)
            callee = self.eval(func)
            if isinstance(callee, Obj):
                return self._object_call(callee, node)
        return self._unknown_call(node)

    # ------------------------------------------------------ object methods
    def _object_call(self, obj: Obj, node: ast.Call) -> Abstract:
        """``layer(data)``: a Keras preprocessing layer applied like a function."""
        args = self._arguments(node)
        data = args[0] if args and isinstance(args[0], Value) else EMPTY
        return self._apply(obj, node, data)

    def _apply(self, obj: Obj, node: ast.Call, data: Value) -> Value:
        fit = obj.last_fit
        if fit is None or fit.taint is None:
            return derive(data)
        self.flow.transforms.append(TransformUse(node, obj, fit, data))
        return replace(derive(data), taints=data.taints | {fit.taint})

    def _fit(self, obj: Obj, node: ast.Call, method: str) -> Fit:
        x_node = call_arg(node, 0, "X")
        if x_node is None:
            x_node = (
                call_arg(node, 0, "texts")
                or call_arg(node, 0, "data")
                or call_arg(node, 0, "raw_documents")
            )
        y_node = call_arg(node, 1, "y")
        x = self.value(x_node) if x_node is not None else EMPTY
        y = self.value(y_node) if y_node is not None else None
        used = {id(x_node), id(y_node)}
        for a in node.args:
            if id(a) not in used:
                self._escape(self.eval(a))
        for kw in node.keywords:
            if id(kw.value) not in used:
                self._escape(self.eval(kw.value))
        taint: Taint | None = None
        if obj.role.learns and x.rows:
            kind = TaintKind.PREPROCESS
            if obj.role is Role.SELECTOR and y is not None:
                kind = TaintKind.SELECT
            if kind is TaintKind.SELECT or not self.tracker.is_simulated(x.rows):
                encoder = obj.role is Role.ENCODER
                taint = Taint(kind, node, obj.qualname, x.rows, encoder=encoder)
        arg_name = x_node.id if isinstance(x_node, ast.Name) else None
        fit = Fit(node, method, x, y, taint, arg_name)
        obj.fits.append(fit)
        self.flow.fits.append((obj, fit))
        return fit

    def _method(self, obj: Obj, node: ast.Call, method: str) -> Abstract:
        role = obj.role
        if role is Role.SPLITTER and method == "split":
            return self._splitter_split(obj, node)
        if role in (Role.OVERSAMPLER, Role.UNDERSAMPLER) and method in RESAMPLE_METHODS:
            return self._fit_resample(obj, node)
        if method in FIT_METHODS:
            fit = self._fit(obj, node, method)
            if role is Role.SEARCH:
                self._search_fit(node, fit)
            return obj
        if method in FIT_TRANSFORM_METHODS:
            fit = self._fit(obj, node, method)
            if fit.taint is None:
                return replace(derive(fit.x), prediction=None)
            return replace(derive(fit.x), taints=fit.x.taints | {fit.taint})
        if role in (Role.MODEL, Role.SEARCH):
            return self._model_method(obj, node, method)
        args = self._arguments(node)
        if method in TRANSFORM_METHODS or (
            role is Role.CLUSTER and method in CLUSTER_TRANSFORM_METHODS
        ):
            data = args[0] if args and isinstance(args[0], Value) else EMPTY
            return self._apply(obj, node, data)
        if method in ("set_params", "set_output"):
            return obj
        return EMPTY

    def _model_method(self, obj: Obj, node: ast.Call, method: str) -> Abstract:
        args = self._arguments(node)
        values = [a if isinstance(a, Value) else EMPTY for a in args]
        if method in PREDICT_METHODS:
            x = values[0] if values else EMPTY
            self.flow.predictions.append((obj, x))
            return Value(rows=x.rows, prediction=Prediction(obj, x))
        if method == "score" and len(values) >= 2:
            self._evaluation(node, obj, values[0], values[1])
            self.flow.predictions.append((obj, values[0]))
            return EMPTY
        if method in ("set_params", "set_output"):
            return obj
        for a in args:
            self._escape(a)
        if method == "transform" and values:
            return derive(values[0])
        return EMPTY

    def _search_fit(self, node: ast.Call, fit: Fit) -> None:
        args: list[tuple[ArgRole, Value]] = [(ArgRole.FEATURES, fit.x)]
        if fit.y is not None:
            args.append((ArgRole.TARGET, fit.y))
        self.flow.sinks.append(
            Sink(node, short_call(node)[:-2], SinkKind.CROSS_VALIDATION, tuple(args))
        )

    def _splitter_split(self, obj: Obj, node: ast.Call) -> Value:
        x_node = call_arg(node, 0, "X")
        y_node = call_arg(node, 1, "y")
        args: list[tuple[ArgRole, Value]] = []
        if x_node is not None:
            args.append((ArgRole.FEATURES, self.value(x_node)))
        if y_node is not None:
            args.append((ArgRole.TARGET, self.value(y_node)))
        for kw in node.keywords:
            if kw.value is not x_node and kw.value is not y_node:
                self.eval(kw.value)
        for a in node.args[2:]:
            self.eval(a)
        label = short_call(node)[:-2]
        split_id = self._record_split(node, label, SinkKind.FOLDS)
        self.flow.sinks.append(Sink(node, label, SinkKind.FOLDS, tuple(args)))
        return Value(folds=split_id)

    def _fit_resample(self, obj: Obj, node: ast.Call) -> Value:
        x_node = call_arg(node, 0, "X")
        y_node = call_arg(node, 1, "y")
        x = self.value(x_node) if x_node is not None else EMPTY
        y = self.value(y_node) if y_node is not None else EMPTY
        if obj.role is not Role.OVERSAMPLER:
            return Value(items=(derive(x), derive(y)))
        taint = Taint(TaintKind.RESAMPLE, node, obj.qualname, x.rows | y.rows)
        return Value(
            items=(
                replace(derive(x), taints=x.taints | {taint}),
                replace(derive(y), taints=y.taints | {taint}),
            )
        )

    # ---------------------------------------------------- data-side methods
    def _data_method(self, receiver: Value, node: ast.Call, method: str) -> Value:
        if method in STAT_METHODS:
            axis = keyword_arg(node, "axis")
            if axis is None and method != "quantile" and node.args:
                axis = node.args[0]
            for a in node.args:
                self.eval(a)
            for kw in node.keywords:
                self.eval(kw.value)
            result = self._statistic(node, receiver, method, axis)
            if receiver.prediction is not None:
                result = replace(result, prediction=None)
            return result
        if method == "drop":
            return self._drop(receiver, node)
        if method == "pop" and node.args:
            labels = literal_labels(node.args[0])
            func = node.func
            assert isinstance(func, ast.Attribute)
            base = self._key(func.value)
            if labels is not None and base is not None:
                self.set(base, drop_columns(receiver, labels))
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
                return with_rows_step(receiver, index.fold)
        args = self._arguments(node)
        for arg in args:
            self._escape(arg)
        result = join([receiver] + [v for v in args if isinstance(v, Value)])
        if method in MUTATING_METHODS:
            func = node.func
            assert isinstance(func, ast.Attribute)
            key = self._key(func.value)
            if key is not None:
                self.set(key, result)
            return EMPTY
        if receiver.prediction is not None:
            result = replace(result, prediction=receiver.prediction)
        if receiver.labels is not None and method in ("tolist", "copy"):
            result = replace(result, labels=receiver.labels)
        return result

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

    # ------------------------------------------------------ one level deep
    def _apply_summary(self, node: ast.Call, summary: Summary) -> Abstract:
        args = [self.eval(a) for a in node.args]
        bound: dict[int, Value] = {}
        if not any(isinstance(a, ast.Starred) for a in node.args):
            for name, value in zip(summary.params, args, strict=False):
                if isinstance(value, Value):
                    bound[summary.roots[name]] = value
        for kw in node.keywords:
            value = self.eval(kw.value)
            if kw.arg in summary.roots and isinstance(value, Value):
                bound[summary.roots[kw.arg]] = value
        for a in args:
            self._escape(a)
        substitution = Substitution(bound)
        for sink in summary.sinks:
            self.flow.sinks.append(
                Sink(
                    sink.node,
                    sink.label,
                    sink.kind,
                    tuple((role, substitution.value(v)) for role, v in sink.args),
                )
            )
        if summary.result is None:
            return EMPTY
        return substitution.abstract(summary.result)
