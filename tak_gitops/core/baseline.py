"""The baseline of an environment: the summary of its last accepted snapshot (rows per table, digest, snapshot
time), kept in the repository beside the ledger, and the bad-read check of a new snapshot against it.

A fresh checkout has no earlier snapshot file to compare with; the baseline travels with the repository instead.
Removals that orders handed over since the baseline's snapshot asked for are expected shrink, not a bad read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import SnapshotRefused

BASELINE_FORMAT = "tak-gitops-baseline"
TABLES = ("routings", "authorizations", "logical_addresses", "systems", "contracts")
CHECKED = ("routings", "authorizations")
"""The tables whose shrink is checked (the others only grow by orders and shrink by hand in TAK-web)."""


@dataclass(frozen=True)
class Baseline:
    """What the last accepted snapshot of ``env`` held."""

    env: str
    platform: str
    environment: str
    snapshot_time: str | None
    digest: str
    counts: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": BASELINE_FORMAT,
            "env": self.env,
            "platform": self.platform,
            "environment": self.environment,
            "snapshot_time": self.snapshot_time,
            "digest": self.digest,
            "counts": {t: int(self.counts.get(t, 0)) for t in TABLES},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Baseline:
        """A baseline read back; a ValueError says what is wrong with it."""
        if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
            raise ValueError(f"not a baseline (format must be {BASELINE_FORMAT!r})")
        counts = data.get("counts")
        if not isinstance(counts, dict) or not all(isinstance(counts.get(t), int) for t in TABLES):
            raise ValueError("'counts' must give an integer for each of " + ", ".join(TABLES))
        for key in ("env", "platform", "environment", "digest"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"{key!r} must be a string")
        time = data.get("snapshot_time")
        return cls(data["env"], data["platform"], data["environment"], time if isinstance(time, str) else None,
                   data["digest"], {t: counts[t] for t in TABLES})


def counts_of(snapshot: Snapshot) -> dict[str, int]:
    """Rows per table of ``snapshot``."""
    return {
        "routings": len(snapshot.routings),
        "authorizations": len(snapshot.authorizations),
        "logical_addresses": len(snapshot.logical_addresses),
        "systems": len(snapshot.systems),
        "contracts": len(snapshot.contracts),
    }


def baseline_of(env: str, snapshot: Snapshot) -> Baseline:
    """The baseline ``snapshot`` becomes once accepted."""
    return Baseline(env, snapshot.platform, snapshot.environment, snapshot.snapshot_time, snapshot.digest,
                    counts_of(snapshot))


def check_against_baseline(
    snapshot: Snapshot,
    baseline: Baseline,
    *,
    expected: Mapping[str, int],
    max_shrink_share: float,
    allow_shrink: bool = False,
    source: str,
) -> None:
    """Refuse an empty snapshot where the baseline had rows, and (unless ``allow_shrink``) one whose routings or
    authorizations shrank by more than ``max_shrink_share`` beyond the ``expected`` removals (per table)."""
    if (baseline.platform, baseline.environment) != (snapshot.platform, snapshot.environment):
        raise SnapshotRefused(
            f"the baseline of {baseline.env} is of {baseline.platform}/{baseline.environment}, this snapshot of "
            f"{snapshot.platform}/{snapshot.environment}", path=source,
        )
    now = counts_of(snapshot)
    old_total = sum(baseline.counts[t] for t in CHECKED)
    if sum(now[t] for t in CHECKED) == 0 and old_total > 0:
        raise SnapshotRefused(
            f"the source has no routings and no authorizations, but the baseline of {baseline.env} (snapshot "
            f"{baseline.snapshot_time or 'without a time'}) had {old_total} rows (a broken export?)", path=source,
        )
    if allow_shrink:
        return
    problems = []
    for table in CHECKED:
        old, new, gone = baseline.counts[table], now[table], int(expected.get(table, 0))
        unexplained = old - new - gone
        if old and unexplained / old > max_shrink_share:
            problems.append(
                f"{table} shrank from {old} to {new}" + (f" ({gone} removal(s) ordered since)" if gone else "")
                + f": {unexplained / old:.1%} unexplained, limit {max_shrink_share:.0%}"
            )
    if problems:
        raise SnapshotRefused(
            f"the source shrank more than allowed against the baseline of {baseline.env} (snapshot "
            f"{baseline.snapshot_time or 'without a time'}): " + "; ".join(problems)
            + "; use --allow-shrink if this is real", path=source,
        )
