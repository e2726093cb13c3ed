"""ML102 legacy-numpy-random: the legacy global NumPy random functions in a module that
never seeds them, and their fix (shared with ML914: ``_legacy_random``)."""

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
    code="ML102",
    name="legacy-numpy-random",
    pylint_id="W7612",
    family=Family.REPRODUCIBILITY,
    message=MESSAGE,
    summary=(
        "A legacy `numpy.random` function (`np.random.seed`, `rand`, `randn`, `randint`, "
        "`choice`, `shuffle` ...) that uses the hidden global RandomState."
    ),
    rationale=(
        "The module-level functions of `numpy.random` share one hidden `RandomState`. In "
        "a module that never seeds it, every run draws different numbers: results cannot "
        "be reproduced, compared between runs or debugged. NEP 19 made these functions "
        "legacy: NumPy recommends an explicit `Generator` "
        "(`rng = np.random.default_rng(seed)`) passed to the code that needs randomness, "
        "which is also faster and has better statistical properties. The rule reports "
        "every use of the legacy functions in a module that draws from them and never "
        "seeds the global generator (no `np.random.seed(s)` with a seed, anywhere in the "
        "module; `seed()` and `seed(None)` seed from the operating system); `get_state` and "
        "`set_state` only with a draw too, since a module that only saves or restores the "
        "global state does it for other code. A module that seeds the global generator is "
        "reproducible as long as nothing else draws from it in between: moving it to a "
        "Generator is modernisation advice, the opt-in ML914 "
        "(`legacy-numpy-random-seeded`), which reports those modules and fixes them the "
        "same way."
    ),
    bad=(
        "noise = np.random.randn(100, 3)\n"
        "idx = np.random.randint(0, 100, size=10)\n"
        "weights = np.random.rand(3, 3)\n"
    ),
    good=(
        "rng = np.random.default_rng(0)\n"
        "noise = rng.standard_normal((100, 3))\n"
        "idx = rng.integers(0, 100, size=10)\n"
        "weights = rng.random((3, 3))\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=FIX_SUMMARY,
    fix_safety=FIX_SAFETY,
)


class LegacyNumpyRandom(LegacyRandomUses):
    """ML102: the legacy global NumPy random functions, in a module that never seeds them."""

    rules = (RULE,)
    seeded = False


FIXES = {"ML102": legacy_random}
FIXABLE = {"ML102": legacy_random_applies}
