"""Checks of the opinionated family."""

from __future__ import annotations
