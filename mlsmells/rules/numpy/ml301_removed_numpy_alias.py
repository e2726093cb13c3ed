"""ML301 removed-numpy-alias: a NumPy name removed in NumPy 1.23-2.4, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.data import api_changes
from mlsmells.data.api_changes import NumpyChange, Repl, Status
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, in_compat_shim
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML301",
    name="removed-numpy-alias",
    pylint_id="E7631",
    family=Family.NUMPY,
    message="`{old}` was {status} in NumPy {version}; {advice}",
    summary=(
        "A NumPy name removed in NumPy 1.23-2.4 (or deprecated and about to go): "
        "`np.float`, `np.int`, `np.NaN`, `np.float_`, `np.product`, `np.in1d`, `np.trapz` ..."
    ),
    rationale=(
        "NumPy 1.24 removed the aliases of Python builtins (`np.float`, `np.int`, "
        "`np.object`, `np.str`, `np.complex`, `np.unicode`); NumPy 2.0 removed about sixty "
        "redundant names from the main namespace (`np.NaN`, `np.Inf`, `np.NINF`, "
        "`np.float_`, `np.string_`, `np.round_`, `np.product`, `np.alltrue`, `np.asfarray` "
        "...), and NumPy 2.4 removed `np.in1d` and `np.trapz`. Code using them fails with "
        "`AttributeError` on a current NumPy. The table of names, with the version each "
        "went away in and NumPy's own replacement, is `mlsmells/data/api_changes.py`. "
        "`np.bool` and `np.long` are reported only for a project that supports NumPy 1.24, "
        "1.25 or 1.26 (its target versions): NumPy 2.0 defined them again (as `np.bool_` and "
        "the C `long`). A use guarded by a `try`/`except AttributeError` or "
        "`ImportError`, or by a `hasattr(np, ...)`/version test, is a compatibility shim "
        "and is not reported either; neither is an assignment such as `np.float = float`. "
        "Only names deprecated or removed in a NumPy release the project supports are "
        "reported: with `numpy<2` declared, `np.NaN` and `np.float_` are fine "
        "(see `target-versions`)."
    ),
    bad=(
        "import numpy as np\n"
        "\n"
        "mask = np.in1d(labels, keep)\n"
        "scores = np.full(len(labels), np.NaN, dtype=np.float_)\n"
        "weights = y.astype(np.float)\n"
    ),
    good=(
        "import numpy as np\n"
        "\n"
        "mask = np.isin(labels, keep).ravel()\n"
        "scores = np.full(len(labels), np.nan, dtype=np.float64)\n"
        "weights = y.astype(float)\n"
    ),
    fix=Fix.MIXED,
    fix_summary=(
        "The documented replacement: a builtin for the builtin aliases (`np.float` -> "
        "`float`), the surviving NumPy name for the renamed ones (`np.NaN` -> `np.nan`, "
        "`np.float_` -> `np.float64`, `np.product` -> `np.prod`, `np.row_stack` -> "
        "`np.vstack`), `-np.inf` for `np.NINF`, and for a few calls the equivalent call: "
        "`np.in1d(a, b)` -> `np.isin(a, b).ravel()` (`.ravel()` kept unless `a` is a flat "
        "list literal: `in1d` always returned a flat array), `np.asfarray(a)` -> "
        "`np.asarray(a, dtype=np.float64)`, `np.msort(a)` -> `np.sort(a, axis=0)`, "
        "`np.asscalar(a)` -> `a.item()`. `from numpy import NaN` becomes `from numpy "
        "import nan as NaN`. Names without a mechanical replacement (`np.cast`, "
        "`np.find_common_type` ...) are reported with NumPy's migration note and not fixed."
    ),
    fix_safety=(
        "Safe: every replacement was already valid in NumPy 1.x and is the object (or "
        "computes the value) the old name stood for. Unsafe: `np.trapz` -> `np.trapezoid` "
        "and `np.byte_bounds` -> `np.lib.array_utils.byte_bounds`, because those "
        "replacements exist only from NumPy 2.0 on, so the fixed code no longer runs on "
        "NumPy 1.x (ruff's NPY201 draws the same line); so are the `np.exceptions.*` "
        "replacements of `np.AxisError` and the other exceptions (NumPy 1.25, "
        "`RankWarning` 2.0). When the project says which NumPy releases it supports "
        "(`target-versions`, or its declared dependencies), those fixes are safe if every "
        "supported release has the replacement, and otherwise not applied at all: the "
        "finding names the release the replacement needs."
    ),
)


def _numpy_change(qualname: str | None) -> NumpyChange | None:
    if qualname is None or not qualname.startswith("numpy."):
        return None
    return api_changes.NUMPY.get(qualname[len("numpy.") :])


def _removed_module(dotted: str) -> NumpyChange | None:
    """The removed submodule (``numpy.compat``) that ``dotted`` is or lies in."""
    parts = dotted.split(".")
    if len(parts) < 2 or parts[0] != "numpy":
        return None
    change = api_changes.NUMPY.get(parts[1])
    return change if change is not None and change.name in api_changes.NUMPY_MODULES else None


_REINTRODUCED = frozenset(f"numpy.{name}" for name in api_changes.NUMPY_REINTRODUCED)

#: Last components of the changed names (a name or attribute ending otherwise is none).
_CHANGED_NAMES = last_names(
    f"numpy.{name}" for name in [*api_changes.NUMPY, *api_changes.NUMPY_REINTRODUCED]
)


def _advice(change: NumpyChange) -> str:
    if not change.new:
        return "it has no replacement"
    return f"use {change.new}" if change.repl is Repl.NONE else f"use `{change.new}`"


class RemovedNumpyAlias(Check):
    """ML301: a NumPy name removed in NumPy 1.23-2.4 (or deprecated on its way out)."""

    rules = (RULE,)
    nodes = (ast.Attribute, ast.Name, ast.Import, ast.ImportFrom)
    requires = frozenset({"numpy"})
    names = _CHANGED_NAMES

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.ImportFrom):
            self._import_from(node)
            return
        if isinstance(node, ast.Import):
            self._import(node)
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
        qualname = self.model.qualname(node)
        change = _numpy_change(qualname)
        if change is None and qualname in _REINTRODUCED:
            self._reintroduced(node, qualname)
            return
        if change is None or in_compat_shim(self.ctx.ancestors):
            return
        if change.name in api_changes.NUMPY_MODULES and self._through_reported_import(node):
            return
        form = "name" if isinstance(node, ast.Name) else "attribute"
        self._report(node, self.ctx.source_of(node), change, form, self._fixable(change))

    def _reintroduced(self, node: ast.Attribute | ast.Name, qualname: str) -> None:
        """``np.bool``: fails on NumPy 1.24 to 1.26 only (2.0 defined it again)."""
        if not self.ctx.targets.supports_between("numpy", *api_changes.NUMPY_GAP):
            return
        if in_compat_shim(self.ctx.ancestors):
            return
        name = qualname[len("numpy.") :]
        self.report(
            "ML301",
            node,
            old=self.ctx.source_of(node),
            status="removed",
            version=api_changes.NUMPY_GAP[0],
            advice=f"use {api_changes.NUMPY_REINTRODUCED[name]}: NumPy 2.0 defined it again, "
            "but the project also supports a NumPy without it",
            data=(("name", name), ("form", "reintroduced"), ("fixable", "no")),
        )

    def _import(self, node: ast.Import) -> None:
        """``import numpy.compat``: a removed module."""
        if in_compat_shim(self.ctx.ancestors):
            return
        for alias in node.names:
            change = _removed_module(alias.name)
            if change is not None:
                self._report(alias, alias.name, change, "module", False)

    def _through_reported_import(self, node: ast.Attribute | ast.Name) -> bool:
        """``numpy.compat.long`` after ``import numpy.compat`` (reported at the import)."""
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        binding = self.model.lookup(root.id) if isinstance(root, ast.Name) else None
        if binding is None or not isinstance(binding.node, ast.Import):
            return False
        return any(_removed_module(alias.name) for alias in binding.node.names)

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module or in_compat_shim(self.ctx.ancestors):
            return
        change = _removed_module(node.module)
        if change is not None:  # ``from numpy.compat import long``
            self._report(node, node.module, change, "module", False)
            return
        if node.module != "numpy":
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
        if not self.ctx.targets.affected("numpy", change.deprecated_in, change.removed_in):
            return  # neither deprecated nor removed in any NumPy the project supports
        status = "deprecated" if change.status is Status.DEPRECATED else "removed"
        data: tuple[tuple[str, str], ...] = (
            ("name", change.name),
            ("form", form),
            ("fixable", "yes" if fixable else "no"),
        )
        if fixable:
            data += self._fix_data(node, change, form)
        self.report(
            "ML301",
            node,
            old=old,
            status=status,
            version=change.version,
            advice=_advice(change),
            data=data,
            replacement_since=("numpy", change.replacement_since) if fixable else None,
        )

    def _fix_data(
        self, node: ast.AST, change: NumpyChange, form: str
    ) -> tuple[tuple[str, str], ...]:
        """What the fix's decision needs beyond the table: ``safety`` (``unsafe`` for a
        replacement only NumPy 2 has, unless the project declares its NumPy), and
        ``rewrite`` (``no`` when the fix leaves this use alone)."""
        data: tuple[tuple[str, str], ...] = ()
        if change.repl is Repl.NUMPY2 and not self.ctx.targets.declared("numpy"):
            data += (("safety", "unsafe"),)
        if not self._rewritten(node, change, form):
            data += (("rewrite", "no"),)
        return data

    def _rewritten(self, node: ast.AST, change: NumpyChange, form: str) -> bool:
        """Whether :func:`removed_numpy_alias` rewrites this use (the ast twin of its
        tests): a bare name (from a star import) becomes the new name only when that is
        no name of the module already, and a call is rewritten in the shapes it takes."""
        if form == "name" and change.repl is not Repl.BUILTIN:
            if self.ctx.uses_name(change.target.split(".")[0]):
                return False
            if change.repl in (Repl.ATTR, Repl.NUMPY2) and "." in change.target:
                return False  # ``compare_chararrays``: ``char`` is not bound
        if change.repl is not Repl.CALL:
            return True
        call = self.ctx.parent
        if not isinstance(call, ast.Call) or call.func is not node or has_star_kwargs(call):
            return False
        if any(isinstance(arg, ast.Starred) for arg in call.args):
            return False
        single = len(call.args) == 1 and not call.keywords
        if change.name in ("asscalar", "msort"):
            return single
        if change.name == "asfarray":
            return single and not (form == "name" and self.ctx.uses_name("float64"))
        if change.name == "in1d":
            return not any(kw.arg in ("ar1", "ar2") for kw in call.keywords)
        return False


# ---------------------------------------------------------------------- fix


def removed_numpy_alias(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The documented replacement of a removed NumPy name.

    ``np.NaN`` -> ``np.nan`` (any spelling of the module: the receiver is kept),
    ``np.float`` -> ``float``, ``np.NINF`` -> ``-np.inf``, ``np.PZERO`` ->
    ``0.0``; ``from numpy import NaN`` -> ``from numpy import nan as NaN``; a
    name from ``from numpy import *`` -> the new name. Calls whose replacement
    is another call: ``np.in1d(a, b)`` -> ``np.isin(a, b).ravel()``,
    ``np.asfarray(a)`` -> ``np.asarray(a, dtype=np.float64)``, ``np.msort(a)``
    -> ``np.sort(a, axis=0)``, ``np.asscalar(a)`` -> ``a.item()``.
    Replacements that exist only from NumPy 2.0 on are unsafe.
    """
    data = dict(diag.data)
    change = api_changes.NUMPY.get(data.get("name", ""))
    if change is None or data.get("fixable") != "yes":
        return None
    safety = Fix.SAFE
    if change.repl is Repl.NUMPY2 and not ctx.targets.declared("numpy"):
        # Unless the project says which NumPy it supports (then the finding carries what
        # the replacement ``needs`` when some of them lack it), NumPy 1.x may be one.
        safety = Fix.UNSAFE
    form = data.get("form")
    if form == "import":
        alias = ctx.find(diag, cst.ImportAlias)
        if alias is None or not isinstance(alias.name, cst.Name):
            return None
        asname = alias.asname or cst.AsName(name=cst.Name(change.name))
        renamed = alias.with_changes(name=cst.Name(change.target), asname=asname)
        return fx.Edit(alias, renamed, safety=safety)
    node = ctx.find(diag, cst.Attribute, cst.Name)
    if isinstance(node, cst.Attribute):
        receiver: cst.BaseExpression | None = node.value
    elif isinstance(node, cst.Name):
        receiver = None
        if change.repl is not Repl.BUILTIN and _bare_target(change) in ctx.names_in_module():
            return None  # the new name may be bound to something else in this file
    else:
        return None
    if change.repl is Repl.CALL:
        return _call_replacement(ctx, node, receiver, change)
    replacement = _replacement(receiver, change)
    if replacement is None:
        return None
    if isinstance(replacement, cst.UnaryOperation) and _needs_parentheses(ctx, node):
        replacement = fx.parenthesize(replacement)
    return fx.Edit(node, _keep_parentheses(node, replacement), safety=safety)


