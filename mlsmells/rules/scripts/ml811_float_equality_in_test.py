"""ML811 float-equality-in-test: a test asserts that floating-point values are exactly
equal, and its fix."""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

from mlsmells.data import rng
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import import_data
from mlsmells.rules.torch._spelling import spellable, spelled, torch_spelling
from mlsmells.semantic.kinds import Kind

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML811",
    name="float-equality-in-test",
    pylint_id="W7675",
    family=Family.SCRIPTS,
    message="`{text}` asserts that floating-point values are exactly equal: use {instead}",
    summary=(
        "A test asserts exact equality of floating-point values: `assert x == 0.3`, "
        "`assert loss.item() == expected`, `assert (a == b).all()`, `np.all(a == b)`, "
        "`torch.equal(a, b)`, `np.array_equal(a, b)`, `all(a == b)`, `self.assertEqual(x, 0.3)`."
    ),
    rationale=(
        "Floating-point results depend on the order of operations, and so on the "
        "platform, the BLAS, the device, the library version and the batch size: a test "
        "that asserts them bit for bit fails for no bug (or `0.1 + 0.2 == 0.3` is simply "
        "false). Compare with a tolerance instead: `pytest.approx`, "
        "`np.testing.assert_allclose`, `torch.testing.assert_close`. Checked in test files "
        "(the `test-files` setting), in `assert` statements and unittest's `assertEqual`/"
        "`assertTrue`. A side is floating-point when it is a float literal that is not a "
        "whole number, a true division or arithmetic with a float literal (`1.0 - p`), "
        "`float(...)`, a mean, standard deviation or "
        "variance (a function or method of that name), a `math` function, a scikit-learn "
        "metric (`*_score`, `*_error`, `*_loss`) or an estimator's `score`, a loss, the "
        "output of a `Module`, a random draw of floats (`np.random.rand`, `torch.randn` "
        "...), a NumPy or torch function that returns floats (`np.sqrt`, `np.linspace`, "
        "`torch.sigmoid` ...), an array or tensor built with a float `dtype` or from "
        "floats, `.float()`/`.double()`/`.astype(float)`, or a name bound to one of these "
        "(`.item()`, indexing, `.detach()`, `.numpy()` ... keep it floating). Silent when "
        "a side is a whole number (`== 0`, `== 1.0`: a perfect score, a zero loss, a count "
        "come out exact), an array of them (`np.zeros`, `torch.ones` ...), a rounded value "
        "(`round(x, 3) == 0.123`: the rounding states the tolerance) or already a "
        "tolerance (`pytest.approx`), a length or a size, when a float literal is "
        "compared with a value read from an attribute or a named key (`model.lr == 0.1`, "
        "`config[\"threshold\"] == 0.3`: a stored setting read back, which is exact), "
        "when both sides are the same expression (a "
        "determinism check: `torch.equal(model(x), model(x))`), and for integer or boolean "
        "values, shapes, lengths, dtypes and strings. `np.testing.assert_array_equal` and "
        "`assert_equal` are explicit requests for exactness and are not reported."
    ),
    bad=(
        "def test_mean_loss():\n"
        "    loss = criterion(model(x), y)\n"
        "    assert loss.item() == 0.6931\n"
    ),
    good=(
        "def test_mean_loss():\n"
        "    loss = criterion(model(x), y)\n"
        "    assert loss.item() == pytest.approx(0.6931)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=(
        "`assert a == 0.3` -> `assert a == pytest.approx(0.3)` (the literal, else the right "
        "side, wrapped; `import pytest` added when the module has no name for it); "
        "`assert np.all(a == b)`, `assert (a == b).all()` and `assert np.array_equal(a, "
        "b)` on arrays -> `np.testing.assert_allclose(a, b)`; `assert torch.equal(a, b)`, "
        "`assert torch.all(a == b)` and `assert (a == b).all()` on tensors -> "
        "`torch.testing.assert_close(a, b)`. Offered for a bare `assert` (no message) of "
        "one of these shapes, not for unittest's methods nor for `pytest.approx` against "
        "a tensor."
    ),
    fix_safety=(
        "Unsafe: the test now passes for values within the tolerance (`pytest.approx`: "
        "relative 1e-6 and absolute 1e-12; `assert_allclose`: relative 1e-7; "
        "`assert_close`: by dtype, 1.3e-6 relative and 1e-5 absolute for float32) where it "
        "failed before, which is the point, but it may be wider or narrower than the test "
        "needs. `assert_allclose` broadcasts where `array_equal` required equal shapes; "
        "`assert_close` also checks that dtypes and devices match, where `torch.equal` "
        "only compared values. The new assertion raises its own `AssertionError` with a "
        "detailed message instead of a bare `assert`'s."
    ),
    tests_only=True,
)

