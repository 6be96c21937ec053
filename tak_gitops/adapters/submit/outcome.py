"""What a submitter answers for one order (:class:`SubmitOutcome`), and what a submitter is (:class:`Submitter`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from tak_gitops.adapters.takweb_report import ReportLine

Result = Literal["submitted", "rejected", "unknown", "not-sent"]
RETRY_STATUSES = frozenset({429, 502, 503})
UNKNOWN_STATUSES = frozenset({500, 504})
USER_AGENT = "tak-gitops"


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to one order. ``detail`` is one line for people; ``messages`` are the peer's own words."""

    result: Result
    detail: str
    http_status: int | None = None
    messages: tuple[str, ...] = ()
    lines: tuple[ReportLine, ...] = ()
    ticket: str | None = None
    attempts: int = 1
    location: str | None = None

    def to_response(self, submitter: str, at: str) -> dict[str, Any]:
        """The record's ``responses`` entry (no secrets: only statuses, messages and report lines)."""
        return {
            "at": at,
            "submitter": submitter,
            "result": self.result,
            "detail": self.detail,
            "http_status": self.http_status,
            "attempts": self.attempts,
            "messages": list(self.messages),
            "report": [f"{line.section} {line.group} {line.status}: {line.text}" for line in self.lines],
            "ticket": self.ticket,
            "location": self.location,
        }


class Submitter(Protocol):
    """Hands one order document over. ``replay_safe``: sending the same order twice is harmless."""

    @property
    def name(self) -> str: ...

    @property
    def replay_safe(self) -> bool: ...

    def open(self) -> None: ...

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome: ...

    def close(self) -> None: ...
