"""Parse once, walk once, dispatch each node type to the checks that asked for it.

The engine instantiates the checks it is given (and the analyses they need) once
per file, drives the semantic model in source order during its single walk, and
isolates checks from each other: a check that raises is reported as an internal
error naming its codes, is switched off for the rest of that file, and the others
go on.
"""

from __future__ import annotations

import ast
import functools
import gc
import hashlib
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from mlsmells import sources
from mlsmells.data import evidence
from mlsmells.deep import call_deep
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine.check import Analysis, Check, Context, Visitor
from mlsmells.engine.facts import FactRecorder, SummaryRecorder
from mlsmells.engine.gates import Gates
from mlsmells.engine.nodes import (
    _FIELDS,
    _LIST,
    _NODE,
    _OPERATOR_CLASSES,
    _child_fields,
    _Fields,
    import_roots,
    iter_nodes,
)
from mlsmells.engine.randomness import RandomnessAnalysis, fixture_summaries
from mlsmells.records import INTERNAL_ERROR_CODE
from mlsmells.semantic.index import (
    CONFTEST,
    ModuleSummary,
    ProjectIndex,
    ProjectView,
    index_for,
)
from mlsmells.semantic.kinds import DATA_ROOTS
from mlsmells.semantic.program import (
    MAX_ROUNDS,
    WHOLE_FILE,
    FunctionNode,
    Program,
    Seeds,
    outermost,
    to_rewalk,
)
from mlsmells.semantic.scopes import Binding, ClassInfo, Scope, ScopeType
from mlsmells.semantic.summaries import summary_of
from mlsmells.versions import NEWEST, Targets


class gc_paused:  # lower case: used like a function, `with gc_paused():`
    """No cyclic garbage collection while one file is parsed and checked.

    A tree and the engine's state are tens of thousands of objects that live
    until the file is done and are then freed by reference counting; the
    collector would only scan them again and again (8% of the time of a run).
    Garbage in cycles left by a file is collected after it, as usual. (A class,
    not ``contextlib.contextmanager``, which sets ``__traceback__`` on the
    exception passing through: frozen exceptions such as ``FileError`` refuse it.)
    """

    def __enter__(self) -> None:
        self.resume = gc.isenabled()  # False: paused by a caller already
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self.resume:
            gc.enable()


class Engine:
    """Runs checks over parsed modules: those of ``checks`` that report an ``active`` code
    (the registry's :func:`~mlsmells.registry.engine` builds one from a selection)."""

    def __init__(self, checks: Iterable[type[Check]], active: frozenset[str]) -> None:
        self.active = active
        self.checks = [c for c in checks if active.intersection(c.codes)]

    @property
    def checks(self) -> list[type[Check]]:
        """The checks it runs (set: their text tests are set with them)."""
        return self._checks

    @checks.setter
    def checks(self, checks: list[type[Check]]) -> None:
        self._checks = checks
        self.gates = Gates(checks)

    def run(
        self,
        tree: ast.Module,
        lines: Sequence[str],
        filename: str = "<string>",
        cell_last_lines: frozenset[int] = frozenset(),
        line_map: Mapping[int, tuple[int, int]] | None = None,
        used: dict[Path, str] | None = None,
        targets: Targets = NEWEST,
        digest: str | None = None,
    ) -> list[Diagnostic]:
        """The findings in ``tree`` (parsed from ``lines``), sorted.

        For a notebook's module: ``cell_last_lines`` are the lines on which a cell's
        displayed last statement ends, ``line_map`` maps each line to (cell, line in
        cell); see :class:`Context`. The project modules (with their digests) the
        findings come from go into ``used``. ``targets``: the library releases the
        project supports. With ``digest`` (the SHA-256 of the file's bytes), the walk
        leaves the module's summary in the project index, so that the files importing it
        later in the run need no walk of their own to summarise it.
        """
        file = File(tree, lines, filename, cell_last_lines, line_map, targets)
        roots = file.roots
        checks = self.gates.checks_for(roots, file.text)
        if used is not None and file.project is not None:
            used.update(file.project.used)  # (the checks to run depend on them already)
        if not checks:
            return []

        def walk() -> list[Diagnostic]:
            found, walker = walk_file(file, checks, self.active)
            project = file.project
            # (a conftest's summary needs its fixtures: summarize() makes it)
            conftest = Path(filename).name == CONFTEST
            if digest is not None and project is not None and line_map is None and not conftest:
                summary = summary_of(walker.model, Path(filename), digest, frozenset(roots))
                project.index.offer(summary)
            walker.release()
            if used is not None and file.project is not None:
                used.update(file.project.used)
            return found

        try:
            return walk()
        except RecursionError:
            pass
        try:  # valid code nested deeper than the recursion limit: walk again with room for it
            return call_deep(walk)
        except RecursionError:
            return [_internal_error("the engine", "expression nested too deeply")]

    def run_source(
        self, source: str, filename: str = "<string>", targets: Targets = NEWEST
    ) -> list[Diagnostic]:
        tree = ast.parse(source, filename=filename)
        return self.run(tree, source.splitlines(keepends=True), filename, targets=targets)


