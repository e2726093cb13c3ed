"""Scope-level data flow: which names hold data derived from which data, in source order.

The leakage rules (ML001-ML005) need to know, inside one module, function or
method, that ``X_s`` holds the output of a scaler fit on ``X``, that
``X_train`` and ``X_test`` are the two sides of one split of ``X_s``, and that
``model.score(X_train, y_train)`` scores a model on the very values it was fit
on. This package computes that, driven statement by statement by the engine's
single walk (:class:`FlowTracker`), and hands each finished scope to the rules
as a :class:`ScopeFlow`: the values its names held, and the events that
happened to them (fits, transforms, splits and cross-validation, evaluations).

Abstraction, in short (``docs/flow.md`` has the long form):

* A :class:`Value` is what a name holds: *rows* (where its rows come from, as
  paths ``root -> (split, part) -> ...``; two values share rows when one path
  is a prefix of the other), *taints* (statistics learned from rows that were
  baked into it, each remembering the call that learned them and from which
  rows), taints of single named columns, and a few markers (a pending
  statistic such as ``df.mean()``, the train or test index array of a CV split,
  the items of a tuple, predictions of a model).
* An :class:`Obj` is a scikit-learn (imbalanced-learn, Keras preprocessing)
  object: its class, its role (stateful preprocessor, encoder, feature
  selector, resampler, splitter, search, model ...) and its fit history.
* Updates inside ``if``/loop/``except`` bodies are weak (the new value is
  joined with the old one); everything else is a strong update in source
  order. Calls of same-file functions (and of the functions of the project's
  other modules, through portable summaries) are followed one level deep
  through a summary (parameters -> return value, and the splits/cross-validation
  the function performs on its parameters).


The modules, each importing only those above it:

* :mod:`~mlsmells.semantic.flow.values`: row paths, taints, :class:`Value`,
  :class:`Obj`, the events of a scope (:class:`ScopeFlow`) and the value algebra;
* :mod:`~mlsmells.semantic.flow.tables`: the library classes, functions, methods
  and attributes followed, and the role of an object (:func:`classify`);
* :mod:`~mlsmells.semantic.flow.syntax`: small readers of the syntax tree;
* :mod:`~mlsmells.semantic.flow.summaries`: functions followed one level deep;
* the evaluator of a statement, one class in three layers:
  :mod:`~mlsmells.semantic.flow.expressions` (statements, bindings, expressions),
  :mod:`~mlsmells.semantic.flow.functions` (library functions and classes) and
  :mod:`~mlsmells.semantic.flow.calls` (the dispatch of a call, methods, summaries);
* :mod:`~mlsmells.semantic.flow.tracker`: :class:`FlowTracker`, which drives it.

Nothing here decides what is a finding: that is the rule modules of
:mod:`mlsmells.rules.leakage`.
"""

from mlsmells.semantic.flow.summaries import Summary
from mlsmells.semantic.flow.tables import classify, combined_role
from mlsmells.semantic.flow.tracker import STATEMENTS, FlowTracker
from mlsmells.semantic.flow.values import (
    EMPTY,
    ROOT,
    TEST_PART,
    TRAIN_PART,
    Abstract,
    ArgRole,
    Evaluation,
    Fit,
    Obj,
    Prediction,
    Role,
    RowPath,
    ScopeFlow,
    Sink,
    SinkKind,
    Split,
    Step,
    Taint,
    TaintKind,
    TransformUse,
    Value,
    derive,
    drop_columns,
    join,
    paths_overlap,
    rows_overlap,
    select_columns,
    short_call,
    store_columns,
    with_rows_step,
)

__all__ = [
    "EMPTY",
    "ROOT",
    "STATEMENTS",
    "TEST_PART",
    "TRAIN_PART",
    "Abstract",
    "ArgRole",
    "Evaluation",
    "Fit",
    "FlowTracker",
    "Obj",
    "Prediction",
    "Role",
    "RowPath",
    "ScopeFlow",
    "Sink",
    "SinkKind",
    "Split",
    "Step",
    "Summary",
    "Taint",
    "TaintKind",
    "TransformUse",
    "Value",
    "classify",
    "combined_role",
    "derive",
    "drop_columns",
    "join",
    "paths_overlap",
    "rows_overlap",
    "select_columns",
    "short_call",
    "store_columns",
    "with_rows_step",
]
