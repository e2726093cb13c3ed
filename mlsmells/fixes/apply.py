"""The apply loop: detect, apply every non-overlapping fix of one pass, re-detect.

One pass runs the engine on the current text (suppressed findings are
dropped, exactly as ``mlsmells check`` drops them), asks the transform of
each remaining finding for an :class:`~mlsmells.fixes.base.Edit`, keeps the
edits the safety setting allows, drops those overlapping an earlier one,
replaces the nodes in one libcst transformer pass and adds the imports they
need. The result must parse; the next pass starts from it. The loop stops
when a pass has nothing left to apply, and gives up (keeping the original
text) when it has not stopped after :data:`MAX_PASSES` passes.

The text is fixed exactly as it is, line endings included: libcst reproduces
every byte outside the replaced nodes. Detection sees the same text with
``\\r\\n``/``\\r`` turned into ``\\n``, which changes no line number and no
column.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import libcst as cst

from mlsmells import registry, runner
from mlsmells.config import Settings
from mlsmells.deep import call_deep
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import gc_paused
from mlsmells.fixes.base import Edit, FixContext, ImportItem, RoundTripError, Span, split_lines
from mlsmells.fixes.files import FIX_SIZE_LIMIT_ENV, fix_size_limit, size_text
from mlsmells.notebooks import follow_line_map
from mlsmells.records import Fix
from mlsmells.registry import TRANSFORMS

MAX_PASSES = 10

_T = TypeVar("_T", bound=cst.CSTNode)


class FixError(Exception):
    """The fixes of a file had to be abandoned (the message is one line)."""


@dataclass(frozen=True)
class AppliedFix:
    diagnostic: Diagnostic
    """The finding as detected in the pass that fixed it (positions in that pass's text)."""
    safety: Fix
    """``Fix.SAFE`` or ``Fix.UNSAFE``."""
    pass_number: int


@dataclass(frozen=True)
class FixResult:
    """What fixing one source text did."""

    original: str
    source: str
    """The fixed text (``original`` when nothing was fixed, or on error)."""
    applied: tuple[AppliedFix, ...]
    before: tuple[Diagnostic, ...]
    """The findings of ``original`` (unsuppressed, of the active codes)."""
    remaining: tuple[Diagnostic, ...]
    """The findings of ``source``."""
    held_back: int = 0
    """Findings of ``source`` whose fix is unsafe and unsafe fixes were not enabled."""
    display_only: int = 0
    """Findings of ``source`` whose fix writes what some supported release lacks (the
    finding says which release it ``needs``): shown by ``check``, never applied."""
    error: str | None = None
    """Why the fixes were abandoned; ``source`` is then ``original``."""

    @property
    def changed(self) -> bool:
        return self.source != self.original

    def abandoned(self, why: str) -> FixResult:
        """This result with every fix dropped: the original text, for ``why``."""
        return FixResult(self.original, self.original, (), self.before, self.before, error=why)


def detection_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fix_source(
    source: str,
    filename: str,
    active: frozenset[str],
    *,
    settings: Settings | None = None,
    unsafe: bool = False,
    cell_last_lines: frozenset[int] = frozenset(),
    line_map: Mapping[int, tuple[int, int]] | None = None,
) -> FixResult:
    """Fix ``source`` to a fixed point.

    ``source`` is the decoded text exactly as stored (any line endings, no
    BOM). ``cell_last_lines`` and ``line_map`` are for notebooks (see
    :meth:`mlsmells.engine.Engine.run`); the loop follows them when a
    fix adds or removes lines. Raises :class:`mlsmells.sources.FileError` when
    ``source`` does not parse; every later problem is reported in
    :attr:`FixResult.error` with the original kept, as is a source above the size limit
    (:func:`mlsmells.fixes.files.fix_size_limit`), which is only checked.
    """
    settings = settings if settings is not None else Settings()

    def checked_only(why: str) -> FixResult:
        found = runner.check_source(
            detection_text(source),
            filename,
            active,
            cell_last_lines=cell_last_lines,
            line_map=line_map,
            targets=settings.targets,
        )
        return _abandon(source, tuple(found), why)

    too_big = _size_refusal(source)
    if too_big is not None:
        return checked_only(too_big)

    def run() -> FixResult:
        return _fix_source(source, filename, active, settings, unsafe, cell_last_lines, line_map)

    try:
        return run()
    except RecursionError:
        pass
    try:  # code nested deeper than the recursion limit (libcst recurses too): with room for it
        return call_deep(run)
    except RecursionError:
        return checked_only("the file is nested too deeply to fix; it is left unchanged")


def _fix_source(
    source: str,
    filename: str,
    active: frozenset[str],
    settings: Settings,
    unsafe: bool,
    cell_last_lines: frozenset[int],
    line_map: Mapping[int, tuple[int, int]] | None,
) -> FixResult:
    text = source
    applied: list[AppliedFix] = []
    first: tuple[Diagnostic, ...] = ()
    for number in range(1, MAX_PASSES + 2):
        found = runner.check_source(
            detection_text(text),
            filename,
            active,
            cell_last_lines=cell_last_lines,
            line_map=line_map,
            targets=settings.targets,
        )
        if number == 1:
            first = tuple(found)
        candidates = [d for d in found if d.code in TRANSFORMS and d.get("needs") is None]
        shown = sum(d.code in TRANSFORMS and d.get("needs") is not None for d in found)
        if not candidates:
            return FixResult(source, text, tuple(applied), first, tuple(found), 0, shown)
        try:
            # No cyclic garbage collection while libcst's tree is alive: the collector would
            # scan its millions of objects again and again (the time of fixing a big file
            # grew faster than the file). The tree is freed by reference counting.
            with gc_paused():
                chosen, held, new_text = _edit(text, settings, candidates, unsafe, number)
        except FixError as exc:
            return _abandon(source, first, str(exc))
        if not chosen:
            return FixResult(source, text, tuple(applied), first, tuple(found), held, shown)
        problem = _parse_problem(new_text, filename)
        if problem is not None:
            codes = ", ".join(sorted({d.code for d, _ in chosen}))
            return _abandon(
                source,
                first,
                f"the fixes ({codes}) produce code that does not parse ({problem}); "
                "the file is left unchanged; please report it",
            )
        applied.extend(AppliedFix(diag, safety, number) for diag, safety in chosen)
        cell_last_lines = _follow_lines(cell_last_lines, text, new_text)
        if line_map is not None:
            line_map = follow_line_map(line_map, split_lines(text), split_lines(new_text))
        text = new_text
    raise AssertionError("unreachable: the loop returns")  # pragma: no cover


def _edit(
    text: str, settings: Settings, candidates: Sequence[Diagnostic], unsafe: bool, number: int
) -> tuple[list[tuple[Diagnostic, Fix]], int, str]:
    """Pass ``number``: (the findings fixed and the safety of each fix, the number of unsafe
    fixes held back, the fixed text). Raises :class:`FixError` when the fixes of the file
    must be abandoned."""
    try:
        ctx = FixContext(text, settings.seed, settings.targets)
    except cst.ParserSyntaxError as exc:
        raise FixError(f"libcst cannot parse the file ({_first_line(exc)})") from None
    except RoundTripError as exc:
        raise FixError(f"{exc}; the file is left unchanged") from None
    chosen, held = _plan(ctx, settings, candidates, unsafe)
    if not chosen:
        return [], held, text
    if number > MAX_PASSES:
        codes = ", ".join(sorted({d.code for d, _, _ in chosen}))
        raise FixError(
            f"fixes did not converge after {MAX_PASSES} passes ({codes}); "
            "the file is left unchanged; please report it"
        )
    new_text = _apply(ctx, [edit for _, edit, _ in chosen])
    return [(diag, safety) for diag, _, safety in chosen], held, new_text


def _size_refusal(source: str) -> str | None:
    """Why ``source`` is too big to fix, or ``None``."""
    try:
        limit = fix_size_limit()
    except ValueError as exc:
        return f"not fixed: {exc}"
    if limit is None or len(source) <= limit:  # (characters: at most as many as bytes)
        return None
    size = len(source.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return None
    return (
        f"not fixed: {size_text(size)} of code, over the {size_text(limit)} that fix takes "
        f"(set {FIX_SIZE_LIMIT_ENV} to change it); checked only"
    )


def _abandon(source: str, found: tuple[Diagnostic, ...], why: str) -> FixResult:
    return FixResult(source, source, (), found, found, error=why)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _plan(
    ctx: FixContext, settings: Settings, candidates: Sequence[Diagnostic], unsafe: bool
) -> tuple[list[tuple[Diagnostic, Edit, Fix]], int]:
    """The edits of this pass (in source order, none overlapping) and the held-back count."""
    held = 0
    planned: list[tuple[Span, Diagnostic, Edit, Fix]] = []
    for diag in candidates:
        try:
            edit = TRANSFORMS[diag.code](ctx, diag)
        except Exception as exc:  # noqa: BLE001 - a broken fix must not take the file down
            what = f"{type(exc).__name__}: {exc}"
            raise FixError(f"internal error in the {diag.code} fix: {what}") from exc
        if edit is None:
            continue
        # extend-safe-fixes / extend-unsafe-fixes may promote or demote it.
        safety = settings.fix_safety(diag.code, _safety(diag.code, edit))
        if safety is Fix.UNSAFE and not unsafe:
            held += 1
            continue
        planned.append((ctx.span(edit.node), diag, edit, safety))
    planned.sort(key=lambda item: item[0])
    chosen: list[tuple[Diagnostic, Edit, Fix]] = []
    end: tuple[int, int] = (0, 0)
    for span, diag, edit, safety in planned:
        if (span[0], span[1]) < end:
            continue  # overlaps an edit of this pass: the next pass re-detects it
        chosen.append((diag, edit, safety))
        end = (span[2], span[3])
    return chosen, held


def _safety(code: str, edit: Edit) -> Fix:
    declared = registry.get(code).fix
    if declared is Fix.MIXED:
        if edit.safety not in (Fix.SAFE, Fix.UNSAFE):
            raise FixError(f"internal error in the {code} fix: a mixed fix must state its safety")
        return edit.safety
    if declared not in (Fix.SAFE, Fix.UNSAFE):
        raise FixError(f"internal error: {code} has a transform but no fix in the registry")
    return declared


class _Replace(cst.CSTTransformer):
    def __init__(self, ctx: FixContext, edits: Sequence[Edit]) -> None:
        super().__init__()
        self.replacements = {id(edit.node): edit.replacement for edit in edits}
        self.enclosing = {id(n) for edit in edits for n in ctx.enclosing(edit.node)}
        """ids of the nodes holding an edited node: the only ones the visit enters (the
        rest of the module is kept as it is, not rebuilt node by node)."""

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.enclosing and id(node) not in self.replacements

    def on_leave(self, original_node: _T, updated_node: _T) -> _T:
        # The replacement may be of another type (an Expr statement becomes an
        # Assign): libcst accepts any node its parent's field can hold.
        return cast(_T, self.replacements.get(id(original_node), updated_node))


def _apply(ctx: FixContext, edits: Sequence[Edit]) -> str:
    module = ctx.module.visit(_Replace(ctx, edits))
    imports: list[ImportItem] = []
    for edit in edits:
        for item in edit.imports:
            if item not in imports:
                imports.append(item)
    if imports:
        from libcst.codemod import CodemodContext  # (slow to import: only when needed)
        from libcst.codemod.visitors import AddImportsVisitor
        from libcst.codemod.visitors import ImportItem as Item

        items = [Item(i.module_name, i.obj_name, i.alias) for i in imports]
        module = AddImportsVisitor(CodemodContext(), items).transform_module(module)
    return ctx.code(module)


def _parse_problem(text: str, filename: str) -> str | None:
    try:
        with warnings.catch_warnings(), gc_paused():
            warnings.simplefilter("ignore")
            ast.parse(text, filename=filename)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return type(exc).__name__
    return None


def _follow_lines(lines: frozenset[int], old: str, new: str) -> frozenset[int]:
    """Where the given lines of ``old`` are in ``new`` (a changed block maps to its last line)."""
    if not lines:
        return lines
    matcher = difflib.SequenceMatcher(None, split_lines(old), split_lines(new), autojunk=False)
    moved: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for line in lines:
            if not i1 < line <= i2:
                continue
            if tag == "equal":
                moved.add(line - i1 + j1)
            elif j2 > j1 and line == i2:
                moved.add(j2)
    return frozenset(moved)
