"""The data-leakage and evaluation rules (ML0xx)."""
