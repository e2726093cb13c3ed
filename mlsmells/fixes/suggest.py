"""The fix of each finding on its own, as text edits (for JSON and SARIF output).

:func:`suggest` runs the transform of every finding that has one against
the text the finding was reported in, applies that one fix alone (with the
imports it adds) and describes the change as minimal text edits: what
``mlsmells fix`` would do for this finding if it were the only one. A finding
whose replacement needs a newer release than the project supports (it carries
``needs``) gets its fix too, labelled display-only: ``mlsmells fix`` never
applies it. A fix
that fails, or whose result does not parse, is simply not suggested (``mlsmells
fix`` reports such failures itself).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from mlsmells import registry
from mlsmells.config import Settings
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import _apply, _parse_problem, _safety
from mlsmells.fixes.base import FixContext, RoundTripError, split_lines
from mlsmells.records import Fix
from mlsmells.registry import TRANSFORMS
from mlsmells.versions import DISPLAY


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


def suggest(
    text: str, diagnostics: Sequence[Diagnostic], settings: Settings
) -> dict[Diagnostic, Suggestion]:
    """The fix of each of ``diagnostics`` (found in ``text``) that has one."""
    wanted = [d for d in diagnostics if d.code in TRANSFORMS]
    if not wanted:
        return {}
    try:
        ctx = FixContext(text, settings.seed, settings.targets)
    except (cst.ParserSyntaxError, RoundTripError, SyntaxError, ValueError, RecursionError):
        return {}
    found: dict[Diagnostic, Suggestion] = {}
    for diag in wanted:
        try:
            edit = TRANSFORMS[diag.code](ctx, diag)
            if edit is None:
                continue
            safety = settings.fix_safety(diag.code, _safety(diag.code, edit))
            fixed = _apply(ctx, [edit])
        except Exception:  # noqa: BLE001 - a broken fix is not suggested; `fix` reports it
            continue
        if fixed == text or _parse_problem(fixed, "<fix>") is not None:
            continue
        found[diag] = Suggestion(
            safety, registry.get(diag.code).fix_summary, text_edits(text, fixed), _needs(diag)
        )
    return found


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
    edits: list[TextEdit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
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