class File:
    """A parsed module to walk, and what the walk needs to know about it: the packages it
    imports (through the project modules it imports too), and the project index as it sees
    it (none for a text that is no file, or imports nothing)."""

    def __init__(
        self,
        tree: ast.Module,
        lines: Sequence[str],
        filename: str,
        cell_last_lines: frozenset[int] = frozenset(),
        line_map: Mapping[int, tuple[int, int]] | None = None,
        targets: Targets = NEWEST,
    ) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename
        self.cell_last_lines = cell_last_lines
        self.line_map = line_map
        self.targets = targets
        relative: set[str] = set()
        self.functions: set[str] = set()
        """The names of the functions the file defines (see :class:`Program`)."""
        roots = import_roots(tree, relative, self.functions)
        path = Path(filename)
        self.project: ProjectView | None = None
        if (roots or relative) and path.is_file():
            self.project = ProjectView(index_for(path, summarize), path)
            roots = self.project.libraries(roots, relative)
        self.roots = roots

    @functools.cached_property
    def text(self) -> str:
        """The source, whole (for the text tests of :meth:`Visitor.runs_on`)."""
        return "".join(self.lines)


def walk_file(
    file: File,
    checks: Sequence[type[Check]],
    active: frozenset[str],
    statements_only: bool = False,
    analyses: Sequence[type[Analysis]] = (),
) -> tuple[list[Diagnostic], _Walker]:
    """Walk ``file`` with ``checks`` (and ``analyses``, needed or not); then walk again what
    the kinds it proved change, from them (see :mod:`mlsmells.semantic.program`). The
    findings (every walk's count; at a place, the last walk's), and the last walker.
    ``statements_only``: see :class:`_Walker`."""
    tree = file.tree
    whole_program = bool(file.roots & DATA_ROOTS)
    pandas_evidence = not file.roots & evidence.PANDAS_CLONES
    project = file.project
    seeds = Seeds()
    found: dict[tuple[int, int, int, int, str], Diagnostic] = {}
    for _ in range(MAX_ROUNDS + 1):
        names = frozenset(file.functions)
        program = Program(tree, seeds, names) if whole_program else None
        ctx = Context(
            tree,
            file.lines,
            file.filename,
            file.cell_last_lines,
            file.line_map,
            program,
            project,
            file.targets,
        )
        walker = _Walker(ctx, list(checks), active, statements_only, analyses)
        if program is not None:
            recorder = SummaryRecorder if statements_only else FactRecorder
            walker.record(recorder(ctx, program, pandas_evidence))
        walker.walk_module(tree)
        if program is not None:
            seeds = walker.rewalk(program, seeds)
        found.update((_place(d), d) for d in ctx.diagnostics)
        if program is None or seeds is program.seeds:
            break  # no name of the module itself got a kind
        walker.release()
    return sorted(found.values()), walker


