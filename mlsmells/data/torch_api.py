"""PyTorch (and torchvision) APIs that are deprecated or removed: the table of ML412.

Every entry names the version that deprecated the API (for removed ones: the
version that deprecated it before the removal), the replacement, and whether
the replacement is documented as an *equivalent* -- only then does ML412 offer
a safe fix. Each claim was checked against PyTorch 2.13 itself (the runtime
warning or error the API emits, its docstring, and the source of the
deprecated wrapper, which shows what it forwards to); ``evidence`` says where.
Versions that the sources do not state come from the PyTorch release notes of
that version. ``tests/test_torch_api.py`` re-checks every entry against the
installed PyTorch: each deprecated API still warns (or is documented as
deprecated), each removed one raises, each replacement exists.

Every entry also carries ``deprecated_in``, ``removed_in`` and
``replacement_since``, read from the PyTorch (torchvision) releases themselves
by ``scripts/gen_api_tables.py`` (:func:`mlsmells.data.api_history.lifetime`;
see ``docs/api-tables.md``): the first release whose source or documentation
calls the API deprecated, the first without it (or in which it only raises),
the first with the replacement. PyTorch 1.4 is the oldest release examined: a
``deprecated_in`` of 1.4 means "1.4 or earlier" unless ``version`` (from the
release notes) is older, which then wins.

Deliberately absent:

* ``torch.nn.functional.sigmoid`` / ``tanh``: deprecated in 0.4.1, but the
  deprecation was withdrawn; in PyTorch 2.13 they neither warn nor are
  documented as deprecated (they return ``input.sigmoid()`` / ``input.tanh()``).
* ``torch.lu``: its documentation calls it deprecated, but it is built by
  ``boolean_dispatch`` and none of the releases' sources says from when.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from mlsmells.data.api_history import lifetime, version_key


class Shape(enum.Enum):
    """How a call of the deprecated API is rewritten (the fixes know each shape)."""

    NONE = "none"
    """No mechanical rewrite: the message names the replacement."""
    RENAME = "rename"
    """Same arguments, another callable (``clip_grad_norm`` -> ``clip_grad_norm_``);
    also valid for a reference that is not called."""
    DEVICE_FIRST = "device-first"
    """``torch.cuda.amp.GradScaler(a, b)`` -> ``torch.amp.GradScaler("cuda", a, b)``: the
    new callable takes the device first, then the old parameters in the same order."""
    AUTOCAST = "autocast"
    """``torch.cuda.amp.autocast(enabled, dtype, cache_enabled)`` ->
    ``torch.amp.autocast("cuda", enabled=..., dtype=..., cache_enabled=...)``: the old
    positional parameters become keywords (their order differs in the new one)."""
    DEVICE_KEYWORD = "device-keyword"
    """``torch.cuda.amp.custom_fwd(...)`` -> ``torch.amp.custom_fwd(..., device_type="cuda")``
    (a bare decorator ``@torch.cuda.amp.custom_fwd`` gets the call added)."""
    MULTI_DOT = "multi-dot"
    """``torch.chain_matmul(a, b, c)`` -> ``torch.linalg.multi_dot([a, b, c])`` (two or
    more matrices)."""
    QR = "qr"
    """``torch.qr(A)`` -> ``torch.linalg.qr(A)``; ``some=False`` -> ``mode="complete"``."""
    CHOLESKY = "cholesky"
    """``torch.cholesky(A)`` -> ``torch.linalg.cholesky(A)``; ``upper=True`` -> ``.mH``
    (that one is unsafe: the same factor up to rounding, not the same bits)."""
    VARIABLE = "variable"
    """``Variable(t)`` -> ``t`` (unsafe: ``Variable`` also detached ``t``)."""
    ASSERT_CLOSE = "assert-close"
    """``assert_allclose(a, b, ...)`` -> ``assert_close(a, b, ..., check_dtype=False)``
    (unsafe: other default tolerances)."""


@dataclass(frozen=True)
class TorchDeprecation:
    qualname: str
    """The canonical qualified name of the deprecated API."""
    version: str
    """The version that deprecated it (``library`` gives whose version)."""
    replacement: str
    """What to use instead, as the message shows it."""
    equivalent: bool
    """Whether the replacement is documented as doing the same (for the shape's rewrite)."""
    evidence: str
    """Where the deprecation, version and equivalence were checked."""
    shape: Shape = Shape.NONE
    target: str = ""
    """The qualified name the rewrite calls (for every shape but NONE, VARIABLE)."""
    device: str = ""
    """For DEVICE_FIRST, AUTOCAST and DEVICE_KEYWORD: the device argument to add."""
    keywords: tuple[tuple[str, str], ...] = ()
    """For RENAME: keyword arguments whose name changed too (old, new)."""
    removed: bool = False
    """Removed (calling it raises), rather than only deprecated."""
    library: str = "PyTorch"
    deprecated_in: str | None = None
    """The first release that calls it deprecated (its source, warning or docs)."""
    removed_in: str | None = None
    """The first release without it, or in which it only raises (None: still works)."""
    replacement_since: str | None = None
    """The first release that has ``target`` (None: no single replacement to call).
    ``torch.amp.GradScaler("cuda")`` needs PyTorch 2.3: a fix to it breaks older ones."""


def _linalg_removed(name: str, replacement: str) -> TorchDeprecation:
    return TorchDeprecation(
        f"torch.{name}",
        "1.9",
        replacement,
        False,
        "torch/_linalg_utils.py (2.13): raises 'This function was deprecated since version 1.9 "
        "and is now removed', with the migration shown here",
        removed=True,
    )


_AMP_EVIDENCE = (
    "torch/{device}/amp/{file}.py (2.13): FutureWarning '`torch.{device}.amp.{name}(args...)` "
    "is deprecated. Please use `torch.amp.{new}` instead.'; the old class only forwards to "
    "the new one with device {quoted}. Deprecated in the 2.4 release."
)


def _amp(device: str, name: str, shape: Shape, file: str) -> TorchDeprecation:
    new = {
        Shape.AUTOCAST: f"autocast('{device}', args...)",
        Shape.DEVICE_FIRST: f"GradScaler('{device}', args...)",
        Shape.DEVICE_KEYWORD: f"{name}(args..., device_type='{device}')",
    }[shape]
    target = f"torch.amp.{name}"
    replacement = {
        Shape.AUTOCAST: f'`torch.amp.autocast("{device}", ...)`',
        Shape.DEVICE_FIRST: f'`torch.amp.GradScaler("{device}", ...)`',
        Shape.DEVICE_KEYWORD: f'`torch.amp.{name}(..., device_type="{device}")`',
    }[shape]
    evidence = _AMP_EVIDENCE.format(
        device=device, file=file, name=name, new=new, quoted=repr(device)
    )
    return TorchDeprecation(
        f"torch.{device}.amp.{name}",
        "2.4",
        replacement,
        True,
        evidence,
        shape=shape,
        target=target,
        device=device,
    )


_INIT_FUNCTIONS = (
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
)  # fmt: skip

_FUNCTORCH_TRANSFORMS = {
    "vmap": "torch.vmap",
    "grad": "torch.func.grad",
    "grad_and_value": "torch.func.grad_and_value",
    "vjp": "torch.func.vjp",
    "jvp": "torch.func.jvp",
    "jacrev": "torch.func.jacrev",
    "jacfwd": "torch.func.jacfwd",
    "hessian": "torch.func.hessian",
    "functionalize": "torch.func.functionalize",
}

_FUNCTORCH_EVIDENCE = (
    "torch/_functorch/deprecated.py (2.13): FutureWarning '`functorch.{name}` is deprecated "
    "as of PyTorch 2.0 ... Please use `{new}` instead'; the wrapper forwards every argument "
    "to the torch.func implementation"
)

_TABLE: tuple[TorchDeprecation, ...] = (
    TorchDeprecation(
        "torch.autograd.Variable",
        "0.4.0",
        "the tensor itself (`Variable(t)` returns a detached alias of `t`)",
        False,
        "autograd docs: 'The Variable API has been deprecated: Variables are no longer "
        "necessary to use autograd with tensors' (0.4.0 merged Variable into Tensor); "
        "2.13: Variable(t) returns a new leaf sharing t's storage, without t's history",
        shape=Shape.VARIABLE,
    ),
    _amp("cuda", "autocast", Shape.AUTOCAST, "autocast_mode"),
    _amp("cpu", "autocast", Shape.AUTOCAST, "autocast_mode"),
    _amp("cuda", "GradScaler", Shape.DEVICE_FIRST, "grad_scaler"),
    _amp("cpu", "GradScaler", Shape.DEVICE_FIRST, "grad_scaler"),
    _amp("cuda", "custom_fwd", Shape.DEVICE_KEYWORD, "autocast_mode"),
    _amp("cuda", "custom_bwd", Shape.DEVICE_KEYWORD, "autocast_mode"),
    _linalg_removed("solve", "`torch.linalg.solve(A, B)` (arguments reversed)"),
    _linalg_removed("lstsq", "`torch.linalg.lstsq(A, B).solution` (arguments reversed)"),
    _linalg_removed(
        "symeig",
        "`torch.linalg.eigh(A, UPLO=...)` or `torch.linalg.eigvalsh` (lower triangle by default)",
    ),
    _linalg_removed("eig", "`torch.linalg.eig` or `torch.linalg.eigvals` (complex results)"),
    _linalg_removed("matrix_rank", "`torch.linalg.matrix_rank` (`symmetric` is now `hermitian`)"),
    TorchDeprecation(
        "torch.chain_matmul",
        "1.9",
        "`torch.linalg.multi_dot([...])` (a list of the matrices)",
        True,
        "2.13 UserWarning: 'torch.chain_matmul is deprecated ... Use torch.linalg.multi_dot "
        "instead, which accepts a list of two or more tensors rather than multiple "
        "parameters'; deprecated with the 1.9 torch.linalg release",
        shape=Shape.MULTI_DOT,
        target="torch.linalg.multi_dot",
    ),
    TorchDeprecation(
        "torch.qr",
        "1.9",
        '`torch.linalg.qr(A)` (`some=False` is `mode="complete"`)',
        True,
        "2.13 UserWarning and docstring: 'Q, R = torch.qr(A, some) should be replaced with "
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')'; deprecated in 1.9",
        shape=Shape.QR,
        target="torch.linalg.qr",
    ),
    TorchDeprecation(
        "torch.cholesky",
        "1.9",
        "`torch.linalg.cholesky(A)` (`upper=True` is `torch.linalg.cholesky(A).mH`)",
        True,
        "2.13 UserWarning: 'L = torch.cholesky(A) should be replaced with L = "
        "torch.linalg.cholesky(A) and U = torch.cholesky(A, upper=True) ... with "
        "torch.linalg.cholesky(A).mH. This transform will produce equivalent results for all "
        "valid (symmetric positive definite) inputs'; deprecated in 1.9",
        shape=Shape.CHOLESKY,
        target="torch.linalg.cholesky",
    ),
    TorchDeprecation(
        "torch.nn.utils.clip_grad_norm",
        "0.4.0",
        "`torch.nn.utils.clip_grad_norm_`",
        True,
        "torch/nn/utils/clip_grad.py (2.13): FutureWarning '`torch.nn.utils.clip_grad_norm` "
        "is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`'; it returns "
        "clip_grad_norm_(...) with the same arguments; deprecated in 0.4.0",
        shape=Shape.RENAME,
        target="torch.nn.utils.clip_grad_norm_",
    ),
    *(
        TorchDeprecation(
            f"torch.nn.init.{name}",
            "0.4.0",
            f"`torch.nn.init.{name}_`",
            True,
            f"torch/nn/init.py (2.13): {name} = _make_deprecate({name}_), which warns "
            f"'`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`' and calls "
            f"{name}_ with the same arguments; deprecated in 0.4.0",
            shape=Shape.RENAME,
            target=f"torch.nn.init.{name}_",
        )
        for name in _INIT_FUNCTIONS
    ),
    TorchDeprecation(
        "torch.nn.functional.upsample",
        "0.4.1",
        "`torch.nn.functional.interpolate`",
        True,
        "torch/nn/functional.py (2.13): warns '`nn.functional.upsample` is deprecated. Use "
        "`nn.functional.interpolate` instead.' and returns interpolate(input, size, "
        "scale_factor, mode, align_corners) -- the same first five parameters; interpolate "
        "replaced it in 0.4.1",
        shape=Shape.RENAME,
        target="torch.nn.functional.interpolate",
    ),
    TorchDeprecation(
        "torch.testing.assert_allclose",
        "1.12",
        "`torch.testing.assert_close` (stricter default tolerances; checks dtypes unless "
        "`check_dtype=False`)",
        False,
        "torch/testing/_comparison.py (2.13): 'torch.testing.assert_allclose() is deprecated "
        "since 1.12'; it calls assert_close with its own default tolerances, check_dtype=False "
        "and equal_nan=True",
        shape=Shape.ASSERT_CLOSE,
        target="torch.testing.assert_close",
    ),
    TorchDeprecation(
        "torch.nn.utils.stateless.functional_call",
        "2.0",
        "`torch.func.functional_call`",
        True,
        "torch/nn/utils/stateless.py (2.13): FutureWarning '`torch.nn.utils.stateless."
        "functional_call` is deprecated as of PyTorch 2.0 ... Please use `torch.func."
        "functional_call` instead'; both call stateless._functional_call with the same "
        "(module, parameters, args, kwargs, tie_weights, strict); the second parameter is "
        "named parameter_and_buffer_dicts in the new one",
        shape=Shape.RENAME,
        target="torch.func.functional_call",
        keywords=(("parameters_and_buffers", "parameter_and_buffer_dicts"),),
    ),
    TorchDeprecation(
        "torch.range",
        "1.4",
        "`torch.arange(start, end + step, step)` (`range` includes `end`, `arange` does not)",
        False,
        "torch/_torch_docs.py: 'This function is deprecated and will be removed in a future "
        "release because its behavior is inconsistent with Python's range builtin. Instead, "
        "use torch.arange, which produces values in [start, end)'",
    ),
    TorchDeprecation(
        "torch.ger",
        "1.7",
        "`torch.outer`",
        True,
        "torch/_torch_docs.py: 'Alias of torch.outer ... This function is deprecated and will "
        "be removed in a future PyTorch release. Use torch.outer instead'",
        shape=Shape.RENAME,
        target="torch.outer",
    ),
    TorchDeprecation(
        "torch.norm",
        "1.8",
        "`torch.linalg.vector_norm`, `torch.linalg.matrix_norm` or `torch.linalg.norm`",
        False,
        "torch/functional.py: 'torch.norm is deprecated and may be removed in a future "
        "PyTorch release. Its documented behavior and implementation are inconsistent with "
        "it. Use torch.linalg.vector_norm() ... torch.linalg.matrix_norm()'",
    ),
    TorchDeprecation(
        "torch.svd",
        "1.8",
        "`torch.linalg.svd` (returns `Vh`, not `V`; `some=False` is `full_matrices=True`)",
        False,
        "torch/_torch_docs.py: 'torch.svd is deprecated in favor of torch.linalg.svd'",
    ),
    TorchDeprecation(
        "torch.triangular_solve",
        "1.11",
        "`torch.linalg.solve_triangular` (arguments reversed, `upper` is keyword-only)",
        False,
        "torch/_torch_docs.py: 'torch.triangular_solve is deprecated in favor of "
        "torch.linalg.solve_triangular'",
    ),
    TorchDeprecation(
        "torch.lu_solve",
        "1.13",
        "`torch.linalg.lu_solve(LU, pivots, B)` (arguments reordered)",
        False,
        "torch/_torch_docs.py: 'torch.lu_solve is deprecated in favor of "
        "torch.linalg.lu_solve'",
    ),
    TorchDeprecation(
        "torch.backends.cuda.sdp_kernel",
        "2.3",
        "`torch.nn.attention.sdpa_kernel` (takes a list of `SDPBackend`s, not flags)",
        False,
        "torch/backends/cuda/__init__.py: FutureWarning 'torch.backends.cuda.sdp_kernel() is "
        "deprecated. In the future, this context manager will be removed. Please see "
        "torch.nn.attention.sdpa_kernel() for the new context manager'",
    ),
    TorchDeprecation(
        "torch.nn.utils.weight_norm",
        "2.1",
        "`torch.nn.utils.parametrizations.weight_norm` (the weights become "
        "`parametrizations.weight.original0/1`)",
        False,
        "torch/nn/utils/weight_norm.py: 'This function is deprecated. Use "
        "torch.nn.utils.parametrizations.weight_norm which uses the modern parametrization "
        "API'",
    ),
    TorchDeprecation(
        "torch.nn.UpsamplingNearest2d",
        "1.4",
        '`torch.nn.Upsample(size, scale_factor, mode="nearest")`',
        True,
        "torch/nn/modules/upsampling.py: 'This class is deprecated in favor of "
        ":func:`~nn.functional.interpolate`'; it is an Upsample with mode='nearest'",
    ),
    TorchDeprecation(
        "torch.nn.UpsamplingBilinear2d",
        "1.4",
        '`torch.nn.Upsample(size, scale_factor, mode="bilinear", align_corners=True)`',
        True,
        "torch/nn/modules/upsampling.py: 'This class is deprecated in favor of "
        ":func:`~nn.functional.interpolate`. It is equivalent to nn.functional.interpolate("
        "..., mode='bilinear', align_corners=True)'",
    ),
    TorchDeprecation(
        "torchvision.transforms.v2.ToTensor",
        "0.16",
        "`v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`",
        False,
        "torchvision/transforms/v2/_deprecated.py: 'The transform `ToTensor()` is deprecated "
        "and will be removed in a future release. Instead, please use `v2.Compose([v2."
        "ToImage(), v2.ToDtype(torch.float32, scale=True)])`'",
        library="torchvision",
    ),
    TorchDeprecation(
        "torch.set_default_tensor_type",
        "2.1",
        "`torch.set_default_dtype()` and `torch.set_default_device()`",
        False,
        "2.13 UserWarning and docstring: 'deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives'",
    ),
    *(
        TorchDeprecation(
            f"functorch.{name}",
            "2.0",
            f"`{new}`",
            True,
            _FUNCTORCH_EVIDENCE.format(name=name, new=new),
            shape=Shape.RENAME,
            target=new,
        )
        for name, new in _FUNCTORCH_TRANSFORMS.items()
    ),
    *(
        TorchDeprecation(
            f"functorch.{name}",
            "2.0",
            f"`{new}`",
            False,
            _FUNCTORCH_EVIDENCE.format(name=name, new=new) + " (a different API)",
        )
        for name, new in (
            ("make_functional", "torch.func.functional_call"),
            ("make_functional_with_buffers", "torch.func.functional_call"),
            ("combine_state_for_ensemble", "torch.func.stack_module_state"),
        )
    ),
)

#: Replacements the releases are searched for under another name than ``target``.
_NEW_PROBES = {
    "torch.range": "torch.arange",
    "torch.norm": "torch.linalg.vector_norm",
    "torch.svd": "torch.linalg.svd",
    "torch.triangular_solve": "torch.linalg.solve_triangular",
    "torch.lu_solve": "torch.linalg.lu_solve",
    "torch.backends.cuda.sdp_kernel": "torch.nn.attention.sdpa_kernel",
    "torch.nn.utils.weight_norm": "torch.nn.utils.parametrizations.weight_norm",
    "torch.nn.UpsamplingNearest2d": "torch.nn.Upsample",
    "torch.nn.UpsamplingBilinear2d": "torch.nn.Upsample",
    "torchvision.transforms.v2.ToTensor": "torchvision.transforms.v2.ToImage",
    "torch.solve": "torch.linalg.solve",
    "torch.lstsq": "torch.linalg.lstsq",
    "torch.symeig": "torch.linalg.eigh",
    "torch.eig": "torch.linalg.eig",
    "torch.matrix_rank": "torch.linalg.matrix_rank",
    "torch.set_default_tensor_type": "torch.set_default_dtype",
    "torch.autograd.Variable": "torch.Tensor",
}


def _dated(entry: TorchDeprecation) -> TorchDeprecation:
    library = "torchvision" if entry.library == "torchvision" else "torch"
    new = _NEW_PROBES.get(entry.qualname, entry.target)
    life = lifetime(
        library, f"attr:{entry.qualname}", f"attr:{new}" if new else None, documented=entry.version
    )
    deprecated_in = life.deprecated_in
    if deprecated_in is not None and version_key(entry.version) < version_key(deprecated_in):
        deprecated_in = entry.version  # the release notes know older releases than examined
    return dataclasses.replace(
        entry,
        deprecated_in=deprecated_in,
        removed_in=life.removed_in,
        replacement_since=life.replacement_since,
    )


#: Deprecated APIs by canonical qualified name.
DEPRECATED: dict[str, TorchDeprecation] = {entry.qualname: _dated(entry) for entry in _TABLE}

# ---------------------------------------------------------------- argument forms

#: ``size_average=`` / ``reduce=`` on a loss: deprecated in 0.4.1 by ``reduction=``.
LEGACY_REDUCTION = TorchDeprecation(
    "size_average/reduce",
    "0.4.1",
    "`reduction=`",
    True,
    "torch/nn/_reduction.py (2.13): legacy_get_string warns 'size_average and reduce args "
    "will be deprecated, please use reduction=... instead' and maps them to the reduction "
    "string (both None or True: 'mean'; reduce False: 'none'; else 'sum'), which then "
    "replaces any `reduction=`; `reduction` arrived in 0.4.1",
)


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """The ``reduction`` that ``size_average``/``reduce`` stand for (as PyTorch maps them)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


#: Softmax-like functions and modules whose implicit ``dim`` is deprecated (0.3.0).
IMPLICIT_DIM = TorchDeprecation(
    "implicit softmax dim",
    "0.3.0",
    "an explicit `dim=`",
    False,
    "torch/nn/functional.py (2.13): _get_softmax_dim warns 'Implicit dimension choice for "
    "{name} has been deprecated. Change the call to include dim=X as an argument.' and "
    "guesses 0 or 1 from the number of dimensions; `dim` arrived in 0.3.0",
)
IMPLICIT_DIM_FUNCTIONS = frozenset(
    {
        "torch.nn.functional.softmax",
        "torch.nn.functional.softmin",
        "torch.nn.functional.log_softmax",
    }
)
IMPLICIT_DIM_MODULES = frozenset({"torch.nn.Softmax", "torch.nn.Softmin", "torch.nn.LogSoftmax"})

#: torchvision's ``pretrained=`` / ``pretrained_backbone=``: deprecated in torchvision 0.13.
TORCHVISION_PRETRAINED = TorchDeprecation(
    "torchvision pretrained",
    "0.13",
    "`weights=`",
    True,
    "torchvision/models/_utils.py (0.29.1): handle_legacy_interface warns 'The parameter "
    "'pretrained' is deprecated since 0.13' and 'The current behavior is equivalent to "
    "passing `weights=<default>`' (None for pretrained=False); weights given by name "
    '(`weights="IMAGENET1K_V1"`) are accepted by every builder',
    library="torchvision",
)


def _dated_form(
    entry: TorchDeprecation, library: str, old: str, new: str | None
) -> TorchDeprecation:
    life = lifetime(library, old, new, documented=entry.version)
    return dataclasses.replace(
        entry,
        deprecated_in=entry.version,  # older than the releases examined: the release notes
        removed_in=life.removed_in,
        replacement_since=life.replacement_since,
    )


LEGACY_REDUCTION = _dated_form(
    LEGACY_REDUCTION,
    "torch",
    "param:torch.nn.functional.mse_loss:size_average",
    "param:torch.nn.functional.mse_loss:reduction",
)
IMPLICIT_DIM = _dated_form(
    IMPLICIT_DIM, "torch", "attr:torch.nn.functional._get_softmax_dim", None
)
TORCHVISION_PRETRAINED = _dated_form(
    TORCHVISION_PRETRAINED,
    "torchvision",
    "attr:torchvision.models._utils.handle_legacy_interface",
    "attr:torchvision.models.ResNet50_Weights",
)

# ------------------------------------------------------------- usages of objects

#: ``it.next()`` on a DataLoader's iterator: Python 2's spelling, removed in PyTorch 1.13.
LOADER_NEXT = TorchDeprecation(
    "DataLoader iterator .next()",
    "1.13",
    "`next(iterator)`",
    True,
    "torch/utils/data/dataloader.py: _BaseDataLoaderIter defined `next = __next__  # Python "
    "2 compatibility` up to 1.12 and 1.13 dropped it (AttributeError), with no warning "
    "before; the builtin `next` calls the same `__next__`",
    removed=True,
)
#: ``verbose=`` of the learning-rate schedulers: deprecated in PyTorch 2.2.
SCHEDULER_VERBOSE = TorchDeprecation(
    "verbose of LR schedulers",
    "2.2",
    "nothing: print `scheduler.get_last_lr()` where the rate is wanted",
    False,
    "torch/optim/lr_scheduler.py (2.2): `verbose` defaults to \"deprecated\", and a value "
    "given warns 'The verbose parameter is deprecated. Please use get_last_lr() to access "
    "the learning rate.'; 2.7 removed the parameter (TypeError)",
    removed=True,
)
#: ``scheduler.step(epoch)``: deprecated in PyTorch 1.4 (``ReduceLROnPlateau.step(metrics)``
#: is another method: its argument is the metric).
SCHEDULER_EPOCH = TorchDeprecation(
    "scheduler.step(epoch)",
    "1.4",
    "`scheduler.step()` once per epoch (the epoch is counted by the scheduler)",
    False,
    "torch/optim/lr_scheduler.py: EPOCH_DEPRECATION_WARNING 'The epoch parameter in "
    "`scheduler.step()` was not necessary and is being deprecated where possible. Please "
    "use `scheduler.step()` to step the scheduler.' (1.4 release notes); a closed form "
    "where the scheduler has one",
)
#: torchvision's MNIST datasets (and subclasses): ``train_data`` ... renamed in 0.2.2.
MNIST_RENAMED: dict[str, str] = {
    "train_data": "data",
    "test_data": "data",
    "train_labels": "targets",
    "test_labels": "targets",
}
MNIST_CLASSES = frozenset(
    f"torchvision.datasets.{name}"
    for name in ("MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST")
)
MNIST_ATTRIBUTES = TorchDeprecation(
    "torchvision MNIST train_data/train_labels/test_data/test_labels",
    "0.2.2",
    "`.data` / `.targets`",
    True,
    "torchvision/datasets/mnist.py: the properties warn '<name> has been renamed data' "
    "('... targets') and return self.data / self.targets (pytorch/vision#742, torchvision "
    "0.2.2)",
    library="torchvision",
)


def _dated_usage(
    entry: TorchDeprecation, library: str, old: str, new: str | None
) -> TorchDeprecation:
    life = lifetime(library, old, new, documented=entry.version)
    deprecated_in = life.deprecated_in
    if deprecated_in is not None and version_key(entry.version) < version_key(deprecated_in):
        deprecated_in = entry.version  # older than the releases examined: the release notes
    return dataclasses.replace(
        entry,
        deprecated_in=deprecated_in,
        removed_in=life.removed_in,
        replacement_since=life.replacement_since,
    )


LOADER_NEXT = _dated_usage(
    LOADER_NEXT, "torch", "member:_BaseDataLoaderIter|_DataLoaderIter:next", None
)
SCHEDULER_VERBOSE = _dated_usage(
    SCHEDULER_VERBOSE, "torch", "param:torch.optim.lr_scheduler.StepLR:verbose", None
)
SCHEDULER_EPOCH = _dated_usage(
    SCHEDULER_EPOCH, "torch", "attr:torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING", None
)
MNIST_ATTRIBUTES = _dated_usage(
    MNIST_ATTRIBUTES, "torchvision", "member:MNIST:train_labels", "fitted:MNIST:targets"
)
