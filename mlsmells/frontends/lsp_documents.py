"""What the language server knows of an open document: its text as the checker sees it,
the findings, and the way from the checker's positions to the editor's.

A Python file is one text document. A notebook (LSP 3.17 notebook document sync) is
checked as one module, as ``mlsmells check`` checks an ``.ipynb`` file: the server
builds the notebook's JSON from its cells (:func:`notebook_json`) and hands it to the
runner; the findings go back to the cell documents through the runner's line map.

Positions: the checker counts lines from 1 and columns in characters; LSP counts
both from 0 and columns in the negotiated encoding (UTF-16 code units unless the
client offers UTF-8 or UTF-32), so a column is converted on the line's text.
"""

from __future__ import annotations

import io
import json
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlsmells import cache as cache_module
from mlsmells import docs, records, registry, runner
from mlsmells.cache import Cache
from mlsmells.config import ConfigError, Settings, SettingsCache
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.files import split_lines
from mlsmells.notebooks import FixMappingError, Notebook, NotebookError
from mlsmells.runner import FileResult
from mlsmells.sources import NOTEBOOK_SUFFIX

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"


@dataclass(frozen=True)
class Cell:
    """A cell of a notebook document: its text document and kind."""

    uri: str
    text: str
    code: bool


@dataclass(frozen=True)
class Place:
    """A position in the editor: a document and its 0-based line and column."""

    uri: str
    line: int
    character: int


@dataclass(frozen=True)
class Change:
    """Replace the text between two places of one document."""

    uri: str
    start: tuple[int, int]
    end: tuple[int, int]
    text: str


