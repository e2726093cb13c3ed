"""What seeds torch's global generator (ML104 and ML907 are silent in a module that does)."""

from __future__ import annotations

import ast

from mlsmells.rules.torch._common import _identifier, _words
from mlsmells.semantic.model import SemanticModel

#: Calls that seed torch's global generator (the DataLoader's shuffling draws from it).
_TORCH_SEEDING = frozenset(
    {
        "torch.manual_seed",
        "torch.random.manual_seed",
        "torch.default_generator.manual_seed",
        "lightning.seed_everything",
        "lightning.pytorch.seed_everything",
        "lightning.fabric.seed_everything",
        "lightning.fabric.utilities.seed.seed_everything",
        "lightning.pytorch.utilities.seed.seed_everything",
        "lightning_fabric.seed_everything",
        "lightning_fabric.utilities.seed.seed_everything",
        "transformers.set_seed",
        "transformers.trainer_utils.set_seed",
        "transformers.enable_full_determinism",
        "transformers.trainer_utils.enable_full_determinism",
        "accelerate.utils.set_seed",
        "accelerate.utils.random.set_seed",
    }
)
#: Libraries whose seeding functions do not seed torch.
_OTHER_RNG_ROOTS = ("random.", "numpy.", "tensorflow.", "jax.", "builtins.", "torch.")


def seeds_torch(model: SemanticModel, call: ast.Call) -> bool:
    """Whether ``call`` seeds torch globally, or calls a helper named like a seeding one
    (``set_seed(args.seed)``, ``seed_everything(42)``) that the rule cannot see into."""
    qualname = model.qualname(call.func)
    if qualname in _TORCH_SEEDING:
        return True
    if qualname is not None and qualname.startswith(_OTHER_RNG_ROOTS):
        return False
    identifier = _identifier(call.func)
    if identifier is None or identifier in ("initial_seed", "manual_seed"):
        return False  # g.manual_seed(0): a local generator, not the global one
    if "seed" not in identifier.lower():
        return False  # cheap: most callees are not named so
    return bool(_words(identifier) & {"seed", "seeds"})
