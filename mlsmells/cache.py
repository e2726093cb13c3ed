"""The result cache of ``mlsmells check``: unchanged files are not checked again.

One entry per checked file, named by a key that hashes everything its result
depends on:

- the file's bytes;
- the code that produced the result: the mlsmells version, a digest of the
  package's own source files (so an edited or added rule invalidates every
  entry, even without a version bump), and the Python version (``ast``
  differs between them);
- the settings: the codes checked in that file and the serialised effective
  settings (:meth:`mlsmells.config.Settings.serialise`), and the file's
  absolute path (per-file settings and rules may depend on it).

An entry holds what :class:`mlsmells.runner.FileResult` holds (findings,
the error that kept the file from being checked, a notebook's line map and
notices, the project modules its kinds came from) as JSON. Reading a file that
cannot be read is never cached. An entry whose project modules changed since
(another SHA-256 of their bytes; :mod:`mlsmells.semantic.index`) is a miss: a
file's findings change when the helper module it imports does.

Trust: the folder lives in the project, where anyone who can change the project
(a pull request) can put files, and anyone can compute a key. So each entry
carries an HMAC-SHA256 of its name and content under a secret key that this
user's mlsmells made (:func:`secret`): 32 random bytes in the user's cache
directory (``$XDG_CACHE_HOME/mlsmells/key``, by default ``~/.cache/mlsmells/key``),
outside every project, readable by the user only. An entry that does not
verify (written elsewhere, by another user, or forged) is a miss and is written
again. Without a usable key (no home directory, a key others may read or
write), or when the folder is a symbolic link, the cache is not used.

Layout: ``<cache dir>/<code digest>/<key>.json`` (the entry's HMAC in hex on the
first line, the JSON on the second) with a ``.gitignore`` (``*``) and a
``CACHEDIR.TAG`` at the top, so that git and backup tools
leave the folder alone. The default folder is ``.mlsmells_cache`` in the
current directory.

Safe under concurrent runs: an entry is written to a temporary file in its
folder and renamed over its name (atomic on POSIX and Windows), so a reader
sees a whole entry or none; an entry that does not decode or validate
(truncated, edited, from a future format) counts as a miss and is written
again. A cache that cannot be written (read-only folder, full disk) only
costs speed: every problem with the cache itself is silent.

Entries not used for :data:`MAX_AGE_DAYS` days (a hit refreshes the time of an
entry more than a day old), and then the emptied folders of other code digests,
are removed at most once a day: a version that is still in use elsewhere keeps
its entries.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import mlsmells
from mlsmells.diagnostics import Diagnostic
from mlsmells.runner import FileResult
from mlsmells.sources import FileError, read_bytes

DEFAULT_DIR = ".mlsmells_cache"
FORMAT = 4
"""The entry format; part of the code digest, so a new format starts afresh."""
MAX_AGE_DAYS = 7
_REFRESH_AFTER = 24 * 3600.0
"""A hit refreshes the time of an entry older than this (one write per entry and day,
not per hit)."""
_PRUNE_EVERY = 24 * 3600.0
_PRUNED = ".pruned"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mlsmells.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_MARKERS = ((".gitignore", "# Created by mlsmells.\n*\n"), ("CACHEDIR.TAG", _TAG))
_DIGEST_NAME = re.compile(r"[0-9a-f]{20}")
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json|\.[0-9a-f]{16}\..+\.tmp")
"""What prune may delete: entries and the temporary files of :meth:`Cache.put`."""
KEY_NAME = "key"
_KEY_BYTES = 32

_code_digest: str | None = None


def code_digest() -> str:
    """A digest of the code that computes results: version, package sources, Python."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}\0{mlsmells.__version__}\0{sys.version}\0".encode())
        package = Path(mlsmells.__file__).parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\0unreadable\0")
        _code_digest = digest.hexdigest()[:20]
    return _code_digest


