"""Functions followed one level deep: what a function does with its parameters
(:class:`Summary`, built when its scope ends), and the rewriting of that summary in terms
of a call's arguments (:class:`Substitution`); for a function of another module of the
project, a summary made portable (:func:`portable`) and carried into the calling file
(:class:`Transplant`)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from mlsmells.semantic.flow.guards import Guards, Position, guards_of, literal_defaults
from mlsmells.semantic.flow.values import (
    DUPLICATION,
    Abstract,
    Obj,
    RowPath,
    ScopeFlow,
    Sink,
    Split,
    Taint,
    Value,
    join,
    replace,
)


@dataclass(frozen=True)
class Summary:
    """What a same-file function does with its parameters, for its callers."""

    params: tuple[str, ...]
    roots: dict[str, int]
    result: Abstract | None
    sinks: tuple[Sink, ...]
    effects: dict[str, Value]
    """Parameters whose data the function changes in place, and what they hold then."""
    splits: dict[int, Split] | None = field(default=None)
    """For a function of another module (:func:`portable`): the splits its values and
    sinks name, by id; None for a function of the file."""
    guards: Guards = field(default_factory=dict)
    """The calls inside branches taken by a parameter, with their conditions (see
    :mod:`~mlsmells.semantic.flow.guards`)."""
    defaults: dict[str, object] = field(default_factory=dict)
    """The parameters with a literal default, and that default."""


def summarize(
    flow: ScopeFlow, node: ast.FunctionDef | ast.AsyncFunctionDef, selections: list[Sink]
) -> Summary:
    """The summary of the function ``node`` from its finished flow (``selections``: the
    sinks of the splits it makes by selecting rows)."""
    args = node.args
    params = tuple(a.arg for a in args.posonlyargs + args.args)
    result: Abstract | None = None
    returns = flow.returns
    if returns and all(isinstance(r, Obj) for r in returns) and len(returns) == 1:
        result = returns[0]
    elif returns and all(isinstance(r, Value) for r in returns):
        values = [r for r in returns if isinstance(r, Value)]
        sizes = {len(v.items) if v.items is not None else -1 for v in values}
        if len(sizes) == 1 and -1 not in sizes:
            size = sizes.pop()
            items: list[Abstract] = []
            for i in range(size):
                elements = [v.items[i] for v in values if v.items is not None]
                if len(elements) == 1 and isinstance(elements[0], Obj):
                    items.append(elements[0])
                else:
                    items.append(join(e for e in elements if isinstance(e, Value)))
            result = Value(items=tuple(items))
        else:
            result = join(values, apply_stats=False)
    roots = set(flow.param_roots.values())
    sinks = tuple(
        s
        for s in [*flow.sinks, *selections]
        if any(p[0][0] in roots for _, v in s.args for p in v.rows)
    )
    effects: dict[str, Value] = {}
    for name in params:
        final = flow.env.get(name)
        if name in flow.mutated and name not in flow.rebound and isinstance(final, Value):
            effects[name] = final
    guards: Guards = {}
    if sinks or effects or (result is not None and _learns(result)):
        guards = guards_of(node)
    defaults = literal_defaults(node) if guards else {}
    return Summary(params, dict(flow.param_roots), result, sinks, effects, None, guards, defaults)


def _learns(result: Abstract) -> bool:
    """Whether a function's result holds something learned or fitted (a branch of it may be
    one its calls never take)."""
    if isinstance(result, Obj):
        return True
    if result.items is not None:
        return any(_learns(item) for item in result.items)
    return bool(result.taints or result.columns or result.pending)


class Substitution:
    """Rewrites a callee's values, rooted at its parameters, in terms of the arguments."""

    def __init__(
        self,
        bound: dict[int, Value],
        call: ast.Call | None = None,
        dead: frozenset[Position] = frozenset(),
    ) -> None:
        self.bound = bound
        self.call = call
        self.dead = dead
        """The calls of the callee in branches this call never takes (what they learn or
        split does not happen)."""
        """The call being followed: where the rows of its arguments that the function
        copies (an augmentation helper stacking flipped images under the originals) are
        reported, as the helper is right for training data alone."""
        self.taints: dict[int, Taint] = {}
        self.objects: dict[int, Obj] = {}

    def path(self, path: RowPath) -> RowPath:
        """A row path of the callee that no argument binds."""
        return path

    def split(self, split_id: int) -> int:
        """A split the callee took."""
        return split_id

    def rows(self, rows: frozenset[RowPath]) -> frozenset[RowPath]:
        out: set[RowPath] = set()
        for path in rows:
            arg = self.bound.get(path[0][0])
            if arg is None:
                out.add(self.path(path))
            else:
                tail = self.path(path)[1:]
                out.update(p + tail for p in arg.rows)
        return frozenset(out)

    def node(self, node: ast.Call) -> ast.Call:
        """Where the callee's call ``node`` is reported."""
        return node

    def runs(self, node: ast.expr) -> bool:
        """Whether the callee's call ``node`` runs at this call (see :attr:`dead`)."""
        return not self.dead or (node.lineno, node.col_offset) not in self.dead

    def sink(self, sink: Sink) -> Sink:
        args = tuple((role, self.value(v)) for role, v in sink.args)
        return Sink(sink.node, sink.label, sink.kind, args)

    def against(self, taint: Taint) -> tuple[Value, ...] | None:
        """The arrays of a correlation, as the caller sees them."""
        return taint.against

    def taint(self, taint: Taint) -> Taint:
        found = self.taints.get(id(taint))
        if found is None:
            node = self.node(taint.node)
            if (
                self.call is not None
                and taint.source == DUPLICATION
                and any(path[0][0] in self.bound for path in taint.rows)
            ):
                node = self.call
            found = replace(
                taint, rows=self.rows(taint.rows), node=node, against=self.against(taint)
            )
            self.taints[id(taint)] = found
        return found

    def value(self, value: Value) -> Value:
        taints = {self.taint(t) for t in value.taints if self.runs(t.node)}
        columns = {k: {self.taint(t) for t in ts if self.runs(t.node)} for k, ts in value.columns}
        for path in value.rows:
            arg = self.bound.get(path[0][0])
            if arg is not None:
                taints.update(arg.taints)
                for k, ts in arg.columns:
                    columns.setdefault(k, set()).update(ts)
        items = None
        if value.items is not None:
            items = tuple(self.abstract(i) for i in value.items)
        return Value(
            rows=self.rows(value.rows),
            taints=frozenset(taints),
            columns=tuple((k, frozenset(v)) for k, v in columns.items()),
            pending=frozenset(self.taint(t) for t in value.pending if self.runs(t.node)),
            fold=(self.split(value.fold[0]), value.fold[1]) if value.fold is not None else None,
            folds=self.split(value.folds) if value.folds is not None else None,
            items=items,
            labels=value.labels,
            single=value.single,
            rebuilt=value.rebuilt,
        )

    def abstract(self, value: Abstract) -> Abstract:
        if isinstance(value, Value):
            return self.value(value)
        found = self.objects.get(id(value))
        if found is None:
            node = self.node(value.node) if isinstance(value.node, ast.Call) else value.node
            found = Obj(value.qualname, value.role, node, categories_only=value.categories_only)
            for fit in value.fits:
                if not self.runs(fit.node):
                    continue
                found.fits.append(
                    replace(
                        fit,
                        node=self.node(fit.node),
                        x=self.value(fit.x),
                        y=self.value(fit.y) if fit.y is not None else None,
                        taint=self.taint(fit.taint) if fit.taint is not None else None,
                    )
                )
            self.objects[id(value)] = found
        return found


