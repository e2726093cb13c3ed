"""ML407 eval-without-train-restore and ML409 scheduler-before-optimizer-step, and ML407's fix."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check, Context, has_identifier
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._fixfacts import block_body
from mlsmells.rules._util import keyword
from mlsmells.rules.torch._common import (
    TORCH_FAMILY,
    _binding_of,
    _constructed_by,
    _identifier,
    _target_names,
    _text,
    _words,
)
from mlsmells.rules.torch._loops import (
    _DEFINITIONS,
    _LOOPS,
    _innermost_function,
    _Loop,
    walk_local,
)
from mlsmells.rules.torch._training import _is_backward_call, callee_keys, stepped_optimizer
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.scopes import Scope, ScopeType

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE_ML407 = Rule(
    code="ML407",
    name="eval-without-train-restore",
    pylint_id="W7647",
    family=Family.TORCH,
    message="`{call}` leaves `{model}` in eval mode{via}: `{model}.train()` is not called "
    "again before the next `backward()` in {loop}",
    summary=(
        "A training loop switches the model to eval mode and never back before the next "
        "backward pass."
    ),
    rationale=(
        "`model.eval()` turns off dropout and freezes batch-norm statistics. Validating in "
        "the middle of training without calling `model.train()` afterwards means every "
        "later step trains the model in eval mode: no dropout, stale normalisation "
        "statistics, silently worse results. The rule follows the loop body in source "
        "order (nested `with`/`if`/`try` blocks and inner loops included, wrapping around "
        "to the top of the body for the next iteration) and looks one level into "
        "same-file helpers the loop calls (an `evaluate(model)` that calls `model.eval()`, "
        "a `train_one_epoch(model)` that calls `model.train()`); an `eval()` in a helper is "
        "reported where it is, in the helper, naming the loop. A model that is never "
        "trained (a teacher, an EMA or target copy, one frozen with "
        "`requires_grad_(False)`), a model built anew in every iteration, a helper's own "
        "local model, an `eval()` followed by `break`/`return`, and a model passed on to "
        "another library's function after `eval()` (which may switch it back) are not "
        "reported; `model.train()` restores `model.module` too, and the other way round. "
        "Nor is an `eval()` that another `eval()` or `train(False)` of the same model "
        "follows before the backward pass (that one decides the mode), one that the "
        "training function itself calls before its loop (the function trains in eval "
        "mode on purpose: a linear probe on a frozen backbone, frozen batch-norm "
        "statistics), or one under an `if` whose opposite branch of the same test "
        "(`if phase == 'train':` ... `else: model.train(False)`) holds the backward pass "
        "of that iteration."
    ),
    bad=(
        "model.train()\n"
        "for epoch in range(epochs):\n"
        "    for x, y in train_loader:\n"
        "        optimizer.zero_grad()\n"
        "        criterion(model(x), y).backward()\n"
        "        optimizer.step()\n"
        "    model.eval()\n"
        "    validate(model, val_loader)\n"
    ),
    good=(
        "for epoch in range(epochs):\n"
        "    model.train()\n"
        "    for x, y in train_loader:\n"
        "        optimizer.zero_grad()\n"
        "        criterion(model(x), y).backward()\n"
        "        optimizer.step()\n"
        "    model.eval()\n"
        "    validate(model, val_loader)\n"
    ),
    fix=Fix.UNSAFE,
    fix_summary=(
        "Insert `model.train()` at the top of the loop body (offered when the `eval()` "
        "comes after every backward pass of the iteration)."
    ),
    fix_safety=(
        "Unsafe: training now runs with dropout and batch-norm updates, which changes "
        "every result (as intended)."
    ),
)


RULE_ML409 = Rule(
    code="ML409",
    name="scheduler-before-optimizer-step",
    pylint_id="W7649",
    family=Family.TORCH,
    message="`{scheduler}.step()` comes before `{optimizer}.step()` in this loop: the "
    "first learning-rate value is skipped",
    summary="`scheduler.step()` is called before `optimizer.step()` in a training loop.",
    rationale=(
        "Since PyTorch 1.1 a learning-rate scheduler must be stepped after the optimizer. "
        "Stepping it first skips the first value of the schedule (the warm-up starts one "
        "step late, a step decay happens one epoch early) and PyTorch warns at run time. "
        "The rule compares source order inside one loop body, including nested blocks, "
        "inner loops and same-file helpers the loop calls (one level deep). A "
        "`ReduceLROnPlateau`, which has no such order, and a scheduler stepped under a "
        "condition the optimizer step is not under (`if epoch > 0:`) are not reported; "
        "the same test guarding both in one iteration (`if phase == \"train\":` before "
        "each, `phase` not rebound in the loop) is no such condition. The scheduler is "
        "known from its construction or annotation, or, when unknown, is "
        "a `scheduler`/`lr_scheduler`/`sched` stepped without arguments."
    ),
    bad=(
        "for epoch in range(epochs):\n"
        "    scheduler.step()\n"
        "    for x, y in loader:\n"
        "        optimizer.zero_grad()\n"
        "        criterion(model(x), y).backward()\n"
        "        optimizer.step()\n"
    ),
    good=(
        "for epoch in range(epochs):\n"
        "    for x, y in loader:\n"
        "        optimizer.zero_grad()\n"
        "        criterion(model(x), y).backward()\n"
        "        optimizer.step()\n"
        "    scheduler.step()\n"
    ),
)


RULES = (RULE_ML407, RULE_ML409)


#: Words naming a model that the loop does not train (a teacher, an EMA or target copy).
_UNTRAINED_WORDS = frozenset(
    {"teacher", "target", "ema", "frozen", "ref", "reference", "pretrained", "old", "averaged"}
)
_SCHEDULER_WORDS = frozenset({"sched", "scheduler", "schedulers", "lr_scheduler"})
_PLATEAU = frozenset(
    {"torch.optim.lr_scheduler.ReduceLROnPlateau", "torch.optim.lr_scheduler.ReduceLRonPlateau"}
)


_Branch = tuple[str, bool, frozenset[str], int]
"""An ``if`` branch around an event: (the test as code, in its body or its ``else``, the
names the test reads, the id of the ``if``)."""


@dataclass
class _Event:
    """Something a loop body does that the order rules care about."""

    kind: str
    """``eval``, ``train``, ``backward``, ``opt``, ``sched``, ``call`` or ``escape``."""
    node: ast.Call
    subject: str = ""
    """The model (eval/train/escape), optimizer (opt) or scheduler (sched), as source."""
    ifs: frozenset[int] = frozenset()
    """ids of the ``if`` statements around the event in its function."""
    exits: bool = False
    """For ``eval``: a ``break``/``return``/``raise`` follows it in its loop."""
    keys: tuple[tuple[int, str], ...] = ()
    """For ``call``: where the called same-file function may be defined."""
    optimizer: str | None = None
    """For ``sched``: the optimizer it was built for, when known."""
    site: ast.Call | None = None
    """For an event inlined from a helper: the call of the helper in the loop."""
    helper: str = ""
    """For an event inlined from a helper: the helper's name."""
    looped: bool = False
    """For ``eval``: inside a loop of its own function."""
    loops: tuple[int, ...] = ()
    """For ``eval``, ``backward`` and ``call``: ids of the loops around it in its function,
    innermost first."""
    branches: tuple[_Branch, ...] = ()
    """For ``eval``, ``backward`` and ``call``: the ``if`` branches around it in its
    function whose test calls nothing: (the test, whether in its body (else ``else``),
    the names the test reads)."""

    @property
    def reported(self) -> ast.Call:
        return self.site if self.site is not None else self.node

    # The texts of a call's receiver and arguments, for ``call`` events: computed when a
    # loop's events are expanded, not for each of the many calls recorded.
    @functools.cached_property
    def receiver(self) -> str | None:
        """For ``call`` of a method: its receiver."""
        func = self.node.func
        return _text(func.value) if isinstance(func, ast.Attribute) else None

    @functools.cached_property
    def arguments(self) -> tuple[str, ...]:
        """For ``call``: the positional arguments."""
        return tuple(_text(a) for a in self.node.args if not isinstance(a, ast.Starred))

    @functools.cached_property
    def keywords(self) -> tuple[tuple[str, str], ...]:
        return tuple((kw.arg, _text(kw.value)) for kw in self.node.keywords if kw.arg)


