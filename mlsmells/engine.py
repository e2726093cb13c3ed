"""Parse once, walk once, dispatch each node type to the checks that asked for it.

A *check* is a class in :mod:`mlsmells.rules` that declares the codes it
reports, the node types it visits and the libraries a file must import for it
to run. The engine instantiates the active checks once per file, drives the
semantic model in source order during its single walk, and isolates checks
from each other: a check that raises is reported as an internal error naming
its codes, is switched off for the rest of that file, and the others go on.
"""

from __future__ import annotations

import ast
import collections
import functools
import gc
import io
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import ClassVar

from mlsmells import registry
from mlsmells.deep import call_deep
from mlsmells.diagnostics import Diagnostic
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import Binding, Scope, ScopeType, SemanticModel

_CHECKS: list[type[Check]] = []

#: A cell boundary of a percent-format script: ``# %%`` (Jupytext, VS Code, Spyder)
#: or a line of ``#`` only (sphinx-gallery).
_CELL_MARKER = re.compile(r"^\s*#\s*%%|^\s*#{20,}\s*$")


class Context:
    """Per-file state shared by the checks: source, model, ancestors, findings."""

    def __init__(
        self,
        tree: ast.Module,
        lines: Sequence[str],
        filename: str,
        cell_last_lines: frozenset[int] = frozenset(),
        line_map: Mapping[int, tuple[int, int]] | None = None,
    ) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename
        self.model = SemanticModel()
        self.ancestors: list[ast.AST] = []
        """The nodes enclosing the node being visited, outermost first."""
        self.diagnostics: list[Diagnostic] = []
        self.line_map = line_map
        """For a notebook: line of the module -> (cell number as the notebook shows it,
        line in that cell); ``None`` for any other file."""
        self._given_last_lines = cell_last_lines
        self._cell_last_lines: frozenset[int] | None = None
        self._cell_ends: frozenset[int] | None = None
        self._ast_lines: list[str] | None = None
        self._ast_bytes: list[bytes | None] = []
        """The UTF-8 bytes of each non-ASCII line of ``_ast_lines`` (None: ASCII)."""

    @property
    def parent(self) -> ast.AST | None:
        return self.ancestors[-1] if self.ancestors else None

    def line_label(self, lineno: int) -> str:
        """How a message names a line of the source: ``line 12``, or ``cell 3, line 4``
        in a notebook (numbered as the location of a finding is)."""
        if self.line_map is not None and lineno in self.line_map:
            cell, row = self.line_map[lineno]
            return f"cell {cell}, line {row}"
        return f"line {lineno}"

    @property
    def cell_last_lines(self) -> frozenset[int]:
        """The last line of each cell whose last statement's value the cell displays
        (no ``;`` after it): for a notebook, as the caller gave them; for a
        percent-format script (cells begun by ``# %%`` or sphinx-gallery's ``####...``
        lines, shown like notebook cells by Jupytext, VS Code and Spyder), found here.
        Empty for a file without cells. Rules ask :meth:`displays` instead."""
        if self._cell_last_lines is None:
            given = self._given_last_lines
            if given or self.line_map is not None:
                self._cell_last_lines = given
            else:
                self._cell_last_lines = self._percent_cell_last_lines()
        return self._cell_last_lines

    def displays(self, statement: ast.stmt) -> bool:
        """Whether ``statement`` is the module-level statement that ends a cell, whose
        value (when it is an expression) the cell shows: ``model.eval`` there
        displays the bound method. A statement inside a ``for``, ``if`` or ``def``
        is never shown, even when it ends on a cell's last line; neither is one
        followed by ``;``."""
        if self._cell_ends is None:
            last_lines = self.cell_last_lines
            body = self.tree.body
            self._cell_ends = frozenset(
                id(stmt)
                for i, stmt in enumerate(body)
                if (stmt.end_lineno or stmt.lineno) in last_lines
                # ``a; b``: only ``b`` ends the cell.
                and (i + 1 == len(body) or body[i + 1].lineno != stmt.end_lineno)
            )
        return id(statement) in self._cell_ends

    def _percent_cell_last_lines(self) -> frozenset[int]:
        lines = self.lines
        if not any(_CELL_MARKER.match(line) for line in lines):
            return frozenset()
        body = self.tree.body
        found: set[int] = set()
        for i, stmt in enumerate(body):
            end = stmt.end_lineno or stmt.lineno
            if i + 1 < len(body):
                following = body[i + 1]
                decorators = getattr(following, "decorator_list", ())
                start = min([following.lineno, *(d.lineno for d in decorators)])
                # Only blank and comment lines lie between two statements.
                if not any(_CELL_MARKER.match(line) for line in lines[end : start - 1]):
                    continue
            if end <= len(lines):
                rest = lines[end - 1].encode("utf-8")[stmt.end_col_offset or 0 :]
                if not rest.lstrip().startswith(b";"):
                    found.add(end)
        return frozenset(found)

    def report(
        self,
        code: str,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        **kwargs: object,
    ) -> None:
        rule = registry.get(code)
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        self.diagnostics.append(
            Diagnostic(
                line, col, code, rule.format(*args, **kwargs), end_line, end_col, tuple(data)
            )
        )

    def source_of(self, node: ast.AST) -> str:
        """The source text of ``node`` (as ast.get_source_segment, on our lines).

        The lines are split the way ``ast`` counts them once per file, not per
        call (``ast.get_source_segment`` re-splits the whole text every time).
        """
        try:
            first = node.lineno - 1  # type: ignore[attr-defined]
            last = node.end_lineno - 1  # type: ignore[attr-defined]
            start: int = node.col_offset  # type: ignore[attr-defined]
            end: int | None = node.end_col_offset  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            return ""
        if end is None:
            return ""
        lines = self._ast_lines
        if lines is None:
            # newline="": split at \r\n, \r and \n and keep them, as ast counts lines.
            lines = self._ast_lines = io.StringIO("".join(self.lines), newline="").readlines()
            # Encoded once: encoding a long line for every node on it is quadratic.
            self._ast_bytes = [None if line.isascii() else line.encode() for line in lines]
        if not 0 <= first <= last < len(lines):
            return ""
        if first == last:
            return self._cut(first, start, end)
        head = self._cut(first, start, None)
        return "".join([head, *lines[first + 1 : last], self._cut(last, 0, end)])

    def _cut(self, index: int, start: int, end: int | None) -> str:
        """Line ``index`` from ``start`` to ``end`` in UTF-8 bytes, as ``ast`` gives columns."""
        data = self._ast_bytes[index]
        if data is None:
            assert self._ast_lines is not None
            return self._ast_lines[index][start:end]
        return data[start:end].decode(errors="replace")