#: The assertion with a tolerance of each library.
_TARGETS = {"numpy": "numpy.testing.assert_allclose", "torch": "torch.testing.assert_close"}
#: Builtins returning numbers: a true division of one is a float.
_NUMBERS = frozenset(
    {"builtins.len", "builtins.sum", "builtins.int", "builtins.float", "builtins.abs",
     "builtins.max", "builtins.min", "builtins.round"}
)  # fmt: skip
#: Whole numbers: counts and sizes.
_COUNTS = frozenset({"builtins.len", "builtins.int"})
_SIZES = frozenset({"ndim", "size", "shape"})
#: Calls that already compare with a tolerance (an operand of ``==`` that is one of them).
_TOLERANT = frozenset({"pytest.approx"})
#: Rounding: a rounded side states its own tolerance.
_ROUNDING = frozenset({"builtins.round", "numpy.round", "numpy.around", "torch.round"})
#: ``np.all(a == b)``, ``torch.all(a == b)``.
_ALL = frozenset({"numpy.all", "numpy.alltrue", "torch.all", "builtins.all"})
#: ``np.array_equal(a, b)``, ``torch.equal(a, b)``: exact comparisons of two arrays.
_PAIR = frozenset({"numpy.array_equal", "numpy.array_equiv", "torch.equal"})
#: unittest assertions: those comparing two values, and those testing one.
_EQUAL_METHODS = frozenset({"assertEqual", "assertEquals"})
_TRUE_METHODS = frozenset({"assertTrue", "assert_"})

