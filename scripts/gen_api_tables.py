#!/usr/bin/env python3
"""Regenerate every API table of ``mlsmells/data`` from the libraries' own releases.

Usage::

    python scripts/gen_api_tables.py --cache /tmp/mlsmells-api-cache   # needs PyPI
    python scripts/gen_api_tables.py --offline                         # from the facts
    python scripts/gen_api_tables.py --offline --check                 # CI: exit 1 if stale

Three steps:

1. **Download** (skipped with ``--offline``): for each library and each minor
   release listed in :data:`RELEASES`, ``pip download --no-deps
   --only-binary :all:`` fetches one wheel (the newest patch release of that
   minor, for whichever Python and platform it was built for) into the cache
   directory. Nothing is installed: the wheels are read as zip files.
2. **Probe**: every probe that a table row of ``mlsmells/data`` asks about
   (``mlsmells.data.api_history.REQUESTED``: the old API, its replacement,
   where it warns) is answered for every release by reading its source
   statically (``scripts/api_history.py``). torchvision's model builders are
   read from each release too. The answers go to
   ``scripts/api_facts.json`` (committed: the evidence, and the input of step 3).
3. **Render**: the facts become ``mlsmells/data/api_versions.py`` (for each
   probe, the first and last release that has it and the first that warns)
   and ``mlsmells/data/torchvision_weights.py``; then ``gen_pandas_api.py``
   and ``gen_sklearn_api.py`` regenerate their tables from the installed
   pandas and scikit-learn (skipped with ``--offline``).

The rows themselves (old API, replacement, how a fix rewrites it) are written
by hand in ``mlsmells/data/api_changes.py``, ``pandas_removed.py`` and
``torch_api.py``; their ``deprecated_in``, ``removed_in`` and
``replacement_since`` come from ``api_versions.py``. After a new release: add
it to :data:`RELEASES`, run the first command, review the diff of
``scripts/api_facts.json`` and of the rendered tables, run the tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from api_history import Release, version_key  # noqa: E402

FACTS = ROOT / "scripts" / "api_facts.json"
VERSIONS = ROOT / "mlsmells" / "data" / "api_versions.py"
WEIGHTS = ROOT / "mlsmells" / "data" / "torchvision_weights.py"
DEFAULT_CACHE = Path("/tmp/mlsmells-api-cache")

#: The minor releases examined, oldest first. The oldest is each library's *floor*:
#: a replacement present there is recorded as existing "since" the floor, which
#: means "in that release or earlier".
RELEASES: dict[str, tuple[str, ...]] = {
    "numpy": (
        "1.15", "1.16", "1.17", "1.18", "1.19", "1.20", "1.21", "1.22", "1.23", "1.24",
        "1.25", "1.26", "2.0", "2.1", "2.2", "2.3", "2.4",
    ),
    "pandas": (
        "0.19", "0.20", "0.21", "0.22", "0.23", "0.24", "0.25", "1.0", "1.1", "1.2", "1.3",
        "1.4", "1.5", "2.0", "2.1", "2.2", "2.3", "3.0", "3.1",
    ),
    "sklearn": (
        "0.18", "0.19", "0.20", "0.21", "0.22", "0.23", "0.24", "1.0", "1.1", "1.2", "1.3",
        "1.4", "1.5", "1.6", "1.7", "1.8", "1.9",
    ),
    "torch": (
        "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "2.0",
        "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11",
        "2.12", "2.13",
    ),
    "torchvision": (
        "0.12", "0.13", "0.14", "0.15", "0.16", "0.17", "0.18", "0.19", "0.20", "0.21",
        "0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29",
    ),
}  # fmt: skip

#: The distribution name on PyPI of each importable package.
DISTRIBUTIONS = {
    "numpy": "numpy",
    "pandas": "pandas",
    "sklearn": "scikit-learn",
    "torch": "torch",
    "torchvision": "torchvision",
}
_PYTHONS = ("3.11", "3.10", "3.9", "3.8", "3.7", "3.6")
#: Wheels of PyTorch for macOS are a tenth of the size of the Linux (CUDA) ones.
_PLATFORMS = {
    "torch": ("macosx_11_0_arm64", "macosx_14_0_arm64", "macosx_10_9_x86_64"),
    "torchvision": ("macosx_11_0_arm64", "macosx_14_0_arm64", "macosx_10_9_x86_64"),
}
_LINUX = (
    "manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64",
)  # fmt: skip


# ------------------------------------------------------------------- download


def _wheel(cache: Path, package: str, minor: str) -> Path | None:
    """The cached wheel of the newest release of ``minor`` (``1.0`` or ``1.0.2``)."""
    distribution = DISTRIBUTIONS[package].replace("-", "_")
    matches = [
        p
        for p in cache.glob(f"{distribution}-*.whl")
        if version_key(p.name.split("-")[1])[:2] == version_key(minor)
    ]
    if not matches:
        return None
    return max(matches, key=lambda p: (version_key(p.name.split("-")[1]), p.name))


def download(cache: Path, package: str, minor: str) -> Path:
    """The cached wheel of the newest ``minor.*`` release, downloaded when missing."""
    cache.mkdir(parents=True, exist_ok=True)
    found = _wheel(cache, package, minor)
    if found is not None:
        return found
    platforms = _PLATFORMS.get(package, _LINUX)
    requirement = f"{DISTRIBUTIONS[package]}=={minor}.*"
    for python in _PYTHONS:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary", ":all:", "--implementation", "cp", "--python-version", python,
            "--dest", str(cache), requirement,
        ]  # fmt: skip
        for platform in platforms:
            command[-1:-1] = ["--platform", platform]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            found = _wheel(cache, package, minor)
            if found is not None:
                print(f"downloaded {found.name}", file=sys.stderr)
                return found
    raise SystemExit(f"no wheel of {requirement} could be downloaded")


def _full_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


# ---------------------------------------------------------------------- probes


def requested() -> dict[str, set[str]]:
    """The probes the table rows ask about, by library (importing the tables records them)."""
    from mlsmells.data import api_history as history

    # Importing the tables records their probes (never reload them: the rules hold
    # their enums).
    for name in ("api_changes", "pandas_removed", "torch_api"):
        importlib.import_module(f"mlsmells.data.{name}")
    out: dict[str, set[str]] = {}
    for key in history.REQUESTED:
        library, _, probe = key.partition(":")
        out.setdefault(library, set()).add(probe)
    return out


def torchvision_builders(release: Release) -> dict[str, list[list[str | None]]]:
    """The model builders of one torchvision release (see gen_torchvision_weights.py)."""
    import gen_torchvision_weights as tv

    return {name: [list(item) for item in entry] for name, entry in tv.collect_zip(release).items()}


def collect(cache: Path, only: set[str] | None = None) -> dict[str, Any]:
    """Probe every release (of the libraries in ``only``; the others' facts are kept)."""
    wanted = requested()
    facts: dict[str, Any] = {"releases": {}, "probes": {}, "torchvision": {}}
    kept: dict[str, Any] = {}
    if only is not None and FACTS.exists():
        kept = json.loads(FACTS.read_text(encoding="utf-8"))
    for package, minors in RELEASES.items():
        if only is not None and package not in only and package in kept["releases"]:
            facts["releases"][package] = kept["releases"][package]
            facts["probes"][package] = kept["probes"][package]
            if package == "torchvision":
                facts["torchvision"] = kept["torchvision"]
            continue
        releases: dict[str, str] = {}
        answers: dict[str, dict[str, Any]] = {p: {} for p in sorted(wanted.get(package, ()))}
        builders_by_release: dict[str, dict[str, list[list[str | None]]]] = {}
        for minor in minors:
            wheel = download(cache, package, minor)
            releases[minor] = _full_version(wheel)
            release = Release(package, minor, wheel)
            for probe in answers:
                answer = release.answer(probe)
                if answer.present:
                    answers[probe][minor] = [answer.warns, answer.stated]
            if package == "torchvision":
                builders_by_release[minor] = torchvision_builders(release)
            print(f"{package} {releases[minor]}: probed", file=sys.stderr)
        facts["releases"][package] = releases
        facts["probes"][package] = answers
        if builders_by_release:
            latest = minors[-1]
            since = {}
            for builder in builders_by_release[latest]:
                since[builder] = next(m for m in minors if builder in builders_by_release[m])
            facts["torchvision"] = {
                "version": releases[latest],
                "builders": builders_by_release[latest],
                "since": since,
            }
    return facts


# ---------------------------------------------------------------------- render


def summarize(facts: dict[str, Any]) -> dict[str, tuple[str | None, ...]]:
    """probe -> (first present, last present, first warning, stated deprecation version)."""
    out: dict[str, tuple[str | None, ...]] = {}
    for package, probes in facts["probes"].items():
        order = list(facts["releases"][package])
        for probe, seen in probes.items():
            present = [m for m in order if m in seen]
            warned = [m for m in present if seen[m][0]]
            stated = [seen[m][1] for m in present if seen[m][1]]
            out[f"{package}:{probe}"] = (
                present[0] if present else None,
                present[-1] if present else None,
                warned[0] if warned else None,
                min(stated, key=version_key) if stated else None,
            )
    return out


def _literal(value: str | None) -> str:
    return "None" if value is None else f'"{value}"'


def render_versions(facts: dict[str, Any]) -> str:
    lines = [
        '"""When each API of the tables appeared, started warning and went away.',
        "",
        "GENERATED by scripts/gen_api_tables.py from the wheels of the releases listed in",
        "RELEASES (their facts: scripts/api_facts.json). Do not edit by hand: see",
        "docs/api-tables.md. Read through mlsmells.data.api_history.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "#: Library -> the minor releases examined, oldest first, with the wheel read for each.",
        "RELEASES: dict[str, tuple[tuple[str, str], ...]] = {",
    ]
    for package, releases in facts["releases"].items():
        lines.append(f'    "{package}": (')
        lines.extend(f'        ("{minor}", "{full}"),' for minor, full in releases.items())
        lines.append("    ),")
    lines += [
        "}",
        "",
        "#: ``library:probe`` -> (first release that has it, last release that has it, first",
        "#: release in which it warns, the oldest version its deprecation messages name).",
        "PROBES: dict[str, tuple[str | None, str | None, str | None, str | None]] = {",
    ]
    for key, values in sorted(summarize(facts).items()):
        entry = f'    "{key}": ({", ".join(_literal(v) for v in values)}),'
        if len(entry) <= 100:
            lines.append(entry)
        else:
            lines.append(f'    "{key}": (')
            lines.append(f"        {', '.join(_literal(v) for v in values)},")
            lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_weights(facts: dict[str, Any]) -> str:
    import gen_torchvision_weights as tv

    data = facts["torchvision"]
    builders = {
        name: tuple((str(a), str(b), c) for a, b, c in entry)
        for name, entry in data["builders"].items()
    }
    return tv.render(builders, data["version"], data["since"])


def outputs(facts: dict[str, Any]) -> dict[Path, str]:
    return {VERSIONS: render_versions(facts), WEIGHTS: render_weights(facts)}


def _write_facts(facts: dict[str, Any]) -> None:
    FACTS.write_text(json.dumps(facts, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def _other_generators(check: bool) -> int:
    status = 0
    for script in ("gen_pandas_api.py", "gen_sklearn_api.py"):
        command = [sys.executable, str(ROOT / "scripts" / script)] + (["--check"] if check else [])
        status |= subprocess.run(command, check=False).returncode
    return status


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where wheels are kept")
    parser.add_argument(
        "--offline", action="store_true", help="render from scripts/api_facts.json only"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(RELEASES), help="probe these libraries again only"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.offline:
        facts = json.loads(FACTS.read_text(encoding="utf-8"))
    else:
        facts = collect(args.cache, set(args.only) if args.only else None)
        if not args.check:
            _write_facts(facts)
    stale = []
    for path, text in outputs(facts).items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        if args.check:
            stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    if args.check:
        missing = sorted(
            f"{package}:{probe}"
            for package, probes in requested().items()
            for probe in probes
            if probe not in facts["probes"].get(package, {})
        )
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run {sys.argv[0]}", file=sys.stderr)
        for key in missing:
            print(f"no facts for {key}: run scripts/gen_api_tables.py", file=sys.stderr)
        if stale or missing:
            return 1
    if not args.offline:
        return _other_generators(args.check)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
