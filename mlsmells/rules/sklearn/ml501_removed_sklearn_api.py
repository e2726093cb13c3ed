"""ML501 removed-sklearn-api: scikit-learn imports and arguments removed or renamed, and its fix."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlsmells.data import api_changes
from mlsmells.data.api_changes import SklearnChange, Where
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import rewrite_data
from mlsmells.rules._util import in_compat_shim, keyword
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML501",
    name="removed-sklearn-api",
    pylint_id="E7661",
    family=Family.SKLEARN,
    message="{old} was removed in scikit-learn {version}; use {new}",
    summary=(
        "A scikit-learn module, function, keyword, keyword value, method or fitted "
        "attribute that no longer exists: `sklearn.cross_validation`, `sklearn.externals.joblib`, "
        "`OneHotEncoder(sparse=...)`, `base_estimator=`, `mean_squared_error(squared=False)`, "
        '`criterion="mse"`, `get_feature_names()`, `plot_confusion_matrix` ...'
    ),
    rationale=(
        "scikit-learn renames and removes APIs after two releases of deprecation warnings. "
        "Tutorials and notebooks written before the removal fail with `ImportError`, "
        "`TypeError` (an unexpected keyword) or `InvalidParameterError` (a value no longer "
        "accepted) on a current scikit-learn. The table, with the version of each removal "
        "and its replacement as scikit-learn's deprecation message gave it, is "
        "`mlsmells/data/api_changes.py`. Keywords and values are only reported on calls of "
        "the scikit-learn callables they belonged to, and `get_feature_names()` only on "
        "objects known to be scikit-learn estimators. Code guarded by `try`/`except "
        "ImportError` or by a version test is a compatibility shim and is not reported. Removed "
        "fitted attributes (`grid_scores_`) are reported on searches and `RFECV` made in the "
        "file, and removed keywords and values in the parameter grid of a search over an "
        "estimator made in the file (`GridSearchCV(DecisionTreeRegressor(), {\"criterion\": "
        "[\"mse\"]})`, the grid a dict display or a name bound to one). Only APIs deprecated "
        "or removed in a scikit-learn release the project supports are reported (see "
        "`target-versions`: the setting, else the project's declared dependencies, "
        "else the newest releases), and a fix whose replacement is missing from the oldest "
        "supported release is not applied: the finding names the release it needs."
    ),
    bad=(
        "from sklearn.externals import joblib\n"
        "from sklearn.metrics import mean_squared_error\n"
        "from sklearn.preprocessing import OneHotEncoder\n"
        "\n"
        'enc = OneHotEncoder(sparse=False, handle_unknown="ignore")\n'
        "rmse = mean_squared_error(y_test, pred, squared=False)\n"
    ),
    good=(
        "import joblib\n"
        "from sklearn.metrics import root_mean_squared_error\n"
        "from sklearn.preprocessing import OneHotEncoder\n"
        "\n"
        'enc = OneHotEncoder(sparse_output=False, handle_unknown="ignore")\n'
        "rmse = root_mean_squared_error(y_test, pred)\n"
    ),
    fix=Fix.MIXED,
    fix_summary=(
        "Pure renames only: `sparse=` -> `sparse_output=`, `base_estimator=` -> "
        "`estimator=`, `affinity=` -> `metric=`, TSNE's `n_iter=` -> `max_iter=`, "
        "`fit_params=` -> `params=`, "
        "`mean_squared_error(..., squared=False)` -> `root_mean_squared_error(...)` (and "
        "`squared=True` dropped), `make_scorer(..., needs_proba=True)` -> "
        '`response_method="predict_proba"`, renamed values (`criterion="mse"` -> '
        '`"squared_error"`, `loss="log"` -> `"log_loss"`, `max_features="auto"` -> '
        '`"sqrt"` for classifiers and `1.0` for regressors, `penalty="none"` -> `None` '
        "...), `sklearn.externals.joblib` -> `joblib`, `sklearn.datasets.samples_generator` "
        "-> `sklearn.datasets`, `calinski_harabaz_score` -> `calinski_harabasz_score`, "
        "`LatentDirichletAllocation(n_topics=)` -> `n_components=`. "
        "Unsafe: `get_feature_names()` -> `get_feature_names_out()`. Removals without a "
        "drop-in replacement (`sklearn.cross_validation`, `normalize=`, "
        "`plot_confusion_matrix` ...) are reported, not fixed."
    ),
    fix_safety=(
        "Safe: each replacement is what the old spelling meant, as scikit-learn's "
        "deprecation message stated it during the overlap releases in which both worked. "
        "The fixed code needs a scikit-learn recent enough to have the new spelling (1.2 "
        "for `sparse_output`, `estimator` and `get_feature_names_out`, 1.4 for "
        "`root_mean_squared_error`, `params=` and `response_method=`): on the versions "
        "where the original still ran, it behaves the same; a project supporting an older "
        "scikit-learn (its target versions) gets the fix shown, not applied. Unsafe: "
        "`get_feature_names_out()` returns a NumPy array of strings where "
        '`get_feature_names()` returned a list (`names + ["extra"]` and `names.index(c)` '
        "change meaning), and it names the features after the DataFrame columns the "
        "transformer was fit on where the old method said `x0`, `x1` ..."
    ),
)


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


#: The searches whose second argument is a parameter grid of the first.
_GRID_SEARCHES = frozenset({"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV"})

#: Fitted attributes that were removed (``search.grid_scores_``).
_FITTED = frozenset(key[1] for key in api_changes.SKLEARN_ATTRIBUTES)

#: The keywords whose name or value changed for some callable.
_CHANGED_KEYWORDS = frozenset(
    [key[1] for key in api_changes.SKLEARN_KEYWORDS]
    + [key[1] for key in api_changes.SKLEARN_VALUES]
)


class RemovedSklearnApi(Check):
    """ML501: scikit-learn modules, names, keywords, values and methods that were removed."""

    rules = (RULE,)
    nodes = (ast.Import, ast.ImportFrom, ast.Attribute, ast.Name, ast.Call)
    requires = frozenset({"sklearn"})
    names = _CHANGED_NAMES | _FITTED

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            self._import(node)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Attribute) and node.attr in _FITTED:
            self._fitted(node)
        else:
            assert isinstance(node, (ast.Attribute, ast.Name))
            self._reference(node)

    def report(
        self,
        code: str,
        node: ast.AST,
        *args: object,
        data: Iterable[tuple[str, str]] = (),
        replacement_since: tuple[str, str | None] | None = None,
        **kwargs: object,
    ) -> None:
        # Code written for several versions is left alone. Asked here, when there is
        # something to report, rather than for each of the many nodes visited: the
        # answer is the same (reports are made while visiting) and scans the ancestors.
        if not in_compat_shim(self.ctx.ancestors):
            super().report(
                code, node, *args, data=data, replacement_since=replacement_since, **kwargs
            )

    def _report_change(
        self,
        node: ast.AST,
        change: SklearnChange,
        data: tuple[tuple[str, str], ...],
        fixed: bool,
        **kwargs: object,
    ) -> None:
        """Report ``change`` when some supported scikit-learn deprecated or removed it; a
        ``fixed`` finding's replacement must exist in every supported release."""
        if not self.ctx.targets.affected("sklearn", change.deprecated_in, change.removed_in):
            return
        since = ("sklearn", change.replacement_since) if fixed else None
        self.report(
            "ML501", node, version=change.version, data=data, replacement_since=since, **kwargs
        )

    # ------------------------------------------------------------- imports
    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            change = _removed_module(alias.name)
            if change is not None:
                # ``import sklearn.externals.joblib`` binds ``sklearn``: its uses would differ.
                self._report_name(alias, alias.name, change, "import", bool(alias.asname))

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        change = _removed_module(node.module)
        if change is not None:
            self._report_name(node, node.module, change, "from-module", True)
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            qualname = f"{node.module}.{alias.name}"
            change = api_changes.SKLEARN_NAMES.get(qualname)
            if change is not None:
                # ``from sklearn.externals import joblib`` becomes ``import joblib`` alone.
                alone = len(node.names) == 1 or change.where is not Where.MODULE
                self._report_name(alias, qualname, change, "from-name", alone)

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
            # A name of a star import is renamed, unless the new name is taken.
            short = _short(change.replacement)  # ("" for a removed module: nothing to rename to)
            taken = form == "name" and (not short or self.ctx.uses_name(short))
            self._report_name(node, self.ctx.source_of(node), change, form, not taken)

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

    def _report_name(
        self, node: ast.AST, old: str, change: SklearnChange, form: str, rewritten: bool
    ) -> None:
        self._report_change(
            node,
            change,
            (("where", change.where.value), ("old", change.old), ("form", form))
            + rewrite_data(rewritten),
            change.safe,
            old=f"`{old}`",
            new=_code(change.new),
        )

    def _fitted(self, node: ast.Attribute) -> None:
        """``search.grid_scores_`` on a search made in this file (``search = GridSearchCV(...)``,
        or the estimator itself): a fitted attribute that was removed."""
        made: ast.expr | None = node.value
        if isinstance(made, ast.Name):
            binding = self.model.lookup(made.id)
            found = binding.node if binding is not None else None
            made = found if isinstance(found, ast.expr) else None
        if (
            isinstance(made, ast.Call)
            and isinstance(made.func, ast.Attribute)
            and made.func.attr in ("fit", "set_params")  # ``GridSearchCV(...).fit(X, y)``
        ):
            made = made.func.value
        qualname = self.model.qualname(made.func) if isinstance(made, ast.Call) else None
        change = api_changes.SKLEARN_ATTRIBUTES.get((qualname or "", node.attr))
        if change is not None and isinstance(node.ctx, ast.Load):
            self._report_change(
                node,
                change,
                (("where", change.where.value), ("old", change.old), ("callable", qualname or "")),
                False,
                old=f"`{_short(qualname or '')}.{node.attr}`",
                new=f"`{change.new}`",
            )

    # --------------------------------------------------------------- calls
    def _call(self, node: ast.Call) -> None:
        if any(kw.arg in _CHANGED_KEYWORDS for kw in node.keywords):
            qualname = self.model.qualname(node.func)
            if qualname is not None and qualname.startswith("sklearn."):
                self._keywords(node, qualname)
        if len(node.args) >= 2 or keyword(node, "param_grid") is not None:
            search = self.model.qualname(node.func) or ""
            if search.startswith("sklearn.") and _short(search) in _GRID_SEARCHES:
                self._param_grid(node)
        if isinstance(node.func, ast.Attribute):
            change = api_changes.SKLEARN_METHODS.get(node.func.attr)
            if change is not None and self.model.kind_of(node.func.value) in _SKLEARN_OBJECTS:
                self._report_change(
                    node.func,
                    change,
                    (("where", change.where.value), ("old", change.old)),
                    True,
                    old=f"`{node.func.attr}()`",
                    new=f"`{change.new}()`",
                )

    def _value_of(self, expr: ast.expr | None) -> ast.expr | None:
        """``expr``, or the value a name was last bound to."""
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            found = binding.node if binding is not None else None
            return found if isinstance(found, ast.expr) else None
        return expr

    def _param_grid(self, search: ast.Call) -> None:
        """``GridSearchCV(DecisionTreeRegressor(), {"criterion": ["mse"]})``: a removed
        keyword or value in the grid of an estimator made in the file fails at ``fit``."""
        named = keyword(search, "estimator")
        estimator = self._value_of(
            search.args[0] if search.args else named.value if named else None
        )
        given = keyword(search, "param_grid")
        grid = self._value_of(
            search.args[1] if len(search.args) > 1 else given.value if given else None
        )
        if not isinstance(estimator, ast.Call) or not isinstance(grid, ast.Dict):
            return
        qualname = self.model.qualname(estimator.func) or ""
        if not qualname.startswith("sklearn."):
            return
        for key, values in zip(grid.keys, grid.values, strict=True):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            change = api_changes.SKLEARN_KEYWORDS.get((qualname, key.value))
            data = (("where", "grid"), ("old", key.value), ("callable", qualname))
            if change is not None:
                new = _code(change.new) if not change.safe else f"`{change.new}`"
                old = f'`{_short(qualname)}` parameter `"{key.value}"` in a parameter grid'
                self._report_change(key, change, data, False, old=old, new=new)
                continue
            items = values.elts if isinstance(values, (ast.List, ast.Tuple)) else [values]
            for item in items:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    change = api_changes.SKLEARN_VALUES.get((qualname, key.value, item.value))
                    if change is not None:
                        call = f'{_short(qualname)}({key.value}="{item.value}")'
                        old = f"`{call}` in a parameter grid"
                        new = f"`{change.new}`" if change.safe else change.new
                        self._report_change(item, change, data, False, old=old, new=new)

    def _keywords(self, call: ast.Call, qualname: str) -> None:
        for kw in call.keywords:
            if kw.arg is None:
                continue
            change = api_changes.SKLEARN_KEYWORDS.get((qualname, kw.arg))
            if change is not None:
                self._report_keyword(call, kw, qualname, change)
                continue
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                change = api_changes.SKLEARN_VALUES.get((qualname, kw.arg, kw.value.value))
                if change is not None:
                    self._report_change(
                        kw,
                        change,
                        (
                            ("where", change.where.value),
                            ("old", change.old),
                            ("keyword", kw.arg),
                            ("callable", qualname),
                        ),
                        change.safe,
                        old=f"`{_short(qualname)}({kw.arg}={kw.value.value!r})`".replace("'", '"'),
                        new=f"`{kw.arg}={change.new}`" if change.safe else change.new,
                    )

    def _report_keyword(
        self, call: ast.Call, kw: ast.keyword, qualname: str, change: SklearnChange
    ) -> None:
        assert kw.arg is not None
        new = _code(change.new) if not change.safe else f"`{change.new}=`"
        renamed = change.safe  # (a flag at its default is dropped: nothing new is written)
        if change.old == "squared":
            renamed = not _is_true(kw.value)
            new = f"`{change.new}`" if renamed else f"plain `{_short(qualname)}` (its default)"
        elif change.old in ("needs_proba", "needs_threshold"):
            renamed = not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
            new = "`response_method=`"
        self._report_change(
            kw,
            change,
            (
                ("where", change.where.value),
                ("old", change.old),
                ("keyword", kw.arg),
                ("callable", qualname),
            )
            + rewrite_data(self._keyword_rewritten(call, kw, change)),
            renamed,
            old=f"`{_short(qualname)}({kw.arg}=...)`",
            new=new,
        )

    def _keyword_rewritten(self, call: ast.Call, kw: ast.keyword, change: SklearnChange) -> bool:
        """Whether the fix rewrites the removed keyword ``kw`` of ``call`` (when the change
        is a pure rename): a literal flag, a function whose new name is free or imported
        already, a spelling not given twice."""
        given = {k.arg for k in call.keywords}
        flag = kw.value.value if isinstance(kw.value, ast.Constant) else None
        if change.old == "squared":
            if not isinstance(flag, bool):
                return False
            if flag or isinstance(call.func, ast.Attribute):
                return True  # the flag dropped, or the attribute renamed
            return isinstance(call.func, ast.Name) and (
                not self.ctx.uses_name(change.replacement)
                or _top_import(self.ctx.tree, "sklearn.metrics", change.replacement)
            )
        if change.old in ("needs_proba", "needs_threshold"):
            others = {"needs_proba", "needs_threshold", "response_method"} - {change.old}
            return isinstance(flag, bool) and not given & others
        return change.replacement not in given  # both given: scikit-learn raised


