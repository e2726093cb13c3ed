"""Fixing files on disk: encodings, line endings, permissions, races, atomic writes."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from mlsmells.fixes.files import read_source_file, write_source_file
from mlsmells.frontends import fix as command
from mlsmells.frontends.cli import main
from mlsmells.sources import FileError

SOURCE = "import torch\n\nnote = 'é'; state = torch.load('m.pt')\nmodel.eval\n"
FIXED = "import torch\n\nnote = 'é'; state = torch.load('m.pt', weights_only=True)\nmodel.eval()\n"


def _fix(*args: str) -> int:
    return main(["fix", "--unsafe-fixes", *args])


def test_crlf_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "crlf.py"
    path.write_bytes(SOURCE.replace("\n", "\r\n").encode("utf-8"))
    assert _fix(str(path)) == 0
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode("utf-8")


def test_mixed_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.py"
    lines = SOURCE.splitlines(keepends=True)
    path.write_bytes("".join([lines[0], lines[1].replace("\n", "\r"), *lines[2:]]).encode())
    assert _fix(str(path)) == 0
    fixed = FIXED.splitlines(keepends=True)
    assert path.read_bytes() == "".join([fixed[0], "\r", *fixed[2:]]).encode()


def test_bom_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.encode("utf-8"))
    assert _fix(str(path)) == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode("utf-8")


def test_declared_encoding_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    cookie = "# -*- coding: latin-1 -*-\n"
    path.write_bytes((cookie + SOURCE).encode("latin-1"))
    assert _fix(str(path)) == 0
    data = path.read_bytes()
    assert data == (cookie + FIXED).encode("latin-1")
    assert b"\xe9" in data  # é is still one latin-1 byte


def test_tabs_and_comments_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "tabs.py"
    path.write_text(
        "import torch  # the framework\n"
        "def load(p):\n"
        "\tif p:\t# a path\n"
        "\t\treturn torch.load(p)  # keep this comment\n"
    )
    assert _fix(str(path)) == 0
    assert path.read_text() == (
        "import torch  # the framework\n"
        "def load(p):\n"
        "\tif p:\t# a path\n"
        "\t\treturn torch.load(p, weights_only=True)  # keep this comment\n"
    )


def test_mode_is_kept_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    path = tmp_path / "script.py"
    path.write_text(SOURCE)
    path.chmod(0o750)
    assert _fix(str(path)) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["script.py"]


def test_a_symlink_stays_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the current project: its files may be written
    target = tmp_path / "real.py"
    target.write_text(SOURCE)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    assert _fix(str(link)) == 0
    assert link.is_symlink()
    assert target.read_text() == FIXED


def test_read_only_file_is_an_error_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "locked.py"
    path.write_text(SOURCE)
    path.chmod(0o444)
    assert _fix(str(path)) == 2
    assert path.read_text() == SOURCE
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    err = capsys.readouterr().err
    assert f"mlsmells: error: {path}: not written: the file is read-only\n" in err


def test_file_changed_between_read_and_write_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "busy.py"
    path.write_text(SOURCE)
    edited = SOURCE + "print('edited meanwhile')\n"
    real_fix_source = command.fix_source

    def fix_while_someone_edits(*args: object, **kwargs: object) -> object:
        result = real_fix_source(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(edited)
        return result

    monkeypatch.setattr(command, "fix_source", fix_while_someone_edits)
    assert _fix(str(path)) == 2
    assert path.read_text() == edited
    err = capsys.readouterr().err
    assert "not written: the file changed on disk since it was read" in err


def test_write_refuses_changed_bytes_directly(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    source = read_source_file(path)
    path.write_text("x = 2\n")
    with pytest.raises(FileError, match="changed on disk"):
        write_source_file(source, "x = 3\n")
    assert path.read_text() == "x = 2\n"


def test_unwritable_directory_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    source = read_source_file(path)

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(FileError, match="cannot write: permission denied"):
        write_source_file(source, "x = 2\n")
    assert path.read_text() == "x = 1\n"


def test_a_failed_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    source = read_source_file(path)

    def fails(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fails)
    with pytest.raises(FileError, match="no space left on device"):
        write_source_file(source, "x = 2\n")
    assert path.read_text() == "x = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_unencodable_result_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ascii.py"
    path.write_bytes(b"# -*- coding: ascii -*-\nx = 1\n")
    source = read_source_file(path)
    with pytest.raises(FileError, match="ascii cannot encode"):
        write_source_file(source, "# -*- coding: ascii -*-\nx = 'é'\n")
    assert path.read_bytes() == b"# -*- coding: ascii -*-\nx = 1\n"


def test_undecodable_and_unparsable_files_are_errors_and_others_still_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad_bytes.py").write_bytes(b"x = '\xff'\n")
    (tmp_path / "bad_syntax.py").write_text("def broken(:\n")
    good = tmp_path / "good.py"
    good.write_text(SOURCE)
    assert _fix(str(tmp_path)) == 2
    assert good.read_text() == FIXED
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad_bytes.py'}: cannot decode" in err
    assert f"{tmp_path / 'bad_syntax.py'}:1:" in err
