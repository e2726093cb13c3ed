"""Checks of the scikit-learn family (ML5xx)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from mlsmells.data import api_changes
from mlsmells.data.api_changes import SklearnChange, Where
from mlsmells.engine import Check
from mlsmells.rules.numpy import in_compat_shim
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.model import last_names

_IDENTIFIER = re.compile(r"^[\w.]+$")
_SKLEARN_OBJECTS = frozenset({Kind.SK_TRANSFORMER, Kind.SK_ESTIMATOR})


def _code(text: str) -> str:
    """``text`` in backticks when it is a name, as is when it is a phrase."""
    return f"`{text}`" if _IDENTIFIER.match(text) else text


def _removed_module(dotted: str) -> SklearnChange | None:
    """The removed module that ``dotted`` is or lies in."""
    parts = dotted.split(".")
    for end in range(len(parts), 1, -1):
        change = api_changes.SKLEARN_NAMES.get(".".join(parts[:end]))
        if change is not None and change.where is Where.MODULE:
            return change
    return None


def _short(qualname: str) -> str:
    return qualname.rpartition(".")[2]


#: Last components of the removed names (a name or attribute ending otherwise is none).
_CHANGED_NAMES = last_names(api_changes.SKLEARN_NAMES)
#: The keywords whose name or value changed for some callable.
_CHANGED_KEYWORDS = frozenset(
    [key[1] for key in api_changes.SKLEARN_KEYWORDS]
    + [key[1] for key in api_changes.SKLEARN_VALUES]
)


class RemovedSklearnApi(Check):
    """ML501: scikit-learn modules, names, keywords, values and methods that were removed."""

    codes = ("ML501",)
    nodes = (ast.Import, ast.ImportFrom, ast.Attribute, ast.Name, ast.Call)
    requires = frozenset({"sklearn"})
    names = _CHANGED_NAMES

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            self._import(node)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node)
        elif isinstance(node, ast.Call):
            self._call(node)
        else:
            assert isinstance(node, (ast.Attribute, ast.Name))
            self._reference(node)

    def report(
        self,
        code: str,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        **kwargs: object,
    ) -> None:
        # Code written for several versions is left alone. Asked here, when there is
        # something to report, rather than for each of the many nodes visited: the
        # answer is the same (reports are made while visiting) and scans the ancestors.
        if not in_compat_shim(self.ctx.ancestors):
            super().report(code, node, *args, data=data, **kwargs)

    # ------------------------------------------------------------- imports
    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            change = _removed_module(alias.name)
            if change is not None:
                self._report_name(alias, alias.name, change, form="import")

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        change = _removed_module(node.module)
        if change is not None:
            self._report_name(node, node.module, change, form="from-module")
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            qualname = f"{node.module}.{alias.name}"
            change = api_changes.SKLEARN_NAMES.get(qualname)
            if change is not None:
                self._report_name(alias, qualname, change, form="from-name")

    # ---------------------------------------------------------- references
    def _reference(self, node: ast.Attribute | ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        if isinstance(node, ast.Name) and self.model.lookup(node.id) is not None:
            return  # bound by an import (reported there) or by the file itself
        if not self.model.may_resolve_to(node, _CHANGED_NAMES):
            return  # cheap: most names and attributes end in none of these names
        if isinstance(node, ast.Attribute) and self._through_reported_import(node):
            return
        qualname = self.model.qualname(node)
        if qualname is None or not qualname.startswith("sklearn."):
            return
        change = api_changes.SKLEARN_NAMES.get(qualname)
        if change is not None:
            form = "attribute" if isinstance(node, ast.Attribute) else "name"
            self._report_name(node, self.ctx.source_of(node), change, form=form)

    def _through_reported_import(self, node: ast.Attribute) -> bool:
        """``sklearn.cross_validation.X`` after ``import sklearn.cross_validation`` (reported)."""
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        binding = self.model.lookup(root.id)
        if binding is None or not isinstance(binding.node, ast.Import):
            return False
        return any(_removed_module(alias.name) for alias in binding.node.names)

    def _report_name(self, node: ast.AST, old: str, change: SklearnChange, form: str) -> None:
        self.report(
            "ML501",
            node,
            old=f"`{old}`",
            version=change.version,
            new=_code(change.new),
            data=(("where", change.where.value), ("old", change.old), ("form", form)),
        )

    # --------------------------------------------------------------- calls
    def _call(self, node: ast.Call) -> None:
        if any(kw.arg in _CHANGED_KEYWORDS for kw in node.keywords):
            qualname = self.model.qualname(node.func)
            if qualname is not None and qualname.startswith("sklearn."):
                self._keywords(node, qualname)
        if isinstance(node.func, ast.Attribute):
            change = api_changes.SKLEARN_METHODS.get(node.func.attr)
            if change is not None and self.model.kind_of(node.func.value) in _SKLEARN_OBJECTS:
                self.report(
                    "ML501",
                    node.func,
                    old=f"`{node.func.attr}()`",
                    version=change.version,
                    new=f"`{change.new}()`",
                    data=(("where", change.where.value), ("old", change.old)),
                )

    def _keywords(self, call: ast.Call, qualname: str) -> None:
        for kw in call.keywords:
            if kw.arg is None:
                continue
            change = api_changes.SKLEARN_KEYWORDS.get((qualname, kw.arg))
            if change is not None:
                self._report_keyword(kw, qualname, change)
                continue
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                change = api_changes.SKLEARN_VALUES.get((qualname, kw.arg, kw.value.value))
                if change is not None:
                    self.report(
                        "ML501",
                        kw,
                        old=f"`{_short(qualname)}({kw.arg}={kw.value.value!r})`".replace(
                            "'", '"'
                        ),
                        version=change.version,
                        new=f"`{kw.arg}={change.new}`",
                        data=(
                            ("where", change.where.value),
                            ("old", change.old),
                            ("keyword", kw.arg),
                            ("callable", qualname),
                        ),
                    )

    def _report_keyword(self, kw: ast.keyword, qualname: str, change: SklearnChange) -> None:
        assert kw.arg is not None
        new = _code(change.new) if not change.safe else f"`{change.new}=`"
        if change.old == "squared":
            new = (
                f"plain `{_short(qualname)}` (its default)"
                if _is_true(kw.value)
                else f"`{change.new}`"
            )
        elif change.old in ("needs_proba", "needs_threshold"):
            new = "`response_method=`"
        self.report(
            "ML501",
            kw,
            old=f"`{_short(qualname)}({kw.arg}=...)`",
            version=change.version,
            new=new,
            data=(
                ("where", change.where.value),
                ("old", change.old),
                ("keyword", kw.arg),
                ("callable", qualname),
            ),
        )


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True