def _top_import(tree: ast.Module, source: str, name: str) -> bool:
    """Whether ``tree`` has a top-level ``from <source> import <name>`` (no alias): the
    ast twin of the fix's :func:`_imported_from`."""
    return any(
        isinstance(stmt, ast.ImportFrom)
        and not stmt.level
        and stmt.module == source
        and any(alias.name == name and alias.asname is None for alias in stmt.names)
        for stmt in tree.body
    )


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


# ---------------------------------------------------------------------- fix


def removed_sklearn_api(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The pure renames of removed scikit-learn APIs (see the rule's fix summary)."""
    data = dict(diag.data)
    where = data.get("where")
    if where == Where.METHOD.value:
        attr = ctx.find(diag, cst.Attribute)
        change = api_changes.SKLEARN_METHODS.get(data.get("old", ""))
        if attr is None or change is None:
            return None
        renamed = attr.with_changes(attr=cst.Name(change.replacement))
        return fx.Edit(attr, renamed, safety=Fix.UNSAFE)
    if where in (Where.KEYWORD.value, Where.VALUE.value):
        return _keyword(ctx, diag, data)
    if where in (Where.MODULE.value, Where.NAME.value):
        change = api_changes.SKLEARN_NAMES.get(data.get("old", ""))
        if change is None or not change.safe:
            return None
        return _name(ctx, diag, data.get("form", ""), change)
    return None


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


def _name(ctx: fx.FixContext, diag: Diagnostic, form: str, change: SklearnChange) -> fx.Edit | None:
    if form == "import":
        alias = ctx.find(diag, cst.ImportAlias)
        if alias is None or alias.asname is None:
            return None  # ``import sklearn.externals.joblib`` binds ``sklearn``: uses differ
        moved = _moved(_dotted(alias.name), change)
        if moved is None:
            return None
        return fx.Edit(alias, alias.with_changes(name=_dotted_node(moved)), safety=Fix.SAFE)
    if form == "from-module":
        stmt = ctx.find(diag, cst.ImportFrom)
        if stmt is None or stmt.module is None or stmt.relative:
            return None
        moved = _moved(_dotted(stmt.module), change)
        if moved is None:
            return None
        return fx.Edit(stmt, stmt.with_changes(module=_dotted_node(moved)), safety=Fix.SAFE)
    if form == "from-name":
        return _from_name(ctx, diag, change)
    if form in ("attribute", "name") and change.where is Where.NAME:
        node = ctx.find(diag, cst.Attribute, cst.Name)
        old_module, _, _ = change.old.rpartition(".")
        new_module, _, new_name = change.replacement.rpartition(".")
        if old_module != new_module:
            return None
        if isinstance(node, cst.Attribute):
            return fx.Edit(node, node.with_changes(attr=cst.Name(new_name)), safety=Fix.SAFE)
        if isinstance(node, cst.Name) and new_name not in ctx.names_in_module():
            return fx.Edit(node, node.with_changes(value=new_name), safety=Fix.SAFE)
    return None


def _moved(module: str, change: SklearnChange) -> str | None:
    """``module`` (the removed one or inside it) at its new place."""
    if module == change.old:
        return change.replacement
    if module.startswith(change.old + "."):
        return change.replacement + module[len(change.old) :]
    return None


def _from_name(ctx: fx.FixContext, diag: Diagnostic, change: SklearnChange) -> fx.Edit | None:
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
        return fx.Edit(stmt, cst.Import(names=[new_alias]), safety=Fix.SAFE)
    old_module, _, old_name = change.old.rpartition(".")
    new_module, _, new_name = change.replacement.rpartition(".")
    if old_module != new_module or not isinstance(alias.name, cst.Name):
        return None
    asname = alias.asname or cst.AsName(name=cst.Name(old_name))
    return fx.Edit(
        alias, alias.with_changes(name=cst.Name(new_name), asname=asname), safety=Fix.SAFE
    )


def _keyword(ctx: fx.FixContext, diag: Diagnostic, data: dict[str, str]) -> fx.Edit | None:
    arg = ctx.find(diag, cst.Arg)
    call = ctx.parent(arg) if arg is not None else None
    if arg is None or arg.keyword is None or not isinstance(call, cst.Call):
        return None
    key = (data.get("callable", ""), data.get("keyword", ""))
    if data.get("where") == Where.VALUE.value:
        value_change = api_changes.SKLEARN_VALUES.get((*key, data.get("old", "")))
        if value_change is None or not value_change.safe:
            return None
        new_value = fx.parse_expression(value_change.replacement)
        return fx.Edit(arg, arg.with_changes(value=new_value), safety=Fix.SAFE)
    change = api_changes.SKLEARN_KEYWORDS.get(key)
    if change is None or not change.safe:
        return None
    if change.old == "squared":
        return _squared(ctx, call, arg, change)
    if change.old in ("needs_proba", "needs_threshold"):
        return _needs(call, arg, change)
    if fx.keyword_arg(call, change.replacement) is not None:
        return None  # both spellings given: scikit-learn raised; leave it to the author
    return fx.Edit(arg, arg.with_changes(keyword=cst.Name(change.replacement)), safety=Fix.SAFE)


def _bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _squared(
    ctx: fx.FixContext, call: cst.Call, arg: cst.Arg, change: SklearnChange
) -> fx.Edit | None:
    """``mean_squared_error(..., squared=False)`` -> ``root_mean_squared_error(...)``."""
    flag = _bool(arg.value)
    if flag is None:
        return None
    without = fx.remove_arg(call, arg)
    if flag:
        return fx.Edit(call, without, safety=Fix.SAFE)  # ``squared=True`` was the default
    new_name = change.replacement
    func = call.func
    imports: tuple[fx.ImportItem, ...] = ()
    new_func: cst.BaseExpression
    if isinstance(func, cst.Attribute):
        new_func = func.with_changes(attr=cst.Name(new_name))
    elif isinstance(func, cst.Name):
        new_func = cst.Name(new_name)
        if new_name in ctx.names_in_module():
            if not _imported_from(ctx.module, "sklearn.metrics", new_name):
                return None  # the name means something else here
        else:
            imports = (fx.ImportItem("sklearn.metrics", new_name),)
    else:
        return None
    return fx.Edit(call, without.with_changes(func=new_func), imports=imports, safety=Fix.SAFE)


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


def _needs(call: cst.Call, arg: cst.Arg, change: SklearnChange) -> fx.Edit | None:
    """``make_scorer(f, needs_proba=True)`` -> ``response_method="predict_proba"``."""
    flag = _bool(arg.value)
    others = [k for k in ("needs_proba", "needs_threshold", "response_method") if k != change.old]
    if flag is None or any(fx.keyword_arg(call, k) is not None for k in others):
        return None
    without = fx.remove_arg(call, arg)
    if not flag:
        return fx.Edit(call, without, safety=Fix.SAFE)  # False was the default
    response = fx.parse_expression(_RESPONSE_METHODS[change.old])
    return fx.Edit(call, fx.add_keyword(without, "response_method", response), safety=Fix.SAFE)


def fix_applies(diag: Diagnostic) -> Fix:
    """The shapes :func:`removed_sklearn_api` rewrites, by the table's entry of the finding,
    unless the rule found what stops the rewrite here (``rewrite``: ``no``)."""
    where, old = diag.get("where"), diag.get("old") or ""
    if diag.get("rewrite") == "no":
        return Fix.NONE
    if where == Where.METHOD.value:
        return Fix.UNSAFE if old in api_changes.SKLEARN_METHODS else Fix.NONE
    key = (diag.get("callable") or "", diag.get("keyword") or "")
    change: SklearnChange | None = None
    if where == Where.VALUE.value:
        change = api_changes.SKLEARN_VALUES.get((*key, old))
    elif where == Where.KEYWORD.value:
        change = api_changes.SKLEARN_KEYWORDS.get(key)
    elif where in (Where.MODULE.value, Where.NAME.value):
        change = api_changes.SKLEARN_NAMES.get(old)
        if change is not None and not _renamed_in_place(change, diag.get("form") or ""):
            return Fix.NONE
    return Fix.SAFE if change is not None and change.safe else Fix.NONE


def _renamed_in_place(change: SklearnChange, form: str) -> bool:
    """Whether :func:`_name` rewrites a use of the removed ``change`` of this ``form``."""
    if form in ("import", "from-module"):
        return True
    same_module = change.old.rpartition(".")[0] == change.replacement.rpartition(".")[0]
    if form == "from-name":
        return "." not in change.replacement if change.where is Where.MODULE else same_module
    return form in ("attribute", "name") and change.where is Where.NAME and same_module


FIXES = {"ML501": removed_sklearn_api}
FIXABLE = {"ML501": fix_applies}
