"""The ``mlsmells`` command: its subcommands (each a module of this package that
registers its parser, see :data:`SUBCOMMANDS`) and ``main``.

A *registrar* takes the subparsers object, adds its parser and sets ``handler``
(a function ``Namespace -> exit status``) as a default on it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlsmells",
        description="Find machine-learning code smells in Python code.",
    )
    parser.add_argument("--version", action="version", version=f"mlsmells {mlsmells.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
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