_FLOAT_DTYPES = frozenset(
    {
        "builtins.float", "numpy.float16", "numpy.float32", "numpy.float64", "numpy.double",
        "numpy.single", "numpy.half", "numpy.longdouble", "numpy.float128", "torch.float",
        "torch.float16", "torch.float32", "torch.float64", "torch.double", "torch.half",
        "torch.bfloat16",
    }
)  # fmt: skip
_FLOAT_DTYPE_STRINGS = frozenset({"float", "float16", "float32", "float64", "double", "f4", "f8"})
#: Functions whose result is floating-point whatever their (numeric) arguments.
_FLOAT_FUNCTIONS = frozenset(
    {
        *(f"numpy.{n}" for n in (
            "mean", "nanmean", "std", "nanstd", "var", "nanvar", "average", "median",
            "nanmedian", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos",
            "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "linspace",
            "logspace", "geomspace", "true_divide", "divide", "hypot", "quantile", "percentile",
            "corrcoef", "cov", "interp", "trapz", "trapezoid",
        )),
        *(f"numpy.random.{n}" for n in (
            "rand", "randn", "random", "random_sample", "normal", "uniform", "standard_normal",
            "exponential", "beta", "gamma", "laplace", "lognormal",
        )),
        *(f"numpy.linalg.{n}" for n in ("norm", "det", "inv", "pinv", "eigvals", "svd")),
        *(f"torch.{n}" for n in (
            "rand", "randn", "rand_like", "randn_like", "normal", "mean", "std", "var",
            "sigmoid", "softmax", "log_softmax", "exp", "log", "sqrt", "rsqrt", "tanh",
            "sin", "cos", "linspace", "logspace", "div", "true_divide", "cdist", "norm",
            "FloatTensor", "DoubleTensor", "HalfTensor",
        )),
        *(f"torch.nn.functional.{n}" for n in (
            "softmax", "log_softmax", "sigmoid", "tanh", "normalize", "cosine_similarity",
            "pairwise_distance", "gelu", "silu", "softplus", "layer_norm", "batch_norm",
            "linear", "conv1d", "conv2d", "conv3d", "interpolate", "avg_pool2d",
        )),
        *(f"math.{n}" for n in (
            "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan",
            "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "hypot", "fsum", "erf",
            "erfc", "gamma", "lgamma", "dist",
        )),
        "statistics.mean", "statistics.fmean", "statistics.stdev", "statistics.variance",
        "statistics.median", "builtins.float",
    }
)  # fmt: skip
#: Floating-point constants.
_FLOAT_CONSTANTS = frozenset(
    {"math.pi", "math.e", "math.tau", "numpy.pi", "numpy.e", "torch.pi", "torch.e"}
)
#: Array or tensor constructors: floating when given a float dtype or float data.
_CONSTRUCTORS = frozenset(
    {"numpy.array", "numpy.asarray", "numpy.asanyarray", "torch.tensor", "torch.as_tensor",
     "torch.Tensor", "numpy.full", "torch.full"}
)  # fmt: skip
#: Arrays of whole numbers (unless given a non-whole fill value).
_WHOLE_ARRAYS = frozenset(
    {
        *(f"{lib}.{n}" for lib in ("numpy", "torch") for n in (
            "zeros", "ones", "zeros_like", "ones_like", "eye", "empty", "arange",
        )),
        "numpy.identity",
    }
)  # fmt: skip
#: Methods giving a value as floating as their receiver.
_KEEPING = frozenset(
    {
        "item", "tolist", "detach", "cpu", "cuda", "numpy", "clone", "copy", "squeeze",
        "unsqueeze", "reshape", "view", "flatten", "ravel", "sum", "cumsum", "max", "min",
        "abs", "to_numpy", "transpose", "permute", "contiguous", "exp", "log", "sqrt",
        "sigmoid", "softmax", "tanh", "norm", "prod", "dot", "matmul", "values",
    }
)  # fmt: skip
_KEEPING_ATTRIBUTES = frozenset({"T", "data", "values", "grad"})
_FLOATING_METHODS = frozenset({"mean", "std", "var", "float", "double", "half", "nanmean"})
_METRIC_SUFFIXES = ("_score", "_error", "_loss")
_METRICS = frozenset({"sklearn.metrics.matthews_corrcoef", "sklearn.metrics.log_loss"})
_ESTIMATORS = frozenset({Kind.SK_ESTIMATOR, Kind.SK_TRANSFORMER})
_MAX_DEPTH = 6


