"""The evaluator's statements and expressions: what a statement binds, and the abstract
value of a name, an attribute, a subscript, an operation or a comprehension. Calls are
evaluated by the subclasses in :mod:`mlsmells.semantic.flow.functions` and
:mod:`mlsmells.semantic.flow.calls`."""

from __future__ import annotations

import ast
from typing import Protocol

from mlsmells.semantic.flow.summaries import Summary
from mlsmells.semantic.flow.syntax import (
    const_int,
    is_true,
    keyword_arg,
    literal_labels,
    mask_cut,
    slice_cut,
)
from mlsmells.semantic.flow.tables import (
    EVALUATION_ATTRIBUTES,
    INDEXERS,
    METADATA_ATTRIBUTES,
    PIPELINES,
    ROW_ATTRIBUTES,
    UNIONS,
    VIEW_ATTRIBUTES,
    categories_only,
    classify,
)
from mlsmells.semantic.flow.values import (
    EMPTY,
    Abstract,
    Obj,
    Role,
    RowPath,
    ScopeFlow,
    Selection,
    SinkKind,
    Split,
    Step,
    Value,
    derive,
    join,
    mask,
    replace,
    select_columns,
    store_columns,
    stored_in_rows,
    with_rows_step,
)
from mlsmells.semantic.kinds import Kind, modern
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import ScopeType


class Tracker(Protocol):
    """What the evaluator uses of the file's tracker
    (:class:`~mlsmells.semantic.flow.tracker.FlowTracker`)."""

    model: SemanticModel
    summaries: dict[int, Summary]
    splits: dict[int, Split]
    manual: dict[tuple[frozenset[RowPath], str], int]
    uses: dict[int, set[tuple[int, bool]]]

    def new_id(self) -> int: ...

    def fresh_rows(self, simulated: bool = False) -> frozenset[RowPath]: ...

    def is_simulated(self, rows: frozenset[RowPath]) -> bool: ...

    def use_parts(self, rows: frozenset[RowPath], evaluated: bool) -> None: ...

    def project_summary(self, qualname: str) -> Summary | None: ...


