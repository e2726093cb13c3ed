"""ML907 torch-not-seeded, ML908 nondeterministic-algorithms: a training script left random."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import is_main_guard, keyword
from mlsmells.rules.torch._common import TORCH_FAMILY, _constructed_by
from mlsmells.rules.torch._loops import _innermost_function
from mlsmells.rules.torch._seeding import seeds_torch
from mlsmells.semantic.scopes import Scope, ScopeType

RULE_ML907 = Rule(
    code="ML907",
    name="torch-not-seeded",
    pylint_id="C7687",
    family=Family.OPINIONATED,
    message="this script trains with torch but never seeds it (`torch.manual_seed`)",
    summary=(
        "An entry-point script that trains a PyTorch model never calls "
        "`torch.manual_seed` (or an equivalent)."
    ),
    rationale=(
        "Weight initialisation, dropout masks, shuffling and augmentation all draw from "
        "torch's global generator; without a seed two runs of the same script give "
        "different models, and a regression cannot be told from noise. The rule looks at "
        'scripts only: a module with `if __name__ == "__main__":` or with training code '
        "at module level (notebooks), that calls `backward()` (or Lightning's "
        "`Trainer.fit`). It accepts `torch.manual_seed`, Lightning's `seed_everything`, "
        "`transformers.set_seed`, `accelerate.utils.set_seed` and any call of a function "
        "named like a seeding helper (`set_seed(args.seed)`). Reported on the first "
        "training call of each function that trains (and of the module level)."
    ),
    bad=(
        "def main():\n"
        "    model = Net()\n"
        "    for x, y in loader:\n"
        "        criterion(model(x), y).backward()\n"
        "        ...\n\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    ),
    good=("def main():\n    torch.manual_seed(0)\n    model = Net()\n    ...\n"),
    default_enabled=False,
    noise=(
        "Many projects seed in a shared configuration module or pass the seed through a "
        "framework the rule cannot see, and exploratory runs often want different seeds "
        "on purpose."
    ),
)


RULE_ML908 = Rule(
    code="ML908",
    name="nondeterministic-algorithms",
    pylint_id="C7688",
    family=Family.OPINIONATED,
    message="this script trains with torch without `torch.use_deterministic_algorithms(True)`",
    summary=("An entry-point training script does not enable PyTorch's deterministic algorithms."),
    rationale=(
        "Even with every seed fixed, several GPU kernels (scatter/index additions, some "
        "convolutions and interpolations) use atomics and give different results from "
        "run to run. `torch.use_deterministic_algorithms(True)` selects deterministic "
        "implementations or raises where none exists; `torch.backends.cudnn."
        "deterministic = True` only covers cuDNN. The rule looks at the same scripts as "
        "ML907 and accepts `torch.use_deterministic_algorithms(...)` with anything but a "
        "literal `False`, Lightning's `Trainer(deterministic=...)` and "
        "`transformers.enable_full_determinism`."
    ),
    bad="torch.manual_seed(0)\nfor x, y in loader:\n    criterion(model(x), y).backward()\n",
    good=(
        "torch.manual_seed(0)\n"
        "torch.use_deterministic_algorithms(True)\n"
        "for x, y in loader:\n"
        "    criterion(model(x), y).backward()\n"
    ),
    default_enabled=False,
    noise=(
        "Determinism costs speed, needs `CUBLAS_WORKSPACE_CONFIG` on CUDA, and raises for "
        "operations without a deterministic implementation; most training scripts "
        "reasonably accept run-to-run noise."
    ),
)


RULES = (RULE_ML907, RULE_ML908)


_LIGHTNING_TRAINERS = frozenset(
    {"lightning.Trainer", "lightning.pytorch.Trainer", "lightning.pytorch.trainer.Trainer"}
)
_DETERMINISM = frozenset(
    {"transformers.enable_full_determinism", "transformers.trainer_utils.enable_full_determinism"}
)


def _not_false(call: ast.Call, name: str, position: int | None) -> ast.expr | None:
    """The argument ``name`` when given and not a literal ``False``."""
    given = keyword(call, name)
    value = given.value if given is not None else None
    if value is None and position is not None and len(call.args) > position:
        value = call.args[position]
    if value is None or (isinstance(value, ast.Constant) and value.value is False):
        return None
    return value


class ScriptReproducibility(Check):
    """ML907: a training script that never seeds torch; ML908: one that does not enable
    deterministic algorithms."""

    rules = (RULE_ML907, RULE_ML908)
    nodes = (ast.Call, ast.If)
    requires = TORCH_FAMILY
    words = ("backward", "fit")  # a finding is reported at a training call (:meth:`_trains`)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.training: dict[int, ast.Call] = {}
        """id of a function (0: module level) -> its first training call."""
        self.entry_point = False
        self.seeded = False
        self.deterministic = False

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.If):
            if self.model.scope.type is ScopeType.MODULE and is_main_guard(node):
                self.entry_point = True
            return
        assert isinstance(node, ast.Call)
        if not self.seeded and seeds_torch(self.model, node):
            self.seeded = True
        qualname = self.model.qualname(node.func)
        if not self.deterministic and self._makes_deterministic(node, qualname):
            self.deterministic = True
        if self._trains(node, qualname):
            function = _innermost_function(self.ctx.ancestors)
            self.training.setdefault(id(function) if function is not None else 0, node)
            if function is None and not any(
                isinstance(a, (ast.ClassDef, ast.Lambda)) for a in self.ctx.ancestors
            ):
                self.entry_point = True  # training at module level: a script or notebook

    def _trains(self, call: ast.Call, qualname: str | None) -> bool:
        if isinstance(call.func, ast.Attribute) and call.func.attr == "backward":
            return True
        if qualname == "torch.autograd.backward":
            return True
        if isinstance(call.func, ast.Attribute) and call.func.attr == "fit":
            return _constructed_by(self.model, call.func.value) in _LIGHTNING_TRAINERS
        return False

    @staticmethod
    def _deterministic_trainer(call: ast.Call, qualname: str | None) -> bool:
        return (
            qualname in _LIGHTNING_TRAINERS and _not_false(call, "deterministic", None) is not None
        )

    def _makes_deterministic(self, call: ast.Call, qualname: str | None) -> bool:
        if qualname == "torch.use_deterministic_algorithms":
            return _not_false(call, "mode", 0) is not None
        if qualname in _DETERMINISM or self._deterministic_trainer(call, qualname):
            return True
        return qualname in ("accelerate.utils.set_seed", "accelerate.utils.random.set_seed") and (
            _not_false(call, "deterministic", 2) is not None
        )

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or not self.entry_point:
            return
        for call in self.training.values():
            if not self.seeded:
                self.report("ML907", call)
            if not self.deterministic:
                self.report("ML908", call)
