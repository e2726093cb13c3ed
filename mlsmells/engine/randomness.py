"""Where a module draws from random generators and where it seeds them, by unit (the
module body, each module-level function, each method of a module-level class), with
what pytest needs to know of each unit: is it a fixture, is it used automatically, which
fixtures does it ask for.

An :class:`~mlsmells.engine.check.Analysis`: ML812 reads it for the test module it
checks, and the project index's summaries of ``conftest.py`` files come from it
(:func:`fixture_summaries`), so that a test's seeding fixtures are found where pytest
finds them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlsmells.data import rng
from mlsmells.engine.check import Analysis, Context
from mlsmells.semantic.index import FixtureSummary
from mlsmells.semantic.program import FunctionNode

Position = tuple[int, int]
"""(line, column) of a node: what comes first in a unit's body."""

#: Qualified names of pytest's fixture decorator.
_FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest.yield_fixture"})
#: pytest hooks a ``conftest.py`` defines that run before tests: what they seed holds for
#: every test (as an autouse fixture's would).
PYTEST_SETUP_HOOKS = frozenset(
    {"pytest_configure", "pytest_sessionstart", "pytest_runtest_setup", "pytest_runtest_call"}
)
#: Arguments through which a call draws from a generator of its own instead of the global one.
_GENERATOR_KEYWORDS = frozenset({"generator", "random_state", "rng"})


@dataclass(frozen=True)
class Draw:
    """A call that draws random numbers."""

    call: ast.Call
    source: str
    """The global generator it draws from, or :data:`mlsmells.data.rng.ENTROPY` for an
    unseeded local generator."""
    what: str
    """How the message names it (``np.random.rand``, ``rng.normal``)."""


@dataclass
class Unit:
    """The module body, a module-level function, or a method of a module-level class."""

    node: ast.AST
    name: str
    klass: ast.ClassDef | None = None
    fixture: bool = False
    autouse: bool = False
    params: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    """The qualified names of its decorators (of the called ones: of what is called)."""
    seeds: dict[int, tuple[Position, frozenset[str]]] = field(default_factory=dict)
    """id of a seeding call -> (its position, the global generators it seeds)."""
    calls: dict[int, tuple[Position, FunctionNode]] = field(default_factory=dict)
    """id of a call of a function of this file -> (its position, that function)."""
    draws: dict[int, Draw] = field(default_factory=dict)


