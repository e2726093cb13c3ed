"""ML412 deprecated-torch-api: a deprecated or removed PyTorch/torchvision API, and its fix."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mlsmells.data import torch_api, torchvision_weights
from mlsmells.data.torch_api import Shape
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.rules.torch._common import (
    _constructed_by,
    _constructor,
    _has_star_args,
)
from mlsmells.rules.torch._compat import _compat_imports, in_compat_code
from mlsmells.rules.torch._functorch import functorch_data, functorch_import
from mlsmells.rules.torch._loops import _innermost_function
from mlsmells.rules.torch._rewrites import (
    call_data,
    fix_applies,
    reference_data,
    torchvision_data,
)
from mlsmells.rules.torch._spelling import _spelling_data, spelled
from mlsmells.semantic import kinds as K
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML412",
    name="deprecated-torch-api",
    pylint_id="W7652",
    family=Family.TORCH,
    message="{what} {status}; use {replacement}",
    summary="A deprecated or removed PyTorch or torchvision API is used.",
    rationale=(
        "Deprecated APIs warn at every call and disappear in a later release; removed ones "
        "raise. The table behind this rule cites, for every entry, the version that "
        "deprecated it and where that was checked in PyTorch itself: "
        "`torch.cuda.amp.autocast`/`GradScaler`/`custom_fwd`/`custom_bwd` and "
        "`torch.cpu.amp.*` (2.4), `torch.solve`/`symeig`/`eig`/`lstsq`/`matrix_rank` "
        "(deprecated 1.9, removed), `torch.chain_matmul`/`qr`/`cholesky` (1.9), "
        "`torch.autograd.Variable`, `clip_grad_norm` and the `nn.init` functions without "
        "the trailing underscore (0.4.0), `F.upsample` (0.4.1), "
        "`torch.testing.assert_allclose` (1.12), `functorch.*` and "
        "`torch.nn.utils.stateless.functional_call` (2.0), `torch.set_default_tensor_type` "
        "(2.1); the `size_average=`/`reduce=` arguments of losses (0.4.1), softmax without "
        "`dim` (0.3.0), `verbose=` of the learning-rate schedulers (2.2, removed in 2.7), "
        "`scheduler.step(epoch)` (1.4), `.next()` on a DataLoader's iterator (removed in "
        "1.13), torchvision's `pretrained=` (also given positionally, `resnet50(True)`; "
        "torchvision 0.13) and the `train_data`/`train_labels`/`test_data`/`test_labels` of "
        "its MNIST datasets (renamed `data`/`targets` in 0.2.2). A scheduler or dataset is "
        "recognised when the file makes it (`scheduler = StepLR(...)`). `F.sigmoid` "
        "and `F.tanh` are not reported: their 0.4.1 deprecation was withdrawn. Code inside a "
        "version check (`if _TORCH_GREATER_EQUAL_2_4: ... else: ...`, `hasattr(torch, "
        "...)`) or an `except ImportError` fallback keeps the old API on purpose and is "
        "not reported. Only APIs deprecated or removed in a PyTorch (torchvision) release "
        "the project supports are reported (see `target-versions`), and a fix whose "
        "replacement is missing from the oldest supported release is not applied: the "
        "finding names the release it needs (`torch.amp.GradScaler(\"cuda\")`: 2.3)."
    ),
    bad=(
        "scaler = torch.cuda.amp.GradScaler()\n"
        "with torch.cuda.amp.autocast():\n"
        "    loss = criterion(model(x), y)\n"
        "torch.nn.utils.clip_grad_norm(model.parameters(), 1.0)\n"
    ),
    good=(
        'scaler = torch.amp.GradScaler("cuda")\n'
        'with torch.amp.autocast("cuda"):\n'
        "    loss = criterion(model(x), y)\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    ),
    fix=Fix.MIXED,
    fix_summary=(
        "Rewrite the call to its replacement. Safe where PyTorch documents the replacement "
        "as equivalent: the `torch.amp` spellings, `clip_grad_norm_`, `nn.init.*_`, "
        "`F.interpolate`, `torch.linalg.multi_dot`/`qr`/`cholesky`, `torch.func` (for "
        "`functorch`'s transforms the import moves: `from functorch import vmap` becomes "
        "`from torch.func import vmap`, and `import functorch` goes once every use is "
        "rewritten), "
        "`reduction=` for literal `size_average`/`reduce`, torchvision `weights=` for a "
        "literal `pretrained` (keyword or positional), `next(it)` for a DataLoader "
        "iterator's `it.next()`, `.data`/`.targets` for MNIST's renamed attributes. Unsafe: "
        "`Variable(t)` to `t`, `assert_allclose` to "
        "`assert_close`, `torch.cholesky(A, upper=True)` to `torch.linalg.cholesky(A).mH`."
    ),
    fix_safety=(
        "The safe rewrites compute the same values (PyTorch's deprecated functions "
        "forward to exactly these replacements). `Variable(t)` returned a detached alias "
        "of `t`, so replacing it with `t` lets gradients flow where they did not; "
        "`assert_close` has tighter default tolerances than `assert_allclose`, so a test "
        "may start failing; `cholesky(A, upper=True)` and `linalg.cholesky(A).mH` agree "
        "only up to rounding. Removed APIs, and replacements with a different signature "
        "(`torch.linalg.solve(A, B)` reverses the arguments), get no fix."
    ),
)


def _library(entry: torch_api.TorchDeprecation) -> str:
    """The library key of an entry (``torch``, ``torchvision``)."""
    return "torchvision" if entry.library == "torchvision" else "torch"


def _literal_bool(expr: ast.expr) -> bool | None:
    if isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, bool)):
        return expr.value
    raise ValueError("not a literal")


_LOSS_FUNCTIONS = frozenset(f"torch.nn.functional.{name}" for name in K.FUNCTIONAL_LOSSES)
#: Last components of the deprecated APIs (a name or attribute ending otherwise is none),
#: and the renamed attributes of torchvision's MNIST datasets.
_DEPRECATED_NAMES = last_names(torch_api.DEPRECATED) | frozenset(torch_api.MNIST_RENAMED)
#: Last components of the callees ML412 looks at whatever the keywords of the call.
_DEPRECATED_CALLEES = last_names(
    [*torch_api.DEPRECATED, *torch_api.IMPLICIT_DIM_FUNCTIONS, *torch_api.IMPLICIT_DIM_MODULES]
)
#: Last components of torchvision's model builders (``resnet50(True)``: a positional flag).
_BUILDERS = last_names(torchvision_weights.LEGACY_WEIGHTS)
#: The keywords that make a torchvision model or a loss call worth resolving.
_LEGACY_KEYWORDS = frozenset(
    {"pretrained", "pretrained_backbone", "size_average", "reduce", "verbose"}
)
_SCHEDULERS = "torch.optim.lr_scheduler."
_IMPLICIT = (("form", "implicit-dim"),)


class DeprecatedTorchApi(Check):
    """ML412: a deprecated or removed PyTorch/torchvision API (see mlsmells.data.torch_api)."""

    rules = (RULE,)
    nodes = (ast.Call, ast.Attribute, ast.Name)
    requires = frozenset({"torch", "functorch", "torchvision"})
    names = _DEPRECATED_NAMES

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.handled: set[int] = set()
        """ids of callee expressions already reported with their call."""
        self._compat: set[int] | None = None

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._visit_call(node)
        elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            if isinstance(node, ast.Attribute) and node.attr not in _DEPRECATED_NAMES:
                return  # cheap: most attributes end in none of these names
            if isinstance(node, ast.Attribute) and node.attr in torch_api.MNIST_RENAMED:
                self._mnist(node)
                return
            parent = self.ctx.parent
            if id(node) in self.handled or (
                isinstance(parent, ast.Attribute) and parent.value is node
            ):
                return  # ``Variable._execution_engine``: an attribute of it, not a use
            if not self.model.may_resolve_to(node, _DEPRECATED_NAMES):
                return  # a name bound to no import and ending in none of these names
            entry = torch_api.DEPRECATED.get(self.model.qualname(node) or "")
            if entry is None or self._compat_code(node) or self._compared(node):
                return
            self._report_entry(node, entry, "reference")

    def _compared(self, reference: ast.expr) -> bool:
        """``func is torch.cuda.amp.autocast``, ``f in (torch.qr, ...)``, a registry keyed by
        the function (``{torch.qr: ...}``, ``{torch.qr, ...}``): recognising the deprecated
        API (to support it), not using it."""
        parent = self.ctx.parent
        if isinstance(parent, ast.Dict) and any(k is reference for k in parent.keys):
            return True
        if isinstance(parent, ast.Set):
            return True
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, ast.Compare):
                return True
            if isinstance(node, (ast.stmt, ast.Call, ast.Lambda)):
                return False
        return False

    def _compat_code(self, node: ast.expr) -> bool:
        if in_compat_code(self.ctx.ancestors):
            return True
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        binding = self.model.lookup(root.id)
        if binding is None or binding.node is None:
            return False
        if self._compat is None:
            self._compat = _compat_imports(self.ctx.tree)
        return id(binding.node) in self._compat

    def _mnist(self, node: ast.Attribute) -> None:
        """``train_set.train_labels`` on a torchvision MNIST dataset: renamed ``targets``."""
        made = _constructed_by(self.model, node.value)
        if made not in torch_api.MNIST_CLASSES:
            return
        if not isinstance(node.ctx, ast.Load) or in_compat_code(self.ctx.ancestors):
            return
        entry = torch_api.MNIST_ATTRIBUTES
        new = torch_api.MNIST_RENAMED[node.attr]
        self._report_argument(
            node,
            f"`.{node.attr}` of `{made.rpartition('.')[2]}`",
            entry,
            replacement=f"`.{new}`",
            data=(("form", "rename-attribute"), ("new", new)),
            since=entry.replacement_since or "",
        )

    def _usage(self, call: ast.Call, func: ast.Attribute) -> None:
        """``it.next()`` on a DataLoader's iterator, ``scheduler.step(epoch)``."""
        if in_compat_code(self.ctx.ancestors):
            return
        maker = _constructor(self.model, func.value)
        qualname = self.model.qualname(maker.func) if maker is not None else None
        if maker is None or qualname is None:
            return
        if func.attr == "next" and not call.args and not call.keywords:
            loader = maker.args[0] if qualname == "builtins.iter" and maker.args else None
            if loader is not None and self.model.kind_of(loader) is Kind.DATALOADER:
                fixable = "yes" if self.model.lookup("next") is None else "no"
                self._report_argument(
                    call,
                    "`.next()` of a DataLoader's iterator",
                    torch_api.LOADER_NEXT,
                    data=(("form", "loader-next"), ("fixable", fixable)),
                    since="",
                )
        elif func.attr == "step" and qualname.startswith(_SCHEDULERS):
            if qualname.endswith(".ReduceLROnPlateau") or _has_star_args(call):
                return  # its argument is the metric
            if len(call.args) == 1 or keyword(call, "epoch") is not None:
                self._report_argument(
                    call, "`{func}(epoch)`", torch_api.SCHEDULER_EPOCH, data=(("form", "epoch"),)
                )

    def _visit_call(self, call: ast.Call) -> None:
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("next", "step"):
            self._usage(call, call.func)
            return
        if (
            not self.model.may_resolve_to(call.func, _DEPRECATED_CALLEES)
            and not any(kw.arg in _LEGACY_KEYWORDS for kw in call.keywords)
            and not (call.args and self.model.may_resolve_to(call.func, _BUILDERS))
        ):
            return  # cheap: no callee of the tables, legacy keyword or positional flag
        qualname = self.model.qualname(call.func)
        if qualname is None:
            return
        entry = torch_api.DEPRECATED.get(qualname)
        if entry is not None:
            self.handled.add(id(call.func))
            if not self._compat_code(call.func):
                self._report_entry(call, entry, "call")
            return
        if has_star_kwargs(call):
            return
        if qualname.startswith("torchvision.models."):
            self._torchvision(call, qualname)
        elif qualname.startswith(_SCHEDULERS):
            if keyword(call, "verbose") is not None and not in_compat_code(self.ctx.ancestors):
                self._report_argument(
                    call,
                    "`verbose=` of `{func}`",
                    torch_api.SCHEDULER_VERBOSE,
                    data=(("form", "verbose"),),
                )
        elif qualname in _LOSS_FUNCTIONS or (K.torch_class_kind(qualname) is Kind.LOSS_MODULE):
            self._legacy_reduction(call)
        elif qualname in torch_api.IMPLICIT_DIM_FUNCTIONS:
            if keyword(call, "dim") is None and len(call.args) < 2 and not _has_star_args(call):
                self._report_argument(
                    call, "`{func}(...)` without `dim`", torch_api.IMPLICIT_DIM, data=_IMPLICIT
                )
        elif qualname in torch_api.IMPLICIT_DIM_MODULES:
            if keyword(call, "dim") is None and not call.args:
                self._report_argument(
                    call, "`{func}()` without `dim`", torch_api.IMPLICIT_DIM, data=_IMPLICIT
                )

    def _affected(self, entry: torch_api.TorchDeprecation) -> bool:
        """Whether some release the project supports deprecated or removed ``entry``."""
        return self.ctx.targets.affected(_library(entry), entry.deprecated_in, entry.removed_in)

    def _report_entry(self, node: ast.expr, entry: torch_api.TorchDeprecation, form: str) -> None:
        if not self._affected(entry):
            return
        since = None
        if entry.shape is not Shape.NONE:
            since = (_library(entry), entry.replacement_since)
        if entry.removed:
            status = f"was deprecated in {entry.library} {entry.version} and is removed"
        else:
            status = f"is deprecated since {entry.library} {entry.version}"
        self.report(
            "ML412",
            node,
            what=f"`{entry.qualname}`",
            status=status,
            replacement=entry.replacement,
            data=(("api", entry.qualname), ("form", form))
            + (_spelling_data(self.ctx, entry.target) if entry.target else ())
            + (functorch_data(self.ctx, node) if entry.qualname.startswith("functorch.") else ())
            + self._rewrite_data(node, entry),
            replacement_since=since,
        )

    def _rewrite_data(
        self, node: ast.expr, entry: torch_api.TorchDeprecation
    ) -> tuple[tuple[str, str], ...]:
        """What the fix decision needs of this use beyond the table (``_rewrites``)."""
        if entry.shape is Shape.NONE:
            return ()
        if isinstance(node, ast.Call):
            return call_data(node, entry)
        return reference_data(node, self.ctx.parent, entry)

    def _report_argument(
        self,
        node: ast.Call | ast.Attribute,
        what: str,
        entry: torch_api.TorchDeprecation,
        replacement: str = "",
        data: tuple[tuple[str, str], ...] = (),
        since: str | None = None,
    ) -> None:
        """Report a deprecated form of an argument or use of an object; ``since``: the
        release from which the replacement the fix writes exists ("": always; None: no
        fix)."""
        if not self._affected(entry):
            return
        verb = "are" if " and " in what else "is"
        status = f"{verb} deprecated since {entry.library} {entry.version}"
        if entry.removed_in is not None and self.ctx.targets.affected(
            _library(entry), entry.removed_in, None
        ):
            status = f"was removed in {entry.library} {entry.removed_in}"
        func = self.ctx.source_of(node.func) if isinstance(node, ast.Call) else ""
        self.report(
            "ML412",
            node,
            what=what.format(func=func),
            status=status,
            replacement=replacement or entry.replacement,
            data=data,
            replacement_since=(_library(entry), since or None) if since is not None else None,
        )

    def _legacy_reduction(self, call: ast.Call) -> None:
        given = [kw for kw in call.keywords if kw.arg in ("size_average", "reduce")]
        if not given:
            return
        if self._compat_code(call.func) or self._forwarded(given):
            return
        names = " and ".join(f"`{kw.arg}=`" for kw in given)
        values: dict[str, bool | None] = {"size_average": None, "reduce": None}
        try:
            for kw in given:
                assert kw.arg is not None
                values[kw.arg] = _literal_bool(kw.value)
        except ValueError:
            self._report_argument(
                call, names, torch_api.LEGACY_REDUCTION, data=(("form", "reduction"),)
            )
            return
        reduction = torch_api.legacy_reduction(values["size_average"], values["reduce"])
        self._report_argument(
            call,
            names,
            torch_api.LEGACY_REDUCTION,
            replacement=f'`reduction="{reduction}"`',
            data=(("form", "reduction"), ("reduction", reduction)),
            since=torch_api.LEGACY_REDUCTION.replacement_since,
        )

    def _forwarded(self, given: list[ast.keyword]) -> bool:
        """``size_average=size_average``: a wrapper passing on its own legacy parameters."""
        function = _innermost_function(self.ctx.ancestors)
        if function is None:
            return False
        args = function.args
        parameters = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        return all(isinstance(kw.value, ast.Name) and kw.value.id in parameters for kw in given)

    def _torchvision(self, call: ast.Call, qualname: str) -> None:
        legacy = [
            (kw.arg, kw.value)
            for kw in call.keywords
            if kw.arg in ("pretrained", "pretrained_backbone")
        ]
        table = torchvision_weights.LEGACY_WEIGHTS.get(qualname, ())
        positional = "no"
        first = call.args[0] if len(call.args) == 1 else None
        if not legacy and isinstance(first, ast.Constant) and isinstance(first.value, bool):
            # ``resnet50(True)``: the builders take keywords only since torchvision 0.13,
            # and map a positional flag to ``weights`` with a warning. (A literal flag
            # only: ``resnet_fpn_backbone("resnet50")`` names its backbone first.)
            if any(old == "pretrained" for old, _, _ in table):
                legacy, positional = [("pretrained", call.args[0])], "yes"
        if not legacy:
            return
        names = " and ".join(
            f"`{name}=`" if positional == "no" else "a positional `pretrained`"
            for name, _ in legacy
        )
        replacements = []
        for name, value in legacy:
            new, default = next(((n, d) for old, n, d in table if old == name), (None, None))
            if new is None:
                new = "weights" if name == "pretrained" else "weights_backbone"
            if isinstance(value, ast.Constant) and value.value is False:
                replacements.append(f"`{new}=None`")
            elif isinstance(value, ast.Constant) and value.value is True and default:
                replacements.append(f'`{new}="{default}"`')
            else:
                replacements.append(f"`{new}=`")
        self._report_argument(
            call,
            names,
            torch_api.TORCHVISION_PRETRAINED,
            replacement=" and ".join(replacements),
            data=(("form", "torchvision"), ("api", qualname), ("positional", positional))
            + torchvision_data(call, table, positional == "yes"),
            since=torchvision_weights.WEIGHTS_SINCE.get(qualname),
        )


