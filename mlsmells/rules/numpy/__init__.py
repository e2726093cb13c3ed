"""The NumPy rules (ML3xx)."""
