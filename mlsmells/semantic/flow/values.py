"""The abstract values of the flow layer and the events of a scope, and the pure functions
on them: row paths, taints, :class:`Value` and :class:`Obj`, the sinks, splits, fits and
evaluations a scope records (:class:`ScopeFlow`), and the value algebra (join, column
selection and stores, the side of a split)."""

from __future__ import annotations

import ast
import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

from mlsmells.semantic.scopes import Scope

_T = TypeVar("_T")


def replace(instance: _T, **changes: object) -> _T:
    """A copy of a frozen dataclass instance with ``changes``: what
    :func:`dataclasses.replace` does, without its per-field checks (a hot path here) when
    the instance has a ``__dict__``; an instance of a compiled class (mypyc, see
    docs/performance.md) has none, and is copied by :func:`dataclasses.replace`."""
    state = getattr(instance, "__dict__", None)
    if state is None:
        return dataclasses.replace(instance, **changes)  # type: ignore[type-var]
    copy = object.__new__(type(instance))
    copy.__dict__.update(state, **changes)
    return copy


# ----------------------------------------------------------------------- rows

#: One step of a row path: ``(root id, ROOT)`` first, then ``(split id, part)``.
Step = tuple[int, int]
#: Where a value's rows come from: a root, then the sides of the splits taken.
RowPath = tuple[Step, ...]
ROOT = -1
TRAIN_PART = 0
TEST_PART = 1


def paths_overlap(a: RowPath, b: RowPath) -> bool:
    """Whether two row paths can share rows (one is a prefix of the other)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def rows_overlap(a: Iterable[RowPath], b: Iterable[RowPath]) -> bool:
    b = tuple(b)
    return any(paths_overlap(p, q) for p in a for q in b)


# --------------------------------------------------------------------- taints


class TaintKind(enum.Enum):
    PREPROCESS = "preprocess"
    """A stateful transformer learned statistics from the rows (scaler, imputer, PCA ...)."""
    STATISTIC = "statistic"
    """A pandas/NumPy statistic over the rows was used to transform the data."""
    SELECT = "select"
    """Features were chosen with the help of the target."""
    RESAMPLE = "resample"
    """Rows were duplicated or synthesised from neighbours (oversampling)."""


#: The source of a taint made by stacking rows with copies of themselves.
DUPLICATION = "duplication"


@dataclass(frozen=True, eq=False)
class Taint:
    """Statistics learned from ``rows`` by the call ``node``, baked into a value."""

    kind: TaintKind
    node: ast.Call
    source: str
    """What learned: a qualified class name or the statistic's method name."""
    rows: frozenset[RowPath]
    encoder: bool = False
    """Learned by a categorical encoder (only the categories: harmless on the target)."""
    against: tuple[Value, ...] | None = None
    """For a correlation of arrays (``pearsonr(df[c], y)``): the arrays. It chooses
    features with the target only when one of them is a target of the scope."""


# --------------------------------------------------------------------- values


@dataclass(frozen=True, eq=False)
class Prediction:
    """Predictions of ``obj`` on ``data``."""

    obj: Obj
    data: Value


@dataclass(eq=False)
class Value:
    """What a name (or an expression) holds. Identity matters: one binding, one object.
    Never changed once made: a changed value is a copy (:func:`replace`). (Not a frozen
    dataclass, and its ``__init__`` written out: made tens of thousands of times a run,
    it is then a compiled function in the release build, not one generated at run time.)"""

    rows: frozenset[RowPath] = frozenset()
    taints: frozenset[Taint] = frozenset()
    columns: tuple[tuple[str, frozenset[Taint]], ...] = ()
    """Taints of single columns, by literal column label."""
    pending: frozenset[Taint] = frozenset()
    """Statistics (``df.mean()``) not yet applied to data: they taint what they transform."""
    fold: Step | None = None
    """An index array that selects one part of a split (``train_idx`` of ``kf.split``)."""
    folds: int | None = None
    """An iterator of (train, test) index pairs of the split with this id."""
    items: tuple[Abstract, ...] | None = None
    """The elements of a tuple or list of known length."""
    labels: tuple[str, ...] | None = None
    """Literal column labels (a string or a list of strings)."""
    column: str | None = None
    """The label of the one column this is, selected by a literal label (``df["y"]``)."""
    prediction: Prediction | None = None
    single: bool = False
    """One element of its rows (a row of ``iterrows()``, an image of an array): a statistic
    of it is not a statistic over the rows."""
    rebuilt: bool = False
    """Collected piece by piece in a loop (the flipped copies of an augmentation): stacked
    under the rows it was made from, it duplicates them."""

    def __init__(
        self,
        rows: frozenset[RowPath] = frozenset(),
        taints: frozenset[Taint] = frozenset(),
        columns: tuple[tuple[str, frozenset[Taint]], ...] = (),
        pending: frozenset[Taint] = frozenset(),
        fold: Step | None = None,
        folds: int | None = None,
        items: tuple[Abstract, ...] | None = None,
        labels: tuple[str, ...] | None = None,
        column: str | None = None,
        prediction: Prediction | None = None,
        single: bool = False,
        rebuilt: bool = False,
    ) -> None:
        self.rows = rows
        self.taints = taints
        self.columns = columns
        self.pending = pending
        self.fold = fold
        self.folds = folds
        self.items = items
        self.labels = labels
        self.column = column
        self.prediction = prediction
        self.single = single
        self.rebuilt = rebuilt

    def all_taints(self) -> frozenset[Taint]:
        found = set(self.taints)
        for _, taints in self.columns:
            found.update(taints)
        return frozenset(found)

    def column_taints(self, label: str) -> frozenset[Taint]:
        for name, taints in self.columns:
            if name == label:
                return taints
        return frozenset()

    @property
    def is_data(self) -> bool:
        return bool(self.rows)


