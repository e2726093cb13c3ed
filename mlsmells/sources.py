"""Reading source files: bytes, decoding as Python does, parsing; every failure one line.

- :func:`read_bytes` reads a regular file (never waits on a FIFO or a device);
- :func:`decode_source` turns bytes into text the way Python does (PEP 263 coding
  comment, BOM, universal newlines);
- :func:`parse` is ``ast.parse`` with each failure a located :class:`FileError`.

Everything above the engine reads files through here (the runner, notebooks, the
fixer, the project index); nothing here knows about rules.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

PYTHON_SUFFIX = ".py"


NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class FileError(Exception):
    """Why a file could not be checked, as one line."""

    reason: str
    line: int | None = None
    column: int | None = None
    """1-based, in characters, as Python reports syntax errors."""

    def __str__(self) -> str:
        return self.reason

    @property
    def location(self) -> str:
        """``":line:col"`` (or ``""``) to append to the path."""
        if self.line is None:
            return ""
        return f":{self.line}:{self.column or 1}"


def decode_source(data: bytes) -> str:
    """Decode Python source the way the interpreter does; :class:`FileError` when it cannot."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in exc.msg:
            raise FileError(f"cannot decode: {exc.msg}") from None
        encoding = "utf-8"  # no declaration and not UTF-8: say which byte is wrong, below
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise FileError(
            f"cannot decode as {encoding}: byte 0x{bad} on line {line} "
            "(declare the file's encoding with a PEP 263 coding comment)"
        ) from None
    except LookupError as exc:  # a codec that exists but cannot decode text
        raise FileError(f"cannot decode: {exc}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Physical lines with their ``\\n`` (unlike ``str.splitlines``, only ``\\n`` ends a line)."""
    return io.StringIO(text).readlines()


def read_source(path: Path) -> str:
    """The decoded text of ``path``; :class:`FileError` when it cannot be read or decoded."""
    return decode_source(read_bytes(path))


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; :class:`FileError` for anything else,
    and for a file of more than ``limit`` bytes when a limit is given.

    A FIFO, socket or device (``/dev/zero``) is refused rather than read: reading
    one would wait for a writer forever, or never end. Opening does not block
    (``O_NONBLOCK``) and the check is made on the opened file, so a path swapped
    for a FIFO in between is refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FileError(_os_reason(exc)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise FileError("is a directory")
            if not stat.S_ISREG(mode):
                raise FileError("not a regular file (a FIFO, socket or device); not read")
            if limit is None:
                return handle.read()
            data = handle.read(limit + 1)
            if len(data) > limit:
                raise FileError(f"larger than {limit} bytes; not read")
            return data
    except OSError as exc:
        raise FileError(_os_reason(exc)) from None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror.lower() if exc.strerror else str(exc)


def parse(source: str, filename: str = "<string>") -> ast.Module:
    """``ast.parse`` with every failure turned into a located :class:`FileError`.

    Code nested too deeply for ``ast.parse`` (about 3000 levels) is too deep for
    Python to compile as well: it is refused, as a syntax error.
    """
    try:
        with warnings.catch_warnings():
            # SyntaxWarning / DeprecationWarning about the checked code are not ours to print.
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=filename)
    except SyntaxError as exc:
        kind = "indentation error" if isinstance(exc, IndentationError) else "syntax error"
        if exc.lineno is None and "\0" in source:  # null bytes, Python 3.12+
            raise _null_byte_error(source, exc.msg) from None
        from mlsmells import newsyntax  # (imported by the runs that meet a syntax error)

        newer = newsyntax.explain(source, exc)  # `type X = ...` under Python 3.11 ...
        if newer is not None:
            raise FileError(f"syntax error: {newer.message}", newer.line, newer.column) from None
        raise FileError(f"{kind}: {exc.msg}", exc.lineno, exc.offset) from None
    except ValueError as exc:  # null bytes, before Python 3.12
        raise _null_byte_error(source, str(exc)) from None
    except (RecursionError, MemoryError):
        raise FileError("syntax error: too deeply nested to parse") from None


def _null_byte_error(source: str, message: str) -> FileError:
    """The error for a source holding a null byte, located at the first one."""
    index = source.find("\0")
    if index < 0:
        return FileError(f"syntax error: {message}")
    line = source.count("\n", 0, index) + 1
    column = index - source.rfind("\n", 0, index)
    return FileError(f"syntax error: {message}", line, column)
