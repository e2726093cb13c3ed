"""Fuzz mlsmells for a while: ``python scripts/fuzz.py --minutes 30``.

Runs the properties of ``tests/fuzzing.py`` (the ones ``tests/test_fuzz.py``
runs briefly in CI) round after round, each round a fresh hypothesis run of
``--batch`` examples per property, until the time is up:

- ``python``: hypothesmith modules, ``check`` + ``fix`` (safe and unsafe);
- ``ml``: ML-flavoured modules built from smell templates, the same;
- ``files``: hostile bytes on disk, ``check_file`` + ``fix_path``;
- ``notebooks``: notebooks cut from ML modules (magics, markdown, broken cells),
  ``check_file`` + ``fix_path``, the rewritten notebook checked cell by cell;
- ``corpus`` (with ``--corpus DIR``): runs of statements of real files, one name
  renamed to a template name, ``check`` + ``fix``.

A failure is shrunk by hypothesis to a minimal reproducer, written to
``--out`` (default: ``mlsmells-fuzz`` in the temporary folder) as ``<property>-<hash>.py`` (or
``.ipynb``: the input) and ``.txt`` (what went wrong), and remembered by its signature (the
exception and where it was raised) so that later rounds look for *other*
failures instead of finding the same one again. An example that takes longer
than ``--timeout`` seconds is a failure too. At the end (and every
``--report-every`` seconds) it prints how many examples each property tried
and the failures found. Exit status: 0 without failures, 1 with.
"""

from __future__ import annotations

import argparse
import hashlib
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests import fuzzing  # noqa: E402


class ExampleTimeout(BaseException):
    """An example ran longer than the per-example limit (not an ``Exception``: the
    engine's isolation of a failing rule must not catch it)."""


@dataclass
class Property:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    suffix: str = ".py"
    """Of the reproducer file."""
    tried: int = 0
    failures: dict[str, Path] = field(default_factory=dict)
    """Signature -> reproducer file."""


def _signature(exc: BaseException) -> str:
    """The exception type, its message's first line (numbers dropped) and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "mlsmells" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    first = (str(exc).splitlines() or [""])[0]
    message = "".join("#" if c.isdigit() else c for c in first)[:160]
    return f"{type(exc).__name__}: {message} @ {where}"


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise ExampleTimeout("example timed out")


class Fuzzer:
    def __init__(self, out: Path, timeout: float, seed: int | None = None) -> None:
        self.out = out
        self.timeout = timeout
        self.seed = seed
        """Seed of the first round (each round adds one); ``None``: random rounds."""
        self.rounds = 0
        signal.signal(signal.SIGALRM, _alarm)  # the per-example time limit
        self.properties = [
            Property("python", fuzzing.python_modules(), fuzzing.check_module),
            Property("ml", fuzzing.ml_modules(), fuzzing.check_module),
            Property("files", fuzzing.hostile_files(), fuzzing.check_file_bytes),
            Property("notebooks", fuzzing.notebooks(), fuzzing.check_notebook_bytes, ".ipynb"),
        ]

    def run_round(self, prop: Property, batch: int) -> None:
        """One hypothesis run; a new failure is shrunk and written down."""
        last_failure: list[tuple[Any, BaseException]] = []

        @settings(
            max_examples=batch,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.target, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(prop.strategy)
        def property_test(example: Any) -> None:
            prop.tried += 1
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                prop.check(example)
            except ExampleTimeout as exc:  # recorded as it is: shrinking would take hours
                signal.setitimer(signal.ITIMER_REAL, 0)
                if _signature(exc) not in prop.failures:
                    self.record(prop, example, exc)
            except Exception as exc:
                if _signature(exc) in prop.failures:
                    return  # known: keep looking for others
                last_failure[:] = [(example, exc)]
                raise
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)

        if self.seed is not None:
            property_test = seed(self.seed + self.rounds)(property_test)
        self.rounds += 1
        try:
            property_test()
        except Exception as exc:  # noqa: BLE001 - reported either way
            if last_failure:  # the shrunk failure
                self.record(prop, *last_failure[0])
            else:  # hypothesis itself (a generator) failed: a bug of the harness
                print(f"HARNESS ERROR [{prop.name}] {_signature(exc)}", flush=True)
                traceback.print_exc()
                raise

    def record(self, prop: Property, example: Any, exc: BaseException) -> None:
        signature = _signature(exc)
        data = example if isinstance(example, bytes) else str(example).encode("utf-8")
        digest = hashlib.sha1(data).hexdigest()[:10]
        self.out.mkdir(parents=True, exist_ok=True)
        reproducer = self.out / f"{prop.name}-{digest}{prop.suffix}"
        reproducer.write_bytes(data)
        details = "".join(traceback.format_exception(exc))
        reproducer.with_suffix(".txt").write_text(
            f"property: {prop.name}\nsignature: {signature}\n\n{details}", encoding="utf-8"
        )
        prop.failures[signature] = reproducer
        print(f"FAILURE [{prop.name}] {signature}\n  reproducer: {reproducer}", flush=True)

    def report(self, started: float) -> None:
        minutes = (time.monotonic() - started) / 60
        total = sum(p.tried for p in self.properties)
        print(f"--- after {minutes:.1f} min: {total} examples", flush=True)
        for prop in self.properties:
            failures = len(prop.failures)
            print(f"  {prop.name}: {prop.tried} examples, {failures} failures", flush=True)
            for signature, path in prop.failures.items():
                print(f"    {signature}\n      {path}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--batch", type=int, default=100, help="examples per round and property")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per example")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mlsmells-fuzz",
        help="folder for the reproducers (default: mlsmells-fuzz in the temporary folder)",
    )
    parser.add_argument("--report-every", type=float, default=300.0, help="seconds")
    parser.add_argument(
        "--seed",
        type=int,
        help="seed of the first round, to repeat a run (default: random)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a folder of real code: also fuzz windows of its files (property 'corpus')",
    )
    parser.add_argument(
        "--only",
        choices=("python", "ml", "files", "notebooks", "corpus"),
        action="append",
        help="run only this property (repeatable)",
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # SyntaxWarnings about generated code (hypothesmith compiles)
    fuzzer = Fuzzer(args.out, args.timeout, args.seed)
    if args.corpus is not None:
        corpus = fuzzing.corpus_modules(args.corpus)
        fuzzer.properties.append(Property("corpus", corpus, fuzzing.check_module))
    if args.only:
        fuzzer.properties = [p for p in fuzzer.properties if p.name in args.only]
    started = time.monotonic()
    deadline = started + args.minutes * 60
    last_report = started
    while time.monotonic() < deadline:
        for prop in fuzzer.properties:
            if time.monotonic() >= deadline:
                break
            fuzzer.run_round(prop, args.batch)
            if time.monotonic() - last_report >= args.report_every:
                fuzzer.report(started)
                last_report = time.monotonic()
    fuzzer.report(started)
    return 1 if any(p.failures for p in fuzzer.properties) else 0


if __name__ == "__main__":
    raise SystemExit(main())
