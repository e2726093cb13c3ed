"""Walking trees: the child fields of each node class, and fast walks for the rules.

``ast.walk`` and ``ast.iter_child_nodes`` look up every field of every node; these
read each class's fields once (from its ASDL signature), skip the ones that cannot
hold a node worth visiting, and are several times faster.
"""

from __future__ import annotations

import ast
import collections
import hashlib
import re
from collections.abc import Iterator, Sequence

#: ASDL field types that never hold a node worth walking into: names, literals,
#: and the operator / load-store singletons (walked only when a check asks for them).
_SCALAR_TYPES = frozenset({"identifier", "string", "constant", "int"})
_OPERATOR_TYPES = frozenset({"expr_context", "operator", "boolop", "unaryop", "cmpop"})
_OPERATOR_CLASSES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_SIGNATURE = re.compile(r"^(\w+)\((.*)\)$")

_NODE, _LIST, _ANY = 0, 1, 2
_Fields = tuple[tuple[str, int], ...]
"""The fields of a node class to walk, in order, each with what it holds: one node
(or None), a list of nodes (or None), or anything (checked at run time)."""


def _child_fields(cls: type[ast.AST], with_operators: bool = False) -> _Fields:
    """The fields of ``cls`` that can hold nodes, read from its ASDL signature (its docstring)."""
    doc = (cls.__doc__ or "").split("\n", 1)[0]
    match = _SIGNATURE.match(doc)
    parts = [part.split() for part in match.group(2).split(",") if part.strip()] if match else []
    if match is None or tuple(part[-1] for part in parts) != cls._fields:
        return tuple((name, _ANY) for name in cls._fields)
    fields: list[tuple[str, int]] = []
    for type_name, name in parts:
        base = type_name.rstrip("?*")
        if base in _SCALAR_TYPES or (base in _OPERATOR_TYPES and not with_operators):
            continue
        fields.append((name, _LIST if type_name.endswith("*") else _NODE))
    return tuple(fields)


_FIELDS: dict[bool, dict[type[ast.AST], _Fields]] = {False: {}, True: {}}
"""with_operators -> node class -> its :func:`_child_fields`, filled as classes are met."""


def iter_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)`` (same nodes, same order) without the operator and load/store/del
    nodes, several times faster: for rules that must look into a subtree."""
    table = _FIELDS[False]
    todo = collections.deque([node])
    push = todo.append
    pop = todo.popleft
    while todo:
        node = pop()
        fields = table.get(node.__class__)
        if fields is None:
            fields = table[node.__class__] = _child_fields(node.__class__)
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    push(value)
            elif holds == _LIST:
                for item in value or ():
                    if item is not None:
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))
        yield node


def names_in(node: ast.AST) -> list[ast.Name]:
    """The ``Name`` nodes in ``node``'s subtree (``node`` included), in ``ast.walk`` order."""
    return [sub for sub in iter_nodes(node) if sub.__class__ is ast.Name]


def identifiers(tree: ast.Module) -> frozenset[str]:
    """Every identifier of the module: the names read, bound or deleted, those that
    definitions, parameters, keyword arguments, imports (the name an import binds: the
    alias, or the first part of a dotted module), ``global``/``nonlocal``, ``except ...
    as``, patterns and type parameters name; not attribute names, nor the modules of
    ``from ... import``. The names that :meth:`mlsmells.fixes.base.FixContext.names_in_module`
    finds in libcst's tree (there ``True``, ``False`` and ``None`` are names too: no fix
    writes them as a new name)."""
    found: set[str] = set()
    for node in iter_nodes(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.alias):
            if node.name != "*":
                found.add(node.asname or node.name.split(".")[0])
        else:
            found.update(declared_names(node))
    return frozenset(found)


