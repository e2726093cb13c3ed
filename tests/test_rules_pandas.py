"""Fixer data of ML101, ML201, ML202 and ML209: what each finding hands to its fix."""

from __future__ import annotations

import pytest

from mlsmells import registry
from mlsmells.diagnostics import Diagnostic


def findings(code: str, source: str) -> list[Diagnostic]:
    return [d for d in registry.engine(frozenset({code})).run_source(source) if d.code == code]


def only(code: str, source: str) -> Diagnostic:
    found = findings(code, source)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("call", "state"),
    [
        ("RandomForestClassifier()", "missing"),
        ("RandomForestClassifier(random_state=None)", "none"),
        ("KFold(5, shuffle=True, random_state=None)", "none"),
    ],
)
def test_ml101_data(call: str, state: str) -> None:
    source = (
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.model_selection import KFold\n"
        f"m = {call}\n"
    )
    found = only("ML101", source)
    assert found.get("random_state") == state
    assert (found.get("callee") or "").startswith("sklearn.")
    assert found.text.endswith("is not set" if state == "missing" else "is None")


def test_ml101_unused_random_state_none_is_silent() -> None:
    source = "from sklearn.model_selection import KFold\ncv = KFold(5, random_state=None)\n"
    assert findings("ML101", source) == []


@pytest.mark.parametrize(
    ("statement", "shape"),
    [
        ('df["a"]["b"] = 1', "getitem-getitem"),
        ('df.loc[m]["b"] = 1', "loc-getitem"),
        ('df["a"].iloc[0] = 1', "getitem-iloc"),
        ("df.price[0] = 1", "attr-getitem"),
        ('df["a"][0][1] = 1', "getitem-getitem-getitem"),
        ('df["a"].fillna(0, inplace=True)', "inplace-method"),
    ],
)
def test_ml201_shape(statement: str, shape: str) -> None:
    source = f'import pandas as pd\ndf = pd.read_csv("x.csv")\n{statement}\n'
    assert only("ML201", source).get("shape") == shape


def test_ml201_reports_the_target_and_the_call() -> None:
    source = 'import pandas as pd\ndf = pd.DataFrame()\nx = df["a"][0] = 5\n'
    found = only("ML201", source)
    assert (found.line, found.col, found.end_col) == (3, 4, 14)
    source = 'import pandas as pd\ndf = pd.DataFrame()\nif 1:\n    df["a"].dropna(inplace=True)\n'
    found = only("ML201", source)
    assert (found.line, found.col) == (4, 4)
    assert found.get("method") == "dropna"


def test_ml202_reports_the_call() -> None:
    source = "import pandas as pd\ndf = pd.DataFrame()\ndf = df.dropna(inplace=True)\n"
    found = only("ML202", source)
    assert (found.line, found.col) == (3, 5)
    assert found.get("method") == "dropna"


def test_ml202_needs_a_pandas_import() -> None:
    assert findings("ML202", "df = df.dropna(inplace=True)\n") == []


@pytest.mark.parametrize(
    ("imports", "expr", "replacement", "negate", "extra"),
    [
        ("import pandas as pd\nimport numpy as np", "x == np.nan", "pd.isna", "", {}),
        ("import pandas as pd\nimport numpy as np", "x != np.nan", "pd.notna", "", {}),
        ("import numpy as np", "x != np.nan", "np.isnan", "~", {}),
        ("import math", "x is not math.nan", "math.isnan", "not ", {}),
        ("from numpy import nan", "nan == x", "numpy.isnan", "", {"import": "numpy"}),
        ("", 'x == float("nan")', "math.isnan", "", {"import": "math"}),
        (
            "import numpy as np\nimport torch\nx = torch.zeros(3)",
            "x != np.nan",
            "torch.isnan",
            "~",
            {},
        ),
    ],
)
def test_ml209_replacement(
    imports: str, expr: str, replacement: str, negate: str, extra: dict[str, str]
) -> None:
    found = only("ML209", f"{imports}\ny = {expr}\n")
    assert found.get("replacement") == replacement
    assert found.get("negate") == negate
    for key, value in extra.items():
        assert found.get(key) == value
    assert found.get("import") == extra.get("import")


def test_ml209_sides_ops_and_aliases() -> None:
    source = "import pandas as pds\nimport numpy\ny = numpy.nan is not x\n"
    found = only("ML209", source)
    assert found.get("op") == "is not"
    assert found.get("nan_side") == "left"
    assert found.get("nan") == "numpy.nan"
    assert (found.get("pandas"), found.get("numpy"), found.get("math")) == ("pds", "numpy", None)
    assert "numpy.nan is not ..." in found.message


def test_ml209_alias_shadowed_in_a_function_is_not_offered() -> None:
    source = "import numpy as np\ndef f(x, np=None):\n    import math\n    return x == math.nan\n"
    found = only("ML209", source)
    assert found.get("numpy") is None
    assert found.get("replacement") == "math.isnan"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('import polars as pl\nimport numpy as np\ne = pl.col("x") == np.nan\n', False),
        ('import polars\nimport numpy as np\ne = np.nan != polars.col("x").abs()\n', False),
        ("import polars as pl\nimport numpy as np\ndef f(v):\n    return v == np.nan\n", False),
        (
            "import polars as pl\nimport pandas as pd\nimport numpy as np\n"
            'df = pd.read_csv("x.csv")\nm = df["a"] == np.nan\n',
            True,
        ),
        ("import numpy as np\ndef f(v):\n    return v == np.nan\n", True),
    ],
)
def test_ml209_polars_compares_nan_equal(source: str, flagged: bool) -> None:
    assert bool(findings("ML209", source)) is flagged


@pytest.mark.parametrize(
    ("method", "qualified"),
    [("dropna()", False), ("fillna(0)", True), ("clip(0, 1)", True), ("sort_values('a')", False)],
)
def test_ml202_message_says_when_none_is_returned(method: str, qualified: bool) -> None:
    call = method.replace(")", ", inplace=True)").replace("(, ", "(")
    source = f"import pandas as pd\ndf = pd.DataFrame()\ndf = df.{call}\n"
    found = only("ML202", source)
    assert ("returns None before pandas 3.0;" in found.message) is qualified
