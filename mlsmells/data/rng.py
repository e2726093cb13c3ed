"""Global random generators: the calls that draw from them and the calls that seed them.

Three hidden global generators matter to tests of ML code: Python's ``random``
module, NumPy's legacy ``numpy.random`` state (not the ``Generator`` objects of
``default_rng``) and torch's default generator. Each table maps a qualified name to
the generator it draws from, or to the generators it seeds. Local generators made
without a seed (``default_rng()``, ``RandomState()``, ``random.Random()``) draw from
operating-system entropy: nothing global seeds them.
"""

from __future__ import annotations

import re

from mlsmells.data.numpy_random import LEGACY, Shape

RANDOM = "random"
NUMPY = "numpy"
TORCH = "torch"
#: The global generators.
GLOBAL = frozenset({RANDOM, NUMPY, TORCH})
#: What an unseeded local generator draws from (nothing seeds it but its own seed).
ENTROPY = "entropy"

_RANDOM_DRAWS = (
    "betavariate", "binomialvariate", "choice", "choices", "expovariate", "gammavariate",
    "gauss", "getrandbits", "lognormvariate", "normalvariate", "paretovariate",
    "randbytes", "randint", "random", "randrange", "sample", "shuffle", "triangular",
    "uniform", "vonmisesvariate", "weibullvariate",
)  # fmt: skip
_TORCH_DRAWS = (
    "bernoulli", "multinomial", "normal", "poisson", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm",
)  # fmt: skip
#: ``torch.nn.init`` functions that fill a tensor with random values.
_TORCH_INIT_DRAWS = (
    "kaiming_normal_", "kaiming_uniform_", "normal_", "orthogonal_", "sparse_",
    "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_",
)  # fmt: skip

#: Qualified name -> the global generator a call of it draws from.
DRAWS: dict[str, str] = {f"random.{name}": RANDOM for name in _RANDOM_DRAWS}
DRAWS.update(
    {
        f"numpy.random.{name}": NUMPY
        for name, entry in LEGACY.items()
        if entry.shape not in (Shape.SEED, Shape.STATE)
    }
)
DRAWS.update({f"torch.{name}": TORCH for name in _TORCH_DRAWS})
DRAWS.update({f"torch.nn.init.{name}": TORCH for name in _TORCH_INIT_DRAWS})

#: Tensor methods that fill the tensor in place with values drawn from torch's generator
#: (unless given ``generator=``).
TENSOR_DRAW_METHODS = frozenset(
    {
        "bernoulli_", "cauchy_", "exponential_", "geometric_", "log_normal_", "normal_",
        "random_", "uniform_",
    }
)  # fmt: skip

_ALL = GLOBAL
#: Qualified name -> the global generators a call of it (with a seed argument) seeds.
SEEDING: dict[str, frozenset[str]] = {
    "random.seed": frozenset({RANDOM}),
    "random.setstate": frozenset({RANDOM}),
    "numpy.random.seed": frozenset({NUMPY}),
    "numpy.random.set_state": frozenset({NUMPY}),
    "torch.manual_seed": frozenset({TORCH}),
    "torch.random.manual_seed": frozenset({TORCH}),
    "torch.set_rng_state": frozenset({TORCH}),
    "torch.random.set_rng_state": frozenset({TORCH}),
    # Helpers of the ML libraries that seed all three.
    "lightning.seed_everything": _ALL,
    "lightning.pytorch.seed_everything": _ALL,
    "lightning.fabric.seed_everything": _ALL,
    "lightning.fabric.utilities.seed.seed_everything": _ALL,
    "lightning.pytorch.utilities.seed.seed_everything": _ALL,
    "lightning_fabric.seed_everything": _ALL,
    "lightning_fabric.utilities.seed.seed_everything": _ALL,
    "transformers.set_seed": _ALL,
    "transformers.trainer_utils.set_seed": _ALL,
    "transformers.enable_full_determinism": _ALL,
    "transformers.trainer_utils.enable_full_determinism": _ALL,
    "accelerate.utils.set_seed": _ALL,
    "accelerate.utils.random.set_seed": _ALL,
}

#: Local generators seeded from operating-system entropy when made without a seed:
#: qualified name -> its seed parameter.
LOCAL_GENERATORS: dict[str, str] = {
    "numpy.random.default_rng": "seed",
    "numpy.random.RandomState": "seed",
    "random.Random": "x",
}

#: Methods of a local generator (NumPy ``Generator`` or ``RandomState``, ``random.Random``)
#: that draw from it.
LOCAL_DRAW_METHODS = frozenset(
    {
        *_RANDOM_DRAWS,
        *(name for name, entry in LEGACY.items() if entry.shape not in (Shape.SEED, Shape.STATE)),
        "integers", "permuted", "multivariate_hypergeometric",
    }
)  # fmt: skip

#: Roots whose functions are never an opaque seeding helper (their seeding functions are
#: in :data:`SEEDING`; anything else of theirs seeds nothing global).
_LIBRARY_ROOTS = ("random.", "numpy.", "torch.", "builtins.", "tensorflow.", "jax.")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def seeded_by(qualname: str | None, identifier: str | None, method: bool) -> frozenset[str]:
    """The global generators a call seeds, from its qualified name or, for a function of
    some other library or of the project (``set_seed(0)``, ``seed_everything(42)``,
    ``utils.fix_seeds()``), from its name (``identifier``): a seeding helper the rules
    cannot see into counts as seeding all three. ``method``: the callee is a method of
    an object (``g.manual_seed(0)`` seeds that generator, not the global ones)."""
    if qualname is not None:
        found = SEEDING.get(qualname)
        if found is not None:
            return found
        if qualname.startswith(_LIBRARY_ROOTS):
            return frozenset()
    if identifier is None or "seed" not in identifier.lower():
        return frozenset()
    if method and identifier in ("initial_seed", "manual_seed", "seed"):
        return frozenset()
    words = {word.lower() for word in _WORD.findall(identifier)}
    return _ALL if words & {"seed", "seeds"} else frozenset()
