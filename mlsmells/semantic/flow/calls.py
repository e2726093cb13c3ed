"""The evaluator of a call: to a library function (:mod:`mlsmells.semantic.flow.functions`),
a method of a tracked object (fit, transform, predict, score, split, resample ...) or of
data (statistics, ``drop``, ``assign``, ``sample`` ...), or a function of the same file
through its summary (one level deep)."""

from __future__ import annotations

import ast

from mlsmells.semantic.flow.guards import dead
from mlsmells.semantic.flow.methods import MethodEvaluator
from mlsmells.semantic.flow.summaries import Substitution, Summary, Transplant
from mlsmells.semantic.flow.syntax import call_arg
from mlsmells.semantic.flow.tables import (
    CLUSTER_TRANSFORM_METHODS,
    FIT_METHODS,
    FIT_TRANSFORM_METHODS,
    PREDICT_METHODS,
    RESAMPLE_METHODS,
    TRANSFORM_METHODS,
    VALIDATION_KEYWORDS,
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
    Split,
    Taint,
    TaintKind,
    TransformUse,
    Value,
    derive,
    replace,
    short_call,
)


class Evaluator(MethodEvaluator):
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
            summary = self.tracker.project_summary(qualname)
            if summary is not None:  # a function of another module of the project
                return self._apply_summary(node, summary)
            return self._qualified_call(node, qualname)
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value)
            if isinstance(receiver, Obj):
                return self._method(receiver, node, func.attr)
            summary = self._summary(func)
            if summary is not None:  # a method of a class of the file
                return self._apply_summary(node, summary, method=True)
            return self._data_method(receiver, node, func.attr)
        if isinstance(func, ast.Name):
            summary = self._summary(func)
            if summary is not None:
                return self._apply_summary(node, summary)
            callee = self.eval(func)
            if isinstance(callee, Obj):
                return self._object_call(callee, node)
        return self._unknown_call(node)

    def _summary(self, func: ast.expr) -> Summary | None:
        """The summary of the function of the file that calling ``func`` runs, if known."""
        if not self.tracker.summaries:
            return None
        callee = self.model.callee(func)
        return self.tracker.summaries.get(id(callee)) if callee is not None else None

    def call_with(self, func: ast.expr, argument: Value) -> Value:
        summary = self._summary(func) if isinstance(func, ast.Name) else None
        if summary is None:
            return super().call_with(func, argument)
        found = self._substitute(summary, [argument], {})
        return found if isinstance(found, Value) else EMPTY

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
        model = obj.role in (Role.MODEL, Role.SEARCH)
        used = {id(x_node), id(y_node)}
        for a in node.args:
            if id(a) not in used:
                self._escape(self.eval(a))
        for kw in node.keywords:
            if id(kw.value) not in used:
                value = self.eval(kw.value)
                self._escape(value)
                if model and kw.arg in VALIDATION_KEYWORDS and isinstance(value, Value):
                    self.tracker.use_parts(value.rows, evaluated=True)  # ``eval_set=[...]``
        taint: Taint | None = None
        if obj.role.learns and x.rows and not obj.categories_only:
            kind = TaintKind.PREPROCESS
            if obj.role is Role.SELECTOR and y is not None:
                kind = TaintKind.SELECT
            if kind is TaintKind.SELECT or not self.tracker.is_simulated(x.rows):
                encoder = obj.role is Role.ENCODER
                taint = Taint(kind, node, obj.qualname, x.rows, encoder=encoder)
        if model:
            self.tracker.use_parts(x.rows, evaluated=False)
            self.flow.trainings.append((node, x))
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
            for value in values:
                self.tracker.use_parts(value.rows, evaluated=True)
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
        split_id = self.record_split(node, label, SinkKind.FOLDS)
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

    # ------------------------------------------------------ one level deep
    def _apply_summary(self, node: ast.Call, summary: Summary, method: bool = False) -> Abstract:
        """A call of a function (or, ``method``, a method) of the file or of another module
        of the project, through its summary: what it returns, the splits it makes of its
        arguments, what it stores into them."""
        args = [self.eval(a) for a in node.args]
        named = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg is not None}
        self.compared([a for a in [*args, *named.values()] if isinstance(a, Value)])
        for a in [*args, *named.values()]:
            self._escape(a)
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        substitution = self._substitution(summary, [] if starred else args, named, method, node)
        for param, effect in summary.effects.items():
            index = summary.params.index(param) - (1 if method else 0)
            target = node.args[index] if 0 <= index < len(node.args) and not starred else None
            key = self._key(target) if target is not None else None
            if key is not None and isinstance(self.lookup_key(key), Value):
                self.set(key, substitution.value(effect), mutation=True)  # ``fill_na(df)``
        return self._summary_result(summary, substitution)

    def _substitute(
        self, summary: Summary, args: list[Abstract], named: dict[str, Abstract]
    ) -> Abstract:
        return self._summary_result(summary, self._substitution(summary, args, named))

    def _substitution(
        self,
        summary: Summary,
        args: list[Abstract],
        named: dict[str, Abstract],
        method: bool = False,
        call: ast.Call | None = None,
    ) -> Substitution:
        params = summary.params[1:] if method else summary.params
        dead = self._dead(summary, params, call) if summary.guards and call is not None else None
        bound: dict[int, Value] = {}
        for name, value in zip(params, args, strict=False):
            if isinstance(value, Value):
                bound[summary.roots[name]] = value
        for name, value in named.items():
            if name in summary.roots and isinstance(value, Value):
                bound[summary.roots[name]] = value
        if summary.splits is not None and call is not None:
            return Transplant(
                bound,
                call,
                short_call(call)[:-2],
                summary.splits,
                self.tracker.new_id,
                self._record_split,
                dead or frozenset(),
            )
        return Substitution(bound, call, dead or frozenset())

    @staticmethod
    def _dead(
        summary: Summary, params: tuple[str, ...], call: ast.Call
    ) -> frozenset[tuple[int, int]]:
        """The calls of the function's branches that ``call`` never takes: those its literal
        arguments (or the literal defaults it leaves) rule out."""
        values = dict(summary.defaults)
        if not any(isinstance(a, ast.Starred) for a in call.args):
            for name, arg in zip(params, call.args, strict=False):
                values.pop(name, None)
                if isinstance(arg, ast.Constant):
                    values[name] = arg.value
        else:
            values.clear()
        for kw in call.keywords:
            if kw.arg is None:
                return frozenset()  # ``**options``: any value
            values.pop(kw.arg, None)
            if isinstance(kw.value, ast.Constant):
                values[kw.arg] = kw.value.value
        return dead(summary.guards, values)

    def _record_split(self, split: Split) -> None:
        """A split taken inside a function of another module, by the call of it."""
        self.tracker.splits[split.id] = split
        if split.manual:
            self.tracker.uses[split.id] = set()

    def _summary_result(self, summary: Summary, substitution: Substitution) -> Abstract:
        for sink in summary.sinks:
            if substitution.runs(sink.node):
                self.flow.sinks.append(substitution.sink(sink))
        if summary.result is None:
            return EMPTY
        return substitution.abstract(summary.result)
