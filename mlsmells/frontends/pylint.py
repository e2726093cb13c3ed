"""The pylint plugin: ``pylint --load-plugins=mlsmells.pylint_plugin``.

One raw-file checker named ``mlsmells`` bridges pylint to the engine: it
reads the module's source, parses it with :mod:`ast` and reports each
finding with its own pylint id and ``ml-<name>`` symbol, at the engine's
position (pylint prints the 0-based column as it is). The message text
starts with the ``MLxxx`` code. pylint applies ``# pylint: disable=`` and
the enable/disable options itself; the opt-in ML9xx messages are disabled
by default (``--enable=ml-<name>`` or ``--enable=mlsmells`` turns them on).

Two options, because pylint has no per-file message selection of its own:
``mlsmells-per-file-ignores``, entries ``GLOB:CODE,CODE`` (``tests/*:ML101,ML9``)
separated by commas or whitespace, or a TOML list of such entries. A glob
with a ``/`` matches the module's path relative to the current directory,
one without matches its file name (the syntax of ``[tool.mlsmells]``). And
``mlsmells-test-files``, the globs of the test files (the ``test-files`` setting of
``[tool.mlsmells]``): the rules about test code check only them. The
other ``[tool.mlsmells]`` settings are pylint's own (``enable``/``disable``,
``ignore-paths``) or are about fixing, which the plugin does not do, except
``target-versions``: the library releases a module's project supports come from
it and from the project's declared dependencies, as for ``mlsmells check``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from astroid import nodes
from pylint.checkers import BaseRawFileChecker
from pylint.typing import MessageDefinitionTuple

from mlsmells import records, registry
from mlsmells.config import (
    DEFAULT_TEST_FILES,
    ConfigError,
    check_selector,
    glob_matches,
    is_test_path,
    targets_for,
)
from mlsmells.engine import Engine, gc_paused
from mlsmells.sources import FileError, decode_source, parse, split_lines
from mlsmells.versions import NEWEST

if TYPE_CHECKING:
    from pylint.lint import PyLinter


def _messages() -> dict[str, MessageDefinitionTuple]:
    msgs: dict[str, MessageDefinitionTuple] = {
        rule.pylint_id: ("%s", rule.symbol, rule.summary, {"default_enabled": rule.default_enabled})
        for rule in registry.RULES.values()
    }
    msgs[records.INTERNAL_ERROR_PYLINT_ID] = (
        "%s",
        records.INTERNAL_ERROR_SYMBOL,
        f"{records.INTERNAL_ERROR_CODE}: an mlsmells rule failed on this file; "
        "the message names the rule. Please report it.",
        {"default_enabled": True},
    )
    return msgs


class MLSmellsChecker(BaseRawFileChecker):
    """Runs the mlsmells engine on each module pylint checks."""

    name = "mlsmells"
    msgs = _messages()
    options = (
        (
            "mlsmells-per-file-ignores",
            {
                "type": "csv",
                "default": (),
                "metavar": "<glob:codes>",
                "help": "mlsmells codes (or code prefixes) not to report in the files a glob "
                "matches: 'tests/*:ML101,ML9 scripts/*:ML907'. A glob with a / matches the "
                "path relative to the current directory, one without the file name.",
            },
        ),
        (
            "mlsmells-test-files",
            {
                "type": "csv",
                "default": DEFAULT_TEST_FILES,
                "metavar": "<globs>",
                "help": "Globs of the test files, the only ones the mlsmells rules about test "
                "code check: a glob without / matches the file's name or a folder it is in, "
                "one with / the path relative to the current directory.",
            },
        ),
    )
    _per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def open(self) -> None:
        try:
            self._per_file_ignores = parse_per_file_ignores(
                self.linter.config.mlsmells_per_file_ignores
            )
        except ValueError as exc:
            print(f"mlsmells: error: mlsmells-per-file-ignores: {exc}", file=sys.stderr)
            raise SystemExit(32) from None  # pylint's exit status for a usage error

    def process_module(self, node: nodes.Module) -> None:
        with node.stream() as stream:
            data = stream.read()
        with gc_paused():
            self._check(node, data)

    def _check(self, node: nodes.Module, data: bytes) -> None:
        try:
            source = decode_source(data)
            tree = parse(source, node.file or "<unknown>")
        except FileError:
            return  # pylint reports what it cannot read or parse itself
        active = self._active_codes()
        patterns = self.linter.config.mlsmells_test_files
        if not node.file or not is_test_path(Path(node.file), patterns, Path.cwd()):
            active = active - registry.tests_only_codes()
        if self._per_file_ignores and node.file:
            path = Path(node.file)
            ignored = [
                code
                for pattern, codes in self._per_file_ignores
                if glob_matches(pattern, path, Path.cwd())
                for code in codes
            ]
            prefixes = ("",) if "ALL" in ignored else tuple(ignored)
            active = frozenset(c for c in active if not c.startswith(prefixes))
        try:
            targets = targets_for(Path(node.file)) if node.file else NEWEST
        except ConfigError as exc:
            print(f"mlsmells: error: {exc}", file=sys.stderr)
            raise SystemExit(32) from None  # pylint's exit status for a usage error
        engine = _engine(active)
        lines = split_lines(source)
        # Bytes read from the file itself: the walk leaves the module's summary in the
        # project index for the modules importing it (not so for a text given otherwise).
        digest = hashlib.sha256(data).hexdigest() if node.file and node.file_bytes is None else None
        found = engine.run(tree, lines, node.file or "<unknown>", targets=targets, digest=digest)
        for diag in found:
            rule = registry.RULES.get(diag.code)
            msgid = rule.pylint_id if rule is not None else records.INTERNAL_ERROR_PYLINT_ID
            self.add_message(
                msgid,
                line=diag.line,
                args=(diag.message,),
                col_offset=diag.col,
                end_lineno=diag.end_line,
                end_col_offset=diag.end_col,
            )

    def _active_codes(self) -> frozenset[str]:
        """Every rule but the opt-in ones that pylint keeps disabled."""
        return frozenset(
            code
            for code, rule in registry.RULES.items()
            if rule.default_enabled or self.linter.is_message_enabled(rule.pylint_id)
        )


@functools.lru_cache(maxsize=8)
def _engine(active: frozenset[str]) -> Engine:
    """One engine per selection, not one per module."""
    return registry.engine(active)


def parse_per_file_ignores(items: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``GLOB:CODES`` entries (codes separated by commas or whitespace, the items of a csv
    option split anywhere) into (glob, code prefixes) pairs; ValueError when malformed."""
    pairs: list[tuple[str, list[str]]] = []
    for token in (t for item in items for t in re.split(r"[,\s]+", item) if t):
        if ":" in token:
            pattern, _, code = token.rpartition(":")
            if not pattern:
                raise ValueError(f"{token!r} has no glob before the ':'")
            pairs.append((pattern, []))
            token = code
            if not token:
                continue
        if not pairs:
            raise ValueError(f"{token!r} does not follow a 'glob:' (expected glob:CODES)")
        pairs[-1][1].append(check_selector(token))
    for pattern, codes in pairs:
        if not codes:
            raise ValueError(f"{pattern!r} has no codes (expected glob:CODES)")
    return tuple((pattern, tuple(codes)) for pattern, codes in pairs)


def register(linter: PyLinter) -> None:
    linter.register_checker(MLSmellsChecker(linter))
