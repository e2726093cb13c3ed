"""What several PyTorch rules share: the libraries that mark training code, names, words
and texts of expressions, the names an assignment binds, and what made a value."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import Binding

#: A file importing any of these may hold PyTorch training code.
TORCH_FAMILY = frozenset({"torch", "lightning", "pytorch_lightning", "transformers"})


def _has_star_args(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in call.args)


_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _identifier(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _text(expr: ast.AST) -> str:
    """Normalised source of ``expr`` (for comparing receivers)."""
    # ast.unparse is slow and this runs for every argument of every call: names and
    # dotted names (most receivers and arguments) unparse to themselves.
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, (ast.Name, ast.Attribute)):
        return f"{_text(expr.value)}.{expr.attr}"
    return ast.unparse(expr)


def _words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


def _target_names(target: ast.expr) -> Iterator[str]:
    """Names that an assignment to ``target`` (re)binds or mutates."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif isinstance(target, (ast.Subscript, ast.Attribute)):
        base = target.value
        while isinstance(base, (ast.Subscript, ast.Attribute)):
            base = base.value
        if isinstance(base, ast.Name):
            yield base.id


def _binding_of(model: SemanticModel, expr: ast.expr) -> Binding | None:
    """The binding of a name, or of ``self.attr`` inside a same-file class."""
    if isinstance(expr, ast.Name):
        return model.lookup(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        klass = model.enclosing_class()
        if klass is not None and expr.value.id == model.scope.self_name:
            return klass.attributes.get(expr.attr)
    return None


def _constructor(model: SemanticModel, expr: ast.expr) -> ast.Call | None:
    """The call that made the value of ``expr``: ``expr`` itself, or the value bound to the
    name (or ``self`` attribute) ``expr`` is (``criterion = nn.CrossEntropyLoss()``)."""
    if isinstance(expr, ast.Call):
        return expr
    binding = _binding_of(model, expr)
    made_by = binding.node if binding is not None else None
    return made_by if isinstance(made_by, ast.Call) else None


def _constructed_by(model: SemanticModel, expr: ast.expr) -> str | None:
    """The qualified name of the callable whose call made the value of ``expr``
    (``criterion = nn.CrossEntropyLoss()`` gives ``torch.nn.CrossEntropyLoss``)."""
    made_by = _constructor(model, expr)
    return model.qualname(made_by.func) if made_by is not None else None
