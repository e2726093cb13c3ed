"""Kinds across the functions of a file (mlsmells/semantic/program.py): parameters from
the calls, return kinds, evidence from later uses, and what must stay unknown. ML206
(``.values`` on a pandas object) is the probe: it reports only what the model knows."""

from __future__ import annotations

import textwrap

import pytest

from mlsmells import registry


def lines_reported(source: str, code: str = "ML206") -> list[int]:
    found = registry.engine(frozenset({code})).run_source(textwrap.dedent(source))
    return [d.line for d in found if d.code == code]


HEAD = "import pandas as pd\nimport numpy as np\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            """
            def prepare_X(df):
                df_num = df[["a", "b"]].fillna(0)
                return df_num.values
            X_train = prepare_X(pd.read_csv("train.csv"))
            """,
            [6],
            id="parameter-from-the-call",
        ),
        pytest.param(
            """
            def prepare_X(df):
                return df.values
            prepare_X(pd.read_csv("a.csv"))
            prepare_X(np.zeros(3))
            """,
            [],
            id="calls-disagree",
        ),
        pytest.param(
            """
            def prepare_X(df):
                return df.values
            prepare_X(pd.read_csv("a.csv"))
            prepare_X(unknown)
            """,
            [5],
            id="unknown-caller-does-not-veto",
        ),
        pytest.param(
            """
            def prepare_X(df: np.ndarray):
                return df.values
            prepare_X(pd.read_csv("a.csv"))
            """,
            [],
            id="annotated-otherwise",
        ),
        pytest.param(
            """
            def never_called(df):
                return df.values
            """,
            [],
            id="parameter-without-calls",
        ),
        pytest.param(
            """
            def load(path):
                if path is None:
                    return None
                return pd.read_pickle(path)
            prev = load("prev.pkl")
            arr = prev.values
            """,
            [9],
            id="return-kind",
        ),
        pytest.param(
            """
            def main():
                train = load()
                return train.values
            def load():
                return pd.read_csv("a.csv")
            main()
            """,
            [6],
            id="function-defined-further-down",
        ),
        pytest.param(
            """
            def read_data():
                train = pd.read_csv("train.csv")
                test = pd.read_csv("test.csv")
                return train, test, 3
            train, test, n = read_data()
            x = test.values
            y = n.values
            """,
            [9],
            id="tuple-return",
        ),
        pytest.param(
            """
            from sklearn.cross_validation import train_test_split
            df = pd.read_csv("a.csv")
            X_train, X_test, y_train, y_test = train_test_split(df[["a"]], df["b"])
            a = X_train.values
            b = y_test.values
            """,
            [7, 8],
            id="split-parts",
        ),
        pytest.param(
            """
            class Model:
                def fit(self, frame):
                    return self.prepare(frame)
                def prepare(self, data):
                    return data.values
            Model().fit(pd.read_csv("a.csv"))
            """,
            [],
            id="method-through-unknown-self-caller",
        ),
        pytest.param(
            """
            class Model:
                def fit(self, frame: pd.DataFrame):
                    return self.prepare(frame)
                def prepare(self, data):
                    return data.values
            """,
            [8],
            id="method-through-self",
        ),
        pytest.param(
            """
            def fix_row(row):
                return row.values
            df = pd.read_csv("a.csv")
            df.apply(fix_row, axis=1)
            """,
            [5],
            id="callback-of-apply",
        ),
        pytest.param(
            """
            import utils
            data = utils.mystery()
            first = data.values
            data.iterrows()
            """,
            [6],
            id="evidence-from-a-later-use",
        ),
        pytest.param(
            """
            import xarray as xr
            ds = xr.open_dataset("a.nc")
            v = ds.values
            ds.to_csv("x")
            """,
            [],
            id="look-alike-library-result",
        ),
        pytest.param(
            """
            d = {"a": 1}
            v = d.values()
            """,
            [],
            id="a-dict",
        ),
        pytest.param(
            """
            df = pd.read_csv("a.csv")
            ages = df.age.values
            cols = df.columns.values
            """,
            [5, 6],
            id="column-as-attribute",
        ),
        pytest.param(
            """
            frame = pd.read_csv("a.csv")
            def window(df, n):
                return df[df.columns[:n]]
            def features():
                return window(frame, 3).mean(axis=1).values
            features()
            """,
            [8],
            id="return-known-once-a-parameter-is",
        ),
        pytest.param(
            """
            def prune(input_df, n=2):
                keep = list(input_df.columns[:n])
                return input_df[keep], n
            out, n = prune(input_df=pd.read_csv("a.csv"))
            x = out.values
            """,
            [8],
            id="tuple-items-known-once-a-parameter-is",
        ),
        pytest.param(
            """
            def to_array(x):
                return x.values
            df = pd.read_csv("a.csv")
            to_array(df)
            to_array(df["a"])
            """,
            [5],
            id="frame-and-series-callers",
        ),
    ],
)
def test_kinds_across_functions(body: str, expected: list[int]) -> None:
    assert lines_reported(HEAD + textwrap.dedent(body)) == expected


def test_a_function_walked_again_keeps_findings_of_other_rules() -> None:
    """Walking a function again (its parameter got a kind) adds findings, drops none."""
    source = HEAD + textwrap.dedent(
        """
        def clean(df):
            df.dropna(inplace=True)
            return df.values
        clean(pd.read_csv("a.csv"))
        noise = np.random.rand(3)
        """
    )
    found = registry.engine(frozenset({"ML204", "ML206", "ML102"})).run_source(source)
    assert sorted((d.line, d.code) for d in found) == [(5, "ML204"), (6, "ML206"), (8, "ML102")]
