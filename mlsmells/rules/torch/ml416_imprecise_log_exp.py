"""ML416 imprecise-log-exp: ``log(1 + x)``, ``exp(x) - 1`` and ``log(sum(exp(x)))`` where
``log1p``, ``expm1`` and ``logsumexp`` are exact, and its fix."""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, has_identifier
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import holds_comment
from mlsmells.rules.torch._activations import bare, has_comment, short
from mlsmells.rules.torch._spelling import _spelling_data, spellable, spelled
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML416",
    name="imprecise-log-exp",
    pylint_id="W7656",
    family=Family.TORCH,
    message="`{expr}` {problem}; use `{replacement}`",
    summary=(
        "`torch.log(1 + x)` / `np.log(1 + x)`, `torch.exp(x) - 1` / `np.exp(x) - 1` and "
        "`torch.log(torch.sum(torch.exp(x), dim))`, where `log1p`, `expm1` and "
        "`torch.logsumexp` are exact."
    ),
    rationale=(
        "`1 + x` rounds away the digits of a small `x` before the log sees them: in float32, "
        "`torch.log(1 + x)` is 0 for any `|x|` below 6e-8 and off by up to a few percent "
        "near 1e-6, where `log1p(x)` is exact; `exp(x) - 1` cancels the same way where "
        "`expm1(x)` does not. `log(sum(exp(x)))` overflows to `inf` as soon as an input "
        "exceeds about 88 in float32 (and is `-inf` when they are all below about -104), "
        "where `torch.logsumexp` subtracts the maximum first and stays finite. The rule "
        "sees `torch.log` and `numpy.log` of `1 + x` or `x + 1` (`1` or `1.0`), "
        "`torch.exp(x) - 1` and `numpy.exp(x) - 1`, and `torch.log` (or `.log()`) of a "
        "`torch.sum` (or `.sum()`) of a `torch.exp` (or `.exp()`), by the qualified names of "
        "the functions; and the tensor methods `(1 + x).log()` and `x.exp() - 1` when `x` is "
        "a tensor or, in a file that imports torch (and not polars, whose expressions have "
        "these methods too), of unknown kind and no instance of a class of the file. Left "
        "alone: a constant or `len(...)` for `x` (exact, or an integer "
        "count), `log(2 + x)`, `log(1 - x)`, `log(x + y)` and other sums, `math.log` on "
        "Python numbers (mostly counts in ML code, where `1 + n` is exact), and NumPy's "
        "`log(sum(exp(x)))` (`scipy.special.logsumexp` is the exact form there). "
        "`log(1 + exp(x))` is reported as a `log1p`; `F.softplus(x)` is better still for "
        "large `x`."
    ),
    bad=(
        "target = np.log(1 + df['price'])\n"
        "prediction = np.exp(model.predict(X)) - 1\n"
        "log_z = torch.log(torch.sum(torch.exp(scores), dim=1))\n"
    ),
    good=(
        "target = np.log1p(df['price'])\n"
        "prediction = np.expm1(model.predict(X))\n"
        "log_z = torch.logsumexp(scores, dim=1)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=(
        "`np.log(1 + x)` -> `np.log1p(x)`, `torch.exp(x) - 1` -> `torch.expm1(x)` (with the "
        "module's own name), `(1 + x).log()` -> `x.log1p()`, `x.exp() - 1` -> `x.expm1()`, "
        "`torch.log(torch.sum(torch.exp(x), dim))` -> `torch.logsumexp(x, dim)` (with "
        "`keepdim` when given)."
    ),
    fix_safety=(
        "Unsafe: the values are more exact, so they are not bit for bit the same (and where "
        "`x` is tiny, or a sum of exponentials overflowed, they differ a lot, for the "
        "better). Not offered for other arguments of the log or exp (`out=`, `where=`), a "
        "sum without `dim` (`torch.logsumexp` needs one) or with `dtype`."
    ),
)

_LOG = frozenset({"torch.log", "numpy.log"})
_EXP = frozenset({"torch.exp", "numpy.exp"})
_SUM = "torch.sum"
_LOG_NAMES = last_names(_LOG)
_EXP_NAMES = last_names(_EXP)
_SUM_KEYWORDS = frozenset({"dim", "keepdim"})


def _named(text: str) -> str:
    """``text`` for a message, or ``x`` when it is long."""
    return "x" if "\n" in text or len(text) > 40 else text


