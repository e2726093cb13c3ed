"""IPython syntax in notebook cells: the lines that are not Python (``%magic``,
``!shell``, ``x = !cmd``, ``obj?``, automagic ``pip install``) masked so that a cell
parses, its line numbers kept."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence

#: Cell magics whose body is Python run in the kernel's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
#: Line magics that IPython also runs without the ``%`` (automagic) and that
#: notebooks use that way; masked only when the line is not valid Python.
AUTOMAGICS = frozenset({"pip", "conda", "mamba", "cd", "matplotlib", "load_ext", "autoreload"})

_CELL_MAGIC = re.compile(r"%%(\S*)")
_ESCAPE_ASSIGN = re.compile(r"(?P<targets>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[!%]")
_STRING_START = re.compile(r"(?i)(?:[rbuf]|rb|br|fr|rf)?('''|\"\"\"|'|\")")


def mask_cell(lines: Sequence[str]) -> tuple[list[str], list[bool]] | None:
    """The Python of a cell (lines without endings) with IPython syntax masked.

    Returns ``\\n``-ended lines, one per input line, and which of them were
    masked; ``None`` when a cell magic makes the cell something else than
    Python. IPython syntax is only recognised where a logical line starts, never
    inside a string or an open bracket.
    """
    out = [line + "\n" for line in lines]
    flags = [False] * len(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("%%"):
        match = _CELL_MAGIC.match(lines[first])
        if match is None or match.group(1) not in PYTHON_CELL_MAGICS:
            return None
        out[first], flags[first] = "pass\n", True
        begin = first + 1
    else:
        begin = 0
    state = _LexState()
    i = begin
    while i < len(lines):
        line = lines[i]
        if not state.at_line_start:
            state.feed(line)
            i += 1
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        escape = _escape_replacement(stripped)
        if escape is None:
            after = _LexState()
            code_end = after.feed(line)
            code = line[:code_end].rstrip()
            if after.at_line_start and code.endswith("?"):
                escape = "pass"  # obj? / obj?? help
            elif after.at_line_start and _is_automagic(stripped):
                escape = "pass"
        if escape is not None:
            out[i], flags[i] = f"{indent}{escape}\n", True
            while lines[i].endswith("\\") and i + 1 < len(lines):
                i += 1
                out[i], flags[i] = "\n", True
            i += 1
            continue
        if stripped.startswith("get_ipython()"):
            out[i], flags[i] = f"{indent}pass\n", True
            state.feed(line)
            while not state.at_line_start and i + 1 < len(lines):
                i += 1
                out[i], flags[i] = "\n", True
                state.feed(lines[i])
            i += 1
            continue
        state.feed(line)
        i += 1
    return out, flags


def _escape_replacement(stripped: str) -> str | None:
    """What replaces a line starting a logical line, if it is IPython syntax."""
    if stripped[:1] in ("%", "!", "?"):
        return "pass"
    match = _ESCAPE_ASSIGN.match(stripped)
    if match is not None:
        return f"{match.group('targets')} = ..."
    return None


def _is_automagic(stripped: str) -> bool:
    word = stripped.split(None, 1)[0] if stripped else ""
    if word not in AUTOMAGICS or stripped == word:
        return False
    return not _parses(stripped)


class _LexState:
    """Just enough of Python's lexer to know where logical lines start."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None
        self.continued = False

    @property
    def at_line_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> int:
        """Advance over one physical line; return where its code ends (a comment starts)."""
        self.continued = False
        i, n = 0, len(line)
        code_end = n
        while i < n:
            if self.quote is not None:
                i = self._in_string(line, i)
                continue
            ch = line[i]
            if ch == "#":
                code_end = i
                break
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            elif ch == "\\" and i == n - 1:
                self.continued = True
            elif ch.isalpha() or ch in "_'\"":
                # Identifiers are consumed whole, so a prefix here starts a string.
                match = _STRING_START.match(line, i)
                if match is not None:
                    self.quote = match.group(1)
                    i = match.end()
                    continue
                while i < n and (line[i].isalnum() or line[i] == "_"):
                    i += 1
                continue
            i += 1
        if self.quote is not None and len(self.quote) == 1 and not line.endswith("\\"):
            self.quote = None  # an unterminated one-line string: Python will complain
        return code_end

    def _in_string(self, line: str, i: int) -> int:
        assert self.quote is not None
        n = len(line)
        while i < n:
            if line[i] == "\\":
                i += 2
                continue
            if line.startswith(self.quote, i):
                i += len(self.quote)
                self.quote = None
                return i
            i += 1
        return n


def _parses(text: str) -> bool:
    """Whether ``text`` is Python (warnings about it are not ours to print)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
