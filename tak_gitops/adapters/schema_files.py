"""Write and compare the generated JSON Schema files (``schemas/``)."""

from __future__ import annotations

from pathlib import Path

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.core.desired_model import json_schemas


def write_schemas(out: Path) -> list[str]:
    """Write every schema file into ``out``; return the names written (sorted)."""
    written = []
    for name, content in json_schemas().items():
        target = out / name
        if not target.is_file() or target.read_bytes() != content:
            write_bytes_atomic(target, content)
        written.append(name)
    return written


def check_schemas(out: Path) -> list[str]:
    """Names of schema files in ``out`` that are missing or differ from the models (sorted)."""
    stale = []
    for name, content in json_schemas().items():
        target = out / name
        if not target.is_file() or target.read_bytes() != content:
            stale.append(name)
    return stale
