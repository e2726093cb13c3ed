"""The scope-level data-flow layer on its own (no rule involved)."""

from __future__ import annotations

import ast
import textwrap
from typing import ClassVar

import pytest

from mlsmells import registry
from mlsmells.engine import Check, Context
from mlsmells.semantic.flow import (
    ROOT,
    STATEMENTS,
    TEST_PART,
    TRAIN_PART,
    FlowTracker,
    Obj,
    Role,
    ScopeFlow,
    SinkKind,
    TaintKind,
    Value,
    classify,
    combined_role,
    paths_overlap,
    rows_overlap,
)
from mlsmells.semantic.flow.guards import dead, guards_of, literal_defaults
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.scopes import Scope, ScopeType


class _Recorder(Check):
    """Drives a FlowTracker and keeps every finished scope (not registered: no codes)."""

    finished: ClassVar[list[ScopeFlow]] = []
    nodes = STATEMENTS

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flow = FlowTracker(self.model)

    def visit(self, node: ast.AST) -> None:
        self.flow.statement(node, self.ctx.ancestors)

    def leave_scope(self, scope: Scope) -> None:
        done = self.flow.end_scope(scope)
        if done is not None:
            _Recorder.finished.append(done)


def run(source: str) -> dict[str, ScopeFlow]:
    """The finished flows by scope name ("<module>" for the module)."""
    _Recorder.finished = []
    engine = registry.engine(frozenset())
    engine.checks = [_Recorder]
    engine.run_source(source)
    flows: dict[str, ScopeFlow] = {}
    for flow in _Recorder.finished:
        node = flow.scope.node
        name = getattr(node, "name", "<module>")
        flows[name] = flow
    return flows


def module(source: str) -> ScopeFlow:
    return run(source)["<module>"]


def with_header(body: str) -> str:
    return HEADER + textwrap.dedent(body)


def at(source: str, snippet: str) -> int:
    """The line of ``source`` holding ``snippet`` (exactly one)."""
    lines = [n for n, text in enumerate(source.splitlines(), start=1) if snippet in text]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


def value(flow: ScopeFlow, name: str) -> Value:
    found = flow.value(name)
    assert isinstance(found, Value), f"{name} holds {found!r}"
    return found


def obj(flow: ScopeFlow, name: str) -> Obj:
    found = flow.value(name)
    assert isinstance(found, Obj), f"{name} holds {found!r}"
    return found


def taint_lines(v: Value, kind: TaintKind | None = None) -> set[int]:
    return {t.node.lineno for t in v.all_taints() if kind is None or t.kind is kind}


HEADER = """\
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler, OneHotEncoder
"""


# ------------------------------------------------------------------ row paths


def test_row_path_algebra() -> None:
    root = ((1, ROOT),)
    train = root + ((7, TRAIN_PART),)
    test = root + ((7, TEST_PART),)
    assert paths_overlap(root, train) and paths_overlap(train, root)
    assert not paths_overlap(train, test)
    assert rows_overlap([train, test], [root])
    assert not rows_overlap([train], [test])
    assert not rows_overlap([], [root])


# ---------------------------------------------------------- what flows where


def test_assignment_and_methods_keep_the_rows() -> None:
    src = with_header(
        """
        df = pd.read_csv("a.csv")
        X = df.drop(columns="y").copy()
        arr = X.values
        arr2 = X.to_numpy()
        sub = df.loc[df["a"] > 0, ["a", "b"]]
        other = pd.read_csv("b.csv")
        """
    )
    flow = module(src)
    df = value(flow, "df")
    assert df.rows
    for name in ("X", "arr", "arr2", "sub"):
        assert value(flow, name).rows == df.rows, name
    assert not rows_overlap(value(flow, "other").rows, df.rows)