EMPTY = Value()


class Role(enum.Enum):
    PREPROCESS = "preprocess"
    ENCODER = "encoder"
    SELECTOR = "selector"
    CLUSTER = "cluster"
    OVERSAMPLER = "oversampler"
    UNDERSAMPLER = "undersampler"
    SPLITTER = "splitter"
    SEARCH = "search"
    MODEL = "model"
    STATELESS = "stateless"
    UNKNOWN = "unknown"

    @property
    def learns(self) -> bool:
        """Whether fitting it learns statistics that its outputs carry."""
        return self in _LEARNING_ROLES


_LEARNING_ROLES = frozenset({Role.PREPROCESS, Role.ENCODER, Role.SELECTOR, Role.CLUSTER})


@dataclass(frozen=True, eq=False)
class Fit:
    """One ``fit``/``fit_transform``/... of an object."""

    node: ast.Call
    method: str
    x: Value
    y: Value | None
    taint: Taint | None
    arg_name: str | None
    """The data argument when it is a plain name (``X_train``)."""


@dataclass(eq=False)
class Obj:
    """A scikit-learn-like object the scope created."""

    qualname: str
    role: Role
    node: ast.expr
    name: str | None = None
    fits: list[Fit] = field(default_factory=list)
    categories_only: bool = False
    """Fitting learns only which categories (or tokens) exist, no frequency or statistic."""

    @property
    def last_fit(self) -> Fit | None:
        return self.fits[-1] if self.fits else None

    @property
    def short(self) -> str:
        return self.qualname.rpartition(".")[2]


Abstract: TypeAlias = Value | Obj


# --------------------------------------------------------------------- events


class ArgRole(enum.Enum):
    FEATURES = "features"
    TARGET = "target"
    """The target of cross-validation, or an array after the first of ``train_test_split``."""
    WHOLE = "whole"
    """A single array handed to a split: features and target together."""


class SinkKind(enum.Enum):
    SPLIT = "split"
    """train_test_split: train and test parts."""
    FOLDS = "folds"
    """A CV splitter's ``split``: folds."""
    CROSS_VALIDATION = "cv"
    """cross_val_score & co, a search's ``fit``."""


@dataclass(frozen=True, eq=False)
class Split:
    id: int
    node: ast.expr
    label: str
    kind: SinkKind
    manual: bool = False
    """Written by hand (``df[:n]`` / ``df[n:]``, ``df[df.fold != k]`` / ``df[df.fold == k]``):
    a split for validation only once a model is fit on one side and evaluated on the other
    (a Kaggle frame cut back into its train and test files is not one)."""


@dataclass(frozen=True, eq=False)
class Selection:
    """``base[index]``: the rows of one side of the split ``split`` (``X[train_idx]``,
    ``df[:n]``), selected as ``result``."""

    split: int
    base: Value
    result: Value


@dataclass(frozen=True, eq=False)
class Sink:
    """Data handed to a split or to cross-validation."""

    node: ast.expr
    label: str
    kind: SinkKind
    args: tuple[tuple[ArgRole, Value], ...]


@dataclass(frozen=True, eq=False)
class TransformUse:
    """``obj.transform(value)`` (or another method applying a fitted object)."""

    node: ast.Call
    obj: Obj
    fit: Fit
    value: Value


