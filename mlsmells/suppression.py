"""Suppression comments, read the way flake8 and pylint read them.

The flake8 and pylint plugins leave suppression to their host. The
standalone ``mlsmells check`` and the fixer honour the same comments
themselves through :class:`Suppressions`:

flake8 (``# noqa``)
    ``# noqa`` silences every code on its line, ``# noqa: ML201,ML4``
    silences those codes and code prefixes, and ``# noqa ML201`` (no colon)
    is a blanket ``# noqa``, as in flake8. The comment covers the physical
    lines of the token run it ends: a string spanning several lines, or
    lines joined by backslashes, count as one line, so ``# noqa`` after the
    closing quotes of a multi-line string covers the string's first line.
    Inside brackets each physical line stands alone (flake8 does the same).
    A ``# flake8: noqa`` comment on its own line skips the whole file, with
    or without codes. Unlike flake8, only real comments count: a ``# noqa``
    inside a string literal suppresses nothing.

pylint (``# pylint: ...``)
    Message names are the rule symbols (``ml-chained-assignment``), the
    pylint ids (``W7621``), the category letters (``W``, ``E`` ...), the
    checker name ``mlsmells`` and ``all``. A ``disable=`` (or ``enable=``)
    comment applies from its line to the end of the innermost syntax node
    enclosing that line, as pylint scopes it: after code on a line that
    is that line (a trailing comment after ``def f():`` or ``else:`` covers
    the whole block, as in pylint), on its own line the rest of the
    enclosing block (the function, class, ``if`` statement or module),
    until an ``enable=``. ``disable-next=`` covers the next line.
    ``skip-file`` and ``disable=all`` skip the whole file, as pylint does.

Comments are found with :mod:`tokenize`, never by a regular expression over
the source, so a string that happens to contain ``# noqa`` or
``# pylint: disable=...`` is not a suppression.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from mlsmells import records, registry
from mlsmells.diagnostics import Diagnostic

# flake8's own patterns (flake8/defaults.py: NOQA_INLINE_REGEXP, NOQA_FILE).
_NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
_NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]")
#: Text without a match holds no suppression comment (each pattern below contains one).
_MAY_SUPPRESS = re.compile(r"noqa|pylint:", re.IGNORECASE)

# pylint's pragma grammar: ``pylint:`` then ``keyword=name,name`` groups, up
# to a ``;`` or a second ``#`` (which start a free-text reason).
_PYLINT_PRAGMA = re.compile(r"\bpylint:\s*([^;#\n]+)")
_PRAGMA_TOKEN = re.compile(
    r"(?P<keyword>\b(?:disable-next|disable-msg|disable-all|enable-msg|skip-file|disable|enable)\b)"
    r"|(?P<name>[0-9A-Za-z_-]{2,})"
    r"|(?P<assign>=)"
    r"|(?P<name1>[CREIWF]\d*)"
)
_FILE_KEYWORDS = frozenset({"skip-file", "disable-all"})
_MESSAGE_KEYWORDS = {
    "disable": "disable",
    "disable-msg": "disable",
    "enable": "enable",
    "enable-msg": "enable",
    "disable-next": "disable-next",
}
_CATEGORIES = frozenset("CREIWF")


@dataclass(frozen=True)
class _Noqa:
    codes: tuple[str, ...] | None
    """``None`` for a blanket ``# noqa``."""

    def covers(self, code: str) -> bool:
        return self.codes is None or code.startswith(self.codes)


@dataclass(frozen=True)
class _Interval:
    first: int
    last: int
    enabled: bool


@dataclass(frozen=True)
class _Comment:
    line: int
    text: str
    own_line: bool
    """Nothing but whitespace precedes the comment on its line."""
    pragma_line: int
    """The line pylint attaches a pragma in this comment to (one line up after a backslash)."""
    column: int = 0
    """Where the comment starts on its line (characters)."""