def _is_number(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        expr = expr.operand
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float))


def _is_one(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Constant)
        and not isinstance(expr.value, bool)
        and isinstance(expr.value, (int, float))
        and expr.value == 1
    )


class ImpreciseLogExp(Check):
    """ML416: ``log(1 + x)``, ``exp(x) - 1``, ``log(sum(exp(x)))``."""

    rules = (RULE,)
    nodes = (ast.Call, ast.BinOp)
    requires = frozenset({"torch", "numpy"})
    call_names = _LOG_NAMES | {"log"}  # ``np.log(1 + x)``, ``(1 + x).log()`` (``exp`` is a BinOp's)

    @classmethod
    def runs_on(cls, roots: AbstractSet[str], text: str) -> bool:
        return has_identifier(text, "log") or has_identifier(text, "exp")

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Sub):
                self._exp_minus_one(node)
            return
        assert isinstance(node, ast.Call)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr != "log":
            return  # (most calls)
        if isinstance(func, ast.Attribute) and not node.args:
            if node.keywords or self.model.qualname(func) is not None:
                return
            receiver = func.value
            if isinstance(receiver, ast.BinOp) and isinstance(receiver.op, ast.Add):
                if self._tensor_evidence(func):
                    self._log_one_plus(node, None, receiver)  # ``(1 + x).log()``
            else:
                self._log_sum_exp(node, receiver, method=True)
            return
        if not self.model.may_resolve_to(func, _LOG_NAMES):
            return
        log = self.model.qualname(func)
        if log not in _LOG or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            return
        argument = node.args[0]
        if isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Add):
            self._log_one_plus(node, log, argument)
        elif log == "torch.log":
            self._log_sum_exp(node, argument, method=False)

    def _log_one_plus(self, node: ast.Call, log: str | None, total: ast.BinOp) -> None:
        """``np.log(1 + x)``, ``torch.log(x + 1)``, ``(1 + x).log()`` (``log``: None)."""
        if _is_one(total.left):
            operand, side = total.right, "right"
        elif _is_one(total.right):
            operand, side = total.left, "left"
        else:
            return
        if _is_number(operand) or (
            isinstance(operand, ast.Call) and self.model.qualname(operand.func) == "builtins.len"
        ):
            return  # exact: a number, or an integer count
        shown = _named(self.ctx.source_of(operand))
        data: tuple[tuple[str, str], ...]
        if log is None:
            data = (("form", "log1p"), ("operand", side), ("method", "log1p"))
            replacement = f"{shown}.log1p()"
        else:
            spelling = _spelling_data(self.ctx, f"{log}1p")
            data = (("form", "log1p"), ("operand", side), *spelling)
            replacement = f"{spelling[0][1]}({shown})"
            if node.keywords:  # (``out=``, ``where=`` ...: reported, not rewritten)
                data = ()
        self.report(
            "ML416",
            node,
            expr=short(self.ctx, node),
            problem=f"loses the digits of a small `{shown}`",
            replacement=replacement,
            data=self._unless_comment(node, data),
        )

    def _exp_minus_one(self, node: ast.BinOp) -> None:
        """``np.exp(x) - 1``, ``torch.exp(x) - 1``, ``x.exp() - 1``."""
        exp = node.left
        if not (isinstance(node.op, ast.Sub) and _is_one(node.right) and isinstance(exp, ast.Call)):
            return
        func = exp.func
        data: tuple[tuple[str, str], ...]
        if isinstance(func, ast.Attribute) and func.attr == "exp" and not exp.args:
            if exp.keywords or not self._tensor_evidence(func):
                return
            data = (("form", "expm1"), ("method", "expm1"))
            replacement = f"{_named(self.ctx.source_of(func.value))}.expm1()"
        else:
            if not self.model.may_resolve_to(func, _EXP_NAMES):
                return
            qualname = self.model.qualname(func)
            if qualname not in _EXP or len(exp.args) != 1 or _is_number(exp.args[0]):
                return  # (``np.exp(2) - 1``: a number, no small exponent)
            spelling = _spelling_data(self.ctx, f"{qualname.rpartition('.')[0]}.expm1")
            plain = not exp.keywords and not isinstance(exp.args[0], ast.Starred)
            data = (("form", "expm1"), *spelling) if plain else ()
            replacement = f"{spelling[0][1]}({_named(self.ctx.source_of(exp.args[0]))})"
        self.report(
            "ML416",
            node,
            expr=f"{short(self.ctx, exp)} - {self.ctx.source_of(node.right)}",
            problem="cancels the digits of a small exponent",
            replacement=replacement,
            data=self._unless_comment(node, data),
        )

    def _log_sum_exp(self, node: ast.Call, total: ast.expr, method: bool) -> None:
        """``torch.log(torch.sum(torch.exp(x), 1))`` and the method forms of each step."""
        if not isinstance(total, ast.Call):
            return
        torch_seen = not method  # ``torch.log`` itself
        func = total.func
        if isinstance(func, ast.Attribute) and func.attr == "sum" and self._tensor_method(func):
            summed, rest_args, shapes = func.value, total.args, [("sum", "method")]
        elif self.model.qualname(func) == _SUM and total.args:
            summed, rest_args, shapes = total.args[0], total.args[1:], [("sum", "function")]
            torch_seen = True
        else:
            return
        if not isinstance(summed, ast.Call):
            return
        exp = summed.func
        if isinstance(exp, ast.Attribute) and exp.attr == "exp" and self._tensor_method(exp):
            if summed.args or summed.keywords:
                return
            exponent = exp.value
            shapes.append(("exp", "method"))
        elif self.model.qualname(exp) == "torch.exp" and len(summed.args) == 1:
            if summed.keywords:
                return
            exponent = summed.args[0]
            shapes.append(("exp", "function"))
            torch_seen = True
        else:
            return
        if not torch_seen and self._unknown(exponent):
            return  # ``x.exp().sum(1).log()`` on something not known to be a tensor
        names = {k.arg for k in total.keywords}
        has_dim = bool(rest_args) or "dim" in names
        plain = (
            has_dim
            and names <= _SUM_KEYWORDS
            and len(rest_args) <= 2
            and not any(isinstance(a, ast.Starred) for a in [exponent, *rest_args])
        )
        spelling = _spelling_data(self.ctx, "torch.logsumexp")
        data = (("form", "logsumexp"), *shapes, *spelling) if plain else ()
        self.report(
            "ML416",
            node,
            expr=short(self.ctx, node),
            problem="overflows once an input exceeds about 88 (float32)",
            replacement=f"{spelling[0][1]}({_named(self.ctx.source_of(exponent))}, dim)",
            data=self._unless_comment(node, data),
        )

    def _unless_comment(
        self, node: ast.expr, data: tuple[tuple[str, str], ...]
    ) -> tuple[tuple[str, str], ...]:
        """``data``, saying when a comment inside ``node`` stops the rewrite (``rewrite``)."""
        if data and holds_comment(self.ctx, node):
            return (*data, ("rewrite", "no"))
        return data

    def _tensor_method(self, func: ast.Attribute) -> bool:
        """``func`` is a method of a tensor, or of a value of unknown kind (not a function
        of a module such as ``np.sum``, nor a method of a class of the file)."""
        if self.model.qualname(func) is not None:
            return False
        value = func.value
        if isinstance(value, ast.BinOp):  # ``(1 + x).log()``: what ``x`` is
            value = value.right if isinstance(value.left, ast.Constant) else value.left
        if self.model.instance_class(value) is not None:
            return False
        kind = self.model.kind_of(func.value)
        return kind is None or kind.is_tensor

    def _tensor_evidence(self, func: ast.Attribute) -> bool:
        """``func`` is a tensor's ``log``/``exp`` method: a method of a tensor, or of a value
        of unknown kind in a file that imports torch (and not polars, whose expressions
        have them too)."""
        roots = self.model.imported_roots
        return "torch" in roots and "polars" not in roots and self._tensor_method(func)

    def _unknown(self, expr: ast.expr) -> bool:
        kind = self.model.kind_of(expr)
        return kind is None or not kind.is_tensor


