"""ML102 and ML914, ML103 and ML105: decisions the fixtures cannot show line by line, and the facts
about the libraries the rules rely on."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.data import sklearn_api
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import fix_source
from mlsmells.rules.reproducibility.ml105_kfold_random_state_without_shuffle import (
    SHUFFLE_SPLITTERS,
)


def findings(code: str, source: str) -> list[Diagnostic]:
    return [d for d in registry.engine(frozenset({code})).run_source(source) if d.code == code]


# ------------------------------------------------------------- ML102 and ML914
LEGACY = frozenset({"ML102", "ML914"})
FIXTURES = Path(__file__).parent / "fixtures"


def legacy(source: str) -> list[Diagnostic]:
    """The findings of ML102 and ML914 (they share the detection and the fix)."""
    return registry.engine(LEGACY).run_source(source)


def test_ml102_seeding_only_module_is_silent() -> None:
    """A seed-everything helper seeds the global state for other code: no finding."""
    source = (
        "import random\nimport numpy as np\nimport torch\n\n"
        "def seed_everything(seed):\n"
        "    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n\n"
        "def checkpoint():\n    return {'numpy': np.random.get_state()}\n"
    )
    assert legacy(source) == []


@pytest.mark.parametrize(
    ("seed", "code"),
    [
        ("np.random.seed(0)\n", "ML914"),
        ("np.random.seed(seed=args.seed)\n", "ML914"),
        ("def main(seed):\n    np.random.seed(seed)\n", "ML914"),  # anywhere in the module
        ("", "ML102"),
        ("np.random.seed()\n", "ML102"),  # seeded from the operating system
        ("np.random.seed(None)\n", "ML102"),
        ("random.seed(0)\n", "ML102"),  # Python's generator, not NumPy's
        ("np.random.RandomState(0).seed(1)\n", "ML102"),  # a RandomState of its own
    ],
)
def test_a_module_that_seeds_is_ml914s_and_one_that_does_not_ml102s(seed: str, code: str) -> None:
    source = "import random\nimport numpy as np\n" + seed + "x = np.random.rand(3)\n"
    found = legacy(source)
    assert found and {d.code for d in found} == {code}
    assert [d.line for d in found if "`np.random.rand`" in d.message] == [source.count("\n")]


#: The ML102 findings (line, column) of the fixtures as they were before the rule was split
#: into ML102 and ML914 (the seeded ones were renamed to ML914 without a change of code).
_BEFORE_THE_SPLIT = {
    "rules/ML914.py": [
        (11, 0), (15, 4), (16, 14), (17, 9), (18, 8), (19, 9), (20, 11), (21, 7), (22, 10),
        (23, 8), (29, 14), (35, 4), (36, 19), (39, 0),
    ],
    "fix/ML914.in.py": [
        (6, 0), (7, 4), (8, 8), (9, 10), (10, 7), (12, 9), (13, 7), (14, 9), (15, 7), (16, 9),
        (17, 7), (23, 14), (29, 4), (30, 11),
    ],
    "fix/ML102_after_imports.in.py": [(12, 12), (16, 11), (25, 9)],
    "fix/ML914_import.in.py": [(6, 0), (7, 9)],
    "fix/ML914_left_alone.in.py": [
        (5, 0), (6, 4), (10, 12), (11, 8), (12, 4), (17, 4), (18, 11), (21, 10),
    ],
    "fix/ML914_reseed.in.py": [(7, 0), (8, 4), (9, 14), (12, 4), (13, 12)],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_BEFORE_THE_SPLIT))
def test_ml102_and_ml914_partition_the_old_findings(name: str) -> None:
    """ML102 and ML914 together report what ML102 reported before, each place once, and
    a module is all one rule's."""
    found = legacy((FIXTURES / name).read_text(encoding="utf-8"))
    places = [(d.line, d.col) for d in found]
    assert sorted(places) == _BEFORE_THE_SPLIT[name]
    assert len({d.code for d in found}) == 1


def _plan(source: str) -> dict[int, dict[str, str]]:
    return {d.line: dict(d.data) for d in legacy(source)}


def test_ml914_plan_seed_route_converts_the_module_at_once() -> None:
    plan = _plan("import numpy as np\nnp.random.seed(3)\nx = np.random.rand(2, 2)\n")
    assert plan[2]["create"] == "module" and plan[2]["rng"] == "rng"
    assert plan[2]["edits"] == "seed,2,0,2,17,np.random.default_rng;call,3,4,3,24,rand,"
    assert plan[3] == {"function": "rand", "role": "call"}  # the module edit does it


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
    found = legacy(source)
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
    seeded = _plan("import numpy as np\nnp.random.seed(0)\na = np.random.randint(5)\n")
    assert seeded[2]["edits"].endswith(",randint,int")


def test_ml914_fix_rewrites_nested_calls_at_once() -> None:
    source = "import numpy as np\nnp.random.seed(0)\n"
    source += "x = np.random.choice(np.random.randint(5, 9))\n"
    fixed = fix_source(source, "x.py", frozenset({"ML914"}), unsafe=True)
    assert fixed.source == (
        "import numpy as np\nrng = np.random.default_rng(0)\n"
        "x = rng.choice(rng.integers(5, 9, dtype=int))\n"
    )
    assert len(fixed.applied) >= 1 and not fixed.remaining


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
        "c = KFold(5, shuffle=0, random_state=1)\n"
    )
    data = {d.line: dict(d.data) for d in findings("ML105", source)}
    assert data[2]["shuffle"] == "missing"
    assert data[3] == {"shuffle": "False", "callee": "sklearn.model_selection.StratifiedGroupKFold"}
    assert data[4]["shuffle"] == "false"  # a false value, not the literal the fix replaces
