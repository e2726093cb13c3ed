"""Names: the scope stack and what each name resolves to, as qualified names through
every import form (``import pandas as p``, ``from torch import load as tl``, star
imports of the libraries). The engine drives it in source order during its walk."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable

from mlsmells.semantic import kinds as K
from mlsmells.semantic.index import ProjectView
from mlsmells.semantic.program import FunctionNode
from mlsmells.semantic.scopes import Binding, ClassInfo, Scope, ScopeType

_BUILTINS = frozenset(dir(builtins))


#: Roots whose ``from X import *`` the model resolves (names unbound in the file map to X.name).
STAR_RESOLVED_ROOTS = frozenset(
    {"numpy", "pandas", "torch", "sklearn", "math", "random", "lightning", "imblearn"}
)


def last_names(qualnames: Iterable[str]) -> frozenset[str]:
    """The last components of ``qualnames`` and of the spellings that :func:`K.canonical`
    maps to one of them: the ``last_names`` of :meth:`SemanticModel.may_resolve_to`."""
    wanted = frozenset(qualnames)
    names = {qualname.rpartition(".")[2] for qualname in wanted}
    names.update(k.rpartition(".")[2] for k, v in K.CANONICAL.items() if v in wanted)
    return frozenset(names)


class NameModel:
    """The scopes of one module and the names bound in them."""

    def __init__(self, project: ProjectView | None = None) -> None:
        self.project = project
        """The project's own modules, as this file imports them (``None``: no file)."""
        self.module_scope = Scope(ScopeType.MODULE, None, None)
        self.scope = self.module_scope
        self.classes: dict[str, ClassInfo] = {}
        self.imported_roots: set[str] = set()
        """Top-level package names imported anywhere in the module."""
        self._qualnames: dict[int, tuple[ast.expr, str | None]] = {}
        """id(expr) -> (expr, qualname) while no binding changes (many checks ask
        for the same node); cleared by every change of scope or binding."""

    def push_scope(self, type_: ScopeType, node: ast.AST | None) -> Scope:
        self._qualnames.clear()
        scope = Scope(type_, node, self.scope)
        if type_ in (ScopeType.LAMBDA, ScopeType.COMPREHENSION):
            scope.klass = self.scope.klass
            scope.self_name = self.scope.self_name
        self.scope = scope
        return scope

    def set_scope(self, scope: Scope) -> None:
        """Continue in ``scope`` (to walk a function again where it was defined)."""
        self._qualnames.clear()
        self.scope = scope

    def pop_scope(self) -> Scope:
        scope = self.scope
        assert scope.parent is not None, "cannot pop the module scope"
        self._qualnames.clear()
        self.scope = scope.parent
        return scope

    def enclosing_class(self) -> ClassInfo | None:
        """The class whose method (or nested lambda) is being visited."""
        return self.scope.klass

    def in_function(self) -> bool:
        return any(s.type is ScopeType.FUNCTION for s in self.scope.lookup_chain())

    def enclosing_function(self) -> FunctionNode | None:
        """The innermost ``def`` being walked (``None``: module or class level)."""
        return self.scope.function

    def lookup(self, name: str) -> Binding | None:
        current = self.scope
        binding = current.bindings.get(name)
        if binding is not None:
            return binding
        for scope in current.outer:
            binding = scope.bindings.get(name)
            if binding is not None:
                return binding
        return None

    def bind(self, name: str, binding: Binding) -> None:
        self._qualnames.clear()
        self.scope.bindings[name] = binding

    def unbind(self, name: str) -> None:
        self._qualnames.clear()
        self.scope.bindings.pop(name, None)

    def bind_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                self.imported_roots.add(root)
                if alias.asname:
                    self.bind(alias.asname, Binding(qualname=K.canonical(alias.name), node=node))
                else:
                    self.bind(root, Binding(qualname=root, node=node))
            return
        if node.level:
            module = "." * node.level + (node.module or "")
        else:
            module = node.module or ""
            self.imported_roots.add(module.split(".")[0])
        for alias in node.names:
            if alias.name == "*":
                self._qualnames.clear()
                self.scope.star_imports.append(module)
                continue
            # ``from . import data``: ``.data``; ``from .data import load``: ``.data.load``
            joined = module + alias.name if module.endswith(".") else f"{module}.{alias.name}"
            qualname = K.canonical(joined)
            self.bind(alias.asname or alias.name, Binding(qualname=qualname, node=node))

    def qualname(self, expr: ast.expr) -> str | None:
        """The qualified name ``expr`` refers to, if it refers to an importable object."""
        cached = self._qualnames.get(id(expr))
        if cached is not None and cached[0] is expr:
            return cached[1]
        result = self._qualname(expr)
        self._qualnames[id(expr)] = (expr, result)
        return result

    def _qualname(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is not None:
                return binding.qualname
            for scope in self.scope.lookup_chain():
                for module in scope.star_imports:
                    if module.split(".")[0] in STAR_RESOLVED_ROOTS and expr.id not in _BUILTINS:
                        return K.canonical(f"{module}.{expr.id}")
                    if self.project is not None and self.project.defines(module, expr.id):
                        return f"{module}.{expr.id}"  # ``from helpers import *``
            if expr.id in _BUILTINS:
                return f"builtins.{expr.id}"
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value)
            if base is None or base.startswith("builtins."):
                return None
            return K.canonical(f"{base}.{expr.attr}")
        return None

    def may_resolve_to(self, expr: ast.expr, last_names: frozenset[str]) -> bool:
        """False when ``qualname(expr)`` cannot be a name whose last component is in
        ``last_names`` (see :func:`last_names`), decided without resolving anything:
        a cheap test for rules that look up a table of qualified names for every name
        and attribute read.

        An attribute's qualified name ends in its ``attr``, and an unbound name's
        (builtins, star imports) in its ``id``, unless :func:`K.canonical` respells it
        (:func:`last_names` adds those spellings); a name bound to an import or an alias
        of one (``from torch import qr as q``, ``f = torch.qr``) may end in anything.
        """
        if isinstance(expr, ast.Attribute):
            return expr.attr in last_names
        if isinstance(expr, ast.Name):
            if expr.id in last_names:
                return True
            binding = self.lookup(expr.id)
            return binding is not None and binding.qualname is not None
        return False

    def call_qualname(self, call: ast.Call) -> str | None:
        return self.qualname(call.func)

    def is_bound_locally(self, name: str) -> bool:
        return self.lookup(name) is not None
