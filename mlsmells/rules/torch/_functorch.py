"""ML412's fix of the ``functorch`` transforms: the import moves to ``torch.func``.

``functorch.vmap`` and the other transforms forward to ``torch.func`` (PyTorch 2.0).
Rewriting only the calls would leave ``from functorch import vmap`` behind, unused,
still importing the deprecated package; so the rule says how the name of each use is
bound (:func:`functorch_data`) and the fix rewrites the import:

- ``from functorch import vmap, grad as g`` -> ``from torch.func import vmap, grad as g``
  (names without a ``torch.func`` twin stay in a ``functorch`` import): the uses keep
  their names;
- ``import functorch`` with every use a transform (``functorch.vmap(f)``) -> the uses
  become ``torch.func.vmap(f)`` and the import goes.

Anything else (a star import, ``functorch`` used for other things too) falls back to
rewriting the use alone.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from mlsmells.data import torch_api
from mlsmells.data.torch_api import Shape
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Context, iter_nodes
from mlsmells.engine.nodes import declared_names
from mlsmells.lazy import bind_lazily
from mlsmells.records import Fix
from mlsmells.rules._fixfacts import import_data
from mlsmells.rules.torch._spelling import torch_spelling

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

_N = TypeVar("_N", bound="cst.CSTNode")

#: The ``functorch`` transforms that ``torch.func`` has under the same name.
MOVED = frozenset(
    qualname.removeprefix("functorch.")
    for qualname, entry in torch_api.DEPRECATED.items()
    if qualname.startswith("functorch.")
    and entry.shape is Shape.RENAME
    and entry.equivalent
    and not entry.keywords
)


def functorch_data(ctx: Context, node: ast.expr) -> tuple[tuple[str, str], ...]:
    """How the use ``node`` (a call or a reference) of a ``functorch`` transform is bound:
    ``functorch`` is ``from`` (a name of ``from functorch import ...``) or ``module`` (an
    attribute of ``import functorch``), ``bound`` the name, ``import_line`` the import's
    line; for ``module``, how to write ``torch.func`` here (``func_spelling``, and
    ``func_import``: the module to import for it); ``moved`` when :func:`functorch_import`
    rewrites the import (the fix decision)."""
    model = ctx.model
    func = node.func if isinstance(node, ast.Call) else node
    root = func.value if isinstance(func, ast.Attribute) else func
    if not isinstance(root, ast.Name):
        return ()
    binding = model.lookup(root.id)
    statement = binding.node if binding is not None else None
    if isinstance(statement, ast.ImportFrom) and func is root:
        if statement.module != "functorch" or statement.level:
            return ()
        moved = any(alias.name in MOVED for alias in statement.names)
        return (
            ("functorch", "from"),
            ("bound", root.id),
            ("import_line", str(statement.lineno)),
        ) + ((("moved", "yes"),) if moved else ())
    if isinstance(statement, ast.Import) and binding is not None and func is not root:
        if binding.qualname != "functorch":
            return ()
        spelling, module = torch_spelling(model, "torch.func")
        data = (
            ("functorch", "module"),
            ("bound", root.id),
            ("import_line", str(statement.lineno)),
            ("func_spelling", spelling),
            *import_data(ctx, module, "func_import"),
        )
        if not any(key == "taken" for key, _ in data) and _only_transforms_used(ctx, root.id):
            data += (("moved", "yes"),)
        return data
    return ()


def _only_transforms_used(ctx: Context, bound: str) -> bool:
    """Whether every use of the name ``bound`` is ``bound.<a moved transform>``: the ast twin
    of :func:`_only_transforms` (a name anywhere counts, an attribute's name too, the
    imports aside)."""
    reached: set[int] = set()
    """ids of the ``bound`` names read as ``bound.<a moved transform>``."""
    for node in iter_nodes(ctx.tree):
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == bound:
                if node.attr not in MOVED:
                    return False
                reached.add(id(node.value))
            elif node.attr == bound:
                return False
        elif isinstance(node, ast.Name):
            if node.id == bound and id(node) not in reached:
                return False
        elif bound in declared_names(node):
            return False
    return True


# ---------------------------------------------------------------------- fix


def functorch_import(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The import rewrite for a use of a ``functorch`` transform (see the module docstring),
    or None when it does not apply."""
    bound, line = diag.get("bound"), diag.get("import_line")
    if bound is None or line is None:
        return None
    if diag.get("functorch") == "from":
        return _from_import(ctx, bound, int(line))
    if diag.get("functorch") == "module":
        return _module_import(ctx, diag, bound, int(line))
    return None


def _from_import(ctx: fx.FixContext, bound: str, line: int) -> fx.Edit | None:
    statement = next(
        (
            node
            for node in _statements(ctx, cst.ImportFrom, line)
            if not node.relative
            and isinstance(node.module, cst.Name)
            and node.module.value == "functorch"
            and not isinstance(node.names, cst.ImportStar)
            and any(_bound_name(alias) == bound for alias in node.names)
        ),
        None,
    )
    if statement is None or isinstance(statement.names, cst.ImportStar):
        return None
    moved = [alias for alias in statement.names if alias.evaluated_name in MOVED]
    kept = [alias for alias in statement.names if alias.evaluated_name not in MOVED]
    if not moved:
        return None
    if kept:
        imports = tuple(
            fx.ImportItem("torch.func", alias.evaluated_name, alias.evaluated_alias)
            for alias in moved
        )
        rest = statement.with_changes(names=_listed(kept), rpar=None, lpar=None)
        return fx.Edit(statement, rest, imports, safety=Fix.SAFE)
    module = cst.Attribute(value=cst.Name("torch"), attr=cst.Name("func"))
    return fx.Edit(statement, statement.with_changes(module=module), safety=Fix.SAFE)


