"""Rule records of the pandas family (ML2xx)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML201",
        name="chained-assignment",
        pylint_id="W7621",
        family=Family.PANDAS,
        message="chained assignment `{target}` writes to a temporary copy, not to the DataFrame",
        summary="A write through two indexing steps, or an in-place method on a column selection.",
        rationale=(
            "`df[a][b] = v`, `df.loc[m][c] = v` and `df[c].iloc[i] = v` first build an "
            "intermediate object and then write into it. Under Copy-on-Write, the default since "
            "pandas 3.0, that intermediate is always a copy: the write never reaches `df` and "
            "nothing is raised. The same holds for an in-place method on a selected column, "
            "`df[\"c\"].fillna(0, inplace=True)`. Earlier pandas versions only warned with "
            "`SettingWithCopyWarning`, and sometimes wrote, sometimes did not."
        ),
        bad=(
            "df = pd.read_csv(\"sales.csv\")\n"
            "df[\"price\"][df[\"price\"] < 0] = 0\n"
            "df[\"qty\"].fillna(0, inplace=True)\n"
        ),
        good=(
            "df = pd.read_csv(\"sales.csv\")\n"
            "df.loc[df[\"price\"] < 0, \"price\"] = 0\n"
            "df[\"qty\"] = df[\"qty\"].fillna(0)\n"
        ),
        fix=Fix.UNSAFE,
        fix_summary=(
            "`df[a][b] = v` becomes `df.loc[b, a] = v` for the simple shapes; "
            "`df[c].method(..., inplace=True)` becomes `df[c] = df[c].method(...)`."
        ),
        fix_safety=(
            "Unsafe: the fixed code really writes to `df`, which the original silently did not "
            "under Copy-on-Write. That is the intended behaviour, but it is a change in "
            "behaviour, and `.loc` label semantics can differ from positional `[]` on a "
            "non-default index."
        ),
    ),
    Rule(
        code="ML202",
        name="inplace-result-assigned",
        pylint_id="E7622",
        family=Family.PANDAS,
        message=(
            "`{method}(..., inplace=True)` returns None{since}; assigning its result binds None"
        ),
        summary="The result of a call with `inplace=True` is assigned: it is always None.",
        rationale=(
            "pandas methods called with `inplace=True` modify the object and return `None`. "
            "`df = df.dropna(inplace=True)` therefore replaces the DataFrame with `None`, and "
            "the error only shows up later, far from its cause. Since pandas 3.0, `fillna`, "
            "`ffill`, `bfill`, `interpolate`, `replace`, `clip`, `where` and `mask` return the "
            "object itself instead: there the assignment works only on pandas 3.0 and later, "
            "and `inplace` is on its way out (PDEP-8)."
        ),
        bad="df = df.dropna(inplace=True)\n",
        good="df = df.dropna()\n",
        fix=Fix.SAFE,
        fix_summary="Remove `inplace=True`, so the method returns the new object that is assigned.",
        fix_safety=(
            "Safe: the name is bound to exactly the object the in-place call would have made "
            "(instead of `None`; pandas 3 returns the object itself from a few methods, and "
            "then nothing changes for that name). The original object is no longer mutated "
            "in place, which matters only if another name aliases it."
        ),
    ),
    Rule(
        code="ML209",
        name="nan-equality",
        pylint_id="E7629",
        family=Family.PANDAS,
        message="comparison `{comparison}` {result}; use `{replacement}`",
        summary="A value is compared with NaN (`== np.nan`, `is math.nan`, `!= pd.NA` ...).",
        rationale=(
            "NaN is not equal to anything, itself included: `x == np.nan` is always False and "
            "`x != np.nan` always True, element-wise on arrays and frames as well. `x is np.nan` "
            "depends on object identity and misses NaNs produced by computation. `pd.NA` "
            "propagates instead of answering. Use `pd.isna`/`pd.notna`, `np.isnan` or "
            "`math.isnan`."
        ),
        bad="missing = df[df[\"age\"] == np.nan]\n",
        good="missing = df[df[\"age\"].isna()]\n",
        fix=Fix.UNSAFE,
        fix_summary=(
            "`pd.isna(x)` / `pd.notna(x)` when pandas is imported, else `np.isnan(x)` / "
            "`~np.isnan(x)`, else `math.isnan(x)` / `not math.isnan(x)`."
        ),
        fix_safety=(
            "Unsafe: the original expression is constant (always False or always True); the "
            "fixed one really tests for missing values, so the program's behaviour changes "
            "(as intended). `np.isnan` also raises on object arrays where the comparison did not."
        ),
    ),
    Rule(
        code="ML203",
        name="result-discarded",
        pylint_id="W7623",
        family=Family.PANDAS,
        message="the result of `{call}` is discarded: the method returns a new object and "
        "leaves the original unchanged; {advice}",
        summary=(
            "A copy-returning DataFrame/Series method (`dropna`, `fillna`, `astype`, `rename`, "
            "`drop`, `reset_index` ...) used as a bare statement."
        ),
        rationale=(
            "These methods never change the object they are called on: they return a new "
            "DataFrame or Series. Called as a statement, `df.dropna()` computes the cleaned "
            "frame and throws it away, and the code below keeps working on the uncleaned "
            "data without any error. The author almost always meant `df = df.dropna()`. "
            "Reported only when the receiver is known to be a pandas DataFrame or Series, "
            "for methods that only return a result; not on a notebook cell's last line, "
            "where the result is displayed."
        ),
        bad='df = pd.read_csv("sales.csv")\ndf.dropna(subset=["price"])\n',
        good='df = pd.read_csv("sales.csv")\ndf = df.dropna(subset=["price"])\n',
        fix=Fix.UNSAFE,
        fix_summary="`df.method(...)` becomes `df = df.method(...)` when the receiver is a name.",
        fix_safety=(
            "Unsafe: the program now works on the result, which changes everything computed "
            "after the statement (that is the bug being fixed, but the behaviour changes)."
        ),
    ),
    Rule(
        code="ML204",
        name="inplace-argument",
        pylint_id="W7624",
        family=Family.PANDAS,
        message="`{call}`: `inplace=True` breaks method chaining and is on its way out of "
        "pandas; use `x = x.{method}(...)`",
        summary="A DataFrame/Series method called with `inplace=True`.",
        rationale=(
            "`inplace=True` rarely saves memory (pandas usually copies internally anyway), "
            "returns None so the call cannot be chained or assigned, and makes the flow of "
            "data harder to follow. Under Copy-on-Write (pandas 3.0) it is a frequent source "
            "of writes that do not reach the object meant, and PDEP-8 proposes deprecating "
            "it for most methods. The assigned form (`df = df.dropna(inplace=True)`) is "
            'ML202, an in-place call on a column selection (`df["c"].fillna(0, '
            "inplace=True)`) is ML201."
        ),
        bad='df.dropna(subset=["price"], inplace=True)\n',
        good='df = df.dropna(subset=["price"])\n',
        fix=Fix.UNSAFE,
        fix_summary=(
            "A statement `x.method(..., inplace=True)` becomes `x = x.method(...)` when `x` is "
            "a name or an attribute chain (not for a function's parameter)."
        ),
        fix_safety=(
            "Unsafe: other names bound to the same object (a caller's variable, an alias) no "
            "longer see the change, since the name is rebound to a new object instead."
        ),
    ),
    Rule(
        code="ML205",
        name="row-iteration",
        pylint_id="W7625",
        family=Family.PANDAS,
        message="{what}; {advice}",
        summary=(
            "A Python loop over a DataFrame's rows (`iterrows()`, `itertuples()`, "
            "`range(len(df))` with `df.iloc[i]`) or `df.apply(lambda row: ..., axis=1)` "
            "that only combines columns."
        ),
        rationale=(
            "Row-by-row loops run the Python interpreter once per row; the equivalent column "
            "operations run in compiled code and are typically 100 to 1000 times faster. "
            "`iterrows()` also turns every row into a Series, so integer columns of a mixed "
            "frame come back as floats or objects. The rule reports loops whose body only "
            "computes (reads row fields, does arithmetic, collects results or writes into a "
            "frame); a body that prints, plots, calls a function of the file or of another "
            "library, or calls methods of other objects is left alone, since that per-row "
            "work may have no vectorized form."
        ),
        bad=(
            "for i, row in df.iterrows():\n"
            '    df.loc[i, "total"] = row["price"] * row["qty"]\n'
            'df["margin"] = df.apply(lambda r: r["price"] - r["cost"], axis=1)\n'
        ),
        good=('df["total"] = df["price"] * df["qty"]\ndf["margin"] = df["price"] - df["cost"]\n'),
    ),
    Rule(
        code="ML206",
        name="values-attribute",
        pylint_id="W7626",
        family=Family.PANDAS,
        message="`{expr}.values` on a {kind}: use `{expr}.to_numpy()` (or `.array`)",
        summary="`.values` read on a DataFrame, Series or Index.",
        rationale=(
            "`.values` returns a NumPy array for some dtypes and a pandas extension array "
            "(Categorical, a nullable integer or string array, a timezone-aware DatetimeArray) "
            "for others, so what the next line receives depends on the data. pandas "
            "recommends `.to_numpy()` when a NumPy array is wanted (with `dtype=` and "
            "`na_value=` to control the conversion) and `.array` for the underlying pandas "
            "array. Reported only on receivers known to be pandas objects: a dict's "
            "`.values()` or an xarray's `.values` are not pandas'."
        ),
        bad="X = df[features].values\n",
        good="X = df[features].to_numpy()\n",
        fix=Fix.UNSAFE,
        fix_summary="`x.values` becomes `x.to_numpy()`.",
        fix_safety=(
            "Unsafe: for extension dtypes the result changes type (a Categorical or "
            "nullable-integer `.values` becomes a NumPy object or float array, a "
            "timezone-aware column becomes an object array of Timestamps)."
        ),
    ),
    Rule(
        code="ML207",
        name="frame-grown-in-loop",
        pylint_id="W7627",
        family=Family.PANDAS,
        message="`{target}` grows inside a loop with {how}: every iteration copies the whole "
        "frame (quadratic time); collect the pieces in a list and concatenate once",
        summary=(
            "A DataFrame grown one piece per loop iteration: `df = pd.concat([df, new])` or "
            "`df.loc[len(df)] = row`."
        ),
        rationale=(
            "`pd.concat` and setting a new row with `.loc` both build a new frame that copies "
            "all existing rows, so growing a frame in a loop costs O(n²) time and memory "
            "traffic; with thousands of iterations this dominates the run time. Appending the "
            "pieces (or dicts of row values) to a list and calling `pd.concat` (or "
            "`pd.DataFrame`) once after the loop is linear."
        ),
        bad=(
            "results = pd.DataFrame()\n"
            "for fold, (train, test) in enumerate(cv.split(X, y)):\n"
            "    scores = evaluate(train, test)\n"
            "    results = pd.concat([results, pd.DataFrame([scores])])\n"
        ),
        good=(
            "rows = []\n"
            "for fold, (train, test) in enumerate(cv.split(X, y)):\n"
            "    rows.append(evaluate(train, test))\n"
            "results = pd.DataFrame(rows)\n"
        ),
    ),
    Rule(
        code="ML208",
        name="removed-pandas-api",
        pylint_id="W7628",
        family=Family.PANDAS,
        message="`{old}` was removed in pandas {version}{deprecated}; use {replacement}",
        summary=(
            "An API removed in pandas 1.0, 2.0 or 3.0: `DataFrame.append`, `.iteritems()`, "
            "`.ix`, `.lookup()`, `.bool()`, `applymap`, `fillna(method=...)`, `pd.np` ..."
        ),
        rationale=(
            "Code written for an older pandas fails on a current one with an AttributeError "
            "or TypeError the first time it reaches the removed API, which may be deep into "
            "a long run. Each entry of the rule's table names the version that removed the "
            "API and the replacement from pandas' own deprecation message or release notes; "
            "a test checks the table against the installed pandas. Methods are reported only "
            "on receivers known to be pandas objects (a list's `append` is not pandas'), and "
            "only when called (`df.first` alone may be a column named `first`)."
        ),
        bad=(
            "df = df.append(new_rows)\n"
            "for name, col in df.iteritems():\n"
            "    ...\n"
            'df = df.fillna(method="ffill")\n'
        ),
        good=(
            "df = pd.concat([df, new_rows])\n"
            "for name, col in df.items():\n"
            "    ...\n"
            "df = df.ffill()\n"
        ),
        fix=Fix.MIXED,
        fix_summary=(
            "Safe renames: `iteritems()` → `items()`, `applymap` → `map`, `pad`/`backfill` → "
            '`ffill`/`bfill`, `fillna(method="ffill")` → `ffill()` (`bfill()`), '
            "`is_monotonic` → `is_monotonic_increasing`, `to_csv(line_terminator=)` → "
            '`lineterminator=`, `read_csv(delim_whitespace=True)` → `sep=r"\\s+"`, `pd.np` → '
            "the module's NumPy name, `pd.SparseArray` → `pd.arrays.SparseArray`, "
            "`pd.scatter_matrix` → `pd.plotting.scatter_matrix`, "
            "`pd.io.json.json_normalize` → `pd.json_normalize`. Unsafe: `a.append(b)` → "
            "`pd.concat([a, b])` when both are DataFrames or both Series, and "
            "`df.append({...}, ignore_index=True)` → "
            "`pd.concat([df, pd.DataFrame([{...}])], ignore_index=True)`."
        ),
        fix_safety=(
            "The renames are the documented equivalents and keep behaviour. `pd.concat` is "
            "not a one-to-one replacement of `append`: the column order of the result and "
            "the dtypes of columns missing on one side (all-NA columns) can differ, so that "
            "fix is unsafe."
        ),
    ),
)
