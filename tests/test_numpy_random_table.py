"""The table of ML102 and ML914 against the installed NumPy, and what each mapped call returns.

- The table names exactly the legacy functions of ``numpy.random``
  (``numpy.random.mtrand.__all__`` without the ``RandomState`` class).
- Each entry's parameters are the legacy function's; for a ``SAME`` mapping
  they are the leading parameters of the Generator method, with the same
  defaults, so every legacy call keeps its meaning after the rename.
- Each mapped call, run before and after the fix with real NumPy, returns
  the same type, shape and dtype, and values in the same range.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mlsmells.data import numpy_random
from mlsmells.data.numpy_random import LEGACY, Shape
from mlsmells.fixes.apply import fix_source


def test_the_table_names_every_legacy_function() -> None:
    legacy = set(np.random.mtrand.__all__) - {"RandomState"}
    assert set(LEGACY) == legacy


@pytest.mark.parametrize(
    "name", sorted(n for n, e in LEGACY.items() if e.shape in (Shape.SAME, Shape.CLOSED))
)
def test_parameters_are_the_legacy_ones(name: str) -> None:
    if name in ("ranf", "sample"):
        # Aliases with (*args, **kwargs): they draw exactly what random_sample draws.
        np.random.seed(3)  # noqa: ML914 - the legacy state is what is compared
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alias = getattr(np.random, name)(size=4)
        np.random.seed(3)  # noqa: ML914
        assert np.array_equal(alias, np.random.random_sample(size=4))  # noqa: ML914
        assert LEGACY[name].params == LEGACY["random_sample"].params
        return
    signature = inspect.signature(getattr(np.random, name))
    assert tuple(signature.parameters) == LEGACY[name].params


def _default(value: object) -> object:
    if isinstance(value, type):
        return np.dtype(value)  # randint's dtype=int is integers' dtype=np.int64
    return value


@pytest.mark.parametrize("name", sorted(n for n, e in LEGACY.items() if e.shape is Shape.SAME))
def test_same_mapping_keeps_every_parameter(name: str) -> None:
    entry = LEGACY[name]
    legacy_function = getattr(np.random.RandomState, entry.name, None)
    legacy = inspect.signature(legacy_function or np.random.sample)  # noqa: ML914
    generator = inspect.signature(getattr(np.random.Generator, entry.method))
    new = [p for p in generator.parameters.values() if p.name != "self"]
    assert [p.name for p in new[: len(entry.params)]] == list(entry.params)
    old = {p.name: p for p in legacy.parameters.values() if p.name != "self"}
    for param in new[: len(entry.params)]:
        if param.name in old:
            assert _default(param.default) == _default(old[param.name].default), param.name
    # Parameters the Generator adds after them all have defaults.
    assert all(p.default is not inspect.Parameter.empty for p in new[len(entry.params) :])


def test_generator_factory_exists() -> None:
    module, _, name = numpy_random.FACTORY.rpartition(".")
    assert module == "numpy.random" and callable(getattr(np.random, name))


# ------------------------------------------------------- mapped calls, run
Check = Callable[[Any], bool]


def _within(low: float, high: float) -> Check:
    return lambda r: bool(np.all((np.asarray(r) >= low) & (np.asarray(r) <= high)))


def _below(low: float, high: float) -> Check:
    return lambda r: bool(np.all((np.asarray(r) >= low) & (np.asarray(r) < high)))


def _finite(r: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(r, dtype=float))))


def _positive(r: Any) -> bool:
    return bool(np.all(np.asarray(r) >= 0))


#: legacy call (after ``np.random.``) -> a check of the support of its values.
CALLS: dict[str, Check] = {
    "rand()": _below(0, 1),
    "rand(400)": _below(0, 1),
    "rand(40, 3)": _below(0, 1),
    "rand(*np.zeros((2, 5)).shape)": _below(0, 1),
    "rand(2, *(3, 4))": _below(0, 1),
    "randn()": _finite,
    "randn(40, 3)": _finite,
    "randint(5)": _below(0, 5),
    "randint(0, 5, size=1000)": _below(0, 5),
    "randint(-3, 3, (10, 10), dtype=np.int8)": _below(-3, 3),
    "random_integers(6, size=2000)": lambda r: set(np.unique(r)) == set(range(1, 7)),
    "random_integers(2, 5, 2000)": lambda r: set(np.unique(r)) == {2, 3, 4, 5},
    "random_integers(low=1, high=10 - 1, size=500)": _within(1, 9),
    "random()": _below(0, 1),
    "random((3, 2))": _below(0, 1),
    "random_sample(size=7)": _below(0, 1),
    "ranf(5)": _below(0, 1),
    "sample(5)": _below(0, 1),
    "choice(10, size=50)": _below(0, 10),
    "choice(['a', 'b', 'c'], 2, False, None)": lambda r: set(r) <= {"a", "b", "c"},
    "choice(4, 3, replace=True, p=[0.1, 0.2, 0.3, 0.4])": _below(0, 4),
    "permutation(10)": lambda r: sorted(r) == list(range(10)),
    "permutation(np.arange(6).reshape(3, 2))": lambda r: sorted(r.ravel()) == list(range(6)),
    "bytes(8)": lambda r: isinstance(r, bytes) and len(r) == 8,
    "beta(2.0, 3.0, size=100)": _within(0, 1),
    "binomial(10, 0.5, size=100)": _within(0, 10),
    "chisquare(2, size=100)": _positive,
    "dirichlet([1.0, 2.0, 3.0], size=10)": lambda r: bool(np.allclose(r.sum(axis=1), 1)),
    "exponential(2.0, size=100)": _positive,
    "exponential()": _positive,
    "f(5, 10, size=100)": _positive,
    "gamma(2.0, 1.0, size=100)": _positive,
    "geometric(0.3, size=100)": lambda r: bool(np.all(r >= 1)),
    "gumbel(0.0, 1.0, size=100)": _finite,
    "hypergeometric(10, 5, 4, size=100)": _within(0, 4),
    "laplace(size=100)": _finite,
    "logistic(1.0, 2.0, 100)": _finite,
    "lognormal(0.0, 1.0, size=100)": lambda r: bool(np.all(r > 0)),
    "logseries(0.5, size=100)": lambda r: bool(np.all(r >= 1)),
    "multinomial(10, [0.2, 0.3, 0.5], size=5)": lambda r: bool(np.all(r.sum(axis=1) == 10)),
    "multivariate_normal([0, 0], [[1, 0], [0, 1]], size=5)": _finite,
    "negative_binomial(5, 0.5, size=100)": _positive,
    "noncentral_chisquare(3, 2.0, size=100)": _positive,
    "noncentral_f(3, 20, 3.0, size=100)": _positive,
    "normal(0.0, 1.0, size=(3, 2))": _finite,
    "normal(5)": _finite,
    "pareto(3.0, size=100)": _positive,
    "poisson(3.0, size=100)": _positive,
    "power(5.0, size=100)": _within(0, 1),
    "rayleigh(1.0, size=100)": _positive,
    "standard_cauchy(size=100)": _finite,
    "standard_exponential(size=100)": _positive,
    "standard_gamma(2.0, size=100)": _positive,
    "standard_normal(size=(2, 3))": _finite,
    "standard_t(5, size=100)": _finite,
    "triangular(0.0, 0.5, 1.0, size=100)": _within(0, 1),
    "uniform(-1.0, 1.0, size=100)": _below(-1, 1),
    "uniform(high=3.0)": _below(0, 3),
    "vonmises(0.0, 4.0, size=100)": _within(-np.pi, np.pi),
    "wald(1.0, 2.0, size=100)": lambda r: bool(np.all(r > 0)),
    "weibull(2.0, size=100)": _positive,
    "zipf(2.0, size=100)": lambda r: bool(np.all(r >= 1)),
}


def _run(source: str) -> Any:
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # random_integers, ranf and sample are deprecated
        exec(compile(source, "snippet.py", "exec"), namespace)  # noqa: S102 - test snippets
    return namespace["result"]


def test_every_mapped_function_is_exercised() -> None:
    called = {call.partition("(")[0] for call in CALLS}
    mapped = {n for n, e in LEGACY.items() if e.shape in (Shape.SAME, Shape.DIMS, Shape.CLOSED)}
    assert mapped - {"shuffle"} <= called


@pytest.mark.parametrize("call", sorted(CALLS))
def test_mapped_call_keeps_shape_dtype_and_range(call: str) -> None:
    before = f"import numpy as np\nnp.random.seed(12)\nresult = np.random.{call}\n"
    fixed = fix_source(before, "snippet.py", frozenset({"ML914"}), unsafe=True)
    assert fixed.error is None
    after = fixed.source
    assert "np.random.seed" not in after and "rng = np.random.default_rng(12)" in after
    assert "result = rng." in after, after
    old, new = _run(before), _run(after)
    assert type(old) is type(new)
    assert np.shape(old) == np.shape(new)
    if isinstance(old, np.ndarray) or isinstance(old, np.generic):
        assert old.dtype == new.dtype
    assert CALLS[call](old), f"the check itself is wrong for the legacy {call}"
    assert CALLS[call](new)
    assert np.array_equal(np.asarray(new), np.asarray(_run(after)))  # seeded: reproducible


def test_shuffle_still_shuffles_in_place() -> None:
    before = (
        "import numpy as np\nnp.random.seed(1)\n"
        "result = np.arange(20).reshape(10, 2)\nnp.random.shuffle(result)\n"
    )
    after = fix_source(before, "snippet.py", frozenset({"ML914"}), unsafe=True).source
    assert "rng.shuffle(result)" in after
    old, new = _run(before), _run(after)
    assert old.shape == new.shape and old.dtype == new.dtype
    # Rows move as a whole (axis 0 in both), and every row is kept.
    assert sorted(map(tuple, new)) == sorted(map(tuple, np.arange(20).reshape(10, 2)))
    assert not np.array_equal(new, np.arange(20).reshape(10, 2))
