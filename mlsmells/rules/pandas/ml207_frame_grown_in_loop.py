"""ML207 frame-grown-in-loop: a DataFrame grown by one piece per loop iteration."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules._loops import Loop, carried, mentions, same_target
from mlsmells.rules._util import keyword
from mlsmells.rules.pandas._kinds import KIND_EVIDENCE
from mlsmells.rules.pandas._text import brief
from mlsmells.semantic.kinds import Kind

RULE = Rule(
    code="ML207",
    name="frame-grown-in-loop",
    pylint_id="W7627",
    family=Family.PANDAS,
    message="`{target}` grows inside a loop with {how}: every iteration copies the whole "
    "frame (quadratic time); collect the pieces in a list and concatenate once",
    summary=(
        "A DataFrame grown one piece per loop iteration: `df = pd.concat([df, new])`, "
        "`df = df.append(new)` or `df.loc[len(df)] = row`."
    ),
    rationale=(
        "`pd.concat` and setting a new row with `.loc` both build a new frame that copies "
        "all existing rows, so growing a frame in a loop costs O(n²) time and memory "
        "traffic; with thousands of iterations this dominates the run time. Appending the "
        "pieces (or dicts of row values) to a list and calling `pd.concat` (or "
        "`pd.DataFrame`) once after the loop is linear. `df = df.append(piece)` (pandas "
        "before 2.0) grows the frame the same way. `concat` and `append` are reported when "
        "the loop carries the frame from one iteration to the next: one bound afresh on every"
        " path through the loop body before (or after) the statement does not grow, while the"
        " branch a loop takes on its first iteration (`if first: out = piece` / `else: out = "
        "out.append(piece)`) binds it on one path only. "
        + KIND_EVIDENCE
        + " Not seen: a frame grown through an item of a dict (`frames[k] = "
        "pd.concat([frames[k], x])`) or row by row with a counter (`df.loc[k] = row; k += 1`)."
    ),
    bad=(
        "results = pd.DataFrame()\n"
        "for fold, (train, test) in enumerate(cv.split(X, y)):\n"
        "    scores = evaluate(train, test)\n"
        "    results = pd.concat([results, pd.DataFrame([scores])])\n"
    ),
    good=(
        "rows = []\n"
        "for fold, (train, test) in enumerate(cv.split(X, y)):\n"
        "    rows.append(evaluate(train, test))\n"
        "results = pd.DataFrame(rows)\n"
    ),
)


_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
#: What ``x = x.append(piece)`` grows (a list's ``append`` returns None).
_GROWN_KINDS = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.FRAME_OR_SERIES})


class FrameGrownInLoop(Check):
    """ML207: a DataFrame grown by one piece per loop iteration."""

    rules = (RULE,)
    nodes = (ast.Assign,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1 or not self._in_loop(node):
            return
        target = node.targets[0]
        if self._concat_onto(node.value, target) and self._carried(node, target):
            text = brief(self.ctx, target)
            self.report(
                "ML207", node, target=text, how=f"`{text} = pd.concat([{text}, ...])`", data=()
            )
        elif self._appended_onto(node, target):
            text = brief(self.ctx, target)
            how = f"`{text} = {text}.append(...)`"
            self.report("ML207", node, target=text, how=how, data=())
        elif self._enlarged(target):
            assert isinstance(target, ast.Subscript)
            text = brief(self.ctx, target)
            frame = brief(self.ctx, target.value)
            self.report(
                "ML207", node, target=frame.removesuffix(".loc"), how=f"`{text} = ...`", data=()
            )

    def _loop(self, node: ast.stmt) -> Loop | None:
        """The innermost loop of its own function whose body (not ``else``) holds ``node``."""
        child: ast.AST = node
        for ancestor in reversed(self.ctx.ancestors):
            if isinstance(ancestor, _SCOPES):
                return None
            if isinstance(ancestor, _LOOPS) and any(child is s for s in ancestor.body):
                return ancestor
            child = ancestor
        return None

    def _in_loop(self, node: ast.stmt) -> bool:
        """``node`` is in the body of a loop of its own function (not in a loop's ``else``)."""
        return self._loop(node) is not None

    def _concat_onto(self, value: ast.expr, target: ast.expr) -> bool:
        """``value`` is ``pd.concat([target, ...])`` (maybe followed by method calls)."""
        if not isinstance(target, (ast.Name, ast.Attribute)):
            return False
        if isinstance(value, ast.IfExp):  # out = batch if out is None else pd.concat([out, batch])
            return self._concat_onto(value.body, target) or self._concat_onto(value.orelse, target)
        while (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and self.model.qualname(value.func) is None
        ):
            value = value.func.value
        if not isinstance(value, ast.Call) or self.model.qualname(value.func) != "pandas.concat":
            return False
        pieces = value.args[0] if value.args else None
        objs = keyword(value, "objs")
        if objs is not None:
            pieces = objs.value
        if not isinstance(pieces, (ast.List, ast.Tuple)):
            return False
        wanted = ast.dump(target, include_attributes=False).replace("Store()", "Load()")
        return any(ast.dump(elt) == wanted for elt in pieces.elts)

    def _appended_onto(self, node: ast.Assign, target: ast.expr) -> bool:
        """``target = target.append(piece)`` (maybe followed by method calls) on a frame or
        Series that the loop carries from one iteration to the next."""
        if not isinstance(target, (ast.Name, ast.Attribute)):
            return False
        value = node.value
        while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            if value.func.attr == "append" and same_target(value.func.value, target):
                break
            value = value.func.value
        else:
            return False
        if not value.args or any(mentions(a, target) for a in value.args):
            return False  # df.append(df): doubling, linear in total
        if self.model.kind_of(target) not in _GROWN_KINDS:
            return False
        return self._carried(node, target)

    def _carried(self, node: ast.Assign, target: ast.expr) -> bool:
        """The loop around ``node`` carries ``target`` from one iteration to the next (it
        is not bound afresh before or after ``node`` in the same iteration)."""
        loop = self._loop(node)
        return loop is not None and carried(loop, node, target)

    def _enlarged(self, target: ast.expr) -> bool:
        """``target`` is ``df.loc[len(df)]`` (or ``[len(df), ...]``, ``[df.shape[0]]``)."""
        if not (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "loc"
        ):
            return False
        frame = target.value.value
        if self.model.kind_of(frame) is not Kind.DATAFRAME:
            return False
        key = target.slice
        first = key.elts[0] if isinstance(key, ast.Tuple) and key.elts else key
        wanted = ast.dump(frame)
        if (
            isinstance(first, ast.Call)
            and self.model.qualname(first.func) == "builtins.len"
            and len(first.args) == 1
        ):
            size_of = first.args[0]
            if isinstance(size_of, ast.Attribute) and size_of.attr == "index":
                size_of = size_of.value
            return ast.dump(size_of) == wanted
        return (
            isinstance(first, ast.Subscript)
            and isinstance(first.value, ast.Attribute)
            and first.value.attr == "shape"
            and isinstance(first.slice, ast.Constant)
            and first.slice.value == 0
            and ast.dump(first.value.value) == wanted
        )
