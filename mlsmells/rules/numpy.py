"""Checks of the NumPy family (ML3xx)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from mlsmells.data import api_changes
from mlsmells.data.api_changes import NumpyChange, Repl, Status
from mlsmells.engine import Check
from mlsmells.semantic.model import last_names

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)

# --------------------------------------------------------------------- guards

#: Exceptions a compatibility shim catches when it probes for a NumPy name.
_PROBE_EXCEPTIONS = frozenset(
    {"AttributeError", "ImportError", "ModuleNotFoundError", "NameError", "Exception",
     "BaseException"}
)  # fmt: skip
#: Identifiers in an ``if`` test that mark a version or feature switch.
_SWITCH_WORD = re.compile(r"version|numpy|np_?\d|hasattr|getattr", re.IGNORECASE)


def _catches_probe(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for expr in types:
        name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", None)
        if name in _PROBE_EXCEPTIONS:
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


def in_compat_shim(ancestors: Sequence[ast.AST]) -> bool:
    """Whether the current node sits in code written to run on several library versions.

    A ``try`` whose handlers catch ``AttributeError``/``ImportError`` (or broader),
    and an ``if``/conditional expression testing a version or ``hasattr``.
    """
    for node in ancestors:
        if isinstance(node, ast.Try) and any(_catches_probe(h) for h in node.handlers):
            return True
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and _is_switch(node.test):
            return True
    return False


# --------------------------------------------------------------------- ML301


def _numpy_change(qualname: str | None) -> NumpyChange | None:
    if qualname is None or not qualname.startswith("numpy."):
        return None
    return api_changes.NUMPY.get(qualname[len("numpy.") :])


#: Last components of the changed names (a name or attribute ending otherwise is none).
_CHANGED_NAMES = last_names(f"numpy.{name}" for name in api_changes.NUMPY)


def _advice(change: NumpyChange) -> str:
    if not change.new:
        return "it has no replacement"
    return f"use {change.new}" if change.repl is Repl.NONE else f"use `{change.new}`"


class RemovedNumpyAlias(Check):
    """ML301: a NumPy name removed in NumPy 1.23-2.4 (or deprecated on its way out)."""

    codes = ("ML301",)
    nodes = (ast.Attribute, ast.Name, ast.ImportFrom)
    requires = frozenset({"numpy"})
    names = _CHANGED_NAMES

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.ImportFrom):
            self._import_from(node)
            return
        assert isinstance(node, (ast.Attribute, ast.Name))
        if not isinstance(node.ctx, ast.Load):
            return  # ``np.float = float``: a shim that defines the name
        if isinstance(node, ast.Name) and self.model.lookup(node.id) is not None:
            # Bound in the file: an import of the name is reported at the import,
            # and an assignment from it was reported where the name was read.
            return
        if not self.model.may_resolve_to(node, _CHANGED_NAMES):
            return  # cheap: most names and attributes end in none of these names
        change = _numpy_change(self.model.qualname(node))
        if change is None or in_compat_shim(self.ctx.ancestors):
            return
        form = "name" if isinstance(node, ast.Name) else "attribute"
        self._report(node, self.ctx.source_of(node), change, form, self._fixable(change))

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level or node.module != "numpy" or in_compat_shim(self.ctx.ancestors):
            return
        for alias in node.names:
            change = api_changes.NUMPY.get(alias.name)
            if change is None:
                continue
            fixable = change.repl in (Repl.ATTR, Repl.NUMPY2) and "." not in change.target
            self._report(alias, f"numpy.{alias.name}", change, "import", fixable)

    def _fixable(self, change: NumpyChange) -> bool:
        """Whether the replacement name means the same thing here (not shadowed)."""
        if change.repl is Repl.NONE:
            return False
        if change.repl is Repl.BUILTIN:
            return self.model.lookup(change.target) is None
        return True

    def _report(
        self, node: ast.AST, old: str, change: NumpyChange, form: str, fixable: bool
    ) -> None:
        status = "deprecated" if change.status is Status.DEPRECATED else "removed"
        data = (("name", change.name), ("form", form), ("fixable", "yes" if fixable else "no"))
        self.report(
            "ML301",
            node,
            old=old,
            status=status,
            version=change.version,
            advice=_advice(change),
            data=data,
        )


# --------------------------------------------------------------------- ML302

#: Functions that return a new array holding their inputs.
_APPEND = "numpy.append"
_JOINERS = frozenset(
    {
        "numpy.concatenate", "numpy.concat", "numpy.vstack", "numpy.hstack", "numpy.dstack",
        "numpy.row_stack", "numpy.column_stack",
    }
)  # fmt: skip


def _same_target(a: ast.expr, b: ast.expr) -> bool:
    if isinstance(a, ast.Name) and isinstance(b, ast.Name):
        return a.id == b.id
    if isinstance(a, ast.Attribute) and isinstance(b, ast.Attribute):
        return a.attr == b.attr and _same_target(a.value, b.value)
    return False


def _is_simple_target(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _mentions(expr: ast.AST, target: ast.expr) -> bool:
    return any(
        isinstance(sub, (ast.Name, ast.Attribute)) and _same_target(sub, target)
        for sub in ast.walk(expr)
    )


def _local_nodes(body: Sequence[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``body``, not descending into nested definitions."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _DEFINITIONS):
            stack.extend(ast.iter_child_nodes(node))


class ArrayGrownInLoop(Check):
    """ML302: an array re-bound to itself plus a piece, inside a loop."""

    codes = ("ML302",)
    nodes = (ast.Assign,)
    requires = frozenset({"numpy"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1 or not isinstance(node.value, ast.Call):
            return
        target = node.targets[0]
        if not _is_simple_target(target):
            return
        call = node.value
        func = self.model.qualname(call.func)
        if func is None or not self._grows(func, call, target):
            return
        loop = self._innermost_loop()
        if loop is None or self._reset_in(loop, node, target) or self._leaves_after(node):
            return
        self.report("ML302", node, name=self.ctx.source_of(target), func=_short(func))

    @staticmethod
    def _grows(func: str, call: ast.Call, target: ast.expr) -> bool:
        """Whether ``call`` is the target joined with pieces that do not come from it.

        A piece derived from the array itself (``np.concatenate([a, a])``) doubles
        it: the total copying stays linear, like a list's over-allocation.
        """
        parts: list[ast.expr] = []
        if func == _APPEND:
            parts = list(call.args[:2])
        elif func in _JOINERS and call.args and isinstance(call.args[0], (ast.List, ast.Tuple)):
            parts = list(call.args[0].elts)
        mine = [p for p in parts if _same_target(p, target)]
        others = [p for p in parts if not _same_target(p, target)]
        return len(mine) == 1 and not any(_mentions(p, target) for p in others)

    def _innermost_loop(self) -> ast.For | ast.AsyncFor | ast.While | None:
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, _DEFINITIONS):
                return None
            if isinstance(node, _LOOPS):
                return node
        return None

    @staticmethod
    def _reset_in(
        loop: ast.For | ast.AsyncFor | ast.While, stmt: ast.Assign, target: ast.expr
    ) -> bool:
        """Whether the loop starts the array afresh each iteration (so it does not grow)."""
        if isinstance(loop, (ast.For, ast.AsyncFor)) and _mentions(loop.target, target):
            return True
        for node in _local_nodes(loop.body):
            if node is stmt:
                continue
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                targets = [node.target]
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                targets = [node.optional_vars]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, (ast.Name, ast.Attribute)) and _same_target(sub, target):
                        if value is None or not _mentions(value, target):
                            return True
        return False

    def _leaves_after(self, stmt: ast.Assign) -> bool:
        """Whether the statements after ``stmt`` in its block leave the loop at once."""
        parent = self.ctx.parent
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and stmt in block:
                rest = block[block.index(stmt) + 1 :]
                return any(isinstance(s, (ast.Break, ast.Return, ast.Raise)) for s in rest)
        return False


def _short(qualname: str) -> str:
    return "np." + qualname.rpartition(".")[2]
