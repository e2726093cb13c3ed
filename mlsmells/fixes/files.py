"""Reading a file to fix and writing it back without damage.

The text is decoded as Python decodes it (BOM, PEP 263 coding comment) but
its line endings are kept, and it is encoded back with the same codec (the
BOM included). Writing is atomic: a temporary file in the same directory,
given the original's permission bits, then renamed over the original (over
the target of a symbolic link, which stays a link). Nothing is written when
the file is read-only, or when its bytes changed since they were read.

A process killed between creating the temporary file and renaming it (SIGKILL,
a power cut) leaves that file behind: hidden, and named
``.NAME.XXXXXXXX.PID.mlsmells.tmp`` after the file and the writing process, so
that the next ``mlsmells fix`` in that directory recognises it and removes it
(:func:`remove_stale_temporaries`) once its writer is gone.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import tempfile
import time
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlsmells import sources
from mlsmells.sources import FileError


def split_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer sees them: ``\\r\\n``, ``\\r`` and ``\\n`` end a line."""
    if "\r" in text:
        return _LINE.findall(text)
    lines = [line + "\n" for line in text.split("\n")]
    last = lines.pop()
    if last != "\n":
        lines.append(last[:-1])
    return lines


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


LONE_BACKSLASH = re.compile(r"^[ \t\f]*\\[ \t\f]*(?:\r\n|\r|\n)?$", re.MULTILINE)
"""A line made of a backslash alone, which libcst does not give back: a file holding one
is not fixed (:class:`mlsmells.fixes.base.RoundTripError`)."""

FIX_SIZE_LIMIT_ENV = "MLSMELLS_FIX_SIZE_LIMIT"
DEFAULT_FIX_SIZE_LIMIT = 4 * 2**20
"""The largest source ``mlsmells fix`` fixes by default, in bytes of UTF-8 (a notebook: its
code cells). Fixing needs libcst's tree of the whole file: about 0.7 GB of memory and
15 s per MB of code, several times what checking it needs; a bigger file is only checked."""
_SIZE = re.compile(r"\s*(\d+)\s*(?:([KMG])(?:i?B)?)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def fix_size_limit() -> int | None:
    """The size limit of fixing: :data:`FIX_SIZE_LIMIT_ENV` (bytes, or with a unit such as
    ``8M``; ``0``: none) or :data:`DEFAULT_FIX_SIZE_LIMIT`. :class:`ValueError` when the
    variable holds no size."""
    text = os.environ.get(FIX_SIZE_LIMIT_ENV, "")
    if not text.strip():
        return DEFAULT_FIX_SIZE_LIMIT
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{FIX_SIZE_LIMIT_ENV}: expected a size in bytes such as 8000000 or 8M, got {text!r}"
        )
    limit = int(match[1]) * _UNITS[(match[2] or "").lower()]
    return limit or None


