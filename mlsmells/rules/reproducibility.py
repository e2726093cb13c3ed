"""Checks of the reproducibility family."""

from __future__ import annotations