@dataclass(frozen=True)
class Suppression:
    """One suppression comment naming mlsmells codes (for ML919, unused suppressions)."""

    line: int
    column: int
    """Where the comment starts (characters)."""
    text: str
    """The comment."""
    kind: str
    """``noqa`` or ``pylint``."""
    first: int
    last: int
    """The lines it covers."""
    names: tuple[tuple[str, tuple[str, ...]], ...]
    """Each code prefix (``noqa``) or message name (``pylint``) listed, with the mlsmells
    codes it names."""


class Suppressions:
    """The suppression comments of one file, ready to answer per finding."""

    def __init__(
        self,
        noqa: dict[int, _Noqa],
        pylint: dict[str, list[_Interval]],
        file_skipped: bool,
        listed: tuple[Suppression, ...] = (),
    ) -> None:
        self._noqa = noqa
        self._pylint = pylint
        self.file_skipped = file_skipped
        """``# flake8: noqa``, ``# pylint: skip-file`` or ``# pylint: disable=all``."""
        self.listed = listed
        """The ``# noqa: CODES`` and ``# pylint: disable=`` comments that name mlsmells
        codes (none when the file is skipped or does not tokenize)."""

    @classmethod
    def from_lines(cls, lines: Sequence[str], tree: ast.Module | None = None) -> Suppressions:
        """Read the comments of a file given as lines (with their line endings).

        ``tree`` is the module parsed from the same lines, when the caller has
        it; it is parsed here only if a pylint block pragma needs it.
        """
        if _MAY_SUPPRESS.search("".join(lines)) is None:
            return cls({}, {}, False)  # no comment can suppress: spare the tokenizer
        tokens = _tokenize(lines)
        if tokens is None:
            return cls(_noqa_by_physical_line(lines), {}, False)
        comments = list(_comments(tokens, lines))
        if any(c.own_line and _NOQA_FILE.match(c.text) for c in comments):
            return cls({}, {}, True)
        listed: list[Suppression] = []
        noqa = _noqa_by_token_run(tokens, listed)
        pylint, skipped = _pylint_intervals(comments, lines, tree, listed)
        return cls(noqa, pylint, skipped, tuple(listed))

    def is_suppressed(self, diag: Diagnostic) -> bool:
        if self.file_skipped:
            return True
        noqa = self._noqa.get(diag.line)
        if noqa is not None and noqa.covers(diag.code):
            return True
        for interval in reversed(self._pylint.get(diag.code, ())):
            if interval.first <= diag.line <= interval.last:
                return not interval.enabled
        return False


# --------------------------------------------------------------------- noqa
def _tokenize(lines: Sequence[str]) -> list[tokenize.TokenInfo] | None:
    readline = io.StringIO("".join(lines)).readline
    try:
        return list(tokenize.generate_tokens(readline))
    except (tokenize.TokenError, SyntaxError):
        return None


def _parse_noqa(text: str) -> _Noqa | None:
    match = _NOQA_INLINE.search(text)
    if match is None:
        return None
    codes = match.group("codes")
    if codes is None:
        return _Noqa(None)
    return _Noqa(tuple(c.strip() for c in _CODE_SEPARATOR.split(codes) if c.strip()))


def _noqa_by_token_run(
    tokens: Sequence[tokenize.TokenInfo], listed: list[Suppression] | None = None
) -> dict[int, _Noqa]:
    """flake8's mapping: each run of tokens up to a NL/NEWLINE shares its comment. The
    comments listing mlsmells codes go into ``listed``."""
    result: dict[int, _Noqa] = {}
    first: int | None = None
    last = -1
    comment: tokenize.TokenInfo | None = None
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first = tok.start[0] if first is None else min(first, tok.start[0])
        last = max(last, tok.end[0])
        if tok.type == tokenize.COMMENT and comment is None:
            comment = tok
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            noqa = _parse_noqa(comment.string) if comment is not None else None
            if noqa is not None and first is not None:
                for line in range(first, last + 1):
                    result[line] = noqa
                ours = [c for c in noqa.codes or () if c.upper().startswith("ML")]
                if listed is not None and comment is not None and ours:
                    named = tuple((c, _codes_of_prefix(c)) for c in ours)
                    listed.append(
                        Suppression(
                            comment.start[0], comment.start[1], comment.string, "noqa",
                            first, last, named,
                        )
                    )
            first, last, comment = None, -1, None
    return result


