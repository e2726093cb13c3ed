"""Trials of ``mlsmells fix`` and ``check`` against their environment, as scripts with fixed
points instead of timing (the fuzzing of inputs is in ``test_fuzz.py``; SIGKILL at each
step of a write, and at random points of a long run, is in ``test_fix_faults.py``):

- a full disk (a real, small tmpfs): every file original or complete, one line per
  file that could not be written, nothing left behind, and a later run finishes;
- a read-only temporary directory (``TMPDIR``): nothing needs it;
- two runs at once: one paused between writing its new text and renaming it while the
  other fixes the same files; the paused one notices and overwrites nothing, and
  neither removes the other's temporary file while it is in use;
- two ``check`` runs at once sharing a cache: one paused between writing an entry and
  renaming it while the other runs; both report the same, and the entries verify.

The disk trials need a private mount namespace (``unshare -m``, as root); they are
skipped where there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = 'import torch\nstate = torch.load("m.pt")\n'
FIXED = 'import torch\nstate = torch.load("m.pt", weights_only=True)\n'
TEMPORARY = ".mlsmells.tmp"


def _environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def _can_mount() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        probe = subprocess.run(
            ["unshare", "-m", "mount", "-t", "tmpfs", "tmpfs", folder],
            capture_output=True,
            check=False,
        )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    not _can_mount(), reason="needs a private mount namespace (unshare -m, as root)"
)


def _in_namespace(script: str, tmp_path: Path, env: dict[str, str]) -> None:
    """Run a shell ``script`` in a mount namespace of its own: what it mounts is gone after."""
    path = tmp_path / "trial.sh"
    path.write_text("set -eu\n" + script)
    subprocess.run(["unshare", "-m", "sh", str(path)], env=env, check=True, timeout=600)


# ---------------------------------------------------------------- full disk
FULL_DISK = """\
fix() {
    status=0
    "$PYTHON" -m mlsmells fix --unsafe-fixes --isolated . >"$OUT/$1.out" 2>"$OUT/$1.err" \\
        || status=$?
    echo "$status" >"$OUT/$1.status"
    mkdir "$OUT/$1" && cp -a "$DISK"/. "$OUT/$1"/ && rm -f "$OUT/$1/filler"
}
mount -t tmpfs -o size=512k tmpfs "$DISK"
cp "$SOURCES"/*.py "$DISK"/
dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true
cd "$DISK"
fix full
rm filler
fix freed
"""


@needs_mounts
def test_fix_on_a_full_disk(tmp_path: Path) -> None:
    sources, disk, out = tmp_path / "sources", tmp_path / "disk", tmp_path / "out"
    for folder in (sources, disk, out):
        folder.mkdir()
    names = [f"m{i}.py" for i in range(3)]
    for name in names:
        (sources / name).write_text(PROGRAM)
    env = _environment(DISK=str(disk), SOURCES=str(sources), OUT=str(out), PYTHON=sys.executable)
    _in_namespace(FULL_DISK, tmp_path, env)
    assert (out / "full.status").read_text().strip() == "2"
    assert sorted((out / "full.err").read_text().splitlines()) == [
        f"mlsmells: error: {name}: cannot write: no space left on device" for name in names
    ]
    assert sorted(p.name for p in (out / "full").iterdir()) == names  # nothing left behind
    assert all((out / "full" / name).read_text() == PROGRAM for name in names)
    # With room again, the next run fixes them all.
    assert (out / "freed.status").read_text().strip() == "0", (out / "freed.err").read_text()
    assert sorted(p.name for p in (out / "freed").iterdir()) == names
    assert all((out / "freed" / name).read_text() == FIXED for name in names)


READ_ONLY_TMP = """\
mount -t tmpfs -o ro tmpfs "$TMPDIR"
cd "$WORK"
status=0
"$PYTHON" -m mlsmells fix --unsafe-fixes --isolated . >"$OUT/fix.out" 2>"$OUT/fix.err" || status=$?
echo "$status" >"$OUT/fix.status"
status=0
"$PYTHON" -m mlsmells check -j 2 --isolated . >"$OUT/check.out" 2>"$OUT/check.err" || status=$?
echo "$status" >"$OUT/check.status"
"""


@needs_mounts
def test_a_read_only_temporary_directory(tmp_path: Path) -> None:
    work, temporary, out = tmp_path / "work", tmp_path / "tmp", tmp_path / "out"
    for folder in (work, temporary, out):
        folder.mkdir()
    names = [f"m{i}.py" for i in range(10)]
    for name in names:
        (work / name).write_text(PROGRAM)
    env = _environment(TMPDIR=str(temporary), WORK=str(work), OUT=str(out), PYTHON=sys.executable)
    _in_namespace(READ_ONLY_TMP, tmp_path, env)
    assert (out / "fix.status").read_text().strip() == "0", (out / "fix.err").read_text()
    assert all((work / name).read_text() == FIXED for name in names)
    assert (out / "check.status").read_text().strip() == "0", (out / "check.err").read_text()
    assert sorted(p.name for p in work.iterdir()) == names


# --------------------------------------------------------------- two at once
PAUSED = """\
import os, sys, time
from pathlib import Path

ready, go, command = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
real = getattr(os, {function!r})


def pause_once(*args, **kwargs):
    result = real(*args, **kwargs) if {after} else None
    if {condition} and not ready.exists():
        ready.touch()  # the other run may go now; this one waits for it to finish
        deadline = time.monotonic() + 300
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return result if {after} else real(*args, **kwargs)


setattr(os, {function!r}, pause_once)
from mlsmells.frontends.cli import main

sys.exit(main([command, *sys.argv[4:]]))
"""


def _start_paused(
    tmp_path: Path, function: str, condition: str, after: bool, *argv: str
) -> tuple[subprocess.Popen[str], Path]:
    """A run of ``mlsmells ARGV`` that pauses at the first call of ``os.FUNCTION`` meeting
    ``condition`` (an expression of ``args``), once it is there; and the file to create
    to let it go on."""
    ready, go = tmp_path / "ready", tmp_path / "go"
    script = PAUSED.format(function=function, condition=condition, after=after)
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(ready), str(go), *argv],
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"it never got to its pause: {process.communicate()}")
        time.sleep(0.01)
    return process, go


def test_two_fix_runs_at_once(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    paths = [tree / f"m{i}.py" for i in range(3)]
    for path in paths:
        path.write_text(PROGRAM)
    argv = ("fix", "--unsafe-fixes", "--isolated", str(tree))
    # The first run stops after writing m0.py's new text to its temporary file.
    first, go = _start_paused(tmp_path, "fsync", "True", True, *argv)
    [temporary] = [p.name for p in tree.iterdir() if p.name.endswith(TEMPORARY)]
    second = subprocess.run(
        [sys.executable, "-m", "mlsmells", *argv], env=_environment(), capture_output=True
    )
    assert second.returncode == 0, second.stderr
    assert temporary in {p.name for p in tree.iterdir()}  # in use: not removed
    go.touch()
    out, err = first.communicate(timeout=300)
    assert first.returncode == 2
    assert err.splitlines() == [
        f"mlsmells: error: {paths[0]}: not written: the file changed on disk since it was read"
    ]
    assert all(path.read_text() == FIXED for path in paths)
    assert sorted(p.name for p in tree.iterdir()) == [p.name for p in paths]


def test_two_check_runs_at_once_share_the_cache(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(6):
        (tree / f"m{i}.py").write_text(PROGRAM if i % 2 else "import torch\n")
    cache = tmp_path / "cache"
    argv = ("check", "--isolated", "--cache-dir", str(cache), str(tree))
    # The first run stops before renaming its first entry into place.
    condition = "str(args[1]).endswith('.json')"
    first, go = _start_paused(tmp_path, "replace", condition, False, *argv)
    second = subprocess.run(
        [sys.executable, "-m", "mlsmells", *argv],
        env=_environment(),
        capture_output=True,
        text=True,
    )
    go.touch()
    out, err = first.communicate(timeout=300)
    assert (first.returncode, out, err) == (second.returncode, second.stdout, second.stderr)
    assert second.returncode == 1 and len(out.splitlines()) == 5  # 3 findings, 2 summary lines
    # One whole entry per file, and a third run reports the same.
    third = subprocess.run(
        [sys.executable, "-m", "mlsmells", *argv],
        env=_environment(),
        capture_output=True,
        text=True,
    )
    assert (third.returncode, third.stdout) == (1, out)
    assert len(list(cache.glob("*/*.json"))) == 6
    assert not list(cache.rglob("*.tmp"))
