"""The fix of each finding alone (:mod:`mlsmells.fixes.suggest`): computed in a window of
the file, it is what applying that one fix to the whole file gives, on every fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlsmells import registry, runner
from mlsmells.config import Settings
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.apply import _apply, _parse_problem, _safety
from mlsmells.fixes.base import FixContext
from mlsmells.fixes.suggest import Suggestion, TextEdit, suggest, text_edits
from mlsmells.registry import TRANSFORMS

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "fixtures" / "fix").glob("*.in.py")) + sorted(
    (HERE / "fixtures" / "rules").glob("ML*.py")
)
ALL = frozenset(registry.RULES)


def whole_file(text: str, findings: list[Diagnostic]) -> dict[Diagnostic, Suggestion]:
    """The reference: each fix applied alone to the whole module, the edits diffed."""
    settings = Settings()
    ctx = FixContext(text, settings.seed)
    found: dict[Diagnostic, Suggestion] = {}
    for diag in findings:
        try:
            edit = TRANSFORMS[diag.code](ctx, diag)
            if edit is None:
                continue
            safety = settings.fix_safety(diag.code, _safety(diag.code, edit))
            fixed = _apply(ctx, [edit])
        except Exception:  # noqa: BLE001 - as suggest: a broken fix is not suggested
            continue
        if fixed == text or _parse_problem(fixed, "<fix>") is not None:
            continue
        summary = registry.get(diag.code).fix_summary
        found[diag] = Suggestion(safety, summary, text_edits(text, fixed))
    return found


@cache
def json_report() -> dict[tuple[str, str, int, int], object]:
    """The fix of every finding of the fixtures in ``check --output-format json``, by
    (file, code, row, column)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--isolated", "--select", "ML",
         "--output-format", "json", *(str(path) for path in FIXTURES)],
        capture_output=True, text=True, check=False,
    )
    return {
        (r["filename"], r["code"], r["location"]["row"], r["location"]["column"]): r["fix"]
        for r in json.loads(proc.stdout)
    }


def as_json(fix: Suggestion | None) -> object:
    """A suggestion as the JSON report writes it (a file that is no notebook)."""
    if fix is None:
        return None
    edits = [
        {
            "content": e.content,
            "location": {"row": e.start[0], "column": e.start[1] + 1},
            "end_location": {"row": e.end[0], "column": e.end[1] + 1},
        }
        for e in fix.edits
    ]
    return {"applicability": fix.kind, "message": fix.message, "edits": edits}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_window_gives_the_whole_files_fixes(path: Path) -> None:
    """And so does the JSON report of ``check``, which also leaves out the findings whose
    rule decided that no fix applies."""
    text = path.read_text(encoding="utf-8")
    findings = [
        d for d in runner.check_source(text, str(path), ALL) if d.code in TRANSFORMS
    ]
    if not findings:
        pytest.skip("no finding with a fix")
    reference = whole_file(text, findings)
    assert suggest(text, findings, Settings()) == reference
    report = json_report()
    lines = text.splitlines()
    for diag in findings:
        column = len(lines[diag.line - 1].encode()[: diag.col].decode()) + 1
        key = (str(path), diag.code, diag.line, column)
        assert report[key] == as_json(reference.get(diag)), key


def test_a_module_wide_fix_falls_back_to_the_whole_file() -> None:
    """ML102 plans the module (one Generator for every legacy call): the window refuses
    it and the whole file answers, as do fixes that add imports."""
    text = (
        "import numpy as np\n\n\ndef unrelated():\n    return 1\n\n\n"
        "x = np.random.rand(3)\n"
    )
    findings = [d for d in runner.check_source(text, "m.py", ALL) if d.code == "ML102"]
    assert findings
    found = suggest(text, findings, Settings())
    assert found == whole_file(text, findings) and found


def test_an_edit_inside_an_indented_block_keeps_its_indentation() -> None:
    text = (
        "import torch\n\n\nclass Loader:\n    def load(self, path):\n"
        "        # the weights\n        return torch.load(path)\n\n\nprint(1)\n"
    )
    [diag] = [d for d in runner.check_source(text, "m.py", ALL) if d.code == "ML401"]
    [edit] = suggest(text, [diag], Settings())[diag].edits
    assert (edit.start, edit.end, edit.content) == ((7, 30), (7, 30), ", weights_only=True")