class Check:
    """Base class of every rule implementation."""

    codes: ClassVar[tuple[str, ...]] = ()
    nodes: ClassVar[tuple[type[ast.AST], ...]] = ()
    requires: ClassVar[frozenset[str]] = frozenset()
    """Top-level packages of which the file must import at least one (empty: always run)."""
    names: ClassVar[frozenset[str] | None] = None
    """For a check visiting ``ast.Name``/``ast.Attribute`` nodes that only ever acts on some
    names (looks them up in a table of qualified names): the ids and attribute names it
    can act on (see :func:`mlsmells.semantic.model.last_names`). The engine then hands
    it only the attributes named so, and the names that are so or are bound to an import
    (whose qualified name may end in anything). ``None``: every such node."""

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.active = active

    def visit(self, node: ast.AST) -> None:
        raise NotImplementedError

    def leave_scope(self, scope: Scope) -> None:
        """Called when a function, lambda or class scope (or the module) ends."""

    def report(
        self,
        code: str,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        **kwargs: object,
    ) -> None:
        if code in self.active:
            self.ctx.report(code, node, *args, data=data, **kwargs)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__()
        if cls.codes:
            _CHECKS.append(cls)


def all_checks() -> list[type[Check]]:
    import mlsmells.rules  # noqa: F401  (registers the checks)

    return list(_CHECKS)


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


