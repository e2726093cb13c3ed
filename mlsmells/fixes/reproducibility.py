"""Fixes of the reproducibility family (ML1xx)."""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import ImportItem

from mlsmells.data import numpy_random, sklearn_api
from mlsmells.data.numpy_random import Shape
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    add_keyword,
    is_atom,
    keyword_arg,
    parenthesize,
    parse_expression,
    transform,
)
from mlsmells.records import Fix


@transform("ML101")
def random_state(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Add ``random_state=<seed>``, or replace the ``None`` passed as ``random_state``.

    The rule says which (``data["random_state"]``: ``missing`` or ``none``)
    and names the callable (``data["callee"]``), whose table of positional
    parameters locates a ``None`` passed by position.
    """
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.settings.seed))
    given = keyword_arg(call, "random_state")
    if diag.get("random_state") == "missing":
        return Edit(call, add_keyword(call, "random_state", seed))
    if given is None:
        positional = sklearn_api.POSITIONAL_PARAMS.get(diag.get("callee") or "", ())
        if "random_state" not in positional:
            return None
        index = positional.index("random_state")
        args = [a for a in call.args if a.keyword is None]
        if index >= len(args) or args[index].star:
            return None
        given = args[index]
    if not (isinstance(given.value, cst.Name) and given.value.value == "None"):
        return None
    return Edit(given.value, seed)


# -------------------------------------------------------------------- ML102


@transform("ML102")
def legacy_random(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Move a module from the legacy global functions to one Generator.

    The rule plans the module (see ``LegacyNumpyRandom``) and hands each
    finding its part: ``create`` (``seed``: this seed call becomes
    ``<rng> = <factory>(<its arguments>)``; ``after``: the statement
    ``<rng> = <factory>()`` goes after the import ending on ``after_line``),
    or ``rng``: this call draws from that generator, arguments mapped by
    :mod:`mlsmells.data.numpy_random`. Calls are rewritten only once the
    generator exists, so a pass never leaves a call on a missing name.
    """
    create = diag.get("create")
    rng = diag.get("rng")
    factory = diag.get("factory")
    imports: tuple[ImportItem, ...] = ()
    needed = diag.get("import")
    if needed is not None:
        module, _, name = needed.partition(":")
        imports = (ImportItem(module, name),)
    if create == "seed" and rng is not None and factory is not None:
        return _generator_from_seed(ctx, diag, rng, factory, imports)
    if create == "after" and rng is not None and factory is not None:
        return _generator_after_imports(
            ctx, int(diag.get("after_line") or 0), rng, factory, imports
        )
    if create is not None or rng is None:
        return None
    entry = numpy_random.LEGACY.get(diag.get("function") or "")
    call = ctx.find(diag, cst.Call)
    if entry is None or call is None:
        return None
    mapped = _map_arguments(entry, call)
    if mapped is None:
        return None
    func = cst.Attribute(value=cst.Name(rng), attr=cst.Name(entry.method))
    new = call.with_changes(func=func, args=mapped)
    dtype = diag.get("dtype")
    if dtype is not None:
        new = add_keyword(new, "dtype", cst.Name(dtype))
    return Edit(call, new)


def _generator_from_seed(
    ctx: FixContext, diag: Diagnostic, rng: str, factory: str, imports: tuple[ImportItem, ...]
) -> Edit | None:
    call = ctx.find(diag, cst.Call)
    statement = ctx.parent(call) if call is not None else None
    if call is None or not isinstance(statement, cst.Expr) or call.lpar:
        return None
    assign = cst.Assign(
        targets=[cst.AssignTarget(target=cst.Name(rng))],
        value=call.with_changes(func=parse_expression(factory)),
        semicolon=statement.semicolon,
    )
    return Edit(statement, assign, imports)


def _generator_after_imports(
    ctx: FixContext, line: int, rng: str, factory: str, imports: tuple[ImportItem, ...]
) -> Edit | None:
    body = list(ctx.module.body)
    index = next((i for i, s in enumerate(body) if ctx.span(s)[2] == line), None)
    if index is None:
        return None
    statement = cst.parse_statement(f"{rng} = {factory}()\n")
    statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(index + 1, statement)
    return Edit(ctx.module, ctx.module.with_changes(body=body), imports)


def _map_arguments(entry: numpy_random.Legacy, call: cst.Call) -> list[cst.Arg] | None:
    """The Generator call's arguments for a legacy call (None: a shape the fix leaves alone)."""
    args = list(call.args)
    if entry.shape is Shape.SAME:
        return args
    if entry.shape is Shape.DIMS:
        return _dims(args)
    if entry.shape is Shape.CLOSED:
        return _closed(args)
    return None


def _bare(arg: cst.Arg) -> cst.Arg:
    """``arg`` without its comma and trailing whitespace (it gets new neighbours)."""
    return arg.with_changes(
        comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")
    )


def _dims(args: list[cst.Arg]) -> list[cst.Arg] | None:
    """``rand(2, 3)`` -> ``random((2, 3))``; ``rand(n)`` -> ``random(n)``; ``rand(*x.shape)``
    -> ``random(x.shape)``; other unpacking -> ``random((*dims,))``."""
    if any(a.keyword is not None or a.star == "**" for a in args):
        return None
    if not args:
        return []
    if len(args) == 1 and not args[0].star:
        return [_bare(args[0])]
    only = args[0].value
    if len(args) == 1 and isinstance(only, cst.Attribute) and only.attr.value == "shape":
        return [cst.Arg(value=only)]
    elements: list[cst.BaseElement] = []
    for i, arg in enumerate(args):
        comma: cst.Comma | cst.MaybeSentinel = (
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(args) - 1
            else cst.MaybeSentinel.DEFAULT
        )
        if arg.star == "*":
            elements.append(cst.StarredElement(value=arg.value, comma=comma))
        else:
            elements.append(cst.Element(value=arg.value, comma=comma))
    if len(elements) == 1:
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return [cst.Arg(value=cst.Tuple(elements=elements))]


_TIGHTER_THAN_PLUS = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.Divide,
    cst.FloorDivide,
    cst.Modulo,
    cst.Power,
    cst.MatrixMultiply,
)


