"""``mlsmells check --add-noqa``: suppress every current finding with a ``# noqa`` comment.

The comment goes where flake8 reads it, and where ``mlsmells check`` reads
it too (:mod:`mlsmells.suppression`): at the end of the run of tokens that
holds the finding's line, that is before the ``NEWLINE``/``NL`` token that
ends it. For most lines that is the line itself; for a string spanning
several lines (or lines joined by backslashes) it is the last line of the
run, after the closing quotes; inside brackets every line is its own run.

An existing comment is merged with, never broken: a blanket ``# noqa`` is
left alone, the missing codes are added to a ``# noqa: CODES`` list (in its
separator style), and after any other comment (``# type: ignore``...)
``  # noqa: CODES`` is appended.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlsmells import records
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.files import (
    WriteScope,
    read_source_file,
    read_text_file,
    split_lines,
    write_source_file,
)
from mlsmells.sources import NOTEBOOK_SUFFIX, FileError
from mlsmells.suppression import _CODE_SEPARATOR, _NOQA_INLINE


@dataclass
class _Run:
    """Tokens up to a NL/NEWLINE: flake8 reads one noqa comment for all their lines."""

    end_line: int
    """The line of the NL/NEWLINE token, where the comment is (or goes)."""
    comment: tuple[int, int] | None
    """(start, end) columns of the comment on ``end_line``, if there is one."""
    codes: set[str] = field(default_factory=set)


def _runs(text: str) -> dict[int, _Run]:
    """Line -> the run covering it; :class:`FileError` when the text does not tokenize."""
    readline = io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")).readline
    try:
        tokens = list(tokenize.generate_tokens(readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise FileError(f"cannot tokenize: {exc}") from None
    by_line: dict[int, _Run] = {}
    first: int | None = None
    last = -1
    comment: tuple[int, int] | None = None
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first = tok.start[0] if first is None else min(first, tok.start[0])
        last = max(last, tok.end[0])
        if tok.type == tokenize.COMMENT and comment is None:
            comment = (tok.start[1], tok.end[1])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            run = _Run(tok.start[0], comment)
            for line in range(first, last + 1):
                by_line[line] = run
            first, last, comment = None, -1, None
    return by_line


def add_noqa(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """``text`` with ``# noqa`` codes covering ``diagnostics``, and the number of lines changed.

    ``text`` is the source the findings were reported in, with any line
    endings (they are kept). Internal errors (ML000) are not suppressed.
    """
    runs = _runs(text)
    wanted: list[_Run] = []
    for diag in diagnostics:
        if diag.code == records.INTERNAL_ERROR_CODE:
            continue
        run = runs.get(diag.line)
        if run is None:
            continue  # not a line of code: nothing reports there
        if not run.codes:
            wanted.append(run)
        run.codes.add(diag.code)
    lines = split_lines(text)
    changed = 0
    for run in wanted:
        index = run.end_line - 1
        if index >= len(lines):
            continue
        new = _with_codes(lines[index], run.comment, sorted(run.codes))
        if new != lines[index]:
            lines[index] = new
            changed += 1
    return "".join(lines), changed


def _with_codes(line: str, comment: tuple[int, int] | None, codes: Sequence[str]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if comment is None:
        return f"{body.rstrip()}  # noqa: {', '.join(codes)}{ending}"
    start, end = comment
    text = body[start:end]
    match = _NOQA_INLINE.search(text)
    if match is None:  # another comment: ours follows it
        return f"{body[:end].rstrip()}  # noqa: {', '.join(codes)}{body[end:]}{ending}"
    listed = match.group("codes")
    if listed is None:
        return line  # a blanket noqa already covers everything
    existing = tuple(c for c in _CODE_SEPARATOR.split(listed) if c.strip())
    missing = [code for code in codes if not code.startswith(existing)]
    if not missing:
        return line
    kept = listed.rstrip(", \t")
    separator = "," if "," in kept and ", " not in kept else ", "
    at = start + match.start("codes") + len(kept)
    return f"{body[:at]}{separator}{separator.join(missing)}{body[at:]}{ending}"


def add_noqa_to_file(
    path: Path, diagnostics: Sequence[Diagnostic], scope: WriteScope | None = None
) -> int:
    """Write the ``# noqa`` comments of ``diagnostics`` into ``path``; the lines changed.

    Raises :class:`FileError` when the file cannot be read, mapped back (a
    notebook) or written (``scope``: where it may be); it is then left as it was.
    """
    if path.suffix == NOTEBOOK_SUFFIX:
        from mlsmells import notebooks

        stored = read_text_file(path)
        try:
            notebook = notebooks.Notebook(stored.text)
        except notebooks.NotebookError as exc:
            raise FileError(str(exc)) from None
        source, changed = add_noqa(notebook.source, diagnostics)
        if not changed:
            return 0
        try:
            new_text = notebook.apply(source).text
        except notebooks.FixMappingError as exc:
            raise FileError(f"cannot add noqa comments: {exc}") from None
    else:
        stored = read_source_file(path)
        new_text, changed = add_noqa(stored.text, diagnostics)
    if changed:
        write_source_file(stored, new_text, scope)
    return changed
