"""The mlsmells language server (``mlsmells server``), on pygls and lsprotocol.

- **Diagnostics** when a document is opened, changed (after a pause in typing:
  ``debounce`` seconds, 0.3 by default, ``initializationOptions`` may set it) or saved,
  from the same engine, settings (the file's ``pyproject.toml``, the command line's
  options on top) and result cache as ``mlsmells check``.
- **Code actions** per finding: apply its fix (an unsafe one says so), add a
  ``# noqa: MLxxx``; and ``source.fixAll.mlsmells``: every safe fix of the document
  (the unsafe ones too with ``unsafe-fixes``), as ``mlsmells fix`` applies them.
- **Hover** on a finding: its rule's page.
- **Notebooks** (LSP 3.17 notebook document sync): a notebook's code cells are checked
  as one module, as ``mlsmells check`` checks an ``.ipynb`` file, and each cell gets
  its findings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

import mlsmells
from mlsmells.cache import Cache
from mlsmells.config import SettingsCache
from mlsmells.diagnostics import Diagnostic
from mlsmells.frontends.lsp_documents import (
    UTF8,
    UTF16,
    UTF32,
    Cell,
    Change,
    Document,
    apply_edits,
    hover_text,
    notebook_json,
    severity_letter,
)
from mlsmells.records import Fix
from mlsmells.semantic import index

SOURCE = "mlsmells"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.mlsmells"
DEFAULT_DEBOUNCE = 0.3
_SEVERITY = {
    "E": types.DiagnosticSeverity.Error,
    "F": types.DiagnosticSeverity.Error,
    "W": types.DiagnosticSeverity.Warning,
    "C": types.DiagnosticSeverity.Information,
    "R": types.DiagnosticSeverity.Information,
}
_ENCODINGS: dict[str, str] = {
    types.PositionEncodingKind.Utf8.value: UTF8,
    types.PositionEncodingKind.Utf16.value: UTF16,
    types.PositionEncodingKind.Utf32.value: UTF32,
}
log = logging.getLogger(__name__)


class MLSmellsServer(LanguageServer):
    """The server: the open documents, their findings, the pending checks."""

    def __init__(self, settings: Callable[[], SettingsCache], cache: Cache | None) -> None:
        super().__init__(
            "mlsmells",
            mlsmells.__version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithCells(
                        notebook="jupyter-notebook",
                        cells=[types.NotebookCellLanguage(language="python")],
                    )
                ],
                save=True,
            ),
        )
        self.settings = settings
        """Gives the settings as the files say now (a ``pyproject.toml`` may have changed)."""
        self.cache = cache
        self.debounce = DEFAULT_DEBOUNCE
        self.documents: dict[str, Document] = {}
        """The checked documents by URI: a Python file's, a notebook's and each cell's
        (the notebook's document)."""
        self._pending: dict[str, asyncio.Task[None]] = {}

    @property
    def encoding(self) -> str:
        kind = self.workspace.position_encoding
        value = kind.value if isinstance(kind, types.PositionEncodingKind) else str(kind or "")
        return _ENCODINGS.get(value, UTF16)

    # ------------------------------------------------------------- checking
    def schedule(self, uri: str, delay: float) -> None:
        """Check the document (a text document's or a notebook's URI) after ``delay``
        seconds, unless it changes again before."""
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self._pending[uri] = asyncio.get_event_loop().create_task(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self._pending.pop(uri, None)
        self.check(uri)

    def check(self, uri: str) -> None:
        """Check a document now and publish its findings."""
        document = self._document(uri)
        if document is None:
            return
        old = self.documents.get(uri)
        document.check(self.settings(), self.cache)
        self.documents[uri] = document
        for cell in document.cells or ():
            self.documents[cell.uri] = document
        self.publish(document, old)

    def saved(self, uri: str) -> None:
        """A file was saved: check it, and every open document again, which may import it
        (what the project index knew of the files on disk is dropped)."""
        index.forget()
        self.schedule(uri, 0)
        for other in {document.uri for document in self.documents.values()} - {uri}:
            self.schedule(other, self.debounce)

    def _document(self, uri: str) -> Document | None:
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            cells = tuple(
                Cell(
                    cell.document,
                    self.workspace.get_text_document(cell.document).source,
                    cell.kind == types.NotebookCellKind.Code,
                )
                for cell in notebook.cells
            )
            return Document(uri, _path(uri), notebook_json(cells), cells)
        text = self.workspace.get_text_document(uri)
        if text.language_id not in (None, "python") and not uri.endswith(".py"):
            return None
        return Document(uri, _path(uri), text.source)

    def publish(self, document: Document, old: Document | None) -> None:
        by_uri: dict[str, list[types.Diagnostic]] = {}
        targets = [c.uri for c in document.cells] if document.cells else [document.uri]
        for uri in targets:
            by_uri[uri] = []
        if old is not None and old.cells:  # cells gone since: clear them
            for cell in old.cells:
                by_uri.setdefault(cell.uri, [])
        for diag in document.findings():
            found = self.lsp_diagnostic(document, diag)
            if found is not None:
                by_uri.setdefault(found[0], []).append(found[1])
        for uri, diagnostics in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
            )

    def lsp_diagnostic(
        self, document: Document, diag: Diagnostic
    ) -> tuple[str, types.Diagnostic] | None:
        line, col, end_line, end_col = document.span(diag)
        start = document.place(line, col, self.encoding)
        end = document.place(end_line, end_col, self.encoding)
        if start is None:
            return None
        if end is None or end.uri != start.uri:
            end = start
        from mlsmells import registry

        rule = registry.RULES.get(diag.code)
        return start.uri, types.Diagnostic(
            range=types.Range(
                start=types.Position(start.line, start.character),
                end=types.Position(end.line, end.character),
            ),
            message=diag.text,
            severity=_SEVERITY[severity_letter(diag.code)],
            code=diag.code,
            code_description=(
                types.CodeDescription(href=rule.url) if rule is not None else None
            ),
            source=SOURCE,
        )

    # ------------------------------------------------------------ requests
    def at(self, uri: str, position: types.Position) -> tuple[Document, list[Diagnostic]]:
        """The findings whose range holds ``position``."""
        document = self.documents.get(uri)
        if document is None:
            return Document(uri, _path(uri), ""), []
        found = []
        where = document.module_position(uri, position.line, position.character, self.encoding)
        if where is None:
            return document, []
        for diag in document.findings():
            line, col, end_line, end_col = document.span(diag)
            if (line, col) <= where <= (end_line, end_col):
                found.append(diag)
        return document, found

    def in_range(self, uri: str, selected: types.Range) -> tuple[Document, list[Diagnostic]]:
        """The findings of a document on the lines of ``selected`` (a cell's lines in a
        notebook): an editor asks with the cursor's position or the selection."""
        document = self.documents.get(uri)
        if document is None:
            return Document(uri, _path(uri), ""), []
        enc = self.encoding
        low = document.module_position(uri, selected.start.line, 0, enc)
        high = document.module_position(uri, selected.end.line, 0, enc)
        if low is None or high is None:
            return document, []
        found = [d for d in document.findings() if d.line <= high[0] and low[0] <= d.end_line]
        return document, found

    def code_actions(self, uri: str, params: types.CodeActionParams) -> list[types.CodeAction]:
        document, findings = self.in_range(uri, params.range)
        only = params.context.only
        actions: list[types.CodeAction] = []
        wants_quickfix = not only or any(
            kind.startswith(types.CodeActionKind.QuickFix) for kind in only
        )
        if wants_quickfix:
            for diag in findings:
                actions.extend(self._finding_actions(document, diag))
        wants_fix_all = not only or any(
            FIX_ALL.startswith(kind) or kind.startswith(FIX_ALL) for kind in only
        )
        if wants_fix_all and document.findings():
            fix_all = self._fix_all(document)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _finding_actions(self, document: Document, diag: Diagnostic) -> Iterable[types.CodeAction]:
        lsp = self.lsp_diagnostic(document, diag)
        diagnostics = [lsp[1]] if lsp is not None else []
        fix = self._suggestion(document, diag)
        if fix is not None:
            new = apply_edits(
                document.module, [(e.start, e.end, e.content) for e in fix.edits]
            )
            changes = document.changes(new, self.encoding)
            if changes:
                unsafe = fix.applicability is not Fix.SAFE or fix.needs is not None
                title = f"mlsmells: {fix.message}" + (" (unsafe fix)" if unsafe else "")
                if fix.needs is not None:
                    title = f"mlsmells: {fix.message} (display-only fix: it needs {fix.needs})"
                yield types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=diagnostics,
                    edit=_workspace_edit(changes),
                    is_preferred=not unsafe,
                )
        from mlsmells.noqa import add_noqa

        new, changed = add_noqa(document.module, [diag])
        changes = document.changes(new, self.encoding) if changed else None
        if changes:
            yield types.CodeAction(
                title=f"mlsmells: disable {diag.code} on this line (# noqa: {diag.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=diagnostics,
                edit=_workspace_edit(changes),
            )

    def _suggestion(self, document: Document, diag: Diagnostic) -> Any:
        from mlsmells.fixes.suggest import suggest
        from mlsmells.registry import TRANSFORMS

        if diag.code not in TRANSFORMS or document.settings is None:
            return None
        fix = suggest(document.module, [diag], document.settings).get(diag)
        if fix is None or document.notebook is None:
            return fix
        masked = {
            cell.start + n
            for cell in document.notebook.cells
            for n, is_masked in enumerate(cell.is_masked)
            if is_masked
        }
        touched = {n for e in fix.edits for n in range(e.start[0], e.end[0] + 1)}
        return None if touched & masked else fix

    def _fix_all(self, document: Document) -> types.CodeAction | None:
        """Every fix ``mlsmells fix`` applies to the document, as one action."""
        from mlsmells.fixes.apply import fix_source

        if document.settings is None or document.result is None:
            return None
        notebook = document.notebook
        codes = document.settings.codes_for(document.path)
        try:
            result = fix_source(
                document.module,
                str(document.path),
                codes,
                settings=document.settings,
                unsafe=document.settings.unsafe_fixes,
                cell_last_lines=notebook.cell_last_lines if notebook is not None else frozenset(),
                line_map=document.result.line_map,
            )
        except Exception:  # noqa: BLE001 - a file the fixer refuses offers no action
            log.exception("fixing %s", document.uri)
            return None
        if not result.applied or result.error is not None:
            return None
        changes = document.changes(result.source, self.encoding)
        if not changes:
            return None
        count = len(result.applied)
        return types.CodeAction(
            title=f"mlsmells: fix all ({count} finding{'' if count == 1 else 's'})",
            kind=FIX_ALL,
            edit=_workspace_edit(changes),
        )

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        _, findings = self.at(uri, position)
        if not findings:
            return None
        codes = list(dict.fromkeys(d.code for d in findings))
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover_text(codes))
        )