def _related(one: str, other: str) -> bool:
    """The same model, or one holds the other (``model`` and ``model.module``): switching
    either one's mode may switch the other's."""
    return (
        one == other
        or other.startswith((one + ".", one + "["))
        or one.startswith((other + ".", other + "["))
    )


def _root(subject: str) -> str:
    return re.split(r"[.\[(]", subject, maxsplit=1)[0]


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a function binds itself: parameters, assignment and loop targets ..."""
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names | _bound_names(function.body)


def _bound_names(body: list[ast.stmt]) -> set[str]:
    """Names (re)bound by assignments, loop and ``with`` targets in ``body``."""
    names: set[str] = set()
    for node in walk_local(body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        elif isinstance(node, ast.NamedExpr):
            targets = [node.target]
        for target in targets:
            names.update(_target_names(target) if not isinstance(target, ast.Attribute) else ())
    return names


def _rename_subject(subject: str, mapping: dict[str, str]) -> str:
    """``net.module`` -> ``model.module`` when the helper's ``net`` is the caller's ``model``."""
    head, sep, rest = subject.partition(".")
    if head in mapping:
        return mapping[head] + sep + rest
    return subject


def _body_loops(ancestors: list[ast.AST], node: ast.AST) -> list[_Loop]:
    """The loops whose *body* (or ``while`` test) holds ``node``, innermost first, in the
    same function (a ``for`` loop's iterable is evaluated once, outside its body)."""
    path = [*ancestors, node]
    loops: list[_Loop] = []
    for i in range(len(path) - 2, -1, -1):
        current = path[i]
        if isinstance(current, _DEFINITIONS):
            break
        if isinstance(current, _LOOPS):
            child = path[i + 1]
            if isinstance(current, (ast.For, ast.AsyncFor)) and child in (
                current.iter,
                current.target,
            ):
                continue
            loops.append(current)
    return loops


_EXITS = (ast.Break, ast.Return, ast.Raise)


_Test = tuple[str, frozenset[str]] | None
"""An ``if`` test as code and the names it reads (None: the test calls something)."""


def _branches(path: list[ast.AST], tests: dict[int, _Test]) -> tuple[_Branch, ...]:
    """The branches of the ``if`` statements along ``path`` (down to a node) whose test
    calls nothing: (the test as code, in its body or its ``else``, the names it reads,
    the id of the ``if``). ``tests`` keeps each ``if``'s test, read once per file."""
    found: list[_Branch] = []
    for parent, child in zip(path, path[1:], strict=False):
        if not isinstance(parent, ast.If) or child is parent.test:
            continue
        key = id(parent)
        if key in tests:
            known = tests[key]
        else:
            nodes = list(ast.walk(parent.test))
            known = tests[key] = (
                None
                if any(isinstance(node, ast.Call) for node in nodes)
                else (
                    ast.dump(parent.test),
                    frozenset(node.id for node in nodes if isinstance(node, ast.Name)),
                )
            )
        if known is None:
            continue
        in_body = any(child is stmt for stmt in parent.body)
        found.append((known[0], in_body, known[1], key))
    return tuple(found)


def _exits_loop_after(ancestors: list[ast.AST], node: ast.AST) -> bool:
    """Whether a ``break``/``return``/``raise`` follows ``node``'s statement in its block or
    an enclosing block of the innermost loop (the loop does not run again after it)."""
    path = [*ancestors, node]
    for i in range(len(path) - 2, -1, -1):
        parent, child = path[i], path[i + 1]
        if isinstance(parent, _DEFINITIONS):
            return False
        for _, value in ast.iter_fields(parent):
            if isinstance(value, list) and any(v is child for v in value):
                after = value[[id(v) for v in value].index(id(child)) + 1 :]
                if any(isinstance(stmt, _EXITS) for stmt in after):
                    return True
        if isinstance(parent, _LOOPS):
            return False
    return False


class LoopOrder(Check):
    """ML407: ``model.eval()`` in a training loop, not undone before the next backward;
    ML409: ``scheduler.step()`` before ``optimizer.step()`` in a loop."""

    rules = (RULE_ML407, RULE_ML409)
    nodes = (ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.For, ast.AsyncFor, ast.While)
    requires = TORCH_FAMILY

    @classmethod
    def runs_on(cls, roots: AbstractSet[str], text: str) -> bool:
        """ML407 needs a backward call (``loss.backward()``, ``self.manual_backward(loss)``),
        ML409 calls of a ``.step`` attribute."""
        return "backward" in text or has_identifier(text, "step", attribute=True)

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.loops: dict[int, tuple[_Loop, list[_Event]]] = {}
        self.function_events: dict[int, list[_Event]] = {}
        self.functions: dict[tuple[int, str], list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.depth: dict[int, int] = {}
        """id of a loop -> how many loops enclose it (inner loops are decided first)."""
        self._frozen: set[str] | None = None
        self._locals: dict[int, set[str]] = {}
        """id of a helper -> its :func:`_locals` (computed once, when first needed)."""
        self._tests: dict[int, _Test] = {}
        """id of an ``if`` -> its test (see :func:`_branches`)."""
        self._switching: dict[int, bool] = {}
        """id of a helper -> whether its events hold one of ``_reported_kinds``."""
        self._bound: dict[int, set[str]] = {}
        """id of a loop -> the names its body binds (computed once, when first needed)."""

    # ---------------------------------------------------------------- recording
    def visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = self.model.scope.node if self.model.scope.type is ScopeType.CLASS else None
            self.functions.setdefault((id(owner) if owner else 0, node.name), []).append(node)
            return
        if isinstance(node, _LOOPS):
            self.loops[id(node)] = (node, [])
            self.depth[id(node)] = len(_body_loops(self.ctx.ancestors, node))
            return
        assert isinstance(node, ast.Call)
        ancestors = self.ctx.ancestors
        function = _innermost_function(ancestors)
        loops = _body_loops(ancestors, node)
        if function is None and not loops:
            return  # an event here would be recorded nowhere
        event = self._classify(node)
        if event is None:
            return
        path = ancestors[ancestors.index(function) if function else 0 :]
        event.ifs = frozenset(id(a) for a in path if isinstance(a, ast.If))
        if event.ifs and event.kind in ("eval", "backward", "call", "sched", "opt"):
            event.branches = _branches([*path, node], self._tests)
        if event.kind in ("eval", "backward", "call", "sched", "opt"):
            event.loops = tuple(id(loop) for loop in loops)
        if event.kind == "eval":
            event.exits = _exits_loop_after(ancestors, node)
            event.looped = bool(loops)
        for loop in loops:
            self.loops[id(loop)][1].append(event)
        if function is not None:
            self.function_events.setdefault(id(function), []).append(event)

    def _classify(self, call: ast.Call) -> _Event | None:
        func = call.func
        model = self.model
        qualname = model.qualname(func)
        if _is_backward_call(call, qualname):
            return _Event("backward", call)
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if func.attr in ("eval", "train") and self._may_be_module(receiver):
                mode = self._train_mode(call) if func.attr == "train" else False
                return _Event("train" if mode else "eval", call, _text(receiver))
            if func.attr == "step":
                optimizer = stepped_optimizer(model, receiver, call)
                if optimizer is not None:
                    return _Event("opt", call, _text(optimizer))
                if self._is_scheduler(receiver, call):
                    return _Event(
                        "sched", call, _text(receiver), optimizer=self._built_for(receiver)
                    )
        if qualname is not None and qualname.startswith(("builtins.", "torch.")):
            return None  # print(model), torch.save(model, path): no mode switch
        keys = tuple(callee_keys(model, func))
        has_arguments = any(not isinstance(a, ast.Starred) for a in call.args)
        if not keys and not has_arguments and not any(kw.arg for kw in call.keywords):
            return None
        return _Event("call", call, keys=keys)

    def _may_be_module(self, receiver: ast.expr) -> bool:
        kind = self.model.kind_of(receiver)
        if kind is not None:
            return kind.is_module
        klass = self.model.instance_class(receiver)
        return klass is None or klass.is_module

    @staticmethod
    def _train_mode(call: ast.Call) -> bool:
        """``train()``/``train(True)``/``train(flag)``: True; ``train(False)``: False."""
        given = keyword(call, "mode")
        value = given.value if given is not None else (call.args[0] if call.args else None)
        return not (isinstance(value, ast.Constant) and value.value is False)

    def _is_scheduler(self, receiver: ast.expr, call: ast.Call) -> bool:
        made_by = _constructed_by(self.model, receiver)
        if made_by in _PLATEAU:
            return False
        kind = self.model.kind_of(receiver)
        if kind is not None:
            return kind is Kind.LR_SCHEDULER
        identifier = _identifier(receiver)
        if identifier is None or call.args or call.keywords:
            return False
        words = _words(identifier)
        return bool(words & _SCHEDULER_WORDS or identifier.lower() in _SCHEDULER_WORDS)

    def _built_for(self, scheduler: ast.expr) -> str | None:
        binding = _binding_of(self.model, scheduler)
        made_by = binding.node if binding is not None else None
        if not isinstance(made_by, ast.Call):
            return None
        given = keyword(made_by, "optimizer")
        optimizer = (
            given.value if given is not None else (made_by.args[0] if made_by.args else None)
        )
        return _text(optimizer) if optimizer is not None else None

    # ---------------------------------------------------------------- deciding
    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        reported: set[int] = set()
        ordered = sorted(self.loops.values(), key=lambda item: -self.depth[id(item[0])])
        kinds = self._reported_kinds()
        for loop, events in ordered:
            if not self._holds(events, kinds):
                continue  # nothing to report: expanding the helpers would find nothing
            expanded = self._expand(events)
            if "ML407" in self.active:
                self._eval_not_undone(loop, expanded, reported)
            if "ML409" in self.active:
                self._scheduler_first(expanded, reported)

    def _reported_kinds(self) -> frozenset[str]:
        """The events a finding is about: ``eval`` (ML407) and ``sched`` (ML409)."""
        kinds = {"eval"} if "ML407" in self.active else set()
        return frozenset(kinds | ({"sched"} if "ML409" in self.active else set()))

    def _holds(self, events: list[_Event], kinds: frozenset[str]) -> bool:
        """Whether ``events`` or the events of the same-file helpers they call (what
        :meth:`_expand` may inline) hold an event of one of ``kinds``."""
        for event in events:
            if event.kind in kinds:
                return True
            if event.kind != "call":
                continue
            for key in event.keys:
                for helper in self.functions.get(key, ()):
                    switching = self._switching.get(id(helper))
                    if switching is None:
                        inner = self.function_events.get(id(helper), ())
                        switching = any(e.kind in kinds for e in inner)
                        self._switching[id(helper)] = switching
                    if switching:
                        return True
        return False

    def _helper_locals(self, helper: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        found = self._locals.get(id(helper))
        if found is None:
            found = self._locals[id(helper)] = _locals(helper)
        return found

    def _expand(self, events: list[_Event]) -> list[_Event]:
        """The loop's events with same-file helpers inlined (one level) and the model
        handed to any other function counted as possibly switched back (``escape``)."""
        expanded: list[_Event] = []
        for event in events:
            if event.kind != "call":
                expanded.append(event)
                continue
            helpers = [f for key in event.keys for f in self.functions.get(key, ())]
            if not helpers:
                expanded.extend(_Event("escape", event.node, a) for a in event.arguments)
                expanded.extend(_Event("escape", event.node, v) for _, v in event.keywords)
                continue
            for helper in helpers:
                mapping = self._parameters(helper, event)
                local: set[str] | None = None
                for inner in self.function_events.get(id(helper), ()):
                    if inner.kind not in ("call", "backward"):
                        if local is None:
                            local = self._helper_locals(helper) - set(mapping)
                        if _root(inner.subject) in local:
                            continue  # the helper's own model or optimizer, not the loop's
                    if inner.kind == "call":
                        # One level only: what a helper hands its model to (or the object
                        # whose same-file method it calls) may switch it back.
                        names = [*inner.arguments, *(v for _, v in inner.keywords)]
                        if inner.receiver is not None and self._defined(inner.keys):
                            names.append(inner.receiver)
                        subjects = [_rename_subject(n, mapping) for n in names]
                        expanded.extend(_Event("escape", event.node, s) for s in subjects)
                        continue
                    expanded.append(
                        _Event(
                            inner.kind,
                            inner.node,
                            _rename_subject(inner.subject, mapping),
                            ifs=event.ifs | inner.ifs,
                            exits=inner.exits,
                            optimizer=(
                                _rename_subject(inner.optimizer, mapping)
                                if inner.optimizer is not None
                                else None
                            ),
                            site=event.node,
                            helper=helper.name,
                            looped=inner.looped,
                            loops=event.loops,
                            branches=event.branches,
                        )
                    )
        return expanded

    @staticmethod
    def _parameters(helper: ast.FunctionDef | ast.AsyncFunctionDef, call: _Event) -> dict[str, str]:
        """The helper's parameter names -> the caller's argument texts."""
        positional = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        given = call.arguments if call.receiver is None else (call.receiver, *call.arguments)
        mapping = dict(zip(positional, given, strict=False))
        for name, value in call.keywords:
            if name in positional or any(a.arg == name for a in helper.args.kwonlyargs):
                mapping[name] = value
        return mapping

    def _defined(self, keys: tuple[tuple[int, str], ...]) -> bool:
        return any(self.functions.get(key) for key in keys)

    def _untrained(self, subject: str) -> bool:
        """A teacher/EMA/target model, or one frozen somewhere in the file."""
        if self._frozen is None:
            self._frozen = set()
            for node in ast.walk(self.ctx.tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "requires_grad_"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value is False
                ):
                    self._frozen.add(_text(node.func.value))
        words: set[str] = set()
        for name in subject.replace("[", ".").split("."):
            words |= _words(name)
        return bool(words & _UNTRAINED_WORDS) or subject in self._frozen

    def _eval_not_undone(self, loop: _Loop, events: list[_Event], reported: set[int]) -> None:
        if not any(e.kind == "backward" for e in events):
            return
        fresh = _bound_names(loop.body)
        for index, event in enumerate(events):
            if event.kind != "eval" or event.exits or id(event.node) in reported:
                continue
            if self._untrained(event.subject) or _root(event.subject) in fresh:
                continue  # not trained here, or a new model in every iteration
            found = self._restored(events, index, event.subject)
            if found is None:
                continue
            wrapped, backward = found
            if not wrapped and not event.looped and backward.site is event.site is not None:
                continue  # the training helper itself trains in eval mode, on purpose
            reported.add(id(event.node))
            self._report_eval(loop, event, fixable=wrapped)

    def _restored(self, events: list[_Event], index: int, model: str) -> tuple[bool, _Event] | None:
        """``None`` when ``model.train()`` (or a hand-over, or another ``eval()``) comes
        before the next backward; else (whether that backward is reached only by wrapping
        around to the next iteration, the backward)."""
        switched = events[index]
        later = events[index + 1 :]
        for wrapped, span in ((False, later), (True, events[:index] + later)):
            for event in span:
                if event.kind in ("train", "eval", "escape") and _related(event.subject, model):
                    return None
                if event.kind == "backward":
                    if not wrapped and self._exclusive(switched, event):
                        continue  # in the other branch of the same test, this iteration
                    return wrapped, event
        return None

    def _exclusive(self, one: _Event, other: _Event) -> bool:
        """Whether ``one`` and ``other`` sit in opposite branches of ``if`` statements with
        the same test, whose names the innermost loop around both never rebinds (in one
        iteration, only one of them runs)."""
        common = next((loop for loop in one.loops if loop in other.loops), None)
        if common is None:
            return False
        for test, in_body, names, _ in one.branches:
            for other_test, other_in_body, _, _ in other.branches:
                if test == other_test and in_body != other_in_body:
                    if not names & self._loop_bound(common):
                        return True
        return False

    def _guarded_alike(self, scheduler: _Event, step: _Event) -> bool:
        """Whether every ``if`` around the scheduler's step is around the optimizer's step
        too, or tests the same code in the same branch as one of the optimizer step's, with
        names the innermost loop around both never rebinds (``if phase == "train":``
        twice in one iteration: both run or neither)."""
        extra = scheduler.ifs - step.ifs
        if not extra:
            return True
        common = next((loop for loop in scheduler.loops if loop in step.loops), None)
        if common is None:
            return False
        bound = self._loop_bound(common)
        guards = {(test, in_body) for test, in_body, _, _ in step.branches}
        alike = {
            key
            for test, in_body, names, key in scheduler.branches
            if (test, in_body) in guards and not names & bound
        }
        return extra <= alike

    def _loop_bound(self, loop_id: int) -> set[str]:
        found = self._bound.get(loop_id)
        if found is None:
            found = self._bound[loop_id] = _bound_names(self.loops[loop_id][0].body)
        return found

    def _report_eval(self, loop: _Loop, event: _Event, fixable: bool) -> None:
        model = event.subject
        call = _text(event.node)
        if event.site is not None:
            site = self.ctx.source_of(event.site)
            if "\n" in site or len(site) > 60:
                site = f"{self.ctx.source_of(event.site.func)}(...)"
            via = f" when `{site}` runs in the loop at {self.ctx.line_label(loop.lineno)}"
            where = "that loop"
        else:
            via, where = "", "this loop"
        data: tuple[tuple[str, str], ...] = ()
        if fixable and re.fullmatch(r"[A-Za-z_][\w.]*", model):
            data = (
                ("model", model),
                ("loop_line", str(loop.lineno)),
                ("loop_col", str(loop.col_offset)),
            )
            if not block_body(self.ctx, loop):
                data += (("rewrite", "no"),)  # ``for b in data: ...``: no line to insert
        self.report("ML407", event.node, call=call, model=model, via=via, loop=where, data=data)

    def _scheduler_first(self, events: list[_Event], reported: set[int]) -> None:
        for index, event in enumerate(events):
            if event.kind != "sched" or id(event.reported) in reported:
                continue
            steps = [e for e in events if e.kind == "opt"]
            own = [e for e in steps if e.subject == event.optimizer]
            steps = own or steps
            if not steps or any(events.index(e) < index for e in steps):
                continue
            first = steps[0]
            if not self._guarded_alike(event, first):
                continue  # stepped under a condition the optimizer step is not under
            reported.add(id(event.reported))
            self.report("ML409", event.reported, scheduler=event.subject, optimizer=first.subject)


# ---------------------------------------------------------------------- fix


def _loop_at(ctx: fx.FixContext, start: tuple[int, int]) -> cst.For | cst.While | None:
    """The ``for``/``while`` statement starting at ``start`` (the loop of the finding: the
    ``eval()`` may be in a helper the loop calls)."""
    pending: list[cst.CSTNode] = [ctx.module]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.For, cst.While)) and ctx.span(node)[:2] == start:
            return node
        if isinstance(node, cst.BaseExpression):
            continue  # no statement inside
        pending.extend(node.children)
    return None


def restore_train_mode(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
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
    loop = _loop_at(ctx, start)
    if loop is None or not isinstance(loop.body, cst.IndentedBlock):
        return None
    restore = cst.SimpleStatementLine(body=[cst.Expr(fx.parse_expression(f"{model}.train()"))])
    body = loop.body.with_changes(body=[restore, *loop.body.body])
    return fx.Edit(loop, loop.with_changes(body=body))


def fix_applies(diag: Diagnostic) -> Fix:
    """Offered where the rule names the model and the loop, whose body is a block."""
    return Fix.UNSAFE if diag.get("model") and diag.get("rewrite") != "no" else Fix.NONE


FIXES = {"ML407": restore_train_mode}
FIXABLE = {"ML407": fix_applies}