@dataclass(frozen=True, eq=False)
class Evaluation:
    """``obj`` scored on ``x`` against ``y`` (``score``, a metric of its predictions)."""

    node: ast.Call
    obj: Obj
    fit: Fit | None
    x: Value
    y: Value


@dataclass(eq=False)
class ScopeFlow:
    """The data flow of one module, function, method or class body."""

    scope: Scope
    env: dict[str, Abstract] = field(default_factory=dict)
    sinks: list[Sink] = field(default_factory=list)
    fits: list[tuple[Obj, Fit]] = field(default_factory=list)
    transforms: list[TransformUse] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    trainings: list[tuple[ast.expr, Value]] = field(default_factory=list)
    """Data a model is trained on (tracked or not): ``model.fit(X_tr, ...)``, ``lgb.train``."""
    predictions: list[tuple[Obj, Value]] = field(default_factory=list)
    """``obj.predict(value)`` and friends, evaluated or not."""
    scored: list[Prediction] = field(default_factory=list)
    """Predictions compared with other data by hand (``(pred == y_va).mean()``, ``rmse(y,
    pred)``): evaluations the rules cannot read, of the predictions' model on their data."""
    other_use: set[Obj] = field(default_factory=set)
    """Objects evaluated elsewhere or escaping the scope (passed on, stored, returned)."""
    returns: list[Abstract] = field(default_factory=list)
    param_roots: dict[str, int] = field(default_factory=dict)
    targets: list[Value] = field(default_factory=list)
    """Data handed to a training call as its target (``model.fit(X_tr, y_tr)``)."""
    mutated: set[str] = field(default_factory=set)
    """Names whose data was changed in place (``df["a"] = ...``, ``fillna(inplace=True)``)."""
    rebound: set[str] = field(default_factory=set)
    """Names assigned to."""

    def value(self, name: str) -> Abstract | None:
        """What ``name`` held at the end of the scope."""
        return self.env.get(name)

    def target_values(self) -> list[Value]:
        """The targets of the scope: of fits, evaluations, splits and helpers."""
        found = list(self.targets)
        found.extend(fit.y for _, fit in self.fits if fit.y is not None)
        found.extend(ev.y for ev in self.evaluations)
        found.extend(v for sink in self.sinks for role, v in sink.args if role is ArgRole.TARGET)
        return found

    def selection_sinks(self, splits: dict[int, Split], validated: set[int]) -> list[Sink]:
        """The data split by selections (``X[train_idx]``, ``df[:n]``), as sinks: one per
        split and data, for the splits in ``validated`` (made for validation); the target
        when a selection of it is a training target or the target of a split."""
        targets = {id(v) for v in self.target_values()}
        found: dict[tuple[int, int], tuple[Split, Value, bool]] = {}
        for sel in self.selections:
            split = splits.get(sel.split)
            if split is None or sel.split not in validated:
                continue
            key = (sel.split, id(sel.base))
            target = id(sel.result) in targets or id(sel.base) in targets
            known = found.get(key)
            found[key] = (split, sel.base, target or (known is not None and known[2]))
        return [
            Sink(
                split.node,
                split.label,
                split.kind,
                ((ArgRole.TARGET if target else ArgRole.FEATURES, base),),
            )
            for split, base, target in found.values()
        ]


def short_call(call: ast.Call) -> str:
    """``scaler.fit_transform()``: the callee as written, without arguments."""
    text = " ".join(ast.unparse(call.func).split())
    if len(text) > 60:
        text = "..." + text[-57:]
    return f"{text}()"


def tuple_item(value: Abstract, index: int) -> Abstract | None:
    if isinstance(value, Value) and value.items is not None and index < len(value.items):
        return value.items[index]
    return None


# ------------------------------------------------------------- value algebra


def join(values: Iterable[Value], apply_stats: bool = True) -> Value:
    """A value derived from all of ``values`` (pending statistics apply to the data)."""
    values = list(values)
    if not values:
        return EMPTY
    if len(values) == 1:
        only = values[0]
        if not (apply_stats and only.rows and only.pending):
            return derive(only)
    rows: set[RowPath] = set()
    taints: set[Taint] = set()
    pending: set[Taint] = set()
    columns: dict[str, set[Taint]] = {}
    predictions: set[int] = set()
    prediction: Prediction | None = None
    single = True
    for value in values:
        if value.rows and not value.single:
            single = False
        rows.update(value.rows)
        taints.update(value.taints)
        pending.update(value.pending)
        for label, ts in value.columns:
            columns.setdefault(label, set()).update(ts)
        if value.prediction is not None:
            predictions.add(id(value.prediction.obj))
            prediction = value.prediction
    if apply_stats and rows and pending:
        taints.update(pending)
        pending.clear()
    return Value(
        rows=frozenset(rows),
        taints=frozenset(taints),
        columns=tuple((k, frozenset(v)) for k, v in columns.items()),
        pending=frozenset(pending),
        prediction=prediction if len(predictions) == 1 else None,
        single=single and bool(rows),
    )


