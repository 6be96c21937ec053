"""The ``files`` submitter: each order written to a file for a person to hand over."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.submit.outcome import SubmitOutcome
from tak_gitops.errors import SubmitError


class FilesSubmitter:
    """Writes ``<out_dir>/<ENV>/<order-id>.json`` for a person to upload, paste into TAK-web or mail."""

    name = "files"
    replay_safe = True

    def __init__(self, out_dir: Path, env: str) -> None:
        self.directory = out_dir / env

    def open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SubmitError(f"cannot create the order directory {self.directory}: {exc.strerror}") from exc

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        path = self.directory / f"{order_id}.json"
        try:
            # in the order TAK-web documents the keys (plattform first, inkludera before exkludera), for people
            write_bytes_atomic(path, orjson.dumps(dict(document), option=orjson.OPT_INDENT_2) + b"\n")
        except OSError as exc:
            return SubmitOutcome("not-sent", f"cannot write {path}: {exc.strerror}")
        return SubmitOutcome("submitted", f"written to {path}", location=str(path))

    def close(self) -> None:
        return None
