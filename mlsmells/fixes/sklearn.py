"""Fixes of the scikit-learn family (ML5xx)."""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import ImportItem

from mlsmells.data import api_changes
from mlsmells.data.api_changes import SklearnChange, Where
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    add_keyword,
    keyword_arg,
    parse_expression,
    remove_arg,
    transform,
)
from mlsmells.records import Fix

# -------------------------------------------------------------------- ML501


@transform("ML501")
def removed_sklearn_api(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """The pure renames of removed scikit-learn APIs (see the rule's fix summary)."""
    data = dict(diag.data)
    where = data.get("where")
    if where == Where.METHOD.value:
        attr = ctx.find(diag, cst.Attribute)
        change = api_changes.SKLEARN_METHODS.get(data.get("old", ""))
        if attr is None or change is None:
            return None
        renamed = attr.with_changes(attr=cst.Name(change.replacement))
        return Edit(attr, renamed, safety=Fix.UNSAFE)
    if where in (Where.KEYWORD.value, Where.VALUE.value):
        return _keyword(ctx, diag, data)
    if where in (Where.MODULE.value, Where.NAME.value):
        change = api_changes.SKLEARN_NAMES.get(data.get("old", ""))
        if change is None or not change.safe:
            return None
        return _name(ctx, diag, data.get("form", ""), change)
    return None


# ------------------------------------------------------------ names, imports


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _dotted_node(dotted: str) -> cst.Attribute | cst.Name:
    parts = dotted.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _name(ctx: FixContext, diag: Diagnostic, form: str, change: SklearnChange) -> Edit | None:
    if form == "import":
        alias = ctx.find(diag, cst.ImportAlias)
        if alias is None or alias.asname is None:
            return None  # ``import sklearn.externals.joblib`` binds ``sklearn``: uses differ
        moved = _moved(_dotted(alias.name), change)
        if moved is None:
            return None
        return Edit(alias, alias.with_changes(name=_dotted_node(moved)), safety=Fix.SAFE)
    if form == "from-module":
        stmt = ctx.find(diag, cst.ImportFrom)
        if stmt is None or stmt.module is None or stmt.relative:
            return None
        moved = _moved(_dotted(stmt.module), change)
        if moved is None:
            return None
        return Edit(stmt, stmt.with_changes(module=_dotted_node(moved)), safety=Fix.SAFE)
    if form == "from-name":
        return _from_name(ctx, diag, change)
    if form in ("attribute", "name") and change.where is Where.NAME:
        node = ctx.find(diag, cst.Attribute, cst.Name)
        old_module, _, _ = change.old.rpartition(".")
        new_module, _, new_name = change.replacement.rpartition(".")
        if old_module != new_module:
            return None
        if isinstance(node, cst.Attribute):
            return Edit(node, node.with_changes(attr=cst.Name(new_name)), safety=Fix.SAFE)
        if isinstance(node, cst.Name) and new_name not in ctx.names_in_module():
            return Edit(node, node.with_changes(value=new_name), safety=Fix.SAFE)
    return None


def _moved(module: str, change: SklearnChange) -> str | None:
    """``module`` (the removed one or inside it) at its new place."""
    if module == change.old:
        return change.replacement
    if module.startswith(change.old + "."):
        return change.replacement + module[len(change.old) :]
    return None


def _from_name(ctx: FixContext, diag: Diagnostic, change: SklearnChange) -> Edit | None:
    alias = ctx.find(diag, cst.ImportAlias)
    stmt = ctx.parent(alias) if alias is not None else None
    if alias is None or not isinstance(stmt, cst.ImportFrom):
        return None
    if isinstance(stmt.names, cst.ImportStar):
        return None
    if change.where is Where.MODULE:
        # ``from sklearn.externals import joblib`` -> ``import joblib`` (when alone).
        if len(stmt.names) != 1 or "." in change.replacement:
            return None
        asname = alias.asname
        if asname is not None and isinstance(asname.name, cst.Name):
            if asname.name.value == change.replacement:
                asname = None  # ``import joblib as joblib`` says nothing more
        new_alias = cst.ImportAlias(name=cst.Name(change.replacement), asname=asname)
        return Edit(stmt, cst.Import(names=[new_alias]), safety=Fix.SAFE)
    old_module, _, old_name = change.old.rpartition(".")
    new_module, _, new_name = change.replacement.rpartition(".")
    if old_module != new_module or not isinstance(alias.name, cst.Name):
        return None
    asname = alias.asname or cst.AsName(name=cst.Name(old_name))
    return Edit(alias, alias.with_changes(name=cst.Name(new_name), asname=asname), safety=Fix.SAFE)


# ---------------------------------------------------------- keywords, values


def _keyword(ctx: FixContext, diag: Diagnostic, data: dict[str, str]) -> Edit | None:
    arg = ctx.find(diag, cst.Arg)
    call = ctx.parent(arg) if arg is not None else None
    if arg is None or arg.keyword is None or not isinstance(call, cst.Call):
        return None
    key = (data.get("callable", ""), data.get("keyword", ""))
    if data.get("where") == Where.VALUE.value:
        value_change = api_changes.SKLEARN_VALUES.get((*key, data.get("old", "")))
        if value_change is None:
            return None
        new_value = parse_expression(value_change.replacement)
        return Edit(arg, arg.with_changes(value=new_value), safety=Fix.SAFE)
    change = api_changes.SKLEARN_KEYWORDS.get(key)
    if change is None or not change.safe:
        return None
    if change.old == "squared":
        return _squared(ctx, call, arg, change)
    if change.old in ("needs_proba", "needs_threshold"):
        return _needs(call, arg, change)
    if keyword_arg(call, change.replacement) is not None:
        return None  # both spellings given: scikit-learn raised; leave it to the author
    return Edit(arg, arg.with_changes(keyword=cst.Name(change.replacement)), safety=Fix.SAFE)


def _bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _squared(ctx: FixContext, call: cst.Call, arg: cst.Arg, change: SklearnChange) -> Edit | None:
    """``mean_squared_error(..., squared=False)`` -> ``root_mean_squared_error(...)``."""
    flag = _bool(arg.value)
    if flag is None:
        return None
    without = remove_arg(call, arg)
    if flag:
        return Edit(call, without, safety=Fix.SAFE)  # ``squared=True`` was the default
    new_name = change.replacement
    func = call.func
    imports: tuple[ImportItem, ...] = ()
    new_func: cst.BaseExpression
    if isinstance(func, cst.Attribute):
        new_func = func.with_changes(attr=cst.Name(new_name))
    elif isinstance(func, cst.Name):
        new_func = cst.Name(new_name)
        if new_name in ctx.names_in_module():
            if not _imported_from(ctx.module, "sklearn.metrics", new_name):
                return None  # the name means something else here
        else:
            imports = (ImportItem("sklearn.metrics", new_name),)
    else:
        return None
    return Edit(call, without.with_changes(func=new_func), imports=imports, safety=Fix.SAFE)


def _imported_from(module: cst.Module, source: str, name: str) -> bool:
    """Whether ``module`` has a top-level ``from <source> import <name>`` (no alias)."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.ImportFrom) or small.module is None or small.relative:
                continue
            if _dotted(small.module) != source or isinstance(small.names, cst.ImportStar):
                continue
            for alias in small.names:
                if alias.asname is None and _dotted(alias.name) == name:
                    return True
    return False


#: ``make_scorer`` flags -> the ``response_method`` that means the same.
_RESPONSE_METHODS = {
    "needs_proba": '"predict_proba"',
    "needs_threshold": '("decision_function", "predict_proba")',
}


def _needs(call: cst.Call, arg: cst.Arg, change: SklearnChange) -> Edit | None:
    """``make_scorer(f, needs_proba=True)`` -> ``response_method="predict_proba"``."""
    flag = _bool(arg.value)
    others = [k for k in ("needs_proba", "needs_threshold", "response_method") if k != change.old]
    if flag is None or any(keyword_arg(call, k) is not None for k in others):
        return None
    without = remove_arg(call, arg)
    if not flag:
        return Edit(call, without, safety=Fix.SAFE)  # False was the default
    response = parse_expression(_RESPONSE_METHODS[change.old])
    return Edit(call, add_keyword(without, "response_method", response), safety=Fix.SAFE)
