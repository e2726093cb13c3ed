"""ML302 array-grown-in-loop: an array re-bound to itself plus a piece inside a loop."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules._loops import carried, mentions, same_target

RULE = Rule(
    code="ML302",
    name="array-grown-in-loop",
    pylint_id="R7632",
    family=Family.NUMPY,
    message=(
        "`{name}` is grown with `{func}` inside a loop: every iteration copies the whole "
        "array; collect the pieces in a list and join them once after the loop"
    ),
    summary=(
        "`a = np.append(a, x)`, `a = np.concatenate([a, x])`, `a = np.vstack((a, x))` ... "
        "re-binds `a` inside a loop."
    ),
    rationale=(
        "NumPy arrays have a fixed size: `np.append`, `np.concatenate` and the `*stack` "
        "functions allocate a new array and copy both inputs. Growing an array this way in "
        "a loop copies 1 + 2 + ... + n pieces, which is quadratic in the number of "
        "iterations, and the loop slows down as it runs. Appending to a Python list and "
        "calling `np.concatenate`/`np.vstack` once after the loop is linear. The finding "
        "needs the same name (or `self.x` attribute) on both sides of the assignment, "
        "carried from one iteration to the next: a loop that binds the array afresh on "
        "every path through its body before the statement (or again after it), or whose "
        "loop variable is the array, does not grow it, while the branch a loop takes on "
        "its first iteration (`if i == 0: a = piece` / `else: a = np.append(a, piece)`, "
        "`if a is None: ...`) binds it on one path only and is reported. One that doubles "
        "it (`np.concatenate([a, a])`) copies a linear total and is not. Not seen: "
        "`torch.cat`/`torch.stack` and other libraries' joins (not NumPy's)."
    ),
    bad=(
        "preds = np.empty(0)\nfor xb in batches:\n    preds = np.append(preds, model.predict(xb))\n"
    ),
    good=(
        "parts = []\n"
        "for xb in batches:\n"
        "    parts.append(model.predict(xb))\n"
        "preds = np.concatenate(parts)\n"
    ),
)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


#: Functions that return a new array holding their inputs.
_APPEND = "numpy.append"


_JOINERS = frozenset(
    {
        "numpy.concatenate", "numpy.concat", "numpy.vstack", "numpy.hstack", "numpy.dstack",
        "numpy.row_stack", "numpy.column_stack",
    }
)  # fmt: skip


def _is_simple_target(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


class ArrayGrownInLoop(Check):
    """ML302: an array re-bound to itself plus a piece, inside a loop."""

    rules = (RULE,)
    nodes = (ast.Assign,)
    requires = frozenset({"numpy"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1 or not isinstance(node.value, ast.Call):
            return
        target = node.targets[0]
        if not _is_simple_target(target):
            return
        call = node.value
        func = self.model.qualname(call.func)
        if func is None or not self._grows(func, call, target):
            return
        loop = self._innermost_loop()
        if loop is None or not carried(loop, node, target) or self._leaves_after(node):
            return
        self.report("ML302", node, name=self.ctx.source_of(target), func=_short(func))

    @staticmethod
    def _grows(func: str, call: ast.Call, target: ast.expr) -> bool:
        """Whether ``call`` is the target joined with pieces that do not come from it.

        A piece derived from the array itself (``np.concatenate([a, a])``) doubles
        it: the total copying stays linear, like a list's over-allocation.
        """
        parts: list[ast.expr] = []
        if func == _APPEND:
            parts = list(call.args[:2])
        elif func in _JOINERS and call.args and isinstance(call.args[0], (ast.List, ast.Tuple)):
            parts = list(call.args[0].elts)
        mine = [p for p in parts if same_target(p, target)]
        others = [p for p in parts if not same_target(p, target)]
        return len(mine) == 1 and not any(mentions(p, target) for p in others)

    def _innermost_loop(self) -> ast.For | ast.AsyncFor | ast.While | None:
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, _DEFINITIONS):
                return None
            if isinstance(node, _LOOPS):
                return node
        return None

    def _leaves_after(self, stmt: ast.Assign) -> bool:
        """Whether the statements after ``stmt`` in its block leave the loop at once."""
        parent = self.ctx.parent
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and stmt in block:
                rest = block[block.index(stmt) + 1 :]
                return any(isinstance(s, (ast.Break, ast.Return, ast.Raise)) for s in rest)
        return False


def _short(qualname: str) -> str:
    return "np." + qualname.rpartition(".")[2]
