"""Qualified-name helpers shared by the opinionated rule modules (ML901, ML902, ML909, ML910)."""

from __future__ import annotations

#: The top-level package of scikit-learn, the prefix of the qualified names the rules list.
SK = "sklearn"


def short(qualname: str) -> str:
    """The last component of ``qualname`` (``sklearn.svm.SVC`` -> ``SVC``)."""
    return qualname.rpartition(".")[2]
