"""Checks of the numpy family."""

from __future__ import annotations
