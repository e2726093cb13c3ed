"""Rule records of the pandas family (ML2xx)."""

from __future__ import annotations

from mlsmells.registry import Family, Fix, Rule

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
        message="`{method}(..., inplace=True)` returns None{since}; assigning its result binds None",
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
)
