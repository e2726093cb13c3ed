"""ML105 kfold-random-state-without-shuffle: a K-fold split seeded but unshuffled, and its fix."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsmells.data import sklearn_api
from mlsmells.diagnostics import Diagnostic
from mlsmells.engine import Check
from mlsmells.lazy import bind_lazily
from mlsmells.records import Family, Fix, Rule
from mlsmells.rules._util import has_star_kwargs
from mlsmells.semantic import kinds as K
from mlsmells.semantic.names import last_names

if TYPE_CHECKING:
    import libcst as cst

    from mlsmells.fixes import base as fx
bind_lazily(globals(), cst="libcst", fx="mlsmells.fixes.base")

RULE = Rule(
    code="ML105",
    name="kfold-random-state-without-shuffle",
    pylint_id="E7615",
    family=Family.REPRODUCIBILITY,
    message=(
        "`{callee}` is given `random_state` {how}: scikit-learn raises ValueError "
        "(random_state has no effect without shuffling)"
    ),
    summary=(
        "`KFold`, `StratifiedKFold`, `GroupKFold` or `StratifiedGroupKFold` with "
        "`random_state` set but `shuffle` not True."
    ),
    rationale=(
        "These splitters use `random_state` only to shuffle the samples before cutting "
        "the folds. Since scikit-learn 0.24 setting it while `shuffle` is False raises "
        "`ValueError: Setting a random_state has no effect since shuffle is False`, so "
        "the script stops at the splitter; older versions silently ignored the seed, "
        "which hid the fact that the folds were never shuffled (the removed "
        "`sklearn.cross_validation` splitters too: their keywords are read). `shuffle` "
        "counts as false when the file fixes it so (`False`, a name bound to it, a "
        "parameter every call passes `False`); `random_state` as unset when it is None "
        "or a name bound to None. Not seen: values decided at run time, and positional "
        "arguments of the removed splitters (their order differed)."
    ),
    bad="cv = StratifiedKFold(n_splits=5, random_state=42)\n",
    good="cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)\n",
    fix=Fix.UNSAFE,
    fix_summary="Add `shuffle=True` (or turn `shuffle=False` into `shuffle=True`).",
    fix_safety=(
        "Unsafe: the folds become shuffled ones, which is what the seed asked for but "
        "changes every fold (and, on old scikit-learn that ignored the seed, every "
        "score). Dropping `random_state` instead keeps the unshuffled folds; choose that "
        "by hand when the order of the samples matters (time series, grouped data)."
    ),
)


#: Splitters whose constructor raises ValueError when ``random_state`` is set
#: and ``shuffle`` is not True (``_BaseKFold.__init__``: "Setting a
#: random_state has no effect since shuffle is False. You should leave
#: random_state to its default (None), or set shuffle=True."). Checked
#: against the installed scikit-learn by tests/test_rules_reproducibility.py.
SHUFFLE_SPLITTERS = frozenset(
    {
        "sklearn.model_selection.KFold",
        "sklearn.model_selection.StratifiedKFold",
        "sklearn.model_selection.GroupKFold",
        "sklearn.model_selection.StratifiedGroupKFold",
    }
)


_SHUFFLE_SPLITTER_NAMES = last_names(SHUFFLE_SPLITTERS)


class RandomStateWithoutShuffle(Check):
    """ML105: a K-fold splitter given ``random_state`` without ``shuffle=True``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"sklearn"})
    call_names = _SHUFFLE_SPLITTER_NAMES

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not self.model.may_resolve_to(node.func, _SHUFFLE_SPLITTER_NAMES):
            return  # cheap: most callees end in none of these names
        qualname = self.model.qualname(node.func)
        if qualname is None or K.modern(qualname) not in SHUFFLE_SPLITTERS:
            return
        if has_star_kwargs(node) or any(isinstance(arg, ast.Starred) for arg in node.args):
            return
        # The removed ``sklearn.cross_validation`` splitters took other positional
        # parameters (``KFold(n, n_folds, shuffle, random_state)``): keywords only there.
        positional = sklearn_api.POSITIONAL_PARAMS.get(qualname, ())
        args = dict(zip(positional, node.args, strict=False))
        args.update({kw.arg: kw.value for kw in node.keywords if kw.arg is not None})
        random_state = args.get("random_state")
        if random_state is None or self._fixed(random_state, lambda v: v is None, ask=False):
            return  # (a finding stays once made: its parameters are not worth a walk again)
        shuffle = args.get("shuffle")
        if shuffle is not None and not self._fixed(shuffle, lambda v: not v):
            return  # true, or decided at run time
        if shuffle is None:
            how, given = "without `shuffle`", "missing"
        else:
            how = f"with `shuffle={self.ctx.source_of(shuffle)}`"
            literal = isinstance(shuffle, ast.Constant) and shuffle.value is False
            given = "False" if literal else "false"  # the fix replaces the literal only
        self.report(
            "ML105",
            node,
            callee=self.ctx.source_of(node.func),
            how=how,
            data=(("shuffle", given), ("callee", qualname)),
        )

    def _fixed(self, expr: ast.expr, test: Callable[[object], bool], ask: bool = True) -> bool:
        """Whether ``expr`` has a value fixed in the file that passes ``test``."""
        fixed = self.model.constant(expr, ask)
        return fixed is not None and test(fixed.value)


# ---------------------------------------------------------------------- fix


def shuffle_folds(ctx: fx.FixContext, diag: Diagnostic) -> fx.Edit | None:
    """Add ``shuffle=True``, or turn the ``shuffle=False`` given into ``shuffle=True``."""
    call = ctx.find(diag, cst.Call)
    if call is None:
        return None
    given = fx.keyword_arg(call, "shuffle")
    if diag.get("shuffle") == "missing":
        return (
            fx.Edit(call, fx.add_keyword(call, "shuffle", cst.Name("True")))
            if given is None
            else None
        )
    if given is None:
        positional = [a for a in call.args if a.keyword is None]
        params = sklearn_api.POSITIONAL_PARAMS.get(diag.get("callee") or "", ())
        if "shuffle" not in params or params.index("shuffle") >= len(positional):
            return None
        given = positional[params.index("shuffle")]
    if not (isinstance(given.value, cst.Name) and given.value.value == "False"):
        return None
    return fx.Edit(given.value, cst.Name("True"))


def fix_applies(diag: Diagnostic) -> Fix:
    """A missing ``shuffle`` is added, the literal ``False`` replaced; another value that
    is false (``0``, a name bound to ``False``) is left to the author."""
    return Fix.UNSAFE if diag.get("shuffle") in ("missing", "False") else Fix.NONE


FIXES = {"ML105": shuffle_folds}
FIXABLE = {"ML105": fix_applies}
