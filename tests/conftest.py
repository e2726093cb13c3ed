"""Shared pytest configuration."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_result_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets an empty ``mlsmells check`` result cache of its own: no result of
    another test (or of a monkeypatched rule) is reused, and the repository stays clean."""
    folder = tmp_path_factory.mktemp("mlsmells-cache")
    monkeypatch.setenv("MLSMELLS_CACHE_DIR", str(folder))
    return folder