def test_concat_and_stacks_join_their_inputs_and_merges_keep_the_left_rows() -> None:
    src = with_header(
        """
        a = pd.read_csv("a.csv")
        b = pd.read_csv("b.csv")
        both = pd.concat([a, b])
        merged = a.merge(b, on="id")
        joined = a.join(b)
        stacked = np.hstack((a, b))
        glued = np.c_[a, b]
        dummies = pd.get_dummies(a)
        """
    )
    flow = module(src)
    a, b = value(flow, "a").rows, value(flow, "b").rows
    for name in ("both", "stacked", "glued"):
        assert value(flow, name).rows == a | b, name
    for name in ("merged", "joined", "dummies"):  # a merge adds columns, not rows
        assert value(flow, name).rows == a, name


def test_train_test_split_makes_disjoint_parts() -> None:
    src = with_header(
        """
        df = pd.read_csv("a.csv")
        X = df.drop(columns="y")
        y = df["y"]
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_tr, X_val, y_tr, y_val = train_test_split(X_train, y_train)
        """
    )
    flow = module(src)
    X = value(flow, "X")
    train, test = value(flow, "X_train"), value(flow, "X_test")
    assert rows_overlap(train.rows, X.rows) and rows_overlap(test.rows, X.rows)
    assert not rows_overlap(train.rows, test.rows)
    assert value(flow, "y_train").rows == train.rows  # features and target rows align
    (path,) = value(flow, "X_val").rows
    assert [part for _, part in path[1:]] == [TRAIN_PART, TEST_PART]
    assert not rows_overlap(value(flow, "X_val").rows, test.rows)
    (split,) = [s for s in flow.sinks if s.node.lineno == at(src, "X_train, X_test")]
    assert split.kind is SinkKind.SPLIT and split.label == "train_test_split"


def test_cv_splitter_indices_select_fold_parts() -> None:
    src = with_header(
        """
        def folds(X, y):
            kf = KFold(5)
            for i, (tr, te) in enumerate(kf.split(X, y)):
                X_tr = X.iloc[tr]
                X_te = X[te]
                pair = X.take(te)
            return X_tr, X_te, pair
        """
    )
    flow = run(src)["folds"]
    tr, te, pair = value(flow, "X_tr"), value(flow, "X_te"), value(flow, "pair")
    assert not rows_overlap(tr.rows, te.rows)
    assert te.rows == pair.rows
    assert [s.kind for s in flow.sinks] == [SinkKind.FOLDS]


def test_column_stores_and_drops_are_tracked_per_column() -> None:
    src = with_header(
        """
        df = pd.read_csv("a.csv")
        df["age"] = df["age"].fillna(df["age"].mean())
        X = df.drop(columns=["age"])
        kept = df[["age", "fare"]]
        age = df["age"]
        other = df.drop("fare", axis=1)
        """
    )
    flow = module(src)
    assert taint_lines(value(flow, "df"), TaintKind.STATISTIC) == {at(src, "fillna")}
    assert not value(flow, "X").all_taints()
    assert taint_lines(value(flow, "kept")) == {at(src, "fillna")}
    assert taint_lines(value(flow, "age")) == {at(src, "fillna")}
    assert taint_lines(value(flow, "other")) == {at(src, "fillna")}


def test_a_transformer_fit_taints_its_outputs() -> None:
    src = with_header(
        """
        X = pd.read_csv("a.csv")
        sc = StandardScaler()
        X_s = sc.fit_transform(X)
        sc2 = StandardScaler().fit(X)
        X_t = sc2.transform(X)
        raw = X * 2
        """
    )
    flow = module(src)
    assert taint_lines(value(flow, "X_s"), TaintKind.PREPROCESS) == {at(src, "X_s =")}
    assert taint_lines(value(flow, "X_t"), TaintKind.PREPROCESS) == {at(src, "sc2 =")}
    assert not value(flow, "raw").all_taints()
    scaler = obj(flow, "sc")
    assert scaler.role is Role.PREPROCESS and scaler.name == "sc"
    assert [f.method for f in scaler.fits] == ["fit_transform"]
    (use,) = flow.transforms
    assert use.obj is obj(flow, "sc2") and use.value is value(flow, "X")


def test_statistics_taint_only_what_they_transform() -> None:
    src = with_header(
        """
        df = pd.read_csv("a.csv")
        m = df.mean()
        filled = df.fillna(m)
        centred = (df - df.mean()) / df.std()
        row_means = df.mean(axis=1)
        by_rows = df.sub(row_means, axis=0)
        mask = df["a"] > df["a"].quantile(0.9)
        filtered = df[mask]
        """
    )
    flow = module(src)
    assert value(flow, "m").pending and not value(flow, "m").taints
    assert taint_lines(value(flow, "filled"), TaintKind.STATISTIC) == {at(src, "m = df.mean()")}
    assert taint_lines(value(flow, "centred"), TaintKind.STATISTIC) == {at(src, "centred =")}
    assert not value(flow, "by_rows").all_taints()
    assert not value(flow, "filtered").all_taints()


def test_numpy_random_data_is_simulated() -> None:
    src = with_header(
        """
        rng = np.random.default_rng(0)
        X = rng.normal(size=(100, 3))
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        Z = StandardScaler().fit_transform(X)
        real = pd.read_csv("a.csv")
        real = (real - real.mean()) / real.std()
        """
    )
    flow = module(src)
    assert not value(flow, "X").all_taints()
    assert not value(flow, "Z").all_taints()
    assert taint_lines(value(flow, "real")) == {at(src, "real - real.mean()")}


def test_in_place_calls_update_the_frame() -> None:
    src = with_header(
        """
        df = pd.read_csv("a.csv")
        df["a"].fillna(df["a"].median(), inplace=True)
        df.fillna(df.mean(), inplace=True)
        """
    )
    flow = module(src)
    assert taint_lines(value(flow, "df")) == {at(src, "median"), at(src, "df.mean()")}


def test_conditional_updates_are_joined_with_the_old_value() -> None:
    src = with_header(
        """
        X = pd.read_csv("a.csv")
        before = X
        if X.shape[0] > 10:
            X = StandardScaler().fit_transform(X)
        """
    )
    flow = module(src)
    X = value(flow, "X")
    assert X is not value(flow, "before")
    assert taint_lines(X) == {at(src, "fit_transform")}
    assert X.rows == value(flow, "before").rows


def test_list_mutations_collect_their_arguments() -> None:
    src = with_header(
        """
        parts = []
        for name in ["a.csv", "b.csv"]:
            part = pd.read_csv(name)
            parts.append(StandardScaler().fit_transform(part))
        data = pd.concat(parts)
        """
    )
    flow = module(src)
    assert taint_lines(value(flow, "data")) == {at(src, "fit_transform")}


def test_same_file_functions_are_followed_one_level_deep() -> None:
    src = with_header(
        """
        def scale(frame):
            return StandardScaler().fit_transform(frame)

        def split(frame, target):
            return train_test_split(frame, target)

        def outer(frame):
            return scale(frame)

        df = pd.read_csv("a.csv")
        scaled = scale(df)
        a, b, c, d = split(df, df["y"])
        nested = outer(df)
        """
    )
    flows = run(src)
    top = flows["<module>"]
    df, scaled = value(top, "df"), value(top, "scaled")
    assert scaled.rows == df.rows
    (taint,) = scaled.all_taints()
    assert (
        taint.node.lineno == at(src, "fit_transform") and taint.rows == df.rows
    )  # rewritten to the caller's rows
    assert not rows_overlap(value(top, "a").rows, value(top, "b").rows)
    assert value(top, "c").rows == value(top, "a").rows
    assert [s.node.lineno for s in top.sinks] == [
        at(src, "return train_test_split")
    ]  # the callee's split, with our data
    nested = value(top, "nested")
    assert nested.rows == df.rows  # outer's own summary
    assert taint_lines(nested) == {at(src, "fit_transform")}


def test_self_attributes_of_another_method_are_fresh_objects() -> None:
    src = with_header(
        """
        class Model:
            def __init__(self):
                self.scaler = StandardScaler()

            def prepare(self, X):
                self.frame = X
                return self.scaler.fit_transform(self.frame)
        """
    )
    flows = run(src)
    flow = flows["prepare"]
    scaler = obj(flow, "self.scaler")
    assert scaler.role is Role.PREPROCESS and len(scaler.fits) == 1
    assert value(flow, "self.frame") is value(flow, "X")


