"""``mlsmells check --watch``: check, then check again whenever a file changes.

Watches the paths given (a file: its directory) with watchdog (the ``watch`` extra,
``pip install "mlsmells[watch]"``; without it the option says so in one line) for
changes to Python files, notebooks, ``pyproject.toml`` and ignore files, waits for a
burst of changes to settle, and runs the same check again (the result cache makes the
files that did not change free). Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mlsmells.cache import DEFAULT_DIR
from mlsmells.frontends.options import EXIT_CLEAN, EXIT_ERROR, fail

MISSING = '--watch needs watchdog: pip install "mlsmells[watch]"'
WATCHED_SUFFIXES = (".py", ".ipynb", ".toml", ".gitignore", ".ignore")
SETTLE = 0.2
"""Seconds without a change before checking again (an editor's save is several events)."""


def _relevant(path: str) -> bool:
    name = os.path.basename(path)
    parts = Path(path).parts
    return name.endswith(WATCHED_SUFFIXES) and DEFAULT_DIR not in parts and ".git" not in parts


def run(args: argparse.Namespace, check: Callable[[argparse.Namespace], int]) -> int:
    """Run ``check(args)`` now and after every change under ``args.paths``, until Ctrl-C."""
    try:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        return fail(MISSING)
    changed = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [event.src_path, getattr(event, "dest_path", "")]
            if any(_relevant(os.fsdecode(p)) for p in paths if p):
                changed.set()

    folders = sorted({_folder(Path(p)) for p in args.paths})
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        return fail(f"--watch: no such directory: {missing[0]}")
    observer = Observer()
    for folder in folders:
        observer.schedule(Handler(), str(folder), recursive=True)
    observer.start()
    try:
        while True:
            _say(f"[{time.strftime('%H:%M:%S')}] Checking ...")
            check(args)
            sys.stdout.flush()
            _say("Watching for changes (Ctrl-C to stop).")
            changed.wait()
            while changed.wait(SETTLE):  # until a pause in the changes
                changed.clear()
    except KeyboardInterrupt:
        return EXIT_CLEAN
    finally:
        observer.stop()
        observer.join(timeout=5)
    return EXIT_ERROR  # pragma: no cover - the loop only ends by Ctrl-C


def _folder(path: Path) -> Path:
    return path if path.is_dir() else path.parent if str(path.parent) else Path(".")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
