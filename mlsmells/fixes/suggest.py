"""The fix of each finding on its own, as text edits (for the reports and the editor).

:func:`suggest` runs the transform of every finding that has one against
the text the finding was reported in, applies that one fix alone (with the
imports it adds) and describes the change as minimal text edits: what
``mlsmells fix`` would do for this finding if it were the only one. A finding
whose replacement needs a newer release than the project supports (it carries
``needs``) gets its fix too, labelled display-only: ``mlsmells fix`` never
applies it. A fix
that fails, or whose result does not parse, is simply not suggested (``mlsmells
fix`` reports such failures itself).

**The statement alone.** libcst parses about ten times slower than :mod:`ast`, and most
of a file is usually far from its findings. So a transform first runs against the
simple statement holding its finding, parsed alone below ``if 1:`` headers that give it
its indentation (in the file's unit, so libcst takes the same default indentation),
with the file's positions. What lies around the statement is refused: the node
enclosing it, a position outside it, the module (:class:`NeedsWholeModule`); then the
window answers. A statement that does not start its line (``if x: y = f()``), is
indented by no multiple of the file's indentation or has other line breaks than the
file's first is not parsed alone.

**The window.** Next, the transforms run against a *window* of the file: the same
text with every statement that holds none of the findings blanked out (its lines
emptied, their line breaks kept; inside a kept
function, class or other compound statement too, which keeps its header, and a
block left empty gets a ``pass``), so that every kept line, and so every position, is
where it is in the file. A top-level statement that a fix inserts a statement after
(ML102's generator goes after the last import) is kept too. A transform sees the
statement enclosing its finding exactly as in the whole file; whatever would need
the rest of the module falls back to the whole file (:class:`NeedsWholeModule`):
reading :attr:`FixContext.module` or :meth:`FixContext.names_in_module`, a top-level
statement the window did not keep, a fix that adds imports, a finding outside the
statements kept (a comment between two statements) and an edit reaching into a
blanked line. A fix that inserts statements after one (ML102's generator after the
imports) is spliced into the file's text and diffed as a whole. The result is the
whole file's, computed from a small part of its text on typical code
(``tests/test_fix_suggest.py`` compares the three on every fixture). The findings whose
rule decided that no fix applies (:data:`mlsmells.runner.FIX_KEY`) are not fixed,
but their statements stay in the window: another finding's fix may reach them.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState

from mlsmells import registry
from mlsmells.config import Settings
from mlsmells.diagnostics import ANCHOR_KEY, Diagnostic
from mlsmells.engine.nodes import text_digest
from mlsmells.fixes.apply import _apply, _parse_problem, _Replace, _safety
from mlsmells.fixes.base import Edit, FixContext, N, RoundTripError
from mlsmells.fixes.files import LONE_BACKSLASH, split_lines
from mlsmells.records import Fix
from mlsmells.registry import TRANSFORMS
from mlsmells.runner import FIX_KEY
from mlsmells.versions import DISPLAY

_FAILURES = (cst.ParserSyntaxError, RoundTripError, SyntaxError, ValueError, RecursionError)


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from ``start`` to ``end`` by ``content``.

    Positions are (line, column): the line 1-based, the column a 0-based
    offset in characters (not bytes) of the text the edit applies to. An
    insertion has ``start == end``.
    """

    start: tuple[int, int]
    end: tuple[int, int]
    content: str


@dataclass(frozen=True)
class Suggestion:
    """The fix of one finding."""

    applicability: Fix
    """``Fix.SAFE`` or ``Fix.UNSAFE`` (after ``extend-safe-fixes``/``extend-unsafe-fixes``)."""
    message: str
    """What the fix does (the rule's fix summary)."""
    edits: tuple[TextEdit, ...]
    needs: str | None = None
    """For a display-only fix (``mlsmells fix`` never applies it): the library release its
    replacement needs, which the project's oldest supported release lacks
    (``scikit-learn 1.2``)."""

    @property
    def kind(self) -> str:
        """``safe``, ``unsafe`` or ``display-only``: how JSON and SARIF label the fix."""
        return "display-only" if self.needs is not None else self.applicability.value