def _codes_of_prefix(prefix: str) -> tuple[str, ...]:
    return tuple(code for code in registry.RULES if code.startswith(prefix.upper()))


def _noqa_by_physical_line(lines: Sequence[str]) -> dict[int, _Noqa]:
    """The fallback when the file cannot be tokenized (flake8 then reads the physical line)."""
    result: dict[int, _Noqa] = {}
    for number, line in enumerate(lines, start=1):
        noqa = _parse_noqa(line)
        if noqa is not None:
            result[number] = noqa
    return result


# ------------------------------------------------------------------- pylint
def _comments(tokens: Sequence[tokenize.TokenInfo], lines: Sequence[str]) -> Iterator[_Comment]:
    # pylint attaches a pragma to the line above when the physical line
    # before it ended without a NL/NEWLINE token (a backslash continuation).
    prev_line: int | None = None
    newline_before = True
    newline_seen = True
    for tok in tokens:
        line = tok.start[0]
        if prev_line is not None and prev_line != line:
            newline_before = newline_seen
            newline_seen = False
        prev_line = line
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            newline_seen = True
        if tok.type != tokenize.COMMENT:
            continue
        own = not lines[line - 1][: tok.start[1]].strip() if line <= len(lines) else False
        yield _Comment(line, tok.string, own, line if newline_before else line - 1, tok.start[1])


@dataclass(frozen=True)
class _Pragma:
    action: str
    names: tuple[str, ...]


def _parse_pragmas(comment: str) -> list[_Pragma]:
    """The pragmas of one comment; a malformed pragma ends the list (pylint ignores the rest)."""
    match = _PYLINT_PRAGMA.search(comment)
    if match is None:
        return []
    pragmas: list[_Pragma] = []
    action: str | None = None
    names: list[str] = []
    expect_assign = False

    def close() -> bool:
        if action is None:
            return False
        if action in _MESSAGE_KEYWORDS and not names:
            return False
        pragmas.append(_Pragma(action, tuple(names)))
        return True

    for tok in _PRAGMA_TOKEN.finditer(match.group(1)):
        kind, value = tok.lastgroup, tok.group()
        if kind == "assign":
            if not expect_assign:
                return pragmas
            expect_assign = False
        elif expect_assign:
            return pragmas
        elif kind == "keyword":
            if action is not None and not close():
                return pragmas
            action, names = value, []
            expect_assign = action in _MESSAGE_KEYWORDS
        else:
            names.append(value)
    close()
    return pragmas


def _codes_named(name: str) -> list[str]:
    """The mlsmells codes a pylint message name refers to."""
    if name == "all" or name.lower() == "mlsmells":
        return [*registry.RULES, records.INTERNAL_ERROR_CODE]
    if name in _CATEGORIES:
        codes = [c for c, r in registry.RULES.items() if r.pylint_id[0] == name]
        if records.INTERNAL_ERROR_PYLINT_ID[0] == name:
            codes.append(records.INTERNAL_ERROR_CODE)
        return codes
    if name[1:].isdigit():
        msgid = name.upper()
        if msgid == records.INTERNAL_ERROR_PYLINT_ID:
            return [records.INTERNAL_ERROR_CODE]
        return [c for c, r in registry.RULES.items() if r.pylint_id == msgid]
    if name == records.INTERNAL_ERROR_SYMBOL:
        return [records.INTERNAL_ERROR_CODE]
    rule = registry.by_symbol(name)
    return [rule.code] if rule is not None else []


