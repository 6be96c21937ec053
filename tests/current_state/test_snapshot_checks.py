"""The refusal rules of snapshot_checks, with exact messages and an injected "now"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tak_gitops.core.snapshot import Snapshot
from tak_gitops.core.snapshot_checks import (
    DuplicateRouting,
    check_against_previous,
    check_age,
    check_duplicate_routings,
    check_snapshot,
    parse_snapshot_time,
)
from tak_gitops.errors import SnapshotRefused

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def snap(n_routings: int, n_auths: int, time: str | None = "2026-11-21T02:31:07+0100", url: str = "https://p/x"
         ) -> Snapshot:
    return Snapshot.build(
        platform="NTJP", environment="PROD", snapshot_time=time, source="tak-api",
        routings=[((f"SE1-{i}", "urn:a:1"), ("SE1-P", url, "RIVTABP21")) for i in range(n_routings)],
        authorizations=[("SE1-C", f"SE1-{i}", "urn:a:1") for i in range(n_auths)],
    )


def test_parse_snapshot_time_forms() -> None:
    assert parse_snapshot_time("2026-11-21T02:31:07+0100") == datetime(2026, 11, 21, 1, 31, 7, tzinfo=UTC)
    assert parse_snapshot_time("2026-11-21T01:31:07Z") == datetime(2026, 11, 21, 1, 31, 7, tzinfo=UTC)
    assert parse_snapshot_time("2026-11-21T02:31:07+01:00") == datetime(2026, 11, 21, 1, 31, 7, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_snapshot_time("2026-11-21T02:31:07")


def test_age() -> None:
    check_age(snap(1, 1), now=NOW, max_age_hours=36, allow_stale=False, source="src")
    with pytest.raises(SnapshotRefused) as exc:
        check_age(snap(1, 1, "2026-11-19T02:00:00+0100"), now=NOW, max_age_hours=36, allow_stale=False, source="src")
    assert str(exc.value) == ("src: snapshot time 2026-11-19T02:00:00+0100 is 59.0 hours old (limit 36 hours); use "
                              "--allow-stale to accept it or --max-age to change the limit")
    check_age(snap(1, 1, "2026-11-19T02:00:00+0100"), now=NOW, max_age_hours=60, allow_stale=False, source="src")
    check_age(snap(1, 1, "2020-01-01T00:00:00Z"), now=NOW, max_age_hours=1, allow_stale=True, source="src")
    with pytest.raises(SnapshotRefused) as exc:
        check_age(snap(1, 1, None), now=NOW, max_age_hours=36, allow_stale=False, source="src")
    assert str(exc.value) == ("src: the source carries no snapshot time, so its age is unknown; use --allow-stale to "
                              "accept it")
    with pytest.raises(SnapshotRefused) as exc:
        check_age(snap(1, 1, "yesterday"), now=NOW, max_age_hours=36, allow_stale=False, source="src")
    assert str(exc.value) == "src: snapshot time 'yesterday' is not a time stamp; use --allow-stale to accept it"


def test_empty_where_previous_was_not_is_refused_even_with_allow_shrink() -> None:
    with pytest.raises(SnapshotRefused) as exc:
        check_against_previous(snap(0, 0), snap(3, 4), max_shrink_share=0.2, allow_shrink=True, source="src")
    assert str(exc.value) == ("src: the source has no routings and no authorizations, but the previous snapshot had 7 "
                              "rows (a broken export?); remove --previous if the TAK really is empty")
    check_against_previous(snap(0, 0), snap(0, 0), max_shrink_share=0.2, allow_shrink=False, source="src")
    check_against_previous(snap(0, 0), None, max_shrink_share=0.2, allow_shrink=False, source="src")


def test_shrink_share() -> None:
    check_against_previous(snap(80, 100), snap(100, 100), max_shrink_share=0.2, allow_shrink=False, source="src")
    with pytest.raises(SnapshotRefused) as exc:
        check_against_previous(snap(79, 50), snap(100, 100), max_shrink_share=0.2, allow_shrink=False, source="src")
    assert str(exc.value) == ("src: the source shrank more than allowed: routings shrank from 100 to 79 (21.0%, limit "
                              "20%); authorizations shrank from 100 to 50 (50.0%, limit 20%); use --allow-shrink if "
                              "this is real")
    check_against_previous(snap(79, 50), snap(100, 100), max_shrink_share=0.2, allow_shrink=True, source="src")


def test_duplicates_are_listed_sorted_and_capped() -> None:
    dups = [DuplicateRouting((f"SE1-{i:02}", "urn:a:1"), (f"vagval[{i}]", f"vagval[{i + 100}]")) for i in range(12)]
    with pytest.raises(SnapshotRefused) as exc:
        check_duplicate_routings(reversed(dups), source="f.json")
    lines = str(exc.value).split("\n")
    assert lines[0] == ("f.json: 12 routing key(s) occur more than once (TAK keeps one routing per logical address "
                        "and contract):")
    assert lines[1] == "  - (SE1-00, urn:a:1) in vagval[0], vagval[100]"
    assert lines[10] == "  - (SE1-09, urn:a:1) in vagval[9], vagval[109]"
    assert lines[11] == "  ... and 2 more"
    check_duplicate_routings([], source="f.json")


def test_check_snapshot_obfuscation_comes_first() -> None:
    with pytest.raises(SnapshotRefused) as exc:
        check_snapshot(snap(1, 0, None, url="https://....ter.se..../v2.0"), previous=None, now=NOW,
                       max_age_hours=36, max_shrink_share=0.2, source="api")
    assert str(exc.value) == ("api: 1 routing URL(s) are obfuscated ('....'): serviceProductions was fetched without "
                              "include=physicalAddress:\n  - (SE1-0, urn:a:1)")
    check_snapshot(snap(2, 2), previous=snap(2, 2), now=NOW, max_age_hours=36, max_shrink_share=0.2, source="api")
