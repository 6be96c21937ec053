"""Write and compare the generated JSON Schema files (``schemas/``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tak_gitops.core.desired_model import json_schemas


def atomic_write(file: Path, data: bytes) -> None:
    """Write ``data`` to ``file`` atomically: a temporary file in the same directory, fsync, os.replace."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_schemas(out: Path) -> list[str]:
    """Write every schema file into ``out``; return the names written (sorted)."""
    written = []
    for name, content in json_schemas().items():
        target = out / name
        if not target.is_file() or target.read_bytes() != content:
            atomic_write(target, content)
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
