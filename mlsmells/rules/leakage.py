"""Checks of the leakage family."""

from __future__ import annotations