def test_the_generator_goes_after_the_imports_without_the_whole_file() -> None:
    """ML102's statement after the last import is spliced into the text (a window that
    keeps the imports answers it), also when a statement between the imports is blanked."""
    text = (
        "import sys\nimport numpy as np\nsys.path.insert(1, './')\nfrom pkg import tools\n\n\n"
        "def unrelated():\n    return 1\n\n\nx = np.random.rand(3)\n"
    )
    findings = [d for d in runner.check_source(text, "m.py", ALL) if d.code == "ML102"]
    found = suggest(text, findings, Settings())
    assert found == whole_file(text, findings) and found
    [fix] = found.values()
    assert [(e.start, e.content) for e in fix.edits] == [
        ((5, 0), "\nrng = np.random.default_rng()\n")
    ]


def test_the_window_keeps_only_the_import_a_fix_inserts_after() -> None:
    """The other imports are blanked like any statement holding no finding: no fix of a
    window reads them (one that adds an import falls back to the whole file)."""
    text = (
        "import sys\nimport numpy as np\nimport torch\nfrom pkg import tools\n\n\n"
        "x = np.random.rand(3)\nw = torch.load('w.pt')\n"
    )
    from mlsmells.fixes import suggest as module

    findings = [d for d in runner.check_source(text, "m.py", ALL) if d.code in TRANSFORMS]
    assert {d.code for d in findings} == {"ML102", "ML401"}
    window = module._Fixer.window(module._Source.of(text, None), findings, Settings())
    assert window is not None
    assert window.ctx.text.splitlines()[:4] == ["", "", "", "from pkg import tools"]
    ml401 = [d for d in findings if d.code == "ML401"]
    window = module._Fixer.window(module._Source.of(text, None), ml401, Settings())
    assert window is not None
    assert window.ctx.text.splitlines()[:4] == ["", "", "", ""]
    assert suggest(text, findings, Settings()) == whole_file(text, findings)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_window_is_planned_on_the_statements_the_check_kept(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A result checked with ``keep_tree`` carries its source and the statements of its
    tree, and the window planned on them (without parsing the text again) is the window
    planned on a parse of the text; a text other than the one checked is parsed again."""
    import ast
    import types

    from mlsmells.fixes import suggest as module

    text = path.read_text(encoding="utf-8")
    result = runner.check_file(path, ALL, keep_tree=True)
    if result.parsed is None:
        pytest.skip("no finding whose fix applies")
    assert runner.check_file(path, ALL).parsed is None
    findings = [d for d in result.diagnostics if d.code in TRANSFORMS]

    def window_of(source: module._Source | None) -> module._Fixer | None:
        return module._Fixer.window(source, findings, Settings()) if source else None

    expected = window_of(module._Source.of(text, None))

    def no_parse(*args: object, **kwargs: object) -> ast.Module:
        raise AssertionError("parsed again")

    monkeypatch.setattr(module, "ast", types.SimpleNamespace(**{**vars(ast), "parse": no_parse}))
    window = window_of(module._Source.of(text, result.parsed))
    assert (window and window.ctx.text) == (expected and expected.ctx.text)
    if expected is not None:
        assert (window.kept, window.blanked) == (expected.kept, expected.blanked)
    with pytest.raises(AssertionError, match="parsed again"):
        module._Source.of(text + "\n", result.parsed)


def test_check_keeps_the_trees_only_for_a_report_that_shows_fixes() -> None:
    from mlsmells import batch
    from mlsmells.config import SettingsCache
    from mlsmells.engine.nodes import text_digest
    from mlsmells.frontends.check import FIX_SHOWING_FORMATS

    path = HERE / "fixtures" / "rules" / "ML204.py"
    kept = batch.check_files([path], SettingsCache(), keep_trees=True)[0]
    assert kept.parsed is not None
    assert kept.parsed[0] == text_digest(path.read_text(encoding="utf-8"))
    assert batch.check_files([path], SettingsCache())[0].parsed is None
    assert {"json", "sarif", "full"} <= FIX_SHOWING_FORMATS and "text" not in FIX_SHOWING_FORMATS


def _applied(text: str, edits: tuple[TextEdit, ...]) -> str:
    """``edits`` applied to ``text`` (last first: positions are those of ``text``)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: offset(edit.start)] + edit.content + text[offset(edit.end) :]
    return text


