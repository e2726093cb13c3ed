"""The PyTorch rules (ML4xx)."""