def test_models_predictions_and_evaluations() -> None:
    src = with_header(
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        X = pd.read_csv("a.csv")
        y = X.pop("y")
        clf = LogisticRegression().fit(X, y)
        pred = clf.predict(X)
        acc = accuracy_score(y, pred)
        direct = clf.score(X, y)
        models = [clf]
        """
    )
    flow = module(src)
    clf = obj(flow, "clf")
    assert clf.role is Role.MODEL
    (fit,) = clf.fits
    assert fit.x is value(flow, "X") and fit.y is value(flow, "y")
    assert [e.node.lineno for e in flow.evaluations] == [at(src, "acc ="), at(src, "direct =")]
    assert all(e.x is fit.x and e.y is fit.y and e.fit is fit for e in flow.evaluations)
    assert clf in flow.other_use  # stored in a list: something else may evaluate it


def test_cross_validation_sinks_and_pipelines() -> None:
    src = with_header(
        """
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import SVC
        X = pd.read_csv("a.csv")
        y = X.pop("y")
        pipe = make_pipeline(StandardScaler(), SVC())
        prep = make_pipeline(StandardScaler(), OneHotEncoder())
        scores = cross_val_score(pipe, X, y, cv=5)
        """
    )
    flow = module(src)
    assert obj(flow, "pipe").role is Role.MODEL
    assert obj(flow, "prep").role is Role.PREPROCESS
    (sink,) = flow.sinks
    assert sink.kind is SinkKind.CROSS_VALIDATION and sink.label == "cross_val_score"
    assert [v for _, v in sink.args] == [value(flow, "X"), value(flow, "y")]
    assert obj(flow, "pipe") in flow.other_use


def test_resampling_and_selection_scores() -> None:
    src = with_header(
        """
        from imblearn.over_sampling import SMOTE
        from imblearn.under_sampling import RandomUnderSampler
        from sklearn.feature_selection import chi2
        X = pd.read_csv("a.csv")
        y = X.pop("y")
        X_res, y_res = SMOTE().fit_resample(X, y)
        X_u, y_u = RandomUnderSampler().fit_resample(X, y)
        scores, p = chi2(X, y)
        keep = p < 0.05
        X_sel = X.loc[:, keep]
        """
    )
    flow = module(src)
    assert taint_lines(value(flow, "X_res"), TaintKind.RESAMPLE) == {at(src, "SMOTE()")}
    assert taint_lines(value(flow, "y_res"), TaintKind.RESAMPLE) == {at(src, "SMOTE()")}
    assert not value(flow, "X_u").all_taints()
    assert taint_lines(value(flow, "X_sel"), TaintKind.SELECT) == {at(src, "chi2(X, y)")}


def test_names_bound_to_imports_are_not_data() -> None:
    flow = module(
        textwrap.dedent(
            """
            import pandas as pd
            from sklearn.preprocessing import StandardScaler
            alias = pd
            scaler_class = StandardScaler
            """
        )
    )
    for name in ("alias", "scaler_class"):
        found = value(flow, name)
        assert not found.rows and not found.all_taints(), name


def test_constants_hold_no_rows_even_through_a_helper() -> None:
    flows = run(
        textwrap.dedent(
            """
            import pandas as pd
            def f(a, b):
                return a + b

            x = f(1, 2)
            y = f(pd.read_csv("a.csv"), 2)
            """
        )
    )
    top = flows["<module>"]
    assert not value(top, "x").rows
    assert value(top, "y").rows
    assert flows["f"].param_roots.keys() == {"a", "b"}


# ------------------------------------------------------------------ tables


@pytest.mark.parametrize(
    ("qualname", "kind", "role"),
    [
        ("sklearn.preprocessing.StandardScaler", Kind.SK_TRANSFORMER, Role.PREPROCESS),
        ("sklearn.preprocessing.OneHotEncoder", Kind.SK_TRANSFORMER, Role.ENCODER),
        ("sklearn.preprocessing.Normalizer", Kind.SK_TRANSFORMER, Role.STATELESS),
        ("sklearn.decomposition.PCA", Kind.SK_TRANSFORMER, Role.PREPROCESS),
        ("sklearn.decomposition.SparseCoder", Kind.SK_TRANSFORMER, Role.STATELESS),
        ("sklearn.cluster.KMeans", Kind.SK_TRANSFORMER, Role.CLUSTER),
        ("sklearn.feature_selection.SelectKBest", Kind.SK_TRANSFORMER, Role.SELECTOR),
        ("sklearn.feature_selection.VarianceThreshold", Kind.SK_TRANSFORMER, Role.PREPROCESS),
        ("sklearn.model_selection.GridSearchCV", Kind.SK_ESTIMATOR, Role.SEARCH),
        ("sklearn.model_selection.KFold", Kind.SK_SPLITTER, Role.SPLITTER),
        ("sklearn.linear_model.LogisticRegression", Kind.SK_ESTIMATOR, Role.MODEL),
        ("imblearn.over_sampling.SMOTE", None, Role.OVERSAMPLER),
        ("imblearn.under_sampling.NearMiss", None, Role.UNDERSAMPLER),
        ("keras.preprocessing.text.Tokenizer", None, Role.PREPROCESS),
        ("tensorflow.keras.layers.Dense", None, None),
        ("xgboost.XGBClassifier", None, Role.MODEL),
        ("sklearn.preprocessing.scale", None, None),
    ],
)
def test_classify(qualname: str, kind: Kind | None, role: Role | None) -> None:
    assert classify(qualname, kind) is role


def _obj(role: Role) -> Obj:
    return Obj("x.X", role, ast.Name("x"))


def test_combined_roles() -> None:
    pre, enc, sel, model = (
        _obj(Role.PREPROCESS),
        _obj(Role.ENCODER),
        _obj(Role.SELECTOR),
        _obj(Role.MODEL),
    )
    stateless = _obj(Role.STATELESS)
    assert combined_role([pre, model], final_decides=True) is Role.MODEL
    assert combined_role([pre, sel], final_decides=True) is Role.SELECTOR
    assert combined_role([enc, stateless], final_decides=False) is Role.ENCODER
    assert combined_role([stateless, None], final_decides=False) is Role.UNKNOWN
    assert combined_role([pre, None], final_decides=False) is Role.PREPROCESS
    assert combined_role([pre, None], final_decides=True) is Role.UNKNOWN
    assert combined_role([], final_decides=True) is Role.UNKNOWN


def test_scopes_of_every_type_finish() -> None:
    flows = run(
        textwrap.dedent(
            """
            import pandas as pd
            class C:
                x = pd.read_csv("a.csv")
            y = [v for v in range(3)]
            """
        )
    )
    assert flows["C"].scope.type is ScopeType.CLASS
    assert flows["<module>"].scope.type is ScopeType.MODULE


def test_the_branches_a_call_never_takes() -> None:
    tree = ast.parse(
        "def prep(df, fast, mode=None, *, how='mean'):\n"
        "    if not fast:\n"
        "        a = df.std()\n"
        "    if mode is None:\n"
        "        b = df.min()\n"
        "    elif how == 'median':\n"
        "        c = df.median()\n"
        "    else:\n"
        "        d = df.max()\n"
        "    for col in df:\n"
        "        if fast:\n"
        "            e = df[col].mean()\n"
        "    return df.copy()\n"
    )
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    found = guards_of(function)
    assert (13, 15) not in found  # outside any branch: runs at every call
    lines = {name: line for name, line in zip("abcde", (3, 5, 7, 9, 12), strict=True)}

    def never(**values: object) -> set[str]:
        gone = {line for line, _ in dead(found, {**literal_defaults(function), **values})}
        return {name for name, line in lines.items() if line in gone}

    assert never() == {"c", "d"}  # mode=None by default
    assert never(fast=True) == {"a", "c", "d"}
    assert never(fast=0, mode="x") == {"b", "c", "e"}  # how="mean" by default
    assert never(mode="x", how="max") == {"b", "c"}
