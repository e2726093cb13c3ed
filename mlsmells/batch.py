"""Checking many files: the result cache first, then a process pool for the rest.

:func:`check_files` is what ``mlsmells check`` runs. It looks every file up
in the cache (:mod:`mlsmells.cache`) in this process, then checks the files
it did not find, in ``jobs`` worker processes when there are enough of them,
and returns one :class:`~mlsmells.runner.FileResult` per path in the order of
the paths: the output of ``-j 4`` is the output of ``-j 1``, byte for byte.

A worker reads the file again and keys the entry it writes by the bytes it
checked, so a file edited during the run is never cached under the wrong
content.
"""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Sequence
from pathlib import Path

from mlsmells import cache as cache_module
from mlsmells import runner, sources
from mlsmells.cache import Cache
from mlsmells.config import ConfigError, SettingsCache
from mlsmells.runner import FileResult
from mlsmells.sources import FileError
from mlsmells.versions import Targets

CACHE_DIR_ENV = "MLSMELLS_CACHE_DIR"
"""Environment variable naming the cache folder (``--cache-dir`` wins over it)."""
NO_CACHE_ENV = "MLSMELLS_NO_CACHE"
"""Environment variable that, set to a true value (``1``, ``true``...), is ``--no-cache``."""
CI_ENV = "CI"
"""Set to a true value by CI services: the default cache folder (in the checkout) is not
used there, only one named with ``--cache-dir`` or :data:`CACHE_DIR_ENV`."""
MIN_FILES_PER_JOB = 4
"""Below this many files to check per worker, one process is faster than starting a pool."""
COLLECT_EVERY = 256
"""Files checked between two collections of the youngest objects by the cyclic garbage
collector, which is off otherwise while a batch is checked. A file leaves little garbage
in cycles (the engine breaks its own), but the objects that outlive it (its findings, the
summaries of the project index) were scanned again by a collection after almost every
file: 0.15 s of CPU on the benchmark corpus, 0.01 s this way."""

_Task = tuple[Path, frozenset[str], str, Targets, Path | None, str | None]
"""(path, codes checked in it, serialised settings, target versions, cache folder or None,
the key under which the cache had no entry for it)."""