class FloatEqualityInTest(Check):
    """ML811: an assertion of exact equality between floating-point values."""

    rules = (RULE,)
    nodes = (ast.Assert, ast.Call)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._reseeding: dict[int, bool] = {}

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assert):
            self._tested(node.test, node if node.msg is None else None)
            return
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute) or any(
            isinstance(a, ast.Starred) for a in node.args
        ):
            return
        if func.attr in _EQUAL_METHODS and len(node.args) >= 2:
            self._scalar(node, node.args[0], node.args[1], None, "`assertAlmostEqual`")
        elif func.attr in _TRUE_METHODS and node.args:
            self._tested(node.args[0], None)

    def _tested(self, test: ast.expr, bare: ast.Assert | None) -> None:
        """What an assertion tests; ``bare``: the ``assert`` whose whole test it is."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            for value in test.values:
                self._tested(value, None)
            return
        if isinstance(test, ast.Compare):
            if len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
                self._scalar(test, test.left, test.comparators[0], bare, None)
            return
        if not isinstance(test, ast.Call):
            return
        call = test
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "item" and not call.args:
            inner = func.value  # ``(a == b).all().item()``
            if isinstance(inner, ast.Call):
                call, bare = inner, None
                func = call.func
        qualname = self.model.qualname(func)
        if qualname in _PAIR and len(call.args) == 2 and not call.keywords:
            self._arrays(call, call.args[0], call.args[1], qualname.split(".")[0], bare)
            return
        compared: ast.expr | None = None
        library: str | None = None
        if qualname in _ALL and len(call.args) == 1 and not call.keywords:
            compared, library = call.args[0], qualname.split(".")[0]
            if library == "builtins":  # ``all(a == b)`` over an array
                library = None
        elif isinstance(func, ast.Attribute) and func.attr == "all" and not call.args:
            compared = func.value
        if (
            isinstance(compared, ast.Compare)
            and len(compared.ops) == 1
            and isinstance(compared.ops[0], ast.Eq)
        ):
            left, right = compared.left, compared.comparators[0]
            if library is None:
                library = self._library(left) or self._library(right)
            self._arrays(call, left, right, library, bare)

    # ---------------------------------------------------------- comparisons
    def _scalar(
        self,
        node: ast.expr,
        left: ast.expr,
        right: ast.expr,
        bare: ast.Assert | None,
        instead: str | None,
    ) -> None:
        if not self._suspect(left, right):
            return
        data: list[tuple[str, str]] = []
        library = self._library(left) or self._library(right)
        target = _TARGETS.get(library or "", "pytest.approx")
        text, module = torch_spelling(self.model, target)
        if bare is not None and library != "torch":  # (approx compares no tensors)
            literal = _is_float_literal(left) and not _is_float_literal(right)
            text, module = torch_spelling(self.model, "pytest.approx")
            data = [("wrap", "left" if literal else "right"), ("spelling", text)]
            data += import_data(self.ctx, module)
        source = _shorten(self.ctx.source_of(node))
        self.report("ML811", node, text=source, instead=instead or f"`{text}`", data=data)

    def _arrays(
        self,
        call: ast.Call,
        left: ast.expr,
        right: ast.expr,
        library: str | None,
        bare: ast.Assert | None,
    ) -> None:
        if not self._suspect(left, right):
            return
        target = _TARGETS.get(library or "")
        instead = "a comparison with a tolerance"
        data: list[tuple[str, str]] = []
        if target is not None:
            text, module = torch_spelling(self.model, target)
            instead = f"`{text}`"
            if bare is not None and bare.test is call and _compared_pair(call):
                data = [("spelling", text), *import_data(self.ctx, module)]
        self.report(
            "ML811", call, text=_shorten(self.ctx.source_of(call)), instead=instead, data=data
        )

    def _suspect(self, left: ast.expr, right: ast.expr) -> bool:
        """An exact comparison of floating-point values the rule reports (see its docs)."""
        for side in (left, right):
            if self._tolerant(side) or self._whole(side, 0):
                return False
        if _text(self._origin(left)) == _text(self._origin(right)):
            return False  # a determinism check: the same computation twice
        if not (self._floating(left, 0) or self._floating(right, 0)):
            return False
        for side, other in ((left, right), (right, left)):
            if self._constant(side) and _read(other):
                return False  # a stored setting read back (``model.lr == 0.1``)
        if _is_float_literal(left) or _is_float_literal(right):
            return True
        return not self._reseeds()  # two computations from the same seed: exact on purpose

    def _constant(self, expr: ast.expr) -> bool:
        """A float literal (or a display of them), or a name assigned one."""
        if isinstance(expr, ast.Name):
            bound = self._bound(expr)
            return bound is not None and self._constant(bound)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return bool(expr.elts) and all(
                _is_float_literal(e) or self._whole(e, _MAX_DEPTH) for e in expr.elts
            )
        return _is_float_literal(expr)

    def _origin(self, expr: ast.expr) -> ast.expr:
        """What ``expr`` computes: for a name, the value it was assigned."""
        if isinstance(expr, ast.Name):
            bound = self._bound(expr)
            if bound is not None:
                return bound
        return expr

    def _reseeds(self) -> bool:
        """The function being visited seeds a random generator twice or more (a test of
        reproducibility, whose results must be equal bit for bit)."""
        function = self.model.enclosing_function()
        if function is None:
            return False
        found = self._reseeding.get(id(function))
        if found is None:
            count = 0
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    func = node.func
                    identifier = func.attr if isinstance(func, ast.Attribute) else None
                    if isinstance(func, ast.Name):
                        identifier = func.id
                    qualname = self.model.qualname(func)
                    count += bool(
                        rng.seeded_by(qualname, identifier, False)
                        or (identifier == "manual_seed" and node.args)
                    )
            found = self._reseeding[id(function)] = count >= 2
        return found

    def _library(self, expr: ast.expr, depth: int = 0) -> str | None:
        """Whether ``expr`` is a NumPy array or a torch tensor (by its kind, or by the
        library whose function made it)."""
        kind = self.model.kind_of(expr)
        if kind is Kind.NDARRAY:
            return "numpy"
        if kind is not None and kind.is_tensor:
            return "torch"
        if isinstance(expr, ast.Name) and depth < _MAX_DEPTH:
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
            return self._library(value, depth + 1) if isinstance(value, ast.expr) else None
        if isinstance(expr, ast.Call):
            root = (self.model.qualname(expr.func) or "").split(".")[0]
            return root if root in ("numpy", "torch") else None
        return None

    def _tolerant(self, expr: ast.expr) -> bool:
        """``pytest.approx(...)`` or a rounded value (``x.round(2).item()`` too)."""
        while isinstance(expr, ast.Call):
            qualname = self.model.qualname(expr.func)
            if qualname in _TOLERANT or qualname in _ROUNDING:
                return True
            func = expr.func
            if not isinstance(func, ast.Attribute) or qualname is not None:
                return False
            if func.attr == "round":
                return True
            if func.attr not in _KEEPING:
                return False
            expr = func.value
        return False

    def _whole(self, expr: ast.expr, depth: int) -> bool:
        """A whole number (or ``None``, a string ...), or an array of them."""
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            return self._whole(expr.operand, depth)
        if isinstance(expr, ast.Constant):
            value = expr.value
            return not isinstance(value, float) or value.is_integer() or not math.isfinite(value)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return bool(expr.elts) and all(self._whole(e, depth) for e in expr.elts)
        if isinstance(expr, ast.Name) and depth < _MAX_DEPTH:
            bound = self._bound(expr)
            return bound is not None and self._whole(bound, depth + 1)
        if isinstance(expr, ast.Call):
            qualname = self.model.qualname(expr.func)
            if qualname in _WHOLE_ARRAYS:
                return not self._float_dtype(expr)
            if qualname in _CONSTRUCTORS and expr.args and not qualname.endswith("full"):
                return self._whole(expr.args[0], depth + 1)  # ``torch.tensor([1.0, 2.0])``
            if qualname == "builtins.float" and len(expr.args) == 1:
                return isinstance(expr.args[0], (ast.Compare, ast.BoolOp))  # 0.0 or 1.0
            return qualname in _COUNTS
        if isinstance(expr, ast.Attribute):
            return expr.attr in _SIZES
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute):
            return expr.value.attr == "shape"
        return False

    def _floating(self, expr: ast.expr, depth: int) -> bool:
        """Evidence that ``expr`` is a floating-point value (see the rule's docs)."""
        if depth > _MAX_DEPTH:
            return False
        if _is_float_literal(expr):
            return True
        if isinstance(expr, ast.UnaryOp):
            return self._floating(expr.operand, depth + 1)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Div):  # (``path / "name"`` is no number)
                return self._numeric(expr.left, depth) or self._numeric(expr.right, depth)
            if isinstance(expr.op, (ast.Add, ast.Sub, ast.Mult, ast.Pow, ast.MatMult)):
                if any(_is_float(side) for side in (expr.left, expr.right)):
                    return True  # ``1.0 - x``: a float literal makes the result a float
                return self._floating(expr.left, depth + 1) or self._floating(expr.right, depth + 1)
            return False
        if isinstance(expr, (ast.List, ast.Tuple)):
            return any(self._floating(e, depth + 1) for e in expr.elts)
        if isinstance(expr, ast.Subscript):
            return self._floating(expr.value, depth + 1)
        kind = self.model.kind_of(expr)
        if kind is Kind.LOSS:
            return True
        if isinstance(expr, (ast.Name, ast.Attribute)):
            if self.model.qualname(expr) in _FLOAT_CONSTANTS:
                return True
        if isinstance(expr, ast.Name):
            bound = self._bound(expr)
            return bound is not None and self._floating(bound, depth + 1)
        if isinstance(expr, ast.Attribute):
            return expr.attr in _KEEPING_ATTRIBUTES and self._floating(expr.value, depth + 1)
        if isinstance(expr, ast.Call):
            return self._floating_call(expr, depth)
        return False

    def _floating_call(self, call: ast.Call, depth: int) -> bool:
        func = call.func
        qualname = self.model.qualname(func)
        if qualname is not None:
            if qualname in _FLOAT_FUNCTIONS or qualname in _METRICS:
                return True
            if qualname.startswith("sklearn.metrics.") and qualname.endswith(_METRIC_SUFFIXES):
                return True
            if qualname in _CONSTRUCTORS:
                data = call.args[0] if call.args else None
                fill = call.args[1] if len(call.args) > 1 and qualname.endswith("full") else None
                return self._float_dtype(call) or any(
                    v is not None and (_float_data(v) or self._floating(v, depth + 1))
                    for v in (data, fill)
                )
            return False
        if self.model.kind_of(func) is Kind.MODULE:
            return True  # a model's output
        if not isinstance(func, ast.Attribute):
            return False
        method, receiver = func.attr, func.value
        if method in _FLOATING_METHODS and not call.args:
            return True
        if method == "astype" and call.args:
            return self._is_float_dtype(call.args[0])
        if method == "to" and any(self._is_float_dtype(a) for a in call.args):
            return True
        if method == "score" and self.model.kind_of(receiver) in _ESTIMATORS:
            return True
        return method in _KEEPING and self._floating(receiver, depth + 1)

    def _numeric(self, expr: ast.expr, depth: int) -> bool:
        """``expr`` is a number, an array or a tensor (a true division of it is a float)."""
        if isinstance(expr, ast.UnaryOp):
            expr = expr.operand
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
        if isinstance(expr, ast.Call) and self.model.qualname(expr.func) in _NUMBERS:
            return True
        kind = self.model.kind_of(expr)
        if kind is not None and (kind.is_pandas or kind.is_tensor or kind is Kind.NDARRAY):
            return True
        return self._floating(expr, depth + 1)

    def _bound(self, name: ast.Name) -> ast.expr | None:
        """The value the name was last assigned here (None: a parameter, an import ...)."""
        binding = self.model.lookup(name.id)
        value = binding.node if binding is not None else None
        return value if isinstance(value, ast.expr) else None

    def _float_dtype(self, call: ast.Call) -> bool:
        return any(kw.arg == "dtype" and self._is_float_dtype(kw.value) for kw in call.keywords)

    def _is_float_dtype(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str) and expr.value in _FLOAT_DTYPE_STRINGS
        return self.model.qualname(expr) in _FLOAT_DTYPES


