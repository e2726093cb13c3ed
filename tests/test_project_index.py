"""The project index: kinds that come from the project's own modules, the same in
``mlsmells check``, flake8 and pylint (each run as a subprocess on a fixture project),
in notebooks, and kept fresh when a module changes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlsmells import registry
from mlsmells.engine.walk import summarize
from mlsmells.semantic import index
from mlsmells.semantic.kinds import Output
from tests.fixture_util import FIXTURES, PYLINT_MLSMELLS

PROJECT = FIXTURES.parent / "projects" / "kaggle"
MAIN = PROJECT / "main.py"
#: The codes whose findings in ``MAIN`` come from the project's other modules.
CODES = ("ML204", "ML206", "ML405", "ML408", "ML410", "ML414", "ML415", "ML417")


def expectations(path: Path) -> set[tuple[int, str]]:
    """(line, code) of each ``# error: MLxxx`` comment in ``path``."""
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "# error:" in line:
            for code in line.split("# error:")[1].split(","):
                found.add((number, code.strip()))
    return found


def _run(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_check_sees_kinds_from_the_projects_modules() -> None:
    proc = _run(
        "mlsmells", "check", "--no-cache", "--select=ALL", "--output-format=json", MAIN.name
    )
    found = {(r["location"]["row"], r["code"]) for r in json.loads(proc.stdout)}
    found = {(line, code) for line, code in found if code in CODES}
    assert found == expectations(MAIN)


def test_flake8_sees_the_same() -> None:
    select = "--select=ML2," + ",".join(CODES[2:])
    proc = _run("flake8", "--isolated", select, "--format=%(row)d %(code)s", MAIN.name)
    found = {(int(line), code) for line, code in (row.split() for row in proc.stdout.splitlines())}
    assert found == expectations(MAIN)


def test_pylint_sees_the_same() -> None:
    proc = _run(
        "pylint",
        *PYLINT_MLSMELLS,
        "--msg-template={line} {msg}",
        "main.py",
    )
    rows = [r.split()[:2] for r in proc.stdout.splitlines() if not r.startswith("*")]
    found = {(int(line), code) for line, code in rows if code in CODES}
    assert found == expectations(MAIN)


def test_a_notebook_of_the_project_imports_its_modules(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Exploring"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": ["import utils\n", "train, test = utils.load_both()\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
         "source": ["grid = utils.load_grid()\n", "arr = test.values\n", "g = grid.values\n"]},
    ]  # fmt: skip
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    proc = _run("mlsmells", "check", "--no-cache", "--select=ML206", "--output-format=json",
                "explore.ipynb", cwd=project)  # fmt: skip
    found = [(r["cell"], r["location"]["row"]) for r in json.loads(proc.stdout)]
    assert found == [(3, 2)]


def _findings(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    found = registry.engine(frozenset({"ML206"})).run_source(source, str(path))
    return [(d.line, d.code) for d in found]


def test_a_changed_module_is_summarised_again(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\n", encoding="utf-8")
    helper = tmp_path / "helpers.py"
    helper.write_text("import pandas as pd\ndef load():\n    return pd.read_csv('a')\n", "utf-8")
    script = tmp_path / "run.py"
    script.write_text("import helpers\nx = helpers.load().values\n", encoding="utf-8")
    assert _findings(script) == [(2, "ML206")]
    # A change of size is enough for the index to read the module again.
    helper.write_text("import numpy as np\ndef load():\n    return np.zeros(3)\n", "utf-8")
    assert _findings(script) == []


def test_the_project_root_and_what_is_outside(tmp_path: Path) -> None:
    (tmp_path / "proj" / "src" / "lib").mkdir(parents=True)
    (tmp_path / "proj" / ".git").mkdir()
    (tmp_path / "proj" / "notebooks").mkdir()
    script = tmp_path / "proj" / "notebooks" / "run.py"
    assert index.project_root(script) == (tmp_path / "proj").resolve()
    lone = tmp_path / "lone" / "x.py"
    lone.parent.mkdir()
    assert index.project_root(lone) == lone.parent.resolve()
    # src/ layouts: ``import lib`` from a notebook folder finds src/lib.
    (tmp_path / "proj" / "src" / "lib" / "__init__.py").write_text(
        "import pandas as pd\ndef load():\n    return pd.read_csv('a')\n", "utf-8"
    )
    script.write_text("import lib\ny = lib.load().values\n", encoding="utf-8")
    assert _findings(script) == [(2, "ML206")]
    # A module reached through a link out of the project is not read.
    outside = tmp_path / "elsewhere.py"
    outside.write_text("import pandas as pd\ndef load():\n    return pd.read_csv('a')\n", "utf-8")
    (tmp_path / "proj" / "src" / "linked.py").symlink_to(outside)
    script.write_text("import linked\ny = linked.load().values\n", encoding="utf-8")
    assert _findings(script) == []


@pytest.mark.parametrize(
    "helper",
    [
        "this is not python\n",
        "import pandas as pd\n" + "x = (" * 200 + "1" + ")" * 200 + "\n",
        "\xff\xfe not utf-8",
    ],
    ids=["syntax-error", "deep", "undecodable"],
)
def test_a_module_that_cannot_be_summarised_is_unknown(tmp_path: Path, helper: str) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "helpers.py").write_bytes(helper.encode("utf-8", "surrogateescape"))
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            """\
            import helpers
            import pandas as pd
            a = helpers.load().values
            b = pd.read_csv("x").values
            """
        ),
        encoding="utf-8",
    )
    assert _findings(script) == [(4, "ML206")]