_LINES = st.lists(st.sampled_from(["a\n", "b\n", "x = 1\n", "\n", "    y()\n"]), max_size=8)


@given(_LINES, _LINES, _LINES, st.booleans())
def test_text_edits_turn_the_old_text_into_the_new_one(
    same: list[str], old: list[str], new: list[str], open_end: bool
) -> None:
    """Also around the lines both texts start and end with, which the matcher is not given
    (repeated lines there may match lines of the changed part)."""
    before = "".join(same + old + same)
    after = "".join(same + new + same)
    if open_end:
        before, after = before + "z", after + "z"
    edits = text_edits(before, after)
    assert _applied(before, edits) == after
    assert (edits == ()) == (before == after)


_NESTED = (
    "from sklearn.cluster import KMeans\n\n\n"
    "def cluster(x):\n    if x is not None:\n        model = KMeans(3)\n        return model\n"
    "    return None\n\n\nmodels = [KMeans(2)]\n"
)


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        (_NESTED, True),
        (_NESTED.replace("\n", "\r\n"), True),
        (_NESTED.replace("    ", "\t"), True),
        # Indented by 2 inside a file indented by 4: not parsed alone (libcst would take
        # 2 as the file's indentation), the window answers.
        (_NESTED.replace("        model", "      model").replace("        return", "      return"),
         False),
        # Not at the start of its line: `if` would be parsed without its `else`.
        (_NESTED.replace("    if x is not None:\n        model = KMeans(3)\n",
                         "    if x is not None: model = KMeans(3)\n    else:\n"), False),
    ],
    ids=["spaces", "crlf", "tabs", "odd-indent", "after-a-header"],
)
def test_a_finding_in_a_simple_statement_is_fixed_in_that_statement_alone(
    monkeypatch: pytest.MonkeyPatch, text: str, alone: bool
) -> None:
    """Parsed alone below `if 1:` headers in the file's indentation: no window is made, and
    the fixes are the whole file's."""
    from mlsmells.fixes import suggest as module

    findings = [d for d in runner.check_source(text, "m.py", ALL) if d.code in TRANSFORMS]
    assert [d.code for d in findings] == ["ML101", "ML101"]
    windows: list[object] = []
    window = module._Fixer.window.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *args: object) -> object:
        windows.append(args)
        return window(cls, *args)

    monkeypatch.setattr(module._Fixer, "window", classmethod(counted))
    found = suggest(text, findings, Settings())
    assert found == whole_file(text, findings)
    assert len(found) == 2
    assert (windows == []) == alone


def test_a_statement_alone_refuses_what_lies_around_it() -> None:
    """Its positions are the file's; a transform asking for a node enclosing the statement
    or for a position outside it is refused (NeedsWholeModule: the window answers)."""
    import libcst as cst

    from mlsmells.fixes import suggest as module

    source = module._Source.of(_NESTED, None)
    assert source is not None
    [inner, outer] = [d for d in runner.check_source(_NESTED, "m.py", ALL) if d.code == "ML101"]
    fixer = source.statement(inner, Settings(), {})
    assert fixer is not None
    ctx = fixer.ctx
    call = ctx.find(inner, cst.Call)
    assert call is not None
    assert ctx.span(call) == (6, 16, 6, 25)
    assign = ctx.parent(call)
    assert isinstance(assign, cst.Assign)
    line = ctx.parent(assign)
    assert isinstance(line, cst.SimpleStatementLine)
    with pytest.raises(module.NeedsWholeModule):
        ctx.parent(line)  # (the block of an `if 1:` header)
    with pytest.raises(module.NeedsWholeModule):
        ctx.ancestors(call)
    with pytest.raises(module.NeedsWholeModule):
        ctx.find(outer, cst.Call)
    with pytest.raises(module.NeedsWholeModule):
        ctx.statement_ending_on(6)
