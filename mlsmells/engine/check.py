"""What a rule implementation is: the per-file :class:`Context` it works in, the
:class:`Check` base class of detectors, and :class:`Analysis`, a computation that
several checks share.

A check declares the rule records it reports (``rules``), the node types it visits,
the libraries a file must import for it to run, and the analyses it reads. Nothing
here knows any rule: the registry lists the rule modules, and the engine runs what
it is given.
"""

from __future__ import annotations

import ast
import functools
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import ClassVar, TypeVar

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine.nodes import identifiers
from mlsmells.records import Rule
from mlsmells.semantic.index import ProjectView
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.program import Program
from mlsmells.semantic.scopes import Scope
from mlsmells.semantic.text import has_identifier
from mlsmells.versions import NEWEST, Targets

A = TypeVar("A", bound="Analysis")

#: A cell boundary of a script with cells: ``# %%`` (Jupytext, VS Code, Spyder), a line
#: of ``#`` only (sphinx-gallery), or ``# In[12]:`` (a notebook exported by nbconvert).
_CELL_MARKER = re.compile(r"^\s*#\s*%%|^\s*#{20,}\s*$|^\s*#\s*In\[[\s\d]*\]:\s*$")


class Context:
    """Per-file state shared by the checks: source, model, ancestors, findings."""

    def __init__(
        self,
        tree: ast.Module,
        lines: Sequence[str],
        filename: str,
        cell_last_lines: frozenset[int] = frozenset(),
        line_map: Mapping[int, tuple[int, int]] | None = None,
        program: Program | None = None,
        project: ProjectView | None = None,
        targets: Targets = NEWEST,
    ) -> None:
        self.tree = tree
        self.targets = targets
        """The library releases the file's project supports (:mod:`mlsmells.versions`)."""
        self.lines = lines
        self.filename = filename
        self.model = SemanticModel(program, project)
        self.ancestors: list[ast.AST] = []
        """The nodes enclosing the node being visited, outermost first."""
        self.diagnostics: list[Diagnostic] = []
        self.analyses: dict[type[Analysis], Analysis] = {}
        """The analyses running on this file, by class (the engine fills it)."""
        self.line_map = line_map
        """For a notebook: line of the module -> (cell number as the notebook shows it,
        line in that cell); ``None`` for any other file."""
        self._given_last_lines = cell_last_lines
        self._cell_last_lines: frozenset[int] | None = None
        self._cell_ends: frozenset[int] | None = None
        self._ast_lines: list[str] | None = None
        self._ast_bytes: list[bytes | None] = []
        """The UTF-8 bytes of each non-ASCII line of ``_ast_lines`` (None: ASCII)."""
        self._identifiers: frozenset[str] | None = None

    @functools.cached_property
    def text(self) -> str:
        """The source, whole."""
        return "".join(self.lines)

    def uses_name(self, name: str) -> bool:
        """Whether ``name`` is an identifier anywhere in the module (:func:`identifiers`):
        a fix that would add it, or an import binding it, is not made then. For a rule
        deciding its fix when it reports a finding: the module is walked once, the first
        time a name that occurs in its text is asked about (a name that does not is no
        identifier of it)."""
        if self._identifiers is None:
            if not has_identifier(self.text, name):
                return False
            self._identifiers = identifiers(self.tree)
        return name in self._identifiers

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
        (no ``;`` after it): for a notebook, as the caller gave them; for a script
        with cells (begun by ``# %%`` or sphinx-gallery's ``####...`` lines, shown like
        notebook cells by Jupytext, VS Code and Spyder, or by the ``# In[12]:`` lines of
        a notebook exported by nbconvert), found here.
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
        rule: Rule,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        replacement_since: tuple[str, str | None] | None = None,
        **kwargs: object,
    ) -> None:
        """Report ``rule`` at ``node``. ``replacement_since``: (library, release) from which
        the replacement the finding proposes exists; when the project supports an older
        release, the message says which it needs, and the finding carries it as
        ``needs`` (its fix is then display-only: shown, never applied)."""
        message = rule.format(*args, **kwargs)
        if replacement_since is not None:
            missing = self.targets.missing(*replacement_since)
            if missing is not None:
                message += f" (the replacement needs {missing})"
                library, release = replacement_since
                data = (*data, ("needs", f"{library} {release}"))
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        self.diagnostics.append(
            Diagnostic(line, col, rule.code, message, end_line, end_col, tuple(data))
        )

    def analysis(self, kind: type[A]) -> A:
        """The instance of the analysis ``kind`` running on this file (see :class:`Analysis`):
        only for a check that lists it in its :attr:`Check.needs`."""
        found = self.analyses[kind]
        assert isinstance(found, kind)
        return found

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