# ---------------------------------------------------------------------- fix


_AUTOCAST_PARAMETERS = ("enabled", "dtype", "cache_enabled")
_ASSERT_ALLCLOSE_PARAMETERS = ("rtol", "atol", "equal_nan", "msg")


def deprecated_torch_api(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """The replacement of a deprecated PyTorch/torchvision API (see ``torch_api``).

    Safe where PyTorch documents the replacement as equivalent (the shapes of
    :class:`mlsmells.data.torch_api.Shape` say how each is rewritten); unsafe for
    ``Variable(t)`` -> ``t`` and ``assert_allclose`` -> ``assert_close``.
    """
    form = diag.get("form")
    if form == "reduction":
        return _reduction(ctx, diag)
    if form == "rename-attribute":
        attribute = ctx.find(diag, cst.Attribute)
        new_name = diag.get("new")
        if attribute is None or new_name is None:
            return None
        return fx.Edit(attribute, attribute.with_changes(attr=cst.Name(new_name)), safety=Fix.SAFE)
    if form == "loader-next":
        call = ctx.find(diag, cst.Call)
        if call is None or diag.get("fixable") != "yes" or not isinstance(call.func, cst.Attribute):
            return None
        iterator = cst.Arg(value=call.func.value)
        return fx.Edit(call, cst.Call(func=cst.Name("next"), args=[iterator]), safety=Fix.SAFE)
    if form == "torchvision":
        return _torchvision_weights(ctx, diag)
    entry = torch_api.DEPRECATED.get(diag.get("api") or "")
    if entry is None or entry.shape is Shape.NONE:
        return None
    if diag.get("functorch") is not None:
        moved = functorch_import(ctx, diag)  # the import moves to torch.func
        if moved is not None:
            return moved
    if form == "reference":
        return _reference(ctx, diag, entry)
    call = ctx.find(diag, cst.Call)
    if call is None or any(a.star == "**" for a in call.args):
        return None
    if entry.shape is Shape.VARIABLE:
        args = call.args
        if len(args) != 1 or args[0].keyword is not None or args[0].star:
            return None
        value = args[0].value
        return fx.Edit(
            call, value if fx.is_atom(value) else fx.parenthesize(value), safety=Fix.UNSAFE
        )
    rewritten = _rewrite_call(call, entry)
    if rewritten is None:
        return None
    new, suffix = rewritten
    found = spelled(ctx, diag)
    if found is None:
        return None
    result = new.with_changes(func=fx.parse_expression(found[0]))
    final: cst.BaseExpression = result
    if suffix:
        final = cst.Attribute(value=result, attr=cst.Name(suffix))
    # ``cholesky(A, upper=True)`` -> ``linalg.cholesky(A).mH``: documented as equivalent, but
    # computed through the lower factor: the last bits may differ.
    safety = Fix.SAFE if entry.equivalent and not suffix else Fix.UNSAFE
    return fx.Edit(call, final, found[1], safety=safety)


def _rewrite_call(call: cst.Call, entry: torch_api.TorchDeprecation) -> tuple[cst.Call, str] | None:
    """(the call with its new arguments, an attribute to read from the result), or
    ``None`` when this call's shape has no mechanical rewrite (the rule spelled the
    callable, ``entry.target``)."""
    shape = entry.shape
    if shape is Shape.RENAME:
        renames = dict(entry.keywords)
        args = [
            a.with_changes(keyword=cst.Name(renames[a.keyword.value]))
            if a.keyword is not None and a.keyword.value in renames
            else a
            for a in call.args
        ]
        return call.with_changes(args=args), ""
    if any(a.star for a in call.args):
        return None
    if shape is Shape.DEVICE_FIRST:
        return _prepend(call, _string(entry.device)), ""
    if shape is Shape.AUTOCAST:
        keywords = _with_keywords(call, _AUTOCAST_PARAMETERS)
        if keywords is None:
            return None
        return _prepend(keywords, _string(entry.device)), ""
    if shape is Shape.DEVICE_KEYWORD:
        if fx.keyword_arg(call, "device_type") is not None:
            return None
        return fx.add_keyword(call, "device_type", _string(entry.device)), ""
    if shape is Shape.MULTI_DOT:
        return _multi_dot(call)
    if shape is Shape.QR:
        return _qr(call)
    if shape is Shape.CHOLESKY:
        return _cholesky(call)
    if shape is Shape.ASSERT_CLOSE:
        return _assert_close(call)
    return None


def _multi_dot(call: cst.Call) -> tuple[cst.Call, str] | None:
    positional = _positional(call)
    others = [a for a in call.args if a.keyword is not None]
    if len(positional) < 2 or any(a.keyword.value != "out" for a in others if a.keyword):
        return None
    elements = [
        cst.Element(
            value=a.value,
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(positional) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for i, a in enumerate(positional)
    ]
    matrices = cst.Arg(value=cst.List(elements=elements))
    if others:
        matrices = matrices.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
    new = call.with_changes(args=[matrices, *others])
    return new, ""


def _flag(call: cst.Call, name: str, position: int) -> tuple[cst.Arg | None, bool | None | str]:
    """The argument ``name`` (by keyword or at ``position``) and its literal value."""
    given = fx.keyword_arg(call, name)
    if given is None:
        positional = _positional(call)
        given = positional[position] if len(positional) > position else None
    if given is None:
        return None, None
    return given, _literal(given.value)


def _without(call: cst.Call, arg: cst.Arg) -> cst.Call:
    return fx.remove_arg(call, arg)


def _qr(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``torch.qr(A, some)`` -> ``torch.linalg.qr(A, mode)`` for a literal ``some``."""
    arg, some = _flag(call, "some", 1)
    if arg is None:
        return call, ""
    if some is True:
        return _without(call, arg), ""
    if some is False:
        new = _without(call, arg)
        return fx.add_keyword(new, "mode", _string("complete")), ""
    return None


def _cholesky(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``torch.cholesky(A)`` -> ``torch.linalg.cholesky(A)``; ``upper=True`` -> ``.mH``."""
    arg, upper = _flag(call, "upper", 1)
    if arg is None:
        return call, ""
    if upper is False:
        return _without(call, arg), ""
    if upper is True and fx.keyword_arg(call, "out") is None:
        return _without(call, arg), "mH"
    return None


def _assert_close(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``assert_allclose(a, b, rtol, atol)`` -> ``assert_close(a, b, rtol=rtol, atol=atol,
    check_dtype=False, equal_nan=True)`` (the checks ``assert_allclose`` made, except the
    tolerances: its defaults were looser)."""
    positional = _positional(call)
    if len(positional) < 2:
        return None
    head, extra = positional[:2], positional[2:]
    tail = cst.Call(func=call.func, args=[*extra, *(a for a in call.args if a.keyword)])
    keywords = _with_keywords(tail, _ASSERT_ALLCLOSE_PARAMETERS)
    if keywords is None:
        return None
    new = call.with_changes(args=[*head, *keywords.args])
    if fx.keyword_arg(new, "check_dtype") is None:
        new = fx.add_keyword(new, "check_dtype", cst.Name("False"))
    if fx.keyword_arg(new, "equal_nan") is None:
        new = fx.add_keyword(new, "equal_nan", cst.Name("True"))
    return new, ""


def _reference(
    ctx: fx.FixContext, diag: Diagnostic, entry: torch_api.TorchDeprecation
) -> fx.Edit | None:
    """A deprecated API named without being called: a rename, or a bare decorator."""
    node = ctx.find(diag, cst.Attribute, cst.Name)
    if node is None:
        return None
    found = spelled(ctx, diag)
    if found is None:
        return None
    if entry.shape is Shape.RENAME and not entry.keywords:
        return fx.Edit(node, fx.parse_expression(found[0]), found[1], safety=Fix.SAFE)
    if entry.shape is Shape.DEVICE_KEYWORD and isinstance(ctx.parent(node), cst.Decorator):
        decorator = fx.parse_expression(f'{found[0]}(device_type="{entry.device}")')
        return fx.Edit(node, decorator, found[1], safety=Fix.SAFE)
    return None


def _reduction(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``nn.MSELoss(size_average=False)`` -> ``nn.MSELoss(reduction="sum")``."""
    reduction = diag.get("reduction")
    call = ctx.find(diag, cst.Call)
    if reduction is None or call is None:
        return None
    new = call
    for name in ("size_average", "reduce"):
        arg = fx.keyword_arg(new, name)
        if arg is not None:
            new = fx.remove_arg(new, arg)
    given = fx.keyword_arg(new, "reduction")
    if given is not None:
        new = new.with_changes(
            args=[a.with_changes(value=_string(reduction)) if a is given else a for a in new.args]
        )
    else:
        new = fx.add_keyword(new, "reduction", _string(reduction))
    return fx.Edit(call, new, safety=Fix.SAFE)


def _torchvision_weights(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """``resnet50(pretrained=True)`` -> ``resnet50(weights="IMAGENET1K_V1")`` (the weights
    torchvision documents as what ``pretrained=True`` stands for); ``False`` -> ``None``."""
    call = ctx.find(diag, cst.Call)
    table = torchvision_weights.LEGACY_WEIGHTS.get(diag.get("api") or "")
    if call is None or not table:
        return None
    new = call
    positional = [a for a in call.args if a.keyword is None]
    for legacy, current, default in table:
        arg = fx.keyword_arg(new, legacy)
        if arg is None and legacy == "pretrained" and diag.get("positional") == "yes":
            arg = positional[0] if len(positional) == 1 and not positional[0].star else None
        if arg is None:
            continue
        if fx.keyword_arg(new, current) is not None:
            return None
        value = _literal(arg.value)
        if value is False:
            replacement: cst.BaseExpression = cst.Name("None")
        elif value is True and default is not None:
            replacement = _string(default)
        else:
            return None
        renamed = arg.with_changes(keyword=cst.Name(current), value=replacement)
        if arg.keyword is None:  # ``resnet50(True)``: a keyword now, spelled without spaces
            space = cst.SimpleWhitespace("")
            renamed = renamed.with_changes(
                equal=cst.AssignEqual(whitespace_before=space, whitespace_after=space)
            )
        new = new.with_changes(args=[renamed if a is arg else a for a in new.args])
    if new is call:
        return None
    return fx.Edit(call, new, safety=Fix.SAFE)


def _string(value: str) -> cst.SimpleString:
    return cst.SimpleString(f'"{value}"')


def _literal(node: cst.BaseExpression) -> bool | None | str:
    """``True``/``False``/``None`` for those literals (in parentheses too, as ``ast`` reads
    them: the rule decides the fix so), ``"other"`` for anything else."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    return "other"


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None]


def _with_keywords(call: cst.Call, names: tuple[str, ...]) -> cst.Call | None:
    """``call`` with its positional arguments after the first ``skip`` turned into keywords
    named ``names`` (``None`` when there are too many, or a starred one)."""
    args: list[cst.Arg] = []
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            args.append(arg)
            continue
        if index >= len(names):
            return None
        args.append(
            arg.with_changes(
                keyword=cst.Name(names[index]),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
        index += 1
    return call.with_changes(args=args)


def _prepend(call: cst.Call, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``value`` as its new first argument."""
    first = cst.Arg(value=value)
    if not call.args:
        return call.with_changes(args=[first])
    return call.with_changes(
        args=[
            first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            *call.args,
        ]
    )


FIXES = {"ML412": deprecated_torch_api}
FIXABLE = {"ML412": fix_applies}
