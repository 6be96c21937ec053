"""Submitters: how ``apply --yes`` hands an order over. ``files`` (default), ``tak-web`` and ``http``.

Every submitter answers one :class:`SubmitOutcome` per order:

* ``submitted``: the order was handed over (written, or accepted by TAK-web / the order API);
* ``rejected``: the peer refused it for good (TAK-web ``JsonBestallning ERROR:::`` / ``RUNTIME ERROR:::``);
* ``unknown``: the order may have been accepted, and sending it again could create it twice (read timeout,
  connection dropped after the body was sent, HTTP 500 or 504): the ledger marks it and ``orders reconcile``
  decides from the next snapshot;
* ``not-sent``: it surely did not arrive (connection refused, connect timeout, 429/502/503 after the retries,
  a login form instead of an answer); the order stays ``planned`` for the next apply.

Transient failures before anything was processed are retried with exponential backoff (tenacity). Secrets
(passwords, tokens) come from the environment and never appear in a message, a record or a log line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tak_gitops.adapters.submit.files import FilesSubmitter
from tak_gitops.adapters.submit.order_api import HttpSubmitter
from tak_gitops.adapters.submit.outcome import Result, SubmitOutcome, Submitter
from tak_gitops.adapters.submit.takweb import TakWebSubmitter
from tak_gitops.core.config import SubmitterConfig

__all__ = [
    "FilesSubmitter",
    "HttpSubmitter",
    "Result",
    "SubmitOutcome",
    "Submitter",
    "SubmitterFactory",
    "TakWebSubmitter",
]


@dataclass
class SubmitterFactory:
    """Builds the configured submitter. ``backoff_seconds`` and ``sleep`` exist for tests."""

    base_dir: Path
    environ: Mapping[str, str] | None = None
    backoff_seconds: float = 0.5
    sleep: Callable[[float], None] | None = None
    transport: httpx.BaseTransport | None = field(default=None)

    def make(self, config: SubmitterConfig, env: str) -> Submitter:
        if config.kind == "files":
            out = Path(config.out_dir)
            return FilesSubmitter(out if out.is_absolute() else self.base_dir / out, env)
        common: dict[str, Any] = {
            "base_dir": self.base_dir,
            "environ": self.environ,
            "backoff_seconds": self.backoff_seconds,
            "sleep": self.sleep,
            "transport": self.transport,
        }
        if config.kind == "tak-web":
            return TakWebSubmitter(config, **common)
        return HttpSubmitter(config, **common)
