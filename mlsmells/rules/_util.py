"""Small AST helpers shared by the rule modules of several families."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import cast

from mlsmells.diagnostics import Diagnostic
from mlsmells.records import Fix
from mlsmells.semantic.model import SemanticModel


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of ``call``, if passed explicitly."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """Whether ``call`` passes ``**kwargs`` (then any keyword may be present)."""
    return any(kw.arg is None for kw in call.keywords)


def is_true(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def method_name(call: ast.Call) -> str | None:
    """``m`` for a call ``<receiver>.m(...)``."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def constant(model: SemanticModel, expr: ast.expr | None) -> ast.Constant | None:
    """``expr`` when it is a literal, or the literal a name is bound to at this point
    (``flag = True`` ... ``f(flag)``); ``None`` for anything else (a parameter, an
    attribute, a call ...)."""
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id)
        expr = binding.node if binding is not None and isinstance(binding.node, ast.expr) else None
    return expr if isinstance(expr, ast.Constant) else None


def is_main_guard(node: ast.If) -> bool:
    """``if __name__ == "__main__":`` (either side first)."""
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and mains) and isinstance(test.ops[0], ast.Eq)


# ------------------------------------------------------------ compatibility shims

#: Exceptions a compatibility shim catches when it probes for a NumPy name.
_PROBE_EXCEPTIONS = frozenset(
    {"AttributeError", "ImportError", "ModuleNotFoundError", "NameError", "Exception",
     "BaseException"}
)  # fmt: skip


#: Identifiers in an ``if`` test that mark a version or feature switch.
_SWITCH_WORD = re.compile(r"version|numpy|np_?\d|hasattr|getattr", re.IGNORECASE)


#: The broad ones: a handler naming only these may guard anything (a download, a loop).
_BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})


def _catches_probe(handler: ast.ExceptHandler, broad: bool = True) -> bool:
    if handler.type is None:
        return broad
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for expr in types:
        name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", None)
        if name in _PROBE_EXCEPTIONS and (broad or name not in _BROAD_EXCEPTIONS):
            return True
    return False


def _is_switch(test: ast.expr) -> bool:
    """Whether an ``if`` test looks like a version or feature switch."""
    for node in ast.walk(test):
        words: list[str] = []
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.append(node.value)
        if any(_SWITCH_WORD.search(word) for word in words):
            return True
    return False


def in_compat_shim(ancestors: Sequence[ast.AST], *, broad: bool = True) -> bool:
    """Whether the current node sits in code written to run on several library versions.

    A ``try`` whose handlers catch ``AttributeError``/``ImportError`` (or, with
    ``broad``, anything: a bare ``except:``, ``Exception``), and an
    ``if``/conditional expression testing a version or ``hasattr``.
    """
    for node in ancestors:
        if isinstance(node, ast.Try) and any(_catches_probe(h, broad) for h in node.handlers):
            return True
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and _is_switch(node.test):
            return True
    return False


# ------------------------------------------------------------ loop-carried values

#: Statements after which the rest of a block does not run.
_EXITS = (ast.Continue, ast.Break, ast.Return, ast.Raise)
#: ``try`` statements (``try``/``except*`` is ``ast.TryStar`` from Python 3.11).
_TRIES: tuple[type[ast.stmt], ...] = (ast.Try, *filter(None, [getattr(ast, "TryStar", None)]))


def rebound_in_iteration(
    loop: ast.For | ast.AsyncFor | ast.While,
    path: Sequence[ast.AST],
    binds: Callable[[ast.stmt], bool],
) -> bool:
    """Whether every path from the top of ``loop``'s body to the statement that ends
    ``path`` runs a statement that ``binds`` (an assignment of a fresh value to the name
    that statement reads): the value it reads is then made in the same iteration, not
    carried over from the previous one (``x = load(i); x = pd.concat([x, y])``).

    ``path`` is the chain of nodes from the loop's body down to the statement (the
    ancestors below the loop, then the statement). A nested loop on the way counts as
    binding nothing: the statement may read what its own previous iteration left.
    """
    on_path = {id(node) for node in path}
    statement = path[-1]
    return _reaches_bound(loop.body, statement, on_path, binds, False) is True


def _reaches_bound(
    block: Sequence[ast.stmt],
    statement: ast.AST,
    on_path: set[int],
    binds: Callable[[ast.stmt], bool],
    bound: bool,
) -> bool | None:
    """Whether ``statement`` is reached in ``block`` with the value bound on every path
    (None: not in this block)."""
    for stmt in block:
        if stmt is statement:
            return bound
        if id(stmt) in on_path:
            return _inside(stmt, statement, on_path, binds, bound)
        bound = bound or _always_binds(stmt, binds)
    return None


def _inside(
    stmt: ast.stmt,
    statement: ast.AST,
    on_path: set[int],
    binds: Callable[[ast.stmt], bool],
    bound: bool,
) -> bool | None:
    if isinstance(stmt, ast.If):
        branch = stmt.body if any(id(s) in on_path for s in stmt.body) else stmt.orelse
        return _reaches_bound(branch, statement, on_path, binds, bound)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return _reaches_bound(stmt.body, statement, on_path, binds, bound)
    if isinstance(stmt, _TRIES):
        tried = cast(ast.Try, stmt)  # (``ast.TryStar`` has the same fields)
        found = _reaches_bound(tried.body, statement, on_path, binds, bound)
        if found is not None:
            return found
        after_body = bound or _block_binds(tried.body, binds)
        found = _reaches_bound(tried.orelse, statement, on_path, binds, after_body)
        if found is not None:
            return found
        for handler in tried.handlers:  # raised anywhere in the body: only what came before
            found = _reaches_bound(handler.body, statement, on_path, binds, bound)
            if found is not None:
                return found
        return _reaches_bound(tried.finalbody, statement, on_path, binds, bound)
    if isinstance(stmt, ast.Match):
        for case in stmt.cases:
            found = _reaches_bound(case.body, statement, on_path, binds, bound)
            if found is not None:
                return found
        return None
    return False  # a nested loop (or a definition): what it carries over is unknown


def _always_binds(stmt: ast.stmt, binds: Callable[[ast.stmt], bool]) -> bool:
    """Whether running ``stmt`` to its end binds the value on every path."""
    if binds(stmt):
        return True
    if isinstance(stmt, ast.If):
        return _block_binds(stmt.body, binds) and _block_binds(stmt.orelse, binds)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return _block_binds(stmt.body, binds)
    if isinstance(stmt, _TRIES):
        tried = cast(ast.Try, stmt)
        if _block_binds(tried.finalbody, binds):
            return True
        normal = _block_binds(tried.body, binds) or _block_binds(tried.orelse, binds)
        return normal and all(_block_binds(h.body, binds) for h in tried.handlers)
    return False


def _block_binds(block: Sequence[ast.stmt], binds: Callable[[ast.stmt], bool]) -> bool:
    """Whether every path through ``block`` binds the value or leaves the block early
    (``continue``, ``return`` ...: the statement after it is not reached that way)."""
    return any(isinstance(stmt, _EXITS) or _always_binds(stmt, binds) for stmt in block)


def fix_always(safety: Fix) -> Callable[[Diagnostic], Fix]:
    """A rule's fix decision (``FIXABLE``, see :data:`mlsmells.registry.Decision`) for a fix
    that applies, with ``safety``, to every finding its check reports: the check reports
    only the shape the fix rewrites."""

    def decide(diag: Diagnostic) -> Fix:
        return safety

    return decide
