"""ML904 empty-column-filler: a column set to `0`/`""` as a placeholder, then filled in part."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, iter_local_nodes
from mlsmells.records import Family, Rule
from mlsmells.semantic.kinds import Kind

RULE = Rule(
    code="ML904",
    name="empty-column-filler",
    pylint_id="C7684",
    family=Family.OPINIONATED,
    message=(
        "column `{column}` is initialised with `{value}` and filled in part later: rows "
        "never filled cannot be told from real `{value}` values; initialise with `np.nan`"
    ),
    summary=(
        'A DataFrame column is initialised with `0` or `""` as a placeholder and then '
        "assigned computed values for some rows."
    ),
    rationale=(
        "A placeholder that is also a valid value hides missing data: after "
        '`df["income"] = 0` and a loop that fills `df.loc[i, "income"]` where it can, '
        "the rows it could not fill look like people with no income, and means, models and "
        "`fillna` treat them as such. Initialising with `np.nan` (or `pd.NA` with a "
        "nullable dtype) keeps them visibly missing. The rule needs the pattern: the "
        'column is set to the constant `0`, `0.0` or `""` and later in the same scope '
        "assigned a computed (non-constant) value through `.loc`/`.at` or a chained "
        "index; an indicator column later set to the constant `1` is not a placeholder."
    ),
    bad=(
        'df["income"] = 0\n'
        "for i, row in df.iterrows():\n"
        "    if row.employed:\n"
        '        df.at[i, "income"] = lookup_income(row.person_id)\n'
    ),
    good=(
        'df["income"] = np.nan\n'
        "for i, row in df.iterrows():\n"
        "    if row.employed:\n"
        '        df.at[i, "income"] = lookup_income(row.person_id)\n'
    ),
    default_enabled=False,
    noise=(
        "A `0` that really is the value of the rows not filled afterwards (a count that "
        "stays 0, an amount that is genuinely zero) is reported too: the rule cannot tell a "
        "meaningful zero from a placeholder."
    ),
)


def _filler(value: ast.expr) -> str | None:
    """The source of a placeholder constant (``0``, ``0.0``, ``""``), else None."""
    if not isinstance(value, ast.Constant) or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)) and value.value == 0:
        return repr(value.value)
    if value.value == "":
        return '""'
    return None


def _is_literal(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp):
        return _is_literal(expr.operand)
    return isinstance(expr, ast.Constant)


def _str_key(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def _same_name(expr: ast.expr, name: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == name


def _writes_column(target: ast.expr, frame: str, column: str) -> bool:
    """``frame.loc[rows, column]``, ``frame.at[row, column]`` or ``frame[column][rows]``."""
    if not isinstance(target, ast.Subscript):
        return False
    base = target.value
    if isinstance(base, ast.Attribute) and base.attr in ("loc", "at"):
        key = target.slice
        return (
            _same_name(base.value, frame)
            and isinstance(key, ast.Tuple)
            and len(key.elts) == 2
            and _str_key(key.elts[1]) == column
        )
    return (
        isinstance(base, ast.Subscript)
        and _same_name(base.value, frame)
        and _str_key(base.slice) == column
    )


class EmptyColumnFiller(Check):
    """ML904: a column set to ``0``/``""`` as a placeholder, then filled in part."""

    rules = (RULE,)
    nodes = (ast.Assign,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        if len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Subscript) or not isinstance(target.value, ast.Name):
            return
        column = _str_key(target.slice)
        value = _filler(node.value)
        if column is None or value is None:
            return
        if self.model.kind_of(target.value) is not Kind.DATAFRAME:
            return
        if self._filled_later(node, target.value.id, column):
            self.report("ML904", node, column=column, value=value)

    def _filled_later(self, stmt: ast.Assign, frame: str, column: str) -> bool:
        scope = self.model.scope.node
        body = getattr(scope, "body", None)
        if not isinstance(body, list):
            return False
        after = False
        for node in iter_local_nodes(body):
            if node is stmt:
                after = True
                continue
            if not after or not isinstance(node, (ast.Assign, ast.AugAssign)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_writes_column(t, frame, column) for t in targets):
                if isinstance(node, ast.AugAssign) or _is_literal(node.value):
                    return False  # a counter or an indicator: the constant is meaningful
                return True
        return False
