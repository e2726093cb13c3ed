"""The record every rule reports and every front end translates."""

from __future__ import annotations

from dataclasses import dataclass, field

ANCHOR_KEY = "after_line"
"""The key of a finding's data naming the line on which the top-level statement that its
fix inserts a statement after ends (ML102's generator goes after the last import). The
window in which fixes are suggested keeps that statement (:mod:`mlsmells.fixes.suggest`)."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding.

    ``line``/``end_line`` are 1-based; ``col``/``end_col`` are 0-based offsets
    in UTF-8 bytes, exactly as :mod:`ast` reports them (flake8 and pylint take
    them as they are; the fixer converts them to characters).
    """

    line: int
    col: int
    code: str
    message: str
    end_line: int
    end_col: int
    data: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Rule-specific facts for the fixer, as ``(key, value)`` pairs."""

    @property
    def text(self) -> str:
        """The message without its leading code."""
        return self.message[len(self.code) + 1 :]

    def get(self, key: str) -> str | None:
        for k, v in self.data:
            if k == key:
                return v
        return None
