"""Orders already handed over but not yet visible in the TAK: the interface between the ledger and the planner.

The TAK-api shows only published data, a day late. An order submitted today is invisible in tomorrow's
snapshot until a TAK administrator has executed and published it, so the planner must not plan its lines
again. The ledger turns every order in state ``submitted`` or ``unknown`` into a :class:`PendingOrder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LineKind = Literal["vagval", "anropsbehorighet"]
Section = Literal["inkludera", "exkludera"]


@dataclass(frozen=True, order=True)
class PendingLine:
    """One routing or authorization line of a pending order, in natural keys.

    * vagval: ``key = (address, contract)``, ``value = (producer, url, profile)`` for inkludera, None for exkludera
    * anropsbehorighet: ``key = (consumer, address, contract)``, ``value = None``
    """

    section: Section
    kind: LineKind
    key: tuple[str, ...]
    value: tuple[str, str, str] | None = None


@dataclass(frozen=True, order=True)
class PendingOrder:
    """An order in the ledger that is submitted (or in doubt) and not yet seen executed."""

    order_id: str
    env: str
    state: str
    submitted_at: str | None
    ticket: str | None
    lines: tuple[PendingLine, ...]
