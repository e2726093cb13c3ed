"""ML103 unseeded-generator: a random generator created without a seed, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, is_none, keyword
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML103",
    name="unseeded-generator",
    pylint_id="W7613",
    family=Family.REPRODUCIBILITY,
    message="`{callee}(...)` makes a generator without a seed: it {problem}",
    summary=(
        "A random generator created without a seed: `np.random.default_rng()`, "
        "`np.random.RandomState()`, `random.Random()`, a NumPy bit generator, or a "
        "`torch.Generator()` that is never seeded."
    ),
    rationale=(
        "A NumPy generator (`default_rng`, `RandomState`, `SeedSequence`, the bit "
        "generators) or a `random.Random` created without a seed takes its seed from the "
        "operating system: every run draws different numbers and no run can be repeated. "
        "`torch.Generator()` is the opposite trap: without `manual_seed` it starts from "
        "one fixed default seed, the same for every unseeded Generator and unaffected by "
        "`torch.manual_seed`, so changing the experiment's seed does not change what it "
        "draws (two such generators give identical numbers). The torch case is reported "
        "when the generator reaches a `generator=` argument unseeded, directly or through "
        "a name or `self` attribute that nothing seeds."
    ),
    bad=(
        "rng = np.random.default_rng()\n"
        "loader = DataLoader(dataset, shuffle=True, generator=torch.Generator())\n"
    ),
    good=(
        "rng = np.random.default_rng(42)\n"
        "loader = DataLoader(\n"
        "    dataset, shuffle=True, generator=torch.Generator().manual_seed(42)\n"
        ")\n"
    ),
    fix=Fix.MIXED,
    fix_summary=(
        "Add the configured seed (42 by default): `np.random.default_rng(42)`, "
        "`random.Random(42)` (a `None` seed is replaced), "
        "`torch.Generator().manual_seed(42)`."
    ),
    fix_safety=(
        "Safe for NumPy and `random`: an unseeded generator takes an arbitrary seed from "
        "the operating system, so the fixed program behaves as one of the runs the "
        "original could have had. Unsafe for `torch.Generator`: it always started from "
        "torch's fixed default seed, and the configured seed changes every number it "
        "draws."
    ),
)


#: Random generators seeded from operating-system entropy when no seed is
#: given: qualified name -> the seed parameter (always the first one).
SEEDABLE: dict[str, str] = {
    "numpy.random.default_rng": "seed",
    "numpy.random.RandomState": "seed",
    "numpy.random.mtrand.RandomState": "seed",
    "numpy.random.SeedSequence": "entropy",
    "numpy.random.PCG64": "seed",
    "numpy.random.PCG64DXSM": "seed",
    "numpy.random.MT19937": "seed",
    "numpy.random.Philox": "seed",
    "numpy.random.SFC64": "seed",
    "random.Random": "x",
}


#: Keywords that seed a generator in place of the seed parameter (``Philox(key=k)``).
_ALTERNATIVE_SEEDS = frozenset({"key"})


TORCH_GENERATOR = "torch.Generator"


#: Last components of the generators (a callee ending otherwise is none of them).
_GENERATOR_CLASSES = last_names([*SEEDABLE, TORCH_GENERATOR])


#: Methods that give a torch Generator its state (``seed()`` draws one on purpose).
_TORCH_SEEDING = frozenset({"manual_seed", "set_state", "seed", "graphsafe_set_state"})


class UnseededGenerator(Check):
    """ML103: a random generator created without a seed.

    NumPy's generators and ``random.Random`` then draw their seed from the
    operating system: every run differs. ``torch.Generator()`` instead
    starts from one fixed default seed, the same for every unseeded
    Generator and independent of ``torch.manual_seed``: reported when the
    generator goes unseeded into a ``generator=`` argument, directly or
    through a name (or ``self`` attribute) that is never seeded.
    """

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"numpy", "random", "torch"})
    call_names = _GENERATOR_CLASSES

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.pending: list[tuple[ast.Call, ast.expr, ast.AST]] = []
        """torch Generators bound to a name or attribute: (call, target, where to look)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _GENERATOR_CLASSES):
            return  # cheap: most callees end in none of these names
        qualname = self.model.qualname(node.func)
        if qualname == TORCH_GENERATOR:
            self._torch(node)
            return
        param = SEEDABLE.get(qualname or "")
        if param is None or has_star_kwargs(node):
            return
        if any(isinstance(a, ast.Starred) for a in node.args):
            return
        if any(kw.arg in _ALTERNATIVE_SEEDS for kw in node.keywords):
            return
        given = node.args[0] if node.args else None
        kw = keyword(node, param)
        if kw is not None:
            given = kw.value
        if given is not None and not is_none(given):
            return
        state = "missing" if given is None else "none"
        assert qualname is not None
        problem = "is seeded from the operating system: every run differs"
        self._report(node, qualname, problem, state, param)

    def _report(
        self, node: ast.Call, qualname: str, problem: str, state: str, param: str = ""
    ) -> None:
        library = qualname.split(".")[0]
        self.report(
            "ML103",
            node,
            callee=self.ctx.source_of(node.func),
            problem=problem,
            data=(("library", library), ("seed", state), ("param", param)),
        )

    def _torch(self, node: ast.Call) -> None:
        parent = self.ctx.parent
        if isinstance(parent, ast.keyword):
            if parent.arg == "generator":
                self._report_torch(node)
            return
        if not isinstance(parent, (ast.Assign, ast.AnnAssign)) or parent.value is not node:
            return  # seeded in a chain, returned, passed on ...: not decidable here
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) != 1:
            return
        target = targets[0]
        if isinstance(target, ast.Name):
            where = self.model.scope.node or self.ctx.tree
            self.pending.append((node, target, where))
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == self.model.scope.self_name
            and self.model.enclosing_class() is not None
        ):
            klass = self.model.enclosing_class()
            assert klass is not None
            self.pending.append((node, target, klass.node))

    def _report_torch(self, node: ast.Call) -> None:
        problem = (
            "starts from torch's fixed default seed, the same for every unseeded Generator, "
            "whatever `torch.manual_seed` says"
        )
        self._report(node, TORCH_GENERATOR, problem, "missing")

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        for call, target, where in self.pending:
            if _torch_generator_unseeded(target, where):
                self._report_torch(call)