def elsewhere(line: int = 1, column: int = 0) -> ast.Call:
    """A call of another module, in a portable summary: its place there, and nothing else
    of its tree (:class:`Transplant` reports it at the call of the function)."""
    name = ast.Name("<project module>", ast.Load())
    return ast.Call(name, [], [], lineno=line, col_offset=column)


#: Where the splits of a portable summary are taken until it is carried into a file.
ELSEWHERE = elsewhere()


class Transplant(Substitution):
    """Rewrites the summary of a function of another module in terms of a call's
    arguments: every call inside the function is reported at ``call`` (its own lines
    are in the other file), the rows it reads itself and the splits it takes are new
    ones of the calling file (``new_id``), each split recorded by ``record`` as made by
    ``call`` under the name ``label``."""

    def __init__(
        self,
        bound: dict[int, Value],
        call: ast.Call,
        label: str,
        splits: dict[int, Split],
        new_id: Callable[[], int],
        record: Callable[[Split], None],
        dead: frozenset[Position] = frozenset(),
    ) -> None:
        super().__init__(bound, call, dead)
        self.at = call
        self.label = label
        self.known = splits
        self.new_id = new_id
        self.record = record
        self.renamed: dict[int, int] = {}

    def _renamed(self, old: int) -> int:
        new = self.renamed.get(old)
        if new is None:
            new = self.renamed[old] = self.new_id()
            split = self.known.get(old)
            if split is not None:
                self.record(Split(new, self.at, self.label, split.kind, split.manual))
        return new

    def path(self, path: RowPath) -> RowPath:
        return tuple((self._renamed(i), part) for i, part in path)

    def split(self, split_id: int) -> int:
        return self._renamed(split_id)

    def node(self, node: ast.Call) -> ast.Call:
        return self.at

    def sink(self, sink: Sink) -> Sink:
        args = tuple((r, self.value(v)) for r, v in sink.args)
        return Sink(self.at, self.label, sink.kind, args)


