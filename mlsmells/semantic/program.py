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
agree. When the seeds know more than the walk did, the engine walks the file
again starting from them (at most :data:`MAX_WALKS` times), and the last walk's
findings are the file's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mlsmells.semantic.kinds import Kind

#: Walks of one file at most: the first, and two more from what each taught.
MAX_WALKS = 3

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


@dataclass
class Facts:
    """What one walk learned (see the module docstring)."""

    returns: dict[int, set[Kind | None]] = field(default_factory=dict)
    calls: dict[int, list[tuple[Kind | None, ...]]] = field(default_factory=dict)
    evidence: dict[int, set[Kind]] = field(default_factory=dict)
    unbound: set[int] = field(default_factory=set)
    """Binding sites whose kind the walk did not know (only those can get evidence)."""
    late: bool = False
    """A call asked for the return kind of a function whose body had not been walked yet."""

    def add_return(self, function: FunctionNode, kind: Kind | None) -> None:
        self.returns.setdefault(id(function), set()).add(kind)

    def add_call(self, function: FunctionNode, arguments: tuple[Kind | None, ...]) -> None:
        self.calls.setdefault(id(function), []).append(arguments)

    def add_evidence(self, site: ast.AST, kind: Kind) -> None:
        self.evidence.setdefault(id(site), set()).add(kind)

    def seeds(self) -> Seeds:
        params: dict[int, tuple[Kind | None, ...]] = {}
        for function, calls in self.calls.items():
            agreed = tuple(_agree(call[i] for call in calls if i < len(call)) for i in _width(calls))
            if any(kind is not None for kind in agreed):
                params[function] = agreed
        returns = {
            function: kind
            for function, kinds in self.returns.items()
            if (kind := _agree(kinds, strict=True)) is not None
        }
        sites = {site: kind for site, kinds in self.evidence.items() if (kind := _merge(kinds))}
        return Seeds(params, returns, sites)


def _width(calls: list[tuple[Kind | None, ...]]) -> range:
    return range(max((len(call) for call in calls), default=0))


def _agree(kinds: Iterable[Kind | None], strict: bool = False) -> Kind | None:
    """The one kind of ``kinds`` known (``strict``: and nothing unknown), else None."""
    known = set(kinds)
    if strict and None in known:
        return None
    known.discard(None)
    return known.pop() if len(known) == 1 else None


def _merge(kinds: set[Kind]) -> Kind | None:
    if len(kinds) == 1:
        return next(iter(kinds))
    return _MERGE.get(frozenset(kinds))


def worth_another_walk(facts: Facts, seeds: Seeds, previous: Seeds) -> bool:
    """Whether walking again from ``seeds`` can know more than the walk that found ``facts``
    (which started from ``previous``): a parameter or a binding site gets a kind, or a
    function that a call asked about too early has one now."""
    if any(seeds.params.get(f) != previous.params.get(f) for f in seeds.params):
        return True
    if any(site not in previous.sites for site in seeds.sites if site in facts.unbound):
        return True
    return facts.late and any(f not in previous.returns for f in seeds.returns)


class Program:
    """One walk's view of the whole file: the seeds it starts from, the facts it records."""

    def __init__(self, tree: ast.Module, seeds: Seeds) -> None:
        self.seeds = seeds
        self.facts = Facts()
        self.functions: dict[str, FunctionNode] = {
            stmt.name: stmt
            for stmt in tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        """The module-level functions, by name: a function body may call one defined
        further down (it is bound by the time the call runs)."""
        self.walked: set[int] = set()
        """The functions whose body this walk has finished."""

    def return_kind(self, function: FunctionNode) -> Kind | None:
        """What calling ``function`` returns, as far as this walk or an earlier one knows."""
        key = id(function)
        if key in self.walked:
            return _agree(self.facts.returns.get(key, ()), strict=True)
        found = self.seeds.returns.get(key)
        if found is None:
            self.facts.late = True
        return found
