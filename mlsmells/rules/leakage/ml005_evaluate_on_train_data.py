"""ML005 evaluate-on-train-data: a model whose only evaluation uses the data it was fit on."""

from __future__ import annotations

import ast

from mlsmells.records import Family, Rule
from mlsmells.rules.leakage._analysis import LeakageCheck
from mlsmells.semantic.flow import Evaluation, Obj, Role, ScopeFlow, Value
from mlsmells.semantic.scopes import Scope

RULE = Rule(
    code="ML005",
    name="evaluate-on-train-data",
    pylint_id="W7605",
    family=Family.LEAKAGE,
    message=(
        "`{model}` is evaluated only on the data it was fit on ({line}): this "
        "measures memorisation, not generalisation; evaluate it on held-out data"
    ),
    summary=(
        "The only evaluation of a fitted model uses the very data it was fit on: "
        "`m.fit(X, y)` then `m.score(X, y)` or `metric(y, m.predict(X))`."
    ),
    rationale=(
        "A model scored on its own training data reports how well it memorised those rows; "
        "a deep tree or a 1-nearest-neighbour classifier scores 100% there whatever it "
        "does on new data. Scoring on training data is fine next to a real evaluation "
        "(to compare training and test scores), so the rule only reports when the model "
        "has no other evaluation in the scope: no score or prediction on held-out data "
        "(predictions compared with other labels by hand count), no cross-validation, no "
        "`best_score_`/`oob_score_`, no earlier model of the same class and arguments "
        "validated before this final fit, and the model is not handed to another function "
        "or stored where something else could evaluate it. Predictions for an unlabelled "
        "competition test file and saving the model are no evaluation. The data must be "
        "the same names (or a part of them), unchanged between the fit and the "
        "evaluation; the outputs of an unknown call unpacked into several names are "
        "different data. Only "
        "supervised fits (with a target) of scikit-learn models and of the "
        "scikit-learn-compatible XGBoost, LightGBM and CatBoost models are considered."
    ),
    bad=(
        "model = DecisionTreeClassifier().fit(X, y)\n"
        'print("accuracy:", accuracy_score(y, model.predict(X)))\n'
    ),
    good=(
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "model = DecisionTreeClassifier().fit(X_train, y_train)\n"
        'print("accuracy:", accuracy_score(y_test, model.predict(X_test)))\n'
    ),
)

_MODEL_ROLES = frozenset({Role.MODEL, Role.SEARCH})


def _within(data: Value, fitted: Value | None, strictly: bool = False) -> bool:
    """Whether every row of ``data`` is a row of ``fitted``: the same rows, or (only, when
    ``strictly``) a part of them taken by a split (``X_valid`` of a split of ``X``, after
    ``fit(X, y)``)."""
    if fitted is None or not data.rows or not fitted.rows:
        return False
    shortest = 1 if strictly else 0
    return all(
        any(len(fit) + shortest <= len(path) and path[: len(fit)] == fit for fit in fitted.rows)
        for path in data.rows
    )


def _held_out(data: Value, obj: Obj) -> bool:
    """Whether ``data`` holds rows of the data ``obj`` was fit on that it was not fit on
    (the other side of a split): a prediction there is made to evaluate it. Data from
    elsewhere (a competition's unlabelled test file) is not."""
    roots = {p[0] for fit in obj.fits for p in fit.x.rows}
    return any(path[0] in roots for path in data.rows) and not any(
        _within(data, fit.x) for fit in obj.fits
    )


def _configuration(obj: Obj) -> tuple[str, str] | None:
    """The class and constructor arguments of ``obj`` (keywords in any order)."""
    node = obj.node
    if not isinstance(node, ast.Call):
        return None
    args = [ast.unparse(a) for a in node.args]
    keywords = sorted(f"{kw.arg}={ast.unparse(kw.value)}" for kw in node.keywords)
    return obj.qualname, ", ".join(args + keywords)


def _configured_before(model: Obj, evaluated: set[Obj]) -> bool:
    """Whether ``model`` is the final fit of a configuration evaluated before it: an object
    of the same class and arguments, built earlier, was evaluated on other data."""
    line = model.node.lineno
    earlier = [o for o in evaluated if o.qualname == model.qualname and o.node.lineno < line]
    if not earlier:
        return False
    configuration = _configuration(model)
    return any(_configuration(o) == configuration for o in earlier)


class EvaluateOnTrainData(LeakageCheck):
    """ML005: a model evaluated only on the data it was fit on."""

    rules = (RULE,)

    def leave_scope(self, scope: Scope) -> None:
        flow = self.dataflow.scope_flow
        if flow is not None:
            self._train_only_evaluation(flow)

    def _train_only_evaluation(self, flow: ScopeFlow) -> None:
        by_obj: dict[Obj, list[Evaluation]] = {}
        spoiled: set[Obj] = set(flow.other_use)
        for ev in flow.evaluations:
            obj = ev.obj
            fit = ev.fit
            on_train = (
                obj.role in _MODEL_ROLES
                and fit is not None
                and fit.y is not None
                and (ev.x is fit.x or _within(ev.x, fit.x, strictly=True))
                and (ev.y is fit.y or _within(ev.y, fit.y))
            )
            if on_train:
                by_obj.setdefault(obj, []).append(ev)
            else:
                spoiled.add(obj)
        for obj, data in flow.predictions:
            if _held_out(data, obj):
                spoiled.add(obj)
        for prediction in flow.scored:
            if not any(_within(prediction.data, fit.x) for fit in prediction.obj.fits):
                spoiled.add(prediction.obj)
        for model, evaluations in by_obj.items():
            if model in spoiled or _configured_before(model, spoiled):
                continue
            for ev in evaluations:
                if ("ML005", id(ev.node)) in self.reported or ev.fit is None:
                    continue
                self.reported.add(("ML005", id(ev.node)))
                self.report(
                    "ML005",
                    ev.node,
                    model=ev.obj.name or ev.obj.short,
                    line=self.ctx.line_label(ev.fit.node.lineno),
                )
