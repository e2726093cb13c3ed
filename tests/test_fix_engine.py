"""The apply loop and the helpers the transforms share (independent of any one rule)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes import apply as apply_module
from mlsmells.fixes.apply import fix_source
from mlsmells.fixes.base import Edit, FixContext, add_keyword, keyword_arg, remove_arg, split_lines
from mlsmells.records import Fix
from mlsmells.registry import TRANSFORMS

TORCH = frozenset({"ML401", "ML404", "ML406"})


def _diag_for(source: str, node_type: type[ast.AST], code: str = "ML401") -> Diagnostic:
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, node_type))
    assert node.end_lineno is not None and node.end_col_offset is not None
    line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
    end_line, end_col = node.end_lineno, node.end_col_offset
    return Diagnostic(line, col, code, f"{code} x", end_line, end_col)


# ------------------------------------------------------------------ locating
@pytest.mark.parametrize(
    "prefix",
    ["", "é = 1; ", "s = '日本語'; ", "emoji = '🙂🙂'; ", "t = 'ß';\t"],
    ids=["ascii", "latin", "cjk", "astral", "tab"],
)
def test_find_converts_byte_columns_to_characters(prefix: str) -> None:
    source = f"import torch\n{prefix}state = torch.load('m.pt')\n"
    diag = _diag_for(source, ast.Call)
    ctx = FixContext(source)
    call = ctx.find(diag, cst.Call)
    assert call is not None
    assert ctx.module.code_for_node(call) == "torch.load('m.pt')"


def test_find_wants_the_exact_range_and_type() -> None:
    source = "import torch\nstate = (torch.load('m.pt'))\n"
    diag = _diag_for(source, ast.Call)
    ctx = FixContext(source)
    assert ctx.find(diag, cst.Call) is not None  # parentheses are outside both ranges
    assert ctx.find(diag, cst.Attribute) is None
    shifted = Diagnostic(diag.line, diag.col + 1, "ML401", "ML401 x", diag.end_line, diag.end_col)
    assert ctx.find(shifted, cst.Call) is None


def test_split_lines_breaks_like_the_tokenizer() -> None:
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("x = '\x0c'\n") == ["x = '\x0c'\n"]  # a form feed ends no line


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("f()", "f(k=1)"),
        ("f(a)", "f(a, k=1)"),
        ("f(a,)", "f(a, k=1,)"),
        ("f(a = 2)", "f(a = 2, k = 1)"),
        ("f(\n    a,\n    b,\n)", "f(\n    a,\n    b,\n    k=1,\n)"),
        ("f(\n    a,\n    b  # why\n)", "f(\n    a,\n    b,  # why\n    k=1\n)"),
        ("f(\n    a,\n    b,  # why\n)", "f(\n    a,\n    b,  # why\n    k=1,\n)"),
        ("f(\n    a\n)", "f(\n    a,\n    k=1\n)"),
        ("f(a,\n  b)", "f(a,\n  b,\n  k=1)"),
    ],
)
def test_add_keyword_follows_the_layout(before: str, after: str) -> None:
    call = cst.ensure_type(cst.parse_expression(before), cst.Call)
    new = add_keyword(call, "k", cst.Integer("1"))
    assert cst.Module([]).code_for_node(new) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("f(inplace=True)", "f()"),
        ("f(\n    inplace=True,\n)", "f()"),
        ("f(a, inplace=True)", "f(a)"),
        ("f(inplace=True, a=1)", "f(a=1)"),
        ("f(a, inplace=True, b=2)", "f(a, b=2)"),
        ("f(\n    a,\n    inplace=True,\n)", "f(\n    a,\n)"),
        ("f(\n    a,  # keep\n    inplace=True,\n)", "f(\n    a,  # keep\n)"),
        ("f(\n    a,  # keep\n    inplace=True\n)", "f(\n    a  # keep\n)"),
    ],
)
def test_remove_arg_keeps_the_others(before: str, after: str) -> None:
    call = cst.ensure_type(cst.parse_expression(before), cst.Call)
    arg = keyword_arg(call, "inplace")
    assert arg is not None
    assert cst.Module([]).code_for_node(remove_arg(call, arg)) == after


# --------------------------------------------------------------------- loop
NESTED = """\
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def forward(self, x):
        return F.dropout(torch.load("noise.pt"), 0.1)
