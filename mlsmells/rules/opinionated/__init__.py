"""The opinionated rules, off by default (ML9xx)."""
