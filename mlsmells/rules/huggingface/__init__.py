"""The Hugging Face rules (ML7xx)."""
