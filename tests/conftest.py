"""Shared pytest configuration."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(autouse=True, scope="session")
def _private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The result cache's key (in the user's cache directory) is made in a folder of the
    test session, never in the home directory of whoever runs the tests."""
    folder = tmp_path_factory.mktemp("user-cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved
