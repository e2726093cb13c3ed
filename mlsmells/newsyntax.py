"""Syntax of a newer Python than the one running mlsmells, told apart from a syntax error.

``ast`` parses the grammar of the running interpreter: under Python 3.11 a
``type X = ...`` statement is a bare "invalid syntax". When a file does not
parse, :func:`explain` looks at the place of the error for the constructs
later Pythons added, and returns what to say instead ("a generic function
(PEP 695) needs Python 3.12 or newer (mlsmells runs on Python 3.11.7)"):

- PEP 695 (3.12): ``type X = ...``, ``def f[T](...)``, ``class C[T]``;
- PEP 696 (3.13): defaults of type parameters, ``def f[T = int](...)``;
- PEP 701 (3.12): f-strings that reuse their quote inside a replacement field,
  or hold a backslash or a comment there;
- PEP 750 (3.14): template strings, ``t"..."``.

A construct is recognised only on the line of the error (for an f-string: when the
error is inside it), so a real syntax error elsewhere is reported as it is.
"""

from __future__ import annotations

import io
import platform
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class NewerSyntax:
    """A construct of a later Python at the place of a syntax error."""

    feature: str
    """What it is, with its PEP: ``a generic class (PEP 695)``."""
    version: tuple[int, int]
    line: int
    column: int
    """1-based, in characters, as a ``SyntaxError`` gives it."""

    @property
    def message(self) -> str:
        needed = ".".join(map(str, self.version))
        return (
            f"{self.feature} needs Python {needed} or newer "
            f"(mlsmells runs on Python {platform.python_version()})"
        )


def explain(source: str, error: SyntaxError) -> NewerSyntax | None:
    """The newer construct that explains ``error`` in ``source``, if any."""
    if error.lineno is None:
        return None
    lines = source.splitlines()
    if not 1 <= error.lineno <= len(lines):
        return None
    found = _header(lines[error.lineno - 1], error.lineno)
    if found is None:
        found = _string_at(source, error.lineno)
    if found is None or sys.version_info >= found.version:
        return None
    return found


