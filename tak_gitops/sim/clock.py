"""Injectable time for the reference TAK: tests fix "today" (the order date D and validity) with a FixedClock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_ZONE: tzinfo = ZoneInfo("Europe/Stockholm")
"""TAK-web's JVM zone on NTjP: order dates and published date-times are local to it."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, time-zone aware."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, days: int = 0, seconds: int = 0) -> None:
        self.current = self.current + timedelta(days=days, seconds=seconds)


def today(clock: Clock, zone: tzinfo = DEFAULT_ZONE) -> date:
    """The local date of ``clock`` in ``zone``."""
    return clock.now().astimezone(zone).date()