def derive(value: Value) -> Value:
    """The same data without its markers (tuple items, fold indices, labels)."""
    if value.items is None and value.fold is None and value.folds is None and value.labels is None:
        return value
    return replace(value, items=None, fold=None, folds=None, labels=None)


def select_columns(value: Value, labels: tuple[str, ...] | None) -> Value:
    """``value[labels]``: the taints of the frame and of the selected columns.

    With unknown labels the column taints of encoders are left behind: an
    unknown selection is usually the feature columns, and an encoder on one
    named column is usually the target's.
    """
    taints = set(value.taints)
    if labels is None:
        for _, ts in value.columns:
            taints.update(t for t in ts if not t.encoder)
        columns: tuple[tuple[str, frozenset[Taint]], ...] = ()
    else:
        columns = tuple((k, ts) for k, ts in value.columns if k in labels)
        if len(labels) == 1:
            taints.update(value.column_taints(labels[0]))
            columns = ()
    return Value(
        rows=value.rows,
        taints=frozenset(taints),
        columns=columns,
        pending=value.pending,
        column=labels[0] if labels is not None and len(labels) == 1 else None,
        prediction=value.prediction,
        single=value.single,
        rebuilt=value.rebuilt,
    )


def drop_columns(value: Value, labels: tuple[str, ...]) -> Value:
    columns = tuple((k, ts) for k, ts in value.columns if k not in labels)
    return replace(derive(value), columns=columns)


def store_columns(frame: Value, labels: tuple[str, ...] | None, stored: Value, weak: bool) -> Value:
    """``frame[labels] = stored``: the frame afterwards."""
    learned = set(stored.all_taints())
    if frame.rows and stored.pending:
        learned.update(stored.pending)
    if labels is None:
        return replace(derive(frame), taints=frame.taints | frozenset(learned))
    columns = {k: set(ts) for k, ts in frame.columns}
    for label in labels:
        if weak:
            columns.setdefault(label, set()).update(learned)
        else:
            columns[label] = set(learned)
    return replace(
        derive(frame),
        columns=tuple((k, frozenset(v)) for k, v in columns.items() if v),
    )


def with_rows_step(value: Value, step: Step) -> Value:
    """The part of ``value`` that one side of a split selects."""
    return replace(
        derive(value), rows=frozenset(p + (step,) for p in value.rows), pending=frozenset()
    )


def mask(parts: Iterable[Value]) -> Value:
    """A boolean mask made of ``parts`` (``df.x > df.x.mean()``, ``df.c.isin(top)``).

    Its row lineage, the feature choices it encodes (``p_values < 0.05``) and, pending,
    whatever else it learned: a row filter such as ``df[df.price < df.price.quantile(0.99)]``
    transforms nothing, but a feature made of the mask (``(df.x > df.x.mean()).astype(int)``)
    or values stored where it is true (``df.loc[~top, "c"] = "other"``) carry it.
    """
    rows: set[RowPath] = set()
    selected: set[Taint] = set()
    pending: set[Taint] = set()
    for part in parts:
        rows.update(part.rows)
        for taint in part.all_taints():
            (selected if taint.kind is TaintKind.SELECT else pending).add(taint)
        pending.update(part.pending)
    return Value(rows=frozenset(rows), taints=frozenset(selected), pending=frozenset(pending))


def stored_in_rows(stored: Value, rows: Value) -> Value:
    """What ``frame.loc[rows, cols] = stored`` stores: the statistics that chose the rows
    too; but stored in the rows of one fold, what was learned only from the other folds
    is out-of-fold (target encoding or stacking done right) and taints nothing."""
    if rows.fold is not None:
        split_id, part = rows.fold
        other = (split_id, 1 - part)

        def in_fold(taint: Taint) -> bool:
            return not (taint.rows and all(other in path for path in taint.rows))

        return replace(
            stored,
            taints=frozenset(t for t in stored.taints if in_fold(t)),
            columns=tuple((k, frozenset(t for t in ts if in_fold(t))) for k, ts in stored.columns),
            pending=frozenset(t for t in stored.pending if in_fold(t)),
        )
    if not rows.pending:
        return stored
    return replace(stored, taints=stored.taints | rows.pending)