class _Export(Substitution):
    """Rewrites a summary without a node of its module's tree (see :func:`portable`), and
    notes the splits it names."""

    def __init__(self) -> None:
        super().__init__({})
        self.seen: set[int] = set()
        self.places: dict[Position, ast.Call] = {}

    def path(self, path: RowPath) -> RowPath:
        self.seen.update(split_id for split_id, _ in path[1:])
        return path

    def split(self, split_id: int) -> int:
        self.seen.add(split_id)
        return split_id

    def node(self, node: ast.Call) -> ast.Call:
        return self._place(node)

    def sink(self, sink: Sink) -> Sink:
        return replace(super().sink(sink), node=self._place(sink.node))

    def _place(self, node: ast.expr) -> ast.Call:
        place = (node.lineno, node.col_offset)
        found = self.places.get(place)
        if found is None:
            found = self.places[place] = elsewhere(*place)
        return found

    def against(self, taint: Taint) -> tuple[Value, ...] | None:
        return tuple(self.value(v) for v in taint.against) if taint.against else None


def portable(
    summary: Summary, splits: dict[int, Split], validated: Callable[[int], bool]
) -> Summary | None:
    """``summary`` of a function of a project module, kept apart from the module's tree (no
    node of it: :func:`elsewhere`) with the splits it names (``splits``: those of its
    module; a hand-written one stays to be validated by the calling file unless
    ``validated`` says its module did). None when the function learns, splits and
    fits nothing its callers would see: they treat it as any unknown call."""
    export = _Export()
    result = export.abstract(summary.result) if summary.result is not None else None
    sinks = tuple(export.sink(s) for s in summary.sinks)
    effects = {name: export.value(v) for name, v in summary.effects.items()}
    values = [*effects.values(), *(v for s in sinks for _, v in s.args)]
    objects = [result] if isinstance(result, Obj) else []
    if isinstance(result, Value):
        values.append(result)
        for item in result.items or ():
            (objects if isinstance(item, Obj) else values).append(item)  # type: ignore[arg-type]
    learned = any(v.all_taints() or v.pending for v in values)
    if not (sinks or learned or objects or export.seen):
        return None
    named = {
        i: Split(i, ELSEWHERE, split.label, split.kind, split.manual and not validated(i))
        for i in export.seen
        if (split := splits.get(i)) is not None
    }
    return Summary(
        summary.params,
        summary.roots,
        result,
        sinks,
        effects,
        named,
        summary.guards,
        summary.defaults,
    )