def _is_float_literal(expr: ast.expr) -> bool:
    """A float literal that is no whole number (``0.3``, ``-1e-3``)."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        expr = expr.operand
    return (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, float)
        and math.isfinite(expr.value)
        and not expr.value.is_integer()
    )


def _read(expr: ast.expr) -> bool:
    """A value only read from an attribute or a named key (``model.lr``,
    ``info["threshold"]``, ``groups[0]["lr"]``): no call, no arithmetic (``scores[i]``,
    an element of an array, is no such read)."""
    named = False
    while isinstance(expr, (ast.Subscript, ast.Attribute)):
        if isinstance(expr, ast.Attribute):
            named = True
        else:
            key = expr.slice
            parts = key.elts if isinstance(key, ast.Tuple) else [key]
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    named = True
                elif not isinstance(part, (ast.Constant, ast.Name, ast.Slice)):
                    return False
        expr = expr.value
    return named and isinstance(expr, ast.Name)


def _compared_pair(call: ast.Call) -> bool:
    """Whether the fix finds the two compared values of ``call`` (the ast twin of
    :func:`_operands`): ``np.array_equal(a, b)``, ``np.all(a == b)``, ``(a == b).all()``,
    with no other argument."""
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    if len(call.args) == 2:
        return True
    compared = call.args[0] if len(call.args) == 1 else None
    if not call.args and isinstance(call.func, ast.Attribute):
        compared = call.func.value
    return (
        isinstance(compared, ast.Compare)
        and len(compared.ops) == 1
        and isinstance(compared.ops[0], ast.Eq)
    )


def _is_float(expr: ast.expr) -> bool:
    """A float literal, whole or not (``1.0``)."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        expr = expr.operand
    return isinstance(expr, ast.Constant) and isinstance(expr.value, float)