class ExpressionEvaluator:
    """Evaluates the expressions of one statement over the abstract values of its scope.

    The statements, the bindings, the lookups and every expression but a call, which
    :class:`~mlsmells.semantic.flow.calls.Evaluator` (the class the tracker uses) adds.
    """

    def __init__(
        self,
        tracker: Tracker,
        flow: ScopeFlow,
        weak: bool,
        loop: ast.For | ast.AsyncFor | ast.While | None = None,
    ) -> None:
        self.tracker = tracker
        self.model = tracker.model
        self.flow = flow
        self.weak = weak
        self.loop = loop
        """The innermost loop around the statement."""
        self.current: ast.stmt | None = None
        self.overlay: list[dict[str, Abstract]] = []

    # ---------------------------------------------------------- statements
    def statement(self, node: ast.stmt) -> None:
        self.current = node
        if isinstance(node, ast.Assign):
            value = self.eval(node.value)
            for target in node.targets:
                self.bind(target, value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.eval(node.value))
        elif isinstance(node, ast.AugAssign):
            self._aug_assign(node)
        elif isinstance(node, ast.Expr):
            self._expression_statement(node.value)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                value = self.eval(node.value)
                self._escape(value)
                self.flow.returns.append(value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._for(node)
        elif isinstance(node, (ast.If, ast.While)):
            self.eval(node.test)
        elif isinstance(node, ast.Assert):
            self.eval(node.test)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, value)
        elif isinstance(node, ast.Match):
            self.eval(node.subject)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.flow.env.pop(target.id, None)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        value = self.eval(node.value)
        target = node.target
        if isinstance(target, ast.Subscript):
            old_part = self.value(target)
            if isinstance(value, Value):
                self._store_subscript(target, join([old_part, value]))
            return
        key = self._key(target)
        if key is None:
            return
        old = self.lookup_key(key)
        if isinstance(old, Value) and isinstance(value, Value):
            self.set(key, join([old, value]))

    def _expression_statement(self, expr: ast.expr) -> None:
        value = self.eval(expr)
        if not (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and is_true(keyword_arg(expr, "inplace"))
            and isinstance(value, Value)
        ):
            return
        receiver = expr.func.value
        if isinstance(receiver, ast.Subscript):
            self._store_subscript(receiver, value)
        elif isinstance(receiver, ast.Attribute) and self._frame_column(receiver):
            base = self._key(receiver.value)
            frame = self.lookup_key(base) if base is not None else None
            if base is not None and isinstance(frame, Value):
                self.set(
                    base, store_columns(frame, (receiver.attr,), value, self.weak), mutation=True
                )
        else:
            key = self._key(receiver)
            if key is not None:
                self.set(key, value, mutation=True)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        iterable = node.iter
        target = node.target
        if (
            isinstance(iterable, ast.Call)
            and self.model.qualname(iterable.func) == "builtins.enumerate"
            and iterable.args
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            self.bind(target.elts[0], EMPTY)
            target = target.elts[1]
            iterable = iterable.args[0]
        value = self.eval(iterable)
        if isinstance(value, Value):
            if value.items is not None:
                element: Abstract = join(v for v in value.items if isinstance(v, Value))
                self._escape(value)
            elif value.folds is not None or not value.rows:
                element = value
            else:  # one row (an image, a record of ``iterrows()``) at a time
                element = replace(value, single=True)
            self.bind(target, element)
        elif value.role is Role.SPLITTER:
            self.bind(target, self._legacy_folds(iterable))

    # ------------------------------------------------------------- binding
    def _key(self, expr: ast.expr) -> str | None:
        """The environment key of a name or a ``self.attr`` chain."""
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute):
            base = self._key(expr.value)
            self_name = self.model.scope.self_name
            if base is not None and self_name is not None and base.split(".")[0] == self_name:
                return f"{base}.{expr.attr}"
        return None

    def set(self, key: str, value: Abstract, mutation: bool = False) -> None:
        """Bind ``key`` to ``value`` (``mutation``: the data it held was changed in place)."""
        (self.flow.mutated if mutation else self.flow.rebound).add(key)
        old = self.flow.env.get(key)
        if self.weak and isinstance(old, Value) and isinstance(value, Value) and old is not value:
            value = replace(join([old, value], apply_stats=False), rebuilt=value.rebuilt)
        if isinstance(value, Obj) and value.name is None:
            value.name = key
        elif isinstance(value, Value) and value.items is not None:
            self._escape(value)  # ``models = [lr, rf]``: used through the container later
        self.flow.env[key] = value

    def bind(self, target: ast.expr, value: Abstract) -> None:
        if isinstance(target, ast.Name):
            self.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._bind_tuple(target, value)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, derive(value) if isinstance(value, Value) else EMPTY)
        elif isinstance(target, ast.Subscript):
            self._escape(value)
            self._store_subscript(target, value)
        elif isinstance(target, ast.Attribute):
            self._escape(value)
            key = self._key(target)
            if key is not None:
                self.set(key, value)

    def _bind_tuple(self, target: ast.Tuple | ast.List, value: Abstract) -> None:
        elts = target.elts
        starred = any(isinstance(e, ast.Starred) for e in elts)
        if isinstance(value, Value):
            if value.items is not None and len(value.items) == len(elts) and not starred:
                for elt, item in zip(elts, value.items, strict=True):
                    self.bind(elt, item)
                return
            if value.folds is not None and len(elts) == 2 and not starred:
                for part, elt in enumerate(elts):
                    self.bind(elt, Value(fold=(value.folds, part)))
                return
            for elt in elts:
                # Each name its own value: the outputs of an unknown call are different data
                # (``a, b = split(X)``), whatever ML005 compares by identity.
                self.bind(elt, replace(derive(value)))
            return
        self._escape(value)
        for elt in elts:
            self.bind(elt, EMPTY)

    def _store_subscript(self, target: ast.Subscript, value: Abstract) -> None:
        """``frame[key] = value`` (also ``frame.loc[rows, key] = value``)."""
        stored = value if isinstance(value, Value) else EMPTY
        receiver = target.value
        key_node = target.slice
        labels: tuple[str, ...] | None = None
        if isinstance(receiver, ast.Attribute) and receiver.attr in INDEXERS:
            receiver = receiver.value
            if isinstance(key_node, ast.Tuple) and len(key_node.elts) == 2:
                labels = literal_labels(key_node.elts[1])
                rows = self.value(key_node.elts[0])
            else:
                rows = self.value(key_node)
            stored = stored_in_rows(stored, rows)
        else:
            labels = self._labels(key_node)
        base = self._key(receiver)
        if base is None:
            if isinstance(receiver, ast.Subscript):
                self._store_subscript(receiver, stored)
            return
        frame = self.lookup_key(base)
        if isinstance(frame, Value):
            self.set(base, store_columns(frame, labels, stored, self.weak), mutation=True)

    def _labels(self, node: ast.expr) -> tuple[str, ...] | None:
        labels = literal_labels(node)
        if labels is not None:
            return labels
        value = self.eval(node)
        return value.labels if isinstance(value, Value) else None

    def compared(self, values: list[Value]) -> list[Value]:
        """``values`` used together: when predictions meet other data (the truth, by hand),
        the predictions are scored (returns ``values``)."""
        predictions = [v.prediction for v in values if v.prediction is not None]
        if predictions and any(v.rows and v.prediction is None for v in values):
            self.flow.scored.extend(predictions)
        return values

    def _escape(self, value: Abstract) -> None:
        """``value`` leaves our sight (stored, returned, passed on): its objects too."""
        if isinstance(value, Obj):
            self.flow.other_use.add(value)
        elif value.items is not None:
            for item in value.items:
                self._escape(item)

    # -------------------------------------------------------------- lookup
    def lookup_key(self, key: str) -> Abstract:
        for layer in reversed(self.overlay):
            if key in layer:
                return layer[key]
        found = self.flow.env.get(key)
        if found is not None:
            return found
        created = self._attribute_object(key)
        if created is not None:
            self.flow.env[key] = created
            return created
        root = Value(rows=self.tracker.fresh_rows())
        self.flow.env[key] = root
        return root

    def _attribute_object(self, key: str) -> Obj | None:
        """``self.scaler`` built in another method (``__init__``): a new, unfitted object."""
        parts = key.split(".")
        klass = self.model.enclosing_class()
        if len(parts) != 2 or klass is None:
            return None
        binding = klass.attributes.get(parts[1])
        value = binding.node if binding is not None else None
        if not isinstance(value, ast.Call):
            return None
        qualname = self.model.qualname(value.func)
        if qualname is None:
            return None
        qualname = modern(qualname)
        if qualname in PIPELINES or qualname in UNIONS:
            return None
        role = classify(qualname, binding.kind if binding is not None else None)
        if role is None:
            return None
        obj = Obj(qualname, role, value, name=key, categories_only=categories_only(qualname, value))
        self.flow.other_use.add(obj)
        return obj

    def _name(self, node: ast.Name) -> Abstract:
        for layer in reversed(self.overlay):
            if node.id in layer:
                return layer[node.id]
        found = self.flow.env.get(node.id)
        if found is not None:
            return found
        if self.model.qualname(node) is not None:
            return EMPTY
        binding = self.model.lookup(node.id)
        if binding is None and self.model.scope.type is ScopeType.MODULE:
            return EMPTY
        if binding is not None and isinstance(
            binding.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                           ast.ImportFrom)
        ):  # fmt: skip
            return EMPTY
        return self.lookup_key(node.id)

    # ---------------------------------------------------------- expressions
    def eval(self, node: ast.expr) -> Abstract:
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Value(labels=(node.value,))
            return EMPTY
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.BinOp):
            return join(self.compared([self.value(node.left), self.value(node.right)]))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            return join([self.value(v) for v in node.values], apply_stats=False)
        if isinstance(node, ast.UnaryOp):
            return self.eval(node.operand)
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            return join([self.value(node.body), self.value(node.orelse)], apply_stats=False)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._sequence(node)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    self.eval(key)
            values = [self.eval(v) for v in node.values]
            for v in values:
                self._escape(v)
            return join((v for v in values if isinstance(v, Value)), apply_stats=False)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value)
            self.bind(node.target, value)
            return value
        if isinstance(node, (ast.Starred, ast.Await)):
            return self.eval(node.value)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node)
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                self.eval(part)
            return EMPTY
        if isinstance(node, ast.FormattedValue):
            self.eval(node.value)
            return EMPTY
        if isinstance(node, ast.Slice):
            for bound in (node.lower, node.upper, node.step):
                if bound is not None:
                    self.eval(bound)
            return EMPTY
        return EMPTY

    def value(self, node: ast.expr) -> Value:
        found = self.eval(node)
        if isinstance(found, Obj):
            return EMPTY
        return found

    def _sequence(self, node: ast.Tuple | ast.List | ast.Set) -> Value:
        items = tuple(self.eval(e) for e in node.elts)
        values = [i for i in items if isinstance(i, Value)]
        joined = join(values, apply_stats=False)
        labels = literal_labels(node)
        if labels is None and values and all(v.labels is not None for v in values):
            found: list[str] = []
            for v in values:
                found.extend(v.labels or ())
            labels = tuple(found)
        if isinstance(node, ast.Set) or any(isinstance(e, ast.Starred) for e in node.elts):
            return replace(joined, labels=labels)
        return replace(joined, items=items, labels=labels)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> Value:
        layer: dict[str, Abstract] = {}
        self.overlay.append(layer)
        try:
            parts: list[Value] = []
            for gen in node.generators:
                source = self.value(gen.iter)
                parts.append(source)
                for name in ast.walk(gen.target):
                    if isinstance(name, ast.Name):
                        layer[name.id] = derive(source)
                for cond in gen.ifs:
                    self.eval(cond)
            if isinstance(node, ast.DictComp):
                parts.append(self.value(node.key))
                parts.append(self.value(node.value))
            else:
                parts.append(self.value(node.elt))
        finally:
            self.overlay.pop()
        return join(parts, apply_stats=False)

    def _compare(self, node: ast.Compare) -> Value:
        left = self.value(node.left)
        parts = self.compared([left] + [self.value(c) for c in node.comparators])
        return replace(mask(parts), prediction=left.prediction)

    def _attribute(self, node: ast.Attribute) -> Abstract:
        key = self._key(node)
        if key is not None and "." in key:
            return self.lookup_key(key)
        receiver = self.eval(node.value)
        attr = node.attr
        if isinstance(receiver, Obj):
            return self._object_attribute(receiver, attr)
        if self.model.qualname(node) is not None:
            return EMPTY
        if attr in VIEW_ATTRIBUTES:
            return receiver
        if attr in METADATA_ATTRIBUTES:  # (the categories of ``value_counts().index``)
            return Value(taints=receiver.all_taints(), pending=receiver.pending)
        if self._frame_column(node):
            return select_columns(receiver, (attr,))
        return derive(receiver)

    def _frame_column(self, node: ast.Attribute) -> bool:
        return (
            self.model.kind_of(node.value) is Kind.DATAFRAME
            and node.attr not in VIEW_ATTRIBUTES
            and node.attr not in METADATA_ATTRIBUTES
        )

    def _object_attribute(self, obj: Obj, attr: str) -> Abstract:
        if attr in EVALUATION_ATTRIBUTES:
            self.flow.other_use.add(obj)
            return EMPTY
        if attr == "best_estimator_":
            return obj
        fit = obj.last_fit
        if fit is None or fit.taint is None or not attr.endswith("_"):
            return EMPTY
        rows = fit.x.rows if attr in ROW_ATTRIBUTES else frozenset()
        return Value(rows=rows, taints=frozenset({fit.taint}))

    def _subscript(self, node: ast.Subscript) -> Abstract:
        receiver_node = node.value
        receiver = self.eval(receiver_node)
        key = node.slice
        if isinstance(receiver, Obj):
            self.eval(key)
            return EMPTY
        if self.model.qualname(receiver_node) in ("numpy.c_", "numpy.r_"):
            return self.value(key)
        index = const_int(key)
        if receiver.items is not None and index is not None:
            if -len(receiver.items) <= index < len(receiver.items):
                return receiver.items[index]
            return EMPTY
        indexer = isinstance(receiver_node, ast.Attribute) and receiver_node.attr in INDEXERS
        row_key: ast.expr = key
        column_key: ast.expr | None = None
        if isinstance(key, ast.Tuple) and len(key.elts) == 2:
            row_key, column_key = key.elts
        elif indexer:
            column_key = None
        else:
            row_key, column_key = key, key
        row_value = self.value(row_key)
        if row_value.fold is not None:
            if column_key is not None and column_key is not row_key:
                self.eval(column_key)
            if not receiver.rows:  # ``X.index[va_idx]``: the labels of a fold's rows
                return Value(fold=row_value.fold)
            return self.select(receiver, row_value.fold)
        step = self._manual_split(receiver, node, row_key)
        if indexer or isinstance(key, ast.Tuple):
            if column_key is None:
                result = replace(derive(receiver), taints=receiver.taints | row_value.taints)
            else:
                column_value = self.value(column_key)
                selected = select_columns(receiver, column_value.labels)
                # Columns chosen by a statistic (``X[:, X.getnnz(axis=0) > 1]``) are
                # a transform; rows filtered by one are not.
                key_taints = row_value.taints | column_value.all_taints() | column_value.pending
                result = replace(selected, taints=selected.taints | key_taints)
        elif row_value.labels is None and isinstance(key, ast.Slice):
            result = replace(derive(receiver), prediction=receiver.prediction)
        else:
            labels = row_value.labels
            result = select_columns(receiver, labels)
            if labels is None:
                result = replace(result, taints=result.taints | row_value.all_taints())
        if indexer and (row_value.single or self._loop_label(row_key)):
            # ``df.loc[i]`` for one label ``i`` of a loop over the rows: that one row
            result = replace(result, single=True)
        return result if step is None else self.select(result, step, receiver)

    # --------------------------------------------------------------- splits
    def record_split(self, node: ast.expr, label: str, kind: SinkKind, manual: bool = False) -> int:
        split_id = self.tracker.new_id()
        self.tracker.splits[split_id] = Split(split_id, node, label, kind, manual)
        if manual:
            self.tracker.uses[split_id] = set()
        return split_id

    def select(self, value: Value, step: Step, base: Value | None = None) -> Value:
        """The rows of one side of a split taken from ``value`` (recorded as a selection)."""
        result = with_rows_step(value, step)
        self.flow.selections.append(Selection(step[0], value if base is None else base, result))
        return result

    def _loop_label(self, key: ast.expr) -> bool:
        """Whether ``key`` is a name the innermost ``for`` loop binds at each turn (``for i
        in range(len(df))``, ``for label in df[mask].index``): one label at a time."""
        loop = self.loop
        if not isinstance(key, ast.Name) or not isinstance(loop, (ast.For, ast.AsyncFor)):
            return False
        return any(
            isinstance(n, ast.Name) and n.id == key.id for n in ast.walk(loop.target)
        )

    def _manual_split(self, receiver: Value, node: ast.expr, row_key: ast.expr) -> Step | None:
        """The side of a hand-written split that ``receiver[row_key]`` takes, if it is one:
        ``df[:n]``/``df[n:]``, ``df[df.fold != k]``/``df[df.fold == k]``."""
        if not receiver.rows or receiver.single:
            return None
        cut = slice_cut(row_key) or mask_cut(row_key)
        if cut is None:
            return None
        return self.manual_step(receiver, node, *cut)

    def manual_step(self, receiver: Value, node: ast.expr, cut: str, part: int) -> Step:
        key = (receiver.rows, cut)
        split_id = self.tracker.manual.get(key)
        if split_id is None:
            label = " ".join(ast.unparse(node).split())
            if len(label) > 40:
                label = label[:37] + "..."
            split_id = self.record_split(node, label, SinkKind.SPLIT, manual=True)
            self.tracker.manual[key] = split_id
        return (split_id, part)

    def _legacy_folds(self, node: ast.expr) -> Value:
        """``for tr, te in KFold(n, n_folds=5)``: the old ``sklearn.cross_validation``
        splitters are iterables of index pairs."""
        label = " ".join(ast.unparse(node).split())
        return Value(folds=self.record_split(node, label, SinkKind.FOLDS))

    def _call(self, node: ast.Call) -> Abstract:
        """The value of a call (:meth:`mlsmells.semantic.flow.calls.Evaluator._call`)."""
        raise NotImplementedError
