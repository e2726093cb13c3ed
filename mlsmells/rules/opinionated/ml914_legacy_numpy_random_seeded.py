"""ML914 legacy-numpy-random-seeded: the legacy global NumPy random functions in a module
that seeds them (ML102's other half), and their fix (``_legacy_random``)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule
from mlsmells.rules.reproducibility._legacy_random import (
    FIX_SAFETY,
    FIX_SUMMARY,
    MESSAGE,
    LegacyRandomUses,
    legacy_random,
    legacy_random_applies,
)

RULE = Rule(
    code="ML914",
    name="legacy-numpy-random-seeded",
    pylint_id="C7694",
    family=Family.OPINIONATED,
    message=MESSAGE,
    summary=(
        "A legacy `numpy.random` function in a module that seeds the global RandomState "
        "(`np.random.seed(s)`): a NumPy `Generator` is the modern API."
    ),
    rationale=(
        "NEP 19 made the module-level functions of `numpy.random` legacy: they share one "
        "hidden `RandomState` that any library or other part of the program may draw from "
        "or seed, so `np.random.seed(s)` at the top of a script reproduces a run only as "
        "long as nothing else changes the order of the draws. NumPy recommends an "
        "explicit `Generator` (`rng = np.random.default_rng(seed)`) passed to the code "
        "that needs randomness, which is also faster and has better statistical "
        "properties. This rule takes the modules ML102 leaves out: those that seed the "
        "global generator with a seed (`np.random.seed(s)`, anywhere in the module) and "
        "draw from it. It reports every use of the legacy functions there, the seed call "
        "included, and offers the same fix as ML102; the two rules never report the same "
        "module."
    ),
    bad=(
        "np.random.seed(0)\n"
        "noise = np.random.randn(100, 3)\n"
        "idx = np.random.randint(0, 100, size=10)\n"
    ),
    good=(
        "rng = np.random.default_rng(0)\n"
        "noise = rng.standard_normal((100, 3))\n"
        "idx = rng.integers(0, 100, size=10)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=FIX_SUMMARY,
    fix_safety=FIX_SAFETY,
    default_enabled=False,
    noise=(
        "A seeded module is reproducible as it stands (in a given NumPy version, with the "
        "same order of draws): moving it to a Generator is modernisation, and it changes "
        "every random number the program draws."
    ),
)


class LegacyNumpyRandomSeeded(LegacyRandomUses):
    """ML914: the legacy global NumPy random functions, in a module that seeds them."""

    rules = (RULE,)
    seeded = True


FIXES = {"ML914": legacy_random}
FIXABLE = {"ML914": legacy_random_applies}
