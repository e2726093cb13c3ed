#!/usr/bin/env python3
"""Benchmark mlsmells against pyflakes, flake8, pylint and ruff, in one run.

Usage::

    python scripts/bench.py [--corpus DIR] [--runs N] [--slow-runs N] [--skip-pylint]
                            [--big-files N] [--output docs/performance.md]

The corpus is the one ``../shared/tools/dev-corpus.sh`` builds (scikit-learn
examples, lightning, torchmetrics, transformers models): it is built into DIR
when DIR does not exist yet, else reused. The commands run in rounds, each once
per round, so that a change in the machine's load falls on all of them alike.

Every tool runs as a child process; the script reports the median CPU time
(user + system of the child and of its children, so a process pool counts
in full) and the median wall time over the runs, the largest peak RSS of any
one process, and files and lines per second (of wall time). The targets are
ratios of tools measured in this same run, so the speed of the machine
cancels out (its load does not: the load average is reported). Then one
instrumented in-process run shows where the time of ``mlsmells check`` goes:
reading, parsing, the walk with the semantic model, each check, suppression.

The table and the ratios are written between the ``bench:start`` and
``bench:end`` markers of the output file; the rest of the file (the analysis)
is kept. Nothing here asserts a time: the test suite never does.
"""

from __future__ import annotations

import argparse
import ast
import collections
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "dev-corpus"
CORPUS_SCRIPT = ROOT.parent / "shared" / "tools" / "dev-corpus.sh"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"

#: flake8 runs every installed plugin and filters the codes afterwards, so
#: ``flake8 --select=F`` would run the mlsmells plugin too: the baseline runs
#: flake8 with the mlsmells entry point left out of the plugins it finds.
FLAKE8_WITHOUT_MLSMELLS = """
import sys
from flake8.main.cli import main
from flake8.plugins import finder

_find = finder.find_plugins


def find_plugins(cfg, opts):
    return [p for p in _find(cfg, opts) if p.package != "mlsmells"]


finder.find_plugins = find_plugins
sys.exit(main())
"""


@dataclass
class Measurement:
    name: str
    cpu: float
    wall: float
    rss_mb: float
    runs: int
    files: int
    lines: int


