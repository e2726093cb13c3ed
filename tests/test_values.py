"""Values fixed in the file (mlsmells/semantic/values.py, the constants of the program
facts): literals, names bound to them, parameters every call passes the same literal,
and what must stay unknown."""

from __future__ import annotations

import ast
import textwrap
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.engine import Check
from mlsmells.semantic.scopes import Fixed

UNKNOWN = object()


class _Probe(Check):
    """Records the value of every expression statement (not registered as a rule)."""

    seen: ClassVar[dict[int, object]] = {}
    nodes = (ast.Expr,)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        found = self.model.constant(node.value)
        self.seen[node.lineno] = UNKNOWN if found is None else found.value  # the last walk's


def values(source: str) -> dict[int, object]:
    _Probe.seen = {}
    engine = registry.engine(frozenset())
    engine.checks = [_Probe]
    engine.run_source("import torch\n" + textwrap.dedent(source))
    return {line - 1: value for line, value in _Probe.seen.items()}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "True\n(1, 2)\n'a'\nx\n", {1: True, 2: UNKNOWN, 3: "a", 4: UNKNOWN}, id="literals"
        ),
        pytest.param(
            "flag = False\nflag\nnot flag\nflag is None\nflag is not False\n-3\n",
            {2: False, 3: True, 4: False, 5: False, 6: -3},
            id="names-and-operators",
        ),
        pytest.param(
            "sampler = None\nsampler is None\nsampler = make()\nsampler is None\n",
            {2: True, 4: UNKNOWN},
            id="source-order",
        ),
        pytest.param(
            "a = 1\nb = 'x'\na == 1 and b\na != 1 or b\nb if a else None\na < 2\n",
            {3: "x", 4: "x", 5: "x", 6: UNKNOWN},
            id="comparisons-and-branches",
        ),
        pytest.param("x = 1\nx is 1\n", {2: UNKNOWN}, id="identity-of-numbers-unknown"),
        pytest.param(
            """
            def make(ds, shuffle=False, *, drop=True):
                shuffle
                drop
            make(1, shuffle=True)
            make(2, True)
            """,
            {3: True, 4: True},
            id="every-call-passes-it",
        ),
        pytest.param(
            """
            def make(ds, shuffle=True):
                shuffle
            make(1)
            make(2, shuffle=True)
            """,
            {3: True},
            id="default-left",
        ),
        pytest.param(
            """
            def make(ds, shuffle=True):
                shuffle
            make(1)
            make(2, shuffle=False)
            """,
            {3: UNKNOWN},
            id="calls-disagree",
        ),
        pytest.param(
            """
            def make(ds, shuffle=True):
                shuffle
            make(1, shuffle=flag)
            """,
            {3: UNKNOWN},
            id="a-call-passes-an-unknown-value",
        ),
        pytest.param(
            """
            def make(ds, shuffle=True):
                shuffle
            """,
            {3: UNKNOWN},
            id="no-call",
        ),
        pytest.param(
            """
            import functools
            def make(ds, shuffle=True):
                shuffle
            make(1)
            later = functools.partial(make, shuffle=False)
            """,
            {4: UNKNOWN},
            id="passed-around",
        ),
        pytest.param(
            """
            @register
            def make(ds, shuffle=True):
                shuffle
            make(1)
            """,
            {4: UNKNOWN},
            id="decorated",
        ),
        pytest.param(
            """
            def make(ds, shuffle=True):
                shuffle
            make(1)
            make(*args)
            make(2, **options)
            """,
            {3: UNKNOWN},
            id="star-arguments",
        ),
        pytest.param(
            """
            class Data:
                def loader(self, shuffle=False):
                    shuffle
                    self.shuffle = shuffle
                def other(self):
                    self.shuffle
            data = Data()
            data.loader(shuffle=True)
            data.loader(True)
            """,
            {4: True},
            id="method-through-an-instance",
        ),
        pytest.param(
            """
            def make(ds, shuffle):
                shuffle
            def outer(flag):
                make(1, flag)
            outer(True)
            """,
            {3: UNKNOWN},
            id="one-level-only",
        ),
    ],
)
def test_constants(source: str, expected: dict[int, object]) -> None:
    found = values(source)
    assert {line: found.get(line) for line in expected} == expected


def test_fixed_values_compare_by_type() -> None:
    assert Fixed(True) != Fixed(1)
    assert Fixed(1) != Fixed(1.0)
    assert Fixed("a") == Fixed("a")
    assert len({Fixed(True), Fixed(1), Fixed(True)}) == 2
