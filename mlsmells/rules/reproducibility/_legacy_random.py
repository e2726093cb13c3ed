"""The legacy global NumPy random functions, as ML102 and ML914 see them, and their fix.

Both rules report the same uses of the legacy ``numpy.random`` functions and fix them
the same way (one ``Generator`` per module); they split the modules between them:
ML102 (on by default) takes a module that never seeds the global generator, where
the draws are not reproducible; ML914 (opt-in) a module that seeds it
(``np.random.seed(s)``, anywhere in the module), where moving to a Generator is
modernisation advice. :class:`LegacyRandomUses` finds the uses and plans the fix;
each rule's check reports the modules of its side.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from mlsmells.data import numpy_random
from mlsmells.data.numpy_random import Legacy, Shape, legacy_function
from mlsmells.diagnostics import ANCHOR_KEY, Diagnostic
from mlsmells.engine import Check, Context, iter_nodes
from mlsmells.lazy import bind_lazily
from mlsmells.records import Fix
from mlsmells.rules._util import has_star_kwargs, is_none
from mlsmells.semantic.scopes import Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

#: What ML102 and ML914 say of a use (the message template of both records).
MESSAGE = "`{name}` {verb} NumPy's legacy global random state; {advice}"

FIX_SUMMARY = (
    "One Generator per module: the module-level `np.random.seed(s)` becomes "
    "`rng = np.random.default_rng(s)` where it stands; without a seed call, "
    "`rng = np.random.default_rng()` goes right after the imports (an existing "
    "module-level `rng = np.random.default_rng(...)` is reused). Each call then draws "
    "from it, with its arguments mapped: `rand(2, 3)` → `rng.random((2, 3))`, "
    "`randn(n)` → `rng.standard_normal(n)`, `randint(a, b)` → `rng.integers(a, b)`, "
    "`random_integers(a, b)` → `rng.integers(a, b + 1)`, `random_sample`/`ranf`/"
    "`sample` → `rng.random`, and the distributions, `choice`, `shuffle` and "
    "`permutation` under their own names. The fix is all or nothing per module: it "
    "is not offered when a use cannot be mapped (a reference that is not called, "
    "`get_state`/`set_state`, `*args`), when there are several seed calls or the "
    "seed call is inside a function, or when a use would run before the generator "
    "exists."
)
FIX_SAFETY = (
    "Unsafe: a Generator produces a different stream than the legacy RandomState for "
    "the same seed, so every random number changes (each mapped call keeps the shape, "
    "dtype and range of its result). Code that relied on the global seed without "
    "calling these functions, such as scikit-learn estimators with "
    "`random_state=None`, is no longer seeded once `np.random.seed` is gone."
)


def seeds_the_global_generator(use: _LegacyUse) -> bool:
    """``seed(s)`` with a seed (``seed()`` and ``seed(None)`` seed from the OS: no)."""
    call = use.call
    if use.entry.shape is not Shape.SEED or call is None or has_star_kwargs(call):
        return False
    given = [*call.args, *(kw.value for kw in call.keywords if kw.arg == "seed")]
    return any(not is_none(arg) and not isinstance(arg, ast.Starred) for arg in given)


@dataclass
class _LegacyUse:
    """One use of a legacy ``numpy.random`` function."""

    node: ast.expr
    """The reported node: the call, or the reference when it is not called."""
    entry: Legacy
    text: str
    """The source of the function reference (``np.random.rand``)."""
    call: ast.Call | None
    deferred: bool
    """Inside a function or lambda: it runs when that is called, not where it stands."""
    seed_statement: bool
    """A ``seed(...)`` call that is a whole expression statement of the module scope."""
    factory: str | None
    """For a seed call ``<X>.seed(...)``, ``<X>`` naming ``numpy.random``: ``<X>.default_rng``."""
    function: str | None
    """The module-level function whose body holds the use, if any."""

    @property
    def position(self) -> tuple[int, int]:
        return (self.node.lineno, self.node.col_offset)

    @property
    def mappable(self) -> bool:
        """Whether the fix can rewrite this use (a call of a known shape)."""
        call = self.call
        entry = self.entry
        if call is None or entry.shape is Shape.STATE:
            return False
        if entry.shape is Shape.DIMS:
            return not call.keywords
        if any(isinstance(a, ast.Starred) for a in call.args) or has_star_kwargs(call):
            return False
        if len(call.args) > len(entry.params):
            return False
        given = [kw.arg for kw in call.keywords]
        if any(name not in entry.params for name in given) or len(set(given)) != len(given):
            return False
        if set(given) & set(entry.params[: len(call.args)]):
            return False
        if entry.shape is Shape.CLOSED:
            return bool(call.args) or "low" in given
        return True


class LegacyRandomUses(Check):
    """The uses of the legacy global NumPy random functions in a module (ML102, ML914).

    ``seed``, ``get_state`` and ``set_state`` are reported only in a module
    that also draws from the legacy functions: a module that only seeds or
    saves the global state does it for other code (scikit-learn estimators
    with ``random_state=None``, third-party libraries), the one reason left
    to touch it.

    Findings are reported when the module ends, so that each carries the
    module's plan for the fix, which is all or nothing: one Generator per
    module, made from the single module-level ``np.random.seed(...)`` (which
    it replaces) or, without a seed call, right after the imports; once that
    generator exists (a module-level ``NAME = np.random.default_rng(...)``,
    its name bound nowhere else), every call is rewritten to draw from it.
    Any use the fix cannot rewrite (a reference that is not called, the
    global state read or replaced, ``*args``, several seed calls, a seed call
    inside a function) leaves the whole module to the author.
    """

    seeded: ClassVar[bool]
    """Which modules the subclass reports: those that seed the global generator (ML914)
    or those that never do (ML102)."""
    nodes = (ast.Name, ast.Attribute, ast.Assign, ast.AnnAssign)
    requires = frozenset({"numpy"})
    names = frozenset(numpy_random.LEGACY)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.uses: list[_LegacyUse] = []
        self.generators: list[tuple[str, ast.stmt, bool]] = []
        """``NAME = numpy.random.default_rng(...)`` statements of the module scope, each
        with whether it is a statement of the module body itself (runs unconditionally)."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._generator(node)
            return
        assert isinstance(node, (ast.Name, ast.Attribute))
        if not isinstance(node.ctx, ast.Load):
            return
        if isinstance(node, ast.Attribute):
            if node.attr not in numpy_random.LEGACY:
                return  # cheap: most attributes are not these names
        elif node.id not in numpy_random.LEGACY:
            binding = self.model.lookup(node.id)
            if binding is None or legacy_function(binding.qualname) is None:
                return  # not an imported legacy function (``from numpy.random import rand as r``)
        entry = legacy_function(self.model.qualname(node))
        if entry is None:
            return
        parent = self.ctx.parent
        call = parent if isinstance(parent, ast.Call) and parent.func is node else None
        chain = list(self.model.scope.lookup_chain())
        deferred = any(s.type in (ScopeType.FUNCTION, ScopeType.LAMBDA) for s in chain)
        seed_statement = (
            entry.shape is Shape.SEED
            and call is not None
            and self.model.scope is self.model.module_scope
            and len(self.ctx.ancestors) >= 2
            and isinstance(self.ctx.ancestors[-2], ast.Expr)
        )
        factory = None
        if (
            seed_statement
            and isinstance(node, ast.Attribute)
            and _is_name_chain(node.value)
            and self.model.qualname(node.value) == "numpy.random"
        ):
            factory = self.ctx.source_of(node.value) + ".default_rng"
        outermost = self.ctx.ancestors[1] if len(self.ctx.ancestors) > 1 else None
        function = (
            outermost.name
            if isinstance(outermost, (ast.FunctionDef, ast.AsyncFunctionDef))
            else None
        )
        self.uses.append(
            _LegacyUse(
                node=call if call is not None else node,
                entry=entry,
                text=self.ctx.source_of(node),
                call=call,
                deferred=deferred,
                seed_statement=seed_statement,
                factory=factory,
                function=function,
            )
        )

    def _generator(self, node: ast.Assign | ast.AnnAssign) -> None:
        if self.model.scope is not self.model.module_scope:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if (
            len(targets) == 1
            and isinstance(targets[0], ast.Name)
            and isinstance(value, ast.Call)
            and self.model.qualname(value.func) == numpy_random.FACTORY
        ):
            self.generators.append((targets[0].id, node, self.ctx.parent is self.ctx.tree))

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        if not any(u.entry.shape not in (Shape.SEED, Shape.STATE) for u in self.uses):
            return  # seeding or saving the global state for other code (a seed-everything helper)
        if any(seeds_the_global_generator(u) for u in self.uses) is not self.seeded:
            return  # the other rule's module
        (code,) = self.codes
        plan = _RandomPlan(self)
        for use in sorted(self.uses, key=lambda u: u.position):
            entry = use.entry
            if entry.shape is Shape.SEED:
                verb = "seeds"
                advice = "create a Generator instead: `rng = np.random.default_rng(seed)`"
            elif entry.shape is Shape.STATE:
                verb = "manages"
                advice = "draw from a Generator instead (`rng = np.random.default_rng(seed)`)"
            else:
                verb = "draws from"
                advice = (
                    f"use `rng.{entry.method}(...)` of a Generator "
                    "(`rng = np.random.default_rng(seed)`)"
                )
            role = "call" if use.call is not None else "reference"
            data = [("function", entry.name), ("role", role), *plan.data_for(use)]
            self.report(code, use.node, name=use.text, verb=verb, advice=advice, data=data)