def import_roots(tree: ast.Module) -> set[str]:
    """Top-level packages imported anywhere in ``tree`` (cheap: statements only)."""
    roots: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    blocks = _BLOCKS
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                roots.add(node.module.split(".")[0])
        else:
            fields = blocks.get(node.__class__)
            if fields is None:
                names = node.__class__._fields
                fields = blocks[node.__class__] = tuple(f for f in _BLOCK_FIELDS if f in names)
            for field in fields:
                stack.extend(getattr(node, field))
    return roots


_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCKS: dict[type[ast.AST], tuple[str, ...]] = {}
"""Node class -> its fields holding statements (or handlers, cases); none for simple ones."""


class Engine:
    """Runs the active checks over parsed modules."""

    def __init__(self, active: frozenset[str] | None = None) -> None:
        self.active = registry.select_codes() if active is None else active
        self.checks = [c for c in all_checks() if self.active.intersection(c.codes)]

    def run(
        self,
        tree: ast.Module,
        lines: Sequence[str],
        filename: str = "<string>",
        cell_last_lines: frozenset[int] = frozenset(),
        line_map: Mapping[int, tuple[int, int]] | None = None,
    ) -> list[Diagnostic]:
        """The findings in ``tree`` (parsed from ``lines``), sorted.

        For a notebook's module: ``cell_last_lines`` are the lines on which a cell's
        displayed last statement ends, ``line_map`` maps each line to (cell, line in
        cell); see :class:`Context`.
        """
        roots = import_roots(tree)
        checks = [c for c in self.checks if not c.requires or c.requires & roots]
        if not checks:
            return []

        def walk() -> list[Diagnostic]:
            ctx = Context(tree, lines, filename, cell_last_lines, line_map)
            _Walker(ctx, checks, self.active).walk_module(tree)
            return sorted(set(ctx.diagnostics))

        try:
            return walk()
        except RecursionError:
            pass
        try:  # valid code nested deeper than the recursion limit: walk again with room for it
            return call_deep(walk)
        except RecursionError:
            return [_internal_error("the engine", "expression nested too deeply")]

    def run_source(self, source: str, filename: str = "<string>") -> list[Diagnostic]:
        tree = ast.parse(source, filename=filename)
        return self.run(tree, source.splitlines(keepends=True), filename)


def _internal_error(who: str, what: str, line: int = 1) -> Diagnostic:
    code = registry.INTERNAL_ERROR_CODE
    message = f"{code} internal error in {who}: {what}; please report it"
    return Diagnostic(line, 0, code, message, line, 0)


_Handler = Callable[[ast.AST], None]
_Handlers = list[tuple["Check", _Handler]]
_Filtered = tuple["Check", _Handler, frozenset[str]]

#: ASDL field types that never hold a node worth walking into: names, literals,
#: and the operator / load-store singletons (walked only when a check asks for them).
_SCALAR_TYPES = frozenset({"identifier", "string", "constant", "int"})
_OPERATOR_TYPES = frozenset({"expr_context", "operator", "boolop", "unaryop", "cmpop"})
_OPERATOR_CLASSES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_SIGNATURE = re.compile(r"^(\w+)\((.*)\)$")

_NODE, _LIST, _ANY = 0, 1, 2
_Fields = tuple[tuple[str, int], ...]
"""The fields of a node class to walk, in order, each with what it holds: one node
(or None), a list of nodes (or None), or anything (checked at run time)."""


