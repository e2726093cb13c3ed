"""The serialization, script and test rules (ML8xx)."""