def _pylint_intervals(
    comments: Sequence[_Comment],
    lines: Sequence[str],
    tree: ast.Module | None,
    listed: list[Suppression] | None = None,
) -> tuple[dict[str, list[_Interval]], bool]:
    intervals: dict[str, list[_Interval]] = {}
    blocks: _Blocks | None = None
    for comment in comments:
        for pragma in _parse_pragmas(comment.text):
            if pragma.action in _FILE_KEYWORDS:
                return {}, True
            action = _MESSAGE_KEYWORDS[pragma.action]
            if action == "disable" and "all" in pragma.names:
                return {}, True
            line = comment.pragma_line
            if action == "disable-next":
                first, last = line + 1, line + 1
            else:
                if blocks is None:
                    blocks = _Blocks(lines, tree)
                first, last = line, blocks.end_of_scope(line)
            for name in pragma.names:
                for code in _codes_named(name):
                    intervals.setdefault(code, []).append(
                        _Interval(first, last, action == "enable")
                    )
            if action == "enable" or listed is None:
                continue
            # Names of mlsmells messages only: categories, `all` and the checker name
            # reach pylint's own messages too.
            named = tuple(
                (name, tuple(_codes_named(name)))
                for name in pragma.names
                if name not in _CATEGORIES and name != "all" and name.lower() != "mlsmells"
            )
            named = tuple(item for item in named if item[1])
            if named:
                listed.append(
                    Suppression(
                        comment.line, comment.column, comment.text, "pylint", first, last, named
                    )
                )
    return intervals, False


class _Blocks:
    """Where a pylint ``disable=``/``enable=`` pragma on a given line stops applying."""

    def __init__(self, lines: Sequence[str], tree: ast.Module | None) -> None:
        self.total = len(lines)
        if tree is None:
            try:
                tree = ast.parse("".join(lines))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = None
        self.tree = tree

    def end_of_scope(self, line: int) -> int:
        """The last line of the innermost node enclosing ``line``.

        This is pylint's walk: depth first, descending only into nodes that
        span several lines; the first node (children before parents) whose
        line range contains ``line`` decides.
        """
        if self.tree is None:
            return self.total
        try:
            end = self._find(self.tree, line)
        except RecursionError:
            return self.total
        return end if end is not None else self.total

    def _find(self, node: ast.AST, line: int) -> int | None:
        first: int | None = getattr(node, "lineno", None)
        last: int | None = getattr(node, "end_lineno", None)
        if isinstance(node, ast.Module):
            first, last = 1, max((s.end_lineno or s.lineno for s in node.body), default=0)
        if first is None or last is None or first != last:
            for child in ast.iter_child_nodes(node):
                end = self._find(child, line)
                if end is not None:
                    return end
        if first is not None and last is not None and first <= line <= last:
            return last
        return None


# ------------------------------------------------------------------- unused
UNUSED_CODE = "ML919"
"""The rule reporting suppression comments that suppress nothing (see :func:`unused`)."""


def unused(
    suppressions: Suppressions,
    found: Sequence[Diagnostic],
    active: frozenset[str],
    lines: Sequence[str],
) -> list[Diagnostic]:
    """ML919: the ``# noqa: MLxxx`` and ``# pylint: disable=`` comments (of mlsmells codes)
    that suppress none of the findings ``found`` (every finding of the ``active`` codes,
    before suppression). A code or name is judged only when every rule it names is
    active (a rule that did not run could have needed it); an ``ML`` code naming no rule
    suppresses nothing."""
    rule = registry.get(UNUSED_CODE)
    reported: list[Diagnostic] = []
    for item in suppressions.listed:
        idle: list[str] = []
        for name, codes in item.names:
            if codes and (UNUSED_CODE in codes or not set(codes) <= active):
                continue
            if not any(d.code in codes and item.first <= d.line <= item.last for d in found):
                idle.append(name)
        if not idle:
            continue
        text = lines[item.line - 1] if item.line <= len(lines) else ""
        start = len(text[: item.column].encode("utf-8"))
        end = start + len(item.text.encode("utf-8"))
        message = rule.format(names=", ".join(idle), comment=item.text.strip())
        data = (("kind", item.kind), ("unused", ",".join(idle)))
        reported.append(Diagnostic(item.line, start, rule.code, message, item.line, end, data))
    return reported
