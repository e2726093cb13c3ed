"""The documentation of the ``[tool.mlsmells]`` keys, rendered into ``docs/configuration.md``
by :func:`mlsmells.docs.render_configuration` (the keys themselves, their parsers and
defaults are in :mod:`mlsmells.config`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlsmells import registry
from mlsmells.config import DEFAULT_EXCLUDE, DEFAULT_TEST_FILES, MAX_SEED


@dataclass(frozen=True)
class KeyDoc:
    """The documentation of one ``[tool.mlsmells]`` key, rendered into ``docs/configuration.md``
    (:func:`mlsmells.docs.render_configuration`); the default comes from ``Settings``."""

    type: str
    """The TOML type in words ("list of code prefixes")."""
    description: str
    """Markdown: what the key does."""
    example: str
    """A TOML value for the key, shown as ``key = example`` (it must be valid)."""
    default: str | None = None
    """Markdown, for a field whose default in ``Settings`` (``None``) means something else."""


#: TOML key -> its documentation; one entry per key of ``config._KEYS``, in the same order.
KEY_DOCS: Mapping[str, KeyDoc] = {
    "select": KeyDoc(
        type="list of code prefixes",
        description="The rules to check: `ALL`, `ML`, a family (`ML2`) or a code (`ML201`). "
        'Setting it replaces the default selection, so `select = ["ML"]` turns the opt-in '
        "`ML9xx` rules on too.",
        example='["ML0", "ML1", "ML401"]',
        default="every rule except the opt-in `ML9xx`",
    ),
    "extend-select": KeyDoc(
        type="list of code prefixes",
        description="Rules added to the selection (to `select`, or to the default one): "
        '`extend-select = ["ML9"]` adds the opt-in rules.',
        example='["ML902"]',
    ),
    "ignore": KeyDoc(
        type="list of code prefixes",
        description="Rules removed from the selection. When a code matches both a selector "
        'and an ignore, the longer prefix wins (`select = ["ML201"]` with '
        '`ignore = ["ML2"]` keeps ML201); on a tie, `ignore` wins.',
        example='["ML3", "ML906"]',
    ),
    "per-file-ignores": KeyDoc(
        type="table: glob → list of code prefixes",
        description="Rules neither reported nor fixed in the files a glob matches, on top of "
        "`ignore`.",
        example='{ "tests/**" = ["ML101", "ML9"], "notebooks/*.ipynb" = ["ML406"] }',
    ),
    "exclude": KeyDoc(
        type="list of globs",
        description="Paths skipped when walking a directory (a skipped directory is not "
        "entered). Setting it **replaces** the default list; `extend-exclude` adds to it. A "
        "file named on the command line is checked anyway, unless `--force-exclude` is given.",
        example='["build", "third_party/**"]',
        default="the directories "
        + ", ".join(f"`{name}`" for name in DEFAULT_EXCLUDE)
        + " (and, whatever this setting, any virtual environment: a directory holding a "
        "`pyvenv.cfg`)",
    ),
    "extend-exclude": KeyDoc(
        type="list of globs",
        description="Paths skipped in addition to `exclude`.",
        example='["legacy", "*_pb2.py"]',
    ),
    "respect-gitignore": KeyDoc(
        type="boolean",
        description="Skip the paths that `.gitignore` files (inside a git repository, with "
        "`.git/info/exclude`) and `.ignore` files ignore, when walking a directory, as ruff "
        "does. A file named on the command line is checked anyway. "
        "`--no-respect-gitignore` turns it off for one run.",
        example="false",
    ),
    "seed": KeyDoc(
        type=f"integer from 0 to {MAX_SEED}",
        description="The seed that fixes insert where code needs one: ML101's `random_state=`, "
        "the seeds of ML103's and ML104's generators.",
        example="2024",
    ),
    "unsafe-fixes": KeyDoc(
        type="boolean",
        description="`mlsmells fix` applies unsafe fixes too, as with `--unsafe-fixes` "
        "(`--no-unsafe-fixes` overrides it).",
        example="true",
    ),
    "extend-safe-fixes": KeyDoc(
        type="list of code prefixes",
        description="Treat these rules' unsafe fixes as safe (applied by `mlsmells fix` "
        "without `--unsafe-fixes`).",
        example='["ML401"]',
    ),
    "extend-unsafe-fixes": KeyDoc(
        type="list of code prefixes",
        description="Treat these rules' safe fixes as unsafe (applied only with "
        "`--unsafe-fixes`). Between `extend-safe-fixes` and `extend-unsafe-fixes`, the longer "
        "prefix wins and unsafe wins a tie.",
        example='["ML101"]',
    ),
    "target-versions": KeyDoc(
        type="table: distribution → PEP 440 specifier",
        description="The releases of each library the project supports (`numpy`, `pandas`, "
        "`scikit-learn`, `torch`, `torchvision`). An API neither deprecated nor removed in "
        "any of them is not reported (ML208, ML301, ML412, ML501), and a fix whose "
        "replacement is missing from the oldest of them is not applied: the finding names "
        "the release it needs, and JSON and SARIF show the fix as display-only. A library "
        "not named here takes its range from the project's declared dependencies "
        "(`[project] dependencies`, `requirements*.txt`, `setup.cfg` `install_requires`); "
        "without one, the newest releases are assumed. `mlsmells check --show-settings` "
        "prints the ranges in force and where they come from.",
        example='{ scikit-learn = ">=1.0,<1.2", numpy = ">=1.21" }',
        default="the project's declared dependencies, else the newest releases",
    ),
    "test-files": KeyDoc(
        type="list of globs",
        description="The test files: the rules about test code ("
        + ", ".join(f"[{code}](rules/{code}.md)" for code in sorted(registry.tests_only_codes()))
        + ") check only them, and every other rule checks them too. A glob without `/` "
        "matches the file's name or the name of a folder it is in (`tests` takes every file "
        "under a `tests` folder); one with `/` matches the path relative to the folder of "
        "the configuration file. Setting it replaces the default list. The flake8 and "
        "pylint plugins take it from their own option `mlsmells-test-files`.",
        example='["test_*.py", "*_test.py", "conftest.py", "tests", "testing/**"]',
        default=", ".join(f"`{p}`" for p in DEFAULT_TEST_FILES),
    ),
}
