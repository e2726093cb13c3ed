"""The pandas rules (ML2xx)."""
