"""scripts/accuracy.py: scoring findings against labels, on a small corpus of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "accuracy.py"

SCRIPT_PY = """import pandas as pd
df = pd.read_csv("a.csv")
a = df.values
b = {}.values()
c = df.values
"""

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "outputs": [],
            "source": ["import pandas as pd\n", "df = pd.read_csv('a.csv')\n", "x = df.values\n"],
        },
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _corpus(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    (corpus / "proj").mkdir(parents=True)
    (corpus / "proj" / "train.py").write_text(SCRIPT_PY, encoding="utf-8")
    (corpus / "proj" / "nb.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    (corpus / "proj" / "other.py").write_text(SCRIPT_PY, encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "ML206.files").write_text("proj/train.py\nproj/nb.ipynb\n", encoding="utf-8")
    (labels / "ML206.tsv").write_text(
        "file\tcell\tline\tverdict\tnote\n"
        "proj/train.py\t\t3\tsmell\tframe\n"
        "proj/train.py\t\t4\tok\ta dict\n"
        "proj/train.py\t\t5\tok\tsay it is not\n"  # a false positive, for the test
        "proj/nb.ipynb\t2\t3\tsmell\tframe in a cell\n"
        "proj/nb.ipynb\t2\t9\tsmell\tnot reported: a miss\n",
        encoding="utf-8",
    )
    return corpus, labels


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_scores_findings_against_labels(tmp_path: Path) -> None:
    corpus, labels = _corpus(tmp_path)
    doc = tmp_path / "accuracy.md"
    doc.write_text("x\n<!-- accuracy:now:start -->\nold\n<!-- accuracy:now:end -->\ny\n", "utf-8")
    proc = _run("--corpus", str(corpus), "--labels", str(labels), "--details",
                "--update", str(doc), "--section", "now")
    assert proc.returncode == 0, proc.stderr
    # other.py is not reviewed: its two findings are not scored.
    assert "| ML206 | 2 | 3 | 2 | 1 | 0 | 1 | 0.67 | 0.67 |" in proc.stdout
    assert "ML206 missed: proj/nb.ipynb:cell 2:9  (not reported: a miss)" in proc.stdout
    assert "ML206 false positive: proj/train.py:5" in proc.stdout
    text = doc.read_text("utf-8")
    assert text.startswith("x\n<!-- accuracy:now:start -->\n\n| rule |")
    assert text.endswith("end -->\ny\n")
    assert "old" not in text


def test_unlabelled_findings_in_reviewed_files_are_unreviewed(tmp_path: Path) -> None:
    corpus, labels = _corpus(tmp_path)
    (labels / "ML206.tsv").write_text("file\tcell\tline\tverdict\tnote\n", encoding="utf-8")
    proc = _run("--corpus", str(corpus), "--labels", str(labels), "--codes", "ML2", "--details")
    assert "| ML206 | 2 | 3 | 0 | 0 | 3 | 0 | — | — |" in proc.stdout
    assert proc.stdout.count("ML206 unreviewed:") == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("proj/train.py\t\t3\tmaybe\t\n", "verdict 'maybe'"),
        ("proj/elsewhere.py\t\t3\tsmell\t\n", "not in ML206.files"),
    ],
)
def test_bad_labels_are_refused(tmp_path: Path, row: str, message: str) -> None:
    corpus, labels = _corpus(tmp_path)
    (labels / "ML206.tsv").write_text("file\tcell\tline\tverdict\tnote\n" + row, "utf-8")
    proc = _run("--corpus", str(corpus), "--labels", str(labels))
    assert proc.returncode != 0 and message in proc.stderr
