"""The reproducibility rules (ML1xx)."""
