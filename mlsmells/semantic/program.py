"""Kinds across functions: what a walk of a file learns about its functions and names,
and the seeds that the next walk of the same file starts from.

A walk visits a function's body before the calls to it (``def prepare(df): ...``
then ``prepare(train)``), so the kind of a parameter is known only from the calls
that follow; and a name's kind may be proven only by a later use that only one
library allows (``x.iterrows()``). The engine therefore records, during a walk:

- the kinds returned by each function of the file (``return df.dropna()``);
- the kinds of the arguments at each call of a function of the file, also when
  pandas calls it (``df.apply(fix_row, axis=1)`` passes a row);
- the *evidence* of each binding site whose kind is unknown: the kinds its uses
  prove (:mod:`mlsmells.data.evidence`);
- the literal values passed at each call of a function of the file (its *constants*:
  ``make_loader(ds, shuffle=True)``), and the functions passed around as values, whose
  calls the walk cannot see;
- the probabilities passed at each call of a function of the file, when an analysis
  that follows them records them (:class:`Passed`: ``loss_fn(torch.sigmoid(z), y)``).

From those it derives :class:`Seeds`: a parameter's kind where the calls agree, a
function's return kind where its returns agree, a binding's kind where its uses
agree, a parameter's value where every call passes the same literal (or leaves the
same literal default), the probabilities a parameter gets where every call passes the
same. When the seeds know more than the walk did, the engine walks
again, from the seeds, only what they change (:func:`to_rewalk`): the functions whose
parameters or names got a kind, whose parameters a rule asked the value of and got
one, or whose calls were told another return kind than the one now known; a
name of the module itself takes a walk of the whole file. At most
:data:`MAX_ROUNDS` rounds; the findings of every walk count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from mlsmells.semantic.kinds import Kind, Output
from mlsmells.semantic.scopes import Arguments, Fixed

#: Rounds of walking again at most, after the first walk of a file.
MAX_ROUNDS = 2

#: The kinds a use can prove, merged: a frame-only method on a name used like a frame or
#: Series is a frame.
_MERGE: dict[frozenset[Kind], Kind] = {
    frozenset({Kind.DATAFRAME, Kind.FRAME_OR_SERIES}): Kind.DATAFRAME,
    frozenset({Kind.SERIES, Kind.FRAME_OR_SERIES}): Kind.SERIES,
}

_FRAME_OR_SERIES = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.FRAME_OR_SERIES})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_T = TypeVar("_T")


Values = tuple[Fixed | None, ...]
"""The values passed to each parameter of a function at one call (posonly, positional,
keyword-only, ``self`` included), ``None`` where unknown."""


@dataclass(frozen=True)
class Passed:
    """Probabilities passed to a parameter: those of ``output`` (``model``: a model whose
    calls return them, ``train(model)`` with ``model = Net()`` ending in a sigmoid)."""

    output: Output
    model: bool = False


PassedAll = tuple[Passed | None, ...]
"""What one call passes to each positional parameter of a function (``None``: no
probabilities, or not known)."""


@dataclass(frozen=True)
class Seeds:
    """What a walk starts from, each keyed by the ``id`` of a node of the walked tree."""

    params: Mapping[int, tuple[Kind | None, ...]] = field(default_factory=dict)
    """Function -> the kinds its calls pass to its positional parameters (after ``self``)."""
    returns: Mapping[int, Kind] = field(default_factory=dict)
    """Function -> the kind it returns."""
    sites: Mapping[int, Kind] = field(default_factory=dict)
    """Binding site (the ``Name`` target or the parameter's ``arg``) -> its proven kind."""
    items: Mapping[int, tuple[Kind | None, ...]] = field(default_factory=dict)
    """Function -> the kinds of the items of the tuple it returns."""
    constants: Mapping[int, Values] = field(default_factory=dict)
    """Function -> the value every call passes to each of its parameters."""
    outputs: Mapping[int, PassedAll] = field(default_factory=dict)
    """Function -> the probabilities every call passes to each of its positional parameters."""

    def then(self, later: Seeds) -> Seeds:
        """These seeds and what a later walk from them found (its calls: all of them again;
        its returns and proofs: added, a name once proven is not asked about again)."""
        return Seeds(
            later.params,
            {**self.returns, **later.returns},
            {**self.sites, **later.sites},
            {**self.items, **later.items},
            later.constants,
            later.outputs,
        )


@dataclass
class Facts:
    """What one walk learned (see the module docstring)."""

    returns: dict[int, set[Kind | None]] = field(default_factory=dict)
    items: dict[int, set[tuple[Kind | None, ...]]] = field(default_factory=dict)
    """Function -> the kinds of the items of each tuple it returns (``return train, test``)."""
    calls: dict[int, list[tuple[Kind | None, ...]]] = field(default_factory=dict)
    evidence: dict[int, set[Kind]] = field(default_factory=dict)
    unbound: dict[int, FunctionNode | None] = field(default_factory=dict)
    """Binding sites whose kind the walk did not know (only those can get evidence), each
    with the function it is in (``None``: the module or a class body)."""
    open: dict[int, tuple[bool, ...]] = field(default_factory=dict)
    """Function -> which of its positional parameters (after ``self``) a seed could give a
    kind to: not annotated, and bound to no kind the last time it was walked."""
    asked: set[int] = field(default_factory=set)
    """Binding sites whose kind was asked for while unknown and without evidence yet."""
    answered: dict[int, list[tuple[FunctionNode | None, str, object]]] = field(default_factory=dict)
    """Function -> what its calls were told it returns (``"returns"``: its kind,
    ``"items"``: its tuple's), with the function making each call (``None``: the module):
    a caller told something other than what the function turns out to return is worth
    walking again."""
    values: dict[int, dict[int, Values]] = field(default_factory=dict)
    """Function -> call (by id; a call walked again replaces its record) -> the values it
    passes to the function's parameters."""
    escaped: set[int] = field(default_factory=set)
    """Functions passed around as values (``partial(f, ...)``, ``map(f, xs)``) or
    decorated: called where the walk cannot see, with any values."""
    asked_values: set[int] = field(default_factory=set)
    """Functions whose parameter's value a rule asked for while unknown."""
    outputs: dict[int, dict[int, PassedAll]] = field(default_factory=dict)
    """Function -> call (by id) -> the probabilities it passes to the positional parameters
    (recorded by the analysis that follows probabilities, in files it runs on; an
    assignment of the function to another name passes nothing known)."""
    asked_outputs: set[int] = field(default_factory=set)
    """Functions whose parameter's probabilities a rule asked for while unknown."""

    def add_return(self, function: FunctionNode, kind: Kind | None) -> None:
        self.returns.setdefault(id(function), set()).add(kind)

    def add_items(self, function: FunctionNode, kinds: tuple[Kind | None, ...]) -> None:
        self.items.setdefault(id(function), set()).add(kinds)

    def add_call(self, function: FunctionNode, arguments: tuple[Kind | None, ...]) -> None:
        self.calls.setdefault(id(function), []).append(arguments)

    def add_values(self, function: FunctionNode, call: ast.Call, values: Values) -> None:
        self.values.setdefault(id(function), {})[id(call)] = values

    def add_outputs(self, function: FunctionNode, call: ast.AST, passed: PassedAll) -> None:
        """Record what ``call`` passes to ``function`` (``call``: an assignment that binds
        the function to another name, through which it is called with anything: ``()``)."""
        self.outputs.setdefault(id(function), {})[id(call)] = passed

    def add_evidence(self, site: ast.AST, kind: Kind) -> None:
        self.evidence.setdefault(id(site), set()).add(kind)

    def evidence_kind(self, site: ast.AST) -> Kind | None:
        """The kind the uses of the name bound at ``site`` proved so far in this walk (the
        site's kind is asked for: if none yet, a later proof is worth another walk)."""
        found = self.evidence.get(id(site))
        if found is None:
            self.asked.add(id(site))
            return None
        return _merge(found)

    def seeds(self) -> Seeds:
        params: dict[int, tuple[Kind | None, ...]] = {}
        for function, calls in self.calls.items():
            agreed = tuple(_agree(c[i] for c in calls if i < len(c)) for i in _width(calls))
            if any(kind is not None for kind in agreed):
                params[function] = agreed
        returns = {
            function: kind
            for function, kinds in self.returns.items()
            if (kind := _agree(kinds, strict=True)) is not None
        }
        items = {
            function: found
            for function, kinds in self.items.items()
            if (found := _agree_items(kinds)) is not None
        }
        sites = {site: kind for site, kinds in self.evidence.items() if (kind := _merge(kinds))}
        constants = {
            function: values
            for function, calls in self.values.items()
            if function not in self.escaped and (values := _agree_each(calls.values()))
        }
        outputs = {
            function: passed
            for function, calls in self.outputs.items()
            if function not in self.escaped and (passed := _agree_each(calls.values()))
        }
        return Seeds(params, returns, sites, items, constants, outputs)


def parameter_kinds(
    function: FunctionNode, passed: Arguments, bound: bool
) -> tuple[Kind | None, ...]:
    """The kinds ``passed`` gives the positional parameters of ``function`` (after the
    first, ``self``, when ``bound``: a method called through an object)."""
    params = [a.arg for a in function.args.posonlyargs + function.args.args]
    if bound and params:
        params = params[1:]
    positional, keywords = passed
    kinds = list(positional[: len(params)]) + [None] * max(0, len(params) - len(positional))
    for name, kind in keywords:
        if name in params:
            kinds[params.index(name)] = kind
    return tuple(kinds)


def _learns(seeded: tuple[Kind | None, ...], open_: tuple[bool, ...]) -> bool:
    """Whether ``seeded`` gives a kind to a parameter that can take one."""
    return any(kind is not None and i < len(open_) and open_[i] for i, kind in enumerate(seeded))


def _width(calls: list[tuple[Kind | None, ...]]) -> range:
    return range(max((len(call) for call in calls), default=0))


def _agree(kinds: Iterable[Kind | None], strict: bool = False) -> Kind | None:
    """The one kind of ``kinds`` known (``strict``: and nothing unknown), else None; a
    frame and a Series (or a frame or Series) together are a frame or a Series."""
    known = set(kinds)
    if strict and None in known:
        return None
    known.discard(None)
    if len(known) > 1 and known <= _FRAME_OR_SERIES:
        return Kind.FRAME_OR_SERIES
    return known.pop() if len(known) == 1 else None


def _agree_items(found: set[tuple[Kind | None, ...]]) -> tuple[Kind | None, ...] | None:
    """The item kinds that all returned tuples agree on (same length; a position with two
    kinds is unknown), or None when no position is known."""
    if not found or len({len(kinds) for kinds in found}) != 1:
        return None
    agreed = tuple(_agree(column, strict=True) for column in zip(*found, strict=True))
    return agreed if any(kind is not None for kind in agreed) else None


def _agree_each(calls: Iterable[tuple[_T | None, ...]]) -> tuple[_T | None, ...] | None:
    """What each parameter gets at every one of ``calls`` (a value, probabilities ...):
    None where the calls differ or one passes nothing known, and None in all when no
    parameter gets the same at every call."""
    agreed: list[_T | None] | None = None
    for passed in calls:
        if agreed is None:
            agreed = list(passed)
            continue
        for i, first in enumerate(agreed):
            if first is not None and (i >= len(passed) or passed[i] != first):
                agreed[i] = None
    if agreed is None or not any(first is not None for first in agreed):
        return None
    return tuple(agreed)


def _merge(kinds: set[Kind]) -> Kind | None:
    if len(kinds) == 1:
        return next(iter(kinds))
    return _MERGE.get(frozenset(kinds))


#: What :func:`to_rewalk` asks for when a name of the module itself got a kind.
WHOLE_FILE = None


def to_rewalk(
    facts: Facts, seeds: Seeds, previous: Seeds, functions: Mapping[int, FunctionNode]
) -> set[FunctionNode | None]:
    """What to walk again from ``seeds`` after walks that found ``facts`` from ``previous``:
    the functions whose parameters get kinds (or values or probabilities a rule asked
    for), that hold a binding site getting one, or whose calls were told another return
    kind than the one now known; :data:`WHOLE_FILE` when such a site or call is outside
    any function. ``functions``: every function walked, by id."""
    found: set[FunctionNode | None] = {
        functions[f]
        for f, kinds in seeds.params.items()
        if f in functions and _learns(kinds, facts.open.get(f, ()))
    }
    found.update(
        facts.unbound[site]
        for site in seeds.sites
        if site not in previous.sites and site in facts.unbound and site in facts.asked
    )
    found.update(
        functions[f]
        for f in facts.asked_values
        if f in functions and seeds.constants.get(f) != previous.constants.get(f)
    )
    found.update(
        functions[f]
        for f in facts.asked_outputs
        if f in functions and seeds.outputs.get(f) != previous.outputs.get(f)
    )
    for function, answers in facts.answered.items():
        now = {"returns": seeds.returns.get(function), "items": seeds.items.get(function)}
        found.update(caller for caller, what, told in answers if told != now[what])
    return found


class Program:
    """One walk's view of the whole file: the seeds it starts from, the facts it records."""

    def __init__(self, tree: ast.Module, seeds: Seeds, names: frozenset[str]) -> None:
        self.seeds = seeds
        self.facts = Facts()
        self.functions: dict[str, FunctionNode] = {
            stmt.name: stmt
            for stmt in tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        """The module-level functions, by name: a function body may call one defined
        further down (it is bound by the time the call runs)."""
        self.names = names
        """The name of every function defined in the file (methods and nested ones too):
        a call of another name runs none of them (a cheap test before resolving)."""
        self.walked: set[int] = set()
        """The functions whose body this walk has finished."""

    def final_return(self, function: FunctionNode) -> Kind | None:
        """What ``function`` returns, once the walks are over."""
        return _agree(self.facts.returns.get(id(function), ()), strict=True)

    def final_items(self, function: FunctionNode) -> tuple[Kind | None, ...] | None:
        """The kinds of the items of the tuple ``function`` returns, once the walks are over."""
        return _agree_items(self.facts.items.get(id(function), set()))

    def return_items(
        self, function: FunctionNode, caller: FunctionNode | None
    ) -> tuple[Kind | None, ...] | None:
        """The kinds of the items of the tuple ``function`` returns, as far as known."""
        key = id(function)
        if key in self.walked:
            found = _agree_items(self.facts.items.get(key, set()))
        else:
            found = self.seeds.items.get(key)
        self.facts.answered.setdefault(key, []).append((caller, "items", found))
        return found

    def return_kind(self, function: FunctionNode, caller: FunctionNode | None) -> Kind | None:
        """What calling ``function`` (from ``caller``) returns, as far as this walk or an
        earlier one knows."""
        key = id(function)
        if key in self.walked:
            found = _agree(self.facts.returns.get(key, ()), strict=True)
        else:
            found = self.seeds.returns.get(key)
        self.facts.answered.setdefault(key, []).append((caller, "returns", found))
        return found


def outermost(functions: set[FunctionNode | None]) -> list[FunctionNode]:
    """The functions of ``functions`` not nested in another one of them, in source order."""
    known = [f for f in functions if f is not None]
    chosen = [f for f in known if not any(o is not f and _inside(f, o) for o in known)]
    return sorted(chosen, key=lambda f: (f.lineno, f.col_offset))


def _inside(inner: FunctionNode, outer: FunctionNode) -> bool:
    """Whether ``inner`` is nested in ``outer`` (by their extents: no walk of ``outer``)."""
    start = (outer.lineno, outer.col_offset)
    end = (outer.end_lineno or outer.lineno, outer.end_col_offset or 0)
    inner_end = (inner.end_lineno or inner.lineno, inner.end_col_offset or 0)
    return start <= (inner.lineno, inner.col_offset) and inner_end <= end
