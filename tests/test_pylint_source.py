"""The pylint plugin imports the engine and the rules from their source, never from the
compiled build (a compiled module keeps astroid's trees alive at pylint's exit:
docs/performance.md), and its import hook is gone when the interpreter exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
from pathlib import Path

import pytest

from mlsmells import pylint_plugin
from mlsmells.pylint_plugin import SourceFirst, compiled_loaded, run_from_source

#: What ``atexit.register`` was asked: the function and its arguments.
Registered = list[tuple[Callable[..., object], tuple[object, ...]]]


@pytest.fixture
def twins(tmp_path: Path) -> Iterator[Path]:
    """A package ``twinpkg`` whose ``mod`` has a source and a (broken) compiled twin, and
    whose ``plain`` has only a source."""
    package = tmp_path / "twinpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("ORIGIN = 'source'\n")
    (package / ("mod" + EXTENSION_SUFFIXES[0])).write_bytes(b"not a shared library")
    (package / "plain.py").write_text("ORIGIN = 'plain'\n")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n == "twinpkg" or n.startswith("twinpkg.")]:
        del sys.modules[name]


def test_the_compiled_twin_is_what_a_normal_import_takes(twins: Path) -> None:
    with pytest.raises(ImportError):
        import twinpkg.mod  # noqa: F401


def test_source_first_imports_the_source_of_a_compiled_twin(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finder = SourceFirst("twinpkg")
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    import twinpkg.mod

    assert twinpkg.mod.ORIGIN == "source"
    assert twinpkg.mod.__spec__ is not None
    assert twinpkg.mod.__spec__.origin == str(twins / "mod.py")
    assert twinpkg.mod.__spec__.cached is not None  # (bytecode is cached as usual)


def test_source_first_leaves_everything_else_to_the_normal_finders(twins: Path) -> None:
    finder = SourceFirst("twinpkg")
    assert finder.find_spec("twinpkg.plain", [str(twins)]) is None
    assert finder.find_spec("twinpkg", None) is None
    assert finder.find_spec("otherpkg.mod", [str(twins)]) is None
    assert finder.find_spec("twinpkg.missing", [str(twins)]) is None
    spec = finder.find_spec("twinpkg.mod", [str(twins)])
    assert spec is not None and spec.origin == str(twins / "mod.py")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Registered:
    """What ``atexit.register`` is asked, without registering it in the test process."""
    calls: Registered = []

    def register(function: Callable[..., object], *args: object) -> None:
        calls.append((function, args))

    monkeypatch.setattr(pylint_plugin.atexit, "register", register)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    return calls


def test_the_hook_is_installed_and_taken_out_at_exit(
    registered: Registered,
) -> None:
    assert not compiled_loaded("fakepkg")
    run_from_source("fakepkg")
    finder = sys.meta_path[0]
    assert isinstance(finder, SourceFirst) and finder.prefix == "fakepkg."
    [(function, args)] = registered
    function(*args)
    assert finder not in sys.meta_path
    function(*args)  # (already out: nothing to do, no error)


def test_a_compiled_module_already_imported_keeps_the_compiled_build(
    registered: Registered,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = types.ModuleType("fakepkg.x")
    module.__loader__ = ExtensionFileLoader("fakepkg.x", "/nowhere/x" + EXTENSION_SUFFIXES[0])
    monkeypatch.setitem(sys.modules, "fakepkg.x", module)
    assert compiled_loaded("fakepkg")
    before = list(sys.meta_path)
    run_from_source("fakepkg")
    assert sys.meta_path == before
    assert registered == []


def test_pylint_with_the_plugin_loads_no_compiled_module(tmp_path: Path) -> None:
    """The real plugin in a real pylint run, on whichever build is installed (CI runs the
    tests on both)."""
    (tmp_path / "train.py").write_text(
        "from sklearn.ensemble import RandomForestClassifier\n"
        "model = RandomForestClassifier()\n"
    )
    script = textwrap.dedent(
        """
        import atexit, sys
        from importlib.machinery import ExtensionFileLoader

        def hooks_left():
            left = [f for f in sys.meta_path if type(f).__name__ == "SourceFirst"]
            print("hooks left at exit:", len(left), flush=True)

        atexit.register(hooks_left)  # (before the plugin's: runs after it)
        from pylint.lint import Run
        Run(["--disable=all", "--enable=ml-random-state-not-set", "--score=n",
             "--persistent=n", "--load-plugins=mlsmells.pylint_plugin", "train.py"],
            exit=False)
        compiled = [n for n, m in list(sys.modules.items()) if n.startswith("mlsmells.")
                    and isinstance(getattr(m, "__loader__", None), ExtensionFileLoader)]
        print("compiled modules:", compiled, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "ML101" in done.stdout
    assert "compiled modules: []" in done.stdout
    assert done.stdout.rstrip().endswith("hooks left at exit: 0")