def entry_key(path: Path, data: bytes, codes: Iterable[str], settings: str) -> str:
    """The key of ``path``'s result when it holds ``data`` and is checked with ``codes``:
    the SHA-256 of ``[absolute path, sorted codes, settings]`` as JSON, a NUL, and ``data``."""
    rest = _context_rest(codes if isinstance(codes, frozenset) else frozenset(codes), settings)
    digest = hashlib.sha256(f"[{json.dumps(os.path.abspath(path))}, {rest}".encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


@functools.lru_cache(maxsize=64)
def _context_rest(codes: frozenset[str], settings: str) -> str:
    """The key's JSON after the path (``[path, codes, settings]`` without ``[path, ``):
    the same for every file of a selection and settings, made once."""
    return json.dumps([sorted(codes), settings])[1:]


# ------------------------------------------------------------------- trust
def user_cache_dir() -> Path | None:
    """mlsmells' folder in the user's cache directory (``None`` without a home directory):
    ``$XDG_CACHE_HOME/mlsmells`` when that is set (to an absolute path), else
    ``~/.cache/mlsmells`` (``~/Library/Caches/mlsmells`` on macOS,
    ``%LOCALAPPDATA%\\mlsmells`` on Windows)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "mlsmells"
    if sys.platform == "win32" and os.path.isabs(os.environ.get("LOCALAPPDATA", "")):
        return Path(os.environ["LOCALAPPDATA"]) / "mlsmells"
    try:
        home = Path.home()
    except RuntimeError:  # no home directory
        return None
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "mlsmells"
    return home / ".cache" / "mlsmells"


_secrets: dict[Path, bytes | None] = {}


def secret() -> bytes | None:
    """This user's key for the entries' HMACs, made on first use; ``None`` when there is
    no usable one (the cache is then not used)."""
    folder = user_cache_dir()
    if folder is None:
        return None
    path = folder / KEY_NAME
    if path not in _secrets:
        try:
            _secrets[path] = _read_key(path) or _make_key(path)
        except OSError:
            _secrets[path] = None
    return _secrets[path]


def _read_key(path: Path) -> bytes | None:
    """The key in ``path``; ``None`` when there is none. Raises :class:`OSError` for a key
    that others may read or write (anyone who can read it can forge entries)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise PermissionError(f"{path}: not private to this user")
        data = handle.read()
    try:
        key = bytes.fromhex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return key if len(key) == _KEY_BYTES else None


def _make_key(path: Path) -> bytes:
    """A new random key in ``path`` (mode 0600). Two runs making one at once agree on the
    first: the key is linked into place only if there is none yet."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(os.urandom(_KEY_BYTES).hex() + "\n")  # mkstemp: mode 0600
        try:
            os.link(temporary, path)
        except FileExistsError:
            found = _read_key(path)
            if found is not None:
                return found
            os.replace(temporary, path)  # an unreadable key: replaced
        except OSError:  # no hard links on this file system: the last run's key wins
            os.replace(temporary, path)
    finally:
        _remove(Path(temporary))
    made = _read_key(path)
    if made is None:
        raise OSError(f"{path}: the new key cannot be read back")
    return made


def _mac(key: bytes, name: str, text: str) -> str:
    return hmac.new(key, f"{name}\0{text}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- encoding
def encode(result: FileResult) -> str:
    """``result`` (without its path) as the JSON text of a cache entry."""
    error = result.error
    record: dict[str, Any] = {
        "diagnostics": [
            [d.line, d.col, d.code, d.message, d.end_line, d.end_col, [list(p) for p in d.data]]
            for d in result.diagnostics
        ],
        "error": None if error is None else [error.reason, error.line, error.column],
        "line_map": (
            None
            if result.line_map is None
            else [[line, cell, row] for line, (cell, row) in result.line_map.items()]
        ),
        "notices": list(result.notices),
        "depends": [list(item) for item in result.depends],
        "wide": None if result.wide is None else [[n, t] for n, t in result.wide.items()],
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def decode(path: Path, text: str) -> FileResult:
    """The result of ``path`` from an entry's text; ``ValueError`` unless it is well formed."""
    try:
        record = json.loads(text)
        diagnostics = tuple(
            Diagnostic(
                _int(line),
                _int(col),
                _str(code),
                _str(message),
                _int(end_line),
                _int(end_col),
                tuple((_str(key), _str(value)) for key, value in data),
            )
            for line, col, code, message, end_line, end_col, data in record["diagnostics"]
        )
        error: FileError | None = None
        if record["error"] is not None:
            reason, line, column = record["error"]
            error = FileError(_str(reason), _opt_int(line), _opt_int(column))
        line_map: Mapping[int, tuple[int, int]] | None = None
        if record["line_map"] is not None:
            line_map = {_int(n): (_int(cell), _int(row)) for n, cell, row in record["line_map"]}
        notices = tuple(_str(notice) for notice in record["notices"])
        depends = tuple((_str(name), _str(digest)) for name, digest in record["depends"])
        wide: Mapping[int, str] | None = None
        if record["wide"] is not None:
            wide = {_int(n): _str(text) for n, text in record["wide"]}
    except (TypeError, KeyError) as exc:  # wrong shapes: not an entry of this format
        raise ValueError(f"malformed cache entry: {exc}") from None
    return FileResult(path, diagnostics, error, line_map, notices, depends, wide)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


# ------------------------------------------------------------------ folder
class Cache:
    """The entries of one cache folder for the running code (see the module docs)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / code_digest()
        self._ready = False
        self._key: bytes | None = None
        self._usable: bool | None = None
        self.hits = 0
        self.misses = 0
        self._digests: dict[str, str | None] = {}

    @property
    def usable(self) -> bool:
        """Whether there is a key to sign and verify entries, and the folder is no link."""
        if self._usable is None:
            self._key = secret()
            self._usable = self._key is not None and not self.root.is_symlink()
        return self._usable

    def get(self, path: Path, key: str) -> FileResult | None:
        """The cached result of ``path`` under ``key``, or ``None``."""
        entry = os.path.join(self.folder, f"{key}.json")
        try:
            if not self.usable:
                raise ValueError("no key")
            assert self._key is not None
            data, modified = _read_entry(entry)
            mac, _, text = data.decode("utf-8").partition("\n")
            if not hmac.compare_digest(mac, _mac(self._key, self._name(key), text)):
                raise ValueError("not written by this user's mlsmells")
            result = decode(path, text)
            if any(self._digest(name) != digest for name, digest in result.depends):
                raise ValueError("a project module it depends on changed")
        except (OSError, ValueError):  # missing, unreadable, truncated, corrupt, forged
            self.misses += 1
            return None
        self.hits += 1
        if time.time() - modified > _REFRESH_AFTER:
            try:
                os.utime(entry)  # used: keep it from being pruned
            except OSError:
                pass
        return result

    def _digest(self, path: str) -> str | None:
        """The SHA-256 of the bytes of the file ``path`` (once per run and file: many
        entries may depend on one helper module); None when it cannot be read."""
        if path not in self._digests:
            try:  # a FIFO or a device is refused, not waited on
                self._digests[path] = hashlib.sha256(read_bytes(Path(path))).hexdigest()
            except FileError:
                self._digests[path] = None
        return self._digests[path]

    def put(self, key: str, text: str) -> None:
        """Store an entry's text (as :func:`encode` makes it) under ``key``; never raises."""
        if not self.usable:
            return
        assert self._key is not None
        text = f"{_mac(self._key, self._name(key), text)}\n{text}"
        try:
            self._prepare()
            handle, temporary = tempfile.mkstemp(
                dir=self.folder, prefix=f".{key[:16]}.", suffix=".tmp"
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temporary, self.folder / f"{key}.json")
            except BaseException:
                _remove(Path(temporary))
                raise
        except OSError:
            pass

    def _name(self, key: str) -> str:
        """What an entry's HMAC covers besides its content: its place (code digest, key)."""
        return f"{self.folder.name}/{key}"

    def _prepare(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, content in _MARKERS:
            marker = self.root / name
            if not marker.exists():
                _write_atomically(marker, content)
        self._ready = True

    def prune(self, now: float | None = None) -> None:
        """Drop the entries not used for :data:`MAX_AGE_DAYS` days, unless done in the last day."""
        if not self.usable:
            return
        now = time.time() if now is None else now
        stamp = self.root / _PRUNED
        try:
            if now - stamp.stat().st_mtime < _PRUNE_EVERY:
                return
        except OSError:
            if not self.root.is_dir():
                return
        try:
            _write_atomically(stamp, "")
            oldest = now - MAX_AGE_DAYS * 24 * 3600
            for folder in self.root.iterdir():
                # Only what mlsmells writes: never a link, nor a file it did not name.
                if not _DIGEST_NAME.fullmatch(folder.name) or folder.is_symlink():
                    continue
                if not folder.is_dir():
                    continue
                for entry in folder.iterdir():
                    if _ENTRY_NAME.fullmatch(entry.name) and entry.lstat().st_mtime < oldest:
                        _remove(entry)
                if folder != self.folder:
                    try:
                        folder.rmdir()
                    except OSError:
                        pass  # not empty: that version is still in use
        except OSError:
            pass


def _read_entry(path: str) -> tuple[bytes, float]:
    """The bytes of the entry file ``path`` and when it was last modified; ``OSError``
    for anything but a regular file (a FIFO planted there is not waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path}: not a regular file")
        chunks = []
        while chunk := os.read(fd, max(info.st_size + 1, 4096)):
            chunks.append(chunk)
        return b"".join(chunks), info.st_mtime
    finally:
        os.close(fd)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        _remove(Path(temporary))
        raise


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
