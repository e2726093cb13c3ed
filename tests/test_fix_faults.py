"""The fixer under faults: a file is the original or the complete fixed version, never
anything in between, whatever happens to the process; files it must not write are left
untouched with a one-line message; mode, owner and symbolic links are kept.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlsmells.fixes.files import read_source_file, write_source_file
from mlsmells.frontends import cli
from mlsmells.sources import FileError

PROGRAM = """\
import torch
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

frame = pd.read_csv("data.csv")
frame = frame.dropna(inplace=True)
forest = RandomForestClassifier(n_estimators=10)
state = torch.load("model.pt")
flags = frame == np.nan
"""
FIXED = """\
import torch
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

frame = pd.read_csv("data.csv")
frame = frame.dropna()
forest = RandomForestClassifier(n_estimators=10, random_state=42)
state = torch.load("model.pt", weights_only=True)
flags = pd.isna(frame)
"""
FILES = 200
TEMPORARY = ".mlsmells.tmp"


def _program(index: int) -> bytes:
    """Programs of different sizes (up to ~5 KB), some with CRLF line endings."""
    text = PROGRAM + "".join(f"value_{j} = {j} * 2  # padding\n" for j in range(index % 20 * 8))
    return (text.replace("\n", "\r\n") if index % 3 == 0 else text).encode()


def _mode(index: int) -> int:
    return 0o755 if index % 2 else 0o640


def _project(folder: Path) -> dict[Path, bytes]:
    folder.mkdir()
    originals: dict[Path, bytes] = {}
    for index in range(FILES):
        path = folder / f"m{index:03d}.py"
        path.write_bytes(_program(index))
        path.chmod(_mode(index))
        originals[path] = path.read_bytes()
    return originals


def _fix_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "mlsmells", "fix", "--unsafe-fixes", "--isolated", str(folder)]


def _states(originals: dict[Path, bytes], fixed: dict[Path, bytes]) -> tuple[int, int]:
    """(files still original, files completely fixed); fails on any other content."""
    untouched = done = 0
    for path, original in originals.items():
        data = path.read_bytes()
        if data == original:
            untouched += 1
        else:
            assert data == fixed[path], f"{path.name} is neither the original nor the fix"
            done += 1
        assert stat.S_IMODE(path.stat().st_mode) == _mode(int(path.stem[1:]))
    return untouched, done


def _leftovers(folder: Path) -> list[str]:
    names = {p.name for p in folder.iterdir()}
    expected = {f"m{i:03d}.py" for i in range(FILES)}
    extra = sorted(names - expected)
    # A SIGKILL between creating the temporary file and renaming it leaves that file
    # behind: hidden, not a .py file (so never checked), and removed by the next run.
    assert all(n.startswith(".m") and n.endswith(TEMPORARY) for n in extra), extra
    assert names >= expected
    return extra


def _kill_after_file(process: subprocess.Popen[bytes], watched: Path, delay: float) -> None:
    """SIGKILL ``process`` ``delay`` seconds after ``watched`` is replaced (a new inode),
    or at once if it ends first: a kill point tied to the run's progress, not to the
    speed of the machine."""
    inode = watched.stat().st_ino
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if watched.stat().st_ino != inode:
            time.sleep(delay)
            break
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def test_sigkill_at_random_points_of_a_200_file_fix(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    originals = _project(reference)
    subprocess.run(_fix_command(reference), capture_output=True, check=True, timeout=600)
    fixed_text = {path.name: path.read_bytes() for path in originals}
    for path in originals:
        assert path.read_bytes().replace(b"\r\n", b"\n").startswith(FIXED.encode())
    rng = random.Random(20240611)
    mixed_rounds = 0
    for round_number in range(7):
        folder = tmp_path / f"round{round_number}"
        copies = _project(folder)
        fixed = {path: fixed_text[path.name] for path in copies}
        process = subprocess.Popen(
            _fix_command(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if round_number == 0:  # while starting up, before any write
            time.sleep(rng.uniform(0.05, 0.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        else:  # after some file early to late in the run, plus a random moment
            watched = (
                folder / f"m{rng.randrange(30 * (round_number - 1), 30 * round_number):03d}.py"
            )
            _kill_after_file(process, watched, rng.uniform(0, 0.05))
        untouched, done = _states(copies, fixed)
        mixed_rounds += bool(untouched and done)
        _leftovers(folder)
    # Running the fix again finishes the job, and leaves nothing else.
    subprocess.run(_fix_command(folder), capture_output=True, check=True, timeout=600)
    assert _states(copies, fixed) == (0, FILES)
    assert _leftovers(folder) == []
    assert mixed_rounds >= 3, "the kills did not land while files were being written"


# The exact points of a write, in the order write_source_file reaches them.
KILL_POINTS = {
    "mkstemp": ("tempfile", "mkstemp"),
    "fsync": ("os", "fsync"),
    "chmod": ("os", "chmod"),
    "replace": ("os", "replace"),
}

KILLER = """\
import os, signal, sys, {module}
from mlsmells.frontends.cli import main