def test_a_cached_result_is_stale_when_a_module_it_imports_changes(tmp_path: Path) -> None:
    """Through the CLI with its result cache: the importing file itself is unchanged."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    helper = tmp_path / "helpers.py"
    helper.write_text("import numpy as np\ndef load():\n    return np.zeros(3)\n", "utf-8")
    (tmp_path / "run.py").write_text("import helpers\nx = helpers.load().values\n", "utf-8")

    def check() -> str:
        proc = _run("mlsmells", "check", "--select=ML206", "run.py", cwd=tmp_path)
        return proc.stdout

    assert "All checks passed" in check()
    assert "All checks passed" in check()  # from the cache
    helper.write_text("import pandas as pd\ndef load():\n    return pd.read_csv('a')\n", "utf-8")
    assert "run.py:2:5: ML206" in check()


def test_a_summary_says_what_a_models_forward_returns(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    models = tmp_path / "models.py"
    models.write_text(
        textwrap.dedent(
            """\
            import torch
            import torch.nn as nn
            import torch.nn.functional as F

            class Probs(nn.Module):
                def forward(self, x):
                    x = F.softmax(x, dim=1)
                    return x.view(-1, 10)

            class Scores(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.head = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
                def forward(self, x):
                    return self.head(x)

            class Wrapper(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.inner = Probs()
                def forward(self, x):
                    return self.inner(x)[:, 0]

            class Mixed(nn.Module):
                def forward(self, x):
                    if self.training:
                        return x
                    return torch.softmax(x, 1)

            class Branches(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.main = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
                def forward(self, x):
                    if x.is_cuda:
                        out = nn.parallel.data_parallel(self.main, x)
                    else:
                        out = self.main(x)
                    return out.view(-1)

            class OneBranch(nn.Module):
                def forward(self, x):
                    if self.training:
                        x = torch.sigmoid(x)
                    return x

            class Shifted(nn.Module):
                def forward(self, x):
                    x = torch.sigmoid(x)
                    x += 1
                    return x

            class Both(nn.Module):
                def forward(self, x):
                    return torch.sigmoid(x), x

            class LogProbs(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.softmax = nn.LogSoftmax(dim=1)
                def forward(self, x):
                    return self.softmax(x)

            class Loop(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.again = Loop()
                def forward(self, x):
                    return self.again(x)

            class NotAModel:
                def forward(self, x):
                    return torch.softmax(x, 1)
            """
        ),
        encoding="utf-8",
    )
    summary = index.index_for(models, summarize).summary(models)
    assert summary is not None
    outputs = {name: klass.output for name, klass in summary.classes.items()}
    assert outputs == {
        "Probs": Output.SOFTMAX,
        "Scores": Output.SIGMOID,
        "Wrapper": Output.SOFTMAX,
        "Mixed": None,  # logits in training
        "Branches": Output.SIGMOID,
        "OneBranch": None,
        "Shifted": None,
        "Both": None,  # a tuple
        "LogProbs": None,  # log-probabilities, whatever the attribute's name
        "Loop": None,
        "NotAModel": None,
    }


def test_functions_of_unknown_kind_share_one_summary(tmp_path: Path) -> None:
    """A run keeps the summary of every module it checked: the functions nothing is known
    of (most of them) are one object, not one each."""
    (tmp_path / "pyproject.toml").write_text("")
    helpers = tmp_path / "helpers.py"
    helpers.write_text(
        textwrap.dedent(
            """\
            import pandas as pd

            def load(path):
                return pd.read_csv(path)

            def log(message):
                print(message)

            class Trainer:
                def step(self):
                    pass
            """
        ),
        encoding="utf-8",
    )
    summary = index.index_for(helpers, summarize).summary(helpers)
    assert summary is not None
    log, step = summary.functions["log"], summary.classes["Trainer"].methods["step"]
    assert log is index.UNKNOWN_FUNCTION and step is index.UNKNOWN_FUNCTION
    assert summary.functions["load"] is not index.UNKNOWN_FUNCTION
    assert summary.functions["load"].returns is not None


def test_a_star_import_re_exports_the_libraries_its_modules_import(tmp_path: Path) -> None:
    """``from alaska import *`` where ``alaska/__init__.py`` star-imports ``.optim``, which
    imports torch: ``torch`` is torch (its ``manual_seed`` seeds the loader's shuffling)."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    package = tmp_path / "alaska"
    package.mkdir()
    (package / "__init__.py").write_text("from .optim import *\nfrom .hidden import *\n", "utf-8")
    (package / "optim.py").write_text("import torch\n\ndef get_optimizer():\n    pass\n", "utf-8")
    (package / "hidden.py").write_text(
        "import numpy as np\nimport torch as _torch\n__all__ = ['size']\nsize = 3\n", "utf-8"
    )
    loader = "from torch.utils.data import DataLoader\nloader = DataLoader(ds, shuffle=True)\n"
    seeded = tmp_path / "seeded.py"
    seeded.write_text("from alaska import *\ntorch.manual_seed(0)\n" + loader, "utf-8")
    unseeded = tmp_path / "unseeded.py"
    # (``np`` is not in hidden's ``__all__``: not numpy here, so no ML102)
    unseeded.write_text("from alaska import *\nx = np.random.rand(3)\n" + loader, "utf-8")
    engine = registry.engine(frozenset({"ML104", "ML102"}))
    for path, expected in ((seeded, []), (unseeded, [(4, "ML104")])):
        found = engine.run_source(path.read_text(encoding="utf-8"), str(path))
        assert [(d.line, d.code) for d in found] == expected


def test_a_star_import_summarises_a_module_only_if_its_text_may_export_the_name(
    tmp_path: Path,
) -> None:
    """``from plain import *``: a name the module's text never spells, in a module that
    star-imports nothing itself, is not one of its names, and answering so takes no walk of
    it (transformers' ``__init__`` modules star-import every module of their package, and
    their ``globals()`` had each of them summarised). A name it spells, even in another
    form of the same identifier (NFKC), or one a star import of its own may bring, takes
    the summary; so does the name once the module's text changes to spell it."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    importer = tmp_path / "main.py"
    importer.write_text("from plain import *\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("import torch\n\n\ndef load():\n    return 1\n", encoding="utf-8")
    (tmp_path / "wide.py").write_text("def \uff47lobals():\n    pass\n", encoding="utf-8")
    (tmp_path / "starred.py").write_text("from plain import \\\n    *\n", encoding="utf-8")
    walked: list[str] = []

    def counting(
        project: index.ProjectIndex, path: Path, data: bytes
    ) -> index.ModuleSummary | None:
        walked.append(path.stem)
        return summarize(project, path, data)

    project = index.index_for(importer, counting)

    def star_name(module: str, name: str) -> tuple[str, bool] | None:
        return project.star_name(importer, module, name, used, set())

    used: dict[Path, str] = {}
    assert star_name("plain", "globals") is None
    assert walked == []
    digest = hashlib.sha256(plain.read_bytes()).hexdigest()
    assert used == {plain.resolve(): digest}  # a cached result depends on it all the same
    assert star_name("plain", "load") == ("plain.load", False)
    assert star_name("wide", "globals") == ("wide.globals", False)
    assert star_name("starred", "globals") is None
    assert walked == ["plain", "wide", "starred"]
    plain.write_text("def globals():\n    pass\n", encoding="utf-8")
    assert star_name("plain", "globals") == ("plain.globals", False)


def test_the_import_lines_of_a_module(tmp_path: Path) -> None:
    text = (
        "import a.b as c, d  # two\r\n"
        "from .x import y\r\n"
        "    import e\n"
        "from f import (g,\n    h)\n"
        "x = 'import z'\n"
        "from ..k.l import m\n"
        "import n"
    )
    assert index._imported(text) == ["a.b as c, d", ".x", "e", "f", "..k.l", "n"]
    # A project module with Windows line endings imports torch as any other does.
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "helpers.py").write_bytes(b"import torch\r\n\r\nx = 1\r\n")
    user = tmp_path / "user.py"
    user.write_text("from helpers import *\n", encoding="utf-8")
    found = index.index_for(user, summarize).libraries_of(user)[0]
    assert "torch" in found


def test_a_fifo_named_like_a_module_is_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    os.mkfifo(tmp_path / "helpers.py")
    (tmp_path / "run.py").write_text(
        "import helpers\nimport pandas as pd\nx = helpers.load().values\n", "utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mlsmells", "check", "--no-cache", "--select=ML206", "run.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "run.py" not in proc.stdout and "Traceback" not in proc.stderr


@pytest.fixture
def summarised(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The modules the engine walks to summarise them (none checked yet), as they come."""
    from mlsmells.engine import walk

    found: list[Path] = []

    def counting(index: object, path: Path, data: bytes) -> object:
        found.append(path)
        return summarize(index, path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(walk, "summarize", counting)
    return found


def _module_and_importer(folder: Path, newline: str = "\n") -> tuple[Path, Path]:
    """``helpers.py`` returning a frame, and ``train.py`` calling it (an ML204 there)."""
    helpers = folder / "helpers.py"
    helpers.write_bytes(
        f"import pandas as pd{newline}{newline}{newline}def load(path):{newline}"
        f"    return pd.read_csv(path){newline}".encode()
    )
    train = folder / "train.py"
    train.write_text("import helpers\n\ndf = helpers.load('x.csv')\ndf.dropna(inplace=True)\n")
    return helpers, train


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_flake8_plugin_walks_a_module_checked_before_its_importer_once(
    tmp_path: Path, summarised: list[Path], newline: str
) -> None:
    """A module flake8 checks first leaves its summary for the files importing it, as in
    ``mlsmells check`` (Windows newlines too: flake8's lines, as the check's, have them
    translated): the importer's walk needs no walk of its own to summarise it."""
    from flake8.api.legacy import get_style_guide
    from flake8.main.options import JobsArgument

    helpers, train = _module_and_importer(tmp_path, newline)
    style = get_style_guide(select=["ML204"], jobs=JobsArgument("1"))
    report = style.check_files([str(helpers), str(train)])
    assert report.get_statistics("ML204")  # the kind of ``df`` comes from the summary
    assert summarised == []


def test_the_pylint_plugin_walks_a_module_checked_before_its_importer_once(
    tmp_path: Path, summarised: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """As with flake8: the module pylint checks first leaves its summary for its importer."""
    from pylint.lint import Run

    helpers, train = _module_and_importer(tmp_path)
    pylint_id = registry.RULES["ML204"].pylint_id
    options = ["--load-plugins=mlsmells.pylint_plugin", "--disable=all", f"--enable={pylint_id}"]
    Run([*options, "-j", "1", str(helpers), str(train)], exit=False)
    assert "ML204" in capsys.readouterr().out  # the kind of ``df`` comes from the summary
    assert summarised == []


def test_a_module_named_like_a_library_imports_the_library_not_itself(
    tmp_path: Path, summarised: list[Path]
) -> None:
    """``import pandas`` in ``pkg/pandas.py``: the library (no walk of the file to
    summarise it as a module of the project)."""
    from mlsmells import runner

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    shadowing = tmp_path / "pkg" / "pandas.py"
    shadowing.write_text(
        "import pandas as pd\n\n\ndef clean(path):\n"
        "    df = pd.read_csv(path)\n    df.dropna(inplace=True)\n    return df\n"
    )
    result = runner.check_file(shadowing, frozenset({"ML204"}))
    assert [d.code for d in result.diagnostics] == ["ML204"]
    assert summarised == []
    assert index.index_for(shadowing, summarize).module_path(shadowing, "pandas") is None
