"""Baselines: ``--write-baseline FILE`` records today's findings, ``--baseline FILE`` hides them.

A finding is matched by its code, its file (relative to the baseline's
directory) and a *fingerprint* of the text of the line it starts on
(whitespace collapsed), never by line number: lines added or removed above
a finding, or a re-indentation, do not make it new, while editing the
flagged line itself does. Identical lines are counted: a baseline holding
two ``ML201`` findings on ``df[a][b] = 0`` lines of one file hides two such
findings, and a third one is reported.

The file is JSON, sorted, so that it diffs well under version control::

    {
      "version": 1,
      "findings": [
        {"file": "src/train.py", "code": "ML201", "fingerprint": "3f1c0e0d9a1b2c4d",
         "line": 12, "message": "..."}
      ]
    }

``line`` and ``message`` are there for the reader; matching ignores them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mlsmells.diagnostics import Diagnostic
from mlsmells.runner import FileResult
from mlsmells.sources import NOTEBOOK_SUFFIX, FileError, read_source, split_lines

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written (the message is one line)."""


@dataclass(frozen=True)
class Key:
    file: str
    code: str
    fingerprint: str


def fingerprint(line: str) -> str:
    """The fingerprint of the text of a finding's line."""
    return hashlib.sha256(" ".join(line.split()).encode("utf-8")).hexdigest()[:16]


def _lines(path: Path) -> list[str]:
    """The lines findings in ``path`` refer to (a notebook's code cells as one module)."""
    try:
        if path.suffix == NOTEBOOK_SUFFIX:
            from mlsmells.notebooks import read_for_runner

            return read_for_runner(path).lines
        return split_lines(read_source(path))
    except FileError:
        return []


def _file_key(path: Path, base: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(base))).as_posix()


def _keys(result: FileResult, base: Path) -> list[tuple[Key, Diagnostic]]:
    if not result.diagnostics:
        return []
    lines = _lines(result.path)
    name = _file_key(result.path, base)
    return [
        (
            Key(
                name,
                diag.code,
                fingerprint(lines[diag.line - 1] if diag.line <= len(lines) else ""),
            ),
            diag,
        )
        for diag in result.diagnostics
    ]


def write_baseline(path: Path, results: Sequence[FileResult]) -> int:
    """Record the findings of ``results`` in ``path``; the number recorded."""
    base = path.parent
    records = []
    for result in results:
        for key, diag in _keys(result, base):
            records.append(
                {
                    "file": key.file,
                    "code": key.code,
                    "fingerprint": key.fingerprint,
                    "line": diag.line,
                    "message": diag.text,
                }
            )
    records.sort(key=lambda r: (str(r["file"]), int(str(r["line"])), str(r["code"])))
    text = json.dumps({"version": VERSION, "findings": records}, indent=2, ensure_ascii=False)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return len(records)


@dataclass(frozen=True)
class Filtered:
    results: list[FileResult]
    """The results without the findings in the baseline."""
    hidden: int
    """How many findings the baseline hid."""
    stale: int
    """Baseline entries of the files checked that matched no finding (fixed, or edited)."""


class Baseline:
    """A baseline read from a file."""

    def __init__(self, path: Path, keys: Counter[Key]) -> None:
        self.path = path
        self.keys = keys

    @classmethod
    def read(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(
                f"{path}: no such file (create it with --write-baseline {path})"
            ) from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(f"{path}: not an mlsmells baseline: invalid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise BaselineError(f"{path}: not an mlsmells baseline of version {VERSION}")
        findings = data.get("findings")
        if not isinstance(findings, list):
            raise BaselineError(f"{path}: not an mlsmells baseline: no list of findings")
        keys: Counter[Key] = Counter()
        for number, item in enumerate(findings, start=1):
            fields = [item.get(k) if isinstance(item, dict) else None for k in _FIELDS]
            if not all(isinstance(value, str) for value in fields):
                raise BaselineError(
                    f"{path}: finding {number} needs the strings {', '.join(_FIELDS)}"
                )
            keys[Key(*[str(value) for value in fields])] += 1
        return cls(path, keys)

    def filter(self, results: Sequence[FileResult]) -> Filtered:
        """``results`` without the findings this baseline holds."""
        base = self.path.parent
        left = Counter(self.keys)
        kept: list[FileResult] = []
        hidden = 0
        checked: set[str] = set()
        for result in results:
            if result.error is None:
                checked.add(_file_key(result.path, base))
            new: list[Diagnostic] = []
            for key, diag in _keys(result, base):
                if left[key] > 0:
                    left[key] -= 1
                    hidden += 1
                else:
                    new.append(diag)
            kept.append(replace(result, diagnostics=tuple(new)) if result.diagnostics else result)
        stale = sum(count for key, count in left.items() if key.file in checked and count > 0)
        return Filtered(kept, hidden, stale)


_FIELDS = ("file", "code", "fingerprint")