def summarize(index: ProjectIndex, path: Path, data: bytes) -> ModuleSummary | None:
    """The summary of the project module at ``path`` (its bytes ``data``): what a walk with
    no rule learns of it. None when it cannot be read as Python."""
    try:
        source = sources.decode_source(data)
        tree = sources.parse(source, str(path))
    except sources.FileError:
        return None
    file = File(tree, sources.split_lines(source), str(path))
    conftest = path.name == CONFTEST
    try:
        # A conftest's fixtures are read from its calls: walked whole.
        analyses = (RandomnessAnalysis,) if conftest else ()
        walker = walk_file(file, (), frozenset(), not conftest, analyses)[1]
    except RecursionError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    summary = summary_of(walker.model, path, digest, frozenset(file.roots))
    if conftest:
        randomness = walker.ctx.analysis(RandomnessAnalysis)
        seeds = randomness.seeds_anywhere(randomness.module)
        summary = replace(summary, fixtures=fixture_summaries(randomness), seeds=seeds)
    walker.release()
    return summary


def _internal_error(who: str, what: str, line: int = 1) -> Diagnostic:
    code = INTERNAL_ERROR_CODE
    message = f"{code} internal error in {who}: {what}; please report it"
    return Diagnostic(line, 0, code, message, line, 0)


_Handler = Callable[[ast.AST], None]
_Handlers = list[tuple[Visitor, _Handler]]
_Filtered = tuple[Visitor, _Handler, frozenset[str]]


