"""Suppression comments (flake8's ``# noqa``, pylint's pragmas) as ``mlsmells check`` reads them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlsmells import records, registry
from mlsmells.diagnostics import Diagnostic
from mlsmells.sources import split_lines
from mlsmells.suppression import Suppressions
from tests.fixture_util import PYLINT_MLSMELLS

# ML201 W7621 ml-chained-assignment, ML202 E7622 ml-inplace-result-assigned,
# ML401 W7641 ml-torch-load-unsafe: catalog records, not implementations.
CHAINED, INPLACE, LOAD = "ML201", "ML202", "ML401"


def read(source: str) -> Suppressions:
    return Suppressions.from_lines(split_lines(textwrap.dedent(source)))


def diag(line: int, code: str) -> Diagnostic:
    return Diagnostic(line, 0, code, f"{code} message", line, 1)


def suppressed(source: str, line: int, code: str) -> bool:
    return read(source).is_suppressed(diag(line, code))


def test_catalog_names_used_here() -> None:
    assert registry.get(CHAINED).symbol == "ml-chained-assignment"
    assert registry.get(CHAINED).pylint_id == "W7621"
    assert registry.get(INPLACE).pylint_id == "E7622"
    assert registry.get(LOAD).pylint_id == "W7641"


# ------------------------------------------------------------------- noqa
class TestNoqa:
    def test_blanket_covers_every_code_on_its_line_only(self) -> None:
        src = "a = 1  # noqa\nb = 2\n"
        assert suppressed(src, 1, CHAINED)
        assert suppressed(src, 1, LOAD)
        assert not suppressed(src, 2, CHAINED)

    def test_codes_and_prefixes(self) -> None:
        src = "a = 1  # noqa: ML201\nb = 2  # noqa:ML2\nc = 3  # NOQA: ML401,ML201\n"
        assert suppressed(src, 1, CHAINED)
        assert not suppressed(src, 1, INPLACE)
        assert suppressed(src, 2, CHAINED) and suppressed(src, 2, INPLACE)
        assert not suppressed(src, 2, LOAD)
        assert suppressed(src, 3, LOAD) and suppressed(src, 3, CHAINED)
        assert not suppressed(src, 3, INPLACE)

    def test_without_colon_is_blanket(self) -> None:
        assert suppressed("a = 1  # noqa ML202\n", 1, LOAD)

    def test_codes_are_case_sensitive_like_flake8(self) -> None:
        assert not suppressed("a = 1  # noqa: ml201\n", 1, CHAINED)

    def test_reason_after_codes(self) -> None:
        src = "a = 1  # noqa: ML201 the frame is a throwaway copy\n"
        assert suppressed(src, 1, CHAINED)
        assert not suppressed(src, 1, INPLACE)

    def test_multiline_string_shares_the_comment_after_it(self) -> None:
        src = '''\
        query = """
        SELECT *
        """  # noqa: ML201
        after = 1
        '''
        for line in (1, 2, 3):
            assert suppressed(src, line, CHAINED)
        assert not suppressed(src, 4, CHAINED)

    def test_backslash_continuation_is_one_line(self) -> None:
        src = "total = first + \\\n    second  # noqa\n"
        assert suppressed(src, 1, CHAINED)

    def test_lines_in_brackets_stand_alone(self) -> None:
        src = "call(\n    arg,\n)  # noqa\n"
        assert not suppressed(src, 1, CHAINED)
        assert suppressed(src, 3, CHAINED)

    def test_noqa_inside_a_string_is_not_a_comment(self) -> None:
        assert not suppressed('text = "# noqa"\n', 1, CHAINED)
        assert not suppressed('text = """\n# flake8: noqa\n"""\n', 1, CHAINED)

    def test_file_level(self) -> None:
        assert read("# flake8: noqa\na = 1\n").file_skipped
        assert read("a = 1\n   # FLAKE8= NOQA: E501\n").file_skipped
        trailing = read("a = 1  # flake8: noqa\n")
        assert not trailing.file_skipped
        assert not trailing.is_suppressed(diag(1, CHAINED))
        assert read("# flake8: noqa\n").is_suppressed(diag(5, LOAD))

    def test_untokenizable_source_falls_back_to_physical_lines(self) -> None:
        src = 'a = 1  # noqa: ML201\ns = """never closed\n'
        sup = read(src)
        assert sup.is_suppressed(diag(1, CHAINED))
        assert not sup.is_suppressed(diag(2, CHAINED))


