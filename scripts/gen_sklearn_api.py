"""Generate ``mlsmells/data/sklearn_api.py`` from the installed scikit-learn.

Run ``python scripts/gen_sklearn_api.py`` after upgrading scikit-learn; the test
``tests/test_sklearn_api.py`` fails when the committed module no longer matches
what this script produces for the installed version.

What is collected, by introspection only (no estimator is fitted):

* every public callable (class or function) whose signature has a
  ``random_state`` parameter defaulting to ``None`` -- omitting the argument
  then really means "a fresh seed on every run" (callables whose default is a
  fixed seed, such as ``permutation_test_score(random_state=0)``, are
  reproducible as called and are left out);
* the parameters of those callables that can be passed positionally, so a
  rule can tell whether a positional argument already supplies
  ``random_state`` (or a parameter its use depends on);
* for every public estimator class (``sklearn.utils.all_estimators``) whether
  it is a transformer (``transform`` or ``fit_transform``), a classifier, a
  regressor or a resampler, and every public cross-validation splitter class.

"Public" names are the import paths users write: a module none of whose dotted
components starts with an underscore (tests and vendored code excluded), and
in it a name listed in its ``__all__`` or, for modules without ``__all__``, a
name defined in that very module.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "mlsmells" / "data" / "sklearn_api.py"

_SKIPPED_COMPONENTS = frozenset({"tests", "conftest", "externals"})
#: Experimental features that add names to public modules once imported.
_ENABLERS = (
    "sklearn.experimental.enable_iterative_imputer",
    "sklearn.experimental.enable_halving_search_cv",
)


def _public_modules(sklearn: ModuleType) -> list[ModuleType]:
    modules = [sklearn]
    for info in pkgutil.walk_packages(sklearn.__path__, "sklearn."):
        parts = info.name.split(".")
        if any(p.startswith("_") or p in _SKIPPED_COMPONENTS for p in parts):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as exc:  # an optional dependency is missing
            print(f"skipped {info.name}: {exc}", file=sys.stderr)
    return sorted(modules, key=lambda m: m.__name__)


def _public_names(module: ModuleType) -> Iterable[tuple[str, Any]]:
    exported = getattr(module, "__all__", None)
    for name in sorted(set(exported) if exported is not None else dir(module)):
        if name.startswith("_"):
            continue
        obj = getattr(module, name, None)
        if obj is None or not callable(obj):
            continue
        if not getattr(obj, "__module__", "").startswith("sklearn"):
            continue
        if exported is None and obj.__module__ != module.__name__:
            continue
        yield f"{module.__name__}.{name}", obj


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _primary(names: list[str]) -> str:
    """The shortest public path (then the alphabetically first) names the object."""
    return min(names, key=lambda n: (n.count("."), len(n), n))


def collect() -> dict[str, Any]:
    import sklearn  # type: ignore[import-untyped]
    from sklearn.base import TransformerMixin  # type: ignore[import-untyped]
    from sklearn.model_selection import (  # type: ignore[import-untyped]
        BaseCrossValidator,
        BaseShuffleSplit,
    )
    from sklearn.utils import all_estimators  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for enabler in _ENABLERS:
            importlib.import_module(enabler)
        modules = _public_modules(sklearn)
        names_of: dict[int, list[str]] = {}
        objects: dict[int, Any] = {}
        for module in modules:
            for qualname, obj in _public_names(module):
                names_of.setdefault(id(obj), []).append(qualname)
                objects[id(obj)] = obj
        estimators = {id(cls) for _, cls in all_estimators()}
        by_type = {
            kind: {id(cls) for _, cls in all_estimators(type_filter=kind)}
            for kind in ("classifier", "regressor", "transformer")
        }

    random_state: dict[str, str] = {}
    positional: dict[str, tuple[str, ...]] = {}
    roles: dict[str, set[str]] = {
        role: set()
        for role in ("estimator", "classifier", "regressor", "transformer", "resampler", "splitter")
    }
    for key, obj in objects.items():
        names = sorted(set(names_of[key]))
        primary = _primary(names)
        # Abstract bases (``BaseShuffleSplit`` is not an ABC, hence the name test) are
        # never instantiated by users.
        abstract = inspect.isclass(obj) and (
            inspect.isabstract(obj) or obj.__name__.startswith("Base")
        )
        sig = _signature(obj)
        if sig is not None and not abstract:
            param = sig.parameters.get("random_state")
            if param is not None and param.default is None:
                for name in names:
                    random_state[name] = primary
                positional[primary] = tuple(
                    p.name
                    for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                )
        if not inspect.isclass(obj) or abstract:
            continue
        found: set[str] = set()
        if key in estimators:
            found.add("estimator")
            found.update(kind for kind in ("classifier", "regressor") if key in by_type[kind])
            if key in by_type["transformer"] or _defines_transform(obj, TransformerMixin):
                found.add("transformer")
            if callable(getattr(obj, "fit_resample", None)):
                found.add("resampler")
        elif issubclass(obj, (BaseCrossValidator, BaseShuffleSplit)) or (
            callable(getattr(obj, "split", None)) and callable(getattr(obj, "get_n_splits", None))
        ):
            found.add("splitter")
        for role in found:
            roles[role].update(names)
    return {
        "version": sklearn.__version__,
        "random_state": random_state,
        "positional": positional,
        "roles": roles,
    }


def _defines_transform(cls: type, mixin: type) -> bool:
    """A TransformerMixin, or ``transform``/``fit_transform`` is a plain method.

    Methods made conditional by ``available_if`` (``Pipeline``, the searches) do
    not count: whether they exist depends on the wrapped estimator.
    """
    if issubclass(cls, mixin):
        return True
    return any(
        inspect.isfunction(inspect.getattr_static(cls, name, None))
        for name in ("transform", "fit_transform")
    )


def _fit(line: str, head: str, tail: str) -> str:
    """``line`` if it fits in 100 columns, else ``head`` and ``tail`` on two lines."""
    return line if len(line) <= 100 else f"{head}\n{tail}"


def _frozenset(name: str, doc: str, items: set[str]) -> list[str]:
    if not items:
        return [f"#: {doc}", f"{name}: frozenset[str] = frozenset()", ""]
    lines = [f"#: {doc}", f"{name}: frozenset[str] = frozenset(", "    {"]
    lines += [f'        "{item}",' for item in sorted(items)]
    lines += ["    }", ")", ""]
    return lines


def render(data: dict[str, Any] | None = None) -> str:
    data = collect() if data is None else data
    roles: dict[str, set[str]] = data["roles"]
    out = [
        '"""scikit-learn API tables used by the rules (plain literals: importing this is cheap).',
        "",
        f"GENERATED by scripts/gen_sklearn_api.py from scikit-learn {data['version']}.",
        "Do not edit by hand: run `python scripts/gen_sklearn_api.py` and commit the result.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f'SKLEARN_VERSION = "{data["version"]}"',
        "",
        "#: Primary public names of the callables whose `random_state` parameter",
        "#: defaults to None (omitting it means a new seed on every run).",
        "RANDOM_STATE_CALLABLES: frozenset[str] = frozenset(",
        "    {",
    ]
    primaries = set(data["random_state"].values())
    out += [f'        "{name}",' for name in sorted(primaries)]
    out += [
        "    }",
        ")",
        "",
        "#: Other public names of those callables -> their primary name.",
        "RANDOM_STATE_ALIASES: dict[str, str] = {",
    ]
    for name, primary in sorted(data["random_state"].items()):
        if name != primary:
            line = f'    "{name}": "{primary}",'
            out.append(_fit(line, f'    "{name}":', f'        "{primary}",'))
    out += [
        "}",
        "",
        "#: Primary name -> the parameters that can be passed positionally, in order",
        "#: (``self`` excluded; absent: every parameter is keyword-only).",
        "POSITIONAL_PARAMS: dict[str, tuple[str, ...]] = {",
    ]
    for primary, params in sorted(data["positional"].items()):
        if params:
            inner = ", ".join(f'"{p}"' for p in params)
            inner += "," if len(params) == 1 else ""
            wrapped = "\n".join([f'    "{primary}": (', *(f'        "{p}",' for p in params)])
            out.append(_fit(f'    "{primary}": ({inner}),', wrapped, "    ),"))
    out += ["}", ""]
    out += _frozenset("ESTIMATORS", "Every public estimator class.", roles["estimator"])
    out += _frozenset("CLASSIFIERS", "Public classifier classes.", roles["classifier"])
    out += _frozenset("REGRESSORS", "Public regressor classes.", roles["regressor"])
    out += _frozenset(
        "TRANSFORMERS",
        "Public estimator classes that transform data\n"
        "#: (TransformerMixin, or their own `transform`/`fit_transform`).",
        roles["transformer"],
    )
    out += _frozenset(
        "RESAMPLERS", "Public estimator classes with `fit_resample`.", roles["resampler"]
    )
    out += _frozenset(
        "SPLITTERS",
        "Public cross-validation splitter classes (`split` + `get_n_splits`).",
        roles["splitter"],
    )
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run scripts/gen_sklearn_api.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
