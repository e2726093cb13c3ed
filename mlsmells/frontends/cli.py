"""The ``mlsmells`` command: its subcommands (each a module of this package that
registers its parser, see :data:`SUBCOMMANDS`) and ``main``.

A *registrar* takes the subparsers object, adds its parser and sets ``handler``
(a function ``Namespace -> exit status``) as a default on it.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, cast

import mlsmells
from mlsmells.frontends import check, rules, server
from mlsmells.frontends import fix as fix_command
from mlsmells.frontends.options import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    Handler,
    Registrar,
)

SUBCOMMANDS: list[Registrar] = [
    check.register,
    fix_command.register,
    rules.register_rule,
    rules.register_rules,
    server.register,
]


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" for a mistyped subcommand."""

    def error(self, message: str) -> NoReturn:
        if "invalid choice:" in message and "argument COMMAND" in message:
            wrong = message.split("invalid choice: ", 1)[1].split(" (", 1)[0].strip("'\"")
            close = difflib.get_close_matches(wrong, list(_commands(self)), n=1)
            if close:
                message = f"unknown command {wrong!r}; did you mean {close[0]!r}?"
        super().error(message)


class _Version(argparse.Action):
    """``--version``: the version, and whether this installation is the compiled build
    (worked out only when asked: it imports the engine)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        build = "yes" if mlsmells.compiled() else "no"
        sys.stdout.write(f"mlsmells {mlsmells.__version__} (compiled: {build})\n")
        parser.exit()


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlsmells",
        description="Find machine-learning code smells in Python code.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    if unknown:  # the subcommand's usage, and the option it probably meant
        command = _commands(parser)[args.command]
        options = [o for a in command._actions for o in a.option_strings]
        first = next((u.split("=", 1)[0] for u in unknown if u.startswith("-")), "")
        close = difflib.get_close_matches(first, options, n=1) if first else []
        hint = f"; did you mean {close[0]}?" if close else ""
        command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader went away (`mlsmells check | head`): stop quietly, with
        # the status the Python documentation recommends (SIGPIPE notes).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
