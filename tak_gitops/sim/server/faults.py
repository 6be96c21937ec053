"""Faults the reference TAK can inject on chosen paths: an HTTP status, a delay, or a dropped connection."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    """Misbehave on requests whose path starts with ``path`` (and whose method is ``method``, if given).

    ``status``: answer this HTTP status instead of handling the request; ``delay``: wait this many seconds
    first; ``drop``: read the request body, then close the connection without answering. The rule applies to
    the first ``times`` matching requests (``None``: to all of them).
    """

    path: str
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = 1
    method: str | None = None
    hits: int = 0

    def applies(self, method: str, path: str) -> bool:
        if not path.startswith(self.path) or (self.method is not None and self.method != method):
            return False
        return self.times is None or self.hits < self.times


@dataclass
class FaultPlan:
    """The faults to inject, in order: the first applicable rule wins and counts the request."""

    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.applies(method, path):
                    rule.hits += 1
                    return rule
        return None