def declared_names(node: ast.AST) -> list[str]:
    """The identifiers ``node`` holds as strings, not as ``Name`` nodes: a parameter, a
    keyword argument, a definition, ``global``/``nonlocal``, ``except ... as``, a pattern's
    captures and keywords, a type parameter (the imports aside)."""
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, (ast.keyword, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        name = node.arg if isinstance(node, ast.keyword) else node.name
        return [name] if name is not None else []
    if isinstance(node, _NAMED):
        return [node.name]  # type: ignore[attr-defined]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest is not None else []
    if isinstance(node, ast.MatchClass):
        return list(node.kwd_attrs)
    return []


_TYPE_PARAMETERS = ("TypeVar", "ParamSpec", "TypeVarTuple")
_NAMED: tuple[type[ast.AST], ...] = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    *(getattr(ast, kind) for kind in _TYPE_PARAMETERS if hasattr(ast, kind)),
)
"""The nodes whose ``name`` is an identifier they bind (type parameters: Python 3.12)."""


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def iter_local_nodes(roots: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of ``roots`` and their subtrees in source order (depth first, each node
    before its children), not descending into nested definitions (a function, lambda or
    class is yielded, what it holds is not), without the operator and load/store/del
    nodes: for rules that look at the statements of one scope."""
    table = _FIELDS[False]
    stack = list(reversed(roots))
    pop = stack.pop
    while stack:
        node = pop()
        yield node
        if isinstance(node, _DEFINITIONS):
            continue
        fields = table.get(node.__class__)
        if fields is None:
            fields = table[node.__class__] = _child_fields(node.__class__)
        children: list[ast.AST] = []
        for name, holds in fields:
            value = getattr(node, name, None)
            if holds == _NODE:
                if value is not None:
                    children.append(value)
            elif holds == _LIST:
                if value:
                    children.extend(item for item in value if item is not None)
            elif isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                children.extend(item for item in value if isinstance(item, ast.AST))
        children.reverse()
        stack.extend(children)


def import_roots(
    tree: ast.Module, relative: set[str] | None = None, functions: set[str] | None = None
) -> set[str]:
    """Top-level packages imported anywhere in ``tree`` (cheap: statements only); the
    modules of its relative imports (``.data``, ``..``) go into ``relative``, and the
    names of the functions it defines (methods and nested ones too) into ``functions``,
    when given."""
    roots: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    blocks = _BLOCKS
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                roots.add(node.module.split(".")[0])
            elif node.level and relative is not None:
                relative.add("." * node.level + (node.module or ""))
        else:
            if functions is not None and node.__class__ in _DEFS:
                functions.add(node.name)
            fields = blocks.get(node.__class__)
            if fields is None:
                names = node.__class__._fields
                fields = blocks[node.__class__] = tuple(f for f in _BLOCK_FIELDS if f in names)
            for field in fields:
                stack.extend(getattr(node, field))
    return roots


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCKS: dict[type[ast.AST], tuple[str, ...]] = {}
"""Node class -> its fields holding statements (or handlers, cases); none for simple ones."""


def text_digest(source: str) -> str:
    """The SHA-256 of a source text (newlines as ``\\n``): which text a skeleton is of."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def statement_skeleton(tree: ast.Module) -> ast.Module:
    """The statements of ``tree`` alone, with their lines, first columns, decorators' lines
    and blocks (``body``, ``orelse``, ``finalbody``, handlers, cases): what the fixes of
    the reports are planned on (:mod:`mlsmells.fixes.suggest`), kept with a result at a
    tenth of the tree's size."""
    return ast.Module(body=[_skeleton(s) for s in tree.body], type_ignores=[])


def _skeleton(statement: ast.stmt) -> ast.stmt:
    cls = type(statement)
    copy = cls.__new__(cls)
    copy.lineno = statement.lineno
    copy.end_lineno = statement.end_lineno
    copy.col_offset = statement.col_offset
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    if decorators:
        copy.decorator_list = [  # type: ignore[attr-defined]
            ast.Constant(value=None, lineno=d.lineno) for d in decorators
        ]
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            setattr(copy, name, [_skeleton(s) for s in block])
    handlers: list[ast.ExceptHandler] = getattr(statement, "handlers", [])
    if handlers:
        copy.handlers = [  # type: ignore[attr-defined]
            ast.ExceptHandler(body=[_skeleton(s) for s in h.body], lineno=h.lineno)
            for h in handlers
        ]
    cases: list[ast.match_case] = getattr(statement, "cases", [])
    if cases:
        copy.cases = [  # type: ignore[attr-defined]
            ast.match_case(
                pattern=ast.MatchAs(lineno=c.pattern.lineno), body=[_skeleton(s) for s in c.body]
            )
            for c in cases
        ]
    return copy