def _bare_target(change: NumpyChange) -> str:
    return change.target.split(".")[0]


def _numpy_attr(receiver: cst.BaseExpression | None, path: str) -> cst.BaseExpression:
    """``<receiver>.<path>`` (``path`` dotted), or the bare name without a receiver."""
    parts = path.split(".")
    expr: cst.BaseExpression
    if receiver is None:
        expr = cst.Name(parts[0])
        parts = parts[1:]
    else:
        expr = receiver
    for part in parts:
        expr = cst.Attribute(value=expr, attr=cst.Name(part))
    return expr


def _replacement(
    receiver: cst.BaseExpression | None, change: NumpyChange
) -> cst.BaseExpression | None:
    if change.repl in (Repl.ATTR, Repl.NUMPY2):
        if receiver is None and "." in change.target:
            return None  # ``compare_chararrays`` from a star import: ``char`` is not bound
        return _numpy_attr(receiver, change.target)
    if change.repl is Repl.BUILTIN:
        return cst.Name(change.target)
    if change.repl is Repl.NEGATED:
        return cst.UnaryOperation(
            operator=cst.Minus(), expression=_numpy_attr(receiver, change.target)
        )
    if change.repl is Repl.LITERAL:
        value = cst.Float(change.target.lstrip("-"))
        if change.target.startswith("-"):
            return cst.UnaryOperation(operator=cst.Minus(), expression=value)
        return value
    return None


