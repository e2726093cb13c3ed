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
  prove (:mod:`mlsmells.data.evidence`).

From those it derives :class:`Seeds`: a parameter's kind where the calls agree, a
function's return kind where its returns agree, a binding's kind where its uses
agree. When the seeds know more than the walk did, the engine walks again, from
the seeds, only what they change (:func:`to_rewalk`): the functions whose
parameters or names got a kind, or that asked too early for a return kind; a
name of the module itself takes a walk of the whole file. At most
:data:`MAX_ROUNDS` rounds; the findings of every walk count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mlsmells.semantic.kinds import Kind

#: Rounds of walking again at most, after the first walk of a file.
MAX_ROUNDS = 2

#: The kinds a use can prove, merged: a frame-only method on a name used like a frame or
#: Series is a frame.
_MERGE: dict[frozenset[Kind], Kind] = {
    frozenset({Kind.DATAFRAME, Kind.FRAME_OR_SERIES}): Kind.DATAFRAME,
    frozenset({Kind.SERIES, Kind.FRAME_OR_SERIES}): Kind.SERIES,
}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


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

    def then(self, later: Seeds) -> Seeds:
        """These seeds and what a later walk from them found (its calls: all of them again;
        its returns and proofs: added, a name once proven is not asked about again)."""
        return Seeds(
            later.params,
            {**self.returns, **later.returns},
            {**self.sites, **later.sites},
            {**self.items, **later.items},
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
    answered: dict[int, list[tuple[FunctionNode | None, str, object]]] = field(
        default_factory=dict
    )
    """Function -> what its calls were told it returns (``"returns"``: its kind,
    ``"items"``: its tuple's), with the function making each call (``None``: the module):
    a caller told something other than what the function turns out to return is worth
    walking again."""

    def add_return(self, function: FunctionNode, kind: Kind | None) -> None:
        self.returns.setdefault(id(function), set()).add(kind)

    def add_items(self, function: FunctionNode, kinds: tuple[Kind | None, ...]) -> None:
        self.items.setdefault(id(function), set()).add(kinds)

    def add_call(self, function: FunctionNode, arguments: tuple[Kind | None, ...]) -> None:
        self.calls.setdefault(id(function), []).append(arguments)

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
        return Seeds(params, returns, sites, items)


def _learns(seeded: tuple[Kind | None, ...], open_: tuple[bool, ...]) -> bool:
    """Whether ``seeded`` gives a kind to a parameter that can take one."""
    return any(kind is not None and i < len(open_) and open_[i] for i, kind in enumerate(seeded))


def _width(calls: list[tuple[Kind | None, ...]]) -> range:
    return range(max((len(call) for call in calls), default=0))


def _agree(kinds: Iterable[Kind | None], strict: bool = False) -> Kind | None:
    """The one kind of ``kinds`` known (``strict``: and nothing unknown), else None."""
    known = set(kinds)
    if strict and None in known:
        return None
    known.discard(None)
    return known.pop() if len(known) == 1 else None


def _agree_items(found: set[tuple[Kind | None, ...]]) -> tuple[Kind | None, ...] | None:
    """The item kinds that all returned tuples agree on (same length; a position with two
    kinds is unknown), or None when no position is known."""
    if not found or len({len(kinds) for kinds in found}) != 1:
        return None
    agreed = tuple(_agree(column, strict=True) for column in zip(*found, strict=True))
    return agreed if any(kind is not None for kind in agreed) else None


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
    the functions whose parameters get kinds, that hold a binding site getting one, or whose
    calls were told another return kind than the one now known; :data:`WHOLE_FILE` when
    such a site or call is outside any function. ``functions``: every function walked, by id."""
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
