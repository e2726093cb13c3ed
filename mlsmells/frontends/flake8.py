"""The flake8 plugin: entry point ``ML`` in the ``flake8.extension`` group.

flake8 parses the file, selects codes and applies ``# noqa``; the plugin
runs the engine on flake8's tree and yields what it finds, with the engine's
0-based UTF-8 byte columns (flake8 adds 1).

flake8 runs every installed plugin on every file and drops the codes that are
not selected afterwards, so the plugin asks flake8's own decision engine once
which of its rules the options select (``--select``, ``--ignore``, their
``extend`` forms and the default ignore of the opt-in ML9xx rules) and runs
only those: ``flake8 --select=F`` costs no mlsmells check at all, not even the
reading of the file's settings.
``per-file-ignores`` and ``# noqa`` are left to flake8. The rules about test code run
only in the files that the plugin's option ``--mlsmells-test-files`` (globs, also
``mlsmells-test-files`` in flake8's configuration; default: those of
:data:`mlsmells.config.DEFAULT_TEST_FILES`) says are tests.

The library releases a file's project supports (which removed APIs are
reported, and which releases a replacement needs) come from the
``target-versions`` of the nearest ``[tool.mlsmells]`` and the project's declared
dependencies, as for ``mlsmells check`` (:func:`mlsmells.config.targets_for`); an
invalid ``target-versions`` is reported as an ML000 finding on line 1 of each file.
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from flake8.style_guide import Decision, DecisionEngine

import mlsmells
from mlsmells import registry
from mlsmells.config import DEFAULT_TEST_FILES, ConfigError, is_test_path, targets_for
from mlsmells.engine import Engine, gc_paused
from mlsmells.records import INTERNAL_ERROR_CODE
from mlsmells.sources import FileError, decode_source, read_bytes

_ALL = frozenset(registry.RULES)


class MLSmellsChecker:
    name = "mlsmells"
    version = mlsmells.__version__

    _engine: Engine | None = None
    _test_files: tuple[str, ...] = DEFAULT_TEST_FILES
    _reports = True
    """False when flake8's options select no code of mlsmells (not even ML000)."""

    def __init__(self, tree: ast.Module, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(optmanager: Any) -> None:
        # The opinionated ML9xx rules are off unless selected
        # (`--select=ML`, `--extend-select=ML9`, `--select=ML901` ...).
        optmanager.extend_default_ignore(registry.default_disabled_prefixes())
        optmanager.add_option(
            "--mlsmells-test-files",
            parse_from_config=True,
            comma_separated_list=True,
            default=",".join(DEFAULT_TEST_FILES),
            help="Globs of the test files, the only ones the mlsmells rules about test code "
            "check: a glob without / matches the file's name or a folder it is in, one "
            "with / the path from the current folder (default: %(default)s).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Run only the rules that flake8's options select (called once by flake8)."""
        decider = DecisionEngine(options)
        selected = frozenset(
            code for code in registry.RULES if decider.decision_for(code) is Decision.Selected
        )
        cls._engine = registry.engine(selected)
        cls._reports = bool(selected) or (
            decider.decision_for(INTERNAL_ERROR_CODE) is Decision.Selected
        )
        cls._test_files = tuple(getattr(options, "mlsmells_test_files", DEFAULT_TEST_FILES))

    @classmethod
    def _get_engine(cls) -> Engine:
        if cls._engine is None:
            cls._engine = registry.engine(_ALL)
        return cls._engine

    def run(self) -> Iterator[tuple[int, int, str, type[MLSmellsChecker]]]:
        if not self._reports:
            return
        # The library releases the project supports: ``target-versions`` in its
        # ``[tool.mlsmells]``, else its declared dependencies.
        path = Path(self.filename) if self.filename not in ("-", "stdin") else Path.cwd()
        try:
            targets = targets_for(path)
        except ConfigError as exc:  # reported on the file, as flake8 has no other channel
            yield 1, 0, f"{INTERNAL_ERROR_CODE} invalid configuration: {exc}", type(self)
            return
        engine = self._get_engine()
        if engine.active & registry.tests_only_codes() and not is_test_path(
            Path(self.filename), self._test_files, Path.cwd()
        ):
            engine = _outside_tests(engine.active)
        digest = _digest(self.filename, self.lines) if self.filename not in ("-", "stdin") else None
        with gc_paused():
            found = engine.run(
                self.tree, self.lines, self.filename, targets=targets, digest=digest
            )
        for diag in found:
            yield diag.line, diag.col, diag.message, type(self)


def _digest(filename: str, lines: Sequence[str]) -> str | None:
    """The SHA-256 of the file's bytes, when ``lines`` (flake8's) are what they hold: with
    it, the walk of the file leaves the module's summary in the project index, and the
    files importing the module later need no walk of their own to summarise it."""
    try:
        data = read_bytes(Path(filename))
        same = decode_source(data) == "".join(lines)
    except FileError:
        return None
    return hashlib.sha256(data).hexdigest() if same else None


@functools.lru_cache(maxsize=4)
def _outside_tests(active: frozenset[str]) -> Engine:
    """The engine for a file that is no test file: ``active`` without the rules of test code."""
    return registry.engine(active - registry.tests_only_codes())
