"""What some containers hold: the batches of a ``DataLoader`` (also through a progress bar
or ``next(iter(loader))``) and the elements of an annotated sequence (``List[Tensor]``).

Helpers of :class:`~mlsmells.semantic.model.SemanticModel`, which they are given.
"""

from __future__ import annotations

import ast
from typing import Protocol

from mlsmells.semantic import kinds as K
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.scopes import Binding


class KindModel(Protocol):
    """What these helpers use of :class:`~mlsmells.semantic.model.SemanticModel`."""

    def lookup(self, name: str) -> Binding | None: ...

    def qualname(self, expr: ast.expr) -> str | None: ...

    def kind_of(self, expr: ast.expr) -> Kind | None: ...

    def annotation_kind(self, annotation: ast.expr) -> Kind | None: ...


def progress_source(model: KindModel, iterable: ast.expr) -> ast.expr:
    """What a progress bar iterates (``tqdm(loader)``, or a name bound to one: the
    ``loader``), else ``iterable`` itself."""
    call: ast.AST | None = iterable
    if isinstance(iterable, ast.Name):
        binding = model.lookup(iterable.id)
        call = binding.node if binding is not None and binding.kind is None else None
    if (
        isinstance(call, ast.Call)
        and call.args
        and not isinstance(call.args[0], ast.Starred)
        and model.qualname(call.func) in K.PROGRESS_WRAPPERS
    ):
        return call.args[0]
    return iterable


def collates_by_default(model: KindModel, loader: ast.expr) -> bool:
    """Whether the ``DataLoader`` ``loader`` (a call, or a name bound to one here) was not
    given a ``collate_fn`` (unseen, as for a parameter or in ``**kwargs``: assumed not)."""
    call: ast.AST | None = loader
    if isinstance(loader, ast.Name):
        binding = model.lookup(loader.id)
        call = binding.node if binding is not None else None
    if not isinstance(call, ast.Call):
        return True
    return not any(kw.arg == "collate_fn" and not _is_none(kw.value) for kw in call.keywords)


def next_batch(model: KindModel, iterator: ast.expr) -> Kind | None:
    """``next(iter(loader))``: a batch of the DataLoader ``loader``."""
    if not (
        isinstance(iterator, ast.Call)
        and iterator.args
        and model.qualname(iterator.func) == "builtins.iter"
    ):
        return None
    loader = progress_source(model, iterator.args[0])
    if model.kind_of(loader) is Kind.DATALOADER and collates_by_default(model, loader):
        return Kind.BATCH
    return None


def is_item_key(key: ast.expr) -> bool:
    """A constant position or key (``batch[0]``, ``batch[-1]``, ``batch["image"]``)."""
    if isinstance(key, ast.UnaryOp) and isinstance(key.op, ast.USub):
        key = key.operand
    return isinstance(key, ast.Constant) and type(key.value) in (int, str)


def annotation_element_kind(model: KindModel, annotation: ast.expr) -> Kind | None:
    """The kind of the elements of a list, tuple or sequence annotation
    (``List[torch.Tensor]``, ``tuple[Tensor, Tensor]``, ``Sequence[pd.DataFrame]``)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if not isinstance(annotation, ast.Subscript):
        return None
    base = model.qualname(annotation.value)
    if base == "typing.Optional":
        return annotation_element_kind(model, annotation.slice)
    if base not in K.SEQUENCE_ANNOTATIONS:
        return None
    items = annotation.slice
    elements = items.elts if isinstance(items, ast.Tuple) else [items]
    kinds = {
        model.annotation_kind(e)
        for e in elements
        if not (isinstance(e, ast.Constant) and e.value is Ellipsis)
    }
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind if kind in K.ELEMENT_KINDS else None


def _is_none(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value is None
