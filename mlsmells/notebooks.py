"""Jupyter notebooks (``.ipynb``) in and out.

Reading uses the :mod:`json` module only (nbformat is not a dependency). The
code cells of a notebook, in order, become ONE Python module, so that names,
kinds and data flow are seen across cells exactly as the kernel sees them when
the notebook runs top to bottom:

- IPython syntax (``%line`` magics, ``!shell``, ``x = !cmd``, ``?help`` /
  ``help?``, ``get_ipython()`` lines, automagic ``pip install ...``) is masked
  line for line: each masked line becomes ``pass`` (or ``x = ...`` for an
  assignment from a magic), with its indentation kept, so line numbers and the
  columns of every other line do not move.
- A cell whose cell magic runs Python (``%%time``, ``%%timeit``, ``%%capture``
  ...) is checked without its magic line; a cell with any other cell magic
  (``%%bash``, ``%%html``, ``%%writefile`` ...) is not Python and is skipped.
- A cell that does not parse is left out of the module and reported once as a
  :class:`Notice`; the rest of the notebook is still checked.

Cells are numbered as the notebook UI shows them: 1-based position among ALL
cells (markdown and raw cells count), so ``cell 3`` is the third cell on the
screen whatever its type. Lines and columns inside a cell are those of the
cell's own source.

Writing back (:meth:`Notebook.apply`) replaces the JSON text of the ``source``
value of the changed cells only; every other byte of the file (outputs,
execution counts, metadata, key order, indentation, line endings, the final
newline) is kept, and so are the storage form of each source (a list of lines
or one string) and the line endings inside the cell.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import json
import re
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsmells import newsyntax, sources
from mlsmells.ipython import mask_cell

SUFFIX = ".ipynb"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WS = re.compile(r"[ \t\n\r]*")
_NON_ASCII_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u(?!00[0-7])[0-9a-fA-F]{4}")


class NotebookError(ValueError):
    """The file is not a notebook mlsmells can read (the message is one line)."""


class FixMappingError(ValueError):
    """A fix of the notebook's module cannot be mapped back onto its cells."""


@dataclass(frozen=True)
class Notice:
    """Something about a notebook the user should know that is not a finding."""

    cell: int | None
    """UI cell number, or ``None`` for the notebook as a whole."""
    line: int
    col: int
    """1-based column (as a SyntaxError gives it), 0 when there is none."""
    message: str

    @property
    def text(self) -> str:
        """One line to follow the path: ``:cell 3:2:5: message`` (or ``: message``)."""
        if self.cell is None:
            return f": {self.message}"
        return f":cell {self.cell}:{self.line}:{self.col or 1}: {self.message}"


@dataclass(frozen=True)
class CodeCell:
    """A code cell that is part of the notebook's module."""

    number: int
    """UI cell number (1-based among all cells)."""
    index: int
    """0-based position among all cells (index into the cell spans)."""
    source: str
    """The source exactly as stored (list elements joined)."""
    raw_lines: tuple[str, ...]
    """``source`` split at line breaks, endings kept (the last may have none)."""
    masked: tuple[str, ...]
    """The Python the engine sees, one ``\\n``-ended line per raw line."""
    is_masked: tuple[bool, ...]
    """Which lines carry IPython syntax (masked)."""
    start: int
    """Line of the module on which this cell starts (1-based)."""

    @property
    def end(self) -> int:
        """Last line of this cell in the module."""
        return self.start + len(self.masked) - 1

    @property
    def newline(self) -> str:
        """The line ending this cell uses (the first one found; ``\\n`` if none)."""
        match = _LINE_BREAK.search(self.source)
        return match.group() if match else "\n"


@dataclass(frozen=True)
class CellChange:
    number: int
    old: str
    new: str