def _workspace_edit(changes: Iterable[Change]) -> types.WorkspaceEdit:
    by_uri: dict[str, list[types.TextEdit]] = {}
    for change in changes:
        by_uri.setdefault(change.uri, []).append(
            types.TextEdit(
                range=types.Range(
                    start=types.Position(*change.start), end=types.Position(*change.end)
                ),
                new_text=change.text,
            )
        )
    return types.WorkspaceEdit(changes=by_uri)


def _path(uri: str) -> Path:
    path = to_fs_path(uri)
    return Path(path) if path is not None else Path(uri.rsplit("/", 1)[-1] or "untitled.py")


# ----------------------------------------------------------------- features
def build(settings: Callable[[], SettingsCache], cache: Cache | None) -> MLSmellsServer:
    """A server with its features registered."""
    server = MLSmellsServer(settings, cache)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MLSmellsServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
            ls.debounce = max(0.0, float(options["debounce"]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MLSmellsServer, params: types.DidOpenTextDocumentParams) -> None:
        if ls.workspace.get_notebook_document(cell_uri=params.text_document.uri) is None:
            ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MLSmellsServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        notebook = ls.workspace.get_notebook_document(cell_uri=uri)
        ls.schedule(notebook.uri if notebook is not None else uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MLSmellsServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MLSmellsServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.documents.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: MLSmellsServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(
        ls: MLSmellsServer, params: types.DidChangeNotebookDocumentParams
    ) -> None:
        ls.schedule(params.notebook_document.uri, ls.debounce)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: MLSmellsServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: MLSmellsServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.documents.pop(params.notebook_document.uri, None)
        for cell in params.cell_text_documents:
            ls.documents.pop(cell.uri, None)
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=cell.uri, diagnostics=[])
            )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL],
            resolve_provider=False,
        ),
    )
    def code_action(
        ls: MLSmellsServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        return ls.code_actions(params.text_document.uri, params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MLSmellsServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    return server
