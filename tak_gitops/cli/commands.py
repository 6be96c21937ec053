"""Imports every command module so that each registers its commands on the `cli` group."""

from __future__ import annotations

from tak_gitops.cli import apply, orders  # noqa: F401