class Visitor:
    """What the engine drives during its walk: a check or an analysis."""

    nodes: ClassVar[tuple[type[ast.AST], ...]] = ()
    """The node types handed to :meth:`visit`, in source order."""
    requires: ClassVar[frozenset[str]] = frozenset()
    """Top-level packages of which the file must import at least one (empty: always run)."""
    names: ClassVar[frozenset[str] | None] = None
    """For a visitor of ``ast.Name``/``ast.Attribute`` nodes that only ever acts on some
    names (looks them up in a table of qualified names): the ids and attribute names it
    can act on (see :func:`mlsmells.semantic.names.last_names`). The engine then hands
    it only the attributes named so, and the names that are so or whose qualified name
    ends so (a name bound to an import, or an alias of one: ``from torch import qr as q``).
    ``None``: every such node."""

    call_names: ClassVar[frozenset[str] | None] = None
    """For a visitor of ``ast.Call`` nodes that only ever acts on calls of some names (looks
    the callee up in a table of qualified names): the last names of the callees it can
    act on (as :attr:`names`). The engine then hands it only the calls of an attribute
    named so, and of a name that is so or is bound to an import. ``None``: every call."""
    words: ClassVar[tuple[str, ...] | None] = None
    """Strings of which the file's text must contain at least one for the visitor to run
    (``None``: no such test). Only for a visitor that provably acts on nothing in a file
    without them: typically the last components of the qualified names it matches (an
    alias of an import still names them in its ``import`` line) and the attribute names
    it acts on. tests/test_gates.py checks that no fixture finding depends on them. (Each
    is a search of the whole text: a word containing another one is dropped.)"""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        words = cls.__dict__.get("words")
        if words is not None:
            kept = sorted(set(words), key=len)
            cls.words = tuple(w for i, w in enumerate(kept) if not any(k in w for k in kept[:i]))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model = ctx.model

    @classmethod
    def runs_on(cls, roots: AbstractSet[str], text: str) -> bool:
        """Whether to run on a file importing ``roots`` (which meet :attr:`requires`),
        of source ``text``: a cheap file-level test beyond the imports (default: one of
        :attr:`words` occurs in the text, if the visitor has them)."""
        words = cls.words
        return words is None or any(word in text for word in words)

    def visit(self, node: ast.AST) -> None:
        raise NotImplementedError

    def leave_scope(self, scope: Scope) -> None:
        """Called when a function, lambda or class scope (or the module) ends."""


class Analysis(Visitor):
    """A computation that several checks read (the data flow of the leakage rules ...).

    The engine runs an analysis on a file when an active check lists it in
    :attr:`Check.needs`, once however many checks need it, and hands it each node
    and each scope end before the checks, which read it with
    :meth:`Context.analysis`. An analysis reports nothing itself. When it raises,
    the engine reports an internal error and switches off the checks that need it.
    """


class Check(Visitor):
    """Base class of every rule implementation."""

    rules: ClassVar[tuple[Rule, ...]] = ()
    """The records of the rules this check reports (of its own rule module)."""
    codes: ClassVar[tuple[str, ...]] = ()
    """Their codes (set from :attr:`rules`)."""
    needs: ClassVar[tuple[type[Analysis], ...]] = ()
    """The analyses this check reads."""
    _by_code: ClassVar[Mapping[str, Rule]] = {}

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx)
        self.active = active

    def report(
        self,
        code: str,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        replacement_since: tuple[str, str | None] | None = None,
        **kwargs: object,
    ) -> None:
        if code in self.active:
            self.ctx.report(
                self._by_code[code],
                node,
                *args,
                data=data,
                replacement_since=replacement_since,
                **kwargs,
            )

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__()
        if "rules" in cls.__dict__:
            cls.codes = tuple(rule.code for rule in cls.rules)
            cls._by_code = {rule.code: rule for rule in cls.rules}
