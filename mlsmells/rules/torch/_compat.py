"""Code written for several PyTorch versions (ML412 leaves the old API alone there): a
version test, a ``hasattr`` probe, an ``except ImportError``/``AttributeError`` fallback."""

from __future__ import annotations

import ast

from mlsmells.rules.torch._common import _identifier

_COMPAT_WORDS = ("version", "greater", "less", "older", "newer")
_COMPAT_CALLS = frozenset({"hasattr", "getattr"})
_COMPAT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})


def _is_version_test(test: ast.expr) -> bool:
    """``if _TORCH_GREATER_EQUAL_2_4:``, ``if version.parse(torch.__version__) < ...``,
    ``if hasattr(torch, "amp"):`` ..."""
    for sub in ast.walk(test):
        word = _identifier(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
        if word is not None:
            lowered = word.lower()
            if any(w in lowered for w in _COMPAT_WORDS) or word in _COMPAT_CALLS:
                return True
    return False


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_identifier(t) in _COMPAT_ERRORS for t in types)


def in_compat_code(ancestors: list[ast.AST]) -> bool:
    """Inside a version check or an import/attribute-error fallback: old APIs on purpose."""
    for i, node in enumerate(ancestors):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and _is_version_test(node.test):
            return True
        if isinstance(node, ast.ExceptHandler) and _catches_import_errors(node):
            return True
        if isinstance(node, ast.Try) and i + 1 < len(ancestors) and ancestors[i + 1] in node.body:
            if any(_catches_import_errors(h) for h in node.handlers):
                return True
    return False


def _compat_imports(tree: ast.Module) -> set[int]:
    """ids of the import statements that sit in compatibility code."""
    found: set[int] = set()
    stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(tree, ())]
    while stack:
        node, ancestors = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if in_compat_code(list(ancestors)):
                found.add(id(node))
            continue
        if isinstance(node, ast.expr):
            continue
        for child in ast.iter_child_nodes(node):
            stack.append((child, (*ancestors, node)))
    return found
