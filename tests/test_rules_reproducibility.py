"""ML102, ML103 and ML105: decisions the fixtures cannot show line by line, and the facts
about the libraries the rules rely on."""

from __future__ import annotations

import warnings

import pytest

from mlsmells import registry
from mlsmells.data import sklearn_api
from mlsmells.diagnostics import Diagnostic
from mlsmells.rules.reproducibility.ml105_kfold_random_state_without_shuffle import (
    SHUFFLE_SPLITTERS,
)


def findings(code: str, source: str) -> list[Diagnostic]:
    return [d for d in registry.engine(frozenset({code})).run_source(source) if d.code == code]


# --------------------------------------------------------------------- ML102
def test_ml102_seeding_only_module_is_silent() -> None:
    """A seed-everything helper seeds the global state for other code: no finding."""
    source = (
        "import random\nimport numpy as np\nimport torch\n\n"
        "def seed_everything(seed):\n"
        "    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n\n"
        "def checkpoint():\n    return {'numpy': np.random.get_state()}\n"
    )
    assert findings("ML102", source) == []


def test_ml102_seed_is_reported_when_the_module_also_draws() -> None:
    source = "import numpy as np\nnp.random.seed(0)\nx = np.random.rand(3)\n"
    assert [d.line for d in findings("ML102", source)] == [2, 3]


def _plan(source: str) -> dict[int, dict[str, str]]:
    return {d.line: dict(d.data) for d in findings("ML102", source)}


def test_ml102_plan_seed_route() -> None:
    plan = _plan("import numpy as np\nnp.random.seed(3)\nx = np.random.rand(2, 2)\n")
    assert plan[2]["create"] == "seed" and plan[2]["factory"] == "np.random.default_rng"
    assert "rng" not in plan[3]  # calls wait for the generator to exist


def test_ml102_plan_existing_generator_is_reused() -> None:
    source = "import numpy as np\ngen = np.random.default_rng(1)\nx = np.random.randn(4)\n"
    assert _plan(source)[3]["rng"] == "gen"


def test_ml102_plan_generator_after_use_is_not_reused() -> None:
    source = "import numpy as np\nx = np.random.randn(4)\ngen = np.random.default_rng(1)\n"
    plan = _plan(source)[2]
    assert plan.get("rng") == "rng" and plan["create"] == "after"  # a new one, after imports


def test_ml102_plan_rebound_generator_name_is_not_reused() -> None:
    source = "import numpy as np\ngen = np.random.default_rng(1)\ngen = 5\nx = np.random.randn(4)\n"
    assert _plan(source)[4]["create"] == "after"


@pytest.mark.parametrize(
    "source",
    [
        # a use before the seed runs first
        "import numpy as np\nx = np.random.rand()\nnp.random.seed(0)\n",
        # a helper using the generator is called before the seed
        "import numpy as np\ndef f():\n    return np.random.rand()\nx = f()\nnp.random.seed(0)\n",
        # the seed call is inside a function
        "import numpy as np\ndef main():\n    np.random.seed(0)\n    return np.random.rand()\n",
        # a legacy function passed on, not called
        "import numpy as np\nnp.random.seed(0)\nf = np.random.rand\n",
        # the global state is saved and restored
        "import numpy as np\ns = np.random.get_state()\nx = np.random.rand()\n",
        # *args the mapping cannot see through
        "import numpy as np\nargs = (0, 1)\nnp.random.seed(0)\nx = np.random.normal(*args)\n",
        # no import statement to put the generator after
        "def f():\n    import numpy as np\n    return np.random.rand()\n",
    ],
)
def test_ml102_plan_all_or_nothing(source: str) -> None:
    found = findings("ML102", source)
    assert found
    assert all("create" not in dict(d.data) and "rng" not in dict(d.data) for d in found)


def test_ml102_fresh_name_avoids_every_identifier() -> None:
    source = "import numpy as np\nrng = 1\nnp_rng = 2\nx = np.random.rand()\n"
    assert _plan(source)[4]["rng"] == "generator"


def test_ml102_scalar_randint_keeps_python_int() -> None:
    source = "import numpy as np\ng = np.random.default_rng(0)\na = np.random.randint(5)\n"
    source += "b = np.random.randint(5, size=3)\n"
    plan = _plan(source)
    assert plan[3]["dtype"] == "int" and "dtype" not in plan[4]


# --------------------------------------------------------------------- ML103
def test_ml103_torch_generators_share_one_default_seed() -> None:
    """Why ML103 calls torch's fix unsafe: an unseeded Generator is not random at all."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(123)
    first, second = torch.Generator(), torch.Generator()
    assert first.initial_seed() == second.initial_seed()
    assert bool((torch.rand(3, generator=first) == torch.rand(3, generator=second)).all())


def test_ml103_data() -> None:
    source = (
        "import numpy as np\nimport torch\n"
        "a = np.random.default_rng()\nb = np.random.RandomState(seed=None)\n"
        "c = torch.utils.data.DataLoader([], generator=torch.Generator())\n"
    )
    data = {d.line: dict(d.data) for d in findings("ML103", source)}
    assert data[3] == {"library": "numpy", "seed": "missing", "param": "seed"}
    assert data[4]["seed"] == "none"
    assert data[5]["library"] == "torch"


# --------------------------------------------------------------------- ML105
def test_ml105_splitters_are_the_ones_that_raise() -> None:
    """Exactly the listed splitters reject random_state without shuffle=True."""
    model_selection = pytest.importorskip("sklearn.model_selection")
    for qualname in sorted(sklearn_api.SPLITTERS):
        cls = getattr(model_selection, qualname.rpartition(".")[2])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cls(random_state=0)
        except (TypeError, ValueError) as exc:
            raised = isinstance(exc, ValueError) and "shuffle" in str(exc)
        else:
            raised = False
        assert raised == (qualname in SHUFFLE_SPLITTERS), qualname
    for qualname in SHUFFLE_SPLITTERS:
        getattr(model_selection, qualname.rpartition(".")[2])(shuffle=True, random_state=0)


def test_ml105_data() -> None:
    source = (
        "from sklearn.model_selection import KFold, StratifiedGroupKFold\n"
        "a = KFold(5, random_state=1)\nb = StratifiedGroupKFold(3, False, 1)\n"
    )
    data = {d.line: dict(d.data) for d in findings("ML105", source)}
    assert data[2]["shuffle"] == "missing"
    assert data[3] == {"shuffle": "false", "callee": "sklearn.model_selection.StratifiedGroupKFold"}
