"""Rule records of the NumPy family (ML3xx)."""

from __future__ import annotations

from mlsmells.records import Family, Fix, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="ML301",
        name="removed-numpy-alias",
        pylint_id="E7631",
        family=Family.NUMPY,
        message="`{old}` was {status} in NumPy {version}; {advice}",
        summary=(
            "A NumPy name removed in NumPy 1.23-2.4 (or deprecated and about to go): "
            "`np.float`, `np.int`, `np.NaN`, `np.float_`, `np.product`, `np.in1d`, `np.trapz` ..."
        ),
        rationale=(
            "NumPy 1.24 removed the aliases of Python builtins (`np.float`, `np.int`, "
            "`np.object`, `np.str`, `np.complex`, `np.unicode`); NumPy 2.0 removed about sixty "
            "redundant names from the main namespace (`np.NaN`, `np.Inf`, `np.NINF`, "
            "`np.float_`, `np.string_`, `np.round_`, `np.product`, `np.alltrue`, `np.asfarray` "
            "...), and NumPy 2.4 removed `np.in1d` and `np.trapz`. Code using them fails with "
            "`AttributeError` on a current NumPy. The table of names, with the version each "
            "went away in and NumPy's own replacement, is `mlsmells/data/api_changes.py`. "
            "`np.bool` and `np.long` are not reported: NumPy 2.0 defined them again (as "
            "`np.bool_` and the C `long`). A use guarded by a `try`/`except AttributeError` or "
            "`ImportError`, or by a `hasattr(np, ...)`/version test, is a compatibility shim "
            "and is not reported either; neither is an assignment such as `np.float = float`."
        ),
        bad=(
            "import numpy as np\n"
            "\n"
            "mask = np.in1d(labels, keep)\n"
            "scores = np.full(len(labels), np.NaN, dtype=np.float_)\n"
            "weights = y.astype(np.float)\n"
        ),
        good=(
            "import numpy as np\n"
            "\n"
            "mask = np.isin(labels, keep).ravel()\n"
            "scores = np.full(len(labels), np.nan, dtype=np.float64)\n"
            "weights = y.astype(float)\n"
        ),
        fix=Fix.MIXED,
        fix_summary=(
            "The documented replacement: a builtin for the builtin aliases (`np.float` -> "
            "`float`), the surviving NumPy name for the renamed ones (`np.NaN` -> `np.nan`, "
            "`np.float_` -> `np.float64`, `np.product` -> `np.prod`, `np.row_stack` -> "
            "`np.vstack`), `-np.inf` for `np.NINF`, and for a few calls the equivalent call: "
            "`np.in1d(a, b)` -> `np.isin(a, b).ravel()` (`.ravel()` kept unless `a` is a flat "
            "list literal: `in1d` always returned a flat array), `np.asfarray(a)` -> "
            "`np.asarray(a, dtype=np.float64)`, `np.msort(a)` -> `np.sort(a, axis=0)`, "
            "`np.asscalar(a)` -> `a.item()`. `from numpy import NaN` becomes `from numpy "
            "import nan as NaN`. Names without a mechanical replacement (`np.cast`, "
            "`np.find_common_type` ...) are reported with NumPy's migration note and not fixed."
        ),
        fix_safety=(
            "Safe: every replacement was already valid in NumPy 1.x and is the object (or "
            "computes the value) the old name stood for. Unsafe: `np.trapz` -> `np.trapezoid` "
            "and `np.byte_bounds` -> `np.lib.array_utils.byte_bounds`, because those "
            "replacements exist only from NumPy 2.0 on, so the fixed code no longer runs on "
            "NumPy 1.x (ruff's NPY201 draws the same line)."
        ),
    ),
    Rule(
        code="ML302",
        name="array-grown-in-loop",
        pylint_id="R7632",
        family=Family.NUMPY,
        message=(
            "`{name}` is grown with `{func}` inside a loop: every iteration copies the whole "
            "array; collect the pieces in a list and join them once after the loop"
        ),
        summary=(
            "`a = np.append(a, x)`, `a = np.concatenate([a, x])`, `a = np.vstack((a, x))` ... "
            "re-binds `a` inside a loop."
        ),
        rationale=(
            "NumPy arrays have a fixed size: `np.append`, `np.concatenate` and the `*stack` "
            "functions allocate a new array and copy both inputs. Growing an array this way in "
            "a loop copies 1 + 2 + ... + n pieces, which is quadratic in the number of "
            "iterations, and the loop slows down as it runs. Appending to a Python list and "
            "calling `np.concatenate`/`np.vstack` once after the loop is linear. The finding "
            "needs the same name (or `self.x` attribute) on both sides of the assignment; a "
            "loop that resets the array at each iteration, or whose loop variable is the array, "
            "does not grow it, and one that doubles it (`np.concatenate([a, a])`) copies a "
            "linear total: neither is reported."
        ),
        bad=(
            "preds = np.empty(0)\n"
            "for xb in batches:\n"
            "    preds = np.append(preds, model.predict(xb))\n"
        ),
        good=(
            "parts = []\n"
            "for xb in batches:\n"
            "    parts.append(model.predict(xb))\n"
            "preds = np.concatenate(parts)\n"
        ),
    ),
)
