"""``mlsmells server``: a real LSP client (pytest-lsp) drives the server as a subprocess.

Diagnostics on open and on change (debounced), the file's ``pyproject.toml``, code
actions (a finding's fix, marked unsafe when it is; a ``# noqa`` comment; every safe
fix of the file), hover with the rule page, UTF-16 positions on a line with non-ASCII
text, and a notebook sent with LSP 3.17 notebook sync checked as one module.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "mlsmells", "server", "--no-cache"]
FINDING = 'import torch\nétiquette = "é"; poids = torch.load("modèle.pt")\n'
SAFE = "from sklearn.ensemble import RandomForestClassifier\nmodel = RandomForestClassifier()\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounce": 0.05},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    await _diagnostics(client, uri)
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    while True:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if uri in client.diagnostics:
            return list(client.diagnostics.pop(uri))


@pytest.mark.asyncio
async def test_diagnostics_on_open_in_utf16_columns(client: LanguageClient, tmp_path: Path) -> None:
    uri = tmp_path.joinpath("load.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=FINDING)
        )
    )
    [diag] = await _diagnostics(client, uri)
    assert (diag.code, diag.source) == ("ML401", "mlsmells")
    assert diag.severity == types.DiagnosticSeverity.Warning
    # 25 characters (UTF-16 code units: all in the BMP) precede the call.
    assert diag.range == types.Range(types.Position(1, 25), types.Position(1, 48))
    assert diag.code_description is not None and diag.code_description.href.endswith("ML401.md")


@pytest.mark.asyncio
async def test_diagnostics_follow_changes(client: LanguageClient, tmp_path: Path) -> None:
    uri = tmp_path.joinpath("m.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=FINDING)
        )
    )
    assert len(await _diagnostics(client, uri)) == 1
    fixed = FINDING.replace('"modèle.pt")', '"modèle.pt", weights_only=True)')
    for version in (2, 3):  # two quick edits: the server checks once they settle
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
            )
        )
    assert await _diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_settings_of_the_files_pyproject(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlsmells]\nper-file-ignores = { "scripts/*" = ["ML401"] }\n'
    )
    (tmp_path / "scripts").mkdir()
    uri = tmp_path.joinpath("scripts", "load.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=FINDING)
        )
    )
    assert await _diagnostics(client, uri) == []


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start = sum(map(len, lines[: edit.range.start.line])) + edit.range.start.character
        end = sum(map(len, lines[: edit.range.end.line])) + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
        lines = text.splitlines(keepends=True)
    return text


async def _actions(
    client: LanguageClient, uri: str, line: int, only: list[str] | None = None
) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


@pytest.mark.asyncio
async def test_code_actions(client: LanguageClient, tmp_path: Path) -> None:
    text = FINDING + SAFE
    uri = await _open(client, tmp_path / "both.py", text)
    fix, noqa, fix_all = await _actions(client, uri, 1)
    assert fix.title == (
        "mlsmells: Add `weights_only=True` (not offered when `pickle_module=` is passed)."
        " (unsafe fix)"
    )
    assert fix.kind == types.CodeActionKind.QuickFix and not fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    assert 'torch.load("modèle.pt", weights_only=True)' in _apply(text, fix.edit.changes[uri])
    assert noqa.edit is not None and noqa.edit.changes is not None
    assert _apply(text, noqa.edit.changes[uri]).splitlines()[1].endswith(
        'torch.load("modèle.pt")  # noqa: ML401'
    )
    # Fix all applies the safe fixes only (ML101's), as `mlsmells fix` does.
    assert fix_all.kind == "source.fixAll.mlsmells"
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    fixed = _apply(text, fix_all.edit.changes[uri])
    assert "RandomForestClassifier(random_state=42)" in fixed
    assert 'torch.load("modèle.pt")\n' in fixed
    [only_fix_all] = await _actions(client, uri, 3, only=["source.fixAll"])
    assert only_fix_all.title == fix_all.title
    [safe, _, _] = await _actions(client, uri, 3)
    assert safe.is_preferred and "unsafe" not in safe.title


@pytest.mark.asyncio
async def test_hover_shows_the_rule_page(client: LanguageClient, tmp_path: Path) -> None:
    uri = await _open(client, tmp_path / "m.py", FINDING)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(1, 30))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("# torch-load-unsafe (ML401)")
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(0, 2))
    )
    assert nothing is None


@pytest.mark.asyncio
async def test_notebook_cells_are_checked_as_one_module(
    client: LanguageClient, tmp_path: Path
) -> None:
    """A frame loaded in cell 1 and written through a chained index in cell 3 (a markdown
    cell between): the finding goes to cell 3's document, in cell coordinates."""
    notebook = tmp_path.joinpath("eda.ipynb").as_uri()
    sources = [
        ("import pandas as pd\ndf = pd.read_csv('data.csv')\n", types.NotebookCellKind.Code),
        ("# Cleaning", types.NotebookCellKind.Markup),
        ("x = 1\ndf['a'][df['b'] > 0] = 0\n", types.NotebookCellKind.Code),
    ]
    cells = [f"{notebook}#cell{i}" for i in range(len(sources))]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=kind, document=cell)
                    for cell, (_, kind) in zip(cells, sources, strict=True)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=cell,
                    language_id="python" if kind == types.NotebookCellKind.Code else "markdown",
                    version=1,
                    text=text,
                )
                for cell, (text, kind) in zip(cells, sources, strict=True)
            ],
        )
    )
    [diag] = await _diagnostics(client, cells[2])
    assert diag.code == "ML201"
    assert diag.range.start == types.Position(1, 0)
    assert list(client.diagnostics.get(cells[0], [])) == []
    [fix, noqa] = await _actions(client, cells[2], 1)  # (no safe fix: no fix-all)
    assert fix.title.endswith("(unsafe fix)")
    assert noqa.edit is not None and noqa.edit.changes is not None
    assert list(noqa.edit.changes) == [cells[2]]
    assert fix.edit is not None and fix.edit.changes is not None
    assert ".loc[" in _apply(sources[2][0], fix.edit.changes[cells[2]])


