"""Properties of order execution: whatever sequence of orders runs, TAK's key invariant holds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from simdata import (
    GCC2,
    GCC2_NEW,
    GCC2_OLD,
    INTYG,
    KML,
    KMT,
    PROXY,
    SORMLAND_TP,
    behorighet,
    example_snapshot,
    order,
    vagval,
)

from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.seed import seed_from_snapshot

BASE = date(2025, 5, 21)
NOW = datetime(2025, 5, 20, 10, 0, tzinfo=DEFAULT_ZONE)

operation = st.tuples(
    st.sampled_from(["include", "exclude"]),
    st.sampled_from(["vagval", "behorighet"]),
    st.sampled_from([KMT, KML]),
    st.sampled_from([(SORMLAND_TP, GCC2_OLD), (SORMLAND_TP, GCC2_NEW), (PROXY, GCC2_NEW)]),
    st.integers(min_value=-3, max_value=3),
)


def overlapping_live_rows(db: Database) -> list[tuple[object, ...]]:
    with db.transaction() as conn:
        found = []
        for table, key in (("vagval", ""), ("anropsbehorighet", "AND a.tjanstekonsument_id = b.tjanstekonsument_id")):
            found += conn.execute(
                f"""SELECT a.id, b.id FROM {table} a JOIN {table} b ON a.id < b.id
                    AND a.logiskAdress_id = b.logiskAdress_id AND a.tjanstekontrakt_id = b.tjanstekontrakt_id {key}
                    WHERE a.deleted = 0 AND b.deleted = 0 AND a.tomTidpunkt >= a.fromTidpunkt
                    AND b.tomTidpunkt >= b.fromTidpunkt
                    AND a.fromTidpunkt <= b.tomTidpunkt AND b.fromTidpunkt <= a.tomTidpunkt"""
            ).fetchall()
        return [tuple(r) for r in found]


@given(st.lists(operation, min_size=1, max_size=8))
def test_never_two_valid_rows_for_one_key(ops: list[tuple[str, str, str, tuple[str, str], int]]) -> None:
    db = Database(":memory:")
    seed_from_snapshot(db, example_snapshot(), moment=NOW)
    for action, kind, la, (producer, url), offset in ops:
        d = BASE + timedelta(days=offset)
        item = vagval(la, GCC2, producer, url) if kind == "vagval" else behorighet(INTYG, la, GCC2)
        section = {"vagval" if kind == "vagval" else "anropsbehorigheter": [item]}
        text = order(
            genomforande=f"{d.isoformat()}T08:00:00+0200",
            **({"inkludera": section} if action == "include" else {"exkludera": section}),
        )
        outcome = execute(db, text, user="admin", platform="NTJP-PROD", zone=DEFAULT_ZONE, now=NOW)
        # TAK's unique keys include the dates: ending a row on its start day twice collides, as in TAK
        assert outcome.kind in ("report", "errors") or "UNIQUE constraint failed" in outcome.message
        assert all(e.startswith("Det finns mer än") for e in outcome.errors)
        assert overlapping_live_rows(db) == []