calls = 0
real = {module}.{function}

def kill_on_second_file(*args, **kwargs):
    global calls
    calls += 1
    if calls == 2 and {after}:
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    if calls == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

{module}.{function} = kill_on_second_file
sys.exit(main(["fix", "--unsafe-fixes", "--isolated", *sys.argv[1:]]))
"""


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_sigkill_at_each_step_of_a_write(tmp_path: Path, point: str, after: bool) -> None:
    module, function = KILL_POINTS[point]
    paths = [tmp_path / f"{name}.py" for name in ("a", "b", "c")]
    for path in paths:
        path.write_text(PROGRAM)
    script = KILLER.format(module=module, function=function, after=after)
    proc = subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)], capture_output=True, timeout=300
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    a, b, c = (path.read_text() for path in paths)
    assert a == FIXED  # written before the kill
    assert c == PROGRAM  # not reached
    # The file being written when the process died: complete either way.
    assert b == (FIXED if point == "replace" and after else PROGRAM)
    debris = [p.name for p in tmp_path.iterdir() if p.name.endswith(TEMPORARY)]
    assert len(debris) == (
        0 if point == "mkstemp" and not after or point == "replace" and after else 1
    )
    # The next run finishes the job and removes what the killed one left.
    again = subprocess.run(_fix_command(tmp_path), capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py", "c.py"]
    assert all(path.read_text() == FIXED for path in paths)


def test_a_temporary_file_of_a_running_writer_is_left_alone(tmp_path: Path) -> None:
    program = tmp_path / "train.py"
    program.write_text(PROGRAM)
    # This test's process is running: its file stays, unless it is over an hour old.
    writing = tmp_path / f".train.py.abcd_123.{os.getpid()}{TEMPORARY}"
    writing.write_text("half")
    abandoned = tmp_path / f".train.py.efgh_456.{os.getpid()}{TEMPORARY}"
    abandoned.write_text("half")
    old = time.time() - 2 * 3600
    os.utime(abandoned, (old, old))
    older_format = tmp_path / f".train.py.ijkl_789{TEMPORARY}"  # no process id in its name
    older_format.write_text("half")
    os.utime(older_format, (old, old))
    unrelated = tmp_path / ".notes.mlsmells.tmp"
    unrelated.write_text("mine")
    proc = subprocess.run(_fix_command(tmp_path), capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([program.name, writing.name, unrelated.name])
    assert program.read_text() == FIXED


INTERRUPTER = """\
import os, sys
from mlsmells.frontends.cli import main

real = os.fsync

def interrupted(fd):
    real(fd)
    raise KeyboardInterrupt  # Ctrl-C while the new text is being written

os.fsync = interrupted
sys.exit(main(["fix", "--unsafe-fixes", "--isolated", *sys.argv[1:]]))
"""


def test_ctrl_c_during_a_write_leaves_the_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(PROGRAM)
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPTER, str(path)], capture_output=True, timeout=300
    )
    assert proc.returncode == 130, proc.stderr
    assert path.read_text() == PROGRAM
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"]


# ------------------------------------------------------------ refused writes
@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(PROGRAM)
    return path


def _fix(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str]]:
    status = cli.main(["fix", "--unsafe-fixes", "--isolated", *map(str, paths)])
    return status, capsys.readouterr().err.splitlines()


def _only_file(path: Path) -> None:
    assert [p.name for p in path.parent.iterdir()] == [path.name], "a temporary file was left"


def _is_temporary(target: object, folder: Path) -> bool:
    """Whether a path or file descriptor is the fixer's temporary file in ``folder``."""
    if isinstance(target, int):
        target = os.readlink(f"/proc/self/fd/{target}")
    name = Path(str(target))
    return name.parent == folder and name.name.endswith(TEMPORARY)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(
    ("function", "error", "message"),
    [
        ("replace", PermissionError(13, "Permission denied"), "permission denied"),
        # EPERM (an immutable file, chattr +i) is a PermissionError to Python as well.
        ("replace", OSError(1, "Operation not permitted"), "permission denied"),
        ("replace", OSError(30, "Read-only file system"), "read-only file system"),
        ("fsync", OSError(28, "No space left on device"), "no space left on device"),
        ("fsync", OSError(5, "Input/output error"), "input/output error"),
        ("chmod", PermissionError(13, "Permission denied"), "permission denied"),
    ],
    ids=["replace-denied", "immutable", "read-only-fs", "disk-full", "io-error", "chmod"],
)
def test_refused_write_leaves_the_file_and_says_why(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    program: Path,
    function: str,
    error: OSError,
    message: str,
) -> None:
    # As root, chmod does not stop a write (and chattr or a read-only mount are not
    # available everywhere): the refusal is made by the system call itself.
    real = getattr(os, function)

    def refuse(target: object, *args: object, **kwargs: object) -> object:
        if _is_temporary(target, program.parent):
            raise error
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, function, refuse)
    status, err = _fix(capsys, program)
    assert status == 2
    assert err == [f"mlsmells: error: {program}: cannot write: {message}"]
    assert program.read_text() == PROGRAM
    _only_file(program)