def _module_import(ctx: fx.FixContext, diag: Diagnostic, bound: str, line: int) -> fx.Edit | None:
    spelling = diag.get("func_spelling")
    statement = next(
        (
            node
            for node in _statements(ctx, cst.Import, line)
            if any(_bound_name(alias) == bound for alias in node.names)
        ),
        None,
    )
    if spelling is None or statement is None or not _only_transforms(ctx.module, bound):
        return None
    needed = diag.get("func_import")
    if needed is not None and needed.split(".")[0] in ctx.names_in_module():
        return None  # ``torch`` names something else here
    imports = (fx.ImportItem(needed),) if needed is not None else ()
    module = ctx.module.visit(_move_to_torch_func(statement, bound, spelling))
    return fx.Edit(ctx.module, module, imports, safety=Fix.SAFE)


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds (``a`` for ``import a.b``)."""
    if alias.evaluated_alias is not None:
        return alias.evaluated_alias
    return alias.evaluated_name.split(".")[0]


def _listed(aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """``aliases`` separated by ``, `` and without a trailing comma."""
    last = len(aliases) - 1
    return [
        alias.with_changes(
            comma=(
                cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                if i < last
                else cst.MaybeSentinel.DEFAULT
            )
        )
        for i, alias in enumerate(aliases)
    ]


def _statements(ctx: fx.FixContext, kind: type[_N], line: int) -> list[_N]:
    """The nodes of ``kind`` starting on ``line``."""
    found: list[_N] = []
    pending: list[cst.CSTNode] = [ctx.module]
    while pending:
        node = pending.pop()
        if isinstance(node, kind) and ctx.span(node)[0] == line:
            found.append(node)
        elif not isinstance(node, cst.BaseExpression):
            pending.extend(node.children)
    return found


def _only_transforms(module: cst.Module, bound: str) -> bool:
    """Whether every use of the name ``bound`` is ``bound.<a moved transform>``."""

    class Uses(cst.CSTVisitor):
        def __init__(self) -> None:
            self.other = False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            value = node.value
            if isinstance(value, cst.Name) and value.value == bound:
                if node.attr.value not in MOVED:
                    self.other = True
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == bound:
                self.other = True

    uses = Uses()
    module.visit(uses)
    return not uses.other


def _move_to_torch_func(statement: cst.Import, bound: str, spelling: str) -> cst.CSTTransformer:
    """The transformer of the ``import functorch`` form (a class made when a fix runs:
    ``check`` never imports libcst)."""

    class _MoveToTorchFunc(cst.CSTTransformer):
        """``functorch.vmap`` -> ``torch.func.vmap`` everywhere, and the import goes (a line
        left empty goes too, its blank lines and comments passed on to the next statement)."""

        def __init__(self, statement: cst.Import, bound: str, spelling: str) -> None:
            super().__init__()
            self.statement = statement
            self.bound = bound
            self.spelling = spelling
            self.emptied: set[int] = set()
            """ids of the (updated) lines whose only statement was the import."""

        def leave_Attribute(
            self, original_node: cst.Attribute, updated_node: cst.Attribute
        ) -> cst.BaseExpression:
            value = updated_node.value
            if isinstance(value, cst.Name) and value.value == self.bound:
                return fx.parse_expression(f"{self.spelling}.{updated_node.attr.value}")
            return updated_node

        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.SimpleStatementLine:
            if not any(small is self.statement for small in original_node.body):
                return updated_node
            body: list[cst.BaseSmallStatement] = []
            for original, updated in zip(original_node.body, updated_node.body, strict=True):
                if original is not self.statement:
                    body.append(updated)
                    continue
                assert isinstance(updated, cst.Import)
                rest = [alias for alias in updated.names if _bound_name(alias) != self.bound]
                if rest:
                    body.append(updated.with_changes(names=_listed(rest)))
            if body:
                return updated_node.with_changes(body=body)
            self.emptied.add(id(updated_node))
            return updated_node

        def _without_emptied(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
            kept: list[cst.BaseStatement] = []
            carried: list[cst.EmptyLine] = []
            for stmt in body:
                if isinstance(stmt, cst.SimpleStatementLine) and id(stmt) in self.emptied:
                    carried.extend(stmt.leading_lines)
                    continue
                if carried and isinstance(
                    stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
                ):
                    stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
                    carried = []
                kept.append(stmt)
            return kept

        def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
            return updated_node.with_changes(body=self._without_emptied(updated_node.body))

        def leave_IndentedBlock(
            self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
        ) -> cst.IndentedBlock:
            body = self._without_emptied(updated_node.body)
            if not body:
                body = [cst.SimpleStatementLine(body=[cst.Pass()])]
            return updated_node.with_changes(body=body)

    return _MoveToTorchFunc(statement, bound, spelling)