def _same_target(expr: ast.expr, target: ast.expr) -> bool:
    """``expr`` reads what ``target`` names (``g``, or ``<any self>.g`` for an attribute)."""
    if isinstance(target, ast.Name):
        return isinstance(expr, ast.Name) and expr.id == target.id
    assert isinstance(target, ast.Attribute)
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == target.attr
        and isinstance(expr.value, ast.Name)
    )


def _torch_generator_unseeded(target: ast.expr, where: ast.AST) -> bool:
    """The generator bound to ``target`` is given to a ``generator=`` argument in ``where``,
    and nothing there seeds it or hands it elsewhere."""
    given = False
    for node in ast.walk(where):
        if isinstance(node, ast.keyword) and node.arg == "generator":
            given = given or _same_target(node.value, target)
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in _TORCH_SEEDING
                and _same_target(func.value, target)
            ):
                return False
            if any(_same_target(arg, target) for arg in node.args):
                return False  # handed to a function that may seed it
        elif isinstance(node, ast.Return) and node.value is not None:
            if _same_target(node.value, target):
                return False
    return given


# ---------------------------------------------------------------------- fix


def seed_generator(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Seed the generator with the configured seed.

    NumPy and ``random``: the seed becomes the first argument, or replaces
    the ``None`` given for it (safe). ``torch.Generator()`` ->
    ``torch.Generator().manual_seed(<seed>)`` (unsafe: it had torch's fixed
    default seed).
    """
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.seed))
    if diag.get("library") == "torch":
        seeded = cst.Call(
            func=cst.Attribute(value=call, attr=cst.Name("manual_seed")), args=[cst.Arg(seed)]
        )
        return fx.Edit(call, seeded, safety=Fix.UNSAFE)
    if diag.get("seed") == "missing":
        args = list(call.args)
        first = cst.Arg(value=seed)
        if args:
            first = first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return fx.Edit(call, call.with_changes(args=[first, *args]), safety=Fix.SAFE)
    given = fx.keyword_arg(call, diag.get("param") or "")
    if given is None and call.args and call.args[0].keyword is None:
        given = call.args[0]
    if given is None or not (isinstance(given.value, cst.Name) and given.value.value == "None"):
        return None
    return fx.Edit(given.value, seed, safety=Fix.SAFE)


def fix_applies(diag: Diagnostic) -> Fix:
    """Unsafe for torch (it had a fixed default seed), else safe."""
    return Fix.UNSAFE if diag.get("library") == "torch" else Fix.SAFE


FIXES = {"ML103": seed_generator}
FIXABLE = {"ML103": fix_applies}
