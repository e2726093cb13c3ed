"""Which checks run on a file: the packages it imports (:attr:`Visitor.requires`), then a
cheap test of its text (:meth:`Visitor.runs_on`), asked once a file for each word and for
each check's own test (the checks of a family share one)."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from mlsmells.engine.check import Check, Visitor


class Gates:
    """The text tests of an engine's checks."""

    def __init__(self, checks: Sequence[type[Check]]) -> None:
        self.gates = [(c, c.words, _own_test(c)) for c in checks]
        """Each check, with its :attr:`~Visitor.words` when it keeps the default
        :meth:`~Visitor.runs_on`, else the class that defines its own test."""

    def checks_for(self, roots: AbstractSet[str], text: str) -> list[type[Check]]:
        """The checks to run on a file importing ``roots``, of source ``text``."""
        found: list[type[Check]] = []
        known: dict[object, bool] = {}
        """Word or test -> its answer for this file."""
        for check, words, test in self.gates:
            if check.requires and not check.requires & roots:
                continue
            if test is None:
                runs = words is None or any(_holds(known, text, word) for word in words)
            else:
                answer = known.get(test)
                runs = known[test] = check.runs_on(roots, text) if answer is None else answer
            if runs:
                found.append(check)
        return found


def _own_test(check: type[Check]) -> object | None:
    """The class whose :meth:`~Visitor.runs_on` ``check`` uses (the checks of a family
    share it; compiled, a class method has no ``__func__`` to compare); None when that is
    the default one (its words, if any, decide)."""
    owner = next(k for k in check.__mro__ if "runs_on" in vars(k))
    return None if owner is Visitor else owner


def _holds(known: dict[object, bool], text: str, word: str) -> bool:
    """Whether ``text`` holds ``word`` (``known`` keeps the answers of the file)."""
    answer = known.get(word)
    if answer is None:
        answer = known[word] = word in text
    return answer
