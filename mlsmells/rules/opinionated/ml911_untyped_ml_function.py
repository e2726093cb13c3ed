"""ML911 untyped-ml-function: a public function whose arguments or result the semantic
model knows to be a DataFrame, a Series, an array, a tensor or a module, without
annotations; and its fix, which adds them."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.program import FunctionNode, Program
from mlsmells.semantic.scopes import Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML911",
    name="untyped-ml-function",
    pylint_id="C7691",
    family=Family.OPINIONATED,
    message="public function `{name}` has no annotations where its types are known: {missing}",
    summary=(
        "A public function whose parameters or result the semantic model knows to be a "
        "DataFrame, a Series, an ndarray, a Tensor or an `nn.Module` has no annotations "
        "for them."
    ),
    rationale=(
        "Whether a function takes a DataFrame or an ndarray, returns a tensor or a Series, "
        "is the first thing a reader of ML code needs and the first thing a type checker "
        "can verify. The rule reports a public function (a module-level function or a "
        "method of a module-level class whose name does not start with `_`) when the "
        "semantic model knows the kind of a parameter without annotation (one without a "
        "default, from every call of the function in the same file passing that kind, or "
        "from a use of it that only that kind allows) or of its result (every `return` "
        "gives that kind and the function cannot end without one; not a generator). It "
        "names the annotations that are missing: `pd.DataFrame`, `pd.Series`, "
        "`np.ndarray` (`npt.NDArray[np.float64]` for a result known to be a float64 array, "
        "in a module that already imports `numpy.typing`), `torch.Tensor` and `nn.Module`. "
        "Calls from other modules are not seen: a function called here with arrays only "
        "may also take lists elsewhere."
    ),
    bad=(
        "def add_ratio(df):\n"
        '    df["ratio"] = df["a"] / df["b"]\n'
        "    return df\n\n"
        'train = add_ratio(pd.read_csv("train.csv"))\n'
    ),
    good=(
        "def add_ratio(df: pd.DataFrame) -> pd.DataFrame:\n"
        '    df["ratio"] = df["a"] / df["b"]\n'
        "    return df\n\n"
        'train = add_ratio(pd.read_csv("train.csv"))\n'
    ),
    fix=Fix.SAFE,
    fix_summary=(
        "Add the annotations the message names, spelled with the names the module binds "
        "before the function to pandas, NumPy and torch (`pd.DataFrame` after `import "
        "pandas as pd`, `nn.Module` after `from torch import nn`), or with the module's "
        "full name and its `import` (`import pandas`, then `pandas.DataFrame`) when no "
        "such name exists. A function with a decorator that may read annotations (anything "
        "but `staticmethod`, `classmethod`, `property`, `abstractmethod`, `functools` "
        "caches and wrappers, `torch.no_grad` and the like) is left alone."
    ),
    fix_safety=(
        "Safe: an annotation changes nothing the function does. Python evaluates it once, "
        "when the `def` runs, so the fix only writes names bound by a module-level import "
        "that runs before the `def` (an import inside `try`, `if` or a function is not "
        "used: it may not have run), or adds the import at the top of the module; and "
        "`npt.NDArray` only where the module imports `numpy.typing` already (NumPy "
        "releases before 1.21 have no `NDArray`). Decorators that read annotations at run "
        "time (`functools.singledispatch`'s `register`, `torch.jit.script`, typer, "
        "FastAPI, pydantic, beartype) keep their functions unannotated."
    ),
    default_enabled=False,
    noise=(
        "Annotations are a matter of project style: scripts and notebooks rarely carry "
        "them, and every public function of an unannotated code base that takes a frame "
        "or an array is reported."
    ),
)

#: Annotation (qualified name) for each kind the rule annotates.
_ANNOTATIONS: dict[Kind, str] = {
    Kind.DATAFRAME: "pandas.DataFrame",
    Kind.SERIES: "pandas.Series",
    Kind.NDARRAY: "numpy.ndarray",
    Kind.TENSOR: "torch.Tensor",
    Kind.LOSS: "torch.Tensor",
    Kind.MODULE: "torch.nn.Module",
    Kind.LOSS_MODULE: "torch.nn.Module",
}
_NDARRAY_FLOAT64 = "numpy.typing.NDArray[numpy.float64]"
#: Decorators that never read the annotations of what they decorate.
_INERT_DECORATORS = frozenset(
    {
        "builtins.staticmethod", "builtins.classmethod", "builtins.property",
        "abc.abstractmethod", "functools.wraps", "functools.lru_cache", "functools.cache",
        "functools.cached_property", "torch.no_grad", "torch.inference_mode",
        "torch.enable_grad", "torch.autograd.no_grad", "torch.compile",
    }
)  # fmt: skip
#: NumPy functions returning float64 arrays when given no ``dtype``.
_FLOAT64_FACTORIES = frozenset(
    {
        *(f"numpy.{n}" for n in ("zeros", "ones", "empty", "eye", "identity", "linspace")),
        *(f"numpy.random.{n}" for n in (
            "rand", "randn", "random", "random_sample", "standard_normal", "normal", "uniform",
        )),
    }
)  # fmt: skip
_FLOAT64_DTYPES = frozenset({"numpy.float64", "numpy.double", "builtins.float"})
#: NumPy functions that always return an array (never a NumPy scalar).
_ARRAY_FACTORIES = frozenset(
    f"numpy.{n}"
    for n in (
        "array", "asarray", "asanyarray", "ascontiguousarray", "zeros", "ones", "empty",
        "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
        "logspace", "geomspace", "eye", "identity", "concatenate", "stack", "vstack", "hstack",
        "dstack", "column_stack", "loadtxt", "genfromtxt", "tile", "repeat", "outer",
        "unique", "append", "reshape", "transpose", "argsort", "sort", "cumsum", "cumprod",
    )
)  # fmt: skip
#: NumPy functions applied element by element: an array for an array, a scalar for a scalar.
_ELEMENTWISE = frozenset(
    f"numpy.{n}"
    for n in ("abs", "exp", "log", "log1p", "sqrt", "square", "clip", "round", "sign", "tanh")
)
#: ndarray methods returning an array.
_ARRAY_METHODS = frozenset(
    {"astype", "copy", "reshape", "flatten", "ravel", "transpose", "squeeze", "clip", "round"}
)
_DEF = re.compile(rb"(?:async\s+)?def\s+")


class UntypedMlFunction(Check):
    """ML911: a public function without annotations for what the model knows it takes or
    returns (reported each time the function's walk ends: the last walk knows most)."""

    rules = (RULE,)
    nodes = (ast.Return,)
    requires = frozenset({"pandas", "numpy", "torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self._returns: dict[int, dict[int, tuple[bool, bool]]] = {}
        """id of a function -> id of each of its ``return`` -> (surely an array, not a
        NumPy scalar; an array of float64)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Return)
        function = self.model.enclosing_function()
        if function is not None and node.value is not None:
            found = self._returns.setdefault(id(function), {})
            found[id(node)] = (self._is_array(node.value, 0), self._is_float64(node.value, 0))

    def _is_array(self, expr: ast.expr, depth: int) -> bool:
        """``expr`` is an ndarray, not a NumPy scalar (``np.sqrt(total / n)`` is a scalar):
        made by a function that always makes arrays, a frame's or Series' values, a
        parameter known to be one, or arithmetic and element-wise functions on one."""
        if depth > 6:
            return False
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None:
                return False
            if isinstance(binding.site, ast.arg):
                return binding.kind is Kind.NDARRAY
            value = binding.node
            return isinstance(value, ast.expr) and self._is_array(value, depth + 1)
        if isinstance(expr, ast.BinOp):
            return self._is_array(expr.left, depth + 1) or self._is_array(expr.right, depth + 1)
        if isinstance(expr, ast.Attribute):
            if expr.attr == "values":
                return self.model.kind_of(expr.value) in (Kind.DATAFRAME, Kind.SERIES)
            return expr.attr == "T" and self._is_array(expr.value, depth + 1)
        if not isinstance(expr, ast.Call):
            return False
        qualname = self.model.qualname(expr.func)
        if qualname is not None:
            if qualname in _ARRAY_FACTORIES:
                return True
            if qualname in _ELEMENTWISE and expr.args:
                return self._is_array(expr.args[0], depth + 1)
            return False
        func = expr.func
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "to_numpy":
            return self.model.kind_of(func.value) in (Kind.DATAFRAME, Kind.SERIES)
        return func.attr in _ARRAY_METHODS and self._is_array(func.value, depth + 1)

    def _is_float64(self, expr: ast.expr, depth: int) -> bool:
        """``expr`` is a NumPy array of float64 (made so where it is seen)."""
        if isinstance(expr, ast.Name) and depth < 4:
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
            return isinstance(value, ast.expr) and self._is_float64(value, depth + 1)
        if not isinstance(expr, ast.Call):
            return False
        dtype = next((kw.value for kw in expr.keywords if kw.arg == "dtype"), None)
        qualname = self.model.qualname(expr.func)
        if qualname in _FLOAT64_FACTORIES:
            return dtype is None and not any(kw.arg == "like" for kw in expr.keywords)
        if qualname in ("numpy.array", "numpy.asarray") and dtype is not None:
            return self.model.qualname(dtype) in _FLOAT64_DTYPES
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "astype" and len(expr.args) == 1:
            return self.model.qualname(expr.args[0]) in _FLOAT64_DTYPES
        return False

    def leave_scope(self, scope: Scope) -> None:
        node = scope.node
        program = self.model.program
        if (
            scope.type is not ScopeType.FUNCTION
            or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            or node.name.startswith("_")
            or program is None
        ):
            return
        ancestors = self.ctx.ancestors[:-1]
        if not (
            len(ancestors) == 1 or (len(ancestors) == 2 and isinstance(ancestors[1], ast.ClassDef))
        ):
            return
        if any(self.model.qualname(d) == "typing.overload" for d in node.decorator_list):
            return
        missing = self._missing(node, scope, program)
        if not missing:
            return
        spellings = _Spelling(self, node)
        shown: list[str] = []
        data: list[tuple[str, str]] = []
        fixable = self._inert(node)
        for key, qualname in missing:
            found = spellings.spell(qualname)
            if found is None and qualname == _NDARRAY_FLOAT64:
                qualname = _ANNOTATIONS[Kind.NDARRAY]  # no ``numpy.typing`` in the module
                found = spellings.spell(qualname)
            text = found[0] if found is not None else qualname
            shown.append(f"`-> {text}`" if key == "return" else f"`{key}: {text}`")
            if found is None:
                fixable = False
            else:
                data.append((key if key == "return" else f"param:{key}", text))
        if fixable:
            modules = sorted(spellings.imports)
            data += [("import", module) for module in modules]
            if any(self.ctx.uses_name(module) for module in modules):
                data.append(("taken", "yes"))  # the fix does not import a name used otherwise
        self.report(
            "ML911",
            _name_node(self.ctx, node),
            name=node.name,
            missing=", ".join(shown),
            data=data if fixable else (),
        )

    def _missing(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, program: Program
    ) -> list[tuple[str, str]]:
        """(parameter name or ``return``, qualified annotation) for each annotation the
        model can give and the function lacks."""
        missing: list[tuple[str, str]] = []
        args = node.args
        positional = args.posonlyargs + args.args
        skip = {scope.self_name}
        if positional and any(
            self.model.qualname(d) == "builtins.classmethod" for d in node.decorator_list
        ):
            skip.add(positional[0].arg)
        passed = [a for a in positional if a.arg not in skip]
        seeded = dict(
            zip((a.arg for a in passed), program.seeds.params.get(id(node), ()), strict=False)
        )
        defaults = _defaulted(args)
        for arg in passed + args.kwonlyargs:
            if arg.annotation is not None or arg.arg in defaults or arg.arg in skip:
                continue
            kind = seeded.get(arg.arg) or program.seeds.sites.get(id(arg))
            if kind is None:  # what its uses prove (asked: a later proof is worth a walk)
                kind = program.facts.evidence_kind(arg)
            if kind in _ANNOTATIONS:
                missing.append((arg.arg, _ANNOTATIONS[kind]))
        if node.returns is None:
            kind = program.final_return(node)
            returns = list(self._returns.get(id(node), {}).values())
            if kind is Kind.NDARRAY and not (returns and all(array for array, _ in returns)):
                kind = None  # (maybe a NumPy scalar)
            if kind in _ANNOTATIONS and _always_returns(node):
                qualname = _ANNOTATIONS[kind]
                if kind is Kind.NDARRAY and all(float64 for _, float64 in returns):
                    qualname = _NDARRAY_FLOAT64
                missing.append(("return", qualname))
        return missing

    def _inert(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """No decorator of ``node`` may read its annotations."""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if self.model.qualname(target) not in _INERT_DECORATORS:
                return False
        return True


def _defaulted(args: ast.arguments) -> set[str]:
    positional = args.posonlyargs + args.args
    names = {a.arg for a in positional[len(positional) - len(args.defaults) :]}
    names |= {
        a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    }
    return names


def _always_returns(node: FunctionNode) -> bool:
    """Every ``return`` of ``node`` gives a value (not ``None``), it cannot end without one,
    and it is no generator."""
    assert not isinstance(node, ast.Lambda)
    if not _ends(node.body):
        return False  # (cheap, first: most bodies do not end in a return)
    for inner in _own_nodes(node):
        if isinstance(inner, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(inner, ast.Return):
            value = inner.value
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                return False
    return True


def _ends(body: list[ast.stmt]) -> bool:
    """The statements ``body`` never finish normally (they return or raise)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _ends(last.body) and _ends(last.orelse)
    return False


def _own_nodes(node: FunctionNode) -> list[ast.AST]:
    """The nodes of ``node``'s body, not those of the functions and classes in it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(node.body) if not isinstance(node, ast.Lambda) else []
    while pending:
        current = pending.pop()
        found.append(current)
        for child in ast.iter_child_nodes(current):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
            ):
                pending.append(child)
    return found


def _name_node(ctx: Context, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    """Where the finding goes: the function's name on its ``def`` line (else the ``def``)."""
    line = ctx.lines[node.lineno - 1].encode("utf-8") if node.lineno <= len(ctx.lines) else b""
    match = _DEF.match(line, node.col_offset)
    if match is None or not line[match.end() :].startswith(node.name.encode()):
        return node
    start = match.end()
    return ast.Name(
        id=node.name,
        lineno=node.lineno,
        col_offset=start,
        end_lineno=node.lineno,
        end_col_offset=start + len(node.name.encode()),
    )


class _Spelling:
    """How to write a library object in the annotations of one ``def``, so that the name
    exists when the ``def`` runs, and the imports that takes."""

    def __init__(
        self, check: UntypedMlFunction, node: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> None:
        self.model = check.model
        self.tree = check.ctx.tree
        self.start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        self.imports: set[str] = set()

    def spell(self, qualname: str) -> tuple[str, str | None] | None:
        """The text of the annotation ``qualname`` (``numpy.typing.NDArray[numpy.float64]``
        spells both names), or None when it cannot be written safely here."""
        if "[" in qualname:
            outer, inner = qualname[:-1].split("[")
            first = self._name(outer, importing=False, shortest=2)  # numpy.typing itself
            second = self._name(inner, importing=True)
            if first is None or second is None:
                return None
            return f"{first}[{second}]", None
        found = self._name(qualname, importing=True)
        return (found, None) if found is not None else None

    def _name(self, qualname: str, importing: bool, shortest: int = 1) -> str | None:
        """``qualname`` through the name of the longest of its prefixes (of ``shortest``
        parts at least) that an early import binds; else, when ``importing``, itself with
        its top module imported (unless that name is bound to something else)."""
        parts = qualname.split(".")
        bindings = self.model.module_scope.bindings
        for cut in range(len(parts), shortest - 1, -1):
            prefix = ".".join(parts[:cut])
            names = sorted(
                (
                    name
                    for name, binding in bindings.items()
                    if binding.qualname == prefix and self._early(binding.node)
                ),
                key=lambda n: (len(n), n),
            )
            if names:
                return ".".join([names[0], *parts[cut:]])
        if not importing or parts[0] in bindings:
            return None
        self.imports.add(parts[0])
        return qualname

    def _early(self, node: ast.AST | None) -> bool:
        """An import statement of the module body that runs before the ``def``."""
        return (
            isinstance(node, (ast.Import, ast.ImportFrom))
            and node.lineno < self.start
            and any(stmt is node for stmt in self.tree.body)
        )


# ---------------------------------------------------------------------- fix


def add_annotations(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Annotate the parameters (``param:<name>``) and the result (``return``) the data
    names, with the texts it gives; add the ``import`` modules (refused when such a name
    is used in the module for something else)."""
    name = ctx.find(diag, cst.Name)
    function = ctx.parent(name) if name is not None else None
    if not isinstance(function, cst.FunctionDef):
        return None
    annotations = {
        key[len("param:") :]: text for key, text in diag.data if key.startswith("param:")
    }
    returns = diag.get("return")
    if not annotations and returns is None:
        return None
    modules = [text for key, text in diag.data if key == "import"]
    if any(module in ctx.names_in_module() for module in modules):
        return None
    params = function.params

    def annotate(param: cst.Param) -> cst.Param:
        text = annotations.get(param.name.value)
        if text is None or param.annotation is not None:
            return param
        return param.with_changes(annotation=cst.Annotation(fx.parse_expression(text)))

    new = function.with_changes(
        params=params.with_changes(
            posonly_params=[annotate(p) for p in params.posonly_params],
            params=[annotate(p) for p in params.params],
            kwonly_params=[annotate(p) for p in params.kwonly_params],
        )
    )
    if returns is not None and function.returns is None:
        new = new.with_changes(returns=cst.Annotation(fx.parse_expression(returns)))
    if new.deep_equals(function):
        return None
    return fx.Edit(function, new, tuple(fx.ImportItem(module) for module in modules))


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered when the data names an annotation, unless it needs an import of a name the
    module uses otherwise (``taken``)."""
    if not any(key.startswith("param:") or key == "return" for key, _ in diag.data):
        return Fix.NONE
    return Fix.NONE if diag.get("taken") is not None else Fix.SAFE


FIXES = {"ML911": add_annotations}
FIXABLE = {"ML911": fix_applies}