# ---------------------------------------------------------------------- fix


def exact_form(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``np.log(1 + x)`` -> ``np.log1p(x)``, ``torch.exp(x) - 1`` -> ``torch.expm1(x)``,
    ``torch.log(torch.sum(torch.exp(x), 1))`` -> ``torch.logsumexp(x, 1)``; the function
    spelled by the rule (``spelling``), the shape named by ``form``; the tensor methods
    for ``(1 + x).log()`` and ``x.exp() - 1`` (``method``)."""
    form = diag.get("form")
    if form is not None and diag.get("method") is not None:
        return _method_form(ctx, diag, form)
    found = spelled(ctx, diag)
    if form is None or found is None:
        return None
    text, imports = found
    func = cst.parse_expression(text)
    node: cst.BaseExpression | None
    args: list[cst.Arg]
    if form == "expm1":
        node = ctx.find(diag, cst.BinaryOperation)
        if node is None or not isinstance(node.left, cst.Call) or len(node.left.args) != 1:
            return None
        args = [node.left.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        kept = bare(node)  # a call needs no parentheses where the subtraction did
    else:
        node = ctx.find(diag, cst.Call)
        if node is None:
            return None
        found_args = _log1p_args(node, diag) if form == "log1p" else _logsumexp_args(node, diag)
        if found_args is None:
            return None
        args = found_args
        kept = node
    if has_comment(node):
        return None  # the rewrite might drop it
    call = cst.Call(func=func, args=args, lpar=kept.lpar, rpar=kept.rpar)
    return fx.Edit(node, call, imports)


def _method_form(ctx: fx.FixContext, diag: Diagnostic, form: str) -> fx.Edit | None:
    """``(1 + x).log()`` -> ``x.log1p()``, ``x.exp() - 1`` -> ``x.expm1()``."""
    method = diag.get("method")
    node: cst.BaseExpression | None
    if form == "expm1":
        node = ctx.find(diag, cst.BinaryOperation)
        if node is None or not isinstance(node.left, cst.Call):
            return None
        exp = node.left.func
        if not isinstance(exp, cst.Attribute) or node.left.args:
            return None
        receiver, kept = exp.value, bare(node)
    else:
        node = ctx.find(diag, cst.Call)
        if node is None or not isinstance(node.func, cst.Attribute):
            return None
        total = node.func.value
        if not isinstance(total, cst.BinaryOperation):
            return None
        receiver, kept = (total.right if diag.get("operand") == "right" else total.left), node
    assert method is not None
    if has_comment(node):
        return None  # the rewrite might drop it
    call = fx.method_call(bare(receiver), method).with_changes(lpar=kept.lpar, rpar=kept.rpar)
    return fx.Edit(node, call)


def _log1p_args(log: cst.Call, diag: Diagnostic) -> list[cst.Arg] | None:
    """``x`` of ``log(1 + x)`` (the side the rule named: ``operand``)."""
    if len(log.args) != 1 or not isinstance(log.args[0].value, cst.BinaryOperation):
        return None
    total = log.args[0].value
    return [cst.Arg(bare(total.right if diag.get("operand") == "right" else total.left))]


def _logsumexp_args(log: cst.Call, diag: Diagnostic) -> list[cst.Arg] | None:
    """``x`` and the sum's ``dim`` (and ``keepdim``) arguments, the sum and the exp read as
    the rule found them (``sum``, ``exp``: ``function`` or ``method``)."""
    total = log.args[0].value if log.args else log.func
    if isinstance(total, cst.Attribute):
        total = total.value  # ``(...).log()``
    if not isinstance(total, cst.Call):
        return None
    rest: list[cst.Arg]
    if diag.get("sum") == "method" and isinstance(total.func, cst.Attribute):
        summed, rest = total.func.value, list(total.args)  # ``E.sum(dim)``
    elif diag.get("sum") == "function" and total.args:
        summed, rest = total.args[0].value, list(total.args[1:])  # ``torch.sum(E, dim)``
    else:
        return None
    if not isinstance(summed, cst.Call):
        return None
    if diag.get("exp") == "method" and isinstance(summed.func, cst.Attribute):
        exponent = summed.func.value  # ``x.exp()``
    elif diag.get("exp") == "function" and len(summed.args) == 1:
        exponent = summed.args[0].value  # ``torch.exp(x)``
    else:
        return None
    if rest:
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [cst.Arg(bare(exponent)), *rest]


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered for the shapes the rule's data names (``form``), as a tensor method or a
    function whose import is possible, without a comment to lose (``rewrite``)."""
    if diag.get("form") is None or diag.get("rewrite") == "no":
        return Fix.NONE
    written = diag.get("method") is not None or spellable(diag)
    return Fix.UNSAFE if written else Fix.NONE


FIXES = {"ML416": exact_form}
FIXABLE = {"ML416": fix_applies}
