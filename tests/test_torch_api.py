"""The ML412 table agrees with the installed PyTorch: what it calls deprecated is, what it
calls removed raises, and every replacement exists."""

from __future__ import annotations

import importlib
import inspect
import itertools
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from mlsmells.data import torch_api  # noqa: E402
from mlsmells.data.torch_api import Shape, TorchDeprecation  # noqa: E402

try:
    import torchvision  # noqa: F401
except ImportError:  # torchvision is optional: its entries are checked where installed
    ENTRIES = [e for e in torch_api.DEPRECATED.values() if e.library != "torchvision"]
else:
    ENTRIES = list(torch_api.DEPRECATED.values())


def resolve(qualname: str) -> Any:
    """The object at ``qualname`` (importing the longest importable module prefix)."""
    parts = qualname.split(".")
    parent, _, last = qualname.rpartition(".")
    try:
        found = getattr(importlib.import_module(parent), last, None)
    except ImportError:
        found = None
    if found is not None and not inspect.ismodule(found):
        return found  # ``torch.nn.utils.weight_norm``: the function, not its module
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.qualname)
def test_entry_exists_and_cites_a_version(entry: TorchDeprecation) -> None:
    assert resolve(entry.qualname) is not None
    assert entry.version and entry.version[0].isdigit()
    assert entry.evidence and entry.replacement


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.target], ids=lambda e: e.qualname)
def test_replacement_exists(entry: TorchDeprecation) -> None:
    assert callable(resolve(entry.target))


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.removed], ids=lambda e: e.qualname)
def test_removed_apis_raise(entry: TorchDeprecation) -> None:
    function = resolve(entry.qualname)
    eye = torch.eye(2)
    with pytest.raises(RuntimeError, match=f"deprecated since version {entry.version}"):
        try:
            function(eye, eye)
        except TypeError:
            function(eye)


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if not e.removed and e.shape is not Shape.VARIABLE],
    ids=lambda e: e.qualname,
)
def test_deprecated_apis_say_so(entry: TorchDeprecation) -> None:
    obj = resolve(entry.qualname)
    wrapped = getattr(obj, "__wrapped__", obj)  # ``@contextlib.contextmanager``
    marked = getattr(obj, "__deprecated__", None) or getattr(wrapped, "__deprecated__", None)
    assert marked or "deprecated" in (inspect.getdoc(obj) or "").lower()


def test_variable_returns_a_detached_alias() -> None:
    """Why ``Variable(t)`` -> ``t`` is unsafe: Variable detached ``t``."""
    leaf = torch.randn(3, requires_grad=True)
    computed = leaf * 2
    wrapped = torch.autograd.Variable(computed)
    assert wrapped is not computed and wrapped.data_ptr() == computed.data_ptr()
    assert not wrapped.requires_grad and wrapped.grad_fn is None


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if e.shape is Shape.RENAME and e.qualname.startswith("torch.")],
    ids=lambda e: e.qualname,
)
def test_renamed_apis_forward_to_their_replacement(entry: TorchDeprecation) -> None:
    """The deprecated function's own code calls the replacement with its arguments."""
    obj = resolve(entry.qualname)
    target = entry.target.rsplit(".", 1)[1]
    if inspect.isbuiltin(obj):
        # ``torch.ger``: written in C++, documented as an alias of the replacement.
        assert f"Alias of :func:`{entry.target}`" in (obj.__doc__ or "")
        return
    source = inspect.getsource(inspect.unwrap(obj))
    if entry.qualname.startswith("torch.nn.init."):
        # ``normal = _make_deprecate(normal_)``: the wrapper calls the function it closes over.
        cells = [cell.cell_contents for cell in obj.__closure__ or ()]
        assert any(cell is resolve(entry.target) for cell in cells)
        return
    assert f"{target}(" in source or "_functional_call(" in source


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.qualname.startswith("functorch.")], ids=lambda e: e.qualname
)
def test_functorch_wrappers(entry: TorchDeprecation) -> None:
    from torch._functorch import deprecated

    message = deprecated.get_warning(entry.qualname.split(".")[1], replace_newlines=True)
    assert f"is deprecated as of PyTorch {entry.version}" in message


@pytest.mark.parametrize(
    ("size_average", "reduce"), list(itertools.product([None, True, False], repeat=2))
)
def test_legacy_reduction_matches_pytorch(size_average: bool | None, reduce: bool | None) -> None:
    from torch.nn import _reduction

    expected = _reduction.legacy_get_string(size_average, reduce, emit_warning=False)
    assert torch_api.legacy_reduction(size_average, reduce) == expected


def test_functions_without_deprecation_are_not_in_the_table() -> None:
    """F.sigmoid and F.tanh were un-deprecated: they neither warn nor say so."""
    import torch.nn.functional as F

    for name in ("sigmoid", "tanh"):
        assert f"torch.nn.functional.{name}" not in torch_api.DEPRECATED
        assert "deprecated" not in (getattr(F, name).__doc__ or "").lower()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            getattr(F, name)(torch.zeros(1))