def test_without_pygls_the_command_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "pygls").mkdir()  # a package that fails to import stands for a missing one
    (tmp_path / "pygls" / "__init__.py").write_text("raise ImportError('no pygls')\n")
    proc = subprocess.run(
        [*SERVER[:-1]],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": f"{tmp_path}:{Path(__file__).parent.parent}", "PATH": ""},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "mlsmells: error: `mlsmells server` needs pygls and lsprotocol: "
        'pip install "mlsmells[server]"\n'
    )


@pytest.mark.asyncio
async def test_the_server_shares_the_result_cache_of_the_command(tmp_path: Path) -> None:
    """The server's entry for a buffer is the one `mlsmells check` looks up for the same
    file with the same text: the command adds no entry of its own."""
    folder = tmp_path / "cache"
    path = tmp_path / "load.py"
    path.write_text(FINDING, encoding="utf-8")
    config = ClientServerConfig(server_command=[*SERVER[:-1], "--cache-dir", str(folder)])
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounce": 0.05},
        )
    )
    await _open(client, path, FINDING)
    await client.shutdown_session()
    await client.stop()
    entries = sorted(folder.rglob("*.json"))
    assert len(entries) == 1
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--cache-dir", str(folder), str(path)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1 and "ML401" in proc.stdout
    assert sorted(folder.rglob("*.json")) == entries


@pytest.mark.asyncio
async def test_saving_a_module_checks_the_files_that_import_it_again(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    helper = tmp_path / "helper.py"
    helper.write_text("size = 3\n", encoding="utf-8")
    user = tmp_path / "user.py"
    text = "from helper import *\nweights = torch.load('model.pt')\n"
    user.write_text(text, encoding="utf-8")
    uri = user.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    assert await _diagnostics(client, uri) == []  # `torch` is nothing known yet
    helper.write_text("import torch\n\nsize = 3\n", encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=helper.as_uri()))
    )
    # (checked again: the star import brings torch now)
    [diag] = await asyncio.wait_for(_diagnostics(client, uri), timeout=30)
    assert diag.code == "ML401"
