"""Rule records of the opinionated family (ML9xx): off by default, each says where it is noisy."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML901",
        name="hyperparameters-not-set",
        pylint_id="C7681",
        family=Family.OPINIONATED,
        message="`{name}(...)` sets none of its important hyper-parameters ({params})",
        summary=(
            "A scikit-learn estimator or a PyTorch optimizer is built with none of the "
            "hyper-parameters that matter most for it."
        ),
        rationale=(
            "Library defaults are a starting point, not a tuned model: a `RandomForestClassifier()`"
            " or an `Adam(params)` with every default says nothing about the capacity, "
            "regularisation or learning rate the result depends on, and defaults change "
            "between releases (`n_estimators` 10 -> 100, `max_features` \"auto\" -> \"sqrt\"). "
            "Stating the important ones documents the choice and keeps it stable. The table of "
            "important parameters per class follows the tunability literature as used by "
            "dslinter and SonarQube S6973 (learning rate for boosting and optimizers, `C`/"
            "`kernel`/`gamma` for SVMs, `n_neighbors`, `alpha`, `hidden_layer_sizes`, tree "
            "size ...). Setting any one of them, passing any positional argument after the "
            "parameters of an optimizer, or passing `**kwargs`, is enough to stay silent. So "
            "is an object whose values may be set elsewhere: one handed straight to another "
            "call (`GridSearchCV(SVC(), grid)`, pipeline steps), or assigned to a name that is "
            "later passed to a call (`validation_curve(clf, ..., param_name=\"C\")`), given "
            "`set_params(...)` or an attribute."
        ),
        bad=(
            "model = RandomForestClassifier(random_state=0)\n"
            "optimizer = torch.optim.Adam(net.parameters())\n"
        ),
        good=(
            "model = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, random_state=0)\n"
            "optimizer = torch.optim.Adam(net.parameters(), lr=3e-4, weight_decay=1e-4)\n"
        ),
        default_enabled=False,
        noise=(
            "Fires on most quick experiments, baselines and tests, where the defaults are the "
            "intended choice, and tunability studies show several defaults are good enough. "
            "It does not know about values set later with `set_params` or by a search "
            "(`GridSearchCV(SVC(), grid)`)."
        ),
    ),
    Rule(
        code="ML902",
        name="read-without-dtype",
        pylint_id="C7682",
        family=Family.OPINIONATED,
        message="`{func}(...)` without `dtype=`: column types are guessed from the data",
        summary="`pd.read_csv`/`read_table`/`read_excel` is called without `dtype=`.",
        rationale=(
            "Without `dtype=` pandas infers each column's type from the values it sees: an ID "
            "column with leading zeros becomes an integer, a column with one stray string "
            "becomes `object`, and a new data drop silently changes the schema the rest of the "
            "pipeline expects. Declaring the types makes the expected schema explicit and "
            "fails early when the data disagrees. `converters=` or `**kwargs` also count as "
            "declaring types."
        ),
        bad='df = pd.read_csv("customers.csv")\n',
        good='df = pd.read_csv("customers.csv", dtype={"zip": "string", "age": "Int64"})\n',
        default_enabled=False,
        noise=(
            "Fires on every exploratory load: notebooks, examples and small scripts read "
            "CSVs whose schema nobody needs to pin, and wide tables make a full `dtype=` "
            "mapping long."
        ),
    ),
    Rule(
        code="ML903",
        name="merge-not-validated",
        pylint_id="C7683",
        family=Family.OPINIONATED,
        message="`{method}` without explicit {missing}",
        summary=(
            "`pd.merge`/`DataFrame.merge`/`DataFrame.join` without explicit `how=` and "
            "`validate=`."
        ),
        rationale=(
            "A merge on keys that are unexpectedly duplicated multiplies rows without a "
            "warning, and the join type defaults differently for `merge` (inner) and `join` "
            "(left). `how=` states which rows the author expects to keep, and "
            "`validate=\"one_to_one\"`/`\"many_to_one\"`/... makes pandas raise when the keys "
            "do not have the expected cardinality. Only calls on objects known to be "
            "DataFrames (or `pd.merge`) are reported."
        ),
        bad='orders = orders.merge(customers, on="customer_id")\n',
        good=(
            'orders = orders.merge(customers, on="customer_id", how="left", '
            'validate="many_to_one")\n'
        ),
        fix=Fix.SAFE,
        fix_summary=(
            "Add `how=` with the method's default (`how=\"inner\"` for `merge`, "
            "`how=\"left\"` for `join`) when it is missing. `validate=` cannot be chosen "
            "mechanically: the finding stays until it is written."
        ),
        fix_safety="Safe: the added value is the default, so the call does the same join.",
        default_enabled=False,
        noise=(
            "`validate=` is rarely written even where the keys are known to be unique (a "
            "lookup table on its primary key), so most merges in a code base are reported."
        ),
    ),
    Rule(
        code="ML904",
        name="empty-column-filler",
        pylint_id="C7684",
        family=Family.OPINIONATED,
        message=(
            "column `{column}` is initialised with `{value}` and filled in part later: rows "
            "never filled cannot be told from real `{value}` values; initialise with `np.nan`"
        ),
        summary=(
            "A DataFrame column is initialised with `0` or `\"\"` as a placeholder and then "
            "assigned computed values for some rows."
        ),
        rationale=(
            "A placeholder that is also a valid value hides missing data: after "
            "`df[\"income\"] = 0` and a loop that fills `df.loc[i, \"income\"]` where it can, "
            "the rows it could not fill look like people with no income, and means, models and "
            "`fillna` treat them as such. Initialising with `np.nan` (or `pd.NA` with a "
            "nullable dtype) keeps them visibly missing. The rule needs the pattern: the "
            "column is set to the constant `0`, `0.0` or `\"\"` and later in the same scope "
            "assigned a computed (non-constant) value through `.loc`/`.at` or a chained "
            "index; an indicator column later set to the constant `1` is not a placeholder."
        ),
        bad=(
            'df["income"] = 0\n'
            "for i, row in df.iterrows():\n"
            "    if row.employed:\n"
            '        df.at[i, "income"] = lookup_income(row.person_id)\n'
        ),
        good=(
            'df["income"] = np.nan\n'
            "for i, row in df.iterrows():\n"
            "    if row.employed:\n"
            '        df.at[i, "income"] = lookup_income(row.person_id)\n'
        ),
        default_enabled=False,
        noise=(
            "A `0` that really is the value of the rows not filled afterwards (a count that "
            "stays 0, an amount that is genuinely zero) is reported too: the rule cannot tell a "
            "meaningful zero from a placeholder."
        ),
    ),
    Rule(
        code="ML905",
        name="matrix-product-with-dot",
        pylint_id="C7685",
        family=Family.OPINIONATED,
        message="`{func}` of two 2-D arrays is a matrix product: `{left} @ {right}` states it",
        summary="`np.dot(a, b)` where both operands are known to be 2-D arrays.",
        rationale=(
            "`np.dot` means a dot product for vectors, a matrix product for 2-D arrays and a "
            "sum-product over the last and second-to-last axes for N-D arrays (unlike "
            "`np.matmul`, which broadcasts over the leading axes). On 2-D arrays the `@` "
            "operator computes the same matrix product and says so. The rule only reports when "
            "both operands are known to be 2-D in the same scope: built with a 2-D shape "
            "(`np.zeros((n, m))`, `np.eye(n)`, `np.random.rand(n, m)`, a nested list literal, "
            "`.reshape(n, m)`, `np.outer`, `.T` or a product of such arrays), or a DataFrame's "
            "`.to_numpy()`/`.values`."
        ),
        bad=(
            "W = np.random.randn(64, 32)\n"
            "X = np.zeros((batch, 64))\n"
            "H = np.dot(X, W)\n"
        ),
        good=(
            "W = np.random.randn(64, 32)\n"
            "X = np.zeros((batch, 64))\n"
            "H = X @ W\n"
        ),
        default_enabled=False,
        noise=(
            "Purely a matter of style where both operands are 2-D: `np.dot` computes the "
            "right thing there, and code bases that also support N-D inputs may prefer it "
            "deliberately."
        ),
    ),
    Rule(
        code="ML909",
        name="scaler-missing",
        pylint_id="C7689",
        family=Family.OPINIONATED,
        message=(
            "`{estimator}` is sensitive to feature scales and is fit on unscaled data "
            "`{arg}` (from `{source}`); scale it in a Pipeline"
        ),
        summary=(
            "A scaling-sensitive estimator (SVM, k-NN, PCA, MLP, SGD, penalised linear model) "
            "is fit on raw tabular data with no scaler in sight."
        ),
        rationale=(
            "Distance- and gradient-based models and L1/L2 penalties treat every feature on "
            "its own scale: a feature in dollars dominates one in years, and PCA finds the "
            "largest-unit column instead of structure. `make_pipeline(StandardScaler(), "
            "SVC())` fits the scaler on the training folds only. The rule is deliberately "
            "narrow: in one scope, the estimator is constructed directly (not inside a "
            "Pipeline or a search), the data passed to `fit` comes straight from `pd.read_*` "
            "or a real-world scikit-learn dataset with mixed units (`load_wine`, "
            "`load_breast_cancer`, `fetch_california_housing`, `fetch_covtype`, "
            "`fetch_kddcup99`, `fetch_openml`) through selection, splitting and cleaning "
            "only, and the scope uses no scaler and no hand-written standardisation at all."
        ),
        bad=(
            'df = pd.read_csv("patients.csv")\n'
            'X, y = df.drop(columns="outcome"), df["outcome"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "clf = SVC().fit(X_train, y_train)\n"
        ),
        good=(
            'df = pd.read_csv("patients.csv")\n'
            'X, y = df.drop(columns="outcome"), df["outcome"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "clf = make_pipeline(StandardScaler(), SVC()).fit(X_train, y_train)\n"
        ),
        default_enabled=False,
        noise=(
            "A CSV whose columns were already scaled upstream, or whose features share one "
            "unit (pixels, counts, one-hot columns), is reported although scaling would change "
            "little; so is a model meant to be compared unscaled on purpose."
        ),
    ),
    Rule(
        code="ML910",
        name="threshold-metric-only",
        pylint_id="C7690",
        family=Family.OPINIONATED,
        message=(
            "the classifier is evaluated only with threshold-dependent metrics ({metrics}); "
            "add a threshold-free one such as `roc_auc_score` or `average_precision_score`"
        ),
        summary=(
            "Classifiers are evaluated with accuracy/F1/precision/recall only, in a module that "
            "never uses a threshold-free metric or the models' scores."
        ),
        rationale=(
            "Accuracy, F1, precision and recall judge the hard labels `predict` produces at one "
            "decision threshold (0.5 or the sign of the decision function). They hide how well "
            "the model ranks cases, move with class imbalance, and say nothing about "
            "calibration. ROC AUC, average precision, log loss or the Brier score evaluate the "
            "scores themselves. The rule reports once per function (and once for the module "
            "level), on its first threshold-dependent metric call, when the module calls none of "
            "`roc_auc_score`, `average_precision_score`, `roc_curve`, "
            "`precision_recall_curve`, `log_loss`, `brier_score_loss`, the ROC/PR/DET "
            "displays ..., names no threshold-free `scoring=` string, and never asks a model "
            "for `predict_proba`/`decision_function` scores. Multi-class evaluations, where "
            "the label is an argmax rather than a threshold, are left alone: a metric call "
            "with `average=` other than `\"binary\"`, or a module loading a multi-class "
            "scikit-learn dataset (`load_iris`, `load_digits`, `fetch_20newsgroups` ...) or "
            "generating one (`make_classification(n_classes=3)`)."
        ),
        bad=(
            "pred = clf.predict(X_test)\n"
            'print("accuracy", accuracy_score(y_test, pred))\n'
            'print("f1", f1_score(y_test, pred))\n'
        ),
        good=(
            "pred = clf.predict(X_test)\n"
            'print("f1", f1_score(y_test, pred))\n'
            'print("ROC AUC", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))\n'
        ),
        default_enabled=False,
        noise=(
            "Multi-class problems on the author's own data, tasks with a fixed operating threshold "
            "(where the thresholded metric is exactly what matters), and modules that only "
            "report a metric computed elsewhere are all reported."
        ),
    ),
)
