"""Precision and recall of each rule on a labelled corpus of real user code.

    python scripts/accuracy.py --corpus CORPUS --labels LABELS [--codes ML206,ML2]
                               [--findings FILE] [--details] [--update docs/accuracy.md
                               --section NAME]

The corpus (real projects, not in this repository) and its labels (also outside)
are described in docs/accuracy.md: for each rule code, ``LABELS/MLNNN.files``
lists the files reviewed for that rule and ``LABELS/MLNNN.tsv`` (columns file,
cell, line, verdict, note) marks each place a careful reader would flag
(``smell``) and each look-alike that must stay silent (``ok``).

The script runs ``mlsmells check`` on the corpus (every rule selected, no cache;
the mlsmells on the import path, so ``PYTHONPATH=OTHER_CHECKOUT`` scores another
version) unless ``--findings`` gives its JSON-lines output, and scores each
finding in a reviewed file: a match with a ``smell`` label is a true positive,
with an ``ok`` label a false positive, with no label "unreviewed"; a ``smell``
label without a finding is a false negative (a miss). ``--details`` lists the
misses, false positives and unreviewed findings; ``--update`` rewrites the table
between ``<!-- accuracy:NAME:start -->`` and ``<!-- accuracy:NAME:end -->``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: (file, cell or None, line): where a finding or a label is.
Place = tuple[str, int | None, int]
VERDICTS = ("smell", "ok", "unknown")


@dataclass
class Labels:
    files: set[str]
    verdicts: dict[Place, str]
    notes: dict[Place, str]


@dataclass
class Score:
    code: str
    files: int = 0
    findings: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unreviewed: int = 0
    misses: list[Place] = field(default_factory=list)
    false_alarms: list[Place] = field(default_factory=list)
    open_findings: list[Place] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def read_labels(folder: Path, code: str) -> Labels | None:
    files_path, tsv_path = folder / f"{code}.files", folder / f"{code}.tsv"
    if not files_path.is_file():
        return None
    files = {
        line.strip()
        for line in files_path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    verdicts: dict[Place, str] = {}
    notes: dict[Place, str] = {}
    if tsv_path.is_file():
        with tsv_path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), 2):
                verdict = (row.get("verdict") or "").strip()
                if verdict not in VERDICTS:
                    where = f"{tsv_path}:{number}"
                    raise SystemExit(f"{where}: verdict {verdict!r} is not one of {VERDICTS}")
                cell = (row.get("cell") or "").strip()
                place = (row["file"].strip(), int(cell) if cell else None, int(row["line"]))
                if place[0] not in files:
                    raise SystemExit(f"{tsv_path}:{number}: {place[0]} is not in {files_path.name}")
                verdicts[place] = verdict
                notes[place] = (row.get("note") or "").strip()
    return Labels(files, verdicts, notes)


def run_check(corpus: Path) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "mlsmells", "check", "--no-cache", "--select", "ALL"]
    command += ["--output-format", "json-lines", "."]
    proc = subprocess.run(command, cwd=corpus, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"mlsmells check failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return parse_findings(proc.stdout.splitlines())


def parse_findings(lines: Iterable[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in lines if line.strip()]


def place_of(finding: dict[str, object]) -> Place:
    name = str(finding["filename"])
    name = name[2:] if name.startswith("./") else name
    cell = finding.get("cell")
    location = finding["location"]
    assert isinstance(location, dict)
    return name, cell if isinstance(cell, int) else None, int(location["row"])


def score(code: str, labels: Labels, findings: Sequence[dict[str, object]]) -> Score:
    result = Score(code, files=len(labels.files))
    found = {place_of(f) for f in findings if f["code"] == code and place_of(f)[0] in labels.files}
    result.findings = len(found)
    for place in sorted(found, key=_order):
        verdict = labels.verdicts.get(place)
        if verdict == "smell":
            result.tp += 1
        elif verdict == "ok":
            result.fp += 1
            result.false_alarms.append(place)
        elif verdict is None:
            result.unreviewed += 1
            result.open_findings.append(place)
    for place, verdict in sorted(labels.verdicts.items(), key=lambda item: _order(item[0])):
        if verdict == "smell" and place not in found:
            result.fn += 1
            result.misses.append(place)
    return result


def _order(place: Place) -> tuple[str, int, int]:
    return place[0], place[1] or 0, place[2]


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def table(scores: Sequence[Score]) -> str:
    rows = [
        "| rule | files reviewed | findings | true pos. | false pos. | unreviewed | misses "
        "| precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        rows.append(
            f"| {s.code} | {s.files} | {s.findings} | {s.tp} | {s.fp} | {s.unreviewed} | {s.fn} "
            f"| {_ratio(s.precision)} | {_ratio(s.recall)} |"
        )
    return "\n".join(rows) + "\n"


def _where(place: Place) -> str:
    file, cell, line = place
    return f"{file}:cell {cell}:{line}" if cell is not None else f"{file}:{line}"


def details(scores: Sequence[Score], labels: dict[str, Labels]) -> str:
    out: list[str] = []
    for s in scores:
        notes = labels[s.code].notes
        for title, places in (
            ("missed", s.misses),
            ("false positive", s.false_alarms),
            ("unreviewed", s.open_findings),
        ):
            for place in places:
                note = notes.get(place, "")
                out.append(f"{s.code} {title}: {_where(place)}" + (f"  ({note})" if note else ""))
    return "\n".join(out) + ("\n" if out else "")


def update(doc: Path, section: str, text: str) -> None:
    start, end = f"<!-- accuracy:{section}:start -->", f"<!-- accuracy:{section}:end -->"
    content = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(content):
        raise SystemExit(f"{doc}: no {start} ... {end} block")
    doc.write_text(pattern.sub(lambda _: f"{start}\n\n{text}\n{end}", content), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--labels", type=Path, required=True)
    add = parser.add_argument
    add("--codes", default="", help="comma-separated codes or prefixes (default: all labelled)")
    add("--findings", type=Path, help="JSON-lines output of mlsmells check, run in CORPUS")
    add("--details", action="store_true", help="list misses, false positives, unreviewed")
    add("--update", type=Path, help="a Markdown file with an accuracy block to rewrite")
    add("--section", default="current", help="the block's name (with --update)")
    args = parser.parse_args(argv)

    prefixes = [p.strip().upper() for p in args.codes.split(",") if p.strip()]
    codes = sorted(
        p.stem
        for p in args.labels.glob("ML*.files")
        if not prefixes or any(p.stem.startswith(prefix) for prefix in prefixes)
    )
    if not codes:
        raise SystemExit(f"no labels in {args.labels} for {args.codes or 'any code'}")
    labels = {code: found for code in codes if (found := read_labels(args.labels, code))}
    if args.findings:
        findings = parse_findings(args.findings.read_text(encoding="utf-8").splitlines())
    else:
        findings = run_check(args.corpus)
    scores = [score(code, labels[code], findings) for code in codes]
    text = table(scores)
    sys.stdout.write(text)
    if args.details:
        sys.stdout.write("\n" + details(scores, labels))
    if args.update:
        update(args.update, args.section, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