#: Names the fix tries, in order, for a new generator.
_GENERATOR_NAMES = ("rng", "np_rng", "generator")


class _RandomPlan:
    """How the fix converts one module (see :class:`LegacyRandomUses`)."""

    def __init__(self, check: LegacyRandomUses) -> None:
        self.check = check
        self.bound, self.used = _identifiers(check.ctx.tree)
        self.rng: str | None = None
        self.create: dict[int, list[tuple[str, str]]] = {}
        """id of the use that carries the creation -> its data."""
        uses = check.uses
        if not all(u.mappable for u in uses):
            return
        generators: dict[str, list[tuple[ast.stmt, bool]]] = {}
        for name, statement, top in check.generators:
            generators.setdefault(name, []).append((statement, top))
        for name, statements in generators.items():
            # Every binding of the name is such a generator (reseeding makes a new one),
            # and the first one runs unconditionally, before any use runs.
            first, top = min(statements, key=lambda st: (st[0].lineno, st[0].col_offset))
            if self.bound[name] != len(statements) or not top:
                continue
            start = (first.lineno, first.col_offset)
            if all(u.deferred or u.position > start for u in uses):
                if not self._helper_called_before(start):
                    self.rng = name
                    return
        seeds = [u for u in uses if u.entry.shape is Shape.SEED]
        if seeds:
            self._from_seeds(seeds)
        else:
            self._after_imports()

    def data_for(self, use: _LegacyUse) -> list[tuple[str, str]]:
        if id(use) in self.create:
            return self.create[id(use)]
        if self.rng is not None and use.entry.shape is not Shape.SEED:
            data = [("rng", self.rng)]
            if self._scalar_without_dtype(use):
                data.append(("dtype", use.entry.scalar_dtype))
            return data
        return []

    def _scalar_without_dtype(self, use: _LegacyUse) -> bool:
        """A call whose scalar result needs an explicit dtype to keep its type."""
        entry, call = use.entry, use.call
        if not entry.scalar_dtype or call is None or self.bound[entry.scalar_dtype]:
            return False
        given = dict(zip(entry.params, call.args, strict=False))
        given.update({kw.arg: kw.value for kw in call.keywords if kw.arg is not None})
        size = given.get("size")
        return "dtype" not in given and (size is None or is_none(size))

    def _fresh_name(self) -> str | None:
        return next((n for n in _GENERATOR_NAMES if n not in self.used), None)

    def _from_seeds(self, seeds: list[_LegacyUse]) -> None:
        """Each module-level ``seed(s)`` statement becomes ``<rng> = default_rng(s)``, and
        every call draws from it, in one edit of the module (the first seed finding
        carries it): done in two passes, the module would stop seeding the global
        generator between them, which changes the rule that reports it (ML914 to ML102)
        and leaves its draws unseeded if only one of them is fixed."""
        if not all(seed.seed_statement for seed in seeds):
            return
        start = min(seed.position for seed in seeds)
        if any(not u.deferred and u.position < start for u in self.check.uses):
            return
        name = self._fresh_name()
        if name is None or self._helper_called_before(start):
            return
        edits: list[str] = []
        imports: set[str] = set()
        for use in sorted(self.check.uses, key=lambda u: u.position):
            node = use.node
            span = f"{node.lineno},{node.col_offset},{node.end_lineno},{node.end_col_offset}"
            if use.entry.shape is not Shape.SEED:
                dtype = use.entry.scalar_dtype if self._scalar_without_dtype(use) else ""
                edits.append(f"call,{span},{use.entry.name},{dtype}")
                continue
            factory = (use.factory, "") if use.factory else self._factory(node.lineno)
            if factory is None:
                return
            edits.append(f"seed,{span},{factory[0]}")
            imports.update([factory[1]] if factory[1] else [])
        data = [("create", "module"), ("rng", name), ("edits", ";".join(edits))]
        data.extend(("import", needed) for needed in sorted(imports))
        self.create[id(min(seeds, key=lambda u: u.position))] = data

    def _helper_called_before(self, position: tuple[int, int]) -> bool:
        """A module-level call, before ``position``, of a same-file function that uses
        the legacy functions (it would then run before the generator exists)."""
        helpers = {u.function for u in self.check.uses if u.function is not None}
        if not helpers:
            return False
        pending: list[ast.AST] = list(self.check.ctx.tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in helpers
                and (node.lineno, node.col_offset) < position
            ):
                return True
            pending.extend(ast.iter_child_nodes(node))
        return False

    def _after_imports(self) -> None:
        body = self.check.ctx.tree.body
        executed = {id(u.node) for u in self.check.uses if not u.deferred}
        # The first statement holding a use (one walk of each statement up to it: linear).
        first = next(
            (i for i, stmt in enumerate(body) if any(id(n) in executed for n in iter_nodes(stmt))),
            len(body),
        )
        imports = [s for s in body[:first] if isinstance(s, (ast.Import, ast.ImportFrom))]
        name = self._fresh_name()
        if not imports or name is None:
            return
        anchor = imports[-1]
        end = anchor.end_lineno or anchor.lineno
        factory = self._factory(end)
        if factory is None:
            return
        data = [
            ("create", "after"),
            ("rng", name),
            ("factory", factory[0]),
            (ANCHOR_KEY, str(end)),
        ]
        if factory[1]:
            data.append(("import", factory[1]))
        first_use = min(self.check.uses, key=lambda u: u.position)
        self.create[id(first_use)] = data

    def _factory(self, line: int) -> tuple[str, str] | None:
        """(expression for ``numpy.random.default_rng``, import it needs) usable at ``line``."""
        spellings = {
            "numpy": "{}.random.default_rng",
            "numpy.random": "{}.default_rng",
            numpy_random.FACTORY: "{}",
        }
        found: list[tuple[int, str]] = []
        for name, binding in self.check.model.module_scope.bindings.items():
            statement = binding.node
            if (
                binding.qualname in spellings
                and isinstance(statement, (ast.Import, ast.ImportFrom))
                and statement.lineno <= line
                and self.bound[name] == 1
            ):
                rank = list(spellings).index(binding.qualname)
                found.append((rank, spellings[binding.qualname].format(name)))
        if found:
            return min(found)[1], ""
        if "default_rng" in self.used:
            return None
        return "default_rng", "numpy.random:default_rng"


