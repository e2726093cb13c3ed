"""Rule implementations, one module per family; importing this package registers them."""

from mlsmells.rules import (  # noqa: F401
    leakage,
    numpy,
    opinionated,
    pandas,
    reproducibility,
    sklearn,
    torch,
)
