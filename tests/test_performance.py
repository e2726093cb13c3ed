"""What makes mlsmells fast, tested for what it must not change: ``-j`` gives the
output of ``-j 1``; the result cache hits, misses and invalidates exactly when it
should, survives corrupt entries and concurrent runs; the fixer parses with
libcst only the files it can fix; the engine's shortcuts agree with the
standard library's slow paths. (No timing is asserted here.)"""

from __future__ import annotations

import ast
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

import mlsmells
from mlsmells import batch, registry, runner, sources
from mlsmells import cache as cache_module
from mlsmells.cache import Cache
from mlsmells.config import Overrides, Settings, SettingsCache, glob_matches
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import (
    Check,
    Context,
    gc_paused,
    iter_local_nodes,
    iter_nodes,
    names_in,
)
from mlsmells.fixes import apply as apply_module
from mlsmells.fixes.base import FixContext, _spans_and_code
from mlsmells.frontends import cli
from mlsmells.frontends import fix as fix_command
from mlsmells.semantic.names import last_names
from mlsmells.versions import NEWEST, Targets

FIXTURES = Path(__file__).parent / "fixtures"

FIXABLE = """\
from sklearn.model_selection import train_test_split

X_train, X_test = train_test_split([1, 2, 3, 4])
"""
SUPPRESSED = FIXABLE.replace("])\n", "])  # noqa: ML101\n")
NOT_FIXABLE = """\
import torch
import torch.nn.functional as F


def step(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(F.softmax(logits, dim=1), target)
"""
CLEAN = "import torch\n\nmodel = torch.nn.Linear(2, 2)\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def project(root: Path, copies: int = 6) -> Path:
    """A folder of files with findings, clean files, and files that cannot be checked."""
    root.mkdir()
    for i in range(copies):
        (root / f"fixable_{i}.py").write_text(FIXABLE)
        (root / f"nofix_{i}.py").write_text(NOT_FIXABLE)
        (root / f"clean_{i}.py").write_text(CLEAN)
        (root / f"suppressed_{i}.py").write_text(SUPPRESSED)
    (root / "broken.py").write_text("def f(:\n    pass\n")
    (root / "latin.py").write_bytes(b"x = '\xe9'\n")
    (root / "notebook.ipynb").write_text(
        json.dumps(
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {"language_info": {"name": "python"}},
                "cells": [
                    {"cell_type": "code", "metadata": {}, "source": FIXABLE, "outputs": []},
                    {"cell_type": "code", "metadata": {}, "source": "%%time\nx = 1\n"},
                    {"cell_type": "code", "metadata": {}, "source": "def broken(:\n"},
                ],
            }
        )
    )
    return root


def check(paths: list[Path], cache: Cache | None, jobs: int = 1) -> list[runner.FileResult]:
    return batch.check_files(paths, SettingsCache(), jobs=jobs, cache=cache)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.json"))


# ---------------------------------------------------------------- -j
def test_jobs_give_the_output_of_one_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "src")
    pools: list[int] = []
    real_pool_map = batch._pool_map

    def counting(workers: int, pending: object) -> list[str]:
        pools.append(workers)
        return real_pool_map(workers, pending)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "_pool_map", counting)
    one = run(capsys, "check", "--no-cache", "-j", "1", str(root))
    assert not pools
    for jobs in ("2", "3", "auto"):
        assert run(capsys, "check", "--no-cache", "-j", jobs, str(root)) == one
    assert run(capsys, "check", "--no-cache", "--output-format", "json", "-j", "2", str(root))[
        1
    ] == run(capsys, "check", "--no-cache", "--output-format", "json", "-j", "1", str(root))[1]
    assert pools and all(workers >= 2 for workers in pools[:2])
    status, out, err = one
    assert status == 2  # the broken and undecodable files
    assert out.count("ML101") == 6 + 1  # the notebook's too; the suppressed ones stay quiet
    assert "broken.py:1:7: syntax error" in err and "latin.py" in err


def test_jobs_through_the_cache_give_the_output_of_one_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    cold = run(capsys, "check", "--no-cache", "-j", "1", str(root))
    assert run(capsys, "check", "--cache-dir", str(cache_dir), "-j", "3", str(root)) == cold
    assert run(capsys, "check", "--cache-dir", str(cache_dir), "-j", "3", str(root)) == cold
    assert run(capsys, "check", "--cache-dir", str(cache_dir), "-j", "1", str(root)) == cold


