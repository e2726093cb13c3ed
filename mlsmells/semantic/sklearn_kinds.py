"""Kinds of scikit-learn objects, from their qualified class names.

The roles come from :mod:`mlsmells.data.sklearn_api`, generated from
scikit-learn itself by ``scripts/gen_sklearn_api.py``: only public import
paths of classes that exist in the recorded scikit-learn version have a kind.
"""

from __future__ import annotations

from mlsmells.data import sklearn_api
from mlsmells.semantic.kinds import Kind


def class_kind(qualname: str) -> Kind | None:
    """Kind of an instance of the scikit-learn class ``qualname``, if it is one.

    A splitter is ``SK_SPLITTER``; a classifier or regressor is ``SK_ESTIMATOR``
    even when it can also transform (``LinearDiscriminantAnalysis``, stacking);
    any other estimator that transforms data (scalers, encoders, vectorizers,
    decompositions, ``KMeans``, ``ColumnTransformer``) is ``SK_TRANSFORMER``;
    remaining estimators (``Pipeline``, searches, outlier detectors) are
    ``SK_ESTIMATOR``.
    """
    if qualname in sklearn_api.SPLITTERS:
        return Kind.SK_SPLITTER
    if qualname in sklearn_api.CLASSIFIERS or qualname in sklearn_api.REGRESSORS:
        return Kind.SK_ESTIMATOR
    if qualname in sklearn_api.TRANSFORMERS:
        return Kind.SK_TRANSFORMER
    if qualname in sklearn_api.ESTIMATORS:
        return Kind.SK_ESTIMATOR
    return None