def _float_data(expr: ast.expr) -> bool:
    """A literal holding a float (``[2.0, 3]``: an array of it has a float dtype)."""
    if isinstance(expr, (ast.List, ast.Tuple)):
        return any(_float_data(e) for e in expr.elts)
    return _is_float(expr)


def _text(expr: ast.expr) -> str:
    return ast.dump(expr, annotate_fields=False)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------- fix


def tolerant_comparison(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``assert a == 0.3`` -> ``assert a == pytest.approx(0.3)``; ``assert np.all(a ==
    b)`` and the like -> ``np.testing.assert_allclose(a, b)`` or
    ``torch.testing.assert_close(a, b)`` (the data says which, spelled where the
    finding is)."""
    found = spelled(ctx, diag)
    if found is None:
        return None
    text, imports = found
    side = diag.get("wrap")
    if side is not None:
        comparison = ctx.find(diag, cst.Comparison)
        if comparison is None or len(comparison.comparisons) != 1:
            return None
        target = comparison.comparisons[0]
        approx = fx.parse_expression(text)
        if side == "left":
            wrapped = cst.Call(func=approx, args=[cst.Arg(_bare(comparison.left))])
            new = comparison.with_changes(left=wrapped)
        else:
            wrapped = cst.Call(func=approx, args=[cst.Arg(_bare(target.comparator))])
            new = comparison.with_changes(comparisons=[target.with_changes(comparator=wrapped)])
        return fx.Edit(comparison, new, imports)
    call = ctx.find(diag, cst.Call)
    statement = ctx.parent(call) if call is not None else None
    if call is None or not isinstance(statement, cst.Assert) or statement.msg is not None:
        return None
    pair = _operands(call)
    if pair is None:
        return None
    check = cst.Call(
        func=fx.parse_expression(text),
        args=[
            cst.Arg(_bare(pair[0]), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(_bare(pair[1])),
        ],
    )
    return fx.Edit(statement, cst.Expr(check), imports)


def _operands(call: cst.Call) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """The two compared values of ``np.array_equal(a, b)``, ``np.all(a == b)``,
    ``(a == b).all()``."""
    args = [a for a in call.args if a.star == "" and a.keyword is None]
    if len(args) == 2 and len(call.args) == 2:
        return args[0].value, args[1].value
    compared: cst.BaseExpression | None = None
    if len(args) == 1 and len(call.args) == 1:
        compared = args[0].value
    elif not call.args and isinstance(call.func, cst.Attribute):
        compared = call.func.value
    if (
        isinstance(compared, cst.Comparison)
        and len(compared.comparisons) == 1
        and isinstance(compared.comparisons[0].operator, cst.Equal)
    ):
        return compared.left, compared.comparisons[0].comparator
    return None


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` as an argument: without the parentheses it needed as an operand (a tuple
    or a generator keeps them)."""
    if not node.lpar or isinstance(node, (cst.Tuple, cst.GeneratorExp, cst.Yield)):
        return node
    return node.with_changes(lpar=[], rpar=[])


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the rule wrote the tolerant comparison (``spelling``: a compared value
    to wrap, or an assertion of two values the fix finds) and its import is possible."""
    return Fix.UNSAFE if spellable(diag) else Fix.NONE


FIXES = {"ML811": tolerant_comparison}
FIXABLE = {"ML811": fix_applies}
