"""The evaluator's calls of library functions and classes: ``train_test_split`` and the
cross-validation helpers (sinks), pipelines and unions, feature-selection scores, scaling,
resampling and statistics functions, metrics, and the construction of tracked objects."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from mlsmells.semantic.flow.expressions import ExpressionEvaluator
from mlsmells.semantic.flow.syntax import (
    call_arg,
    const_int,
    is_false,
    is_true,
    keyword_arg,
    loop_assigned,
    per_row_axis,
)
from mlsmells.semantic.flow.tables import (
    BINNINGS,
    CORRELATIONS,
    COUNTER,
    CV_FUNCTIONS,
    FIXED_BINS,
    INDEX_RANGES,
    KEEPING_FUNCTIONS,
    NUMPY_STATS,
    PASS_THROUGH_BUILTINS,
    PASS_THROUGH_FUNCTIONS,
    PATSY_MATRICES,
    PATSY_STATEFUL_TERMS,
    PIPELINES,
    RANDOM_SPLITS,
    RESAMPLE_FUNCTION,
    ROW_CONCATENATIONS,
    SK_SCALING_FUNCTIONS,
    SK_SELECTION_SCORES,
    STANDARDISING_FUNCTIONS,
    SUBSETS,
    TRAIN_TEST_SPLIT,
    UNIONS,
    VALIDATION_KEYWORDS,
    categories_only,
    classify,
    combined_categories_only,
    combined_role,
)
from mlsmells.semantic.flow.values import (
    DUPLICATION,
    EMPTY,
    TEST_PART,
    TRAIN_PART,
    Abstract,
    ArgRole,
    Evaluation,
    Obj,
    Role,
    RowPath,
    Sink,
    SinkKind,
    Taint,
    TaintKind,
    Value,
    derive,
    join,
    replace,
    rows_overlap,
    tuple_item,
    with_rows_step,
)
from mlsmells.semantic.kinds import modern


class FunctionEvaluator(ExpressionEvaluator):
    """Calls of functions and classes the model resolves to a qualified name."""

    # ------------------------------------------------------ function calls
    def _arguments(self, node: ast.Call) -> list[Abstract]:
        values = [self.eval(a) for a in node.args]
        values += [self.eval(kw.value) for kw in node.keywords]
        return values

    def _unknown_call(self, node: ast.Call, simulated: bool = False) -> Value:
        if not isinstance(node.func, ast.Name):
            self.eval(node.func)
        args = self._arguments(node)
        if any(kw.arg in VALIDATION_KEYWORDS for kw in node.keywords):
            self.model_use(node, args, evaluated=False)  # ``lgb.train(..., valid_sets=...)``
        self.compared([a for a in args if isinstance(a, Value)])
        for a in args:
            self._escape(a)
        result = join(a for a in args if isinstance(a, Value))
        if not result.rows:
            result = replace(result, rows=self.tracker.fresh_rows(simulated))
        return result

    def _qualified_call(self, node: ast.Call, qualname: str) -> Abstract:
        if qualname.startswith("sklearn."):
            qualname = modern(qualname)  # ``sklearn.cross_validation.train_test_split``
        elif qualname.startswith("builtins."):
            name = qualname[len("builtins.") :]
            if name in PASS_THROUGH_BUILTINS:
                args = self._arguments(node)
                if len(args) == 1 and isinstance(args[0], Value):
                    return args[0]
                return join((a for a in args if isinstance(a, Value)), apply_stats=False)
            self._arguments(node)
            return EMPTY
        if qualname == TRAIN_TEST_SPLIT:
            return self._train_test_split(node)
        if qualname in CV_FUNCTIONS:
            return self._cross_validation_function(node, qualname)
        if qualname in PIPELINES:
            return self._pipeline(node, qualname)
        if qualname in UNIONS:
            return self._union(node, qualname)
        if qualname in SK_SELECTION_SCORES:
            return self._selection_scores(node, qualname)
        if qualname in SK_SCALING_FUNCTIONS:
            data = self.value(node.args[0]) if node.args else EMPTY
            self._arguments(node)
            taint = Taint(TaintKind.PREPROCESS, node, qualname, data.rows)
            return replace(derive(data), taints=data.taints | {taint})
        if qualname == RESAMPLE_FUNCTION:
            return self._resample_function(node, qualname)
        if qualname in PASS_THROUGH_FUNCTIONS:
            args = [self.eval(a) for a in node.args]
            for kw in node.keywords:
                self.eval(kw.value)
            if len(args) == 1:
                return args[0]
            return Value(items=tuple(args))
        if qualname in NUMPY_STATS:
            return self._numpy_statistic(node, qualname)
        if qualname == "pandas.merge" and len(node.args) >= 1:
            values = [v if isinstance(v, Value) else EMPTY for v in self._arguments(node)]
            return self.merged(values[0], values[1:])
        if qualname == COUNTER:
            values = [v for v in self._arguments(node) if isinstance(v, Value)]
            return self.aggregate(node, values[0] if values else EMPTY, "Counter")
        if qualname in STANDARDISING_FUNCTIONS:
            return self._standardising_function(node, qualname)
        if qualname in ROW_CONCATENATIONS:
            return self._concatenation(node, qualname)
        if qualname in CORRELATIONS:
            arrays = [v for v in self._arguments(node) if isinstance(v, Value)]
            rows = frozenset().union(*(v.rows for v in arrays))
            if len(arrays) < 2 or not rows:
                return EMPTY
            taint = Taint(TaintKind.SELECT, node, qualname, rows, against=tuple(arrays))
            return Value(taints=frozenset({taint}))
        if qualname in BINNINGS:
            return self._binning(node, qualname)
        if qualname in PATSY_MATRICES:
            return self._design_matrices(node, qualname)
        if qualname in RANDOM_SPLITS:
            return self._random_split(node)
        if qualname in SUBSETS and node.args:
            dataset, *rest = self._arguments(node)
            index = rest[0] if rest else EMPTY
            if isinstance(dataset, Value) and isinstance(index, Value) and index.fold is not None:
                return self.select(dataset, index.fold)
            return join(v for v in (dataset, index) if isinstance(v, Value))
        if qualname.startswith("sklearn.metrics."):
            return self._metric(node)
        if qualname.startswith("numpy.random."):
            return self._unknown_call(node, simulated=True)
        role = classify(qualname, self.model.kind_of(node))
        if role is not None:
            args = self._arguments(node)
            for a in args:
                if role not in (Role.MODEL, Role.SEARCH):  # searches, ensembles fit clones
                    self._escape(a)
            obj = Obj(qualname, role, node, categories_only=categories_only(qualname, node))
            if role is Role.SELECTOR and is_true(keyword_arg(node, "prefit")) and args:
                self._prefit(obj, args[0])
            return obj
        if qualname in KEEPING_FUNCTIONS:  # ``joblib.dump(model, path)``, ``export_graphviz``
            self._arguments(node)
            return EMPTY
        return self._unknown_call(node)

    # ----------------------------------------------------- sinks and splits
    def _train_test_split(self, node: ast.Call) -> Abstract:
        for kw in node.keywords:
            self.eval(kw.value)
        if any(isinstance(a, ast.Starred) for a in node.args) or not node.args:
            for a in node.args:
                self.eval(a)
            return EMPTY
        arrays = [self.value(a) for a in node.args]
        label = "train_test_split"
        split_id = self.record_split(node, label, SinkKind.SPLIT)
        roles = (
            [ArgRole.WHOLE]
            if len(arrays) == 1
            else [ArgRole.FEATURES] + [ArgRole.TARGET] * (len(arrays) - 1)
        )
        self.flow.sinks.append(
            Sink(node, label, SinkKind.SPLIT, tuple(zip(roles, arrays, strict=True)))
        )
        items: list[Abstract] = []
        for arg, array in zip(node.args, arrays, strict=True):
            if self._index_array(arg):
                # ``train_test_split(np.arange(len(X)))``: positions of the two parts
                items.extend(Value(fold=(split_id, part)) for part in (TRAIN_PART, TEST_PART))
                continue
            if not array.rows:
                array = replace(array, rows=self.tracker.fresh_rows())
            for part in (TRAIN_PART, TEST_PART):
                items.append(with_rows_step(array, (split_id, part)))
        return Value(items=tuple(items))

    def _index_array(self, node: ast.expr) -> bool:
        """Whether ``node`` makes the positions of rows: ``np.arange(n)``, ``range(n)``,
        ``list(range(n))``."""
        while isinstance(node, ast.Call) and node.args:
            qualname = self.model.qualname(node.func)
            if qualname in INDEX_RANGES:
                return True
            if qualname != "builtins.list":
                return False
            node = node.args[0]
        return False

    def _cross_validation_function(self, node: ast.Call, qualname: str) -> Abstract:
        estimator = call_arg(node, 0, "estimator")
        x = call_arg(node, 1, "X")
        y = call_arg(node, 2, "y")
        used = {id(n) for n in (estimator, x, y) if n is not None}
        obj = self.eval(estimator) if estimator is not None else EMPTY
        if isinstance(obj, Obj):
            self.flow.other_use.add(obj)
        args: list[tuple[ArgRole, Value]] = []
        if x is not None:
            args.append((ArgRole.FEATURES, self.value(x)))
        if y is not None:
            args.append((ArgRole.TARGET, self.value(y)))
        for a in node.args:
            if id(a) not in used:
                self.eval(a)
        for kw in node.keywords:
            if id(kw.value) not in used:
                self.eval(kw.value)
        label = qualname.rpartition("model_selection.")[2]
        self.flow.sinks.append(Sink(node, label, SinkKind.CROSS_VALIDATION, tuple(args)))
        return EMPTY

    # ------------------------------------------------- object construction
    def _pipeline(self, node: ast.Call, qualname: str) -> Obj:
        steps: list[Obj | None] = []
        if qualname.endswith("make_pipeline"):
            for a in node.args:
                found = self.eval(a)
                steps.append(found if isinstance(found, Obj) else None)
        else:
            spec = call_arg(node, 0, "steps")
            value = self.eval(spec) if spec is not None else EMPTY
            if isinstance(value, Value) and value.items is not None:
                for item in value.items:
                    named = tuple_item(item, 1)
                    steps.append(named if isinstance(named, Obj) else None)
        for kw in node.keywords:
            if kw.arg != "steps":
                self.eval(kw.value)
        for step in steps:
            if step is not None:
                self.flow.other_use.add(step)
        return Obj(
            qualname,
            combined_role(steps, final_decides=True),
            node,
            categories_only=combined_categories_only(steps),
        )

    def _union(self, node: ast.Call, qualname: str) -> Obj:
        position = UNIONS[qualname]
        parts: list[Obj | None] = []
        if position is None or position == 0 and qualname.startswith("sklearn.compose.make"):
            for a in node.args:
                value = self.eval(a)
                part = value if position is None else tuple_item(value, 0)
                if isinstance(part, Value) and part.labels is not None:
                    continue  # "passthrough" / "drop"
                parts.append(part if isinstance(part, Obj) else None)
        else:
            spec = node.args[0] if node.args else None
            if spec is None:
                spec = keyword_arg(node, "transformers") or keyword_arg(node, "transformer_list")
            value = self.eval(spec) if spec is not None else EMPTY
            for a in node.args[1:]:
                self.eval(a)
            if isinstance(value, Value) and value.items is not None:
                for item in value.items:
                    part = tuple_item(item, position)
                    if isinstance(part, Value) and part.labels is not None:
                        continue  # "passthrough" / "drop"
                    parts.append(part if isinstance(part, Obj) else None)
        for kw in node.keywords:
            if kw.arg in ("transformers", "transformer_list"):
                continue
            value = self.eval(kw.value)
            if kw.arg == "remainder" and isinstance(value, Obj):
                parts.append(value)
        for part in parts:
            if part is not None:
                self.flow.other_use.add(part)
        return Obj(
            qualname,
            combined_role(parts, final_decides=False),
            node,
            categories_only=combined_categories_only(parts),
        )

    # ------------------------------------------------------ source functions
    def _selection_scores(self, node: ast.Call, qualname: str) -> Value:
        x = call_arg(node, 0, "X")
        y = call_arg(node, 1, "y")
        data = self.value(x) if x is not None else EMPTY
        if y is not None:
            self.eval(y)
        for kw in node.keywords:
            if kw.arg not in ("X", "y"):
                self.eval(kw.value)
        if y is None:
            return EMPTY
        taint = Taint(TaintKind.SELECT, node, qualname, data.rows)
        return Value(taints=frozenset({taint}), items=None)

    def _resample_function(self, node: ast.Call, qualname: str) -> Abstract:
        arrays = [self.value(a) for a in node.args if not isinstance(a, ast.Starred)]
        replace_arg = keyword_arg(node, "replace")
        for kw in node.keywords:
            self.eval(kw.value)
        if is_false(replace_arg) or not arrays:
            outputs = [derive(a) for a in arrays]
        else:
            rows = frozenset().union(*(a.rows for a in arrays))
            taint = Taint(TaintKind.RESAMPLE, node, qualname, rows)
            outputs = [replace(derive(a), taints=a.taints | {taint}) for a in arrays]
        if len(outputs) == 1:
            return outputs[0]
        return Value(items=tuple(outputs))

    def _numpy_statistic(self, node: ast.Call, qualname: str) -> Value:
        data = self.value(node.args[0]) if node.args else EMPTY
        axis = call_arg(node, NUMPY_STATS[qualname], "axis")
        for a in node.args[1:]:
            self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        return self._statistic(node, data, qualname.rpartition(".")[2], axis)

    def _prefit(self, selector: Obj, estimator: Abstract) -> None:
        """``SelectFromModel(clf, prefit=True)``: the selector chooses the features that
        the fit of ``clf`` with the target found important."""
        fit = estimator.last_fit if isinstance(estimator, Obj) else None
        if fit is None or fit.y is None or not fit.x.rows:
            return
        taint = Taint(TaintKind.SELECT, fit.node, selector.qualname, fit.x.rows)
        selector.fits.append(replace(fit, taint=taint))

    def _concatenation(self, node: ast.Call, qualname: str) -> Value:
        """``pd.concat([a, b])``, ``np.vstack((a, b))``: the rows of all; rows that two
        pieces share are duplicated (``pd.concat([neg, neg])``, images and their flips)."""
        listed = call_arg(node, 0, "objs" if qualname.startswith("pandas.") else "tup")
        if listed is None:
            listed = keyword_arg(node, "arrays")
        values: dict[int, Abstract] = {}
        for a in [*node.args, *(kw.value for kw in node.keywords)]:
            values[id(a)] = self.eval(a)
        result = join(v for v in values.values() if isinstance(v, Value))
        if not result.rows:
            result = replace(result, rows=self.tracker.fresh_rows())
        position = ROW_CONCATENATIONS[qualname]
        axis = call_arg(node, position, "axis") if position is not None else None
        pieces = values.get(id(listed)) if listed is not None else None
        if axis is not None and const_int(axis) != 0 or not isinstance(pieces, Value):
            return result  # side by side: the same rows, more columns
        taint = self.duplication(
            node,
            [v for v in pieces.items or () if isinstance(v, Value)],
            listed.elts if isinstance(listed, (ast.List, ast.Tuple)) else [],
        )
        if taint is None:
            return result
        return replace(result, taints=result.taints | {taint})

    def duplication(
        self, node: ast.Call, pieces: list[Value], written: Sequence[ast.expr]
    ) -> Taint | None:
        """The duplication of rows by stacking ``pieces`` (spelled ``written``), if two
        of them are the same data (``pd.concat([neg, neg])``), one is rebuilt from the
        other's rows in a loop (the flipped images of an augmentation), or the same
        pieces are added again at each turn of a loop (``df = df.append(fraud)``)."""
        shared: set[RowPath] = set()
        for i, first in enumerate(pieces):
            for second in pieces[i + 1 :]:
                copy = first is second or first.rebuilt or second.rebuilt
                if copy and not first.single and rows_overlap(first.rows, second.rows):
                    shared.update(first.rows | second.rows)
        if self.loop is not None and len(written) == len(pieces):
            assigned = loop_assigned(self.loop)
            names = [e.id if isinstance(e, ast.Name) else None for e in written]
            if any(n in assigned for n in names):  # an accumulator
                for name, piece in zip(names, pieces, strict=True):
                    if name is not None and name not in assigned and not piece.single:
                        shared.update(piece.rows)  # ... and the same rows each turn
        if not shared:
            return None
        return Taint(TaintKind.RESAMPLE, node, DUPLICATION, frozenset(shared))

    def _binning(self, node: ast.Call, qualname: str) -> Value:
        """``pd.qcut(x, 4)`` (quantiles) and ``pd.cut(x, 10)`` (the range of ``x``) learn
        their bin edges from all the rows; ``pd.cut(x, [0, 18, 65, 120])`` does not."""
        data = self.value(node.args[0]) if node.args else EMPTY
        bins = call_arg(node, 1, "q" if qualname == "pandas.qcut" else "bins")
        for a in node.args[1:]:
            self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        if isinstance(bins, ast.Name):  # ``bins = (18, 25, 35, 60)`` earlier
            binding = self.model.lookup(bins.id)
            if binding is not None and isinstance(binding.node, ast.expr):
                bins = binding.node
        fixed = isinstance(bins, (ast.List, ast.Tuple)) or (
            isinstance(bins, ast.Call) and self.model.qualname(bins.func) in FIXED_BINS
        )
        if qualname == "pandas.cut" and (bins is None or fixed):
            return derive(data)
        return join([data, self._statistic(node, data, qualname.rpartition(".")[2], None)])

    def _design_matrices(self, node: ast.Call, qualname: str) -> Value:
        """patsy's ``dmatrices("y ~ standardize(x)", df)``: the outcome and the design
        matrix of the rows of ``df``; ``standardize``/``center``/``scale`` terms learn
        their statistics from those rows (``C(x)`` only its categories)."""
        formula = call_arg(node, 0, "formula_like")
        data = call_arg(node, 1, "data")
        text = self._literal_text(formula) if formula is not None else None
        value = EMPTY
        for a in node.args:
            found = self.value(a)
            if a is data:
                value = found
        for kw in node.keywords:
            found = self.value(kw.value)
            if kw.value is data:
                value = found
        if not value.rows:
            value = replace(value, rows=self.tracker.fresh_rows())
        design = derive(value)
        if text is not None and any(term in text for term in PATSY_STATEFUL_TERMS):
            taint = Taint(TaintKind.STATISTIC, node, qualname, value.rows)
            design = replace(design, taints=design.taints | {taint})
        if qualname.endswith("dmatrices"):
            return Value(items=(derive(value), design))
        return design

    def _literal_text(self, node: ast.expr) -> str | None:
        """The text of a string literal, also through a name bound to one."""
        if isinstance(node, ast.Name):
            binding = self.model.lookup(node.id)
            if binding is not None and isinstance(binding.node, ast.expr):
                node = binding.node
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def _random_split(self, node: ast.Call) -> Abstract:
        """``torch.utils.data.random_split(dataset, [0.8, 0.2])``: disjoint parts."""
        args = self._arguments(node)
        data = args[0] if args and isinstance(args[0], Value) else EMPTY
        lengths = call_arg(node, 1, "lengths")
        count = len(lengths.elts) if isinstance(lengths, (ast.List, ast.Tuple)) else 2
        if not data.rows:
            data = replace(data, rows=self.tracker.fresh_rows())
        split_id = self.record_split(node, "random_split", SinkKind.SPLIT)
        self.flow.sinks.append(Sink(node, "random_split", SinkKind.SPLIT, ((ArgRole.WHOLE, data),)))
        return Value(items=tuple(with_rows_step(data, (split_id, part)) for part in range(count)))

    def _standardising_function(self, node: ast.Call, qualname: str) -> Value:
        """``scipy.stats.zscore(df[c])``: standardised with statistics of all the rows."""
        data = self.value(node.args[0]) if node.args else EMPTY
        axis = call_arg(node, STANDARDISING_FUNCTIONS[qualname], "axis")
        for a in node.args[1:]:
            self.eval(a)
        for kw in node.keywords:
            self.eval(kw.value)
        return join([data, self._statistic(node, data, qualname.rpartition(".")[2], axis)])

    def _statistic(self, node: ast.Call, data: Value, name: str, axis: ast.expr | None) -> Value:
        if (
            not data.rows
            or data.single
            or per_row_axis(axis)
            or self.tracker.is_simulated(data.rows)
        ):
            return replace(derive(data), rows=frozenset(), prediction=None)
        taint = Taint(TaintKind.STATISTIC, node, name, data.rows)
        return Value(taints=data.taints, pending=frozenset({taint}))

    def _metric(self, node: ast.Call) -> Value:
        """A metric call: an evaluation when it scores a model's predictions."""
        values = [self.eval(a) for a in node.args]
        named = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg is not None}
        for v in [*values, *named.values()]:
            if isinstance(v, Value):
                self.tracker.use_parts(v.rows, evaluated=True)
        for kw in node.keywords:
            if kw.arg is None:
                self.eval(kw.value)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "from_estimator":
            estimator = values[0] if values else named.get("estimator")
            x = values[1] if len(values) > 1 else named.get("X")
            y = values[2] if len(values) > 2 else named.get("y")
            if isinstance(estimator, Obj) and isinstance(x, Value) and isinstance(y, Value):
                self._evaluation(node, estimator, x, y)
            return EMPTY
        truth = values[0] if values else named.get("y_true", named.get("labels_true"))
        predicted = values[1] if len(values) > 1 else None
        if (
            isinstance(truth, Value)
            and isinstance(predicted, Value)
            and truth.prediction is not None
            and predicted.prediction is None
        ):
            truth, predicted = predicted, truth  # ``metric(y_pred, y_true)``: swapped
        if predicted is None:
            for key in ("y_pred", "y_score", "y_proba", "y_prob", "probas_pred"):
                if key in named:
                    predicted = named[key]
                    break
        if (
            isinstance(truth, Value)
            and isinstance(predicted, Value)
            and predicted.prediction is not None
            and truth.prediction is None
        ):
            prediction = predicted.prediction
            self._evaluation(node, prediction.obj, prediction.data, truth)
        return EMPTY

    def _evaluation(self, node: ast.Call, obj: Obj, x: Value, y: Value) -> None:
        self.flow.evaluations.append(Evaluation(node, obj, obj.last_fit, x, y))

    # ------------------------------------------------- tables, frames, models
    def aggregate(self, node: ast.Call, data: Value, name: str) -> Value:
        """A table of statistics, one row per group (``df.groupby(k).y.mean()``,
        ``value_counts()``): rows of its own, and the statistic, applied to whatever it is
        mapped or merged into (or used as a mask of)."""
        rows = self.tracker.fresh_rows()
        if not data.rows or data.single or self.tracker.is_simulated(data.rows):
            return Value(rows=rows)
        taint = Taint(TaintKind.STATISTIC, node, name, data.rows)
        return Value(rows=rows, taints=data.taints, pending=frozenset({taint}))

    def merged(self, left: Value, others: list[Value]) -> Value:
        """``left.merge(right)``: the rows of ``left``, the columns and statistics of both
        (a per-customer aggregate of another table merged in adds no row of it)."""
        joined = join([left] + others)
        if not left.rows:
            return joined
        return replace(joined, rows=left.rows, single=left.single)

    def model_use(self, node: ast.Call, args: list[Abstract], evaluated: bool) -> None:
        """``model.fit(X_tr, y_tr, validation_data=(X_va, y_va))``, ``lgb.train(p, d_tr,
        valid_sets=[d_va])``, ``model.evaluate(X_va, y_va)`` (``args``: the values of the
        positional arguments, then of the keywords): the data trained (or evaluated) on,
        for telling which hand-written splits are made for validation, and the training
        data (the first argument holding data)."""
        names = [None] * len(node.args) + [kw.arg for kw in node.keywords]
        holdout = keyword_arg(node, "validation_split")
        if holdout is not None and not evaluated and not _is_zero(holdout):
            self._validation_split(node, names, args)
        data = 0
        for name, value in zip(names, args, strict=True):
            if not isinstance(value, Value) or not value.rows:
                continue
            held_out = evaluated or name in VALIDATION_KEYWORDS
            self.tracker.use_parts(value.rows, held_out)
            if held_out:
                continue
            if name in ("y", "label") or (name is None and data == 1):
                self.flow.targets.append(value)
            elif data == 0:
                self.flow.trainings.append((node, value))
            data += 1

    def _validation_split(
        self, node: ast.Call, names: list[str | None], args: list[Abstract]
    ) -> None:
        """Keras' ``model.fit(X, y, validation_split=0.2)`` holds out the last rows of
        ``X`` and ``y``: a split of the data it gets."""
        pieces: list[tuple[ArgRole, Value]] = []
        for name, value in zip(names, args, strict=True):
            if isinstance(value, Value) and value.rows and name in (None, "x", "y"):
                first = not pieces and name != "y"
                pieces.append((ArgRole.FEATURES if first else ArgRole.TARGET, value))
        if pieces:
            self.record_split(node, "validation_split", SinkKind.SPLIT)
            self.flow.sinks.append(Sink(node, "validation_split", SinkKind.SPLIT, tuple(pieces)))


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (0, 0.0, None)
