"""Hostile input: every file that cannot be checked is one clear line, the run goes on.

Each bad file gets ``mlsmells: error: PATH[:LINE:COL]: reason`` on stderr (a
location whenever there is one, as flake8's E999 has), the other files are
still checked and fixed, and the exit status is 2. Big and deep files are
generated here, not committed. Code nested deeper than the recursion limit but
valid for Python is checked and fixed like any other (no ML000 internal error),
by the CLI and by the flake8 and pylint front ends.
"""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlsmells import deep, registry, runner, sources
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import walk
from mlsmells.fixes.apply import fix_source
from mlsmells.frontends import cli

ALL = frozenset(registry.RULES)
FINDING = 'import torch\nstate = torch.load("m.pt")\n'
FINDING_FIXED = 'import torch\nstate = torch.load("m.pt", weights_only=True)\n'
NOTEBOOK_CELL: dict[str, object] = {
    "cell_type": "code",
    "metadata": {},
    "outputs": [],
    "execution_count": None,
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


def chain(terms: int) -> str:
    """``a + a + ... + a``: a left-nested chain of ``terms - 1`` BinOp nodes."""
    return " + ".join(["a"] * terms)


def codes(found: list[Diagnostic]) -> set[str]:
    return {d.code for d in found}


# ------------------------------------------------------ one run, many bad files
BAD_FILES: dict[str, tuple[bytes, str]] = {
    # name: (bytes, the error line after "mlsmells: error: <path>")
    "syntax.py": (b"import torch\nx = (1,\n", ":2:5: syntax error: '(' was never closed"),
    "nul.py": (
        b"import torch\nx = 1\x00\n",
        ":2:6: syntax error: source code string cannot contain null bytes",
    ),
    "undecodable.py": (
        b"x = '\xff'\n",
        ": cannot decode as utf-8: byte 0xff on line 1 "
        "(declare the file's encoding with a PEP 263 coding comment)",
    ),
    "unknown_cookie.py": (
        b"# -*- coding: klingon -*-\nx = 1\n",
        ": cannot decode: unknown encoding: klingon",
    ),
    "wrong_cookie.py": (
        "# -*- coding: ascii -*-\nname = 'café'\n".encode(),
        ": cannot decode as ascii: byte 0xc3 on line 2 "
        "(declare the file's encoding with a PEP 263 coding comment)",
    ),
    "binary_cookie.py": (
        b"# coding: rot13\nx = 1\n",
        ": cannot decode: 'rot13' is not a text encoding; "
        "use codecs.decode() to handle arbitrary codecs",
    ),
    "bom_and_cookie.py": (
        b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
        ": cannot decode: encoding problem: utf-8",
    ),
    "too_deep.py": (
        f"x = {chain(5000)}\n".encode(),
        ": syntax error: too deeply nested to parse",
    ),
    "parens.py": (
        f"x = {'(' * 250}1{')' * 250}\n".encode(),
        ":1:205: syntax error: too many nested parentheses",
    ),
    "broken.ipynb": (b'{"cells": [', ": invalid JSON: Expecting value: line 1 column 12 (char 11)"),
    "list.ipynb": (b"[1, 2]", ": not a notebook: the top level is not a JSON object"),
    "old.ipynb": (b'{"nbformat": 2, "cells": []}', ": nbformat 2 is not supported (only 3 and 4)"),
    "cell.ipynb": (
        json.dumps({"nbformat": 4, "cells": [7]}).encode(),
        ": cell 1 is not a JSON object",
    ),
    "latin.ipynb": (
        b'{"nbformat": 4, "cells": [], "x": "\xe9"}',
        ": not UTF-8: invalid continuation byte at byte 35",
    ),
}


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder of bad files, one good file with a finding, and an empty file."""
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_text(FINDING)
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "comments.py").write_text("# nothing but a comment\n\n   \n")
    return tmp_path


def test_each_bad_file_is_one_line_and_the_others_are_checked(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    missing = hostile / "missing.py"
    status, out, err = run(capsys, "check", str(hostile), str(missing))
    assert status == 2
    expected = {f"mlsmells: error: {hostile / n}{line}" for n, (_, line) in BAD_FILES.items()}
    expected.add(f"mlsmells: error: {missing}: no such file or directory")
    assert sorted(err) == sorted(expected)  # one line each, nothing else
    lines = out.splitlines()
    assert lines[0].startswith(f"{hostile / 'good.py'}:2:9: ML401 ")
    assert lines[1] == f"Found 1 finding in 1 file. {len(expected)} files could not be checked."


def test_json_output_and_jobs_give_the_same_errors(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    serial = run(capsys, "check", str(hostile))
    status, out, err = run(capsys, "check", "--jobs", "2", "--output-format", "json", str(hostile))
    assert status == 2
    assert sorted(err) == sorted(serial[2])
    assert [r["code"] for r in json.loads(out)] == ["ML401"]


@pytest.mark.parametrize(
    "output_format", ["text", "concise", "json", "json-lines", "github", "sarif", "junit"]
)
def test_every_output_format_copes_with_bad_files(
    capsys: pytest.CaptureFixture[str], hostile: Path, output_format: str
) -> None:
    status, out, err = run(capsys, "check", "--output-format", output_format, str(hostile))
    assert status == 2
    assert len(err) == len(BAD_FILES)
    if output_format in ("json", "sarif"):
        json.loads(out)
    elif output_format == "json-lines":
        for line in out.splitlines():
            json.loads(line)
    elif output_format == "junit":
        from xml.dom import minidom

        minidom.parseString(out)
    assert "ML401" in out


def test_fix_reports_each_bad_file_and_fixes_the_good_one(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    before = {p.name: p.read_bytes() for p in hostile.iterdir()}
    status, _, err = run(capsys, "fix", "--unsafe-fixes", str(hostile))
    assert status == 2
    assert (hostile / "good.py").read_text() == FINDING_FIXED
    assert len(err) == len(BAD_FILES)
    assert all(line.startswith("mlsmells: error: ") for line in err)
    for name, data in before.items():
        if name != "good.py":
            assert (hostile / name).read_bytes() == data, name  # bad files untouched


def test_empty_and_comment_only_files_are_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name, data in {"empty.py": b"", "bom.py": b"\xef\xbb\xbf", "blank.py": b"\n\n\r\n"}.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "empty.ipynb").write_text(json.dumps({"nbformat": 4, "cells": []}))
    assert run(capsys, "check", str(tmp_path)) == (0, "All checks passed.\n", [])
    assert run(capsys, "fix", "--unsafe-fixes", str(tmp_path))[0] == 0


# ---------------------------------------------------------------- big files
def test_a_50k_line_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    body = "".join(f"value_{i} = {i} * 2\n" for i in range(50_000))
    path.write_text(FINDING + body + "state = torch.load('n.pt')\n")
    status, out, err = run(capsys, "check", str(path))
    assert (status, err) == (1, [])
    assert [line.split(": ML")[0] for line in out.splitlines()[:-2]] == [
        f"{path}:2:9",
        f"{path}:50003:9",
    ]


def test_a_50k_line_notebook_cell(tmp_path: Path) -> None:
    path = tmp_path / "big.ipynb"
    source = FINDING + "".join(f"v{i} = {i}\n" for i in range(50_000))
    path.write_text(json.dumps({"nbformat": 4, "cells": [{**NOTEBOOK_CELL, "source": source}]}))
    result = runner.check_file(path, ALL)
    assert result.error is None
    assert codes(list(result.diagnostics)) == {"ML401"}


# ------------------------------------------------------------- deep nesting
DEEP = 2000
"""Terms of a chain Python still compiles (its limit is about 2986 levels, less the
depth of the caller's stack) but far deeper than the default recursion limit (1000)
lets a recursive walk go."""


def test_parse_refuses_what_python_cannot_compile() -> None:
    for source in (f"x = {chain(5000)}\n", f"x = {'-' * 100_000}1\n"):
        with pytest.raises(sources.FileError, match="too deeply nested to parse"):
            sources.parse(source)
        with pytest.raises((RecursionError, SyntaxError, MemoryError)):
            compile(source, "deep.py", "exec")


@pytest.mark.parametrize(
    "expression",
    [
        chain(DEEP),
        "-" * DEEP + "a",
        "a" + "[0]" * DEEP,
        "a" + "()" * 1500,
        "a" + ".b" * 1500,
        "np.nan == " + chain(1200),
    ],
    ids=["binop", "unary", "subscript", "call", "attribute", "compare"],
)
def test_deeply_nested_valid_code_is_checked_without_internal_error(expression: str) -> None:
    source = f"import numpy as np\n{FINDING}x = {expression}\nflag = frame == np.nan\n"
    compile(source, "deep.py", "exec")  # valid Python
    found = runner.check_source(source, "deep.py", ALL)
    assert codes(found) == {"ML401", "ML209"}


def test_engine_reports_an_internal_error_when_even_the_deep_walk_overflows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_room(func: object) -> object:
        raise RecursionError("no deep stack")

    monkeypatch.setattr(walk, "call_deep", no_room)
    source = f"{FINDING}x = {chain(1500)}\n"
    found = registry.engine(ALL).run(ast.parse(source), source.splitlines(keepends=True))
    assert [d.message for d in found] == [
        "ML000 internal error in the engine: expression nested too deeply; please report it"
    ]


def test_the_deep_thread_restores_the_recursion_limit_and_reraises() -> None:
    limit = sys.getrecursionlimit()

    def fails() -> None:
        assert sys.getrecursionlimit() == deep.RECURSION_LIMIT
        raise ValueError("from the deep thread")

    with pytest.raises(ValueError, match="from the deep thread"):
        deep.call_deep(fails)
    assert deep.call_deep(lambda: 7) == 7
    assert sys.getrecursionlimit() == limit
    with pytest.raises(RecursionError):  # no nesting: the deep thread is deep enough
        deep.call_deep(lambda: deep.call_deep(lambda: 1))


def test_fix_of_a_deeply_nested_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.py"
    tail = f"x = {chain(1000)}\n"
    path.write_text(FINDING + tail)
    assert cli.main(["fix", "--unsafe-fixes", str(path)]) == 0
    assert path.read_text() == FINDING_FIXED + tail


def test_fix_gives_up_cleanly_when_there_is_no_room(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsmells.fixes import apply

    def no_room(func: object) -> object:
        raise RecursionError("no deep stack")

    monkeypatch.setattr(apply, "call_deep", no_room)
    source = FINDING + f"x = {chain(1000)}\n"
    result = fix_source(source, "deep.py", ALL, unsafe=True)
    assert result.source == source
    assert result.error == "the file is nested too deeply to fix; it is left unchanged"
    assert codes(list(result.remaining)) == {"ML401"}


def test_flake8_plugin_on_deeply_nested_code() -> None:
    from mlsmells.frontends.flake8 import MLSmellsChecker

    source = f"{FINDING}x = {chain(DEEP)}\n"
    lines = source.splitlines(keepends=True)
    found = list(MLSmellsChecker(ast.parse(source), "deep.py", lines).run())
    assert [(line, col, message.split()[0]) for line, col, message, _ in found] == [(2, 8, "ML401")]


def test_pylint_plugin_on_deeply_nested_code() -> None:
    # pylint's astroid fails on such a module before any checker runs (F0002
    # astroid-error, pylint's own); the mlsmells checker itself copes with it.
    from pylint.lint import PyLinter

    from mlsmells.frontends.pylint import MLSmellsChecker, register

    linter = PyLinter()
    register(linter)
    (checker,) = [c for c in linter.get_checkers() if isinstance(c, MLSmellsChecker)]
    messages: list[str] = []
    checker.add_message = (  # type: ignore[method-assign]
        lambda msgid, **kwargs: messages.append(msgid)
    )

    class Module:
        file = "deep.py"
        file_bytes = None  # (read from the file, as stream() does)

        def stream(self) -> io.BytesIO:
            return io.BytesIO(f"{FINDING}x = {chain(DEEP)}\n".encode())

    checker.process_module(Module())  # a stand-in for the astroid node: file, stream() ...
    assert messages == [registry.get("ML401").pylint_id]


def test_deeply_nested_notebook_cell() -> None:
    from mlsmells.notebooks import Notebook

    cells = [
        {**NOTEBOOK_CELL, "source": FINDING},
        {**NOTEBOOK_CELL, "source": f"y = {chain(DEEP)}"},
    ]
    notebook = Notebook(json.dumps({"nbformat": 4, "cells": cells}))
    found = runner.check_tree(notebook.tree, notebook.lines, "deep.ipynb", ALL)
    assert codes(found) == {"ML401"}


def test_deeply_nested_json_notebook_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nested.ipynb"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.check_file(path, ALL)
    assert result.error is not None and str(result.error) == "invalid JSON: nested too deeply"


# ---------------------------------------------------------- odd paths
def test_directory_symlink_loop(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text(FINDING)
    (tmp_path / "pkg" / "again").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg" / "up").symlink_to("..")
    (tmp_path / "self.py").symlink_to(tmp_path / "self.py")  # a file link loop
    status, out, err = run(capsys, "check", str(tmp_path))
    assert status == 2
    assert err == [f"mlsmells: error: {tmp_path / 'self.py'}: too many levels of symbolic links"]
    assert out.splitlines()[0].startswith(f"{tmp_path / 'pkg' / 'model.py'}:2:9: ML401")
    assert out.splitlines()[1] == "Found 1 finding in 1 file. 1 file could not be checked."


def test_unreadable_file_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Tests run as root, who reads 0o000 files: the refusal is simulated at os.open.
    locked = tmp_path / "locked.py"
    locked.write_text(FINDING)
    (tmp_path / "other.py").write_text(FINDING)
    real_open = os.open

    def deny(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    status, out, err = run(capsys, "check", str(tmp_path))
    assert status == 2
    assert err == [f"mlsmells: error: {locked}: permission denied"]
    assert "other.py:2:9: ML401" in out
    status, out, err = run(capsys, "fix", "--unsafe-fixes", str(tmp_path))
    assert status == 2
    assert err == [f"mlsmells: error: {locked}: permission denied"]
    assert (tmp_path / "other.py").read_text() == FINDING_FIXED


def test_a_directory_given_as_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "looks_like.py"
    folder.mkdir()
    result = runner.check_file(folder, ALL)
    assert result.error is not None and str(result.error) == "is a directory"


SPECIAL = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@SPECIAL
def test_fifo_and_device_are_refused_not_waited_on(tmp_path: Path) -> None:
    # In a subprocess with a timeout: reading a FIFO would block the test run forever.
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    notebook_fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(notebook_fifo)
    (tmp_path / "good.py").write_text(FINDING)
    reason = "not a regular file (a FIFO, socket or device); not read"
    for command in (["check"], ["fix", "--unsafe-fixes"]):
        proc = subprocess.run(
            [sys.executable, "-m", "mlsmells", *command, str(tmp_path), "/dev/zero"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert sorted(proc.stderr.splitlines()) == [
            f"mlsmells: error: /dev/zero: {reason}",
            f"mlsmells: error: {notebook_fifo}: {reason}",
            f"mlsmells: error: {fifo}: {reason}",
        ]
    assert (tmp_path / "good.py").read_text() == FINDING_FIXED


def test_check_file_never_raises_for_odd_paths(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.py"
    dangling.symlink_to(tmp_path / "nowhere.py")
    long_name = tmp_path / ("x" * 300 + ".py")
    for path, reason in [
        (dangling, "no such file or directory"),
        (long_name, "file name too long"),
        (tmp_path / "missing" / "deeper.ipynb", "no such file or directory"),
        (Path("/dev/null"), "not a regular file (a FIFO, socket or device); not read"),
    ]:
        result = runner.check_file(path, ALL)
        assert result.error is not None and str(result.error) == reason, path


# -------------------------------------------------------------------- scale
HEADER = (
    "import numpy as np\nimport pandas as pd\nimport torch\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
)
SHAPES: dict[str, Callable[[int], str]] = {
    # Module-level statements (ML408 once searched the whole body for each of them).
    "statements": lambda n: "".join(f"value_{i} = {i} * 2\n" for i in range(n)),
    # Statements before the first legacy NumPy call (ML102's fix plan once walked each
    # of them once per call).
    "branches": lambda n: "".join(
        f"if a == {i}:\n    b = np.random.rand()\n" for i in range(n // 2)
    ),
    # Estimators (the opt-in ML901 once walked the whole scope for each of them).
    "estimators": lambda n: "".join(
        f"m{i} = RandomForestClassifier()\nm{i}.fit(X, y)\n" for i in range(n // 2)
    ),
    "functions": lambda n: "".join(
        f"def f{i}(df):\n    df['c'].fillna(0, inplace=True)\n    return torch.load('m')\n"
        for i in range(n // 3)
    ),
    "pandas": lambda n: (
        "df = pd.read_csv('a.csv')\n"
        + "".join(f"df['c{i}'] = df['a'].fillna({i})\n" for i in range(n))
    ),
}


def _work(source: str) -> int:
    """Python and C function calls made by checking ``source``: a measure of work that,
    unlike time, does not depend on the machine or its load."""
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        runner.check_source(source, "scale.py", ALL)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_grows_linearly_with_the_file(shape: str) -> None:
    make = SHAPES[shape]
    small, large = _work(HEADER + make(1000)), _work(HEADER + make(4000))
    # Four times the lines: about four times the work (quadratic would be about 16).
    assert large < 5 * small, f"{shape}: {small} calls for 1000 lines, {large} for 4000"


def test_no_state_accumulates_across_files(tmp_path: Path) -> None:
    import gc

    for index in range(120):
        (tmp_path / f"m{index}.py").write_text(
            f"{HEADER}frame_{index} = pd.read_csv('{index}.csv')\n"
            f"frame_{index}['a'][frame_{index}['b'] > {index}] = 0\n"
            f"state = torch.load('{index}.pt')\nnp.random.seed({index})\n"
        )
    paths = sorted(tmp_path.iterdir())

    def check_all() -> int:
        for path in paths:
            assert runner.check_file(path, ALL).diagnostics
        cli.main(["check", "--isolated", "--no-cache", "--jobs", "1", str(tmp_path)])
        gc.collect()
        return len(gc.get_objects())

    check_all()  # warm up: imports, tables, the engine per code set
    first = check_all()
    second = check_all()
    third = check_all()
    # 240 files checked per round; a state kept per file would grow the heap each round.
    assert third - first < 120, (first, second, third)
    engines = runner._engine.cache_info()
    assert engines.maxsize is not None and engines.currsize <= engines.maxsize