# ---------------------------------------------------------------- options
def jobs_type(text: str) -> int:
    """argparse type of ``--jobs``: a positive number, or ``auto`` (one per CPU)."""
    if text.strip().lower() == "auto":
        return available_cpus()
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 job, got {value}")
    return value


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``-j/--jobs``, ``--no-cache`` and ``--cache-dir``."""
    group = parser.add_argument_group("speed")
    group.add_argument(
        "-j",
        "--jobs",
        type=jobs_type,
        default=None,
        metavar="N",
        help="check files in N processes, or `auto`: one per CPU (default); the output "
        "does not depend on it",
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help=f"check every file, neither reading nor writing the result cache (also: "
        f"{NO_CACHE_ENV}=1)",
    )
    group.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"the result cache folder (default: ${CACHE_DIR_ENV}, else {cache_module.DEFAULT_DIR} "
        f"in the current directory, except in CI (${CI_ENV} true): no cache there)",
    )


def cache_from_args(args: argparse.Namespace) -> Cache | None:
    """The cache the options ask for: ``None`` with ``--no-cache`` or :data:`NO_CACHE_ENV`,
    and in CI unless a folder is named."""
    if getattr(args, "no_cache", False) or _true(NO_CACHE_ENV):
        return None
    folder: Path | None = getattr(args, "cache_dir", None)
    if folder is None and os.environ.get(CACHE_DIR_ENV):
        folder = Path(os.environ[CACHE_DIR_ENV])
    if folder is None:
        if _true(CI_ENV):
            return None
        folder = Path(cache_module.DEFAULT_DIR)
    return Cache(folder)


def _true(variable: str) -> bool:
    """Whether an environment variable is set to a true value (not empty, 0, false, no, off)."""
    value = os.environ.get(variable, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def jobs_from_args(args: argparse.Namespace) -> int:
    jobs: int | None = getattr(args, "jobs", None)
    return available_cpus() if jobs is None else jobs


# ---------------------------------------------------------------- checking
def check_files(
    paths: Sequence[Path],
    settings: SettingsCache,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
    keep_trees: bool = False,
) -> list[FileResult]:
    """Check each file with the codes its settings select, using and filling ``cache``.

    A file whose configuration is invalid is not checked: its result carries the error.
    ``keep_trees``: the files checked in this process keep the statements of their trees
    for the fixes a report shows (:attr:`FileResult.parsed`).
    """
    results: list[FileResult | None] = [None] * len(paths)
    pending: list[tuple[int, _Task]] = []
    serialised: dict[int, str] = {}
    for index, path in enumerate(paths):
        try:
            config = settings.for_path(path)
            codes = config.codes_for(path)
        except ConfigError as exc:
            results[index] = FileResult(path, error=FileError(str(exc)))
            continue
        text = serialised.get(id(config))
        if text is None:
            text = serialised[id(config)] = config.serialise()
        missed: str | None = None
        if cache is not None:  # every file first: only the others are ordered and checked
            found, missed = _lookup(cache, path, codes, text)
            if found is not None:
                results[index] = found
                continue
        root = cache.root if cache is not None else None
        pending.append((index, (path, codes, text, config.targets, root, missed)))
    if jobs > 1 and len(pending) >= 2 * MIN_FILES_PER_JOB:
        workers = min(jobs, len(pending) // MIN_FILES_PER_JOB)
        for (index, task), encoded in zip(pending, _pool_map(workers, pending), strict=True):
            results[index] = cache_module.decode(task[0], encoded)
    elif pending:
        # Modules before the files importing them: each one's summary comes from its check.
        from mlsmells.engine.walk import gc_paused, summarize  # (cache hits need no engine)
        from mlsmells.semantic.index import dependency_order

        order = dependency_order([task[0] for _, task in pending], summarize)
        with gc_paused():
            for done, position in enumerate(order, 1):
                index, (path, codes, text, targets, _, missed) = pending[position]
                results[index] = check_one(
                    path, codes, text, cache, targets, missed, keep_tree=keep_trees
                )
                if done % COLLECT_EVERY == 0:
                    gc.collect(0)
    if cache is not None:
        cache.prune()
    return [result for result in results if result is not None]


def _lookup(
    cache: Cache, path: Path, codes: frozenset[str], settings: str
) -> tuple[FileResult | None, str | None]:
    """The cached result of ``path``, else ``None`` and the key it was looked up under
    (``None`` when the file cannot be read)."""
    try:
        data = sources.read_bytes(path)  # a FIFO or device is refused, not waited on
    except FileError:
        return None, None
    key = cache_module.entry_key(path, data, codes, settings)
    return cache.get(path, key), key


def check_one(
    path: Path,
    codes: frozenset[str],
    settings: str,
    cache: Cache | None,
    targets: Targets,
    missed: str | None = None,
    keep_tree: bool = False,
) -> FileResult:
    """Check one file, through ``cache`` when there is one; never raises for the file.
    (``settings``, serialised, hold the ``targets``; ``missed``: a key the cache was
    asked for already, in vain: the file is read again, and the cache asked again only
    if its bytes changed meanwhile.)"""
    if cache is None:
        return runner.check_file(path, codes, targets=targets, keep_tree=keep_tree)
    try:
        data = sources.read_bytes(path)  # a FIFO or device is refused, not waited on
    except FileError as error:  # not cached
        return FileResult(path, error=error)
    key = cache_module.entry_key(path, data, codes, settings)
    if key != missed:
        found = cache.get(path, key)
        if found is not None:
            return found
    result = runner.check_file(path, codes, data=data, targets=targets, keep_tree=keep_tree)
    cache.put(key, cache_module.encode(result))
    return result


# ------------------------------------------------------------------- pool
_worker_caches: dict[Path, Cache] = {}
_worker_checked = 0
"""Files checked by this worker (its collector runs every :data:`COLLECT_EVERY`)."""


def _start_worker() -> None:
    """In a new worker: the collector runs between files, every :data:`COLLECT_EVERY`."""
    gc.disable()


def _work(task: _Task) -> str:
    """In a worker: check one file (through the cache) and return its encoded result."""
    global _worker_checked
    path, codes, settings, targets, root, missed = task
    cache: Cache | None = None
    if root is not None:
        cache = _worker_caches.get(root)
        if cache is None:
            cache = _worker_caches[root] = Cache(root)
    encoded = cache_module.encode(check_one(path, codes, settings, cache, targets, missed))
    _worker_checked += 1
    if _worker_checked % COLLECT_EVERY == 0:
        gc.collect(0)
    return encoded


def _pool_map(workers: int, pending: Sequence[tuple[int, _Task]]) -> list[str]:
    # fork: the workers start with everything imported (rules, tables) at no cost.
    import multiprocessing  # (here: a run in one process needs none of it)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    tasks = [task for _, task in pending]
    for codes in dict.fromkeys(task[1] for task in tasks):
        runner.prepare(codes)  # (a run served from the cache imports no rule: this one does)
    chunk = max(1, min(16, len(tasks) // (workers * 8)))
    with context.Pool(workers, initializer=_start_worker) as pool:
        return pool.map(_work, tasks, chunksize=chunk)