class _Walker:
    """The single walk: semantic bookkeeping plus dispatch, in source order."""

    def __init__(
        self,
        ctx: Context,
        checks: list[type[Check]],
        active: frozenset[str],
        statements_only: bool = False,
        analyses: Sequence[type[Analysis]] = (),
    ) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.ancestors = ctx.ancestors
        self.room = sys.getrecursionlimit() // 2
        """How deep the walk may go (the nodes enclosing the one walked)."""
        self.statements_only = statements_only
        """Visit statements only, no expression (to summarise a module: the model binds
        kinds from expressions without walking them)."""
        needed = dict.fromkeys([*analyses, *(kind for check in checks for kind in check.needs)])
        for kind in needed:
            ctx.analyses[kind] = kind(ctx)
        self.instances: list[Visitor] = [*ctx.analyses.values()]
        """The analyses first (the checks read them), then the checks."""
        self.instances += [c(ctx, active) for c in checks]
        self.leavers = [i for i in self.instances if type(i).leave_scope is not Visitor.leave_scope]
        """The visitors that do something when a scope ends."""
        self.dispatch: dict[type[ast.AST], list[tuple[Visitor, _Handler]]] = {}
        for inst in self.instances:
            for node_type in inst.nodes:
                self.dispatch.setdefault(node_type, []).append((inst, inst.visit))
        self.with_operators = any(issubclass(t, _OPERATOR_CLASSES) for t in self.dispatch)
        self.fields = _FIELDS[self.with_operators]
        self.plans: dict[type[ast.AST], _Plan] = {}
        """Node class -> what :meth:`walk` does with it (one lookup per node), built as
        classes are met from ``dispatch``, ``_SPECIAL`` and ``fields``."""
        self.filtered: dict[type[ast.AST], tuple[_Handlers, list[_Filtered]]] = {}
        """For ``Name`` and ``Attribute``: the handlers of the checks that take every such
        node, and those of the checks that declare :attr:`Check.names` (with them)."""
        self.failed: set[int] = set()
        self.functions: dict[int, FunctionNode] = {}
        """Every ``def`` walked, by id."""
        self.defined: dict[int, tuple[Scope, ClassInfo | None, list[ast.AST]]] = {}
        """id of a ``def`` walked -> the scope it is defined in, its class (for a method)
        and the nodes enclosing it: what walking it again needs."""

    def release(self) -> None:
        """Drop the walker's references to its own methods and to the checks (which hold
        the context): without these cycles the tree and the model are freed by reference
        counting as soon as the file is done, not by a pass of the garbage collector."""
        self.plans.clear()
        self.dispatch.clear()
        self.filtered.clear()
        self.instances.clear()
        self.leavers.clear()
        self.ctx.analyses.clear()

    def rewalk(self, program: Program, seeds: Seeds) -> Seeds:
        """Walk again, from what this walk proved, the functions it changes (rounds while
        they prove more); the seeds for a new walk of the whole file when a name outside
        any function got a kind, else ``program.seeds``."""
        for _ in range(MAX_ROUNDS):
            facts = program.facts
            found = seeds.then(facts.seeds())
            targets = to_rewalk(facts, found, seeds, self.functions)
            if not targets:
                break
            if WHOLE_FILE in targets:
                return found
            program.seeds = seeds = found
            for function in outermost(targets):
                self._rewalk_function(program, function)
        return program.seeds

    def _rewalk_function(self, program: Program, node: FunctionNode) -> None:
        defined = self.defined.get(id(node))
        if defined is None or isinstance(node, ast.Lambda):
            return
        parent, klass, ancestors = defined
        inner = {id(n): n for n in iter_nodes(node) if isinstance(n, _FUNCTIONS)}
        facts = program.facts
        for key in inner:  # what they return, and what their calls are told, is learned again
            facts.returns.pop(key, None)
            facts.items.pop(key, None)
            program.walked.discard(key)
        for answers in facts.answered.values():
            answers[:] = [a for a in answers if a[0] is None or id(a[0]) not in inner]
        model = self.model
        outer, saved = model.scope, self.ancestors[:]
        model.set_scope(parent)
        self.ancestors[:] = ancestors
        try:
            self.ancestors.append(node)
            scope = model.enter_function(node, klass)
            self.walk_body(node.body)
            self._leave_scope(scope)
            model.pop_scope()
        finally:
            model.set_scope(outer)
            self.ancestors[:] = saved

    def record(self, recorder: Visitor) -> None:
        """Run ``recorder`` first, on every node of its types (before any check)."""
        self.instances.insert(0, recorder)
        if type(recorder).leave_scope is not Visitor.leave_scope:
            self.leavers.insert(0, recorder)
        for node_type in recorder.nodes:
            self.dispatch.setdefault(node_type, []).insert(0, (recorder, recorder.visit))
        self.with_operators = any(issubclass(t, _OPERATOR_CLASSES) for t in self.dispatch)
        self.fields = _FIELDS[self.with_operators]

    def _fail(self, inst: Visitor, node: ast.AST | None, exc: BaseException) -> None:
        off = {id(inst)}
        if isinstance(inst, Analysis):  # and the checks that read it
            off.update(id(i) for i in self.instances if type(inst) in getattr(i, "needs", ()))
            who = f"analysis {type(inst).__name__}"
        else:
            assert isinstance(inst, Check)
            who = f"rule {', '.join(inst.codes)}"
        self.failed |= off
        # Off for the rest of the file: new lists, so a dispatch loop in progress is unaffected.
        for node_type, handlers in self.dispatch.items():
            self.dispatch[node_type] = [h for h in handlers if id(h[0]) not in off]
        self.plans.clear()
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        what = f"{type(exc).__name__}: {exc} ({frame.name}:{frame.lineno})"
        line = getattr(node, "lineno", 1) if node is not None else 1
        self.ctx.diagnostics.append(_internal_error(who, what, line))

    def _leave_scope(self, scope: Scope) -> None:
        for inst in self.leavers:
            if id(inst) in self.failed:
                continue
            try:
                inst.leave_scope(scope)
            except RecursionError:
                raise
            except Exception as exc:  # noqa: BLE001
                self._fail(inst, scope.node, exc)

    # ----------------------------------------------------------------- walk
    def walk_module(self, tree: ast.Module) -> None:
        self.model.module_scope.node = tree
        handlers = self.dispatch.get(ast.Module)
        if handlers:
            self._dispatch(handlers, tree)
        self.ancestors.append(tree)
        self.walk_body(tree.body)
        self.ancestors.pop()
        self._leave_scope(self.model.module_scope)

    def walk_body(self, body: Sequence[ast.AST]) -> None:
        for stmt in body:
            self.walk(stmt)

    def _dispatch(self, handlers: list[tuple[Visitor, _Handler]], node: ast.AST) -> None:
        for inst, handler in handlers:
            try:
                handler(node)
            except RecursionError:
                raise
            except Exception as exc:  # noqa: BLE001 - isolation is the point
                self._fail(inst, node, exc)

    def _plan(self, cls: type[ast.AST]) -> _Plan:
        if self.statements_only and issubclass(cls, ast.expr):
            nothing: _Plan = (_NO_CHECK, None, _NOT_SPECIAL, ())
            self.plans[cls] = nothing
            return nothing
        special = _SPECIAL.get(cls, _NOT_SPECIAL)
        fields: _Fields = ()
        if special == _NOT_SPECIAL:
            found = self.fields.get(cls)
            if found is None:
                found = self.fields[cls] = _child_fields(cls, self.with_operators)
            fields = found
        handlers = self.dispatch.get(cls)
        how = _NO_CHECK
        if handlers:
            call = cls is ast.Call
            filtered = [
                (i, h, names)
                for i, h in handlers
                if (names := i.call_names if call else i.names) is not None
            ]
            if cls in (ast.Name, ast.Attribute, ast.Call) and filtered:
                kept = {id(i) for i, _, _ in filtered}
                always = [(i, h) for i, h in handlers if id(i) not in kept]
                self.filtered[cls] = (always, filtered)
                how = _BY_CALLEE if call else _BY_NAME if cls is ast.Name else _BY_ATTRIBUTE
            else:
                how = _EVERY_CHECK
        plan = self.plans[cls] = (how, handlers, special, fields)
        return plan

    def _dispatch_call(self, node: ast.AST) -> None:
        """A call to the checks that may act on it (see :attr:`Visitor.call_names`)."""
        func = node.func  # type: ignore[attr-defined]
        if isinstance(func, ast.Attribute):
            self._dispatch_filtered(ast.Call, func.attr, node)
        elif isinstance(func, ast.Name):
            binding = self.model.lookup(func.id)
            if binding is not None and binding.qualname is not None:
                self._dispatch(self.dispatch[ast.Call], node)  # an import: any qualified name
            else:
                self._dispatch_filtered(ast.Call, func.id, node)
        else:
            always = self.filtered[ast.Call][0]
            if always:
                self._dispatch(always, node)

    def _dispatch_name(self, node: ast.AST) -> None:
        """A name to the checks that may act on it (see :attr:`Check.names`)."""
        name: str = node.id  # type: ignore[attr-defined]
        binding = self.model.lookup(name)
        if binding is not None and binding.qualname is not None:
            # An import (or an alias of one): what its qualified name ends in.
            qualname = self.model.qualname(node)  # type: ignore[arg-type]
            if qualname is None:
                self._dispatch(self.dispatch[ast.Name], node)
                return
            name = qualname.rpartition(".")[2]
        self._dispatch_filtered(ast.Name, name, node)

    def _dispatch_attribute(self, node: ast.AST) -> None:
        """An attribute to the checks that may act on it (see :attr:`Check.names`)."""
        self._dispatch_filtered(ast.Attribute, node.attr, node)  # type: ignore[attr-defined]

    def _dispatch_filtered(self, cls: type[ast.AST], name: str, node: ast.AST) -> None:
        always, filtered = self.filtered[cls]
        for _, _, names in filtered:
            if name in names:
                break
        else:  # (the common case: no list built)
            if always:
                self._dispatch(always, node)
            return
        wanted = [(i, h) for i, h, names in filtered if name in names]
        self._dispatch(always + wanted, node)

    def walk(self, node: ast.AST) -> None:
        # The hot loop of the engine (about a million calls on 270k lines): keep it lean.
        # (``self.walk(...)``, not a local alias of it: compiled, that is a direct call.)
        cls = node.__class__
        plan = self.plans.get(cls)
        if plan is None:
            plan = self._plan(cls)
        how, handlers, special, fields = plan
        if len(self.ancestors) > self.room:
            # Compiled, the walk's calls to itself are C calls, which Python's recursion
            # limit does not count: the walk counts its depth itself (the deep thread of
            # :func:`mlsmells.deep.call_deep` has the room for more).
            raise RecursionError("the walk is nested too deeply")
        if how == _EVERY_CHECK:
            assert handlers is not None
            self._dispatch(handlers, node)
        elif how == _BY_CALLEE:
            self._dispatch_call(node)
        elif how == _BY_NAME:
            self._dispatch_name(node)
        elif how == _BY_ATTRIBUTE:
            self._dispatch_attribute(node)
        if special != _NOT_SPECIAL:
            self.ancestors.append(node)
            self._special(special, node)
            self.ancestors.pop()
            return
        if not fields:
            return  # a leaf (Name, Constant ...): no child would see it as an ancestor
        self.ancestors.append(node)
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    self.walk(value)
            elif holds == _LIST:
                for item in value or ():
                    if item is not None:
                        self.walk(item)
            elif isinstance(value, ast.AST):  # only for a class whose signature was unreadable
                self.walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.walk(item)
        self.ancestors.pop()

    def _special(self, special: int, node: ast.AST) -> None:
        # (A chain of direct calls, not a table of methods: compiled, each is a plain call.)
        if special == _ASSIGN:
            self._assign(node)
        elif special == _FOR:
            self._for(node)
        elif special == _FUNCTION:
            self._function(node)
        elif special == _IMPORT:
            self._import(node)
        elif special == _COMPREHENSION:
            self._comprehension(node)
        elif special == _WITH:
            self._with(node)
        elif special == _AUG_ASSIGN:
            self._aug_assign(node)
        elif special == _ANN_ASSIGN:
            self._ann_assign(node)
        elif special == _CLASS:
            self._class(node)
        elif special == _EXCEPT:
            self._except(node)
        elif special == _LAMBDA:
            self._lambda(node)
        elif special == _NAMED_EXPR:
            self._named_expr(node)
        elif special == _DELETE:
            self._delete(node)

    def walk_opt(self, node: ast.AST | None) -> None:
        if node is not None:
            self.walk(node)

    def walk_all(self, nodes: Iterable[ast.AST | None]) -> None:
        for node in nodes:
            if node is not None:
                self.walk(node)

    # ------------------------------------------------------- special nodes
    def _function(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        self.walk_all(node.decorator_list)
        self._arguments_outer(node.args)
        self.walk_opt(node.returns)
        klass = None
        parent_scope = self.model.scope
        if parent_scope.type is ScopeType.CLASS:
            klass = parent_scope.klass
        self.functions[id(node)] = node
        self.defined[id(node)] = (parent_scope, klass, self.ancestors[:-1])
        self.model.bind(node.name, Binding(node=node))
        scope = self.model.enter_function(node, klass)
        self.walk_body(node.body)
        self._leave_scope(scope)
        self.model.pop_scope()

    def _arguments_outer(self, args: ast.arguments) -> None:
        """Defaults and annotations are evaluated in the enclosing scope."""
        self.walk_all(args.defaults)
        self.walk_all(args.kw_defaults)
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            self.walk_opt(arg.annotation)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.walk_opt(extra.annotation)

    def _lambda(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Lambda)
        self.walk_all(node.args.defaults)
        self.walk_all(node.args.kw_defaults)
        parent = self.ancestors[-2] if len(self.ancestors) > 1 else None
        if isinstance(parent, ast.keyword):
            parent = self.ancestors[-3] if len(self.ancestors) > 2 else None
        argument = self.model.callback_argument_kind(parent, node)
        scope = self.model.enter_function(node, None, (argument,) if argument else ())
        self.walk(node.body)
        self._leave_scope(scope)
        self.model.pop_scope()

    def _class(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ClassDef)
        self.walk_all(node.decorator_list)
        self.walk_all(node.bases)
        self.walk_all(node.keywords)
        info = self.model.define_class(node)
        scope = self.model.push_scope(ScopeType.CLASS, node)
        scope.klass = info
        self.walk_body(node.body)
        self._leave_scope(scope)
        self.model.pop_scope()

    def _comprehension(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope.
        self.walk(generators[0].iter)
        scope = self.model.push_scope(ScopeType.COMPREHENSION, node)
        for i, gen in enumerate(generators):
            if i:
                self.walk(gen.iter)
            self.model.bind_loop_target(gen.target, gen.iter)
            self.walk(gen.target)
            self.walk_all(gen.ifs)
        if isinstance(node, ast.DictComp):
            self.walk(node.key)
            self.walk(node.value)
        else:
            self.walk(node.elt)
        self._leave_scope(scope)
        self.model.pop_scope()

    def _assign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        self.walk(node.value)
        for target in node.targets:
            self.walk(target)
        for target in node.targets:
            self.model.bind_target(target, node.value)

    def _ann_assign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.AnnAssign)
        self.walk_opt(node.value)
        self.walk(node.annotation)
        self.walk(node.target)
        kind = self.model.annotation_kind(node.annotation)
        if kind is not None:
            self.model.bind_kind(node.target, kind)
        elif node.value is not None:
            self.model.bind_target(node.target, node.value)
        elif isinstance(node.target, ast.Name):
            self.model.bind_unknown(node.target)

    def _aug_assign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.AugAssign)
        self.walk(node.value)
        self.walk(node.target)
        if isinstance(node.target, ast.Name):
            combined = ast.BinOp(left=node.target, op=node.op, right=node.value)
            kind = self.model.kind_of(combined)
            self.model.bind_kind(node.target, kind)

    def _named_expr(self, node: ast.AST) -> None:
        assert isinstance(node, ast.NamedExpr)
        self.walk(node.value)
        self.walk(node.target)
        self.model.bind_target(node.target, node.value)

    def _for(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.For, ast.AsyncFor))
        self.walk(node.iter)
        self.model.bind_loop_target(node.target, node.iter)
        self.walk(node.target)
        self.walk_body(node.body)
        self.walk_body(node.orelse)

    def _with(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.With, ast.AsyncWith))
        for item in node.items:
            self.walk(item.context_expr)
            if item.optional_vars is not None:
                self.model.bind_unknown(item.optional_vars)
                self.walk(item.optional_vars)
        self.walk_body(node.body)

    def _import(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        self.model.bind_import(node)

    def _except(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ExceptHandler)
        self.walk_opt(node.type)
        if node.name:
            self.model.bind(node.name, Binding())
        self.walk_body(node.body)

    def _delete(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Delete)
        for target in node.targets:
            self.walk(target)
            if isinstance(target, ast.Name):
                self.model.unbind(target.id)


# How the walk hands a node of a class to the checks (see _Walker._plan).
_NO_CHECK, _EVERY_CHECK, _BY_CALLEE, _BY_NAME, _BY_ATTRIBUTE = range(5)
# The classes of node that the walk handles itself (see _Walker._special).
(
    _NOT_SPECIAL,
    _ASSIGN,
    _FOR,
    _FUNCTION,
    _IMPORT,
    _COMPREHENSION,
    _WITH,
    _AUG_ASSIGN,
    _ANN_ASSIGN,
    _CLASS,
    _EXCEPT,
    _LAMBDA,
    _NAMED_EXPR,
    _DELETE,
) = range(14)
_Plan = tuple[int, _Handlers | None, int, _Fields]
"""How to hand a node of a class to the checks (``_NO_CHECK``: no check visits it), the
handlers of the checks that visit it, its special walk (``_NOT_SPECIAL``: none), its
fields."""

_SPECIAL: dict[type[ast.AST], int] = {
    ast.FunctionDef: _FUNCTION,
    ast.AsyncFunctionDef: _FUNCTION,
    ast.Lambda: _LAMBDA,
    ast.ClassDef: _CLASS,
    ast.ListComp: _COMPREHENSION,
    ast.SetComp: _COMPREHENSION,
    ast.GeneratorExp: _COMPREHENSION,
    ast.DictComp: _COMPREHENSION,
    ast.Assign: _ASSIGN,
    ast.AnnAssign: _ANN_ASSIGN,
    ast.AugAssign: _AUG_ASSIGN,
    ast.NamedExpr: _NAMED_EXPR,
    ast.For: _FOR,
    ast.AsyncFor: _FOR,
    ast.With: _WITH,
    ast.AsyncWith: _WITH,
    ast.Import: _IMPORT,
    ast.ImportFrom: _IMPORT,
    ast.ExceptHandler: _EXCEPT,
    ast.Delete: _DELETE,
}


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _place(diag: Diagnostic) -> tuple[int, int, int, int, str]:
    return diag.line, diag.col, diag.end_line, diag.end_col, diag.code
