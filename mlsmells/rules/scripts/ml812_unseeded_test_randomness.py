"""ML812 unseeded-test-randomness: a test draws random numbers that nothing seeds."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlsmells.data import rng
from mlsmells.engine import Check
from mlsmells.engine.randomness import PYTEST_SETUP_HOOKS, Position, RandomnessAnalysis, Unit
from mlsmells.records import Family, Rule
from mlsmells.semantic.index import FixtureSummary, ModuleSummary
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML812",
    name="unseeded-test-randomness",
    pylint_id="W7676",
    family=Family.SCRIPTS,
    message="`{what}(...)` draws from {source}: the test sees other numbers on every run",
    summary=(
        "A test draws from a global random generator (`np.random.*`, `torch.rand`/`randn`/"
        "`randint` ..., `random.*`) that nothing seeds, or from a generator made without a "
        "seed (`np.random.default_rng()`)."
    ),
    rationale=(
        "A test that draws its inputs at random runs on other numbers every time: it may "
        "pass today and fail tomorrow, and a failure cannot be reproduced. Reported on each "
        "draw, in test files only (the `test-files` setting), when nothing seeds that "
        "generator before it: not the module's own code (a module-level `np.random.seed(0)` "
        "runs before any test), not the test itself earlier on (directly or through a "
        "function of the file it calls), not a fixture the test asks for (in its class, its "
        "module or a `conftest.py` of its folder or the folders above, up to the project "
        "root, and the fixtures those ask for), not an autouse fixture there, "
        "not `setUp`/`setup_method`/`setUpClass`/`setup_class`/`setup_function`/"
        "`setup_module`, and not a `conftest.py` hook run before each test "
        "(`pytest_runtest_setup` ...) or its module-level code. Seeding means the "
        "libraries' seeding calls (`random.seed(s)`, `np.random.seed(s)`, "
        "`torch.manual_seed(s)`, Lightning's `seed_everything`, `transformers.set_seed` "
        "...) or a call of a function named like a seeding helper (`set_seed(0)`, "
        "`seed_everything()`), which counts for all three generators. A draw in a helper "
        "function of the file counts as seeded when every call of it in the file is; one "
        "in a helper nothing in the file calls is not reported. Silent for `random` and "
        "NumPy's global state in a test decorated with Hypothesis's `@given` (Hypothesis "
        "seeds them for each example), and for all three global generators when the "
        "project declares pytest-randomly (in `pyproject.toml`, `setup.cfg`, `setup.py`, "
        "`tox.ini`, `pytest.ini`, `Pipfile`, `environment.yml`, `requirements*.txt` or "
        "`requirements/*.txt` at its root, or a file they include with `-r`; without "
        "`-p no:randomly`): it reseeds them before every test and prints "
        "the seed to repeat a run with. A generator made without a seed "
        "(`np.random.default_rng()`, `np.random.RandomState()`, `random.Random()`) takes "
        "its seed from the operating system, which none of these controls: its draws are "
        "always reported (ML103 reports the generator itself). Draws with an explicit "
        "`generator=`/`random_state=` argument are no global draws; randomness inside "
        "library calls (a model's weight initialisation, a shuffling DataLoader) is not "
        "seen."
    ),
    bad=(
        "def test_normalize():\n"
        "    x = np.random.rand(100, 3)\n"
        "    assert np.allclose(normalize(x).mean(axis=0), 0)\n"
    ),
    good=(
        "def test_normalize():\n"
        "    x = np.random.default_rng(0).random((100, 3))\n"
        "    assert np.allclose(normalize(x).mean(axis=0), 0)\n"
    ),
    tests_only=True,
)

_SOURCES = {
    rng.RANDOM: "Python's global `random` generator, which nothing seeds for this test",
    rng.NUMPY: "NumPy's global random state, which nothing seeds for this test",
    rng.TORCH: "torch's global generator, which nothing seeds for this test",
    rng.ENTROPY: "a generator made without a seed",
}
#: Methods (or module-level functions) that unittest, pytest or nose run before each test
#: of their class (module).
_CLASS_SETUP = frozenset({"setUp", "setUpClass", "setup_method", "setup_class", "setup"})
_MODULE_SETUP = frozenset({"setup_module", "setup_function", "setUpModule", "setup"})
#: conftest hooks that run before pytest imports the test modules.
_COLLECTION_HOOKS = ("pytest_configure", "pytest_sessionstart")
#: Seeded for each example of a Hypothesis test.
_HYPOTHESIS_SEEDED = frozenset({rng.RANDOM, rng.NUMPY})
#: How deep the rule follows fixtures asking for fixtures, and helpers' callers.
_MAX_DEPTH = 8


class UnseededTestRandomness(Check):
    """ML812: a draw from a random generator that nothing seeds for the test."""

    rules = (RULE,)
    needs = (RandomnessAnalysis,)
    requires = frozenset({"numpy", "random", "torch"})

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        analysis = self.ctx.analysis(RandomnessAnalysis)
        draws = [(unit, draw) for unit in analysis.units.values() for draw in unit.draws.values()]
        if not draws:
            return
        setup = _Setup(self, analysis)
        for unit, draw in sorted(draws, key=lambda item: _position(item[1].call)):
            if not setup.seeded(unit, _position(draw.call), draw.source, 0):
                self.report("ML812", draw.call, what=draw.what, source=_SOURCES[draw.source])


def _position(node: ast.expr) -> Position:
    return node.lineno, node.col_offset


class _Setup:
    """What seeds the generators of the tests of one module (conftest files read lazily)."""

    def __init__(self, check: UnseededTestRandomness, analysis: RandomnessAnalysis) -> None:
        self.analysis = analysis
        self.project = check.model.project
        self._conftests: list[ModuleSummary] | None = None
        self._randomly: bool | None = None
        self._busy: set[int] = set()

    # -------------------------------------------------------------- project
    @property
    def conftests(self) -> list[ModuleSummary]:
        if self._conftests is None:
            self._conftests = self.project.conftests() if self.project is not None else []
        return self._conftests

    @property
    def randomly(self) -> bool:
        """The project declares pytest-randomly (and does not switch it off)."""
        if self._randomly is None:
            project = self.project
            self._randomly = (
                project is not None
                and project.declares("pytest-randomly", "pytest_randomly")
                and not project.declares("no:randomly")
            )
        return self._randomly

    # -------------------------------------------------------------- seeding
    def seeded(self, unit: Unit, position: Position, source: str, depth: int) -> bool:
        """Whether ``source`` is seeded by the time ``unit`` reaches ``position``."""
        if source == rng.ENTROPY:
            return False
        analysis = self.analysis
        module = analysis.module
        if unit is module:  # at import, before any test: module-level code and conftest files
            if source in analysis.seeds_before(module, position) or self.randomly:
                return True
            return any(source in seeds for seeds in self._at_collection())
        if depth > _MAX_DEPTH or id(unit.node) in self._busy:
            return True  # (a cycle of helpers, or too deep to follow: unknown)
        if source in analysis.seeds_before(unit, position):
            return True
        if source in analysis.seeds_anywhere(module) or self.randomly:
            return True
        if "hypothesis.given" in unit.decorators and source in _HYPOTHESIS_SEEDED:
            return True
        if any(source in seeds for seeds in self._automatic(unit)):
            return True
        if any(source in seeds for seeds in self._requested(unit, unit.params, depth)):
            return True
        if unit.fixture or _runs_by_itself(unit):
            return False
        callers = list(analysis.callers(unit))  # a helper: seeded where it is called?
        self._busy.add(id(unit.node))
        try:
            return all(self.seeded(c, where, source, depth + 1) for c, where in callers)
        finally:
            self._busy.discard(id(unit.node))

    def _at_collection(self) -> Iterator[frozenset[str]]:
        """What the conftest files seed before pytest imports the test module."""
        for conftest in self.conftests:
            yield conftest.seeds
            for name in _COLLECTION_HOOKS:
                hook = conftest.fixtures.get(name)
                if hook is not None:
                    yield hook.seeds

    def _automatic(self, unit: Unit) -> Iterator[frozenset[str]]:
        """What the code pytest or unittest runs before ``unit`` by itself seeds: autouse
        fixtures and set-up methods of its class and module, and of the conftest files."""
        analysis = self.analysis
        for other in analysis.units.values():
            if other is unit or other.klass not in (None, unit.klass):
                continue
            setup = _CLASS_SETUP if other.klass is not None else _MODULE_SETUP
            if other.autouse or (not other.fixture and other.name in setup):
                yield analysis.seeds_anywhere(other)
                if other.fixture:
                    yield from self._requested(other, other.params, 0)
        for conftest in self.conftests:
            yield conftest.seeds
            for fixture in conftest.fixtures.values():
                if fixture.autouse:
                    yield fixture.seeds
                    yield from self._requested_summaries(fixture.requests, 0)

    def _requested(
        self, unit: Unit, names: tuple[str, ...], depth: int
    ) -> Iterator[frozenset[str]]:
        """What the fixtures ``names`` (asked for by ``unit``) seed, and those they ask for."""
        if depth > _MAX_DEPTH:
            return
        for name in names:
            local = self._fixture(unit.klass, name)
            if local is not None:
                yield self.analysis.seeds_anywhere(local)
                yield from self._requested(local, local.params, depth + 1)
            else:
                yield from self._requested_summaries((name,), depth + 1)

    def _fixture(self, klass: ast.ClassDef | None, name: str) -> Unit | None:
        """The fixture ``name`` of the class ``klass`` or of the module."""
        found = None
        for unit in self.analysis.units.values():
            if unit.fixture and unit.name == name and unit.klass in (None, klass):
                if unit.klass is klass or found is None:
                    found = unit
        return found

    def _requested_summaries(self, names: tuple[str, ...], depth: int) -> Iterator[frozenset[str]]:
        """What the conftest fixtures ``names`` seed (the nearest definition of each)."""
        if depth > _MAX_DEPTH:
            return
        for name in names:
            fixture = self._conftest_fixture(name)
            if fixture is not None:
                yield fixture.seeds
                yield from self._requested_summaries(fixture.requests, depth + 1)

    def _conftest_fixture(self, name: str) -> FixtureSummary | None:
        for conftest in self.conftests:
            found = conftest.fixtures.get(name)
            if found is not None:
                return found
        return None


def _runs_by_itself(unit: Unit) -> bool:
    """A test, a set-up method or a pytest hook: pytest or unittest calls it."""
    return (
        unit.name.startswith("test")
        or unit.name in (_CLASS_SETUP if unit.klass is not None else _MODULE_SETUP)
        or unit.name in PYTEST_SETUP_HOOKS
    )
