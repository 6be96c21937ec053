"""Sanity checks on a freshly read snapshot: refuse a source that looks broken, shrunken or stale.

Pure functions: the caller supplies the snapshot, the previous snapshot (if any), the limits and "now".
Every refusal raises :class:`~tak_gitops.errors.SnapshotRefused` with a message that says what was found
and which flag overrides it (if any).

Rules, in the order they are checked:

* duplicate routing keys: two source rows for one (logical address, contract); never overridable;
* obfuscated URLs (``....`` inside, what the TAK-api returns without ``include=physicalAddress``); never overridable;
* empty where the previous snapshot was not; never overridable (drop ``--previous`` if the TAK really is empty);
* routings or authorizations shrunk by more than ``max_shrink_share`` of the previous count (``--allow-shrink``);
* older than ``max_age_hours``, or without any snapshot time (``--allow-stale``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tak_gitops.core.snapshot import RoutingKey, Snapshot
from tak_gitops.errors import SnapshotRefused

OBFUSCATION_MARK = "...."
"""The TAK-api replaces hidden URL parts with four dots (HTTPObfuscatorImpl)."""

MAX_LISTED = 10
"""At most this many offending rows are named in one message."""


@dataclass(frozen=True, order=True)
class DuplicateRouting:
    """One routing key that a source holds more than once: ``rows`` names every source row carrying it."""

    key: RoutingKey
    rows: tuple[str, ...]


def parse_snapshot_time(value: str) -> datetime:
    """Parse a TAK time stamp (``2025-01-20T02:31:07+0100``, ``...Z``, ISO-8601 with ``+01:00``).

    Raises ValueError when the text is not such a time stamp or has no time zone.
    """
    text = value.strip()
    parsed: datetime | None = None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"time stamp {value!r} has no time zone")
    return parsed


def _listing(items: Sequence[str]) -> str:
    shown = "\n".join(f"  - {i}" for i in items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f"\n  ... and {more} more" if more > 0 else "")


def check_duplicate_routings(duplicates: Iterable[DuplicateRouting], *, source: str) -> None:
    """Refuse a source that holds one routing key more than once, listing every such key and its rows."""
    dups = sorted(duplicates)
    if not dups:
        return
    lines = [f"({la}, {ns}) in {', '.join(d.rows)}" for d in dups for la, ns in (d.key,)]
    raise SnapshotRefused(
        f"{len(dups)} routing key(s) occur more than once (TAK keeps one routing per logical address and "
        f"contract):\n{_listing(lines)}",
        path=source,
    )


def obfuscated_routings(snapshot: Snapshot) -> list[RoutingKey]:
    """Routing keys whose URL is obfuscated, sorted."""
    return sorted(k for k, (_, url, _) in snapshot.routings.items() if OBFUSCATION_MARK in url)


def check_obfuscated_urls(snapshot: Snapshot, *, source: str) -> None:
    """Refuse URLs the TAK-api obfuscated (fetched without ``include=physicalAddress``)."""
    bad = obfuscated_routings(snapshot)
    if not bad:
        return
    raise SnapshotRefused(
        f"{len(bad)} routing URL(s) are obfuscated ('{OBFUSCATION_MARK}'): serviceProductions was fetched "
        f"without include=physicalAddress:\n{_listing([f'({la}, {ns})' for la, ns in bad])}",
        path=source,
    )


def check_against_previous(
    snapshot: Snapshot, previous: Snapshot | None, *, max_shrink_share: float, allow_shrink: bool, source: str
) -> None:
    """Refuse an empty snapshot where ``previous`` had rows, and (unless ``allow_shrink``) one whose routings or
    authorizations shrank by more than ``max_shrink_share`` of the previous count."""
    if previous is None:
        return
    new_total = len(snapshot.routings) + len(snapshot.authorizations)
    old_total = len(previous.routings) + len(previous.authorizations)
    if new_total == 0 and old_total > 0:
        raise SnapshotRefused(
            f"the source has no routings and no authorizations, but the previous snapshot had {old_total} rows "
            "(a broken export?); remove --previous if the TAK really is empty",
            path=source,
        )
    if allow_shrink:
        return
    problems = []
    for kind, new, old in (
        ("routings", len(snapshot.routings), len(previous.routings)),
        ("authorizations", len(snapshot.authorizations), len(previous.authorizations)),
    ):
        if old and (old - new) / old > max_shrink_share:
            problems.append(
                f"{kind} shrank from {old} to {new} ({(old - new) / old:.1%}, limit {max_shrink_share:.0%})"
            )
    if problems:
        raise SnapshotRefused(
            "the source shrank more than allowed: " + "; ".join(problems) + "; use --allow-shrink if this is real",
            path=source,
        )


def check_age(
    snapshot: Snapshot,
    *,
    now: datetime,
    max_age_hours: float,
    allow_stale: bool,
    source: str,
    limit_from: str = "--max-age",
) -> None:
    """Refuse (unless ``allow_stale``) a snapshot older than ``max_age_hours`` or without a snapshot time.
    ``limit_from`` names where the command takes the limit from (a flag it has, or the configuration)."""
    if allow_stale:
        return
    if snapshot.snapshot_time is None:
        raise SnapshotRefused(
            "the source carries no snapshot time, so its age is unknown; use --allow-stale to accept it", path=source
        )
    try:
        taken = parse_snapshot_time(snapshot.snapshot_time)
    except ValueError:
        raise SnapshotRefused(
            f"snapshot time {snapshot.snapshot_time!r} is not a time stamp; use --allow-stale to accept it",
            path=source,
        ) from None
    age = now - taken
    if age > timedelta(hours=max_age_hours):
        hours = age.total_seconds() / 3600
        raise SnapshotRefused(
            f"snapshot time {snapshot.snapshot_time} is {hours:.1f} hours old (limit {max_age_hours:g} hours); "
            f"use --allow-stale to accept it or {limit_from} to change the limit",
            path=source,
        )


def check_snapshot(
    snapshot: Snapshot,
    *,
    previous: Snapshot | None,
    now: datetime,
    max_age_hours: float,
    max_shrink_share: float,
    allow_stale: bool = False,
    allow_shrink: bool = False,
    source: str,
    limit_from: str = "--max-age",
) -> None:
    """Run every check except duplicate keys (readers run that one while they still know the rows)."""
    check_obfuscated_urls(snapshot, source=source)
    check_against_previous(
        snapshot, previous, max_shrink_share=max_shrink_share, allow_shrink=allow_shrink, source=source
    )
    check_age(
        snapshot, now=now, max_age_hours=max_age_hours, allow_stale=allow_stale, source=source, limit_from=limit_from
    )