def test_jobs_option() -> None:
    assert batch.jobs_type("auto") == batch.available_cpus() >= 1
    assert batch.jobs_type("3") == 3
    for bad in ("0", "-2", "many"):
        with pytest.raises(Exception, match="expected"):
            batch.jobs_type(bad)


# -------------------------------------------------------------- cache
def test_second_run_is_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "src", copies=2)
    paths = runner.discover([root])
    cache = Cache(tmp_path / "cache")
    first = check(paths, cache)
    assert (cache.hits, cache.misses) == (0, len(paths))
    assert len(entries(cache.root)) == len(paths)

    def no_checking(*args: object, **kwargs: object) -> runner.FileResult:
        raise AssertionError("a cached file was checked again")

    monkeypatch.setattr(runner, "check_file", no_checking)
    again = Cache(tmp_path / "cache")
    assert check(paths, again) == first
    assert (again.hits, again.misses) == (len(paths), 0)
    notebook = next(r for r in first if r.path.suffix == ".ipynb")
    assert notebook.line_map and notebook.notices  # kept whole: cells, the broken cell's notice
    assert any(r.error is not None and r.error.line == 1 for r in first)  # located errors too


def test_cache_folder_is_ignored_by_git_and_tagged(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".mlsmells_cache")
    check([project(tmp_path / "src", copies=1) / "fixable_0.py"], cache)
    ignore = (cache.root / ".gitignore").read_text()
    assert "*" in ignore.splitlines()
    assert (cache.root / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55"
    )


def test_default_folder_environment_and_no_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "src", copies=1)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(batch.CACHE_DIR_ENV)
    monkeypatch.delenv(batch.CI_ENV, raising=False)  # (in CI, no default folder)
    run(capsys, "check", "--no-cache", str(root))
    assert not (tmp_path / cache_module.DEFAULT_DIR).exists()
    run(capsys, "check", str(root))
    assert entries(tmp_path / cache_module.DEFAULT_DIR)
    monkeypatch.setenv(batch.CACHE_DIR_ENV, str(tmp_path / "from-env"))
    run(capsys, "check", str(root))
    assert entries(tmp_path / "from-env")
    run(capsys, "check", "--cache-dir", str(tmp_path / "given"), str(root))
    assert entries(tmp_path / "given")


def test_changed_content_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    cache = Cache(tmp_path / "cache")
    assert [d.code for d in check([path], cache)[0].diagnostics] == ["ML101"]
    path.write_text(CLEAN)
    assert check([path], cache)[0].diagnostics == ()
    path.write_text(FIXABLE)  # back to the first content: its entry is still good
    assert [d.code for d in check([path], cache)[0].diagnostics] == ["ML101"]
    assert (cache.hits, cache.misses) == (1, 2)


def test_other_settings_are_not_served_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE + NOT_FIXABLE)
    folder = tmp_path / "cache"
    check([path], Cache(folder))
    ignoring = batch.check_files([path], SettingsCache(_ignore("ML101")), cache=Cache(folder))
    assert [d.code for d in ignoring[0].diagnostics] == ["ML408"]
    (tmp_path / "pyproject.toml").write_text('[tool.mlsmells]\nextend-select = ["ML9"]\n')
    opted = Cache(folder)
    batch.check_files([path], SettingsCache(), cache=opted)
    assert opted.misses == 1  # the selection changed, so the key did
    seeded = Cache(folder)
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nseed = 7\n")
    batch.check_files([path], SettingsCache(), cache=seeded)
    assert seeded.misses == 1  # any effective setting is part of the key
    again = Cache(folder)
    batch.check_files([path], SettingsCache(), cache=again)
    assert again.hits == 1


def _ignore(code: str) -> Overrides:
    return Overrides(ignore=(code,))


def test_other_code_is_not_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    check([path], Cache(tmp_path / "cache"))
    monkeypatch.setattr(mlsmells, "__version__", "999.0")
    monkeypatch.setattr(cache_module, "_code_digest", None)  # computed again, for 999.0
    other = Cache(tmp_path / "cache")
    check([path], other)
    assert (other.hits, other.misses) == (0, 1)
    assert len(entries(tmp_path / "cache")) == 2  # one folder per code digest


