"""The pylint plugin: ``pylint --load-plugins=mlsmells.pylint_plugin``.

One raw-file checker named ``mlsmells`` bridges pylint to the engine: it
reads the module's source, parses it with :mod:`ast` and reports each
finding with its own pylint id and ``ml-<name>`` symbol, at the engine's
position (pylint prints the 0-based column as it is). The message text
starts with the ``MLxxx`` code. pylint applies ``# pylint: disable=`` and
the enable/disable options itself; the opt-in ML9xx messages are disabled
by default (``--enable=ml-<name>`` or ``--enable=mlsmells`` turns them on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from astroid import nodes
from pylint.checkers import BaseRawFileChecker
from pylint.typing import MessageDefinitionTuple

from mlsmells import registry
from mlsmells.engine import Engine
from mlsmells.runner import FileError, decode_source, parse, split_lines

if TYPE_CHECKING:
    from pylint.lint import PyLinter


def _messages() -> dict[str, MessageDefinitionTuple]:
    msgs: dict[str, MessageDefinitionTuple] = {
        rule.pylint_id: ("%s", rule.symbol, rule.summary, {"default_enabled": rule.default_enabled})
        for rule in registry.RULES.values()
    }
    msgs[registry.INTERNAL_ERROR_PYLINT_ID] = (
        "%s",
        registry.INTERNAL_ERROR_SYMBOL,
        f"{registry.INTERNAL_ERROR_CODE}: an mlsmells rule failed on this file; "
        "the message names the rule. Please report it.",
        {"default_enabled": True},
    )
    return msgs


class MLSmellsChecker(BaseRawFileChecker):
    """Runs the mlsmells engine on each module pylint checks."""

    name = "mlsmells"
    msgs = _messages()
    options = ()

    def process_module(self, node: nodes.Module) -> None:
        with node.stream() as stream:
            data = stream.read()
        try:
            source = decode_source(data)
            tree = parse(source, node.file or "<unknown>")
        except FileError:
            return  # pylint reports what it cannot read or parse itself
        engine = Engine(self._active_codes())
        for diag in engine.run(tree, split_lines(source), node.file or "<unknown>"):
            rule = registry.RULES.get(diag.code)
            msgid = rule.pylint_id if rule is not None else registry.INTERNAL_ERROR_PYLINT_ID
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


def register(linter: PyLinter) -> None:
    linter.register_checker(MLSmellsChecker(linter))