FLAKE8_CASES = '''\
import os  # noqa
import sys  # noqa: F401
import json  # noqa:E501
import re  # noqa F811
import csv  # NoQA:F4
import abc  # noqa: f401
import ast, \\
    enum  # noqa
import glob
TEXT = """
a line that is much too long for the limit a line that is much too long for the limit xx
"""  # noqa: E501
CALL = dict(
    key="a line that is much too long for the limit a line that is much too long for the lim",
)  # noqa: E501
S = "# noqa"; import io
'''


def _flake8(path: Path, *extra: str) -> set[tuple[int, str]]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--isolated",
            "--select=F401,E501",
            "--format=%(row)d:%(code)s",
            *extra,
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    found = set()
    for row in proc.stdout.splitlines():
        line, code = row.split(":")
        found.add((int(line), code))
    return found


def test_noqa_agrees_with_flake8(tmp_path: Path) -> None:
    """Differential: flake8's own findings, filtered by our reading of its noqa comments.

    The last line is the one documented difference: flake8 takes the
    ``# noqa`` inside the string literal for a comment, mlsmells does not.
    """
    path = tmp_path / "cases.py"
    path.write_text(FLAKE8_CASES, encoding="utf-8")
    everything = _flake8(path, "--disable-noqa")
    reported = _flake8(path)
    sup = Suppressions.from_lines(split_lines(FLAKE8_CASES))
    ours = {(line, code) for line, code in everything if not sup.is_suppressed(diag(line, code))}
    last = len(FLAKE8_CASES.splitlines())
    assert (last, "F401") in ours and (last, "F401") not in reported
    assert ours - {(last, "F401")} == reported
    assert len(everything) > len(reported) > 2


