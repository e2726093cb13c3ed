"""The versions of the API tables: generated from the libraries' releases, and consistent.

``scripts/gen_api_tables.py`` reads every examined release and records its
findings in ``scripts/api_facts.json``; from those facts alone (no network) it
must render exactly the committed ``mlsmells/data/api_versions.py`` and
``torchvision_weights.py``, and every probe a table row asks about must be in
the facts. Then every row's ``deprecated_in``/``removed_in``/``replacement_since``
must agree with what the row says by hand (its ``version``, ``removed``...).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlsmells.data import api_changes, api_history, pandas_removed, torch_api
from mlsmells.data.api_changes import Repl, Status, Where
from mlsmells.data.api_history import floor, version_key
from mlsmells.registry import engine, select_codes
from tests.fixture_util import FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def _generator():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_api_tables
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return gen_api_tables


def test_committed_tables_are_what_the_facts_render() -> None:
    assert _generator().main(["--offline", "--check"]) == 0


def test_every_requested_probe_has_facts() -> None:
    from mlsmells.data.api_versions import PROBES

    missing = sorted(key for key in api_history.REQUESTED if key not in PROBES)
    assert not missing, "run scripts/gen_api_tables.py: " + ", ".join(missing)
    never = sorted(key for key in api_history.REQUESTED if PROBES[key][0] is None)
    assert not never, f"probes no release examined has (a typo?): {never}"


def _le(a: str | None, b: str | None) -> bool:
    return a is None or b is None or version_key(a) <= version_key(b)


# --------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("change", list(api_changes.NUMPY.values()), ids=lambda c: c.name)
def test_numpy_versions(change: api_changes.NumpyChange) -> None:
    if change.status is Status.REMOVED:
        assert change.removed_in == change.version
    else:
        assert change.removed_in is None and change.deprecated_in == change.version
    assert change.deprecated_in is not None
    assert _le(change.deprecated_in, change.removed_in)
    assert change.replacement == change.new
    if change.repl in (Repl.ATTR, Repl.NEGATED) or (
        change.repl is Repl.CALL and change.target != "item"
    ):
        # A safe fix: the replacement exists in every release examined (NumPy's scalar
        # types, made at import time before the 1.20 stubs listed them, included).
        assert change.replacement_since == floor("numpy")
    elif change.repl is Repl.NUMPY2:
        # An unsafe fix: the replacement is younger than the oldest releases.
        assert change.replacement_since is not None
        assert version_key(change.replacement_since) > version_key(floor("numpy"))
    else:
        assert change.replacement_since is None


# -------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize(
    "change", list(api_changes.SKLEARN), ids=lambda c: f"{c.where.value}-{c.old}-{c.version}"
)
def test_sklearn_versions(change: api_changes.SklearnChange) -> None:
    assert change.removed_in == change.version
    assert change.deprecated_in is not None
    assert _le(change.deprecated_in, change.removed_in)
    literal = change.where is Where.VALUE and not change.new.startswith('"')
    if change.safe and change.where is not Where.MODULE and not literal:
        assert change.replacement_since is not None


def test_sklearn_renamed_keyword_needs_its_release() -> None:
    """Why ``sparse`` -> ``sparse_output`` is not safe for every project: 1.2 added it."""
    sparse = api_changes.SKLEARN_KEYWORDS[("sklearn.preprocessing.OneHotEncoder", "sparse")]
    assert sparse.replacement_since == "1.2" and sparse.deprecated_in == "1.2"


# -------------------------------------------------------------------- pandas


@pytest.mark.parametrize(
    "entry", pandas_removed.TABLE, ids=lambda e: f"{e.where.value}:{e.name}:{e.owners[:1]}"
)
def test_pandas_versions(entry: pandas_removed.Removed) -> None:
    assert entry.removed_in == entry.removed
    assert entry.deprecated_in == entry.deprecated
    assert _le(entry.replacement_since, entry.removed_in)


# ------------------------------------------------------------------- PyTorch


@pytest.mark.parametrize(
    "entry", list(torch_api.DEPRECATED.values()), ids=lambda e: e.qualname
)
def test_torch_versions(entry: torch_api.TorchDeprecation) -> None:
    assert (entry.removed_in is not None) is entry.removed
    assert entry.deprecated_in is not None
    assert version_key(entry.deprecated_in) <= version_key(entry.version)
    assert _le(entry.deprecated_in, entry.removed_in)
    if entry.target:
        assert entry.replacement_since is not None


def test_amp_scaler_needs_torch_2_3() -> None:
    """Why ``torch.amp.GradScaler("cuda")`` is no fix for a project supporting torch < 2.3."""
    assert torch_api.DEPRECATED["torch.cuda.amp.GradScaler"].replacement_since == "2.3"


def test_torchvision_builders_have_their_weights_release() -> None:
    from mlsmells.data import torchvision_weights

    assert set(torchvision_weights.WEIGHTS_SINCE) == set(torchvision_weights.LEGACY_WEIGHTS)
    assert torchvision_weights.WEIGHTS_SINCE["torchvision.models.resnet50"] == "0.13"


# ------------------------------------------------------------------ fixtures


def _found(code: str) -> list[dict[str, str]]:
    """The data of every finding of ``code`` in its detection fixtures."""
    found = []
    for path in sorted(FIXTURES.glob(f"{code}*.py")):
        source = path.read_text(encoding="utf-8")
        found += [dict(d.data) for d in engine(select_codes([code])).run_source(source, str(path))]
    return found


def test_every_numpy_row_is_detected_by_a_fixture() -> None:
    names = {data["name"] for data in _found("ML301")}
    assert not set(api_changes.NUMPY) - names


def test_every_sklearn_row_is_detected_by_a_fixture() -> None:
    seen = {(d["where"], d["old"], d.get("callable", "")) for d in _found("ML501")}
    for change in api_changes.SKLEARN:
        if change.callables:
            detected = any((change.where.value, change.old, q) in seen for q in change.callables)
        else:
            detected = any(key[:2] == (change.where.value, change.old) for key in seen)
        assert detected, change


def test_every_pandas_row_is_detected_by_a_fixture() -> None:
    seen = {(d["where"], d["name"]) for d in _found("ML208")}
    assert not {(e.where.value, e.name) for e in pandas_removed.TABLE} - seen


def test_every_torch_row_is_detected_by_a_fixture() -> None:
    found = _found("ML412")
    apis = {d["api"] for d in found if "api" in d}
    forms = {d["form"] for d in found if "form" in d}
    assert not set(torch_api.DEPRECATED) - apis
    expected_forms = {
        "reduction", "implicit-dim", "torchvision", "loader-next", "verbose", "epoch",
        "rename-attribute",
    }  # fmt: skip
    assert not expected_forms - forms