class NeedsWholeModule(Exception):
    """A transform running in a part of the file (a statement alone, a window) asked for
    something only more of it has: the next wider part answers, at last the whole file."""


def suggest(
    text: str,
    diagnostics: Sequence[Diagnostic],
    settings: Settings,
    parsed: tuple[str, ast.Module] | None = None,
) -> dict[Diagnostic, Suggestion]:
    """The fix of each of ``diagnostics`` (found in ``text``) that has one (none for a
    finding whose rule decided, when it reported it, that its fix does not apply; its
    statement is still in the window: another finding's fix may reach it). ``parsed``:
    the digest of the source the check parsed and the statements of its tree
    (:attr:`~mlsmells.runner.FileResult.parsed`), which the window is planned on when
    that source is ``text``."""
    with_fix = [d for d in diagnostics if d.code in TRANSFORMS]
    wanted = [d for d in with_fix if d.get(FIX_KEY) != Fix.NONE.value]
    if not wanted:
        return {}
    found: dict[Diagnostic, Suggestion] = {}
    source = _Source.of(text, parsed)
    if source is None:
        rest = wanted
    else:
        made: dict[tuple[int, int], _Fixer | None] = {}
        rest = _suggest_each(wanted, lambda d: source.statement(d, settings, made), settings, found)
        if rest:
            window = _Fixer.window(source, with_fix, settings)
            rest = _suggest_each(rest, lambda d: window, settings, found)
    if rest:
        try:
            whole = _Fixer(FixContext(text, settings.seed, settings.targets))
        except _FAILURES:
            return found
        _suggest_each(rest, lambda d: whole, settings, found)  # (the whole file tells all)
    return found


def _suggest_each(
    diagnostics: Sequence[Diagnostic],
    fixer_of: Callable[[Diagnostic], _Fixer | None],
    settings: Settings,
    found: dict[Diagnostic, Suggestion],
) -> list[Diagnostic]:
    """The fix of each of ``diagnostics`` in the part of the file ``fixer_of`` gives for it,
    into ``found``; the findings that no such part can tell (there is none, or it raised
    :class:`NeedsWholeModule`), for a wider part."""
    rest: list[Diagnostic] = []
    for diag in diagnostics:
        fixer = fixer_of(diag)
        try:
            if fixer is None:
                raise NeedsWholeModule("no part of the file to fix in")
            suggestion = fixer.suggest(diag, settings)
        except NeedsWholeModule:
            rest.append(diag)
            continue
        if suggestion is not None:
            found[diag] = suggestion
    return rest


class _Source:
    """The text of a file with its statements (:mod:`ast`): what the parts that fixes are
    suggested in are planned on."""

    def __init__(self, text: str, lines: list[str], tree: ast.Module) -> None:
        self.text = text
        self.lines = lines
        self.tree = tree
        self._indent: str | None = None

    @classmethod
    def of(cls, text: str, parsed: tuple[str, ast.Module] | None) -> _Source | None:
        """``None`` when the file is fixed whole: it does not parse, or it has a line
        libcst does not give back. ``parsed``: see :func:`suggest`."""
        if LONE_BACKSLASH.search(text):  # (the whole file has no fixes)
            return None
        lines = split_lines(text)
        source = "".join(_ending_as_newline(line) for line in lines)
        if parsed is not None and parsed[0] == text_digest(source):
            return cls(text, lines, parsed[1])  # (the check's statements: what it checked)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return cls(text, lines, ast.parse(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def indent(self) -> str:
        """The indentation libcst takes as the file's: its first indented line's (``""``
        when no line is indented)."""
        if self._indent is None:
            self._indent = ""
            block = _first_block(self.tree)
            if block is not None:
                self._indent = _indentation(self.lines[block[1] - 1])
        return self._indent

    def statement(
        self,
        diag: Diagnostic,
        settings: Settings,
        made: dict[tuple[int, int], _Fixer | None],
    ) -> _Fixer | None:
        """The fixer of the simple statement holding ``diag`` alone (made once per statement,
        in ``made``); ``None`` when the finding is not inside one, or the statement cannot be
        parsed alone: it does not start its line (``if x: y = f()``), its indentation is no
        multiple of the file's, or its line breaks are not the file's first."""
        statement = _innermost(self.tree.body, diag)
        if statement is None:
            return None
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        if (first, last) not in made:
            made[first, last] = None
            indent = _indentation(self.lines[first - 1])
            unit = self.indent()
            depth = len(indent) // len(unit) if unit else 0
            newline = _ending(self.lines[0])
            if (
                statement.col_offset == len(indent.encode("utf-8"))
                and indent == unit * depth
                and depth < first
                and all(_ending(text) in (newline, "") for text in self.lines[first - 1 : last])
            ):
                try:
                    ctx = _StatementContext(self, first, last, unit, depth, settings)
                except _FAILURES:
                    return None
                made[first, last] = _Fixer(ctx, kept=frozenset(range(first, last + 1)),
                                           original=self.text)
        return made[first, last]


