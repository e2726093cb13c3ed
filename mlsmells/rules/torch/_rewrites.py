"""ML412's fix decision: which uses of a deprecated PyTorch or torchvision API its fix
rewrites, read from the ast when the rule reports them (the twins of the tests of
``deprecated_torch_api`` on the arguments as written), and how safely."""

from __future__ import annotations

import ast
from collections.abc import Callable

from mlsmells.data import torch_api
from mlsmells.data.torch_api import Shape
from mlsmells.diagnostics import Diagnostic
from mlsmells.records import Fix
from mlsmells.rules._util import keyword
from mlsmells.rules.torch._spelling import spellable

#: The data of a use the fix leaves alone.
KEPT = (("rewrite", "no"),)


def _literal(expr: ast.expr) -> bool | None | str:
    """``True``/``False``/``None`` for those literals, ``"other"`` for anything else."""
    if isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, bool)):
        return expr.value
    return "other"


def _flag(call: ast.Call, name: str, position: int) -> tuple[bool, bool | None | str]:
    """Whether the argument ``name`` is given (by keyword or at ``position``), and its
    literal value."""
    given = keyword(call, name)
    value = given.value if given is not None else None
    if value is None and len(call.args) > position:
        value = call.args[position]
    return value is not None, _literal(value) if value is not None else None


def call_data(call: ast.Call, entry: torch_api.TorchDeprecation) -> tuple[tuple[str, str], ...]:
    """The data of a call of ``entry``'s API for the fix decision: ``rewrite`` (``no``: the
    fix has no rewrite of the call as written), ``suffix`` (``mH``: the result is read
    through an attribute, an unsafe rewrite)."""
    if any(kw.arg is None for kw in call.keywords):
        return KEPT  # ``**options``
    shape = entry.shape
    positional = len(call.args)
    named = {kw.arg for kw in call.keywords}
    if shape is Shape.VARIABLE:
        plain = positional == 1 and not named and not isinstance(call.args[0], ast.Starred)
        return () if plain else KEPT
    if shape is Shape.RENAME:
        return ()
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return KEPT
    rewritten: bool
    if shape is Shape.DEVICE_FIRST:
        rewritten = True
    elif shape is Shape.AUTOCAST:
        rewritten = positional <= 3  # enabled, dtype, cache_enabled
    elif shape is Shape.DEVICE_KEYWORD:
        rewritten = "device_type" not in named
    elif shape is Shape.MULTI_DOT:
        rewritten = positional >= 2 and named <= {"out"}
    elif shape is Shape.QR:
        given, some = _flag(call, "some", 1)
        rewritten = not given or isinstance(some, bool)
    elif shape is Shape.CHOLESKY:
        given, upper = _flag(call, "upper", 1)
        if given and upper is True and "out" not in named:
            return (("suffix", "mH"),)
        rewritten = not given or upper is False
    elif shape is Shape.ASSERT_CLOSE:
        rewritten = 2 <= positional <= 6  # a, b, then rtol, atol, equal_nan, msg
    else:
        rewritten = False
    return () if rewritten else KEPT


def reference_data(
    node: ast.expr, parent: ast.AST | None, entry: torch_api.TorchDeprecation
) -> tuple[tuple[str, str], ...]:
    """The data of a reference to ``entry``'s API not called: renamed, or a bare decorator
    that gets its call (``parent``: the node holding ``node``)."""
    if entry.shape is Shape.RENAME and not entry.keywords:
        return ()
    decorator = isinstance(
        parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ) and any(d is node for d in parent.decorator_list)
    return () if entry.shape is Shape.DEVICE_KEYWORD and decorator else KEPT


def torchvision_data(
    call: ast.Call, table: tuple[tuple[str, str, str | None], ...], positional: bool
) -> tuple[tuple[str, str], ...]:
    """The data of a torchvision builder called with its legacy flags (``table``: legacy
    keyword, its replacement, the weights ``True`` stands for): each must be a literal
    (``False``, or ``True`` with weights to name) whose replacement is not given too."""
    named = {kw.arg for kw in call.keywords}
    renamed = False
    for legacy, current, default in table:
        given = keyword(call, legacy)
        value = given.value if given is not None else None
        if value is None and legacy == "pretrained" and positional and len(call.args) == 1:
            value = call.args[0] if not isinstance(call.args[0], ast.Starred) else None
        if value is None:
            continue
        if current in named:
            return KEPT
        flag = _literal(value)
        if not (flag is False or (flag is True and default is not None)):
            return KEPT
        named.add(current)
        renamed = True
    return () if renamed else KEPT


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for the uses the fix rewrites, as the rule's data says: a legacy reduction
    or torchvision flag given as a literal, a renamed attribute, a loader's ``next()``
    (``fixable``), an import moved to ``torch.func`` (``moved``), and a call or reference
    in a shape the fix takes (not ``rewrite``: ``no``) whose replacement it can write
    (``spelling``, unless its import is ``taken``); unsafe where not equivalent."""
    form = diag.get("form")
    if form in _FORMS:
        return Fix.SAFE if _FORMS[form](diag) else Fix.NONE
    entry = torch_api.DEPRECATED.get(diag.get("api") or "")
    if entry is None or entry.shape is Shape.NONE:
        return Fix.NONE
    if diag.get("moved") is not None:
        return Fix.SAFE
    if diag.get("rewrite") == "no":
        return Fix.NONE
    if entry.shape is Shape.VARIABLE and form == "call":
        return Fix.UNSAFE
    if not spellable(diag):
        return Fix.NONE
    if form == "reference":
        return Fix.SAFE
    return Fix.SAFE if entry.equivalent and diag.get("suffix") is None else Fix.UNSAFE


#: The forms whose fix is always safe -> whether it applies to a finding.
_FORMS: dict[str, Callable[[Diagnostic], bool]] = {
    "reduction": lambda diag: diag.get("reduction") is not None,
    "rename-attribute": lambda diag: diag.get("new") is not None,
    "loader-next": lambda diag: diag.get("fixable") == "yes",
    "torchvision": lambda diag: diag.get("rewrite") != "no",
}
