"""Checks of the sklearn family."""

from __future__ import annotations