def _innermost(statements: list[ast.stmt], diag: Diagnostic) -> ast.stmt | None:
    """The simple statement (no block of its own) whose lines hold ``diag``, if any."""
    for statement in statements:
        if statement.lineno > diag.line:
            return None
        if (statement.end_lineno or statement.lineno) < diag.end_line:
            continue
        blocks = _blocks(statement)
        if not blocks:
            return statement if _first_line(statement) <= diag.line else None
        for block in blocks:
            inner = _innermost(block, diag)
            if inner is not None:
                return inner
        return None
    return None


class _WindowContext(FixContext):
    """A :class:`FixContext` over a window: the module-wide questions are refused."""

    @property
    def module(self) -> cst.Module:
        raise NeedsWholeModule("the module")

    def names_in_module(self) -> frozenset[str]:
        raise NeedsWholeModule("the names of the module")

    def statement_ending_on(self, line: int) -> cst.BaseStatement | None:
        found = super().statement_ending_on(line)
        if found is None:
            raise NeedsWholeModule("a top-level statement not kept")
        return found


class _StatementContext(_WindowContext):
    """A :class:`FixContext` over one simple statement of the file alone, below ``if 1:``
    headers that give it its indentation (in the file's unit, as the file's first indented
    line, so that libcst takes the same default indentation): positions are the file's.
    What lies around the statement is refused, its enclosing statements too (the headers
    are not the file's)."""

    def __init__(
        self, source: _Source, first: int, last: int, unit: str, depth: int, settings: Settings
    ) -> None:
        newline = _ending(source.lines[0]) or "\n"
        headers = "".join(f"{unit * level}if 1:{newline}" for level in range(depth))
        text = headers + "".join(source.lines[first - 1 : last])
        super().__init__(text, settings.seed, settings.targets, first_line=first - depth)
        self.lines = source.lines
        self.first, self.last = first, last
        self._headers = {id(self._module)}
        """The nodes that are not the file's: the module, the headers and their blocks."""
        block: cst.Module | cst.BaseSuite = self._module
        for _ in range(depth):
            header = block.body[0]
            assert isinstance(header, cst.If)
            block = header.body
            self._headers.update((id(header), id(block)))

    def find(self, diag: Diagnostic, *types: type[N]) -> N | None:
        if diag.line < self.first or diag.end_line > self.last:
            raise NeedsWholeModule("a position outside the statement")
        return super().find(diag, *types)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        found = super().parent(node)
        if found is None or id(found) in self._headers:
            raise NeedsWholeModule("the statements around the finding's")
        return found

    def ancestors(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        raise NeedsWholeModule("the statements around the finding's")

    def statement_ending_on(self, line: int) -> cst.BaseStatement | None:
        raise NeedsWholeModule("a top-level statement")


class _Fixer:
    """Suggests fixes in a context: of the whole file, or of a window of it (``blanked``:
    the lines emptied, 1-based)."""

    def __init__(
        self,
        ctx: FixContext,
        blanked: frozenset[int] = frozenset(),
        kept: frozenset[int] = frozenset(),
        original: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.original = ctx.text if original is None else original
        """The text of the file (a window's context holds the window's)."""
        self.blanked = blanked
        self.kept = kept
        """The lines of the top-level statements a window keeps."""
        self.windowed = isinstance(ctx, _WindowContext)
        self._starts: dict[int, int] | None = None

    @classmethod
    def window(
        cls, source: _Source, findings: Sequence[Diagnostic], settings: Settings
    ) -> _Fixer | None:
        """The window of ``findings`` in the file; ``None`` when the file is fixed whole:
        every top-level statement holds a finding, or the window does not parse."""
        lines, tree = source.lines, source.tree
        plan = _Plan(lines)
        plan.block(tree.body, findings, top=True)
        kept, blanked = plan.kept, plan.blanked - plan.kept
        if not blanked:
            return None
        window = [_ending(line) if n in blanked else line for n, line in enumerate(lines, 1)]
        for at in plan.stubs(blanked):
            line = lines[at - 1]
            window[at - 1] = _indentation(line) + "pass" + _ending(line)
        stub = _indent_stub(source, blanked)
        if stub is not None:
            at, indent = stub
            window[at - 1] = "if 1:" + _ending(lines[at - 1])
            window[at] = f"{indent}pass{_ending(lines[at])}"
        try:
            ctx = _WindowContext("".join(window), settings.seed, settings.targets)
        except _FAILURES:
            return None
        return cls(ctx, frozenset(blanked), frozenset(kept), source.text)

    def suggest(self, diag: Diagnostic, settings: Settings) -> Suggestion | None:
        """The fix of ``diag``; :class:`NeedsWholeModule` when a window cannot tell."""
        ctx = self.ctx
        if self.windowed and not all(n in self.kept for n in range(diag.line, diag.end_line + 1)):
            raise NeedsWholeModule("a finding outside the statements kept")
        try:
            edit = TRANSFORMS[diag.code](ctx, diag)
            if edit is None:
                return None
            safety = settings.fix_safety(diag.code, _safety(diag.code, edit))
            local = None
            if not edit.imports and not isinstance(edit.node, cst.Module):
                local = self._replace(edit)
            if local is None:
                if self.windowed:
                    raise NeedsWholeModule("imports, or the module")
                local = ctx.text, _apply(ctx, [edit]), 1, False
        except NeedsWholeModule:
            raise
        except Exception:  # noqa: BLE001 - a broken fix is not suggested; `fix` reports it
            return None
        old, new, start, indented = local
        if new == old or _parse_problem(_parsable(new, indented), "<fix>") is not None:
            return None
        edits = tuple(
            TextEdit(
                (e.start[0] + start - 1, e.start[1]), (e.end[0] + start - 1, e.end[1]), e.content
            )
            for e in text_edits(old, new)
        )
        if old is not self.original and any(
            n in self.blanked for e in edits for n in range(e.start[0], e.end[0] + 1)
        ):
            raise NeedsWholeModule("an edit of a blanked line")
        return Suggestion(safety, registry.get(diag.code).fix_summary, edits, _needs(diag))

    def _replace(self, edit: Edit) -> tuple[str, str, int, bool] | None:
        """The code of the innermost statement holding the edited node (with its leading
        comment and blank lines and its indentation), before and after the edit, the
        line it starts on and whether it is indented; ``None`` when the code generated is
        not the text of the file there (then the whole module is generated)."""
        ctx = self.ctx
        chain = [*ctx.enclosing(edit.node), edit.node]
        for i in range(len(chain) - 1, 0, -1):
            statement = chain[i]
            if not isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                continue
            indent = "".join(
                self._indent(block) for block in chain[:i] if isinstance(block, cst.IndentedBlock)
            )
            old = self._code(statement, indent)
            size = len(split_lines(old))
            if getattr(statement, "decorators", ()):
                start = self._top_start(statement) if i == 1 else None
            else:
                start = ctx.span(statement)[0] - len(statement.leading_lines)
            if start is None or "".join(ctx.lines[start - 1 : start - 1 + size]) != old:
                return None  # (not the file's text: let the whole module tell)
            new = statement.visit(_Replace(ctx, [edit]))
            if isinstance(new, cst.FlattenSentinel):
                # Statements in its place (it and new ones after it): their code in the
                # file's text, diffed as a whole, as the whole module would be.
                lines = split_lines(self.original)
                if "".join(lines[start - 1 : start - 1 + size]) != old:
                    return None  # (its leading lines hold a blanked statement)
                code = "".join(self._code(node, indent) for node in new.nodes)
                spliced = "".join(lines[: start - 1]) + code + "".join(lines[start - 1 + size :])
                return self.original, spliced, 1, False
            if not isinstance(new, cst.CSTNode):
                return None  # (removed: the whole module tells)
            return old, self._code(new, indent), start, bool(indent)
        return None

    def _indent(self, block: cst.IndentedBlock) -> str:
        return block.indent if block.indent is not None else self.ctx._module.default_indent

    def _code(self, node: cst.CSTNode, indent: str) -> str:
        """The code of a statement indented by ``indent``, as the module generates it."""
        module = self.ctx._module
        state = CodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        if indent:
            state.increase_indent(indent)
        node._codegen(state)
        return "".join(state.tokens)

    def _top_start(self, statement: cst.CSTNode) -> int | None:
        """The line the code of a top-level statement starts on."""
        if self._starts is None:
            module = self.ctx._module
            line = 1 + len(module.header)
            self._starts = {}
            for node in module.body:
                self._starts[id(node)] = line
                line += len(split_lines(module.code_for_node(node)))
        return self._starts.get(id(statement))


class _Plan:
    """Which lines a window keeps and which it blanks: a statement holding no finding is
    blanked; one holding a finding is kept, whole, unless every finding in it lies inside
    the statements of its blocks (a function's, a class's, a loop's ...), whose statements
    are then planned the same way (the lines of the statement outside them, its header,
    are kept). A block whose statements are all blanked keeps a ``pass`` on the first line
    of its first statement. A top-level statement that a fix inserts a statement after
    (a finding's :data:`~mlsmells.diagnostics.ANCHOR_KEY`) is kept."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.kept: set[int] = set()
        self.blanked: set[int] = set()
        self._emptied: list[list[ast.stmt]] = []

    def block(self, statements: list[ast.stmt], findings: Sequence[Diagnostic], top: bool) -> None:
        emptied = True
        anchors = {d.get(ANCHOR_KEY) for d in findings} if top else set()
        for statement in statements:
            first, last = _first_line(statement), statement.end_lineno or statement.lineno
            inside = [d for d in findings if first <= d.line <= last or first <= d.end_line <= last]
            if not inside and top and str(last) in anchors:
                self.kept.update(range(first, last + 1))  # (a fix inserts a statement after it)
                continue
            if not inside:
                self.blanked.update(range(first, last + 1))
                continue
            emptied = False
            blocks = _blocks(statement)
            children = [(_first_line(c), c.end_lineno or c.lineno) for b in blocks for c in b]
            if not children or not all(
                any(a <= d.line and d.end_line <= b for a, b in children) for d in inside
            ):
                self.kept.update(range(first, last + 1))
                continue
            held = {n for a, b in children for n in range(a, b + 1)}
            self.kept.update(n for n in range(first, last + 1) if n not in held)
            for inner in blocks:
                self.block(inner, inside, top=False)
        if emptied and not top and statements:
            self._emptied.append(statements)

    def stubs(self, blanked: set[int]) -> list[int]:
        """The lines that get a ``pass``: the first of each block emptied by the window."""
        found = []
        for statements in self._emptied:
            lines = {
                n
                for s in statements
                for n in range(_first_line(s), (s.end_lineno or s.lineno) + 1)
            }
            at = _first_line(statements[0])
            if lines <= blanked and at in blanked:
                found.append(at)
        return found


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of statements of a compound statement."""
    found: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            found.append(block)
    for handler in getattr(statement, "handlers", ()):
        found.append(handler.body)
    for case in getattr(statement, "cases", ()):
        found.append(case.body)
    return found


def _parsable(code: str, indented: bool) -> str:
    """A statement's code that :func:`ast.parse` takes on its own (an ``indented`` one
    inside ``if 1:``)."""
    return "if 1:\n" + code if indented else code


def _first_line(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _ending_as_newline(line: str) -> str:
    return line.rstrip("\r\n") + "\n" if _ending(line) else line


def _blank(line: str) -> str:
    return _ending(line)


def _indent_stub(source: _Source, blanked: set[int]) -> tuple[int, str] | None:
    """Where the window needs a stub block so that libcst detects the file's indentation
    (from its first indented line, which may be blanked): (the line for ``if 1:``, the
    indentation of the ``pass`` on the line after it), or ``None``."""
    block = _first_block(source.tree)
    if block is None or _first_line(block[0]) not in blanked:
        return None  # (no indented line, or the file's first indented block is kept)
    return _first_line(block[0]), source.indent()


def _indentation(line: str) -> str:
    """The whitespace a line starts with."""
    return line[: len(line) - len(line.lstrip(" \t\f"))]


def _first_block(tree: ast.Module) -> tuple[ast.stmt, int] | None:
    """The top-level statement whose block is the file's first indented one and the line
    that block starts on (libcst takes its indentation as the file's), or ``None``."""
    for statement in tree.body:
        children = getattr(statement, "body", None) or getattr(statement, "cases", None)
        if not isinstance(children, list) or not children:
            continue
        inner = children[0]
        if not isinstance(inner, (ast.stmt, ast.match_case)):
            continue
        line = inner.pattern.lineno if isinstance(inner, ast.match_case) else inner.lineno
        if line <= statement.lineno:
            continue  # `if x: y` on one line: no indented block
        return statement, line
    return None


# ----------------------------------------------------------------- text edits
def _needs(diag: Diagnostic) -> str | None:
    """``scikit-learn 1.2`` for a finding whose replacement needs that release."""
    needs = diag.get("needs")
    if needs is None:
        return None
    library, _, release = needs.partition(" ")
    return f"{DISPLAY.get(library, library)} {release}"


def text_edits(old: str, new: str) -> tuple[TextEdit, ...]:
    """Minimal edits turning ``old`` into ``new``: one per changed run of lines, trimmed."""
    old_lines = split_lines(old)
    new_lines = split_lines(new)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    # The lines both texts start and end with are left out of the matching (a fix
    # changes a few lines of a file: the matcher's time grows with the lines it is given).
    # The end first: lines inserted before blank lines are put after the statement before
    # those blank lines, as the matcher does when it is given every line.
    size = min(len(old_lines), len(new_lines))
    tail = 0
    while tail < size and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    head = 0
    while head < size - tail and old_lines[head] == new_lines[head]:
        head += 1
    matcher = difflib.SequenceMatcher(
        None,
        old_lines[head : len(old_lines) - tail],
        new_lines[head : len(new_lines) - tail],
        autojunk=False,
    )
    edits: list[TextEdit] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        before = "".join(old_lines[i1:i2])
        after = "".join(new_lines[j1:j2])
        prefix = _common_prefix(before, after)
        suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
        start = starts[i1] + prefix
        end = starts[i1] + len(before) - suffix
        edits.append(
            TextEdit(
                _position(old_lines, starts, start),
                _position(old_lines, starts, end),
                after[prefix : len(after) - suffix],
            )
        )
    return tuple(edits)


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    i = 0
    while i < size and a[i] == b[i]:
        i += 1
    return i


def _position(lines: Sequence[str], starts: Sequence[int], offset: int) -> tuple[int, int]:
    """(line, column) of a character offset; after a final line break, the line after it."""
    ends_open = bool(lines) and not lines[-1].endswith(("\n", "\r"))
    low, high = 0, len(lines) - 1 if ends_open else len(lines)
    while low < high:  # the last line starting at or before ``offset``
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low + 1, offset - starts[low]
