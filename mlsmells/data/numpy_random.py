"""The legacy global NumPy random functions and their ``Generator`` equivalents (ML102).

Every function of ``numpy.random`` that draws from, seeds or manages the hidden
global ``RandomState`` (``numpy.random.mtrand.__all__`` without the
``RandomState`` class; NEP 19 calls them "legacy"), with the method of a
``numpy.random.Generator`` that draws the same distribution, and how the call's
arguments map onto it. Written from the signatures of NumPy 2.4;
``tests/test_numpy_random_table.py`` checks them against the installed NumPy:
the names are exactly the legacy ones, each ``SAME`` mapping's parameters are
the leading parameters of the Generator method (same names, same defaults),
and each mapped call returns the same shape, dtype and range as the legacy one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Shape(enum.Enum):
    """How a legacy call's arguments become the Generator call's."""

    SAME = "same"
    """The same parameters in the same order: only the function changes
    (``randint(a, b)`` -> ``rng.integers(a, b)``)."""
    DIMS = "dims"
    """Dimensions as separate arguments become one ``size`` tuple
    (``rand(2, 3)`` -> ``rng.random((2, 3))``)."""
    CLOSED = "closed"
    """A closed interval becomes a half-open one: ``random_integers(a, b)`` ->
    ``rng.integers(a, b + 1)``, ``random_integers(b)`` -> ``rng.integers(1, b + 1)``."""
    SEED = "seed"
    """``seed(s)`` is replaced by the generator itself: ``numpy.random.default_rng(s)``."""
    STATE = "state"
    """Reads or replaces the global state: a Generator has no equivalent call."""


@dataclass(frozen=True)
class Legacy:
    name: str
    """The function of ``numpy.random``."""
    shape: Shape
    method: str = ""
    """The ``Generator`` method (empty for SEED and STATE)."""
    params: tuple[str, ...] = ()
    """The legacy parameters, in order (empty for DIMS: ``*args`` of ints)."""
    scalar_dtype: str = ""
    """A ``dtype`` the Generator method needs to return the legacy function's type for a
    scalar (no ``size``): ``randint(5)`` is a Python int, ``integers(5)`` a ``numpy.int64``
    unless given ``dtype=int`` (the legacy default)."""


def _same(name: str, *params: str, method: str = "", scalar_dtype: str = "") -> Legacy:
    return Legacy(name, Shape.SAME, method or name, params, scalar_dtype)


_TABLE: tuple[Legacy, ...] = (
    Legacy("rand", Shape.DIMS, "random"),
    Legacy("randn", Shape.DIMS, "standard_normal"),
    _same("randint", "low", "high", "size", "dtype", method="integers", scalar_dtype="int"),
    Legacy("random_integers", Shape.CLOSED, "integers", ("low", "high", "size")),
    _same("random", "size"),
    _same("random_sample", "size", method="random"),
    _same("ranf", "size", method="random"),
    _same("sample", "size", method="random"),
    _same("choice", "a", "size", "replace", "p"),
    _same("shuffle", "x"),
    _same("permutation", "x"),
    _same("bytes", "length"),
    _same("beta", "a", "b", "size"),
    _same("binomial", "n", "p", "size"),
    _same("chisquare", "df", "size"),
    _same("dirichlet", "alpha", "size"),
    _same("exponential", "scale", "size"),
    _same("f", "dfnum", "dfden", "size"),
    _same("gamma", "shape", "scale", "size"),
    _same("geometric", "p", "size"),
    _same("gumbel", "loc", "scale", "size"),
    _same("hypergeometric", "ngood", "nbad", "nsample", "size"),
    _same("laplace", "loc", "scale", "size"),
    _same("logistic", "loc", "scale", "size"),
    _same("lognormal", "mean", "sigma", "size"),
    _same("logseries", "p", "size"),
    _same("multinomial", "n", "pvals", "size"),
    _same("multivariate_normal", "mean", "cov", "size", "check_valid", "tol"),
    _same("negative_binomial", "n", "p", "size"),
    _same("noncentral_chisquare", "df", "nonc", "size"),
    _same("noncentral_f", "dfnum", "dfden", "nonc", "size"),
    _same("normal", "loc", "scale", "size"),
    _same("pareto", "a", "size"),
    _same("poisson", "lam", "size"),
    _same("power", "a", "size"),
    _same("rayleigh", "scale", "size"),
    _same("standard_cauchy", "size"),
    _same("standard_exponential", "size"),
    _same("standard_gamma", "shape", "size"),
    _same("standard_normal", "size"),
    _same("standard_t", "df", "size"),
    _same("triangular", "left", "mode", "right", "size"),
    _same("uniform", "low", "high", "size"),
    _same("vonmises", "mu", "kappa", "size"),
    _same("wald", "mean", "scale", "size"),
    _same("weibull", "a", "size"),
    _same("zipf", "a", "size"),
    Legacy("seed", Shape.SEED, params=("seed",)),
    Legacy("get_state", Shape.STATE),
    Legacy("set_state", Shape.STATE),
    Legacy("get_bit_generator", Shape.STATE),
    Legacy("set_bit_generator", Shape.STATE),
)

#: Function name in ``numpy.random`` -> its entry.
LEGACY: dict[str, Legacy] = {entry.name: entry for entry in _TABLE}

#: Generator factories: ``numpy.random.default_rng(seed)`` makes the generator the fix uses.
FACTORY = "numpy.random.default_rng"


def legacy_function(qualname: str | None) -> Legacy | None:
    """The legacy entry ``qualname`` names (``numpy.random.rand``, ``numpy.random.mtrand.rand``)."""
    if qualname is None:
        return None
    for prefix in ("numpy.random.mtrand.", "numpy.random."):
        if qualname.startswith(prefix):
            return LEGACY.get(qualname[len(prefix) :])
    return None
