"""Checks of the torch family."""

from __future__ import annotations
