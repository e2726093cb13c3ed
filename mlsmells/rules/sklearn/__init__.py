"""The scikit-learn API rules (ML5xx)."""
