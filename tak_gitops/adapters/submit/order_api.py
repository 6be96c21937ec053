"""The ``http`` submitter: the order JSON posted to an order API with an idempotency key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from tak_gitops.adapters.submit.http_base import RETRY_STATUSES, UNKNOWN_STATUSES, HttpBase
from tak_gitops.adapters.submit.outcome import SubmitOutcome
from tak_gitops.errors import SubmitError


class HttpSubmitter(HttpBase):
    """POST the order JSON to ``submit.url`` (an order API) with an ``Idempotency-Key`` header.

    2xx: submitted (a ``ticket`` or ``id`` in a JSON answer is recorded); 4xx other than 429: rejected.
    500/504 and timeouts are ``unknown`` unless ``submit.idempotent`` says the endpoint honours the key, in
    which case they are retried like 502/503.
    """

    name = "http"

    @property
    def replay_safe(self) -> bool:
        return self.config.idempotent

    def open(self) -> None:
        if self.config.token_env and not self.environ.get(self.config.token_env):
            raise SubmitError(f"the order API token is missing: set the environment variable {self.config.token_env}")

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.config.token_env:
            headers["Authorization"] = f"Bearer {self.environ.get(self.config.token_env, '')}"
        body = orjson.dumps(dict(document))
        retry = RETRY_STATUSES | UNKNOWN_STATUSES if self.config.idempotent else RETRY_STATUSES
        response, failure = self._deliver(lambda: self.client.post(self.url, content=body, headers=headers), retry)
        if response is None:
            assert failure is not None
            return failure
        status = response.status_code
        if 200 <= status < 300:
            ticket = None
            try:
                data = response.json()
                if isinstance(data, dict):
                    raw = data.get("ticket") or data.get("id")
                    ticket = str(raw) if raw else None
            except ValueError:
                ticket = None
            return SubmitOutcome("submitted", f"accepted (HTTP {status})", http_status=status, ticket=ticket)
        if status in UNKNOWN_STATUSES or status >= 500:
            return SubmitOutcome(
                "unknown",
                f"the order API answered HTTP {status}; the order may have been accepted: not sent again",
                http_status=status,
            )
        if status in (401, 403):
            return SubmitOutcome(
                "not-sent",
                f"the order API answered HTTP {status}: check the token in {self.config.token_env or '(no token_env)'}",
                http_status=status,
            )
        return SubmitOutcome(
            "rejected",
            f"the order API refused the order (HTTP {status}): {self.redact.cut(response.text)}",
            http_status=status,
            messages=(self.redact.cut(response.text, 1000),),
        )