def run_once(cmd: Sequence[str], cwd: Path) -> tuple[float, float, float]:
    """Run ``cmd``; (CPU seconds, wall seconds, peak RSS in MB) of the child and its children.

    Exits when the tool failed: 0 and 1 (findings) are fine, and pylint's status bits for
    messages (2, 4, 8, 16) too; 32 is a pylint usage error, anything else a crash.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode < 0 or proc.returncode & ~0b11111:
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        sys.exit(f"bench: {' '.join(cmd)} exited with {proc.returncode}: {' / '.join(tail)}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


@dataclass
class Job:
    key: str
    name: str
    cmd: Sequence[str]
    runs: int
    before: Callable[[], None] | None = None
    cpus: list[float] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    rss: float = 0.0

    def run(self, cwd: Path) -> None:
        if self.before is not None:
            self.before()
        cpu, wall, peak = run_once(self.cmd, cwd)
        self.cpus.append(cpu)
        self.walls.append(wall)
        self.rss = max(self.rss, peak)

    def result(self, size: tuple[int, int]) -> Measurement:
        return Measurement(
            self.name, statistics.median(self.cpus), statistics.median(self.walls), self.rss,
            self.runs, *size,
        )


def measure_interleaved(
    jobs: Sequence[Job], cwd: Path, size: tuple[int, int]
) -> dict[str, Measurement]:
    """Run the jobs in rounds, each job once per round in the order given, until each has
    run its number of times: a change in the machine's load during the benchmark then
    falls on every command alike instead of on the ones that happened to run then (the
    targets are ratios). A job that needs another's result (the warm cache after the
    run filling it) comes after it in ``jobs``."""
    for round_number in range(max(job.runs for job in jobs)):
        for job in jobs:
            if round_number < job.runs:
                job.run(cwd)
        print(f"round {round_number + 1} done", flush=True)
    results = {}
    for job in jobs:
        m = results[job.key] = job.result(size)
        runs = " ".join(f"{cpu:.2f}" for cpu in job.cpus)
        print(f"{m.name:48s} cpu {m.cpu:7.2f}s  wall {m.wall:7.2f}s  rss {m.rss_mb:6.0f} MB"
              f"  (CPU of each run: {runs})")
    return results


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if p.is_file())


def count_lines(files: Sequence[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)


def ensure_corpus(corpus: Path) -> None:
    if corpus.exists():
        return
    if not CORPUS_SCRIPT.exists():
        sys.exit(f"bench: no corpus at {corpus} and no {CORPUS_SCRIPT} to build one")
    print(f"building the corpus in {corpus} ...", flush=True)
    subprocess.run(["bash", str(CORPUS_SCRIPT), str(corpus)], check=True)


def replicate(files: Sequence[Path], corpus: Path, count: int, into: Path) -> int:
    """Copy corpus files into ``into`` until it holds ``count`` of them; their line count."""
    lines = 0
    for i in range(count):
        source = files[i % len(files)]
        target = into / f"copy{i // len(files)}" / source.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        target.write_bytes(data)
        lines += data.count(b"\n")
    return lines


def default_symbols() -> str:
    """The pylint symbols of the rules on by default (what ``mlsmells check`` runs)."""
    sys.path.insert(0, str(ROOT))
    from mlsmells import records, registry

    symbols = [r.symbol for r in registry.RULES.values() if r.default_enabled]
    return ",".join([*symbols, records.INTERNAL_ERROR_SYMBOL])


# ------------------------------------------------------------- where it goes
def _no_check() -> type:
    from mlsmells import engine

    class NoCheck(engine.Check):  # in no rule module: not registered
        codes = ("ML000",)
        nodes = ()

    return NoCheck


def profile_check(corpus: Path) -> list[tuple[str, float]]:
    """Seconds of CPU per stage of ``mlsmells check`` over the corpus (one process, in here)."""
    sys.path.insert(0, str(ROOT))
    from mlsmells import compiled, engine, registry, sources
    from mlsmells.config import DEFAULT_TEST_FILES, is_test_path
    from mlsmells.engine import walk
    from mlsmells.suppression import Suppressions

    clock = time.process_time
    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    _NoCheck = _no_check()

    active = registry.select_codes()
    # As the CLI: the rules of test code run in test files only.
    tests = registry.engine(active)
    others = registry.engine(active - registry.tests_only_codes())

    def engine_for(path: Path) -> engine.Engine:
        return tests if is_test_path(path, DEFAULT_TEST_FILES, corpus) else others

    trees = []
    for path in python_files(corpus):
        try:
            source = sources.read_source(path)
            trees.append((sources.parse(source, str(path)), sources.split_lines(source), str(path)))
        except sources.FileError:
            continue
    # The walk and the semantic model alone: the engine driving one check that visits nothing.
    bare = registry.engine(active)
    bare.checks = [_NoCheck]
    start = clock()
    for tree, lines, name in trees:
        with engine.gc_paused():
            bare.run(tree, lines, name)
    walk_only = clock() - start
    start = clock()
    for tree, lines, name in trees:
        with engine.gc_paused():
            engine_for(Path(name)).run(tree, lines, name)
    untimed = clock() - start
    del trees
    # A timer around each check's visits takes a subclass of the walker, which a compiled
    # walker does not allow: the compiled build gets the stages only.
    timed = not compiled()
    original = walk._Walker
    if timed:
        class Timed(walk._Walker):
            def _dispatch(self, handlers: list[tuple[engine.Visitor, Callable[[ast.AST], None]]],
                          node: ast.AST) -> None:
                for inst, handler in handlers:
                    start = clock()
                    try:
                        handler(node)
                    except RecursionError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - as the engine does
                        self._fail(inst, node, exc)
                    codes = ", ".join(getattr(inst, "codes", ()))
                    spent[f"check {type(inst).__name__} ({codes})"] += clock() - start

            def _leave_scope(self, scope: object) -> None:
                start = clock()
                super()._leave_scope(scope)  # type: ignore[arg-type]
                spent["checks at the end of scopes (leave_scope)"] += clock() - start

        walk._Walker = Timed  # type: ignore[misc]
    try:
        tests = registry.engine(active)
        others = registry.engine(active - registry.tests_only_codes())
        for path in python_files(corpus):
            start = clock()
            source = sources.read_source(path)
            lines = sources.split_lines(source)
            read = clock()
            try:
                tree = sources.parse(source, str(path))
            except sources.FileError:
                continue
            parsed = clock()
            with engine.gc_paused():
                found = engine_for(path).run(tree, lines, str(path))
            walked = clock()
            if found:
                Suppressions.from_lines(lines, tree)
            done = clock()
            spent["read and decode"] += read - start
            spent["ast.parse"] += parsed - read
            spent[_TIMED_ENGINE if timed else _ENGINE] += walked - parsed
            spent["suppression comments (files with findings)"] += done - walked
    finally:
        walk._Walker = original  # type: ignore[misc]
    spent["engine: the walk and the semantic model alone (a run with no check)"] = walk_only
    spent["engine: in all, without the timers (walk, model and every check)"] = untimed
    return sorted(spent.items(), key=lambda item: -item[1])


_TIMED_ENGINE = "engine: in all, with a timer around each check (the lines below)"
_ENGINE = "engine: in all, read and parsed file by file (walk, model and every check)"


# ------------------------------------------------------------------ report
def render(
    results: dict[str, Measurement],
    stages: list[tuple[str, float]],
    args: argparse.Namespace,
    corpus_size: tuple[int, int],
) -> str:
    n_files, n_lines = corpus_size
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    import mlsmells

    build = (
        "the release build, compiled with mypyc (`MLSMELLS_COMPILE=1`)"
        if mlsmells.compiled()
        else "pure Python (not the release build: see below)"
    )
    out = [
        START,
        "",
        f"Generated by `python scripts/bench.py` on {time.strftime('%Y-%m-%d')} "
        f"(Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load} at the end). mlsmells: {build}. Corpus: {n_files} files, {n_lines:,} lines "
        "(`../shared/tools/dev-corpus.sh`). Median of "
        f"{args.runs} runs ({args.slow_runs} for pylint). CPU: user + system time of the "
        "process and its children. RSS: the largest peak of any one process.",
        "",
        "| command | CPU s | wall s | files/s | lines/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in results.values():
        fps = m.files / m.wall if m.wall else 0.0
        lps = m.lines / m.wall if m.wall else 0.0
        out.append(
            f"| {m.name} | {m.cpu:.2f} | {m.wall:.2f} | {fps:,.0f} | {lps:,.0f} | "
            f"{m.rss_mb:.0f} |"
        )
    out += [
        "",
        "| target (issue 10) | measured | goal | met |",
        "|---|---:|---:|:---:|",
    ]

    def target(label: str, a: str, b: str, goal: float, use_wall: bool = False) -> None:
        if a in results and b in results:
            x, y = results[a], results[b]
            value = (x.wall / y.wall) if use_wall else (x.cpu / y.cpu)
            met = "yes" if value <= goal else "**no**"
            out.append(f"| {label} | {value:.2f}× | ≤ {goal:.2f}× | {met} |")

    target("`check`, cold, one process: CPU / pyflakes CPU", "mls_j1", "pyflakes", 1.0)
    target("flake8 `--select=F,ML` / `--select=F` (CPU)", "flake8_fml", "flake8_f", 1.15)
    target("pylint + plugin / pylint, same checks (CPU)", "pylint_ml", "pylint", 1.10)
    target("warm `check` / `ruff --select NPY,PD --no-cache` (wall)", "mls_warm", "ruff", 3.0,
           use_wall=True)
    target("`fix --diff` / `check`, cold, one process (CPU)", "mls_fix_diff", "mls_j1", 2.0)
    target("JSON / text (issue 18): `check --output-format json` / `check`, one process (CPU)",
           "mls_json", "mls_j1", 1.2)
    if "mls_big" in results:
        big = results["mls_big"]
        met = "yes" if big.rss_mb < 500 else "**no**"
        out.append(f"| {big.files:,} files in one run: peak RSS | {big.rss_mb:.0f} MB | "
                   f"< 500 MB | {met} |")
    if stages:
        timed = _TIMED_ENGINE in dict(stages)
        total = dict(stages)[_TIMED_ENGINE if timed else _ENGINE] + sum(
            v for k, v in stages if not k.startswith(("engine", "check"))
        )
        how = (
            "with a timer around each check's visits (which adds its own overhead to the "
            "engine's total), and the walk with the semantic model timed alone; checks under "
            "1% grouped:"
            if timed
            else "the walk with the semantic model timed alone (a compiled walker takes no "
            "timer around each check):"
        )
        out += [
            "",
            "Where the CPU time of `mlsmells check` goes: one run in the benchmark's process, "
            f"{total:.2f} s without start-up, {how}",
            "",
            "| stage | CPU s | share |",
            "|---|---:|---:|",
        ]
        small = 0.0
        for name, seconds in stages:
            if seconds < 0.01 * total and name.startswith("check "):
                small += seconds
                continue
            out.append(f"| {name} | {seconds:.2f} | {100 * seconds / total:.0f}% |")
        if timed:
            out.append(f"| every other check | {small:.2f} | {100 * small / total:.0f}% |")
    out += ["", END]
    return "\n".join(out)


def write_report(path: Path, block: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = "# Performance\n\n" + block + "\n" + old
    path.write_text(text, encoding="utf-8")


# -------------------------------------------------------------------- main
def compile_package() -> None:
    """Bring the byte code of mlsmells' modules up to date, as installing a wheel does.

    The other tools were installed from wheels, with their byte code written then; a
    source checkout (an editable install) has none for the modules edited since their
    last import, and none is written at all under ``PYTHONDONTWRITEBYTECODE``: each
    measured run would then compile them again, start-up time no user pays.
    """
    import compileall

    import mlsmells

    compileall.compile_dir(Path(mlsmells.__file__).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5, help="runs of each fast command")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of pylint")
    parser.add_argument("--skip-pylint", action="store_true")
    parser.add_argument("--big-files", type=int, default=10_000,
                        help="files of the peak-RSS run (0: skip it)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args(argv)

    corpus: Path = args.corpus.resolve()
    ensure_corpus(corpus)
    compile_package()
    files = python_files(corpus)
    size = (len(files), count_lines(files))
    print(f"corpus: {corpus} ({size[0]} files, {size[1]:,} lines)", flush=True)
    py = sys.executable
    runs: int = args.runs
    scratch = Path(tempfile.mkdtemp(prefix="mlsmells-bench-"))
    cache_dir = scratch / "cache"
    mls = [py, "-m", "mlsmells"]
    jobs: list[Job] = []

    def add(key: str, name: str, cmd: Sequence[str], n: int = runs,
            before: Callable[[], None] | None = None) -> None:
        jobs.append(Job(key, name, cmd, n, before))

    def clear_cache() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    try:
        add("pyflakes", "python -m pyflakes", [py, "-m", "pyflakes", "."])
        add("mls_j1", "mlsmells check -j 1 --no-cache",
            [*mls, "check", "--no-cache", "-j", "1", "."])
        add("mls_json", "mlsmells check -j 1 --no-cache --output-format json",
            [*mls, "check", "--no-cache", "-j", "1", "--output-format", "json", "."])
        add("mls_jauto", "mlsmells check -j auto --no-cache",
            [*mls, "check", "--no-cache", "-j", "auto", "."])
        add("mls_cold_cache", "mlsmells check -j 1 (empty cache, filling it)",
            [*mls, "check", "-j", "1", "--cache-dir", str(cache_dir), "."], before=clear_cache)
        add("mls_warm", "mlsmells check (warm cache, nothing changed)",
            [*mls, "check", "--cache-dir", str(cache_dir), "."])
        add("mls_fix_diff", "mlsmells fix --diff", [*mls, "fix", "--diff", "."])
        add("flake8_f", "flake8 -j 1 --select=F (without the mlsmells plugin)",
            [py, "-c", FLAKE8_WITHOUT_MLSMELLS, "--isolated", "-j", "1", "--select=F", "."])
        add("flake8_fml", "flake8 -j 1 --select=F,ML",
            [py, "-m", "flake8", "--isolated", "-j", "1", "--select=F,ML", "."])
        if not args.skip_pylint:
            base = [py, "-m", "pylint", "-j", "1", "--disable=all", "--enable=unused-import",
                    "--score=n", "--persistent=n"]
            add("pylint", "pylint -j 1, one check (unused-import)", [*base, "."],
                n=args.slow_runs)
            add("pylint_ml", "the same + mlsmells plugin (default rules)",
                [*base, "--load-plugins=mlsmells.pylint_plugin",
                 f"--enable={default_symbols()}", "."], n=args.slow_runs)
        ruff = shutil.which("ruff")
        if ruff:
            add("ruff", "ruff check --select NPY,PD --no-cache",
                [ruff, "check", "--isolated", "--select", "NPY,PD", "--no-cache",
                 "--exit-zero", "."])
        results = measure_interleaved(jobs, corpus, size)
        if args.big_files:
            big = scratch / "big"
            lines = replicate(files, corpus, args.big_files, big)
            results.update(measure_interleaved(
                [Job("mls_big", f"mlsmells check -j 1 --no-cache, {args.big_files:,} files",
                     [*mls, "check", "--no-cache", "-j", "1", "."], 1)],
                big, (args.big_files, lines)))
        stages = profile_check(corpus)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_report(args.output, render(results, stages, args, size))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
