"""What a fix is, where it applies, and the libcst helpers the transforms share.

A *transform* is a function in a rule module, listed in its ``FIXES`` under the
rule's code (:data:`mlsmells.registry.TRANSFORMS` gathers them). The apply loop
calls it once per finding of that code, with a :class:`FixContext` over the
module being fixed; it returns an :class:`Edit`
(replace one node of that module by a new node, maybe add imports) or ``None``
when this finding has a shape the fix does not handle. The loop collects the
edits of all codes, drops overlapping ones, applies the rest in one pass and
re-detects (see :mod:`mlsmells.fixes.apply`). Adding a fix for a rule is one
transform plus its fixtures.

Locating a finding's node: detection runs on :mod:`ast`, whose columns are
UTF-8 byte offsets; libcst positions count characters. :meth:`FixContext.find`
converts the finding's range to characters through the text of its lines and
returns the node of the requested type whose range is exactly that one; a
raw column is never compared with a libcst column.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
)
from libcst.metadata.position_provider import PositionProvidingCodegenState

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.files import split_lines as split_lines  # re-exported
from mlsmells.records import Fix
from mlsmells.versions import NEWEST, Targets

N = TypeVar("N", bound=cst.CSTNode)

#: A character range: (start line, start column, end line, end column), lines 1-based.
Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class ImportItem:
    """An import a fix needs: ``import module_name`` or ``from module_name import obj_name``
    (``as alias``). libcst's codemod ``ImportItem``, which adds it, is made of it only then:
    libcst.codemod is slow to import, and most fixes add no import."""

    module_name: str
    obj_name: str | None = None
    alias: str | None = None


@dataclass(frozen=True)
class Edit:
    """Replace ``node`` (a node of the module being fixed) by ``replacement``."""

    node: cst.CSTNode
    replacement: cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement]
    """A node its parent's field can hold, or statements that take the place of the
    statement ``node`` (the statement itself followed by new ones inserts them)."""
    imports: tuple[ImportItem, ...] = ()
    """Imports the replacement needs (added with libcst's AddImportsVisitor)."""
    safety: Fix | None = None
    """``Fix.SAFE``/``Fix.UNSAFE`` for a rule whose registry entry is ``Fix.MIXED``
    (the transform decides per finding); ``None`` takes the registry's."""


Transform = Callable[["FixContext", Diagnostic], "Edit | None"]


def _first_difference(old: str, new: str) -> int:
    for number, (a, b) in enumerate(zip(split_lines(old), split_lines(new), strict=False), 1):
        if a != b:
            return number
    return min(len(split_lines(old)), len(split_lines(new))) + 1


class RoundTripError(Exception):
    """libcst would not give back the exact text it parsed."""


def _code_lines(text: str) -> int:
    """The number of lines up to the end of the last statement (comments, blank lines follow).

    libcst loses blank lines before trailing whitespace or comment lines at
    the end of a file; they are kept aside and appended unchanged.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text.replace("\r\n", "\n").replace("\r", "\n"))
    return max((stmt.end_lineno or stmt.lineno for stmt in tree.body), default=0)


class _PositionState(PositionProvidingCodegenState):
    """libcst's code generation recording the positions of libcst's ``PositionProvider``
    as spans, with less work per token and node: no regex split of a token without a
    line break (most), tuples instead of ``CodeRange`` objects, nodes keyed by ``id``
    (``CSTNode.__hash__`` is a Python call), a class instead of a generator for the
    context manager of syntactic positions. Tested against libcst's own provider."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            provider=PositionProvider(),
        )
        self.spans: dict[int, Span] = {}
        """id of a node -> its span (the first one recorded, as libcst keeps it)."""
        self.nodes: dict[int, cst.CSTNode] = {}
        self.parents: dict[int, cst.CSTNode] = {}
        """id of a node -> the node whose code generation generated it: its parent."""
        self.starts: list[tuple[int, int]] = []
        self.open: list[cst.CSTNode] = []
        """The nodes being generated, the module first: the ancestors of the next node."""

    def _update_position(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            super()._update_position(value)
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append((self.line, self.column))
        if self.open:
            self.parents.setdefault(id(node), self.open[-1])
        self.open.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.open.pop()
        line, column = self.starts.pop()
        key = id(node)
        if key not in self.spans:
            self.spans[key] = (line, column, self.line, self.column)
        self.nodes[key] = node

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticPosition:
        return _SyntacticPosition(self, node, start_node, end_node)


class _SyntacticPosition:
    """``PositionProvidingCodegenState.record_syntactic_position``, without a generator."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(
        self,
        state: _PositionState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc_info: object) -> None:
        state = self.state
        spans = state.spans
        start = spans[id(self.start_node)][:2] if self.start_node is not None else self.start
        if self.end_node is not None:
            end = spans[id(self.end_node)][2:]
        else:
            end = (state.line, state.column)
        spans[id(self.node)] = (start[0], start[1], end[0], end[1])


def _spans_and_code(
    module: cst.Module, first_line: int = 1
) -> tuple[dict[int, Span], dict[int, cst.CSTNode], dict[int, cst.CSTNode], str]:
    """The span of every node of ``module`` as libcst's ``PositionProvider`` gives it (by
    id of the node; lines counted from ``first_line``), the nodes by id, the parent of each
    node but the module (by id of the node, as libcst's ``ParentNodeProvider`` gives it)
    and ``module.code``: one code generation.

    (Not through ``MetadataWrapper.resolve``: after the positions, libcst 1.x walks the
    whole module once more with an empty batch of visitors, as long again.)
    """
    state = _PositionState(module)
    state.line = first_line
    module._codegen(state)
    return state.spans, state.nodes, state.parents, "".join(state.tokens)


class FixContext:
    """One module being fixed: the libcst tree with its metadata, the ``seed`` that
    fixes insert where code needs one (the setting ``seed``), and the ``targets``: the
    library releases the project supports (a fix whose replacement some of them lack is
    not applied: the finding carries ``needs``; a fix may also be safe only when every
    supported release has what it writes). ``first_line``: the line of a file that
    ``text`` starts on when it is a part of it (positions are then the file's).

    Raises :class:`RoundTripError` when libcst would not reproduce the text
    exactly (it drops a line made of a lone backslash, for one): such a file
    cannot be fixed without touching text outside the fixed nodes.
    """

    def __init__(
        self, text: str, seed: int = 42, targets: Targets = NEWEST, *, first_line: int = 1
    ) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.seed = seed
        self.targets = targets
        body_lines = _code_lines(text)
        body = "".join(self.lines[:body_lines])
        self.tail = "".join(self.lines[body_lines:])
        self.wrapper = MetadataWrapper(cst.parse_module(body), unsafe_skip_copy=True)
        self._module = self.wrapper.module
        # One code generation gives every node's position (nearly every fix needs them)
        # and the text, which must be the text parsed: Module.code would be a second one.
        self._spans, self._nodes, self._parents, code = _spans_and_code(self._module, first_line)
        if code != body:
            line = _first_difference(body, code)
            raise RoundTripError(f"libcst does not reproduce line {line} exactly")
        self._by_span: dict[Span, list[cst.CSTNode]] | None = None
        self._names: frozenset[str] | None = None

    @property
    def module(self) -> cst.Module:
        """The libcst module of the text (a transform reaching statements other than those
        enclosing its finding goes through here or :meth:`names_in_module`)."""
        return self._module

    def code(self, module: cst.Module) -> str:
        """The text of ``module``, a changed version of this one, with the tail kept aside."""
        return module.code + self.tail

    def statement_ending_on(self, line: int) -> cst.BaseStatement | None:
        """The top-level statement whose code ends on ``line``, if any."""
        for statement in self._module.body:
            if self.span(statement)[2] == line:
                return statement
        return None

    # ----------------------------------------------------------- positions
    def char_col(self, line: int, byte_col: int) -> int:
        """The character column of UTF-8 byte offset ``byte_col`` on ``line``."""
        if not 1 <= line <= len(self.lines):
            return byte_col
        prefix = self.lines[line - 1].encode("utf-8")[:byte_col]
        return len(prefix.decode("utf-8", errors="replace"))

    def span_of_diagnostic(self, diag: Diagnostic) -> Span:
        return (
            diag.line,
            self.char_col(diag.line, diag.col),
            diag.end_line,
            self.char_col(diag.end_line, diag.end_col),
        )

    def span(self, node: cst.CSTNode) -> Span:
        """``node``'s position as libcst's ``PositionProvider`` gives it (computed with the
        module: nearly every fix needs them)."""
        return self._spans[id(node)]

    def _index(self) -> dict[Span, list[cst.CSTNode]]:
        if self._by_span is None:
            index: dict[Span, list[cst.CSTNode]] = {}
            nodes = self._nodes
            for key, span in self._spans.items():
                index.setdefault(span, []).append(nodes[key])
            self._by_span = index
        return self._by_span

    def find(self, diag: Diagnostic, *types: type[N]) -> N | None:
        """The node of one of ``types`` (in order of preference) spanning exactly the finding."""
        nodes = self._index().get(self.span_of_diagnostic(diag), [])
        for wanted in types:
            for node in nodes:
                if isinstance(node, wanted):
                    return node
        return None

    # ------------------------------------------------------------- structure
    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The node whose child ``node`` is (``None`` for the module, or a node not in it)."""
        return self._parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The nodes enclosing ``node``, from the module down to its parent (empty for
        the module, or a node that is not in it): a walk up the parents recorded with
        the positions, as long as the node is deep."""
        return self.enclosing(node)

    def enclosing(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """:meth:`ancestors` of the tree parsed, for the fixer's machinery: a context
        parsing only a part of the file (:mod:`mlsmells.fixes.suggest`) refuses
        :meth:`ancestors` to transforms, whose decisions may depend on what encloses the
        part, but the nodes its edits replace are found through the part's own."""
        chain: list[cst.CSTNode] = []
        parent = self._parents.get(id(node))
        while parent is not None:
            chain.append(parent)
            parent = self._parents.get(id(parent))
        return chain[::-1]

    # ------------------------------------------------------------------ names
    def names_in_module(self) -> frozenset[str]:
        """Every identifier used anywhere in the module (bound, read or imported)."""
        if self._names is None:
            found: set[str] = set()

            class _Collect(cst.CSTVisitor):
                def visit_Name(self, node: cst.Name) -> None:
                    found.add(node.value)

                def visit_Attribute(self, node: cst.Attribute) -> bool:
                    node.value.visit(self)  # ``x.attr``: ``attr`` is no variable
                    return False

                def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
                    # ``from math import nan`` binds ``nan``, not ``math``.
                    if not isinstance(node.names, cst.ImportStar):
                        for alias in node.names:
                            alias.visit(self)
                    return False

                def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
                    # The name bound: the alias, or the first part of a dotted module.
                    bound: cst.BaseExpression = (
                        node.asname.name if node.asname is not None else node.name
                    )
                    while isinstance(bound, cst.Attribute):
                        bound = bound.value
                    bound.visit(self)
                    return False

            self.module.visit(_Collect())
            self._names = frozenset(found)
        return self._names


# --------------------------------------------------------------- expressions
def parse_expression(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


def is_true(node: cst.BaseExpression) -> bool:
    """The literal ``True``, in parentheses or not (as ``ast`` sees it: the checks that
    decide a fix from the finding read it so)."""
    return isinstance(node, cst.Name) and node.value == "True"


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def is_pure(node: cst.BaseExpression) -> bool:
    """An expression that can be evaluated twice with the same result and no effect."""
    if isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return is_pure(node.left) and is_pure(node.right)
    if isinstance(node, cst.Attribute):
        return is_pure(node.value)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(el, cst.Element) and is_pure(el.value) for el in node.elements)
    if isinstance(node, cst.UnaryOperation):
        return is_pure(node.expression)
    return False


def is_atom(node: cst.BaseExpression) -> bool:
    """Can ``node`` take a ``.attr`` or ``(...)`` suffix without parentheses?"""
    if node.lpar:
        return True
    return isinstance(
        node,
        (
            cst.Name,
            cst.Attribute,
            cst.Call,
            cst.Subscript,
            cst.List,
            cst.Tuple,
            cst.Dict,
            cst.Set,
            cst.SimpleString,
            cst.ConcatenatedString,
            cst.FormattedString,
        ),
    )


def parenthesize(node: N) -> N:
    if isinstance(node, cst.BaseExpression) and not node.lpar:
        return cast(N, node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
    return node


def method_call(receiver: cst.BaseExpression, method: str) -> cst.Call:
    """``receiver.method()``, parenthesizing the receiver when it needs it."""
    value = receiver if is_atom(receiver) else parenthesize(receiver)
    return cst.Call(func=cst.Attribute(value=value, attr=cst.Name(method)))


# ------------------------------------------------------------ call arguments
def _no_comment(ws: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=ws.indent,
        last_line=ws.last_line,
    )


def _separator(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace this call puts between two arguments (a new line if it does)."""
    args = call.args
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        ws = args[-2].comma.whitespace_after
    else:
        ws = call.whitespace_before_args
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return _no_comment(ws)
    return cst.SimpleWhitespace(" ")


def _equal_style(call: cst.Call) -> cst.AssignEqual:
    for arg in reversed(call.args):
        if arg.keyword is not None and isinstance(arg.equal, cst.AssignEqual):
            return arg.equal
    return cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )


def add_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` appended, in the layout of its other arguments."""
    new = cst.Arg(value=value, keyword=cst.Name(name), equal=_equal_style(call))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    sep = _separator(call)
    if isinstance(last.comma, cst.Comma):
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and isinstance(
            sep, cst.ParenthesizedWhitespace
        ):
            # One argument per line with a trailing comma: the new one goes on
            # its own line, the comment of the old last line stays there.
            moved = after.with_changes(indent=sep.indent, last_line=sep.last_line)
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=moved))
            new = new.with_changes(comma=cst.Comma(whitespace_after=_no_comment(after)))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=sep))
            new = new.with_changes(comma=last.comma)
    else:
        closing: cst.BaseParenthesizableWhitespace = last.whitespace_after_arg
        if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(
            sep, cst.ParenthesizedWhitespace
        ):
            # One argument per line, no trailing comma: the old last line keeps its comment.
            sep = closing.with_changes(indent=sep.indent, last_line=sep.last_line)
            closing = _no_comment(closing)
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=sep), whitespace_after_arg=cst.SimpleWhitespace("")
        )
        new = new.with_changes(whitespace_after_arg=closing)
    return call.with_changes(args=[*args, new])