def _keep_parentheses(old: cst.CSTNode, new: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(old, (cst.Name, cst.Attribute)) and old.lpar:
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new


def _needs_parentheses(ctx: fx.FixContext, node: cst.CSTNode) -> bool:
    """Whether a negation put where ``node`` is would bind differently without parentheses."""
    if isinstance(node, (cst.Name, cst.Attribute)) and node.lpar:
        return False
    parent = ctx.parent(node)
    if isinstance(parent, cst.Attribute):
        return parent.value is node
    if isinstance(parent, cst.Subscript):
        return parent.value is node
    if isinstance(parent, cst.Call):
        return parent.func is node
    if isinstance(parent, cst.BinaryOperation):
        return isinstance(parent.operator, cst.Power) and parent.left is node
    return False


def _call_replacement(
    ctx: fx.FixContext,
    func: cst.Attribute | cst.Name,
    receiver: cst.BaseExpression | None,
    change: NumpyChange,
) -> fx.Edit | None:
    call = ctx.parent(func)
    if not isinstance(call, cst.Call) or call.func is not func:
        return None
    if any(arg.star for arg in call.args):
        return None
    args = list(call.args)
    single = len(args) == 1 and args[0].keyword is None
    name = change.name
    new: cst.BaseExpression
    if name == "asscalar" and single:
        new = fx.method_call(args[0].value, "item")
    elif name == "msort" and single:
        new = _with_keyword(call, _numpy_attr(receiver, "sort"), "axis", cst.Integer("0"))
    elif name == "asfarray" and single:
        if receiver is None and "float64" in ctx.names_in_module():
            return None
        dtype = _numpy_attr(receiver, "float64")
        new = _with_keyword(call, _numpy_attr(receiver, "asarray"), "dtype", dtype)
    elif name == "in1d":
        if any(a.keyword is not None and a.keyword.value in ("ar1", "ar2") for a in args):
            return None
        new = call.with_changes(func=_keep_parentheses(func, _numpy_attr(receiver, "isin")))
        if not (args and _is_flat_literal(args[0].value)):
            new = fx.method_call(new, "ravel")
    else:
        return None
    return fx.Edit(call, new, safety=Fix.SAFE)


def _with_keyword(
    call: cst.Call, func: cst.BaseExpression, name: str, value: cst.BaseExpression
) -> cst.Call:
    """``func(<the one argument of call>, name=value)``."""
    first = call.args[0].with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
        whitespace_after_arg=cst.SimpleWhitespace(""),
    )
    extra = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    return call.with_changes(func=func, args=[first, extra])


def _is_flat_literal(expr: cst.BaseExpression) -> bool:
    """A list or tuple literal of plain numbers or strings: ``in1d`` and ``isin`` agree on it."""
    if not isinstance(expr, (cst.List, cst.Tuple)) or not expr.elements:
        return False
    return all(
        isinstance(el, cst.Element)
        and isinstance(el.value, (cst.Integer, cst.Float, cst.SimpleString))
        for el in expr.elements
    )


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for the aliases the rule marks fixable, unless it found the use written so
    that the fix leaves it alone (``rewrite``); unsafe when it says so (``safety``: a
    replacement only NumPy 2 has, for a project that does not declare its NumPy)."""
    change = api_changes.NUMPY.get(diag.get("name") or "")
    if change is None or diag.get("fixable") != "yes" or diag.get("rewrite") == "no":
        return Fix.NONE
    if change.repl is Repl.CALL:
        return Fix.SAFE
    return Fix.UNSAFE if diag.get("safety") == "unsafe" else Fix.SAFE


FIXES = {"ML301": removed_numpy_alias}
FIXABLE = {"ML301": fix_applies}
