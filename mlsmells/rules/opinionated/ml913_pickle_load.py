"""ML913 pickle-load: any pickle-based load, whatever the data's origin."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules.scripts._pickle import LOAD_NAMES, PICKLE_ROOTS, pickle_load

RULE = Rule(
    code="ML913",
    name="pickle-load",
    pylint_id="C7693",
    family=Family.OPINIONATED,
    message="`{load}` is a pickle-based load: it runs any code the file holds",
    summary="Data is loaded with pickle (or a library that unpickles).",
    rationale=(
        "A pickle holds instructions to rebuild objects, and loading one runs them: a "
        "data file that was swapped, shared or downloaded can run any code. Formats that "
        "hold data only (safetensors, `np.save` without objects, Parquet, JSON, skops "
        "for scikit-learn models) cannot. The loads are those of ML801, whatever the "
        "data's origin: `pickle.load/loads`, `joblib.load`, `pd.read_pickle`, `dill` and "
        "`cloudpickle` loads, `np.load` with `allow_pickle=True` (a literal or a name "
        "bound to one) and `torch.load` with `weights_only=False`. `np.load` without "
        "`allow_pickle` and `torch.load(..., weights_only=True)` do not unpickle "
        "objects and are not reported; a `torch.load` without `weights_only` is ML401's."
    ),
    bad='with open("features.pkl", "rb") as f:\n    features = pickle.load(f)\n',
    good='features = pd.read_parquet("features.parquet")\n',
    default_enabled=False,
    noise=(
        "Most pickles a project loads are files it wrote itself a moment earlier (caches, "
        "fitted scikit-learn models, preprocessed data), which is safe as long as nobody "
        "else can write them; ML801 reports the loads of downloaded data."
    ),
)


class PickleLoad(Check):
    """ML913: a pickle-based load."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = PICKLE_ROOTS
    words = tuple(LOAD_NAMES)
    call_names = LOAD_NAMES

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if pickle_load(self.model, node) is not None:
            self.report("ML913", node, load=self.ctx.source_of(node.func))