def _merge_comment(
    kept: cst.BaseParenthesizableWhitespace, taken: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """``taken`` (whitespace of a removed argument), keeping the comment that ``kept`` had."""
    if (
        isinstance(kept, cst.ParenthesizedWhitespace)
        and isinstance(taken, cst.ParenthesizedWhitespace)
        and kept.first_line.comment is not None
    ):
        return taken.with_changes(first_line=kept.first_line)
    return taken


def remove_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """``call`` without ``arg``, keeping the layout (and comments) of the others."""
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is arg)
    if len(args) == 1:
        return call.with_changes(args=[], whitespace_before_args=cst.SimpleWhitespace(""))
    if index < len(args) - 1:
        del args[index]
        return call.with_changes(args=args)
    prev = args[index - 1]
    prev_comma = prev.comma
    if isinstance(arg.comma, cst.Comma):
        after = arg.comma.whitespace_after
        if isinstance(prev_comma, cst.Comma):
            after = _merge_comment(prev_comma.whitespace_after, after)
        comma: cst.Comma | cst.MaybeSentinel = arg.comma.with_changes(whitespace_after=after)
        trailing = prev.whitespace_after_arg
    else:
        comma = cst.MaybeSentinel.DEFAULT
        trailing = arg.whitespace_after_arg
        if isinstance(prev_comma, cst.Comma):
            trailing = _merge_comment(prev_comma.whitespace_after, trailing)
    args[index - 1] = prev.with_changes(comma=comma, whitespace_after_arg=trailing)
    del args[index]
    return call.with_changes(args=args)