# ------------------------------------------------------ PEP 695 and PEP 696
def _header(text: str, number: int) -> NewerSyntax | None:
    """A ``type`` statement or a generic ``def``/``class`` at the start of line ``number``."""
    tokens = _tokens(text.lstrip())
    if tokens and tokens[0].string == "async":
        tokens = tokens[1:]
    if len(tokens) < 3:
        return None
    keyword, name, bracket = tokens[0], tokens[1], tokens[2]
    if name.type != tokenize.NAME or bracket.type != tokenize.OP:
        return None
    if keyword.string == "type" and keyword.start[1] == 0 and bracket.string in ("=", "["):
        feature = "a type alias statement (PEP 695)"
    elif keyword.string in ("def", "class") and bracket.string == "[":
        kind = "function" if keyword.string == "def" else "class"
        feature = f"a generic {kind} (PEP 695)"
    else:
        return None
    version = (3, 12)
    if bracket.string == "[" and _has_default(tokens[3:]):
        feature, version = "a default of a type parameter (PEP 696)", (3, 13)
    return NewerSyntax(feature, version, number, len(text) - len(text.lstrip()) + 1)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The significant tokens of one line (an unclosed bracket ends them, no error)."""
    found: list[tokenize.TokenInfo] = []
    skipped = (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            if token.type == tokenize.ENDMARKER:
                break
            if token.type not in skipped:
                found.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _has_default(tokens: list[tokenize.TokenInfo]) -> bool:
    """Whether the type parameter list the tokens start in has a ``=`` at its top level."""
    depth = 1
    for token in tokens:
        if token.string in ("(", "[", "{"):
            depth += 1
        elif token.string in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return False
        elif token.string == "=" and depth == 1:
            return True
    return False


# ------------------------------------------------------ PEP 701 and PEP 750
_INTERESTING = re.compile(r"[\"'#]")
_PREFIX = re.compile(r"[A-Za-z]{1,2}$")
_STRING_PREFIXES = frozenset({"", "r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"})


@dataclass
class _String:
    start: int
    end: int
    feature: str | None
    """The newer feature it uses, if any."""


def _string_at(source: str, number: int) -> NewerSyntax | None:
    """A newer f-string or a template string that line ``number`` is part of."""
    starts = [0, *(match.end() for match in re.finditer("\n", source))]
    first = starts[number - 1]
    last = starts[number] if number < len(starts) else len(source)
    for string in _strings(source):
        if string.start >= last:
            break
        if string.end > first and string.feature is not None:
            line = source.count("\n", 0, string.start) + 1
            column = string.start - starts[line - 1] + 1
            version = (3, 14) if "750" in string.feature else (3, 12)
            return NewerSyntax(string.feature, version, line, column)
    return None


def _strings(source: str) -> Iterator[_String]:
    """The string literals of ``source``, read with the rules of Python 3.12 and later."""
    position = 0
    while True:
        match = _INTERESTING.search(source, position)
        if match is None:
            return
        index = match.start()
        if match.group() == "#":
            end = source.find("\n", index)
            position = len(source) if end < 0 else end
            continue
        string = _read_string(source, index, ())
        if string is None:
            return  # unterminated: nothing after it is known to be code
        yield string
        position = string.end


_BACKSLASH = "a backslash in an f-string's replacement field (PEP 701)"


def _read_string(source: str, index: int, enclosing: tuple[str, ...]) -> _String | None:
    """The literal whose quote is at ``index``; ``enclosing``: the quotes of the f-strings
    whose replacement fields hold it."""
    prefix_match = _PREFIX.search(source, max(0, index - 2), index)
    prefix = prefix_match.group().lower() if prefix_match else ""
    start = index - len(prefix)
    if prefix not in _STRING_PREFIXES or (start > 0 and _word(source[start - 1])):
        prefix, start = "", index
    quote = source[index] * 3 if source.startswith(source[index] * 3, index) else source[index]
    feature: str | None = None
    if "t" in prefix:
        feature = "a template string (PEP 750)"
    elif any(quote[0] == outer[0] for outer in enclosing):
        feature = "an f-string reusing its quotes inside a replacement field (PEP 701)"
    position = index + len(quote)
    formatted = "f" in prefix or "t" in prefix
    while position < len(source):
        char = source[position]
        if source.startswith(quote, position):
            return _String(start, position + len(quote), feature)
        if char == "\\":
            if enclosing:
                feature = feature or _BACKSLASH
            position += 2
        elif char == "\n" and len(quote) == 1:
            return None
        elif formatted and source.startswith("{{", position):
            position += 2
        elif formatted and char == "{":
            position, inner = _read_field(source, position + 1, (*enclosing, quote))
            if position < 0:
                return None
            feature = feature or inner
        else:
            position += 1
    return None


def _read_field(source: str, position: int, enclosing: tuple[str, ...]) -> tuple[int, str | None]:
    """Read a replacement field from just after its ``{`` (``enclosing``: the quotes of the
    f-strings it is in, its own last): (the index after its ``}``, or -1 when it does not
    end; the newer feature it uses)."""
    depth = 0
    feature: str | None = None
    while position < len(source):
        char = source[position]
        if char in "\"'":
            string = _read_string(source, position, enclosing)
            if string is None:
                return -1, feature
            feature = feature or string.feature
            position = string.end
            continue
        if char == "\\":
            feature = feature or _BACKSLASH
        elif char == "#":
            feature = feature or "a comment in an f-string's replacement field (PEP 701)"
            end = source.find("\n", position)
            if end < 0:
                return -1, feature
            position = end
            continue
        elif char in "([{":
            depth += 1
        elif char in ")]" or (char == "}" and depth > 0):
            depth -= 1
        elif char == "}":
            return position + 1, feature
        elif char == ":" and depth == 0:
            return _read_format_spec(source, position + 1, enclosing, feature)
        position += 1
    return -1, feature


def _read_format_spec(
    source: str, position: int, enclosing: tuple[str, ...], feature: str | None
) -> tuple[int, str | None]:
    """Read a format specification (text, and fields in braces) up to its field's ``}``."""
    while position < len(source):
        char = source[position]
        if char == "}":
            return position + 1, feature
        if char == "{":
            position, inner = _read_field(source, position + 1, enclosing)
            if position < 0:
                return -1, feature
            feature = feature or inner
            continue
        quote = enclosing[-1]
        if source.startswith(quote, position) or (char == "\n" and len(quote) == 1):
            return -1, feature
        position += 1
    return -1, feature


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"