def _plus_one(value: cst.BaseExpression) -> cst.BaseExpression:
    """``value + 1``: a literal is computed, ``n - 1`` becomes ``n``."""
    if isinstance(value, cst.Integer):
        return cst.Integer(str(value.evaluated_value + 1))
    if (
        isinstance(value, cst.BinaryOperation)
        and isinstance(value.operator, cst.Subtract)
        and isinstance(value.right, cst.Integer)
        and value.right.evaluated_value == 1
        and not value.lpar
    ):
        return value.left
    binds = (
        is_atom(value)
        or (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, _TIGHTER_THAN_PLUS)
        )
        or (isinstance(value, cst.UnaryOperation) and not isinstance(value.operator, cst.Not))
    )
    return cst.BinaryOperation(
        left=value if binds else parenthesize(value),
        operator=cst.Add(
            whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")
        ),
        right=cst.Integer("1"),
    )


def _closed(args: list[cst.Arg]) -> list[cst.Arg] | None:
    """``random_integers(low, high, size)`` -> ``integers(low, high + 1, size)``;
    without ``high``: ``integers(1, low + 1, size)``."""
    if any(a.star for a in args):
        return None
    values: dict[str, cst.Arg] = {}
    positional = [a for a in args if a.keyword is None]
    for name, arg in zip(("low", "high", "size"), positional, strict=False):
        values[name] = arg
    for arg in args:
        if arg.keyword is not None:
            values[arg.keyword.value] = arg
    low = values.get("low")
    if low is None:
        return None
    high = values.get("high")
    if high is None or (isinstance(high.value, cst.Name) and high.value.value == "None"):
        bounds = [cst.Integer("1"), _plus_one(low.value)]
    else:
        bounds = [low.value, _plus_one(high.value)]
    out = [
        cst.Arg(value=bounds[0], comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(value=bounds[1]),
    ]
    size = values.get("size")
    if size is not None:
        out[-1] = out[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        out.append(_bare(size))
    return out


# -------------------------------------------------------------------- ML103


@transform("ML103")
def seed_generator(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Seed the generator with the configured seed.

    NumPy and ``random``: the seed becomes the first argument, or replaces
    the ``None`` given for it (safe). ``torch.Generator()`` ->
    ``torch.Generator().manual_seed(<seed>)`` (unsafe: it had torch's fixed
    default seed).
    """
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    seed = cst.Integer(str(ctx.settings.seed))
    if diag.get("library") == "torch":
        seeded = cst.Call(
            func=cst.Attribute(value=call, attr=cst.Name("manual_seed")), args=[cst.Arg(seed)]
        )
        return Edit(call, seeded, safety=Fix.UNSAFE)
    if diag.get("seed") == "missing":
        args = list(call.args)
        first = cst.Arg(value=seed)
        if args:
            first = first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return Edit(call, call.with_changes(args=[first, *args]), safety=Fix.SAFE)
    given = keyword_arg(call, diag.get("param") or "")
    if given is None and call.args and call.args[0].keyword is None:
        given = call.args[0]
    if given is None or not (isinstance(given.value, cst.Name) and given.value.value == "None"):
        return None
    return Edit(given.value, seed, safety=Fix.SAFE)


# -------------------------------------------------------------------- ML105


@transform("ML105")
def shuffle_folds(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Add ``shuffle=True``, or turn the ``shuffle=False`` given into ``shuffle=True``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    given = keyword_arg(call, "shuffle")
    if diag.get("shuffle") == "missing":
        return Edit(call, add_keyword(call, "shuffle", cst.Name("True"))) if given is None else None
    if given is None:
        positional = [a for a in call.args if a.keyword is None]
        params = sklearn_api.POSITIONAL_PARAMS.get(diag.get("callee") or "", ())
        if "shuffle" not in params or params.index("shuffle") >= len(positional):
            return None
        given = positional[params.index("shuffle")]
    if not (isinstance(given.value, cst.Name) and given.value.value == "False"):
        return None
    return Edit(given.value, cst.Name("True"))