class RandomnessAnalysis(Analysis):
    """Records the draws, the seeding calls and the calls of the file's own functions of
    each unit (see the module docstring). Walking a function again records nothing new."""

    nodes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Call)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.module = Unit(ctx.tree, "")
        self.units: dict[int, Unit] = {id(ctx.tree): self.module}
        """id of a unit's node -> the unit, the module body first, then in source order."""
        self._anywhere: dict[int, frozenset[str]] = {}

    # ------------------------------------------------------------------ walk
    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(node)

    def _function(self, node: FunctionNode) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        top, klass = _unit_class(self.ctx.ancestors)
        if not top or id(node) in self.units:
            return  # nested in a function: part of the unit around it
        fixture = autouse = False
        decorators: list[str] = []
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call is not None else decorator
            qualname = self.model.qualname(target)
            if qualname is not None:
                decorators.append(qualname)
            if qualname in _FIXTURE_DECORATORS:
                fixture = True
                autouse = call is not None and any(
                    kw.arg == "autouse" and isinstance(kw.value, ast.Constant) and kw.value.value
                    for kw in call.keywords
                )
        args = node.args
        params = tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        self.units[id(node)] = Unit(
            node, node.name, klass, fixture, autouse, params, tuple(decorators)
        )

    def _unit(self, call: ast.Call) -> Unit:
        """The unit ``call`` runs in: a function's decorators, defaults and annotations run
        where the function is defined (at import: the module's)."""
        ancestors = self.ctx.ancestors
        for i, ancestor in enumerate(ancestors):
            unit = self.units.get(id(ancestor))
            if unit is None or unit is self.module:
                continue
            inner = ancestors[i + 1] if i + 1 < len(ancestors) else call
            assert isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef))
            return unit if any(inner is stmt for stmt in ancestor.body) else self.module
        return self.module

    def _call(self, call: ast.Call) -> None:
        if any(_is_main_guard(a) for a in self.ctx.ancestors):
            return  # runs as a script, not under pytest
        unit = self._unit(call)
        key = id(call)
        if key in unit.seeds or key in unit.calls or key in unit.draws:
            return
        position = (call.lineno, call.col_offset)
        func = call.func
        model = self.model
        qualname = model.qualname(func)
        callee = model.callee(func)
        if callee is not None and not isinstance(callee, ast.Lambda):
            unit.calls[key] = (position, callee)
            return
        identifier = func.id if isinstance(func, ast.Name) else None
        if isinstance(func, ast.Attribute):
            identifier = func.attr
        method = qualname is None and isinstance(func, ast.Attribute)
        seeded = rng.seeded_by(qualname, identifier, method)
        if seeded and (qualname not in rng.SEEDING or _has_seed(call)):
            unit.seeds[key] = (position, seeded)
            return
        draw = self._draw(call, qualname)
        if draw is not None:
            unit.draws[key] = draw

    def _draw(self, call: ast.Call, qualname: str | None) -> Draw | None:
        if any(kw.arg in _GENERATOR_KEYWORDS or kw.arg is None for kw in call.keywords):
            return None
        text = self.ctx.source_of(call.func)
        if qualname is not None:
            if qualname.startswith("numpy.random.mtrand."):
                qualname = "numpy.random." + qualname[len("numpy.random.mtrand.") :]
            source = rng.DRAWS.get(qualname)
            return Draw(call, source, text) if source is not None else None
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        if func.attr in rng.TENSOR_DRAW_METHODS:
            kind = self.model.kind_of(receiver)
            return Draw(call, rng.TORCH, text) if kind is not None and kind.is_tensor else None
        if func.attr in rng.LOCAL_DRAW_METHODS and self._unseeded_generator(receiver):
            return Draw(call, rng.ENTROPY, text)
        return None

    def _unseeded_generator(self, expr: ast.expr) -> bool:
        """``expr`` is (or names) a local generator made without a seed."""
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
            return isinstance(value, ast.Call) and self._unseeded_factory(value)
        return isinstance(expr, ast.Call) and self._unseeded_factory(expr)

    def _unseeded_factory(self, call: ast.Call) -> bool:
        param = rng.LOCAL_GENERATORS.get(self.model.qualname(call.func) or "")
        if param is None or any(kw.arg is None for kw in call.keywords):
            return False
        seed = call.args[0] if call.args else None
        for kw in call.keywords:
            if kw.arg == param:
                seed = kw.value
        return seed is None or (isinstance(seed, ast.Constant) and seed.value is None)

    # --------------------------------------------------------------- results
    def unit_of(self, node: ast.AST | None) -> Unit | None:
        return self.units.get(id(node)) if node is not None else None

    def seeds_anywhere(self, unit: Unit) -> frozenset[str]:
        """The global generators ``unit`` seeds, itself or through the file's functions it
        calls (those called from them too)."""
        return self._seeds(unit, None, set())

    def seeds_before(self, unit: Unit, position: Position) -> frozenset[str]:
        """The global generators ``unit`` has seeded by the time it reaches ``position``."""
        return self._seeds(unit, position, set())

    def _seeds(self, unit: Unit, before: Position | None, busy: set[int]) -> frozenset[str]:
        key = id(unit.node)
        if before is None and key in self._anywhere:
            return self._anywhere[key]
        found: set[str] = set()
        busy.add(key)
        for position, seeded in unit.seeds.values():
            if before is None or position < before:
                found |= seeded
        for position, function in unit.calls.values():
            callee = self.units.get(id(function))
            if callee is not None and id(function) not in busy:
                if before is None or position < before:
                    found |= self._seeds(callee, None, busy)
        busy.discard(key)
        result = frozenset(found)
        if before is None and not busy:
            self._anywhere[key] = result
        return result

    def callers(self, unit: Unit) -> Iterable[tuple[Unit, Position]]:
        """The units that call ``unit``'s function, with where they call it."""
        for caller in self.units.values():
            for position, function in caller.calls.values():
                if function is unit.node:
                    yield caller, position


#: Statements that may hold a test function (``if HAS_TORCH:``, ``try:``, ``with ...:``).
_HOLDERS = (ast.If, ast.Try, ast.With, ast.ExceptHandler) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)


def _unit_class(ancestors: list[ast.AST]) -> tuple[bool, ast.ClassDef | None]:
    """For a ``def`` inside ``ancestors``: whether it is a unit (not nested in a function
    or a nested class), and the class it is a method of (None: a function of the module)."""
    klass: ast.ClassDef | None = None
    for ancestor in ancestors[1:]:
        if isinstance(ancestor, ast.ClassDef) and klass is None:
            klass = ancestor
        elif not isinstance(ancestor, _HOLDERS):
            return False, None
    return True, klass


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    sides = [test.left, *test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _has_seed(call: ast.Call) -> bool:
    """A seeding function given a seed (``random.seed()`` seeds from the clock instead)."""
    values = [*call.args, *(kw.value for kw in call.keywords)]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def fixture_summaries(analysis: RandomnessAnalysis) -> dict[str, FixtureSummary]:
    """The fixtures of a ``conftest.py`` (module-level ones) and the pytest hooks of
    :data:`PYTEST_SETUP_HOOKS` it defines, as the project index keeps them."""
    found: dict[str, FixtureSummary] = {}
    for unit in analysis.units.values():
        if unit.klass is not None or unit.node is analysis.module.node:
            continue
        hook = unit.name in PYTEST_SETUP_HOOKS
        if unit.fixture or hook:
            seeds = analysis.seeds_anywhere(unit)
            found[unit.name] = FixtureSummary(unit.autouse or hook, seeds, unit.params)
    return found
