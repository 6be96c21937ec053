"""The baseline file of an environment (``<ledger_dir>/<ENV>.baseline.json``, beside its ledger folder), and the
removals the ledger holds that a new snapshot is expected to lack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.core.baseline import Baseline
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.snapshot_checks import parse_snapshot_time
from tak_gitops.errors import SourceError

GONE_STATES = frozenset({"submitting", "submitted", "unknown", "executed"})
"""Order states whose removals may be in the TAK by now."""


def baseline_path(root: Path, ledger_dir: str, env: str) -> Path:
    return root / ledger_dir / f"{env}.baseline.json"


def read_baseline(root: Path, ledger_dir: str, env: str) -> Baseline | None:
    """The baseline of ``env``, or None when there is none yet; a SourceError names a file that is not one."""
    path = baseline_path(root, ledger_dir, env)
    try:
        data: Any = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise SourceError(f"cannot read the baseline: {exc}", path=str(path)) from None
    try:
        baseline = Baseline.from_dict(data)
    except ValueError as exc:
        raise SourceError(f"not a baseline: {exc}", path=str(path)) from None
    if baseline.env != env:
        raise SourceError(f"holds the baseline of {baseline.env}, not {env}", path=str(path))
    return baseline


def write_baseline(root: Path, ledger_dir: str, baseline: Baseline) -> Path:
    """Write the baseline atomically; return its path."""
    path = baseline_path(root, ledger_dir, baseline.env)
    write_bytes_atomic(path, pretty_json(baseline.to_dict()))
    return path


def _after(record_time: str | None, since: dt.datetime | None) -> bool:
    if record_time is None:
        return False
    if since is None:
        return True
    try:
        return dt.datetime.fromisoformat(record_time) > since
    except ValueError:
        return True  # an unreadable time: counted, so that a real removal is never a bad read


def expected_removals(root: Path, ledger_dir: str, baseline: Baseline) -> dict[str, int]:
    """Routings and authorizations that orders handed over since the baseline's snapshot remove."""
    try:
        since: dt.datetime | None = parse_snapshot_time(baseline.snapshot_time) if baseline.snapshot_time else None
    except ValueError:
        since = None
    gone = {"routings": 0, "authorizations": 0}
    for record in LedgerStore(root, baseline.env, ledger_dir).records():
        if record.state not in GONE_STATES or not _after(record.submitted_at or record.created, since):
            continue
        exkludera = record.document.get("exkludera") or {}
        gone["routings"] += len(exkludera.get("vagval") or ())
        gone["authorizations"] += len(exkludera.get("anropsbehorigheter") or ())
    return gone