def notebook_json(cells: Sequence[Cell]) -> str:
    """An nbformat 4 notebook holding ``cells`` (code and markdown), as the runner reads."""
    data = {
        "cells": [
            {
                "cell_type": "code" if cell.code else "markdown",
                "metadata": {},
                "source": cell.text,
                **({"outputs": [], "execution_count": None} if cell.code else {}),
            }
            for cell in cells
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, ensure_ascii=False)


def _units(text: str, column: int, encoding: str) -> int:
    """The LSP column of character ``column`` of ``text``."""
    head = text[:column]
    if encoding == UTF8:
        return len(head.encode("utf-8"))
    if encoding == UTF32:
        return len(head)
    return len(head.encode("utf-16-le")) // 2


def _column(text: str, units: int, encoding: str) -> int:
    """The character column of LSP column ``units`` of ``text``."""
    if encoding == UTF32:
        return units
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += len(char.encode("utf-8")) if encoding == UTF8 else (2 if ord(char) > 0xFFFF else 1)
    return len(text)


@dataclass
class Document:
    """One checked document: a Python file, or a notebook as one module."""

    uri: str
    path: Path
    text: str
    """A Python file's text, or the notebook's JSON (:func:`notebook_json`)."""
    cells: tuple[Cell, ...] | None = None
    """A notebook's cells, every kind, in order; ``None`` for a Python file."""
    result: FileResult | None = None
    settings: Settings | None = None
    notebook: Notebook | None = None
    lines: list[str] = field(default_factory=list)
    """The lines of the module the findings refer to."""

    @property
    def is_notebook(self) -> bool:
        return self.cells is not None

    # ---------------------------------------------------------------- check
    def check(self, settings: SettingsCache, cache: Cache | None) -> FileResult | None:
        """Check the document with its file's settings (``None`` when the settings exclude
        it), through the result ``cache``."""
        try:
            config = settings.for_path(self.path)
            if settings.is_excluded(self.path, parents=True):
                self.result = None
                return None
            codes = config.codes_for(self.path)
        except ConfigError as exc:
            from mlsmells.sources import FileError

            self.result = FileResult(self.path, error=FileError(str(exc)))
            return self.result
        self.settings = config
        data = self._data()
        result: FileResult | None = None
        key = ""
        if cache is not None:
            key = cache_module.entry_key(self.path, data, codes, config.serialise())
            result = cache.get(self.path, key)
        if result is None:
            result = runner.check_file(self.path, codes, data=data, targets=config.targets)
            if cache is not None and result.error is None:
                cache.put(key, cache_module.encode(result))
        self.result = result
        self.notebook = None
        if self.is_notebook:
            try:
                self.notebook = Notebook(self.text)
            except NotebookError:
                self.notebook = None
            self.lines = self.notebook.lines if self.notebook is not None else []
        else:
            self.lines = split_lines(self.text)
        return result

    def _data(self) -> bytes:
        """The bytes the runner reads: UTF-8, or the codec a Python file declares."""
        data = self.text.encode("utf-8")
        if self.is_notebook:
            return data
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            if encoding not in ("utf-8", "utf-8-sig"):
                return self.text.encode(encoding)
        except (SyntaxError, LookupError, UnicodeEncodeError):
            pass
        return data

    @property
    def module(self) -> str:
        """The text the findings refer to (a notebook's code cells as one module)."""
        if self.notebook is not None:
            return self.notebook.source
        return self.text

    # ------------------------------------------------------------ positions
    def place(self, line: int, column: int, encoding: str) -> Place | None:
        """Where the module's (1-based line, character column) is in the editor."""
        if not self.is_notebook:
            text = self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
            return Place(self.uri, line - 1, _units(text.rstrip("\r\n"), column, encoding))
        assert self.cells is not None
        line_map = self.result.line_map if self.result is not None else None
        if not line_map:
            return None
        if line in line_map:
            number, row = line_map[line]
        elif column == 0 and line - 1 in line_map:  # just after a cell's last line
            number, row = line_map[line - 1]
            row += 1
            column = 0
        else:
            return None
        cell = self.cells[number - 1]
        cell_lines = split_lines(cell.text)
        text = cell_lines[row - 1] if 1 <= row <= len(cell_lines) else ""
        return Place(cell.uri, row - 1, _units(text.rstrip("\r\n"), column, encoding))

    def module_position(
        self, uri: str, line: int, character: int, encoding: str
    ) -> tuple[int, int] | None:
        """The module's (1-based line, character column) of an editor position."""
        if not self.is_notebook:
            text = self.lines[line] if 0 <= line < len(self.lines) else ""
            return line + 1, _column(text.rstrip("\r\n"), character, encoding)
        assert self.cells is not None
        number = next((i + 1 for i, cell in enumerate(self.cells) if cell.uri == uri), None)
        line_map = self.result.line_map if self.result is not None else None
        if number is None or not line_map:
            return None
        for module_line, (cell, row) in line_map.items():
            if cell == number and row == line + 1:
                cell_lines = split_lines(self.cells[number - 1].text)
                text = cell_lines[line] if line < len(cell_lines) else ""
                return module_line, _column(text.rstrip("\r\n"), character, encoding)
        return None

    def findings(self) -> tuple[Diagnostic, ...]:
        return self.result.diagnostics if self.result is not None else ()

    def span(self, diag: Diagnostic) -> tuple[int, int, int, int]:
        """A finding's (line, character column) start and end in the module."""
        assert self.result is not None
        return (
            diag.line,
            self.result.char_col(diag.line, diag.col),
            diag.end_line,
            self.result.char_col(diag.end_line, diag.end_col),
        )

    # ---------------------------------------------------------------- edits
    def changes(self, new_module: str, encoding: str) -> list[Change] | None:
        """The edits turning the module into ``new_module``, per document; ``None`` when
        they cannot be made (a notebook change crossing cells or touching IPython)."""
        from mlsmells.fixes.suggest import text_edits

        if not self.is_notebook:
            return [
                self._change(self.uri, self.lines, e.start, e.end, e.content, encoding)
                for e in text_edits(self.text, new_module)
            ]
        assert self.cells is not None
        if self.notebook is None:
            return None
        try:
            edit = self.notebook.apply(new_module)
        except FixMappingError:
            return None
        found: list[Change] = []
        for change in edit.changes:
            cell = self.cells[change.number - 1]
            lines = split_lines(cell.text)
            for e in text_edits(cell.text, change.new):
                found.append(self._change(cell.uri, lines, e.start, e.end, e.content, encoding))
        return found

    @staticmethod
    def _change(
        uri: str,
        lines: Sequence[str],
        start: tuple[int, int],
        end: tuple[int, int],
        text: str,
        encoding: str,
    ) -> Change:
        def at(position: tuple[int, int]) -> tuple[int, int]:
            line, column = position
            body = lines[line - 1].rstrip("\r\n") if 1 <= line <= len(lines) else ""
            return line - 1, _units(body, column, encoding)

        return Change(uri, at(start), at(end), text)


def apply_edits(text: str, edits: Sequence[tuple[tuple[int, int], tuple[int, int], str]]) -> str:
    """``text`` with the (start, end, content) edits applied: positions are (1-based line,
    character column) of ``text``; the edits do not overlap."""
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        if line > len(lines):
            return len(text)
        return starts[line - 1] + column

    for start, end, content in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[: offset(start)] + content + text[offset(end) :]
    return text


def severity_letter(code: str) -> str:
    """The pylint category letter of a code (E, W, C, R, F)."""
    rule = registry.RULES.get(code)
    return rule.pylint_id[0] if rule is not None else records.INTERNAL_ERROR_PYLINT_ID[0]


def hover_text(codes: Sequence[str]) -> str:
    """The rule pages of ``codes`` as one markdown text."""
    pages = [docs.render_rule(registry.get(code)) for code in codes if code in registry.RULES]
    return "\n---\n\n".join(pages)


def is_notebook_path(path: Path) -> bool:
    return path.suffix == NOTEBOOK_SUFFIX
