"""ML919 unused-noqa: a ``# noqa: MLxxx`` or ``# pylint: disable=`` comment for mlsmells
codes that suppresses nothing.

The rule is about comments and needs the final findings of the file, which only exist
after every check has run: so its check reports nothing in the engine, and the runner
reports it once the suppressions are applied (:func:`mlsmells.suppression.unused`).
flake8 and pylint apply their own suppressions and do not see it (pylint has
``useless-suppression`` for that).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import fix_always

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML919",
    name="unused-noqa",
    pylint_id="C7699",
    family=Family.OPINIONATED,
    message="`{comment}` suppresses nothing: {names}",
    summary="A `# noqa: MLxxx` or `# pylint: disable=` comment for mlsmells codes "
    "suppresses no finding.",
    rationale=(
        "A suppression outlives the finding it silenced: the code is fixed or moved, the "
        "comment stays, and it will hide the next real finding on that line. Like ruff's "
        "RUF100, this reports each `# noqa: ML...` code and each `# pylint: disable=` "
        "name of an mlsmells message (its symbol or pylint id) that suppresses nothing "
        "where it stands. Only the rules that ran are judged: a code of a rule that is "
        "not selected is left alone, and so are other tools' codes, a blanket `# noqa`, "
        "pylint categories, `all` and the checker name. An `ML` code that names no rule "
        "suppresses nothing. Only `mlsmells check` and `mlsmells fix` report it: flake8 "
        "and pylint apply the suppressions themselves."
    ),
    bad="import torch\n\nmodel = torch.load(path, weights_only=True)  # noqa: ML401\n",
    good="import torch\n\nmodel = torch.load(path, weights_only=True)\n",
    fix=Fix.SAFE,
    fix_summary="Remove the unused codes (the comment, when nothing is left of it).",
    fix_safety="Safe: it only edits a comment.",
    default_enabled=False,
    noise=(
        "Off by default: a suppression may be there for another configuration (a rule "
        "selected in CI, not locally), and removing it is a choice for a clean-up run: "
        "`mlsmells fix --select ML919`."
    ),
)


class UnusedNoqa(Check):
    """ML919: reported by the runner after the suppressions (see the module's docstring)."""

    rules = (RULE,)


# ---------------------------------------------------------------------- fix
_NOQA_CODES = re.compile(r"# noqa:\s?(?P<codes>(?:[A-Z]+[0-9]+(?:[,\s]+)?)+)", re.IGNORECASE)
_DISABLE_NAMES = re.compile(
    r"(?P<keyword>\b(?:disable-next|disable-msg|disable)\s*=\s*)"
    r"(?P<names>[0-9A-Za-z_-]+(?:\s*,\s*[0-9A-Za-z_-]+)*)"
)


def _without(text: str, unused: set[str], kind: str) -> str:
    """The comment ``text`` without the unused codes or names (``""``: nothing left)."""
    if kind == "noqa":
        match = _NOQA_CODES.search(text)
        if match is None:
            return text
        listed = [c for c in re.split(r"[,\s]+", match["codes"]) if c]
        kept = [c for c in listed if c not in unused]
        tail = text[match.end("codes") :]
        if kept:
            space = " " if tail and match["codes"][-1:].isspace() else ""
            return text[: match.start("codes")] + ", ".join(kept) + space + tail
        rest = (text[: match.start()] + tail).strip()
        return "" if rest in ("", "#") else rest
    for match in _DISABLE_NAMES.finditer(text):
        names = [n.strip() for n in match["names"].split(",")]
        kept = [n for n in names if n not in unused]
        if kept == names:
            continue
        if kept:
            return text[: match.start("names")] + ",".join(kept) + text[match.end("names") :]
        rest = text[: match.start("keyword")] + text[match.end("names") :]
        rest = re.sub(r"#\s*pylint:[\s;]*(?=#|$)", "", rest).strip()
        return "" if rest.strip("#; ") == "" else rest
    return text


def unused_noqa(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Remove the unused codes from the comment, or the comment (its line, when it stands
    alone) when nothing else is left."""
    unused = set((diag.get("unused") or "").split(","))
    comment = ctx.find(diag, cst.Comment)
    if comment is None:
        return None
    new = _without(comment.value, unused, diag.get("kind") or "noqa")
    if new == comment.value:
        return None
    if new:
        return fx.Edit(comment, cst.Comment(new))
    holder = ctx.parent(comment)
    if isinstance(holder, cst.TrailingWhitespace):
        kept = holder.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
        return fx.Edit(holder, kept)
    if isinstance(holder, cst.EmptyLine):
        return fx.Edit(holder, cast("cst.CSTNode", cst.RemoveFromParent()))
    return None


FIXES = {"ML919": unused_noqa}
FIXABLE = {"ML919": fix_always(Fix.SAFE)}
