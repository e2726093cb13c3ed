"""ML208 removed-pandas-api: an API that pandas removed, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.data import pandas_removed
from mlsmells.data.pandas_removed import Access, Removed, Repl
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, in_compat_shim, is_true, keyword
from mlsmells.rules.pandas._kinds import FRAME_OR_SERIES, KIND_EVIDENCE, PANDAS_KINDS
from mlsmells.rules.pandas._text import brief, module_alias
from mlsmells.semantic.kinds import Kind

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML208",
    name="removed-pandas-api",
    pylint_id="W7628",
    family=Family.PANDAS,
    message="`{old}` was removed in pandas {version}{deprecated}; use {replacement}",
    summary=(
        "An API removed in pandas 1.0, 2.0 or 3.0: `DataFrame.append`, `.iteritems()`, "
        "`.ix`, `.lookup()`, `.bool()`, `applymap`, `fillna(method=...)`, `pd.np` ..."
    ),
    rationale=(
        "Code written for an older pandas fails on a current one with an AttributeError "
        "or TypeError the first time it reaches the removed API, which may be deep into "
        "a long run. Each entry of the rule's table names the version that removed the "
        "API and the replacement from pandas' own deprecation message or release notes; "
        "a test checks the table against the installed pandas. Methods are reported only "
        "on receivers known to be pandas objects (a list's `append` is not pandas'), and "
        "only when called (`df.first` alone may be a column named `first`); on a value "
        "known to be a DataFrame or a Series without knowing which, a member removed from "
        "one of them (which the other never had). `.agg`/`.aggregate` given a dict of "
        "dicts (renaming while aggregating) is reported on DataFrames, Series and their "
        "groupbys. Only APIs deprecated or removed in a pandas release the project "
        "supports are reported (see `target-versions`: the setting, else the project's "
        "declared dependencies, else the newest releases), and a fix whose replacement is "
        "missing from the oldest supported release is not applied: the finding names the "
        "release it needs. Code written for several pandas versions (a `try` with an "
        "`except AttributeError` (or `ImportError`) fallback, a version test) is not "
        "reported; a bare `except:` or `except Exception:` does not make a fallback. "
        + KIND_EVIDENCE
        + " Not seen: the elements a function receives from `Series.apply` (a "
        "`Timestamp`'s `weekday_name`), frames from other libraries' loaders, and APIs "
        "missing from the table."
    ),
    bad=(
        "df = df.append(new_rows)\n"
        "for name, col in df.iteritems():\n"
        "    ...\n"
        'df = df.fillna(method="ffill")\n'
    ),
    good=(
        "df = pd.concat([df, new_rows])\nfor name, col in df.items():\n    ...\ndf = df.ffill()\n"
    ),
    fix=Fix.MIXED,
    fix_summary=(
        "Safe renames: `iteritems()` → `items()`, `applymap` → `map`, `pad`/`backfill` → "
        '`ffill`/`bfill`, `fillna(method="ffill")` → `ffill()` (`bfill()`), '
        "`is_monotonic` → `is_monotonic_increasing`, `to_csv(line_terminator=)` → "
        '`lineterminator=`, `read_csv(delim_whitespace=True)` → `sep=r"\\s+"`, `pd.np` → '
        "the module's NumPy name, `pd.SparseArray` → `pd.arrays.SparseArray`, "
        "`pd.scatter_matrix` → `pd.plotting.scatter_matrix`, "
        "`pd.io.json.json_normalize` → `pd.json_normalize`. Unsafe: `a.append(b)` → "
        "`pd.concat([a, b])` when both are DataFrames or both Series, and "
        "`df.append({...}, ignore_index=True)` → "
        "`pd.concat([df, pd.DataFrame([{...}])], ignore_index=True)`."
    ),
    fix_safety=(
        "The renames are the documented equivalents and keep behaviour. `pd.concat` is "
        "not a one-to-one replacement of `append`: the column order of the result and "
        "the dtypes of columns missing on one side (all-NA columns) can differ, so that "
        "fix is unsafe."
    ),
)


#: Kind of an ``agg`` receiver -> the owner naming it in ``pandas_removed.ARGUMENTS``.
_AGG_OWNERS: dict[Kind | None, str] = {
    Kind.DATAFRAME: "DataFrame",
    Kind.SERIES: "Series",
    Kind.FRAME_OR_SERIES: "DataFrame",
    Kind.FRAME_GROUPBY: "DataFrameGroupBy",
    Kind.SERIES_GROUPBY: "SeriesGroupBy",
}


class RemovedPandasApi(Check):
    """ML208: an API that pandas removed (table: :mod:`mlsmells.data.pandas_removed`)."""

    rules = (RULE,)
    nodes = (ast.Attribute, ast.Name, ast.Call, ast.Import, ast.ImportFrom)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._keywords(node)
            self._argument(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.ctx, ast.Load) and not self._member(node):
                self._name(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self._name(node)

    def _report(self, node: ast.AST, entry: Removed, old: str, data: list[tuple[str, str]]) -> None:
        if not self.ctx.targets.affected("pandas", entry.deprecated_in, entry.removed_in):
            return  # neither deprecated nor removed in any pandas the project supports
        if in_compat_shim(self.ctx.ancestors, broad=False):
            # ``try: df.map(f) except AttributeError: df.applymap(f)``; not a bare
            # ``except:`` around a download loop
            return
        since = ("pandas", entry.replacement_since) if entry.repl is not Repl.NONE else None
        deprecated = f" (deprecated since {entry.deprecated})"
        self.report(
            "ML208",
            node,
            old=old,
            version=entry.removed,
            deprecated=deprecated,
            replacement=entry.replacement,
            data=[
                ("name", entry.name),
                ("where", entry.where.value),
                ("repl", entry.repl.value),
                ("target", entry.target),
                *data,
            ],
            replacement_since=since,
        )

    # ------------------------------------------------------------- members
    def _member(self, node: ast.Attribute) -> bool:
        entry = None
        for owner in self._owners(node.value):
            entry = pandas_removed.MEMBERS.get((node.attr, owner))
            if entry is not None:
                break
        if entry is None:
            return False
        parent = self.ctx.parent
        called = isinstance(parent, ast.Call) and parent.func is node
        if entry.access is Access.CALL and not called:
            return True  # a column read as an attribute, or a bound method passed on
        if entry.access is Access.INDEXER and not (
            isinstance(parent, ast.Subscript) and parent.value is node
        ):
            return True
        reported: ast.AST = parent if called and parent is not None else node
        data: list[tuple[str, str]] = []
        if entry.repl is Repl.CONCAT and isinstance(parent, ast.Call):
            data = self._concat_data(node, parent)
        self._report(reported, entry, f"{brief(self.ctx, node.value)}.{node.attr}", data)
        return True

    def _owners(self, receiver: ast.expr) -> tuple[str, ...]:
        """``DataFrame``/``Series``/``Index`` for a known pandas object (both the first two
        for one known to be either: a member removed from one of them never existed on
        the other), ``Series.dt`` for its ``.dt`` accessor."""
        if isinstance(receiver, ast.Attribute) and receiver.attr == "dt":
            if self.model.kind_of(receiver.value) is Kind.SERIES:
                return ("Series.dt",)
            return ()
        kind = self.model.kind_of(receiver)
        if kind is Kind.FRAME_OR_SERIES:
            return ("DataFrame", "Series")
        return (kind.value,) if kind in PANDAS_KINDS and kind is not None else ()

    def _concat_data(self, node: ast.Attribute, call: ast.Call) -> list[tuple[str, str]]:
        """What the ``append`` -> ``pd.concat`` fix needs, when the call has a shape it takes."""
        pandas = module_alias(self.model, "pandas")
        if pandas is None or has_star_kwargs(call) or len(call.args) != 1:
            return []
        if any(kw.arg not in ("ignore_index", "verify_integrity", "sort") for kw in call.keywords):
            return []
        other = call.args[0]
        if isinstance(other, ast.Starred):
            return []
        receiver = self.model.kind_of(node.value)
        other_kind = self.model.kind_of(other)
        if receiver is Kind.DATAFRAME and isinstance(other, ast.Dict):
            ignore = keyword(call, "ignore_index")
            if ignore is None or not is_true(ignore.value):
                return []  # pandas raised TypeError for a dict without ignore_index=True
            shape = "dict"
        elif receiver is other_kind and receiver in FRAME_OR_SERIES:
            shape = "same"
        else:
            return []
        return [("pandas", pandas), ("other", shape)]

    # ------------------------------------------------------------ keywords
    def _keywords(self, call: ast.Call) -> None:
        if not call.keywords:
            return
        func = call.func
        owner: str | None
        if isinstance(func, ast.Attribute) and func.attr in pandas_removed.KEYWORD_METHODS:
            kind = self.model.kind_of(func.value)
            owner = f"{kind.value}.{func.attr}" if kind in PANDAS_KINDS and kind else None
            if owner is None:
                owner = self.model.qualname(func)
        else:
            owner = self.model.qualname(func)
        if owner is None:
            return
        for kw in call.keywords:
            entry = pandas_removed.KEYWORDS.get((kw.arg or "", owner))
            if entry is None:
                continue
            data = [("keyword", kw.arg or ""), *self._keyword_data(entry, call, kw)]
            self._report(call, entry, f"{brief(self.ctx, func)}({kw.arg}=...)", data)

    def _keyword_data(
        self, entry: Removed, call: ast.Call, kw: ast.keyword
    ) -> list[tuple[str, str]]:
        if entry.repl is Repl.FILL:
            try:
                method = ast.literal_eval(kw.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return []
            fill = {"ffill": "ffill", "pad": "ffill", "bfill": "bfill", "backfill": "bfill"}
            others = {k.arg for k in call.keywords if k is not kw}
            if (
                not isinstance(method, str)
                or method not in fill
                or call.args
                or not others <= {"axis", "inplace", "limit"}
            ):
                return []
            return [("fill", fill[method])]
        if entry.repl is Repl.SEP:
            others = {k.arg for k in call.keywords if k is not kw}
            if others & {"sep", "delimiter"} or len(call.args) > 1 or has_star_kwargs(call):
                return []
            if not isinstance(kw.value, ast.Constant) or not isinstance(kw.value.value, bool):
                return []
            return [("sep", "yes" if kw.value.value else "no")]
        if entry.repl is Repl.KEYWORD_RENAME and keyword(call, entry.target) is not None:
            return [("rewrite", "no")]  # both spellings given: left to the author
        return []

    # ------------------------------------------------------------ arguments
    def _argument(self, call: ast.Call) -> None:
        """``.agg({"col": {"new_name": func}})``: renaming inside a dict of aggregations."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in ("agg", "aggregate"):
            return
        spec = call.args[0] if call.args else keyword(call, "func")
        value = spec.value if isinstance(spec, ast.keyword) else spec
        if not isinstance(value, ast.Dict) or not any(
            isinstance(item, ast.Dict) for item in value.values
        ):
            return
        owner = _AGG_OWNERS.get(self.model.kind_of(func.value))
        if owner is None:
            return
        entry = pandas_removed.ARGUMENTS.get(("agg", f"{owner}.{func.attr}"))
        if entry is not None:
            old = f"{brief(self.ctx, func)}({{...: {{...}}}})"
            self._report(call, entry, old, [])

    # --------------------------------------------------------------- names
    def _name(self, node: ast.Name | ast.Attribute) -> None:
        qualname = self.model.qualname(node)
        entry = pandas_removed.NAMES.get(qualname or "")
        if entry is None:
            return
        if isinstance(node, ast.Name):
            binding = self.model.lookup(node.id)
            if binding is not None and isinstance(binding.node, (ast.Import, ast.ImportFrom)):
                return  # reported at the import
        data: list[tuple[str, str]] = []
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if (
            isinstance(node, ast.Attribute)
            and isinstance(root, ast.Name)
            and self.model.qualname(root) == "pandas"
        ):
            data.append(("root", root.id))
            if entry.repl is Repl.NUMPY:
                numpy = module_alias(self.model, "numpy")
                if numpy is not None:
                    data.append(("numpy", numpy))
        self._report(node, entry, brief(self.ctx, node), data)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names.append(node.module)
        for name in names:
            entry = pandas_removed.NAMES.get(name)
            if entry is not None:
                self._report(node, entry, name, [])