def test_unwritable_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, program: Path
) -> None:
    import tempfile

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    status, err = _fix(capsys, program)
    assert status == 2
    assert err == [
        f"mlsmells: error: {program}: cannot write: permission denied (creating a temporary file)"
    ]
    assert program.read_text() == PROGRAM


def test_read_only_file_among_others(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked.py"
    locked.write_text(PROGRAM)
    locked.chmod(0o444)
    free = tmp_path / "free.py"
    free.write_text(PROGRAM)
    status, err = _fix(capsys, tmp_path)
    assert status == 2
    assert err == [f"mlsmells: error: {locked}: not written: the file is read-only"]
    assert locked.read_text() == PROGRAM
    assert free.read_text() == FIXED


def test_file_changed_while_the_fix_is_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, program: Path
) -> None:
    edited = PROGRAM + "print('saved by an editor meanwhile')\n"
    real_fsync = os.fsync

    def fsync_while_someone_saves(fd: int) -> None:
        real_fsync(fd)
        program.write_text(edited)

    monkeypatch.setattr(os, "fsync", fsync_while_someone_saves)
    status, err = _fix(capsys, program)
    assert status == 2
    assert err == [
        f"mlsmells: error: {program}: not written: the file changed on disk since it was read"
    ]
    assert program.read_text() == edited
    _only_file(program)


def test_file_deleted_during_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, program: Path
) -> None:
    from mlsmells.frontends import fix as command

    real_fix_source = command.fix_source

    def fix_while_deleted(*args: object, **kwargs: object) -> object:
        result = real_fix_source(*args, **kwargs)  # type: ignore[arg-type]
        program.unlink()
        return result

    monkeypatch.setattr(command, "fix_source", fix_while_deleted)
    status, err = _fix(capsys, program)
    assert status == 2
    assert err == [f"mlsmells: error: {program}: cannot write: no such file or directory"]
    assert list(program.parent.iterdir()) == []


# ------------------------------------------------------ mode, owner, links
def test_mode_owner_and_group_are_kept(program: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    os.chown(program, 1234, 5678)
    program.chmod(0o2751)  # setgid too: chown clears it, so the order matters
    assert cli.main(["fix", "--unsafe-fixes", "--isolated", str(program)]) == 0
    info = program.stat()
    assert (info.st_uid, info.st_gid) == (1234, 5678)
    assert stat.S_IMODE(info.st_mode) == 0o2751
    assert program.read_text() == FIXED
    _only_file(program)


def test_owner_that_cannot_be_kept_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, program: Path
) -> None:
    # A user fixing a group-writable file of someone else: the new file would be theirs.
    real_fstat = os.fstat

    def owned_by_someone_else(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[stat.ST_UID] = info.st_uid + 1
        return os.stat_result(fields)

    def not_allowed(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", owned_by_someone_else)
    monkeypatch.setattr(os, "fchown", not_allowed)
    status, err = _fix(capsys, program)
    assert status == 2
    info = program.stat()
    assert err == [
        f"mlsmells: error: {program}: not written: the fixed file could not be given the "
        f"owner and group of the original (uid {info.st_uid}, gid {info.st_gid})"
    ]
    assert program.read_text() == PROGRAM
    _only_file(program)


def test_symlink_chain_to_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the current project: its files may be written
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "train.py"
    target.write_text(PROGRAM)
    target.chmod(0o604)
    links = tmp_path / "links"
    links.mkdir()
    middle = links / "middle.py"
    middle.symlink_to(os.path.relpath(target, links))
    outer = links / "outer.py"
    outer.symlink_to("middle.py")
    assert cli.main(["fix", "--unsafe-fixes", "--isolated", str(outer)]) == 0
    assert outer.is_symlink() and os.readlink(outer) == "middle.py"
    assert middle.is_symlink() and os.readlink(middle) == os.path.relpath(target, links)
    assert target.read_text() == FIXED and not target.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert sorted(p.name for p in real_dir.iterdir()) == ["train.py"]
    assert sorted(p.name for p in links.iterdir()) == ["middle.py", "outer.py"]


def test_write_is_a_rename_never_an_in_place_rewrite(program: Path) -> None:
    # A reader holding the old file open keeps reading the old bytes: the new text is a
    # new inode renamed over the name, so no reader ever sees a half-written file.
    source = read_source_file(program)
    inode = program.stat().st_ino
    with program.open("rb") as reader:
        write_source_file(source, FIXED)
        assert reader.read() == PROGRAM.encode()
    assert program.stat().st_ino != inode
    assert program.read_text() == FIXED


def test_refusal_is_a_file_error_with_nothing_written(program: Path) -> None:
    source = read_source_file(program)
    program.write_text(PROGRAM + "# edited\n")
    with pytest.raises(FileError, match="changed on disk"):
        write_source_file(source, FIXED)
    assert program.read_text() == PROGRAM + "# edited\n"
