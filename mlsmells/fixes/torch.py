"""Fixes of the PyTorch rules (ML4xx, and ML104)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from libcst.codemod.visitors import ImportItem

from mlsmells.data import torch_api, torchvision_weights
from mlsmells.data.torch_api import Shape
from mlsmells.diagnostics import Diagnostic
from mlsmells.fixes.base import (
    Edit,
    FixContext,
    add_keyword,
    is_atom,
    keyword_arg,
    method_call,
    parenthesize,
    parse_expression,
    remove_arg,
    transform,
)
from mlsmells.records import Fix


@transform("ML401")
def torch_load_weights_only(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``torch.load(f)`` -> ``torch.load(f, weights_only=True)``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    return Edit(call, add_keyword(call, "weights_only", cst.Name("True")))


@transform("ML403")
def loss_item(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``total += loss`` -> ``total += loss.item()``."""
    node = ctx.find(diag, cst.AugAssign)
    if node is None or not isinstance(node.operator, cst.AddAssign):
        return None
    return Edit(node.value, method_call(node.value, "item"))


@transform("ML404")
def dropout_training(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``F.dropout(x, p)`` -> ``F.dropout(x, p, training=self.training)``.

    The rule names the expression (``data["training"]``): the method's own
    first parameter, when nothing in between shadows it.
    """
    training = diag.get("training")
    call = ctx.find(diag, cst.Call)
    if training is None or call is None:
        return None
    return Edit(call, add_keyword(call, "training", parse_expression(training)))


@transform("ML406")
def call_mode_switch(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``model.eval`` -> ``model.eval()``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None:
        return None
    return Edit(attribute, cst.Call(func=attribute))


# ------------------------------------------------------------ shared helpers


def spelled(ctx: FixContext, diag: Diagnostic) -> tuple[str, tuple[ImportItem, ...]] | None:
    """The replacement's name as the rule spelled it where the finding is (``spelling``),
    and the import it needs (``import``: done only if that name is used nowhere else)."""
    text = diag.get("spelling")
    if text is None:
        return None
    module = diag.get("import")
    if module is None:
        return text, ()
    if module.split(".")[0] in ctx.names_in_module():
        return None
    return text, (ImportItem(module),)


def _ancestors(ctx: FixContext, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    parent = ctx.parent(node)
    while parent is not None:
        yield parent
        parent = ctx.parent(parent)


def _string(value: str) -> cst.SimpleString:
    return cst.SimpleString(f'"{value}"')


def _literal(node: cst.BaseExpression) -> bool | None | str:
    """``True``/``False``/``None`` for those literals, ``"other"`` for anything else."""
    if isinstance(node, cst.Name) and not node.lpar and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    return "other"


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None]


def _with_keywords(call: cst.Call, names: tuple[str, ...]) -> cst.Call | None:
    """``call`` with its positional arguments after the first ``skip`` turned into keywords
    named ``names`` (``None`` when there are too many, or a starred one)."""
    args: list[cst.Arg] = []
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            args.append(arg)
            continue
        if index >= len(names):
            return None
        args.append(
            arg.with_changes(
                keyword=cst.Name(names[index]),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
        index += 1
    return call.with_changes(args=args)


def _prepend(call: cst.Call, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``value`` as its new first argument."""
    first = cst.Arg(value=value)
    if not call.args:
        return call.with_changes(args=[first])
    return call.with_changes(
        args=[
            first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            *call.args,
        ]
    )


# -------------------------------------------------------------------- ML104


@transform("ML104")
def seeded_generator(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``DataLoader(ds, shuffle=True)`` -> ``DataLoader(ds, shuffle=True,
    generator=torch.Generator().manual_seed(<seed>))`` (torch's own DataLoader only)."""
    call = ctx.find(diag, cst.Call)
    if call is None or keyword_arg(call, "generator"):
        return None
    found = spelled(ctx, diag)
    if found is None:
        return None
    text, imports = found
    generator = parse_expression(f"{text}().manual_seed({ctx.settings.seed})")
    return Edit(call, add_keyword(call, "generator", generator), imports)


# -------------------------------------------------------------------- ML405


@transform("ML405")
def call_module(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``model.forward(x)`` -> ``model(x)``."""
    call = ctx.find(diag, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    return Edit(call, call.with_changes(func=call.func.value))


# -------------------------------------------------------------------- ML407


@transform("ML407")
def restore_train_mode(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """Insert ``model.train()`` as the first statement of the training loop's body.

    The rule names the model and the loop (offered only when the ``eval()`` comes
    after every backward pass of an iteration, so that the new first statement
    restores the mode before the next one).
    """
    model, line, col = diag.get("model"), diag.get("loop_line"), diag.get("loop_col")
    call = ctx.find(diag, cst.Call)
    if model is None or line is None or col is None or call is None:
        return None
    start = (int(line), ctx.char_col(int(line), int(col)))
    loop = next(
        (
            node
            for node in _ancestors(ctx, call)
            if isinstance(node, (cst.For, cst.While)) and ctx.span(node)[:2] == start
        ),
        None,
    )
    if loop is None or not isinstance(loop.body, cst.IndentedBlock):
        return None
    restore = cst.SimpleStatementLine(body=[cst.Expr(parse_expression(f"{model}.train()"))])
    body = loop.body.with_changes(body=[restore, *loop.body.body])
    return Edit(loop, loop.with_changes(body=body))


# -------------------------------------------------------------------- ML410


@transform("ML410")
def assign_moved_tensor(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``x.to(device)`` -> ``x = x.to(device)`` (a plain name only)."""
    receiver = diag.get("receiver")
    call = ctx.find(diag, cst.Call)
    if receiver is None or call is None:
        return None
    statement = ctx.parent(call)
    if not isinstance(statement, cst.Expr):
        return None
    assign = cst.Assign(targets=[cst.AssignTarget(target=cst.Name(receiver))], value=call)
    return Edit(statement, assign)


# -------------------------------------------------------------------- ML411


@transform("ML411")
def rename_requires_grad(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``p.require_grad = False`` -> ``p.requires_grad = False``."""
    attribute = ctx.find(diag, cst.Attribute)
    if attribute is None or attribute.attr.value != "require_grad":
        return None
    return Edit(attribute, attribute.with_changes(attr=cst.Name("requires_grad")))


# -------------------------------------------------------------------- ML413


@transform("ML413")
def explicit_use_reentrant(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``checkpoint(f, x)`` -> ``checkpoint(f, x, use_reentrant=False)``."""
    call = ctx.find(diag, cst.Call)
    if call is None or keyword_arg(call, "use_reentrant") is not None:
        return None
    return Edit(call, add_keyword(call, "use_reentrant", cst.Name("False")))


# -------------------------------------------------------------------- ML412

_AUTOCAST_PARAMETERS = ("enabled", "dtype", "cache_enabled")
_ASSERT_ALLCLOSE_PARAMETERS = ("rtol", "atol", "equal_nan", "msg")


@transform("ML412")
def deprecated_torch_api(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """The replacement of a deprecated PyTorch/torchvision API (see ``torch_api``).

    Safe where PyTorch documents the replacement as equivalent (the shapes of
    :class:`mlsmells.data.torch_api.Shape` say how each is rewritten); unsafe for
    ``Variable(t)`` -> ``t`` and ``assert_allclose`` -> ``assert_close``.
    """
    form = diag.get("form")
    if form == "reduction":
        return _reduction(ctx, diag)
    if form == "torchvision":
        return _torchvision_weights(ctx, diag)
    entry = torch_api.DEPRECATED.get(diag.get("api") or "")
    if entry is None or entry.shape is Shape.NONE:
        return None
    if form == "reference":
        return _reference(ctx, diag, entry)
    call = ctx.find(diag, cst.Call)
    if call is None or any(a.star == "**" for a in call.args):
        return None
    if entry.shape is Shape.VARIABLE:
        args = call.args
        if len(args) != 1 or args[0].keyword is not None or args[0].star:
            return None
        value = args[0].value
        return Edit(call, value if is_atom(value) else parenthesize(value), safety=Fix.UNSAFE)
    rewritten = _rewrite_call(call, entry)
    if rewritten is None:
        return None
    new, suffix = rewritten
    found = spelled(ctx, diag)
    if found is None:
        return None
    result = new.with_changes(func=parse_expression(found[0]))
    final: cst.BaseExpression = result
    if suffix:
        final = cst.Attribute(value=result, attr=cst.Name(suffix))
    # ``cholesky(A, upper=True)`` -> ``linalg.cholesky(A).mH``: documented as equivalent, but
    # computed through the lower factor: the last bits may differ.
    safety = Fix.SAFE if entry.equivalent and not suffix else Fix.UNSAFE
    return Edit(call, final, found[1], safety=safety)


def _rewrite_call(call: cst.Call, entry: torch_api.TorchDeprecation) -> tuple[cst.Call, str] | None:
    """(the call with its new arguments, an attribute to read from the result), or
    ``None`` when this call's shape has no mechanical rewrite (the rule spelled the
    callable, ``entry.target``)."""
    shape = entry.shape
    if shape is Shape.RENAME:
        renames = dict(entry.keywords)
        args = [
            a.with_changes(keyword=cst.Name(renames[a.keyword.value]))
            if a.keyword is not None and a.keyword.value in renames
            else a
            for a in call.args
        ]
        return call.with_changes(args=args), ""
    if any(a.star for a in call.args):
        return None
    if shape is Shape.DEVICE_FIRST:
        return _prepend(call, _string(entry.device)), ""
    if shape is Shape.AUTOCAST:
        keywords = _with_keywords(call, _AUTOCAST_PARAMETERS)
        if keywords is None:
            return None
        return _prepend(keywords, _string(entry.device)), ""
    if shape is Shape.DEVICE_KEYWORD:
        if keyword_arg(call, "device_type") is not None:
            return None
        return add_keyword(call, "device_type", _string(entry.device)), ""
    if shape is Shape.MULTI_DOT:
        return _multi_dot(call)
    if shape is Shape.QR:
        return _qr(call)
    if shape is Shape.CHOLESKY:
        return _cholesky(call)
    if shape is Shape.ASSERT_CLOSE:
        return _assert_close(call)
    return None


def _multi_dot(call: cst.Call) -> tuple[cst.Call, str] | None:
    positional = _positional(call)
    others = [a for a in call.args if a.keyword is not None]
    if len(positional) < 2 or any(a.keyword.value != "out" for a in others if a.keyword):
        return None
    elements = [
        cst.Element(
            value=a.value,
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(positional) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for i, a in enumerate(positional)
    ]
    matrices = cst.Arg(value=cst.List(elements=elements))
    if others:
        matrices = matrices.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
    new = call.with_changes(args=[matrices, *others])
    return new, ""


def _flag(call: cst.Call, name: str, position: int) -> tuple[cst.Arg | None, bool | None | str]:
    """The argument ``name`` (by keyword or at ``position``) and its literal value."""
    given = keyword_arg(call, name)
    if given is None:
        positional = _positional(call)
        given = positional[position] if len(positional) > position else None
    if given is None:
        return None, None
    return given, _literal(given.value)


def _without(call: cst.Call, arg: cst.Arg) -> cst.Call:
    return remove_arg(call, arg)


def _qr(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``torch.qr(A, some)`` -> ``torch.linalg.qr(A, mode)`` for a literal ``some``."""
    arg, some = _flag(call, "some", 1)
    if arg is None:
        return call, ""
    if some is True:
        return _without(call, arg), ""
    if some is False:
        new = _without(call, arg)
        return add_keyword(new, "mode", _string("complete")), ""
    return None


def _cholesky(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``torch.cholesky(A)`` -> ``torch.linalg.cholesky(A)``; ``upper=True`` -> ``.mH``."""
    arg, upper = _flag(call, "upper", 1)
    if arg is None:
        return call, ""
    if upper is False:
        return _without(call, arg), ""
    if upper is True and keyword_arg(call, "out") is None:
        return _without(call, arg), "mH"
    return None


def _assert_close(call: cst.Call) -> tuple[cst.Call, str] | None:
    """``assert_allclose(a, b, rtol, atol)`` -> ``assert_close(a, b, rtol=rtol, atol=atol,
    check_dtype=False, equal_nan=True)`` (the checks ``assert_allclose`` made, except the
    tolerances: its defaults were looser)."""
    positional = _positional(call)
    if len(positional) < 2:
        return None
    head, extra = positional[:2], positional[2:]
    tail = cst.Call(func=call.func, args=[*extra, *(a for a in call.args if a.keyword)])
    keywords = _with_keywords(tail, _ASSERT_ALLCLOSE_PARAMETERS)
    if keywords is None:
        return None
    new = call.with_changes(args=[*head, *keywords.args])
    if keyword_arg(new, "check_dtype") is None:
        new = add_keyword(new, "check_dtype", cst.Name("False"))
    if keyword_arg(new, "equal_nan") is None:
        new = add_keyword(new, "equal_nan", cst.Name("True"))
    return new, ""


def _reference(ctx: FixContext, diag: Diagnostic, entry: torch_api.TorchDeprecation) -> Edit | None:
    """A deprecated API named without being called: a rename, or a bare decorator."""
    node = ctx.find(diag, cst.Attribute, cst.Name)
    if node is None:
        return None
    found = spelled(ctx, diag)
    if found is None:
        return None
    if entry.shape is Shape.RENAME and not entry.keywords:
        return Edit(node, parse_expression(found[0]), found[1], safety=Fix.SAFE)
    if entry.shape is Shape.DEVICE_KEYWORD and isinstance(ctx.parent(node), cst.Decorator):
        decorator = parse_expression(f'{found[0]}(device_type="{entry.device}")')
        return Edit(node, decorator, found[1], safety=Fix.SAFE)
    return None


def _reduction(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``nn.MSELoss(size_average=False)`` -> ``nn.MSELoss(reduction="sum")``."""
    reduction = diag.get("reduction")
    call = ctx.find(diag, cst.Call)
    if reduction is None or call is None:
        return None
    new = call
    for name in ("size_average", "reduce"):
        arg = keyword_arg(new, name)
        if arg is not None:
            new = remove_arg(new, arg)
    given = keyword_arg(new, "reduction")
    if given is not None:
        new = new.with_changes(
            args=[a.with_changes(value=_string(reduction)) if a is given else a for a in new.args]
        )
    else:
        new = add_keyword(new, "reduction", _string(reduction))
    return Edit(call, new, safety=Fix.SAFE)


def _torchvision_weights(ctx: FixContext, diag: Diagnostic) -> Edit | None:
    """``resnet50(pretrained=True)`` -> ``resnet50(weights="IMAGENET1K_V1")`` (the weights
    torchvision documents as what ``pretrained=True`` stands for); ``False`` -> ``None``."""
    call = ctx.find(diag, cst.Call)
    table = torchvision_weights.LEGACY_WEIGHTS.get(diag.get("api") or "")
    if call is None or not table:
        return None
    new = call
    for legacy, keyword, default in table:
        arg = keyword_arg(new, legacy)
        if arg is None:
            continue
        if keyword_arg(new, keyword) is not None:
            return None
        value = _literal(arg.value)
        if value is False:
            replacement: cst.BaseExpression = cst.Name("None")
        elif value is True and default is not None:
            replacement = _string(default)
        else:
            return None
        new = new.with_changes(
            args=[
                a.with_changes(keyword=cst.Name(keyword), value=replacement) if a is arg else a
                for a in new.args
            ]
        )
    if new is call:
        return None
    return Edit(call, new, safety=Fix.SAFE)