# ---------------------------------------------------------------------- fix


def removed_pandas_api(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The replacements of :mod:`mlsmells.data.pandas_removed` that are mechanical.

    The rule says which entry (``name``, ``where``, ``repl``, ``target``)
    and what the fix needs beyond it: ``fill`` (the method replacing
    ``fillna(method=...)``), ``sep``, ``root`` (the name of the pandas module
    an attribute chain starts from), ``numpy`` (the module's name for NumPy),
    ``pandas`` and ``other`` (for ``append``).
    """
    repl = diag.get("repl")
    if repl == Repl.RENAME.value:
        return _rename(ctx, diag)
    if repl == Repl.KEYWORD_RENAME.value:
        return _rename_keyword(ctx, diag)
    if repl == Repl.FILL.value:
        return _fill(ctx, diag)
    if repl == Repl.SEP.value:
        return _sep(ctx, diag)
    if repl == Repl.NUMPY.value:
        numpy = diag.get("numpy")
        node = ctx.find(diag, cst.Attribute)
        if numpy is None or node is None:
            return None
        return fx.Edit(node, cst.Name(numpy, lpar=node.lpar, rpar=node.rpar), safety=Fix.SAFE)
    if repl == Repl.CONCAT.value:
        return _concat(ctx, diag)
    return None


def _rename(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    target = diag.get("target") or ""
    if not target:
        return None
    if diag.get("where") == "name":
        root = diag.get("root")
        node = ctx.find(diag, cst.Attribute)
        if root is None or node is None:
            return None
        new = fx.parse_expression(f"{root}.{target}").with_changes(lpar=node.lpar, rpar=node.rpar)
        return fx.Edit(node, new, safety=Fix.SAFE)
    found = ctx.find(diag, cst.Call, cst.Attribute)
    func = found.func if isinstance(found, cst.Call) else found
    if not isinstance(func, cst.Attribute) or func.attr.value != diag.get("name"):
        return None
    return fx.Edit(func, func.with_changes(attr=cst.Name(target)), safety=Fix.SAFE)


def _rename_keyword(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    call = ctx.find(diag, cst.Call)
    target = diag.get("target") or ""
    if call is None or not target or fx.keyword_arg(call, target) is not None:
        return None
    arg = fx.keyword_arg(call, diag.get("keyword") or "")
    if arg is None:
        return None
    return fx.Edit(arg, arg.with_changes(keyword=cst.Name(target)), safety=Fix.SAFE)


def _fill(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``x.fillna(method="ffill", limit=2)`` -> ``x.ffill(limit=2)``."""
    call = ctx.find(diag, cst.Call)
    fill = diag.get("fill")
    if call is None or fill is None or not isinstance(call.func, cst.Attribute):
        return None
    method = fx.keyword_arg(call, "method")
    if method is None:
        return None
    rest = fx.remove_arg(call, method)
    func = call.func.with_changes(attr=cst.Name(fill))
    return fx.Edit(call, rest.with_changes(func=func), safety=Fix.SAFE)


def _sep(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``delim_whitespace=True`` -> ``sep=r"\\s+"``; ``delim_whitespace=False`` is dropped."""
    call = ctx.find(diag, cst.Call)
    arg = fx.keyword_arg(call, "delim_whitespace") if call is not None else None
    if call is None or arg is None:
        return None
    if diag.get("sep") == "yes":
        new = arg.with_changes(keyword=cst.Name("sep"), value=cst.SimpleString('r"\\s+"'))
        return fx.Edit(arg, new, safety=Fix.SAFE)
    if diag.get("sep") == "no":
        return fx.Edit(call, fx.remove_arg(call, arg), safety=Fix.SAFE)
    return None


def _concat(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``a.append(b, ignore_index=True)`` -> ``pd.concat([a, b], ignore_index=True)``;
    a dict appended as a row becomes ``pd.DataFrame([row])``."""
    pandas = diag.get("pandas")
    other_shape = diag.get("other")
    call = ctx.find(diag, cst.Call)
    if pandas is None or other_shape is None or call is None:
        return None
    func = call.func
    positional = [a for a in call.args if a.keyword is None]
    if not isinstance(func, cst.Attribute) or len(positional) != 1 or positional[0].star:
        return None
    other = positional[0].value
    if other_shape == "dict":
        other = cst.Call(
            func=fx.parse_expression(f"{pandas}.DataFrame"),
            args=[cst.Arg(cst.List([cst.Element(other)]))],
        )
    pieces = cst.List(
        [
            cst.Element(func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Element(other),
        ]
    )
    args = [cst.Arg(pieces), *(a for a in call.args if a.keyword is not None)]
    for i in range(len(args) - 1):
        args[i] = args[i].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    concat = cst.Call(
        func=fx.parse_expression(f"{pandas}.concat"), args=args, lpar=call.lpar, rpar=call.rpar
    )
    return fx.Edit(call, concat, safety=Fix.UNSAFE)


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for the replacements :func:`removed_pandas_api` makes, when the finding
    carries what the replacement needs (a name of pandas or NumPy, a method, a separator)."""
    repl = diag.get("repl")
    if repl == Repl.RENAME.value:
        renamed = bool(diag.get("target")) and (
            diag.get("where") != "name" or diag.get("root") is not None
        )
        return Fix.SAFE if renamed else Fix.NONE
    needed = {
        Repl.KEYWORD_RENAME.value: bool(diag.get("target")) and diag.get("rewrite") != "no",
        Repl.FILL.value: diag.get("fill") is not None,
        Repl.SEP.value: diag.get("sep") in ("yes", "no"),
        Repl.NUMPY.value: diag.get("numpy") is not None,
    }
    if repl == Repl.CONCAT.value:
        concat = diag.get("pandas") is not None and diag.get("other") is not None
        return Fix.UNSAFE if concat else Fix.NONE
    return Fix.SAFE if needed.get(repl or "", False) else Fix.NONE


FIXES = {"ML208": removed_pandas_api}
FIXABLE = {"ML208": fix_applies}
