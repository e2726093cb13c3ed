"""What every report format shares: escaping, positions and the fixes of the findings.

Positions: lines are 1-based; columns are **characters** + 1 in every format of the
command line (``text``, ``full``, ``json``, ``github``, ``sarif``, ``junit``), so that
they agree on a line with non-ASCII text. The engine's columns are UTF-8 byte offsets
(flake8 and pylint keep them); :meth:`mlsmells.runner.FileResult.char_col` converts
them with the text of the lines the runner kept. In a notebook, lines are counted
inside the cell, and ``cell`` gives the cell number.

Control characters in file names and messages (a newline, a carriage return, an
escape sequence ...) never reach the output raw: a file whose name holds
``\\n::error::`` must not start a second line that a terminal or GitHub Actions
interprets. The line formats show them escaped as Python would (:func:`printable`:
a newline is the two characters backslash and ``n``, ESC is backslash ``x1b``);
JSON and SARIF keep the exact text, every control character written as a JSON
escape (:func:`json_text`).

Fixes: :meth:`ReportFile.suggestions` is what ``mlsmells fix`` would change for each
finding alone (:mod:`mlsmells.fixes.suggest`, imported with libcst on first use);
:meth:`ReportFile.applicable` the fixes ``mlsmells fix`` applies with the file's
settings (the unsafe ones only with ``unsafe-fixes``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlsmells import registry
from mlsmells.config import ConfigError, Settings, SettingsCache
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.files import read_source_file, split_lines
from mlsmells.records import Fix
from mlsmells.runner import FIX_KEY, FileResult
from mlsmells.sources import NOTEBOOK_SUFFIX, FileError

if TYPE_CHECKING:  # imported when a format shows fixes: libcst is slow to import
    from mlsmells.fixes.suggest import Suggestion

# ----------------------------------------------------------------- escaping
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""C0 and C1 controls, DEL, and the line and paragraph separators."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029]")
"""What :func:`json.dumps` leaves raw with ``ensure_ascii=False`` (it escapes C0 itself)."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` with its control characters escaped, fit for one line of a report."""
    return _CONTROL.sub(_escape, text)


