"""Small AST helpers shared by the rule modules of several families."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

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
