"""The rule table: the single source for every front end, the docs and the tests.

Each rule lives in one module under :mod:`mlsmells.rules` (its record, its check and
its fix, see ``CONTRIBUTING.md``); :data:`RULE_MODULES` lists them, and this module
imports them, checks that they hang together, and answers every question about the
table. Nothing registers itself on import: a rule that is not listed here does not
exist.

The rule modules are imported when :data:`RULES`, :data:`CHECKS` or :data:`TRANSFORMS`
is first read (or :func:`engine` called), not with this module: choosing the rules of
a run and reporting findings need only :data:`FACTS`, a table generated from the
records (``mlsmells/data/rule_facts.py``, by ``scripts/gen_docs.py``), so a run whose
results all come from the cache imports no rule, nor the engine. Importing the rule
modules checks that the table still agrees with their records.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from mlsmells.data.rule_facts import FACTS as _FACTS
from mlsmells.diagnostics import Diagnostic
from mlsmells.records import CODE_RE, Fix, Rule, RuleFacts

if TYPE_CHECKING:
    from mlsmells.engine import Check, Engine
    from mlsmells.fixes.base import Transform

Decision = Callable[[Diagnostic], Fix]
"""A rule's answer, from the facts its check put in a finding's data (no libcst), to
whether the rule's fix applies to the finding: ``Fix.SAFE`` or ``Fix.UNSAFE`` (the fix
applies, with that safety before the settings' ``extend-safe-fixes``), ``Fix.NONE`` (it
does not). Every rule with a fix has one (its module's ``FIXABLE``)."""

#: The rule modules (under ``mlsmells.rules``), one line a module: adding a rule adds its line.
RULE_MODULES: tuple[str, ...] = (
    "leakage.ml001_fit_before_split",
    "leakage.ml002_fit_on_test_data",
    "leakage.ml003_resample_before_split",
    "leakage.ml004_select_features_before_split",
    "leakage.ml005_evaluate_on_train_data",
    "reproducibility.ml101_random_state_not_set",
    "reproducibility.ml102_legacy_numpy_random",
    "reproducibility.ml103_unseeded_generator",
    "reproducibility.ml104_dataloader_unseeded_shuffle",
    "reproducibility.ml105_kfold_random_state_without_shuffle",
    "pandas.ml201_chained_assignment",
    "pandas.ml202_inplace_result_assigned",
    "pandas.ml203_result_discarded",
    "pandas.ml204_inplace_argument",
    "pandas.ml205_row_iteration",
    "pandas.ml206_values_attribute",
    "pandas.ml207_frame_grown_in_loop",
    "pandas.ml208_removed_pandas_api",
    "pandas.ml209_nan_equality",
    "numpy.ml301_removed_numpy_alias",
    "numpy.ml302_array_grown_in_loop",
    "torch.ml401_torch_load_unsafe",
    "torch.ml402_zero_grad_missing",
    "torch.ml403_loss_accumulated_as_tensor",
    "torch.ml404_functional_dropout_always_on",
    "torch.ml405_forward_called_directly",
    "torch.ml406_mode_switch_not_called",
    "torch.ml407_ml409_loop_order",
    "torch.ml408_softmax_into_cross_entropy",
    "torch.ml410_tensor_move_discarded",
    "torch.ml411_requires_grad_typo",
    "torch.ml412_deprecated_torch_api",
    "torch.ml413_checkpoint_reentrant_unset",
    "torch.ml414_log_of_probabilities",
    "torch.ml415_sigmoid_into_bce",
    "torch.ml416_imprecise_log_exp",
    "torch.ml417_probabilities_into_nll",
    "sklearn.ml501_removed_sklearn_api",
    "huggingface.ml701_trust_remote_code",
    "scripts.ml801_unsafe_deserialization",
    "scripts.ml802_save_whole_module",
    "scripts.ml803_workers_without_main_guard",
    "scripts.ml811_float_equality_in_test",
    "scripts.ml812_unseeded_test_randomness",
    "opinionated.ml901_hyperparameters_not_set",
    "opinionated.ml902_read_without_dtype",
    "opinionated.ml903_merge_not_validated",
    "opinionated.ml904_empty_column_filler",
    "opinionated.ml905_matrix_product_with_dot",
    "opinionated.ml906_dataloader_workers_unset",
    "opinionated.ml907_ml908_script_reproducibility",
    "opinionated.ml909_scaler_missing",
    "opinionated.ml910_threshold_metric_only",
    "opinionated.ml911_untyped_ml_function",
    "opinionated.ml912_hub_revision_unpinned",
    "opinionated.ml913_pickle_load",
    "opinionated.ml914_legacy_numpy_random_seeded",
    "opinionated.ml919_unused_noqa",
)


@dataclass(frozen=True)
class _Table:
    rules: Mapping[str, Rule]
    checks: tuple[type[Check], ...]
    fixes: dict[str, Transform]
    decisions: dict[str, Decision]


def _checks_of(module: ModuleType) -> list[type[Check]]:
    """The check classes that ``module`` defines (not those it imports). (``type(value)``,
    not ``isinstance``: that would read ``__class__`` of a lazily imported module, and so
    import it.)"""
    from mlsmells.engine import Check

    return [
        value
        for value in vars(module).values()
        if issubclass(type(value), type)
        and issubclass(value, Check)
        and value.__module__ == module.__name__
        and value.codes
    ]


def _load(check_facts: bool = True) -> _Table:
    """Import the rule modules and check that each holds what the layout promises: its
    records (in the package of their family), the checks reporting exactly those codes,
    and fixes only for them; and (``check_facts``) that :data:`FACTS` agrees with the
    records. (A cache hit needs no rule module; but a changed rule module changes the
    cache's code digest, so the run after the change imports them all, and fails here.)"""
    rules: dict[str, Rule] = {}
    checks: list[type[Check]] = []
    fixes: dict[str, Transform] = {}
    decisions: dict[str, Decision] = {}
    for name in RULE_MODULES:
        module = importlib.import_module(f"mlsmells.rules.{name}")
        records: tuple[Rule, ...] = getattr(module, "RULES", None) or (module.RULE,)
        found = _checks_of(module)
        codes = {rule.code for rule in records}
        reported = sorted(code for check in found for code in check.codes)
        problem = None
        if sorted(codes) != reported:
            problem = f"its checks report {reported}, its records are {sorted(codes)}"
        elif not set(getattr(module, "FIXES", {})) <= codes:
            problem = f"fixes for {sorted(set(module.FIXES) - codes)}, not rules of its own"
        elif set(getattr(module, "FIXABLE", {})) != set(getattr(module, "FIXES", {})):
            problem = (
                f"fixes for {sorted(getattr(module, 'FIXES', {}))} and fix decisions "
                f"(FIXABLE) for {sorted(getattr(module, 'FIXABLE', {}))}: one each"
            )
        for rule in records:
            if not CODE_RE.match(rule.code) or rule.code in rules:
                problem = f"a bad or duplicate rule code {rule.code}"
            elif name.split(".")[0] != rule.family.value:
                problem = f"{rule.code} belongs to the {rule.family.value} family"
            rules[rule.code] = rule
        if problem is not None:
            raise ValueError(f"{module.__name__}: {problem}")
        checks.extend(found)
        fixes.update(getattr(module, "FIXES", {}))
        decisions.update(getattr(module, "FIXABLE", {}))
    if check_facts and {code: rule.facts for code, rule in rules.items()} != FACTS:
        raise ValueError(
            "mlsmells/data/rule_facts.py does not match the rules' records: run "
            "`python scripts/gen_docs.py`"
        )
    return _Table(dict(sorted(rules.items())), tuple(checks), fixes, decisions)


FACTS: Mapping[str, RuleFacts] = {facts.code: facts for facts in _FACTS}
"""Code -> what choosing rules and reporting findings need of the rule, in code order;
:data:`RULES` has the whole records."""
_TESTS_ONLY = frozenset(code for code, facts in FACTS.items() if facts.tests_only)

# Made when first read (see the module's docstring), by ``__getattr__``:
RULES: Mapping[str, Rule]
"""Code -> the rule's record, in code order."""
CHECKS: tuple[type[Check], ...]
"""Every check class, in the order of :data:`RULE_MODULES`."""
TRANSFORMS: dict[str, Transform]
"""Rule code -> its fix (the rule modules' ``FIXES``): a function of the rule module,
whose libcst is imported when it first runs."""
DECISIONS: dict[str, Decision]
"""Rule code -> whether its fix applies to a finding (the rule modules' ``FIXABLE``,
see :data:`Decision`): what ``check`` marks ``[*]`` without the fixer."""


_TABLE: _Table | None = None


def _table() -> _Table:
    global _TABLE
    if _TABLE is None:
        _TABLE = _load()
        globals().update(
            RULES=_TABLE.rules,
            CHECKS=_TABLE.checks,
            TRANSFORMS=_TABLE.fixes,
            DECISIONS=_TABLE.decisions,
        )
    return _TABLE


def __getattr__(name: str) -> object:
    if name in ("RULES", "CHECKS", "TRANSFORMS", "DECISIONS"):
        _table()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def records_in_modules() -> Mapping[str, Rule]:
    """The records of the rule modules, whether :data:`FACTS` agrees with them or not
    (what ``scripts/gen_docs.py`` makes it from)."""
    return _load(check_facts=False).rules


def engine(active: frozenset[str] | None = None) -> Engine:
    """An engine running the checks of the ``active`` codes (default: the default rules)."""
    from mlsmells.engine import Engine

    return Engine(_table().checks, select_codes() if active is None else active)


def tests_only_codes() -> frozenset[str]:
    """The codes of the rules about test code, checked only in test files."""
    return _TESTS_ONLY


def get(code: str) -> Rule:
    return _table().rules[code]


def by_symbol(symbol: str) -> Rule | None:
    for rule in _table().rules.values():
        if rule.symbol == symbol:
            return rule
    return None


def rule_names() -> dict[str, tuple[str, str]]:
    """Every way to name a rule, lowercased -> (as it is spelled, the rule's code): its
    code, symbol, name and pylint id (for "did you mean" messages)."""
    names: dict[str, tuple[str, str]] = {}
    for facts in FACTS.values():
        for name in (facts.code, facts.symbol, facts.name, facts.pylint_id):
            names.setdefault(name.lower(), (name, facts.code))
    return names


def default_disabled_prefixes() -> list[str]:
    """Code prefixes that are off unless selected (flake8's ``extend_default_ignore``)."""
    return ["ML9"]


def select_codes(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset[str]:
    """Resolve code prefixes into the set of active codes.

    flake8 semantics: without ``select`` the defaults are active (everything
    but the opt-in ML9xx); an explicit selector, ``extend_select`` included,
    turns opt-in rules on; between a matching select and a matching ignore
    the longer prefix wins, and ignore wins a tie. ``ALL`` matches every code
    as the shortest prefix.
    """
    sel = _normalise(select or [])
    ext = _normalise(extend_select)
    ign = _normalise(ignore)
    active: set[str] = set()
    for code, rule in FACTS.items():
        chosen = _match_length(code, sel + ext) if sel else _match_length(code, ext)
        if not sel and chosen is None and rule.default_enabled:
            chosen = 0
        if chosen is None:
            continue
        ignored = _match_length(code, ign)
        if ignored is None or chosen > ignored:
            active.add(code)
    return frozenset(active)


def _normalise(items: Iterable[str]) -> list[str]:
    return [s.strip().upper() for s in items if s.strip()]


def _match_length(code: str, prefixes: Iterable[str]) -> int | None:
    """Length of the longest prefix matching ``code`` (``ALL`` counts as 0)."""
    best: int | None = None
    for prefix in prefixes:
        length = 0 if prefix == "ALL" else len(prefix) if code.startswith(prefix) else None
        if length is not None and (best is None or length > best):
            best = length
    return best


def is_valid_selector(text: str) -> bool:
    text = text.strip().upper()
    return text == "ALL" or bool(re.fullmatch(r"ML\d{0,3}", text))