def _is_name_chain(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _identifiers(tree: ast.Module) -> tuple[Counter[str], set[str]]:
    """(how often each name is bound anywhere in the module, every identifier used)."""
    bound: Counter[str] = Counter()
    used: set[str] = set()

    def bind(name: str) -> None:
        bound[name] += 1
        used.add(name)

    for node in iter_nodes(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                bound[node.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, ast.alias):
            bind((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bind(node.rest)
    return bound, used


# ---------------------------------------------------------------------- fix
def legacy_random_applies(diag: Diagnostic) -> Fix:
    """The fix decision (``FIXABLE``): the finding that carries the module's plan (``create``)
    gets the fix of the module; a call drawing from an existing generator (``rng`` alone)
    is rewritten (the plan names a generator only when every use maps: ``mappable``); the
    others have none."""
    create = diag.get("create")
    rng = diag.get("rng")
    if create == "module" and rng is not None:
        return Fix.UNSAFE
    if create == "after" and rng is not None and diag.get("factory") is not None:
        return Fix.UNSAFE
    if create is not None or rng is None:
        return Fix.NONE
    return Fix.UNSAFE


def legacy_random(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Move a module from the legacy global functions to one Generator.

    The rule plans the module (see ``LegacyRandomUses``) and hands each
    finding its part: ``create`` (``module``: every seed statement and call of
    ``edits`` is rewritten at once, each seed call becoming
    ``<rng> = <factory>(<its arguments>)``; ``after``: the statement
    ``<rng> = <factory>()`` goes after the import ending on the line of ``ANCHOR_KEY``),
    or ``rng``: this call draws from that generator, arguments mapped by
    :mod:`mlsmells.data.numpy_random`. Calls are rewritten only once the
    generator exists, or with it, so a pass never leaves a call on a missing name.
    """
    create = diag.get("create")
    rng = diag.get("rng")
    factory = diag.get("factory")
    imports: tuple[fx.ImportItem, ...] = ()
    needed = diag.get("import")
    if needed is not None:
        module, _, name = needed.partition(":")
        imports = (fx.ImportItem(module, name),)
    if create == "module" and rng is not None:
        return _convert_module(ctx, diag, rng, imports)
    if create == "after" and rng is not None and factory is not None:
        return _generator_after_imports(
            ctx, int(diag.get(ANCHOR_KEY) or 0), rng, factory, imports
        )
    if create is not None or rng is None:
        return None
    entry = numpy_random.LEGACY.get(diag.get("function") or "")
    call = ctx.find(diag, cst.Call)
    if entry is None or call is None:
        return None
    mapped = _map_arguments(entry, call)
    if mapped is None:
        return None
    func = cst.Attribute(value=cst.Name(rng), attr=cst.Name(entry.method))
    new = call.with_changes(func=func, args=mapped)
    dtype = diag.get("dtype")
    if dtype is not None:
        new = fx.add_keyword(new, "dtype", cst.Name(dtype))
    return fx.Edit(call, new)


def _convert_module(
    ctx: fx.FixContext, diag: Diagnostic, rng: str, imports: tuple[fx.ImportItem, ...]
) -> fx.Edit | None:
    """Every seed statement and call of the plan's ``edits`` rewritten in one edit."""
    seeds: dict[int, str] = {}
    """id of a seed's statement -> the generator's factory."""
    calls: dict[int, tuple[Legacy, str]] = {}
    """id of a call -> its legacy function, and the dtype its scalar needs (or "")."""
    for planned in (diag.get("edits") or "").split(";"):
        kind, line, col, end_line, end_col, *rest = planned.split(",")
        where = replace(diag, line=int(line), col=int(col))
        call = ctx.find(replace(where, end_line=int(end_line), end_col=int(end_col)), cst.Call)
        if call is None:
            return None
        if kind == "seed":
            statement = ctx.parent(call)
            if not isinstance(statement, cst.Expr) or call.lpar:
                return None
            seeds[id(statement)] = rest[0]
            continue
        entry = numpy_random.LEGACY.get(rest[0])
        if entry is None:
            return None
        calls[id(call)] = (entry, rest[1])
    outcome = _Outcome()
    module = ctx.module.visit(_converter(seeds, calls, rng, outcome))
    if outcome.failed:
        return None
    return fx.Edit(ctx.module, module, imports)


@dataclass
class _Outcome:
    failed: bool = False
    """A planned call had a shape the mapping refuses (the module is left as it is)."""


def _converter(
    seeds: dict[int, str], calls: dict[int, tuple[Legacy, str]], rng: str, outcome: _Outcome
) -> cst.CSTTransformer:
    """The transformer of :func:`_convert_module` (a class made when a fix runs: ``check``
    never imports libcst). It maps a call from its updated node, so that a legacy call
    inside another one's arguments is rewritten too."""

    class Converter(cst.CSTTransformer):
        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            planned = calls.get(id(original_node))
            if planned is None:
                return updated_node
            entry, dtype = planned
            mapped = _map_arguments(entry, updated_node)
            if mapped is None:
                outcome.failed = True
                return updated_node
            func = cst.Attribute(value=cst.Name(rng), attr=cst.Name(entry.method))
            new = updated_node.with_changes(func=func, args=mapped)
            return fx.add_keyword(new, "dtype", cst.Name(dtype)) if dtype else new

        def leave_Expr(
            self, original_node: cst.Expr, updated_node: cst.Expr
        ) -> cst.BaseSmallStatement:
            factory = seeds.get(id(original_node))
            call = updated_node.value
            if factory is None or not isinstance(call, cst.Call):
                return updated_node
            return cst.Assign(
                targets=[cst.AssignTarget(target=cst.Name(rng))],
                value=call.with_changes(func=fx.parse_expression(factory)),
                semicolon=updated_node.semicolon,
            )

    return Converter()


def _generator_after_imports(
    ctx: fx.FixContext, line: int, rng: str, factory: str, imports: tuple[fx.ImportItem, ...]
) -> fx.Edit | None:
    anchor = ctx.statement_ending_on(line)
    if anchor is None:
        return None
    statement = cst.parse_statement(f"{rng} = {factory}()\n")
    statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
    return fx.Edit(anchor, cst.FlattenSentinel([anchor, statement]), imports)


def _map_arguments(entry: numpy_random.Legacy, call: cst.Call) -> list[cst.Arg] | None:
    """The Generator call's arguments for a legacy call (None: a shape the fix leaves alone)."""
    args = list(call.args)
    if entry.shape is Shape.SAME:
        return args
    if entry.shape is Shape.DIMS:
        return _dims(args)
    if entry.shape is Shape.CLOSED:
        return _closed(args)
    return None


def _bare(arg: cst.Arg) -> cst.Arg:
    """``arg`` without its comma and trailing whitespace (it gets new neighbours)."""
    return arg.with_changes(
        comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")
    )


def _dims(args: list[cst.Arg]) -> list[cst.Arg] | None:
    """``rand(2, 3)`` -> ``random((2, 3))``; ``rand(n)`` -> ``random(n)``; ``rand(*x.shape)``
    -> ``random(x.shape)``; other unpacking -> ``random((*dims,))``."""
    if any(a.keyword is not None or a.star == "**" for a in args):
        return None
    if not args:
        return []
    if len(args) == 1 and not args[0].star:
        return [_bare(args[0])]
    only = args[0].value
    if len(args) == 1 and isinstance(only, cst.Attribute) and only.attr.value == "shape":
        return [cst.Arg(value=only)]
    elements: list[cst.BaseElement] = []
    for i, arg in enumerate(args):
        comma: cst.Comma | cst.MaybeSentinel = (
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(args) - 1
            else cst.MaybeSentinel.DEFAULT
        )
        if arg.star == "*":
            elements.append(cst.StarredElement(value=arg.value, comma=comma))
        else:
            elements.append(cst.Element(value=arg.value, comma=comma))
    if len(elements) == 1:
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return [cst.Arg(value=cst.Tuple(elements=elements))]


def _tighter_than_plus() -> tuple[type[cst.BaseBinaryOp], ...]:
    """The binary operators that bind at least as tightly as ``+`` (a function, not a
    constant: libcst is imported lazily, when a fix first runs)."""
    return (
        cst.Add,
        cst.Subtract,
        cst.Multiply,
        cst.Divide,
        cst.FloorDivide,
        cst.Modulo,
        cst.Power,
        cst.MatrixMultiply,
    )


def _plus_one(value: cst.BaseExpression) -> cst.BaseExpression:
    """``value + 1``: a literal is computed, ``n - 1`` becomes ``n``."""
    if isinstance(value, cst.Integer):
        return cst.Integer(str(value.evaluated_value + 1))
    if (
        isinstance(value, cst.BinaryOperation)
        and isinstance(value.operator, cst.Subtract)
        and isinstance(value.right, cst.Integer)
        and value.right.evaluated_value == 1
        and not value.lpar
    ):
        return value.left
    binds = (
        fx.is_atom(value)
        or (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, _tighter_than_plus())
        )
        or (isinstance(value, cst.UnaryOperation) and not isinstance(value.operator, cst.Not))
    )
    return cst.BinaryOperation(
        left=value if binds else fx.parenthesize(value),
        operator=cst.Add(
            whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")
        ),
        right=cst.Integer("1"),
    )


def _closed(args: list[cst.Arg]) -> list[cst.Arg] | None:
    """``random_integers(low, high, size)`` -> ``integers(low, high + 1, size)``;
    without ``high``: ``integers(1, low + 1, size)``."""
    if any(a.star for a in args):
        return None
    values: dict[str, cst.Arg] = {}
    positional = [a for a in args if a.keyword is None]
    for name, arg in zip(("low", "high", "size"), positional, strict=False):
        values[name] = arg
    for arg in args:
        if arg.keyword is not None:
            values[arg.keyword.value] = arg
    low = values.get("low")
    if low is None:
        return None
    high = values.get("high")
    if high is None or (isinstance(high.value, cst.Name) and high.value.value == "None"):
        bounds = [cst.Integer("1"), _plus_one(low.value)]
    else:
        bounds = [low.value, _plus_one(high.value)]
    out = [
        cst.Arg(value=bounds[0], comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(value=bounds[1]),
    ]
    size = values.get("size")
    if size is not None:
        out[-1] = out[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        out.append(_bare(size))
    return out