def _child_fields(cls: type[ast.AST], with_operators: bool = False) -> _Fields:
    """The fields of ``cls`` that can hold nodes, read from its ASDL signature (its docstring)."""
    doc = (cls.__doc__ or "").split("\n", 1)[0]
    match = _SIGNATURE.match(doc)
    parts = [part.split() for part in match.group(2).split(",") if part.strip()] if match else []
    if match is None or tuple(part[-1] for part in parts) != cls._fields:
        return tuple((name, _ANY) for name in cls._fields)
    fields: list[tuple[str, int]] = []
    for type_name, name in parts:
        base = type_name.rstrip("?*")
        if base in _SCALAR_TYPES or (base in _OPERATOR_TYPES and not with_operators):
            continue
        fields.append((name, _LIST if type_name.endswith("*") else _NODE))
    return tuple(fields)


_FIELDS: dict[bool, dict[type[ast.AST], _Fields]] = {False: {}, True: {}}
"""with_operators -> node class -> its :func:`_child_fields`, filled as classes are met."""


def iter_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)`` (same nodes, same order) without the operator and load/store/del
    nodes, several times faster: for rules that must look into a subtree."""
    table = _FIELDS[False]
    todo = collections.deque([node])
    push = todo.append
    pop = todo.popleft
    while todo:
        node = pop()
        fields = table.get(node.__class__)
        if fields is None:
            fields = table[node.__class__] = _child_fields(node.__class__)
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    push(value)
            elif holds == _LIST:
                for item in value or ():
                    if item is not None:
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))
        yield node


def names_in(node: ast.AST) -> list[ast.Name]:
    """The ``Name`` nodes in ``node``'s subtree (``node`` included), in ``ast.walk`` order."""
    return [sub for sub in iter_nodes(node) if sub.__class__ is ast.Name]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def iter_local_nodes(roots: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of ``roots`` and their subtrees in source order (depth first, each node
    before its children), not descending into nested definitions (a function, lambda or
    class is yielded, what it holds is not), without the operator and load/store/del
    nodes: for rules that look at the statements of one scope."""
    table = _FIELDS[False]
    stack = list(reversed(roots))
    pop = stack.pop
    while stack:
        node = pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue
        fields = table.get(node.__class__)
        if fields is None:
            fields = table[node.__class__] = _child_fields(node.__class__)
        children: list[ast.AST] = []
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    children.append(value)
            elif holds == _LIST:
                if value:
                    children.extend(item for item in value if item is not None)
            elif isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                children.extend(item for item in value if isinstance(item, ast.AST))
        children.reverse()
        stack.extend(children)


class _Walker:
    """The single walk: semantic bookkeeping plus dispatch, in source order."""

    def __init__(self, ctx: Context, checks: list[type[Check]], active: frozenset[str]) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.ancestors = ctx.ancestors
        self.instances = [c(ctx, active) for c in checks]
        self.leavers = [i for i in self.instances if type(i).leave_scope is not Check.leave_scope]
        """The checks that do something when a scope ends."""
        self.dispatch: dict[type[ast.AST], list[tuple[Check, _Handler]]] = {}
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

    def _fail(self, inst: Check, node: ast.AST | None, exc: BaseException) -> None:
        self.failed.add(id(inst))
        # Off for the rest of the file: new lists, so a dispatch loop in progress is unaffected.
        for node_type, handlers in self.dispatch.items():
            self.dispatch[node_type] = [h for h in handlers if h[0] is not inst]
        self.plans.clear()
        codes = ", ".join(inst.codes)
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        what = f"{type(exc).__name__}: {exc} ({frame.name}:{frame.lineno})"
        line = getattr(node, "lineno", 1) if node is not None else 1
        self.ctx.diagnostics.append(_internal_error(f"rule {codes}", what, line))

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
        walk = self.walk
        for stmt in body:
            walk(stmt)

    def _dispatch(self, handlers: list[tuple[Check, _Handler]], node: ast.AST) -> None:
        for inst, handler in handlers:
            try:
                handler(node)
            except RecursionError:
                raise
            except Exception as exc:  # noqa: BLE001 - isolation is the point
                self._fail(inst, node, exc)

    def _plan(self, cls: type[ast.AST]) -> _Plan:
        special = _SPECIAL.get(cls)
        fields: _Fields = ()
        if special is None:
            found = self.fields.get(cls)
            if found is None:
                found = self.fields[cls] = _child_fields(cls, self.with_operators)
            fields = found
        handlers = self.dispatch.get(cls)
        dispatcher: Callable[[ast.AST], None] | None = None
        if handlers:
            filtered = [(i, h, i.names) for i, h in handlers if i.names is not None]
            if cls in (ast.Name, ast.Attribute) and filtered:
                always = [(i, h) for i, h in handlers if i.names is None]
                self.filtered[cls] = (always, filtered)
                dispatcher = self._dispatch_name if cls is ast.Name else self._dispatch_attribute
            else:
                dispatcher = functools.partial(self._dispatch, handlers)
        plan = self.plans[cls] = (dispatcher, special, fields)
        return plan

    def _dispatch_name(self, node: ast.AST) -> None:
        """A name to the checks that may act on it (see :attr:`Check.names`)."""
        name: str = node.id  # type: ignore[attr-defined]
        binding = self.model.lookup(name)
        if binding is not None and binding.qualname is not None:
            self._dispatch(self.dispatch[ast.Name], node)  # an import: any qualified name
            return
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
        cls = node.__class__
        plan = self.plans.get(cls)
        if plan is None:
            plan = self._plan(cls)
        dispatcher, special, fields = plan
        if dispatcher is not None:
            dispatcher(node)
        if special is not None:
            self.ancestors.append(node)
            special(self, node)
            self.ancestors.pop()
            return
        if not fields:
            return  # a leaf (Name, Constant ...): no child would see it as an ancestor
        self.ancestors.append(node)
        walk = self.walk
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    walk(value)
            elif holds == _LIST:
                for item in value or ():
                    if item is not None:
                        walk(item)
            elif isinstance(value, ast.AST):  # only for a class whose signature was unreadable
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        walk(item)
        self.ancestors.pop()

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
        scope = self.model.enter_function(node, None)
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
            self.model.bind_unknown(gen.target)
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
        self._bind_loop_target(node.target, node.iter)
        self.walk(node.target)
        self.walk_body(node.body)
        self.walk_body(node.orelse)

    def _bind_loop_target(self, target: ast.expr, iterable: ast.expr) -> None:
        model = self.model
        source = iterable
        if (
            isinstance(iterable, ast.Call)
            and model.qualname(iterable.func) == "builtins.enumerate"
            and iterable.args
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            model.bind_unknown(target.elts[0])
            target, source = target.elts[1], iterable.args[0]
        if model.kind_of(source) is Kind.DATALOADER and isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                model.bind_kind(elt, Kind.TENSOR)
            return
        model.bind_unknown(target)

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


_Special = Callable[[_Walker, ast.AST], None]
_Plan = tuple[Callable[[ast.AST], None] | None, _Special | None, _Fields]
"""How to hand a node of a class to the checks (None: no check visits it), its special
walk, its fields."""

_SPECIAL: dict[type[ast.AST], _Special] = {
    ast.FunctionDef: _Walker._function,
    ast.AsyncFunctionDef: _Walker._function,
    ast.Lambda: _Walker._lambda,
    ast.ClassDef: _Walker._class,
    ast.ListComp: _Walker._comprehension,
    ast.SetComp: _Walker._comprehension,
    ast.GeneratorExp: _Walker._comprehension,
    ast.DictComp: _Walker._comprehension,
    ast.Assign: _Walker._assign,
    ast.AnnAssign: _Walker._ann_assign,
    ast.AugAssign: _Walker._aug_assign,
    ast.NamedExpr: _Walker._named_expr,
    ast.For: _Walker._for,
    ast.AsyncFor: _Walker._for,
    ast.With: _Walker._with,
    ast.AsyncWith: _Walker._with,
    ast.Import: _Walker._import,
    ast.ImportFrom: _Walker._import,
    ast.ExceptHandler: _Walker._except,
    ast.Delete: _Walker._delete,
}