def test_digest_covers_the_package_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = cache_module.code_digest()
    package = tmp_path / "mlsmells"
    package.mkdir()
    for name in ("__init__.py", "engine.py"):
        (package / name).write_text(f"# {name}\n")
    monkeypatch.setattr(mlsmells, "__file__", str(package / "__init__.py"))
    monkeypatch.setattr(cache_module, "_code_digest", None)
    copy = cache_module.code_digest()
    (package / "engine.py").write_text("# an edited rule\n")
    monkeypatch.setattr(cache_module, "_code_digest", None)
    assert len({before, copy, cache_module.code_digest()}) == 3


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b'{"diagnostics": [[3, 18, "ML101"',  # truncated
        b"\xff\xfe not text",
        b"[1, 2, 3]",
        b'{"diagnostics": [["3", 18, "ML101", "m", 3, 20, []]], "error": null, '
        b'"line_map": null, "notices": []}',  # a string for a line
        b'{"diagnostics": [], "error": null, "notices": []}',  # a key missing
    ],
)
def test_corrupt_entries_are_misses_and_replaced(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    folder = tmp_path / "cache"
    expected = check([path], Cache(folder))
    [entry] = entries(folder)
    entry.write_bytes(garbage)
    damaged = Cache(folder)
    assert check([path], damaged) == expected
    assert (damaged.hits, damaged.misses) == (0, 1)
    healed = Cache(folder)
    assert check([path], healed) == expected
    assert healed.hits == 1


def test_unusable_cache_folder_costs_only_speed(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    assert [d.code for d in check([path], Cache(blocker))[0].diagnostics] == ["ML101"]


def test_unreadable_files_are_not_cached(tmp_path: Path) -> None:
    missing = tmp_path / "gone.py"
    cache = Cache(tmp_path / "cache")
    [result] = check([missing], cache)
    assert result.error is not None and "no such file" in str(result.error)
    assert not entries(tmp_path / "cache")
    missing.write_text(FIXABLE)
    assert [d.code for d in check([missing], cache)[0].diagnostics] == ["ML101"]


def test_file_changed_while_checked_is_cached_under_what_was_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    real_check_file = runner.check_file

    def edit_meanwhile(
        file: Path,
        codes: frozenset[str],
        data: bytes | None = None,
        targets: Targets = NEWEST,
        keep_tree: bool = False,
    ) -> runner.FileResult:
        file.write_text(CLEAN)  # the editor saves while mlsmells works
        return real_check_file(file, codes, data, targets, keep_tree)

    monkeypatch.setattr(runner, "check_file", edit_meanwhile)
    assert [d.code for d in check([path], Cache(tmp_path / "cache"))[0].diagnostics] == ["ML101"]
    monkeypatch.setattr(runner, "check_file", real_check_file)
    fresh = Cache(tmp_path / "cache")
    assert check([path], fresh)[0].diagnostics == ()  # CLEAN now: not the FIXABLE entry
    assert fresh.misses == 1


def _hammer(args: tuple[str, int]) -> list[str]:
    """In a process: put and get one key over and over; what each get returned."""
    folder, rounds = args
    cache = Cache(Path(folder))
    path = Path("train.py")
    seen: list[str] = []
    full = runner.FileResult(path, tuple(runner.check_source(FIXABLE * 40, "x", ALL)))
    for i in range(rounds):
        result = full if i % 2 else runner.FileResult(path)
        cache.put("k" * 64, cache_module.encode(result))
        found = cache.get(path, "k" * 64)
        seen.append("none" if found is None else str(len(found.diagnostics)))
    return seen


ALL = frozenset(registry.RULES)


def test_concurrent_writers_never_expose_a_partial_entry(tmp_path: Path) -> None:
    import multiprocessing

    folder = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        runs = pool.map(_hammer, [(str(folder), 60)] * 4)
    seen = {value for values in runs for value in values}
    assert seen <= {"0", "40"}  # every read got a whole entry, of one writer or the other
    assert not list(folder.rglob("*.tmp"))


def test_concurrent_runs_agree(tmp_path: Path) -> None:
    root = project(tmp_path / "src", copies=4)
    folder = tmp_path / "cache"
    command = [sys.executable, "-m", "mlsmells", "check", "--cache-dir", str(folder), "-j", "2"]
    procs = [
        subprocess.Popen(
            [*command, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = {(p.wait(), *p.communicate()) for p in procs}
    serial = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--no-cache", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert outputs == {(serial.returncode, serial.stdout, serial.stderr)}
    for entry in entries(folder):
        _, _, text = entry.read_text(encoding="utf-8").partition("\n")  # after the HMAC
        cache_module.decode(Path("x.py"), text)
    assert not list(folder.rglob("*.tmp"))


def test_prune_drops_unused_entries_once_a_day(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = Cache(root)
    cache.put("a" * 64, cache_module.encode(runner.FileResult(Path("a.py"))))
    cache.put("b" * 64, cache_module.encode(runner.FileResult(Path("b.py"))))
    old_folder = root / ("0" * 20)  # the code digest of another version
    old_folder.mkdir()
    (old_folder / ("c" * 64 + ".json")).write_text("{}")
    now = time.time()
    stale = now - (cache_module.MAX_AGE_DAYS + 1) * 86400
    os.utime(cache.folder / ("a" * 64 + ".json"), (stale, stale))
    os.utime(old_folder / ("c" * 64 + ".json"), (stale, stale))
    cache.prune(now)
    assert [p.name[0] for p in entries(root)] == ["b"]
    assert not old_folder.exists()
    os.utime(cache.folder / ("b" * 64 + ".json"), (stale, stale))
    cache.prune(now + 3600)  # pruned an hour ago: not again yet
    assert [p.name[0] for p in entries(root)] == ["b"]
    cache.prune(now + 2 * 86400)
    assert not entries(root)


def test_a_hit_keeps_an_entry_from_being_pruned(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FIXABLE)
    cache = Cache(tmp_path / "cache")
    check([path], cache)
    [entry] = entries(cache.root)
    stale = time.time() - (cache_module.MAX_AGE_DAYS + 1) * 86400
    os.utime(entry, (stale, stale))
    check([path], cache)  # a hit
    cache.prune(time.time() + 86400 + 10)  # a day later: prunes again
    assert entries(cache.root) == [entry]


WARM_RUN = """\
import contextlib, io, json, sys
from mlsmells.frontends.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.startswith(("mlsmells.rules", "mlsmells.engine",
    "mlsmells.semantic", "packaging", "libcst")))
print(json.dumps([status, out.getvalue(), loaded]))
"""


def _cli(cwd: Path, *argv: str) -> tuple[int, str, list[str]]:
    """``mlsmells ARGV`` in a new process: its status, its output, and the modules of the
    rules, the engine, packaging and libcst it imported."""
    proc = subprocess.run(
        [sys.executable, "-c", WARM_RUN, *argv], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    status, out, loaded = json.loads(proc.stdout)
    return status, out, loaded


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_served_from_the_cache_imports_no_rule(tmp_path: Path, jobs: str) -> None:
    """A run whose results all come from the cache reads the rule facts, not the rule
    modules, and needs neither the engine nor packaging: the output is the same."""
    root = project(tmp_path / "src", copies=2)
    argv = ["check", "-j", jobs, "--cache-dir", str(tmp_path / "cache"), "src"]
    cold = _cli(tmp_path, *argv)
    assert any(m.startswith("mlsmells.rules.") for m in cold[2])
    warm = _cli(tmp_path, *argv)
    assert warm[:2] == cold[:2] and warm[2] == []
    for output_format in ("json", "sarif", "concise"):  # (json: fixes need the rules)
        with_format = [*argv, "--output-format", output_format]
        assert _cli(tmp_path, *with_format)[:2] == _cli(tmp_path, *with_format, "--no-cache")[:2]
    (root / "clean_0.py").write_text(FIXABLE)  # one miss: the rules are imported for it
    status, out, loaded = _cli(tmp_path, *argv)
    assert out.count("ML101") == cold[1].count("ML101") + 1
    assert any(m.startswith("mlsmells.rules.") for m in loaded)


def test_a_hit_refreshes_only_an_entry_more_than_a_day_old(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(FIXABLE)
    argv = ["check", "--cache-dir", str(tmp_path / "cache"), "train.py"]
    _cli(tmp_path, *argv)
    [entry] = entries(tmp_path / "cache")
    recent = time.time() - 3600
    os.utime(entry, (recent, recent))
    _cli(tmp_path, *argv)
    assert entry.stat().st_mtime == recent  # a hit, not written again
    old = time.time() - 2 * 86400
    os.utime(entry, (old, old))
    _cli(tmp_path, *argv)
    assert entry.stat().st_mtime > time.time() - 3600  # a hit, made young again


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cached_result_is_stale_when_a_checked_module_it_imports_changes(
    tmp_path: Path, jobs: str
) -> None:
    """The helper module is checked in the same run (with -j 1 the files were once
    looked up in the order of their imports)."""
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nselect = ['ML206']\n")
    helper = tmp_path / "helpers.py"
    helper.write_text("import numpy as np\ndef load():\n    return np.zeros(3)\n")
    (tmp_path / "run.py").write_text("import helpers\nx = helpers.load().values\n")
    argv = ["check", "-j", jobs, "--cache-dir", str(tmp_path / "cache"), "."]
    assert _cli(tmp_path, *argv)[:2] == (0, "All checks passed.\n")
    assert _cli(tmp_path, *argv)[:2] == (0, "All checks passed.\n")
    helper.write_text("import pandas as pd\ndef load():\n    return pd.read_csv('a')\n")
    status, out, _ = _cli(tmp_path, *argv)
    assert status == 1 and out.startswith("run.py:2:5: ML206 ")
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nselect = ['ML101']\n")
    assert _cli(tmp_path, *argv)[:2] == (0, "All checks passed.\n")  # other settings


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cached_result_is_stale_when_a_module_its_import_used_changes(
    tmp_path: Path, jobs: str
) -> None:
    """``run.py`` calls ``mid.get()``, whose kind ``mid``'s summary took from ``helpers``:
    a change of ``helpers``, which ``run.py`` does not import itself, makes ``run.py``'s
    cached result stale."""
    (tmp_path / "pyproject.toml").write_text("[tool.mlsmells]\nselect = ['ML206']\n")
    helper = tmp_path / "helpers.py"
    helper.write_text("import numpy as np\ndef load():\n    return np.zeros(3)\n")
    (tmp_path / "mid.py").write_text("from helpers import load\ndef get():\n    return load()\n")
    (tmp_path / "run.py").write_text("import mid\nx = mid.get().values\n")
    argv = ["check", "-j", jobs, "--cache-dir", str(tmp_path / "cache"), "."]
    assert _cli(tmp_path, *argv)[:2] == (0, "All checks passed.\n")
    assert _cli(tmp_path, *argv)[:2] == (0, "All checks passed.\n")
    helper.write_text("import pandas as pd\ndef load():\n    return pd.read_csv('a')\n")
    status, out, _ = _cli(tmp_path, *argv)
    assert status == 1 and out.startswith("run.py:2:5: ML206 "), out


# -------------------------------------------------------------- fixer
@pytest.mark.parametrize(
    ("source", "options", "parsed"),
    [
        (CLEAN, [], 0),
        (NOT_FIXABLE, [], 0),  # a finding without a fix
        (SUPPRESSED, [], 0),  # a fixable finding, suppressed
        (FIXABLE, ["--ignore", "ML101"], 0),  # a fixable finding, not selected
        ("def f(:\n", [], 0),  # does not parse
        (FIXABLE, [], 1),
        (FIXABLE + NOT_FIXABLE, [], 1),
    ],
)
def test_fixer_parses_with_libcst_only_what_it_can_fix(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    options: list[str],
    parsed: int,
) -> None:
    path = tmp_path / "train.py"
    path.write_text(source)
    parses: list[str] = []
    real_parse = cst.parse_module

    def counting(text: str, *args: object, **kwargs: object) -> cst.Module:
        parses.append(text)
        return real_parse(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", counting)
    run(capsys, "fix", "--diff", *options, str(path))
    assert len(parses) == parsed


def test_fixer_counts_libcst_parses_through_fix_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse counted above is the one :class:`FixContext` makes (else the test is void)."""
    contexts: list[str] = []
    real = apply_module.FixContext

    def counting(text: str, seed: int, targets: Targets) -> FixContext:
        contexts.append(text)
        return real(text, seed, targets)

    monkeypatch.setattr(apply_module, "FixContext", counting)
    result = fix_command.fix_source(FIXABLE, "train.py", registry.select_codes())
    assert result.changed and contexts == [FIXABLE]


def _sources() -> list[str]:
    files = sorted((FIXTURES / "fix").glob("*.in.py"))[:12]
    return [FIXABLE, NOT_FIXABLE, *(p.read_text(encoding="utf-8") for p in files)]


@pytest.mark.parametrize("source", _sources())
def test_fix_context_parent_is_libcst_parent(source: str) -> None:
    ctx = FixContext(source)
    parents = ctx.wrapper.resolve(ParentNodeProvider)
    for node, parent in parents.items():
        assert ctx.parent(node) is parent
    assert ctx.parent(ctx.module) is None


@pytest.mark.parametrize("source", [*_sources(), "x = 1\r\ny = (\r\n  2)\r\n", "if a:\n\tb\n"])
def test_fix_context_positions_are_libcst_positions(source: str) -> None:
    module = cst.parse_module(source)
    spans, nodes, _, code = _spans_and_code(module)
    assert code == module.code
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = [nodes[key] for key in spans]
    assert len(ours) == len(expected)
    assert all(a is b for a, b in zip(ours, expected, strict=True))  # same nodes, same order
    for node, rng in expected.items():
        assert spans[id(node)] == (rng.start.line, rng.start.column, rng.end.line, rng.end.column)


def test_fix_context_ancestors_are_libcst_parents() -> None:
    ctx = FixContext(_sources()[2])
    parents = ctx.wrapper.resolve(ParentNodeProvider)
    checked = 0
    for node in parents:
        chain = ctx.ancestors(node)
        expected: list[cst.CSTNode] = []
        parent = parents.get(node)
        while parent is not None:
            expected.append(parent)
            parent = parents.get(parent)
        assert chain == expected[::-1]
        checked += 1
    assert checked > 50 and ctx.ancestors(ctx.module) == []


# ------------------------------------------------------------- engine
TRICKY = """\
# -*- coding: utf-8 -*-
naïve = {"clé": "déjà vu", **rest}
def f(a, /, b=1, *c, d: "Ünïcode" = 2, **e) -> None:
    return [x async for x in y if not x] or (lambda q=3: q)(d) @ e
match command:
    case {"go": [*_, dir]} | Point(x=0, y=_) if dir > 0:
        print(f"{dir!r:>{width}} é", not a, -b, a < b <= c)
del naïve[1:2, ...]
"""


@pytest.mark.parametrize("source", [TRICKY, *_sources()])
def test_iter_nodes_is_ast_walk_without_operators(source: str) -> None:
    tree = ast.parse(source)
    operators = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    expected = [n for n in ast.walk(tree) if not isinstance(n, operators)]
    assert list(iter_nodes(tree)) == expected
    assert names_in(tree) == [n for n in expected if isinstance(n, ast.Name)]


def _local_walk(roots: list[ast.stmt]) -> list[ast.AST]:
    """The slow way: depth first through ``ast.iter_child_nodes``, definitions not entered."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(roots))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


@pytest.mark.parametrize("source", [TRICKY, *_sources()])
def test_iter_local_nodes_is_a_local_walk_without_operators(source: str) -> None:
    tree = ast.parse(source)
    operators = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert functions or source is not TRICKY
    for body in [tree.body, *(f.body for f in functions)]:
        expected = [n for n in _local_walk(body) if not isinstance(n, operators)]
        assert list(iter_local_nodes(body)) == expected


ALIASES = """\
import torch as th, numpy
import torch.nn.functional as F
import pytorch_lightning as pl
from torch import qr as decompose, nn
from numpy.random import *
from sklearn.preprocessing import StandardScaler as Scaler
solve = th.linalg.solve
layer = nn.Linear(2, 2)
values = [decompose, F.softmax, th.qr(x), Scaler(), pl.Trainer, rand(3), len, solve]
numpy.random.mtrand.RandomState(0).rand(2).sum()
def f(torch, *args):
    return torch.qr, args.count, layer.weight, th.nn.modules.module.Module
"""


class _Names(Check):
    """Asks the model about every name and attribute (not registered as a rule)."""

    seen: ClassVar[list[tuple[ast.expr, str | None, bool]]] = []
    nodes = (ast.Name, ast.Attribute)

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.Name, ast.Attribute))
        qualname = self.model.qualname(node)
        last = last_names([qualname]) if qualname is not None else frozenset({"-"})
        self.seen.append((node, qualname, self.model.may_resolve_to(node, last)))


@pytest.mark.parametrize("source", [ALIASES, TRICKY, *_sources()])
def test_may_resolve_to_never_rules_out_the_qualified_name(source: str) -> None:
    _Names.seen = []
    engine = registry.engine(frozenset())
    engine.checks = [_Names]
    engine.run_source(source)
    assert _Names.seen
    for node, qualname, may in _Names.seen:
        assert may or qualname is None, ast.unparse(node)
    if source is ALIASES:
        resolved = {q for _, q, _ in _Names.seen}
        assert {"torch.qr", "torch.linalg.solve", "lightning.pytorch.Trainer"} <= resolved
        assert {"numpy.random.rand", "torch.nn.Module"} <= resolved
        # Ruled out without resolving: attributes ending otherwise, names bound to no import.
        ruled_out = [n for n, _, may in _Names.seen if not may]
        assert any(isinstance(n, ast.Attribute) and n.attr == "count" for n in ruled_out)
        assert any(isinstance(n, ast.Name) and n.id == "layer" for n in ruled_out)


def test_name_filters_of_checks_drop_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check declaring ``names`` finds the same with every name and attribute handed to it."""
    sources = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "rules").glob("*.py"))]
    active = registry.select_codes(extend_select=["ML9"])

    def findings() -> list[list[Diagnostic]]:
        engine = registry.engine(active)
        return [engine.run_source(source) for source in sources]

    filtered = findings()
    declaring = [c for c in registry.CHECKS if c.names is not None]
    assert len(declaring) >= 4 and sum(map(len, filtered)) > 500
    for check in declaring:
        monkeypatch.setattr(check, "names", None)
    assert findings() == filtered


def test_hub_rules_resolve_only_the_calls_they_may_act_on(tmp_path: Path) -> None:
    """ML701 and ML912 look at the calls named like a Hub loader (or bound to an import)
    and those passing ``trust_remote_code``: a call of a name from a star import resolves
    nothing for them, so the module it comes from is not summarised."""
    from mlsmells.semantic import index

    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    helpers = "def run(x):\n    return x\n\n\ndef from_pretrained(name):\n    return name\n"
    (tmp_path / "helpers.py").write_text(helpers, encoding="utf-8")
    main = tmp_path / "main.py"
    loads = (
        "from transformers import AutoModel\nfrom helpers import *\n\nrun(1, out='o')\n"
        "model = AutoModel.from_pretrained('owner/model', trust_remote_code=True)\n"
    )
    main.write_text(loads, encoding="utf-8")
    engine = registry.engine(frozenset({"ML701", "ML912"}))
    source = main.read_text(encoding="utf-8")
    found = engine.run(ast.parse(source), source.splitlines(keepends=True), str(main))
    assert [d.code for d in found] == ["ML701", "ML912"]
    assert (tmp_path / "helpers.py").resolve() not in index._SUMMARIES
    # (a call of a loader's name from the star import is resolved, through the summary)
    main.write_text(loads + "x = from_pretrained('gpt2')\n", encoding="utf-8")
    source = main.read_text(encoding="utf-8")
    engine.run(ast.parse(source), source.splitlines(keepends=True), str(main))
    assert (tmp_path / "helpers.py").resolve() in index._SUMMARIES


EXCLUDES = (".git", "build/", "./venv", "*.pyc", "data?", "[ab]c", "x[", "docs/*.py", "**/gen")


@pytest.mark.parametrize(
    "name", ["build", "venv", "data1", "ac", "x[", "gen", "mod.pyc", "keep", "data12", "docs"]
)
def test_exclusion_agrees_with_glob_matches(tmp_path: Path, name: str) -> None:
    root = tmp_path
    settings = Settings(exclude=EXCLUDES, source=root / "pyproject.toml")
    for path in (root / name, root / "docs" / name, root / "docs" / "a.py", root / name / "gen"):
        expected = any(glob_matches(pattern, path, root) for pattern in EXCLUDES)
        assert settings.is_excluded(path) == expected, path
        parents = [path, *(p for p in path.parents if p != root and p.is_relative_to(root))]
        expected = any(glob_matches(g, p, root) for p in parents for g in EXCLUDES)
        assert settings.is_excluded(path, parents=True) == expected, path


@pytest.mark.parametrize("source", [TRICKY, TRICKY.replace("\n", "\r\n"), *_sources()])
def test_source_of_is_get_source_segment(source: str) -> None:
    tree = ast.parse(source)
    ctx = Context(tree, source.splitlines(keepends=True), "x.py")
    for node in ast.walk(tree):
        expected = ast.get_source_segment(source, node)
        assert ctx.source_of(node) == (expected if expected is not None else "")


def test_gc_paused_restores_the_collector_and_lets_exceptions_through() -> None:
    assert gc.isenabled()
    with pytest.raises(sources.FileError):  # frozen: a contextmanager would choke on it
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                pass
            assert not gc.isenabled()  # the inner pause leaves the outer one alone
            raise sources.FileError("syntax error")
    assert gc.isenabled()


def test_a_batch_collects_its_garbage_every_few_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One collection of the youngest objects every ``COLLECT_EVERY`` files, none else,
    and the collector is on again after the batch."""
    paths = []
    for n in range(5):
        path = tmp_path / f"m{n}.py"
        path.write_text("import numpy as np\nx = np.random.rand(3)\n", encoding="utf-8")
        paths.append(path)
    monkeypatch.setattr(batch, "COLLECT_EVERY", 2)
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        results = check(paths, None)
    finally:
        gc.callbacks.remove(count)
    assert [r.error for r in results] == [None] * 5
    assert collections == [0, 0]  # after the second and the fourth file
    assert gc.isenabled()


# -------------------------------------------------------------- plugins
@pytest.mark.parametrize(
    ("options", "runs"),
    [
        (["--select=F"], set()),
        ([], {"ML101", "ML408"}),  # the opt-in ML9xx are ignored by default
        (["--select=F,ML"], {"ML101", "ML408", "ML901", "ML907"}),
        (["--select=ML9"], {"ML901", "ML907"}),
        (["--select=ML", "--extend-ignore=ML1"], {"ML408", "ML901", "ML907"}),
    ],
)
def test_flake8_plugin_runs_only_the_rules_flake8_selects(
    monkeypatch: pytest.MonkeyPatch, options: list[str], runs: set[str]
) -> None:
    from flake8.options.parse_args import parse_args

    from mlsmells.frontends.flake8 import MLSmellsChecker

    monkeypatch.setattr(MLSmellsChecker, "_engine", None)
    parse_args(["--isolated", *options])  # as a flake8 run starts
    engine = MLSmellsChecker._get_engine()
    probe = {"ML101", "ML408", "ML901", "ML907"}
    assert engine.active & probe == runs
    assert all(engine.active & set(check.codes) for check in engine.checks)


@pytest.mark.parametrize(("select", "runs"), [("F", False), ("F,ML000", True), ("ML4", True)])
def test_flake8_plugin_reads_nothing_when_flake8_selects_none_of_its_codes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, select: str, runs: bool
) -> None:
    """``flake8 --select=F`` with mlsmells installed: the plugin reads no settings and runs
    no engine (``ML000`` alone still has the settings read, to report them invalid)."""
    from flake8.options.parse_args import parse_args

    from mlsmells.frontends import flake8 as plugin

    read: list[Path] = []

    def targets_for(path: Path) -> object:
        read.append(path)
        return NEWEST

    monkeypatch.setattr(plugin, "targets_for", targets_for)
    monkeypatch.setattr(plugin.MLSmellsChecker, "_engine", None)
    monkeypatch.setattr(plugin.MLSmellsChecker, "_reports", True)
    parse_args(["--isolated", f"--select={select}"])  # as a flake8 run starts
    source = tmp_path / "train.py"
    text = "import torch\n\nmodel = torch.load('m.pt')\n"
    source.write_text(text, encoding="utf-8")
    checker = plugin.MLSmellsChecker(ast.parse(text), str(source), text.splitlines(True))
    found = [message.split()[0] for _, _, message, _ in checker.run()]
    assert read == ([source] if runs else [])
    assert found == (["ML401"] if select == "ML4" else [])
