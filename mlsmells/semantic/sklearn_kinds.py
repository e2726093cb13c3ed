"""Kinds of scikit-learn objects, from their qualified class names."""

from __future__ import annotations

from mlsmells.semantic.kinds import Kind

#: Sub-packages whose public classes are transformers (they implement ``transform``).
_TRANSFORMER_PACKAGES = frozenset(
    {
        "sklearn.preprocessing",
        "sklearn.impute",
        "sklearn.decomposition",
        "sklearn.feature_selection",
        "sklearn.feature_extraction",
        "sklearn.feature_extraction.text",
        "sklearn.kernel_approximation",
        "sklearn.random_projection",
        "sklearn.manifold",
    }
)


def class_kind(qualname: str) -> Kind | None:
    """Kind of an instance of the scikit-learn class ``qualname``, if it is one."""
    module, _, name = qualname.rpartition(".")
    if not name[:1].isupper():
        return None
    if module == "sklearn.model_selection" and (
        name.endswith("Fold") or name.endswith("Split") or name.startswith("Leave")
    ):
        return Kind.SK_SPLITTER
    if module in _TRANSFORMER_PACKAGES:
        return Kind.SK_TRANSFORMER
    return Kind.SK_ESTIMATOR
