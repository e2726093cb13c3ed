"""Same-file functions followed one level deep: what a function does with its parameters
(:class:`Summary`, built when its scope ends), and the rewriting of that summary in terms
of a call's arguments (:class:`Substitution`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlsmells.semantic.flow.values import (
    DUPLICATION,
    Abstract,
    Obj,
    RowPath,
    ScopeFlow,
    Sink,
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
    return Summary(params, dict(flow.param_roots), result, sinks, effects)


class Substitution:
    """Rewrites a callee's values, rooted at its parameters, in terms of the arguments."""

    def __init__(self, bound: dict[int, Value], call: ast.Call | None = None) -> None:
        self.bound = bound
        self.call = call
        """The call being followed: where the rows of its arguments that the function
        copies (an augmentation helper stacking flipped images under the originals) are
        reported, as the helper is right for training data alone."""
        self.taints: dict[int, Taint] = {}
        self.objects: dict[int, Obj] = {}

    def rows(self, rows: frozenset[RowPath]) -> frozenset[RowPath]:
        out: set[RowPath] = set()
        for path in rows:
            arg = self.bound.get(path[0][0])
            if arg is None:
                out.add(path)
            else:
                out.update(p + path[1:] for p in arg.rows)
        return frozenset(out)

    def taint(self, taint: Taint) -> Taint:
        found = self.taints.get(id(taint))
        if found is None:
            node = taint.node
            if (
                self.call is not None
                and taint.source == DUPLICATION
                and any(path[0][0] in self.bound for path in taint.rows)
            ):
                node = self.call
            found = replace(taint, rows=self.rows(taint.rows), node=node)
            self.taints[id(taint)] = found
        return found

    def value(self, value: Value) -> Value:
        taints = {self.taint(t) for t in value.taints}
        columns = {k: {self.taint(t) for t in ts} for k, ts in value.columns}
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
            pending=frozenset(self.taint(t) for t in value.pending),
            fold=value.fold,
            folds=value.folds,
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
            found = Obj(
                value.qualname, value.role, value.node, categories_only=value.categories_only
            )
            for fit in value.fits:
                found.fits.append(
                    replace(
                        fit,
                        x=self.value(fit.x),
                        y=self.value(fit.y) if fit.y is not None else None,
                        taint=self.taint(fit.taint) if fit.taint is not None else None,
                    )
                )
            self.objects[id(value)] = found
        return found
