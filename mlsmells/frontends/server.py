"""``mlsmells server``: the language server over stdio (:mod:`mlsmells.frontends.lsp_server`).

It needs pygls and lsprotocol, the ``server`` extra (``pip install "mlsmells[server]"``);
without them the command says so in one line.
"""

from __future__ import annotations

import argparse
import sys

from mlsmells import batch
from mlsmells.frontends.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
    add_selection_arguments,
    settings_from_args,
)

MISSING = (
    "mlsmells: error: `mlsmells server` needs pygls and lsprotocol: "
    'pip install "mlsmells[server]"'
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "server",
        help="run the language server (LSP over stdio, for editors and JupyterLab)",
        description="Run the mlsmells language server on stdin/stdout: diagnostics as you "
        "type, fixes and noqa comments as code actions, the rule page on hover, notebooks "
        "checked as one module. Settings come from each file's pyproject.toml; the options "
        "below go on top.",
    )
    add_selection_arguments(parser)
    batch.add_arguments(parser)
    parser.set_defaults(handler=run_server)


def run_server(args: argparse.Namespace) -> int:
    try:
        from mlsmells.frontends import lsp_server
    except ImportError:
        print(MISSING, file=sys.stderr)
        return EXIT_ERROR
    settings_from_args(args)  # an invalid --config is one line here, not in the editor
    server = lsp_server.build(lambda: settings_from_args(args), batch.cache_from_args(args))
    server.start_io()
    return EXIT_CLEAN
