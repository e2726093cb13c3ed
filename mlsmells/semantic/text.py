"""Searches of a module's source text that stand in for a parse: whether a name can be in
it at all (the engine's text tests of its checks, the project index's star imports)."""

from __future__ import annotations


def has_identifier(text: str, name: str, attribute: bool = False) -> bool:
    """Whether ``text`` holds ``name`` as a whole identifier (for the text tests and the index);
    with ``attribute``, only after a dot (``x.step``, ``x. step``, across a line
    continuation too). A find per occurrence: far cheaper than a regular expression
    with look-arounds, which tries every position of the text."""
    size = len(name)
    if not size:
        return False  # (no identifier is empty)
    start = text.find(name)
    while start != -1:
        end = start + size
        after = text[end : end + 1]
        if not (after.isalnum() or after == "_"):
            before = start - 1
            if attribute:
                while before >= 0 and text[before] in " \t\\\r\n":
                    before -= 1
                if before >= 0 and text[before] == ".":
                    return True
            elif before < 0 or not (text[before].isalnum() or text[before] == "_"):
                return True
        start = text.find(name, end)
    return False
