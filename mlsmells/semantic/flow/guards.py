"""Branches of a function taken by the value of a parameter: ``if scale:``, ``elif method
== "median":``. A summary keeps, for each call inside such a branch, the conditions on
the parameters that lead to it (:func:`guards_of`); a call of the function that passes
literal values (or leaves literal defaults) for them drops what happens in the branches
it never takes (:func:`dead`)."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

Condition = tuple[str, str, object]
"""(parameter, test, literal): test ``"true"``/``"false"`` (its truth), ``"eq"``/``"ne"``
(equal to the literal or not; ``is None`` is ``eq None``)."""
Position = tuple[int, int]
"""Where a call is in its file: (line, column)."""
Guards = dict[Position, tuple[Condition, ...]]

_NEGATION = {"true": "false", "false": "true", "eq": "ne", "ne": "eq"}
_OPERATORS: dict[type[ast.cmpop], str] = {
    ast.Eq: "eq", ast.Is: "eq", ast.NotEq: "ne", ast.IsNot: "ne"
}  # fmt: skip
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def guards_of(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Guards:
    """The conditions on ``node``'s parameters under which each of its calls runs (only the
    calls inside at least one branch taken by a parameter)."""
    args = node.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    found: Guards = {}
    _visit(node.body, (), params, found)
    return found


def _visit(
    body: Sequence[ast.stmt], conditions: tuple[Condition, ...], params: set[str], found: Guards
) -> None:
    for stmt in body:
        if isinstance(stmt, _SCOPES):
            continue
        if isinstance(stmt, ast.If):
            condition = _condition(stmt.test, params)
            if condition is not None:
                negated = (condition[0], _NEGATION[condition[1]], condition[2])
                _visit(stmt.body, (*conditions, condition), params, found)
                _visit(stmt.orelse, (*conditions, negated), params, found)
                continue
        for _, child in ast.iter_fields(stmt):
            if isinstance(child, list) and child and isinstance(child[0], ast.stmt):
                _visit(child, conditions, params, found)
            elif isinstance(child, list) and child and isinstance(child[0], ast.excepthandler):
                for handler in child:
                    _visit(handler.body, conditions, params, found)
            elif conditions and isinstance(child, (ast.AST, list)):
                for part in child if isinstance(child, list) else [child]:
                    for sub in ast.walk(part):
                        if isinstance(sub, ast.Call):
                            found[(sub.lineno, sub.col_offset)] = conditions


def _condition(test: ast.expr, params: set[str]) -> Condition | None:
    if isinstance(test, ast.Name) and test.id in params:
        return (test.id, "true", None)
    if (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
        and test.operand.id in params
    ):
        return (test.operand.id, "false", None)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        operator = _OPERATORS.get(type(test.ops[0]))
        left, right = test.left, test.comparators[0]
        if isinstance(right, ast.Name) and isinstance(left, ast.Constant):
            left, right = right, left
        if (
            operator is not None
            and isinstance(left, ast.Name)
            and left.id in params
            and isinstance(right, ast.Constant)
        ):
            return (left.id, operator, right.value)
    return None


def _holds(condition: Condition, value: object) -> bool:
    _, test, literal = condition
    if test == "true":
        return bool(value)
    if test == "false":
        return not value
    same = value is literal if literal is None or isinstance(literal, bool) else value == literal
    return same if test == "eq" else not same


def dead(guards: Guards, values: Mapping[str, object]) -> frozenset[Position]:
    """The calls of the branches that a call passing ``values`` (the literal value of each
    parameter it fixes) never runs."""
    return frozenset(
        position
        for position, conditions in guards.items()
        if any(c[0] in values and not _holds(c, values[c[0]]) for c in conditions)
    )


def literal_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, object]:
    """The parameters of ``node`` with a literal default, and that default."""
    args = node.args
    positional = args.posonlyargs + args.args
    with_default = positional[len(positional) - len(args.defaults) :]
    found: dict[str, object] = {}
    for arg, default in zip(with_default, args.defaults, strict=True):
        if isinstance(default, ast.Constant):
            found[arg.arg] = default.value
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if isinstance(kw_default, ast.Constant):
            found[arg.arg] = kw_default.value
    return found