def json_text(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON (UTF-8 text kept as it is), every control character escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ------------------------------------------------------------------ sources
@dataclass(frozen=True)
class Source:
    """The text a file's findings were reported in, and what fixing it needs."""

    text: str
    """For a notebook: its code cells as one module (the text the findings refer to)."""
    settings: Settings
    masked: frozenset[int] = frozenset()
    """Lines no fix may touch (a notebook's IPython syntax)."""


class SourceReader:
    """Reads a checked file again (``None`` when it cannot be read any more) and tells the
    settings it was checked with; ``texts``: the text of files that are not on disk
    (standard input), by the path they were checked as."""

    def __init__(self, settings: SettingsCache, texts: Mapping[Path, str] | None = None) -> None:
        self._settings = settings
        self._texts = texts

    def settings(self, path: Path) -> Settings | None:
        try:
            return self._settings.for_path(path)
        except ConfigError:
            return None

    def __call__(self, path: Path) -> Source | None:
        try:
            config = self._settings.for_path(path)
            given = self._texts.get(path) if self._texts is not None else None
            if path.suffix == NOTEBOOK_SUFFIX:
                from mlsmells import notebooks  # (not imported by a run without notebooks)

                if given is not None:
                    notebook = notebooks.Notebook(given)
                else:
                    notebook = notebooks.read_for_runner(path)
                return Source(notebook.source, config, notebook.masked_lines())
            if given is not None:
                return Source(given, config)
            return Source(read_source_file(path).text, config)  # (line endings kept)
        except (ConfigError, FileError, ValueError):
            return None


def source_reader(
    settings: SettingsCache, texts: Mapping[Path, str] | None = None
) -> SourceReader:
    """The :class:`SourceReader` of the files checked with ``settings``."""
    return SourceReader(settings, texts)


# ---------------------------------------------------------------- positions
def row(result: FileResult, line: int) -> tuple[int | None, int]:
    """(cell, row) of a line of the checked source; the cell is None outside notebooks."""
    if result.line_map is not None and line in result.line_map:
        return result.line_map[line]
    return None, line


def where(result: FileResult, line: int) -> str:
    cell, number = row(result, line)
    return f"cell {cell}:{number}" if cell is not None else f"{number}"


def start_column(result: FileResult, diag: Diagnostic) -> int:
    """The 1-based character column of a finding's start."""
    return result.char_col(diag.line, diag.col) + 1


def end_column(result: FileResult, diag: Diagnostic) -> int:
    return result.char_col(diag.end_line, diag.end_col) + 1


class ReportFile:
    """One file's findings with lazy access to its text and to the fixes of its findings."""

    def __init__(self, result: FileResult, read: SourceReader | None) -> None:
        self.result = result
        self._read = read
        self._loaded = False
        self._source: Source | None = None
        self._lines: list[str] = []
        self._suggestions: dict[Diagnostic, Suggestion] | None = None
        self._settings_loaded = False
        self._settings_found: Settings | None = None

    @property
    def source(self) -> Source | None:
        if not self._loaded:
            self._loaded = True
            if self._read is not None and self.result.error is None:
                self._source = self._read(self.result.path)
                if self._source is not None:
                    self._lines = split_lines(self._source.text)
        return self._source

    def line(self, number: int) -> str | None:
        """The text of a line of the checked source (without its line break)."""
        if self.source is None or not 1 <= number <= len(self._lines):
            return None
        return self._lines[number - 1].rstrip("\r\n")

    @property
    def is_notebook(self) -> bool:
        return self.result.line_map is not None

    def suggestions(self) -> dict[Diagnostic, Suggestion]:
        """The fix of each finding that has one (computed once)."""
        if self._suggestions is None:
            self._suggestions = self._suggest()
        return self._suggestions

    def _suggest(self) -> dict[Diagnostic, Suggestion]:
        # A finding whose rule decided that its fix does not apply has none to suggest.
        if not any(
            _has_fix(d) and d.get(FIX_KEY) != Fix.NONE.value for d in self.result.diagnostics
        ):
            return {}  # (neither the file nor libcst is read)
        source = self.source
        if source is None:
            return {}
        from mlsmells.fixes.suggest import suggest

        found = suggest(
            source.text, self.result.diagnostics, source.settings, parsed=self.result.parsed
        )
        if source.masked:
            found = {
                diag: fix
                for diag, fix in found.items()
                if not any(
                    line in source.masked
                    for edit in fix.edits
                    for line in range(edit.start[0], edit.end[0] + 1)
                )
            }
        return found

    def applicable(self, diag: Diagnostic) -> bool | None:
        """Whether ``mlsmells fix`` fixes ``diag`` with this file's settings, as the fixer
        tells (:meth:`suggestions`): True, False when only ``--unsafe-fixes`` would, ``None``
        when it has no fix (or a display-only one, which ``mlsmells fix`` never applies)."""
        fix = self.suggestions().get(diag)
        if fix is None or fix.needs is not None:
            return None
        if fix.applicability is Fix.SAFE:
            return True
        source = self.source
        return source is not None and source.settings.unsafe_fixes

    def decided(self, diag: Diagnostic) -> bool | None:
        """:meth:`applicable` as the finding's rule decided it when it reported it (its data's
        :data:`~mlsmells.runner.FIX_KEY`; neither the file nor libcst is read): ``None``
        also when the rule leaves the question to the fixer (:meth:`undecided`)."""
        value = diag.get(FIX_KEY)
        if value is None or value == Fix.NONE.value or diag.get("needs") is not None:
            return None
        settings = self._settings()
        if settings is None:
            return None
        safety = settings.fix_safety(diag.code, Fix(value))
        return True if safety is Fix.SAFE else settings.unsafe_fixes

    @staticmethod
    def undecided(diag: Diagnostic) -> bool:
        """Whether only the fixer can tell if ``diag``'s fix applies (its rule has a fix but
        did not decide; a display-only fix counts as decided: never applied)."""
        return _has_fix(diag) and diag.get(FIX_KEY) is None and diag.get("needs") is None

    def marked(self, diag: Diagnostic, fixer: bool) -> bool | None:
        """:meth:`applicable` with ``fixer`` (the fixer's parse of the file), else
        :meth:`decided`."""
        return self.applicable(diag) if fixer else self.decided(diag)

    def _settings(self) -> Settings | None:
        if self._read is None:
            return None
        if not self._settings_loaded:
            self._settings_loaded = True
            self._settings_found = self._read.settings(self.result.path)
        return self._settings_found

    def edit_position(self, line: int, char_col: int) -> tuple[int | None, int, int] | None:
        """(cell, row, character column) of an edit position; ``None`` if it is outside
        every cell."""
        if not self.is_notebook:
            return None, line, char_col
        assert self.result.line_map is not None
        if line in self.result.line_map:
            cell, number = self.result.line_map[line]
            return cell, number, char_col
        if char_col == 0 and line - 1 in self.result.line_map:  # just after a cell's last line
            cell, number = self.result.line_map[line - 1]
            return cell, number + 1, 0
        return None


def _has_fix(diag: Diagnostic) -> bool:
    """Whether ``diag``'s rule has a fix (its facts: no rule module is imported)."""
    facts = registry.FACTS.get(diag.code)
    return facts is not None and facts.fix is not Fix.NONE


def report_files(results: Sequence[FileResult], read: SourceReader | None) -> list[ReportFile]:
    return [ReportFile(result, read) for result in results]


@dataclass(frozen=True)
class FixCounts:
    """How many findings ``mlsmells fix`` fixes, and how many more with ``--unsafe-fixes``."""

    fixable: int = 0
    unsafe: int = 0
    undecided: int = 0
    """Findings whose rule leaves it to the fixer to tell whether its fix applies."""

    def summary(self) -> str | None:
        """``[*] N fixable with `mlsmells fix` (M more with `--unsafe-fixes`).``, and how to
        learn about the undecided findings."""
        lines = []
        if self.fixable or self.unsafe:
            more = f" ({self.unsafe} more with `--unsafe-fixes`)" if self.unsafe else ""
            lines.append(f"[*] {self.fixable} fixable with `mlsmells fix`{more}.")
        if self.undecided:
            count = f"{self.undecided} more" if lines else plural(self.undecided, "finding")
            lines.append(f"{count} may be fixable: `--show-fixes` asks the fixer.")
        return "\n".join(lines) or None


def fix_counts(files: Sequence[ReportFile], fixer: bool = False) -> FixCounts:
    """The fixable findings of ``files``, as their rules decided, or as the ``fixer`` tells;
    without ``fixer``, also those only the fixer can tell about."""
    fixable = unsafe = undecided = 0
    for file in files:
        for diag in file.result.diagnostics:
            state = file.marked(diag, fixer)
            fixable += state is True
            unsafe += state is False
            undecided += not fixer and file.undecided(diag)
    return FixCounts(fixable, unsafe, undecided)
