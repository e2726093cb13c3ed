"""Build hook: with ``MLSMELLS_COMPILE=1``, the engine and the semantic model are compiled
with mypyc (the release build; see docs/performance.md). Without it, or where a compiled
module is missing, the same modules run as plain Python: the results are identical."""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

#: The packages whose modules are compiled: the walk, the semantic model, the project index,
#: the data flow and the rules. ``engine/check.py`` stays Python (the rules subclass its
#: classes, which compiled classes would have to allow), and so do the modules that define
#: a class inside a function (their fixes' libcst transformers: mypyc compiles no such class).
COMPILED = ("mlsmells/engine", "mlsmells/semantic", "mlsmells/rules")
NOT_COMPILED = frozenset(
    {
        "mlsmells/engine/check.py",
        "mlsmells/rules/reproducibility/_legacy_random.py",
        "mlsmells/rules/torch/_activations.py",
        "mlsmells/rules/torch/_functorch.py",
    }
)


def compiled_modules() -> list[str]:
    here = Path(__file__).parent
    found = (
        p.relative_to(here).as_posix()
        for package in COMPILED
        for p in sorted((here / package).rglob("*.py"))
        if p.name != "__init__.py"
    )
    return [module for module in found if module not in NOT_COMPILED]


def ext_modules() -> list[object]:
    if os.environ.get("MLSMELLS_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # (only for a compiled build)

    # (the shared library of the compiled modules goes inside the package)
    return list(mypycify(compiled_modules(), opt_level="3", group_name="mlsmells._compiled"))


setup(ext_modules=ext_modules())
