"""Room for deeply nested code.

CPython compiles expressions nested far deeper than its default recursion
limit lets a recursive walk follow: ``a + a + ... + a`` with 600 terms is a
left-nested chain of 600 ``BinOp`` nodes, fine for the interpreter (and for
``ast.parse``, up to about 3000 levels, where Python's compiler stops too),
but the engine's walk or libcst's code generation then raises
:class:`RecursionError`. :func:`call_deep` runs such work again on a thread
with a large stack and a recursion limit to match, so valid code is checked
and fixed like any other.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_SIZE = 512 * 1024 * 1024
"""Bytes of stack for the deep thread (address space: pages are used only when touched)."""
RECURSION_LIMIT = 60_000
"""The recursion limit while it runs: under 9 KiB of stack per frame, far more than
a Python frame (about 0.6 KiB of C stack when a call goes through C) ever takes."""

_state = threading.local()
_LOCK = threading.Lock()
"""One deep call at a time: the recursion limit is per interpreter, not per thread."""


def call_deep(func: Callable[[], T]) -> T:
    """``func()`` on a thread with :data:`STACK_SIZE` of stack and :data:`RECURSION_LIMIT`.

    Its result is returned and its exception re-raised (a :class:`RecursionError`
    still means the code is nested too deeply). Called from the deep thread itself,
    or when no such thread can be started, it raises :class:`RecursionError`
    without running ``func``: the caller then reports the code as too deep.
    """
    if getattr(_state, "deep", False):
        raise RecursionError("already on the deep thread")
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        _state.deep = True
        try:
            outcome.append(func())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failure.append(exc)

    with _LOCK:
        limit = sys.getrecursionlimit()
        try:
            previous = threading.stack_size(STACK_SIZE)
        except (ValueError, RuntimeError) as exc:  # the platform refuses that size
            raise RecursionError(f"no deep stack: {exc}") from None
        sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=run, name="mlsmells-deep", daemon=True)
            try:
                thread.start()
            finally:
                threading.stack_size(previous)
            thread.join()
        except RuntimeError as exc:  # no memory for the stack
            raise RecursionError(f"no deep stack: {exc}") from None
        finally:
            sys.setrecursionlimit(limit)
    if failure:
        raise failure[0]
    return outcome[0]