"""


def test_overlapping_fixes_are_applied_in_later_passes() -> None:
    result = fix_source(NESTED, "n.py", TORCH, unsafe=True)
    assert result.error is None
    assert 'F.dropout(torch.load("noise.pt", weights_only=True), 0.1, training=self.training)' in (
        result.source
    )
    assert sorted((a.diagnostic.code, a.pass_number) for a in result.applied) == [
        ("ML401", 2),
        ("ML404", 1),
    ]
    assert result.remaining == ()


def test_safe_run_holds_back_unsafe_fixes() -> None:
    result = fix_source(NESTED, "n.py", TORCH)
    assert not result.changed
    assert result.held_back == 2
    assert {d.code for d in result.remaining} == {"ML401", "ML404"}


def test_nothing_fixable_means_no_libcst_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("libcst must not parse this file")

    monkeypatch.setattr(apply_module, "FixContext", fail)
    result = fix_source("import torch\nmodel.eval()\n", "m.py", TORCH)
    assert not result.changed and result.remaining == ()
    suppressed = "import torch\nstate = torch.load('m')  # noqa: ML401\n"
    assert not fix_source(suppressed, "m.py", TORCH, unsafe=True).changed


def test_a_result_that_does_not_parse_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: FixContext, diag: Diagnostic) -> Edit | None:
        call = ctx.find(diag, cst.Call)
        return Edit(call, cst.Name("def")) if call is not None else None

    monkeypatch.setitem(TRANSFORMS, "ML401", broken)
    source = "import torch\nstate = torch.load('m.pt')\n"
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == source and not result.applied
    assert result.error is not None and "does not parse" in result.error
    assert [d.code for d in result.remaining] == ["ML401"]


def test_a_fix_that_does_not_converge_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_progress(ctx: FixContext, diag: Diagnostic) -> Edit | None:
        call = ctx.find(diag, cst.Call)
        return Edit(call, call) if call is not None else None

    monkeypatch.setitem(TRANSFORMS, "ML401", no_progress)
    source = "import torch\nstate = torch.load('m.pt')\n"
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == source
    assert result.error is not None and "did not converge after 10 passes (ML401)" in result.error


def test_a_transform_that_raises_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def raises(ctx: FixContext, diag: Diagnostic) -> Edit | None:
        raise KeyError("boom")

    monkeypatch.setitem(TRANSFORMS, "ML401", raises)
    result = fix_source("import torch\nx = torch.load('m')\n", "m.py", TORCH, unsafe=True)
    assert not result.changed
    assert result.error == "internal error in the ML401 fix: KeyError: 'boom'"


def test_a_mixed_fix_must_state_its_safety(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsmells import registry

    rule = registry.get("ML406")
    monkeypatch.setitem(
        registry.RULES,  # type: ignore[arg-type]
        "ML406",
        type(rule)(**{**rule.__dict__, "fix": Fix.MIXED}),
    )
    source = "import torch\nmodel.eval\n"
    assert fix_source(source, "m.py", TORCH, unsafe=True).error == (
        "internal error in the ML406 fix: a mixed fix must state its safety"
    )

    def decided(ctx: FixContext, diag: Diagnostic) -> Edit | None:
        node = ctx.find(diag, cst.Attribute)
        assert node is not None
        return Edit(node, cst.Call(func=node), safety=Fix.SAFE)

    monkeypatch.setitem(TRANSFORMS, "ML406", decided)
    assert fix_source(source, "m.py", TORCH).source == "import torch\nmodel.eval()\n"


def test_line_endings_are_kept() -> None:
    source = "import torch\r\n\r\nstate = torch.load('m.pt')\r\nmodel.eval\r\n"
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == (
        "import torch\r\n\r\nstate = torch.load('m.pt', weights_only=True)\r\nmodel.eval()\r\n"
    )


def test_notebook_display_lines_follow_inserted_lines() -> None:
    """A cell's last line stays exempt from ML406 after a fix adds an import above it."""
    source = "import torch\nfrom math import nan\nx = values != nan\nmodel.eval\n"
    active = frozenset({"ML209", "ML406"})
    result = fix_source(source, "nb", active, unsafe=True, cell_last_lines=frozenset({4}))
    assert result.source == (
        "import torch\nfrom math import nan\nimport math\n\n"
        "x = not math.isnan(values)\nmodel.eval\n"
    )
    assert result.remaining == ()


@pytest.mark.parametrize(
    "tail",
    ["\n \n", "\n\n  # trailing comment\n", "\n\t\n", "# done\n\n", "\n\x0c\n"],
)
def test_trailing_blank_and_comment_lines_are_kept(tail: str) -> None:
    """libcst alone drops a blank line before trailing whitespace or comment lines."""
    source = "import torch\nmodel.eval\n" + tail
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == "import torch\nmodel.eval()\n" + tail


def test_text_libcst_cannot_reproduce_is_left_alone() -> None:
    source = "import torch\nmodel.eval\n\\\nx = 1\n"  # a line holding only a backslash
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == source
    assert result.error == "libcst does not reproduce line 3 exactly; the file is left unchanged"
    assert [d.code for d in result.remaining] == ["ML406"]


def test_lone_carriage_returns_end_lines_for_the_fixer_too() -> None:
    source = "import torch\n\rstate = torch.load('m')\rmodel.eval\n"
    result = fix_source(source, "m.py", TORCH, unsafe=True)
    assert result.source == (
        "import torch\n\rstate = torch.load('m', weights_only=True)\rmodel.eval()\n"
    )
