"""The arguments of a ``torch.utils.data.DataLoader`` call (ML104 and ML906)."""

from __future__ import annotations

import ast

from mlsmells.rules._util import keyword

_DATALOADER = "torch.utils.data.DataLoader"


#: DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, ...,
#: generator) -- positions of the parameters the rules look at.
_LOADER_POSITIONS = {"shuffle": 2, "sampler": 3, "batch_sampler": 4, "num_workers": 5}
_LOADER_GENERATOR_POSITION = 12


def loader_argument(call: ast.Call, name: str, positional: bool) -> ast.expr | None:
    """The argument ``name`` of a loader call: by keyword, or (``positional``) at its
    position in ``DataLoader``'s signature."""
    found = keyword(call, name)
    if found is not None:
        return found.value
    index = _LOADER_POSITIONS.get(name)
    if positional and index is not None and len(call.args) > index:
        return call.args[index]
    return None