@dataclass(frozen=True)
class NotebookEdit:
    """The result of mapping a fixed module back onto a notebook."""

    text: str
    """The new file content (equal to the old one when nothing changed)."""
    changes: tuple[CellChange, ...]

    def diff(self, path: str) -> str:
        """Unified diffs, one per changed cell, headed ``path:cell N``."""
        chunks: list[str] = []
        for change in self.changes:
            name = f"{path}:cell {change.number}"
            chunks.extend(
                line + "\n"
                for line in difflib.unified_diff(
                    _LINE_BREAK.split(change.old.rstrip("\r\n")) if change.old else [],
                    _LINE_BREAK.split(change.new.rstrip("\r\n")) if change.new else [],
                    fromfile=name,
                    tofile=name,
                    lineterm="",
                )
            )
        return "".join(chunks)


def is_notebook(path: str | Path) -> bool:
    return str(path).endswith(SUFFIX)


class Notebook:
    """A notebook read as one Python module, with the way back to its cells."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        try:
            data = json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise NotebookError(f"invalid JSON: {exc}") from None
        except RecursionError:
            raise NotebookError("invalid JSON: nested too deeply") from None
        self.version, raw_cells, self.source_key = _cells_of(data)
        self.notices: list[Notice] = []
        self.cells: list[CodeCell] = []
        language = _language(data)
        if language is not None and language.lower() not in ("python", "python3"):
            self.notices.append(
                Notice(None, 0, 0, f"not a Python notebook (language {language!r}); skipped")
            )
            raw_cells = []
        self.tree = ast.Module(body=[], type_ignores=[])
        display: set[int] = set()
        start = 1
        for index, cell in enumerate(raw_cells):
            source = _code_source(cell, index, self.source_key)
            if source is None:
                continue
            raw_lines = _split_lines(source)
            masked = mask_cell([_strip_ending(line) for line in raw_lines])
            if masked is None:
                continue
            lines, flags = masked
            parsed = _parse("".join(lines))
            if isinstance(parsed, _ParseFailure):
                self.notices.append(parsed.notice(index + 1))
                continue
            # Cells parse one by one (a broken cell cannot swallow the next one);
            # their trees, moved to their place in the module, make the module.
            if parsed.body:
                display.update(_display_line(parsed.body[-1], lines, start - 1))
            ast.increment_lineno(parsed, start - 1)
            self.tree.body.extend(parsed.body)
            self.tree.type_ignores.extend(parsed.type_ignores)
            self.cells.append(
                CodeCell(
                    index + 1, index, source, tuple(raw_lines), tuple(lines), tuple(flags), start
                )
            )
            start += len(lines)
        self.lines = [line for cell in self.cells for line in cell.masked]
        self.source = "".join(self.lines)
        self.cell_last_lines = frozenset(display)
        """Per cell, the last line of its last statement unless a ``;`` follows
        it: IPython shows the value of that statement when it is an expression."""

    @classmethod
    def read(cls, path: str | Path, data: bytes | None = None) -> Notebook:
        """Read a notebook file (whose bytes are ``data``, if already read);
        :class:`NotebookError` if it is not one."""
        if data is None:
            data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotebookError(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
        return cls(text)

    # ----------------------------------------------------------- the module
    def line_map(self) -> dict[int, tuple[int, int]]:
        """Every line of the module -> (cell number, line in that cell)."""
        return {
            cell.start + n: (cell.number, n + 1)
            for cell in self.cells
            for n in range(len(cell.masked))
        }

    def masked_lines(self) -> frozenset[int]:
        """The lines of the module that carry IPython syntax (no fix may touch them)."""
        return frozenset(
            cell.start + n
            for cell in self.cells
            for n, is_masked in enumerate(cell.is_masked)
            if is_masked
        )

    # ------------------------------------------------------------- writing
    def apply(self, fixed: str) -> NotebookEdit:
        """Map ``fixed`` (this notebook's module after fixing) back onto the cells.

        Lines the fix left alone keep their original text (so masked IPython
        lines and ``\\r\\n`` endings come back); new and changed lines go to the
        cell of the lines they replace, insertions to the cell of the line
        before them. Raises :class:`FixMappingError` when a change crosses a
        cell boundary, touches an IPython line, or leaves a cell that does not
        parse on its own.
        """
        if fixed == self.source:
            return NotebookEdit(self._full_text(self.text), ())
        owner: list[tuple[int, int]] = [
            (k, i) for k, cell in enumerate(self.cells) for i in range(len(cell.masked))
        ]
        new_lines = _split_lines(fixed)
        # Per cell: (text without ending, ending or None for "new line", masked text).
        built: list[list[tuple[str, str | None, str]]] = [[] for _ in self.cells]
        for tag, i1, i2, j1, j2 in line_diff(self.lines, new_lines):
            if tag == "equal":
                for i in range(i1, i2):
                    k, n = owner[i]
                    cell = self.cells[k]
                    raw = cell.raw_lines[n]
                    body = _strip_ending(raw)
                    built[k].append((body, raw[len(body) :], cell.masked[n]))
                continue
            touched = {owner[i][0] for i in range(i1, i2)}
            if any(self.cells[owner[i][0]].is_masked[owner[i][1]] for i in range(i1, i2)):
                raise FixMappingError("a fix would change an IPython line")
            if j1 == j2:
                continue  # pure deletion: the lines are simply not rebuilt
            if len(touched) > 1:
                raise FixMappingError("a fix spans more than one cell")
            if touched:
                k = touched.pop()
            else:
                k = owner[i1 - 1][0] if i1 > 0 else 0
            for line in new_lines[j1:j2]:
                body = _strip_ending(line)
                built[k].append((body, None, body + "\n"))
        changes: list[CellChange] = []
        replacements: dict[int, str] = {}
        for cell, parts in zip(self.cells, built, strict=True):
            new = _join_cell(cell, parts)
            if new == cell.source:
                continue
            parsed = _parse("".join(masked for _, _, masked in parts))
            if isinstance(parsed, _ParseFailure):
                raise FixMappingError(
                    f"cell {cell.number} would not parse after the fix: {parsed.message}"
                )
            changes.append(CellChange(cell.number, cell.source, new))
            replacements[cell.index] = new
        return NotebookEdit(self._rewrite(replacements), tuple(changes))

    def _rewrite(self, replacements: dict[int, str]) -> str:
        if not replacements:
            return self._full_text(self.text)
        spans = _source_spans(self.text, self.version, self.source_key)
        ensure_ascii = not any(ord(c) > 127 for c in self.text) and bool(
            _NON_ASCII_ESCAPE.search(self.text)
        )
        pieces: list[str] = []
        pos = 0
        for index in sorted(replacements):
            start, end = spans[index]
            pieces.append(self.text[pos:start])
            pieces.append(_encode_source(self.text[start:end], replacements[index], ensure_ascii))
            pos = end
        pieces.append(self.text[pos:])
        return self._full_text("".join(pieces))

    def _full_text(self, text: str) -> str:
        return "\ufeff" + text if self.bom else text


def follow_line_map(
    line_map: Mapping[int, tuple[int, int]], old: Sequence[str], new: Sequence[str]
) -> dict[int, tuple[int, int]]:
    """The :meth:`Notebook.line_map` of the module ``new``, a fixed version of the
    module ``old`` whose map is ``line_map``: each line in the cell
    :meth:`Notebook.apply` puts it in (a change that ``apply`` refuses goes to the
    cell of its first line)."""
    cells = [line_map.get(n, (0, 0))[0] for n in range(1, len(old) + 1)]
    new_cells: list[int] = []
    for tag, i1, i2, j1, j2 in line_diff(old, new):
        if tag == "equal":
            new_cells.extend(cells[i1:i2])
        elif j1 < j2:  # an insertion goes to the cell of the line before it
            owner = i1 if i1 < i2 else max(i1 - 1, 0)
            new_cells.extend([cells[owner] if cells else 0] * (j2 - j1))
    rows: Counter[int] = Counter()
    followed: dict[int, tuple[int, int]] = {}
    for n, cell in enumerate(new_cells, start=1):
        rows[cell] += 1
        followed[n] = (cell, rows[cell])
    return followed


def read_for_runner(path: Path, data: bytes | None = None) -> Notebook:
    """:meth:`Notebook.read` with every problem as a one-line :class:`sources.FileError`."""
    if data is None:
        data = sources.read_bytes(path)  # a FIFO or device is refused, not waited on
    try:
        return Notebook.read(path, data)
    except OSError as exc:
        raise sources.FileError(sources._os_reason(exc)) from None
    except NotebookError as exc:
        raise sources.FileError(str(exc)) from None


# ------------------------------------------------------------------ reading
def _cells_of(data: object) -> tuple[int, list[Any], str]:
    """(major version, every cell in UI order, the key holding a code cell's source)."""
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the top level is not a JSON object")
    version = data.get("nbformat", 4)
    if not isinstance(version, int) or isinstance(version, bool):
        raise NotebookError(f"not a notebook: nbformat is {version!r}")
    if version < 3:
        raise NotebookError(f"nbformat {version} is not supported (only 3 and 4)")
    if version == 3:
        worksheets = data.get("worksheets")
        if not isinstance(worksheets, list):
            raise NotebookError("not a notebook: nbformat 3 without a 'worksheets' list")
        cells: list[Any] = []
        for sheet in worksheets:
            sheet_cells = sheet.get("cells") if isinstance(sheet, dict) else None
            if not isinstance(sheet_cells, list):
                raise NotebookError("not a notebook: a worksheet without a 'cells' list")
            cells.extend(sheet_cells)
        return 3, cells, "input"
    cells_value = data.get("cells")
    if not isinstance(cells_value, list):
        raise NotebookError("not a notebook: no 'cells' list")
    return version, cells_value, "source"


def _language(data: dict[str, Any]) -> str | None:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return str(section[field])
    return None


def _code_source(cell: object, index: int, key: str) -> str | None:
    """The source of a code cell, ``None`` for other cells."""
    if not isinstance(cell, dict):
        raise NotebookError(f"cell {index + 1} is not a JSON object")
    if cell.get("cell_type") != "code":
        return None
    metadata = cell.get("metadata")
    if isinstance(metadata, dict):
        vscode = metadata.get("vscode")
        if isinstance(vscode, dict) and vscode.get("languageId", "python") != "python":
            return None
    language = cell.get("language", "python")  # nbformat 3
    if language != "python":
        return None
    source = cell.get(key)
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise NotebookError(f"cell {index + 1} has no '{key}' text")


def _split_lines(text: str) -> list[str]:
    """Split at the line breaks Python's tokenizer knows, endings kept."""
    lines: list[str] = []
    pos = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[pos : match.end()])
        pos = match.end()
    if pos < len(text):
        lines.append(text[pos:])
    return lines


def _display_line(stmt: ast.stmt, lines: Sequence[str], offset: int) -> set[int]:
    """The module line of ``stmt``'s end (a cell's last statement), unless ``;`` follows."""
    end = stmt.end_lineno or stmt.lineno
    rest = lines[end - 1].encode("utf-8")[stmt.end_col_offset or 0 :]
    return set() if rest.lstrip().startswith(b";") else {end + offset}


def _strip_ending(line: str) -> str:
    return line.rstrip("\r\n")


@dataclass(frozen=True)
class _ParseFailure:
    message: str
    line: int
    col: int

    def notice(self, cell: int) -> Notice:
        return Notice(
            cell, self.line, self.col, f"cell does not parse ({self.message}); it is not checked"
        )


def _parse(source: str) -> ast.Module | _ParseFailure:
    """``ast.parse``, quietly (warnings about the checked code are not ours), never raising."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except SyntaxError as exc:
        newer = newsyntax.explain(source, exc)  # `type X = ...` under Python 3.11 ...
        if newer is not None:
            return _ParseFailure(newer.message, newer.line, newer.column)
        return _ParseFailure(exc.msg, exc.lineno or 1, exc.offset or 0)
    except ValueError as exc:  # null bytes, before Python 3.12
        return _ParseFailure(str(exc), 1, 0)
    except (RecursionError, MemoryError):
        return _ParseFailure("too deeply nested to parse", 1, 0)


# ------------------------------------------------------------------ writing
Opcode = tuple[str, int, int, int, int]


def line_diff(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Opcodes (as :meth:`difflib.SequenceMatcher.get_opcodes`) turning ``a`` into ``b``.

    Made for a text and its fixed version, where a few statements changed and
    identical lines (``model.eval``, ``plt.show()``) repeat across cells: the
    common head and tail are matched first, then lines unique on both sides
    (patience diff), recursively; a remaining block of equal length on both
    sides is paired line by line, one of different lengths by similarity (so
    that a line a fix inserted is not taken for the changed line next to it).
    :class:`difflib.SequenceMatcher` instead
    may match a repeated line to the wrong copy and move a change into the
    neighbouring cell.
    """
    ops: list[Opcode] = []
    work: list[tuple[bool, Opcode]] = [(False, ("", 0, len(a), 0, len(b)))]
    while work:
        done, op = work.pop()
        if done:
            if op[1] < op[2] or op[3] < op[4]:
                ops.append(op)
            continue
        _, alo, ahi, blo, bhi = op
        head = 0
        while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
            head += 1
        tail = 0
        while (
            ahi - tail > alo + head
            and bhi - tail > blo + head
            and a[ahi - tail - 1] == b[bhi - tail - 1]
        ):
            tail += 1
        middle: list[tuple[bool, Opcode]] = []
        mlo, mhi, nlo, nhi = alo + head, ahi - tail, blo + head, bhi - tail
        anchors = _unique_anchors(a, b, mlo, mhi, nlo, nhi)
        if anchors:
            i, j = mlo, nlo
            for ai, bj in anchors:
                middle.append((False, ("", i, ai, j, bj)))
                middle.append((True, ("equal", ai, ai + 1, bj, bj + 1)))
                i, j = ai + 1, bj + 1
            middle.append((False, ("", i, mhi, j, nhi)))
        elif mhi - mlo == nhi - nlo:
            for k in range(mhi - mlo):
                tag = "equal" if a[mlo + k] == b[nlo + k] else "replace"
                middle.append((True, (tag, mlo + k, mlo + k + 1, nlo + k, nlo + k + 1)))
        else:
            middle.extend((True, item) for item in _pair_similar(a, b, mlo, mhi, nlo, nhi))
        items = [
            (True, ("equal", alo, mlo, blo, nlo)),
            *middle,
            (True, ("equal", mhi, ahi, nhi, bhi)),
        ]
        work.extend(reversed(items))
    return ops


#: Above this many line pairs, a changed block is not aligned line by line.
_PAIRING_LIMIT = 40_000


def _pair_similar(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[Opcode]:
    """Opcodes for a block without anchors: the order-keeping pairing of similar
    lines (ratio >= 0.6) with the highest total similarity; the lines between
    two pairs are one deletion, insertion or replacement."""
    n, m = ahi - alo, bhi - blo
    if n == 0 or m == 0 or n * m > _PAIRING_LIMIT:
        tag = "delete" if m == 0 else "insert" if n == 0 else "replace"
        return [(tag, alo, ahi, blo, bhi)]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            ratio = difflib.SequenceMatcher(None, a[alo + i], b[blo + j]).ratio()
            if ratio >= 0.6:
                best = max(best, ratio + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if score[i][j] not in (score[i + 1][j], score[i][j + 1]):
            pairs.append((alo + i, blo + j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i][j + 1]:
            j += 1
        else:
            i += 1
    ops: list[Opcode] = []
    i, j = alo, blo
    for pi, pj in [*pairs, (ahi, bhi)]:
        if i < pi or j < pj:  # the unpaired lines between two pairs change together
            tag = "delete" if j == pj else "insert" if i == pi else "replace"
            ops.append((tag, i, pi, j, pj))
        if pi < ahi:
            ops.append(("equal" if a[pi] == b[pj] else "replace", pi, pi + 1, pj, pj + 1))
        i, j = pi + 1, pj + 1
    return ops


def _unique_anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines found exactly once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, the
    longest run of them in the same order on both sides."""
    count_a = Counter(a[alo:ahi])
    where_b: dict[str, int] = {}
    count_b = Counter(b[blo:bhi])
    for j in range(blo, bhi):
        if count_b[b[j]] == 1:
            where_b[b[j]] = j
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails: list[int] = []  # per run length, the pair ending the best run so far
    tail_values: list[int] = []  # and its b position
    previous: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        slot = bisect.bisect_left(tail_values, j)
        previous[index] = tails[slot - 1] if slot else -1
        if slot == len(tails):
            tails.append(index)
            tail_values.append(j)
        else:
            tails[slot] = index
            tail_values[slot] = j
    chain: list[tuple[int, int]] = []
    index = tails[-1] if tails else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _join_cell(cell: CodeCell, parts: list[tuple[str, str | None, str]]) -> str:
    """A cell's new source: kept lines with their own endings, new ones with the
    cell's; the last line ends as the original last line did."""
    if not parts:
        return ""
    newline = cell.newline
    ends_with_newline = bool(cell.raw_lines) and cell.raw_lines[-1] != _strip_ending(
        cell.raw_lines[-1]
    )
    pieces: list[str] = []
    for pos, (body, ending, _) in enumerate(parts):
        if pos == len(parts) - 1:
            ending = (ending or newline) if ends_with_newline else ""
        elif not ending:
            ending = newline
        pieces.append(body + ending)
    return "".join(pieces)


def _source_spans(text: str, version: int, key: str) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of each cell's source value, in UI order.

    ``text`` is known to be valid JSON (it was loaded); a key repeated in an
    object counts once, the last time, as :func:`json.loads` does.
    """
    decoder = json.JSONDecoder()
    spans: list[tuple[int, int]] = []

    def skip(i: int) -> int:
        return _skip(text, i)

    def value_end(i: int) -> int:
        return int(decoder.raw_decode(text, i)[1])

    def walk_object(i: int, member: Callable[[str, int], int]) -> int:
        i = skip(i + 1)
        if text[i] == "}":
            return i + 1
        while True:
            name, i = decoder.raw_decode(text, i)
            i = skip(skip(i) + 1)
            i = skip(member(str(name), i))
            if text[i] == "}":
                return i + 1
            i = skip(i + 1)

    def walk_array(i: int, item: Callable[[int], int]) -> int:
        i = skip(i + 1)
        if text[i] == "]":
            return i + 1
        while True:
            i = skip(item(i))
            if text[i] == "]":
                return i + 1
            i = skip(i + 1)

    def cell(i: int) -> int:
        found: list[tuple[int, int]] = [(-1, -1)]

        def member(name: str, start: int) -> int:
            end = value_end(start)
            if name == key:
                found[0] = (start, end)
            return end

        end = walk_object(i, member)
        spans.append(found[0])
        return end

    def cells_member(name: str, start: int) -> int:
        if name == "cells":
            return walk_array(start, cell)
        return value_end(start)

    def top_member(name: str, start: int) -> int:
        if version == 3 and name == "worksheets":
            return walk_array(start, lambda i: walk_object(i, cells_member))
        if version != 3 and name == "cells":
            return walk_array(start, cell)
        return value_end(start)

    walk_object(skip(0), top_member)
    return spans


def _skip(text: str, i: int) -> int:
    match = _WS.match(text, i)
    assert match is not None
    return match.end()


def _encode_source(old: str, new: str, ensure_ascii: bool) -> str:
    """The JSON text of a new source value, in the layout of the old one."""
    if old.startswith('"'):
        return json.dumps(new, ensure_ascii=ensure_ascii)
    decoder = json.JSONDecoder()
    known: dict[str, str] = {}
    pos = _skip(old, 1)
    separators = [old[1:pos]]
    closing = ""
    while old[pos] != "]":
        value, end = decoder.raw_decode(old, pos)
        known[str(value)] = old[pos:end]
        after = _skip(old, end)
        if old[after] == ",":
            pos = _skip(old, after + 1)
            separators.append(old[after + 1 : pos])
        else:
            closing, pos = old[end:after], after
    parts = new.splitlines(keepends=True)  # the split nbformat itself writes
    if not parts:
        return "[]"
    first = separators[0]
    between = separators[1] if len(separators) > 1 else first
    encoded = [known.get(part) or json.dumps(part, ensure_ascii=ensure_ascii) for part in parts]
    return "[" + first + ("," + between).join(encoded) + closing + "]"
