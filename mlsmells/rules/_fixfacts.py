"""What a fix needs to know about the code of a finding beyond what its rule needs: the
names the module uses (an import the fix adds must not take one), and the parentheses,
comments and layout that libcst (the fixer's parse) keeps and ``ast`` drops. A rule
reads them when it reports a finding, to decide its fix (``FIXABLE``: ``check`` marks
the findings its fix applies to without libcst), never per node visited.

Each function here answers a question a transform asks of its libcst node, from the
node's ``ast`` twin and the source lines; tests/test_fix_decisions.py holds the
answers to the fixer's on every fixture.
"""

from __future__ import annotations

import ast
import io
import tokenize

from mlsmells.engine import Context


def rewrite_data(rewritten: bool) -> tuple[tuple[str, str], ...]:
    """The data of a finding whose fix, which takes its shape, does not rewrite it as
    written here (``rewrite``: ``no``; its rule's decision reads it)."""
    return () if rewritten else (("rewrite", "no"),)


def import_data(
    ctx: Context, module: str | None, key: str = "import"
) -> tuple[tuple[str, str], ...]:
    """The data of a fix that imports ``module``: ``(key, module)``, and ``taken`` when the
    name ``import module`` binds is used in the module already (the fix does not import
    it then: :meth:`mlsmells.fixes.base.FixContext.names_in_module`)."""
    if module is None:
        return ()
    taken = ctx.uses_name(module.split(".")[0])
    return ((key, module),) + ((("taken", "yes"),) if taken else ())


def parenthesized_in(outer: ast.expr | ast.stmt, inner: ast.expr) -> bool:
    """Whether ``inner``, the leftmost part of ``outer`` (the value of an attribute or a
    subscript, the function of a call), has parentheses of its own: ``(df[a])[b]``,
    ``(df.x).fillna(...)``, libcst's ``inner.lpar``. (``ast`` starts ``outer`` at its
    first token, an opening parenthesis included, and ``inner`` inside its parentheses.)
    Also for a statement and its expression: ``(x.f())`` as a statement."""
    return (outer.lineno, outer.col_offset) != (inner.lineno, inner.col_offset)


def parenthesized_tuple(ctx: Context, node: ast.Tuple) -> bool:
    """Whether the tuple ``node`` is written in parentheses of its own: ``df[(a, b)]`` is one
    subscript of a tuple for libcst, ``df[a, b]`` two (``ast`` makes both a tuple)."""
    text = ctx.source_of(node)
    if not text.startswith("("):
        return False  # ``df[a, b]``
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.OP:
                continue
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
                if depth == 0:  # the first parenthesis closes: at the end, or before a comma
                    return token.end == _end_of(text)
    except (tokenize.TokenError, SyntaxError):
        return False  # (``(a), (b`` ... cannot be the whole of a tuple in parentheses)
    return False


def _end_of(text: str) -> tuple[int, int]:
    """The (line, column) tokenize gives the end of ``text``."""
    lines = text.split("\n")
    return len(lines), len(lines[-1])


def holds_comment(ctx: Context, node: ast.AST) -> bool:
    """Whether a comment lies inside ``node``'s code (not in parentheses around it): a
    rewrite of the node might drop it (libcst: a ``Comment`` in the node without its
    ``lpar``/``rpar``)."""
    if getattr(node, "end_lineno", None) == getattr(node, "lineno", None):
        return False  # a comment runs to the end of its line
    text = ctx.source_of(node)
    if "#" not in text:
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(f"({text}\n)").readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # (not met: the code of an expression tokenizes in parentheses)
    return any(token.type == tokenize.COMMENT for token in tokens)


def block_body(ctx: Context, statement: ast.For | ast.AsyncFor | ast.While) -> bool:
    """Whether the body of ``statement`` is an indented block (libcst's ``IndentedBlock``),
    not statements on the line of its header (``for x in y: f(x)``, a
    ``SimpleStatementSuite``): a logical line ends before the body's first line."""
    first = statement.body[0].lineno
    lines = iter(ctx.lines[statement.lineno - 1 : first - 1])
    try:
        for token in tokenize.generate_tokens(lambda: next(lines, "")):
            if token.type == tokenize.NEWLINE:
                return True
    except (tokenize.TokenError, SyntaxError):
        pass  # the header goes on to the body's line (``for x in (\n a\n): f(x)``)
    return False


def is_pure(expr: ast.expr) -> bool:
    """:func:`mlsmells.fixes.base.is_pure` of ``expr``'s libcst twin: a name, a number or a
    string (not an f-string, an ellipsis or an imaginary number), an attribute of one, a
    list or tuple of them, a unary operation on one: evaluated twice, it gives the same."""
    if isinstance(expr, ast.Name):
        return True
    if isinstance(expr, ast.Constant):
        return expr.value is not Ellipsis and not isinstance(expr.value, complex)
    if isinstance(expr, ast.Attribute):
        return is_pure(expr.value)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return all(not isinstance(e, ast.Starred) and is_pure(e) for e in expr.elts)
    if isinstance(expr, ast.UnaryOp):
        return is_pure(expr.operand)
    return False