# ----------------------------------------------------------------- pylint
class TestPylint:
    def test_trailing_disable_by_symbol_id_category_checker(self) -> None:
        src = (
            "a = 1  # pylint: disable=ml-chained-assignment\n"
            "b = 2  # pylint: disable=W7621,E7622\n"
            "c = 3  # pylint: disable=W\n"
            "d = 4  # pylint: disable=mlsmells\n"
            "e = 5\n"
        )
        assert suppressed(src, 1, CHAINED) and not suppressed(src, 1, INPLACE)
        assert suppressed(src, 2, CHAINED) and suppressed(src, 2, INPLACE)
        assert suppressed(src, 3, LOAD) and not suppressed(src, 3, INPLACE)
        assert suppressed(src, 4, INPLACE) and suppressed(src, 4, records.INTERNAL_ERROR_CODE)
        assert not suppressed(src, 5, CHAINED)

    def test_ids_are_case_insensitive_symbols_are_not(self) -> None:
        assert suppressed("a = 1  # pylint: disable=w7621\n", 1, CHAINED)
        assert not suppressed("a = 1  # pylint: disable=ML-Chained-Assignment\n", 1, CHAINED)

    def test_disable_next(self) -> None:
        src = "# pylint: disable-next=ml-torch-load-unsafe\nm = load()\nn = load()\n"
        assert not suppressed(src, 1, LOAD)
        assert suppressed(src, 2, LOAD)
        assert not suppressed(src, 3, LOAD)

    def test_own_line_disable_lasts_to_enable_or_end_of_block(self) -> None:
        src = """\
        def train():
            a = 1
            # pylint: disable=ml-chained-assignment
            b = 2
            c = 3
            # pylint: enable=ml-chained-assignment
            d = 4


        def evaluate():
            # pylint: disable=W7621
            e = 5
            if e:
                f = 6
            g = 7


        h = 8
        """
        expected = {
            1: False,
            2: False,
            3: True,
            4: True,
            5: True,
            7: False,
            12: True,
            14: True,
            15: True,
            18: False,
        }
        got = {line: suppressed(src, line, CHAINED) for line in expected}
        assert got == expected
        assert not suppressed(src, 4, INPLACE)

    def test_own_line_disable_in_an_if_block_stops_with_the_statement(self) -> None:
        src = """\
        if x:
            # pylint: disable=ml-chained-assignment
            a = 1
        else:
            b = 2
        c = 3
        """
        assert suppressed(src, 3, CHAINED)
        assert suppressed(src, 5, CHAINED)  # pylint scopes to the whole `if` statement
        assert not suppressed(src, 6, CHAINED)

    def test_trailing_disable_on_a_def_line_covers_the_function(self) -> None:
        src = "def f():  # pylint: disable=ml-chained-assignment\n    a = 1\nb = 2\n"
        assert suppressed(src, 2, CHAINED)
        assert not suppressed(src, 3, CHAINED)

    def test_module_level_disable_until_enable(self) -> None:
        src = "# pylint: disable=ml-chained-assignment\na = 1\n# pylint: enable=all\nb = 2\n"
        assert suppressed(src, 2, CHAINED)
        assert not suppressed(src, 4, CHAINED)

    def test_several_pragmas_and_reasons(self) -> None:
        src = "a = 1  # pylint: disable=ml-torch-load-unsafe, E7622 ; loaded from our own store\n"
        assert suppressed(src, 1, LOAD) and suppressed(src, 1, INPLACE)
        assert not suppressed(src, 1, CHAINED)

    def test_malformed_pragma_is_ignored(self) -> None:
        assert not suppressed("a = 1  # pylint: disable ml-chained-assignment\n", 1, CHAINED)
        assert not suppressed("a = 1  # pylint: disable=\n", 1, CHAINED)

    @pytest.mark.parametrize(
        "comment", ["# pylint: skip-file", "# pylint: disable=all", "# pylint: disable-all"]
    )
    def test_file_level(self, comment: str) -> None:
        sup = read(f"a = 1\nb = 2  {comment}\n")
        assert sup.file_skipped
        assert sup.is_suppressed(diag(1, CHAINED))

    def test_pragma_inside_a_string_is_not_a_comment(self) -> None:
        assert not suppressed('a = "# pylint: disable=ml-chained-assignment"\n', 1, CHAINED)
        assert not read('a = """\n# pylint: skip-file\n"""\n').file_skipped

    def test_unknown_names_suppress_nothing(self) -> None:
        src = "a = 1  # pylint: disable=unused-import,W0611,ml-no-such-rule\n"
        assert not suppressed(src, 1, CHAINED)


PYLINT_CASES = Path(__file__).parent / "fixtures" / "pylint_pragmas.py"


def test_pragmas_agree_with_pylint() -> None:
    """Differential: the ML401 findings pylint reports through the plugin are exactly
    the engine's findings that our reading of the pragmas leaves unsuppressed."""

    source = PYLINT_CASES.read_text(encoding="utf-8")
    found = registry.engine(frozenset({LOAD})).run_source(source)
    sup = Suppressions.from_lines(split_lines(source))
    ours = {d.line for d in found if not sup.is_suppressed(d)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            *PYLINT_MLSMELLS,
            "--msg-template={line}:{msg_id}",
            str(PYLINT_CASES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    rows = proc.stdout.splitlines()
    reported = {int(row.split(":")[0]) for row in rows if row.endswith(":W7641")}
    assert ours == reported
    assert len(found) > len(reported) > 8
