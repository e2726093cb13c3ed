"""Whether a value is carried from one iteration of a loop to the next (ML207, ML302).

``acc = np.append(acc, piece)`` grows ``acc`` only when the ``acc`` it reads is the one
the previous iteration left: not when every path through the loop body binds it afresh
before the statement (``acc = np.zeros(0)`` at the top of the body), nor when every path
binds it again after (the grown value is dropped). The branch a loop takes on its first
iteration (``if i == 0: acc = piece`` / ``else: acc = np.append(acc, piece)``) binds it
on one path only: there the value is carried. A path that leaves the iteration before the
statement (``continue``, ``break``, ``return``, ``raise``) never reaches it; one that
``continue``s after it, before any new binding, carries the grown value.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

Loop = ast.For | ast.AsyncFor | ast.While
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_NOT_ENTERED = (*_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_EXITS = (ast.Continue, ast.Break, ast.Return, ast.Raise)


def same_target(a: ast.expr, b: ast.expr) -> bool:
    """``a`` and ``b`` name the same variable or ``self.x`` attribute."""
    if isinstance(a, ast.Name) and isinstance(b, ast.Name):
        return a.id == b.id
    if isinstance(a, ast.Attribute) and isinstance(b, ast.Attribute):
        return a.attr == b.attr and same_target(a.value, b.value)
    return False


def mentions(expr: ast.AST, target: ast.expr) -> bool:
    return any(
        isinstance(sub, (ast.Name, ast.Attribute)) and same_target(sub, target)
        for sub in ast.walk(expr)
    )


def carried(loop: Loop, stmt: ast.stmt, target: ast.expr) -> bool:
    """Whether ``target`` as read by ``stmt`` (in ``loop``'s body, not in a nested loop)
    may hold what the previous iteration left in it."""
    if isinstance(loop, (ast.For, ast.AsyncFor)) and mentions(loop.target, target):
        return False  # the loop variable: each iteration binds it
    path = _path(loop.body, stmt)
    if path is None:
        return False  # in the loop's ``else``: run once
    for block, index in path:
        if any(_binds(s, target, exits=True) for s in block[:index]):
            return False
    for block, index in reversed(path):  # what runs after ``stmt``, in order
        for later in block[index + 1 :]:
            if _binds(later, target):
                return False  # the grown value is dropped on every path
            if _continues(later):
                return True  # this path takes it to the next iteration
    return True


def _continues(stmt: ast.stmt) -> bool:
    """Whether a path through ``stmt`` goes on to the loop's next iteration (``continue``
    outside nested loops and definitions)."""
    if isinstance(stmt, ast.Continue):
        return True
    return any(_continues(s) for block in _blocks(stmt) for s in block)


def _path(block: Sequence[ast.stmt], stmt: ast.stmt) -> list[tuple[Sequence[ast.stmt], int]] | None:
    """The blocks from ``block`` down to the one holding ``stmt``, each with the index of
    the statement that is (or holds) ``stmt``; None when ``stmt`` is not under ``block``
    (nested loops and definitions are not entered)."""
    for index, node in enumerate(block):
        if node is stmt:
            return [(block, index)]
        for inner in _blocks(node):
            found = _path(inner, stmt)
            if found is not None:
                return [(block, index), *found]
    return None


def _blocks(node: ast.stmt) -> list[Sequence[ast.stmt]]:
    """The blocks of statements of ``node`` that run in the same iteration as it."""
    if isinstance(node, _NOT_ENTERED):
        return []  # another loop's iterations are not this loop's; a definition runs later
    blocks: list[Sequence[ast.stmt]] = [
        getattr(node, f) for f in ("body", "orelse", "finalbody") if hasattr(node, f)
    ]
    blocks += [h.body for h in getattr(node, "handlers", ())]  # try / try*
    blocks += [case.body for case in getattr(node, "cases", ())]  # match
    return [b for b in blocks if isinstance(b, list)]


def _binds(stmt: ast.stmt, target: ast.expr, exits: bool = False) -> bool:
    """Whether every path through ``stmt`` binds ``target`` to a value not made from it.
    ``exits``: a path that leaves the iteration (``continue``, ``break``, ``return``,
    ``raise``) counts as binding: asked of what comes before a statement, such a path
    never reaches it (asked of what comes after, it carries the value: it does not)."""
    if exits and isinstance(stmt, _EXITS):
        return True
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if stmt.value is None or mentions(stmt.value, target):
            return False
        return any(mentions(t, target) and _stored(t, target) for t in targets)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        bound = any(
            item.optional_vars is not None and _stored(item.optional_vars, target)
            for item in stmt.items
        )
        return bound or _block_binds(stmt.body, target, exits)
    if isinstance(stmt, ast.If):
        return _block_binds(stmt.body, target, exits) and _block_binds(stmt.orelse, target, exits)
    if isinstance(stmt, ast.Try):
        handled = all(_block_binds(h.body, target, exits) for h in stmt.handlers)
        body = _block_binds(stmt.body, target, exits)
        return _block_binds(stmt.finalbody, target, exits) or (body and handled)
    return False


def _block_binds(block: Sequence[ast.stmt], target: ast.expr, exits: bool = False) -> bool:
    return any(_binds(s, target, exits) for s in block)


def _stored(expr: ast.expr, target: ast.expr) -> bool:
    """``target`` is the whole of ``expr`` or an item of the tuple it unpacks into (not a
    subscript or attribute of it: ``acc[i] = x`` does not rebind ``acc``)."""
    if same_target(expr, target):
        return True
    if isinstance(expr, (ast.Tuple, ast.List)):
        return any(_stored(e, target) for e in expr.elts)
    if isinstance(expr, ast.Starred):
        return _stored(expr.value, target)
    return False
