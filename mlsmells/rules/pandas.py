"""Checks of the pandas family."""

from __future__ import annotations