def size_text(size: int) -> str:
    """``size`` bytes for a message: ``512 bytes``, ``3.5 KiB``, ``12.0 MiB``."""
    if size < 2**10:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 2**10:.1f} KiB"
    return f"{size / 2**20:.1f} MiB"


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_CHANGED = "not written: the file changed on disk since it was read"
TEMPORARY_SUFFIX = ".mlsmells.tmp"
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}(?:\.(?P<pid>\d+))?" + re.escape(TEMPORARY_SUFFIX))
"""The name of a temporary file of :func:`write_source_file` (without the writer's process
id when an earlier mlsmells wrote it)."""
STALE_AFTER = 3600.0
"""Seconds after which a temporary file is stale whoever wrote it (a write takes
milliseconds): for a process id that another machine or container gave out."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    """The path as given."""
    data: bytes
    """The bytes as read."""
    text: str
    """The decoded text: line endings as in the file, no BOM."""
    encoding: str
    """The codec that decodes ``data`` and encodes the fixed text (``utf-8-sig``: with a BOM)."""

    def encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            char = exc.object[exc.start : exc.end]
            raise FileError(
                f"cannot write: the fixed text has {char!r}, which {self.encoding} cannot encode"
            ) from None


def read_source_file(path: Path) -> SourceFile:
    """Read and decode a Python file; :class:`~mlsmells.sources.FileError` when impossible."""
    return decode_source_file(path, _read_bytes(path))


def decode_source_file(path: Path, data: bytes) -> SourceFile:
    """:func:`read_source_file` for bytes already read (standard input)."""
    sources.decode_source(data)  # the same checks and messages as `check`
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return SourceFile(path, data, data.decode(encoding), encoding)


def read_text_file(path: Path, encoding: str = "utf-8") -> SourceFile:
    """Read a file of a fixed encoding (a notebook is UTF-8 JSON)."""
    data = _read_bytes(path)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileError(f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}") from None
    return SourceFile(path, data, text, encoding)


def _read_bytes(path: Path) -> bytes:
    return sources.read_bytes(path)  # a FIFO or device is refused, not waited on


PROJECT_MARKERS = (".git", ".hg", "pyproject.toml")


class WriteScope:
    """Where ``mlsmells fix`` may write: inside the paths named on the command line and the
    current project. A symbolic link named, or met in a named directory, whose target is
    elsewhere is checked but its target is not rewritten.

    A named path counts where it is, not where it leads: ``link.py`` or a linked
    directory ``lib`` named on the command line does not make its target's folder
    writable. The current project is the nearest directory, from the current one up,
    holding a ``.git``, ``.hg`` or ``pyproject.toml`` (else the current directory).
    """

    def __init__(self, named: Iterable[str | os.PathLike[str]]) -> None:
        roots = {_project_root(Path.cwd())}
        for item in named:
            path = Path(os.path.abspath(item))
            roots.add(Path(os.path.realpath(path.parent)) / path.name if path.name else path)
        self.roots = frozenset(roots)

    def refusal(self, path: Path) -> str | None:
        """Why ``path`` (as given) may not be rewritten, or ``None``."""
        target = Path(os.path.realpath(path))
        if any(target.is_relative_to(root) for root in self.roots):
            return None
        return (
            f"not written: it leads to {target}, outside the paths named and the current "
            "project (fix the file there, or from there)"
        )


def _project_root(start: Path) -> Path:
    here = Path(os.path.realpath(start))
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return here


def write_source_file(source: SourceFile, text: str, scope: WriteScope | None = None) -> None:
    """Replace the file's content by ``text``; :class:`FileError` (file untouched) if refused,
    or when ``scope`` does not allow the file it leads to."""
    if scope is not None and (refused := scope.refusal(source.path)) is not None:
        raise FileError(refused)
    data = source.encode(text)
    target = source.path.resolve()
    try:
        current = target.read_bytes()
        info = target.stat()
    except OSError as exc:
        raise FileError(f"cannot write: {sources._os_reason(exc)}") from None
    mode = stat.S_IMODE(info.st_mode)
    if current != source.data:
        raise FileError(_CHANGED)
    if not mode & _WRITE_BITS or not os.access(target, os.W_OK):
        raise FileError("not written: the file is read-only")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=f".{os.getpid()}{TEMPORARY_SUFFIX}", dir=target.parent
        )
    except OSError as exc:
        reason = sources._os_reason(exc)
        raise FileError(f"cannot write: {reason} (creating a temporary file)") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            _keep_owner(out.fileno(), info)
        os.chmod(temporary, mode)
        if target.read_bytes() != source.data:  # changed while the new text was written
            raise FileError(_CHANGED)
        os.replace(temporary, target)
    except BaseException as exc:  # Ctrl-C included: no temporary file is left behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if not isinstance(exc, OSError):
            raise
        raise FileError(f"cannot write: {sources._os_reason(exc)}") from None


def _keep_owner(fd: int, original: os.stat_result) -> None:
    """Give the new file the original's owner and group, which the rename would not keep."""
    now = os.fstat(fd)
    if (now.st_uid, now.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        os.fchown(fd, original.st_uid, original.st_gid)
    except (AttributeError, PermissionError):  # no fchown (Windows), or not allowed
        raise FileError(
            "not written: the fixed file could not be given the owner and group of the "
            f"original (uid {original.st_uid}, gid {original.st_gid})"
        ) from None


def remove_stale_temporaries(paths: Iterable[Path]) -> None:
    """Remove the temporary files that killed runs left in the directories of ``paths``
    (the directories of the files links point to): those whose writer is not running, or
    that are older than :data:`STALE_AFTER`. Each directory is listed once; never raises."""
    folders = {Path(os.path.realpath(path)).parent for path in paths}
    now = time.time()
    for folder in sorted(folders):
        try:
            names = [name for name in os.listdir(folder) if name.endswith(TEMPORARY_SUFFIX)]
        except OSError:
            continue
        for name in names:
            match = _TEMPORARY.fullmatch(name)
            if match is None:
                continue
            path = folder / name
            with contextlib.suppress(OSError):
                writer = match["pid"]
                old = now - path.lstat().st_mtime > STALE_AFTER
                if old or (writer is not None and not _running(int(writer))):
                    path.unlink()


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (this process is not writing while it cleans)."""
    if pid == os.getpid():
        return False  # an earlier process had this id (a container's): it is gone
    if os.name == "nt":  # os.kill would terminate it: leave the file to its age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, another user's
        return True
    return True
