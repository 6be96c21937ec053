"""Seeding a fresh reference TAK: from a published-version JSON document or from a Snapshot.

Seeded rows are live, published as version 1 and not pending. A published-version document keeps its row
ids (``anropsbehorighet`` may name the consumer ``tjanstekomponent`` as in PubVersion.data or
``tjanstekonsument`` as in the nightly dump); filters are not modelled and are ignored. A
:class:`~tak_gitops.core.snapshot.Snapshot` carries no ids or dates: rows get ids in sorted natural-key order and
the validity [``valid_from``, ``valid_from`` + 100 years].
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.db import Database, iso
from tak_gitops.sim.execute import plus_years
from tak_gitops.sim.publish import publish_all_live

SEED_USER = "seed"
DEFAULT_VALID_FROM = date(2015, 1, 1)
DEFAULT_PROFILES = ("RIVTABP20", "RIVTABP21")


class SeedError(ValueError):
    """The seed document is not usable; ``row`` names the offending row or key."""

    def __init__(self, message: str, row: str | None = None) -> None:
        self.row = row
        super().__init__(message)


_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_tak_date(value: Any, zone: tzinfo = DEFAULT_ZONE) -> date:
    """A TAK date-time (``2009-03-10T00:00:00+0100``, ``…Z``, ``…+01:00``) or a plain date, as a date in ``zone``."""
    if not isinstance(value, str):
        raise ValueError(f"expected a date string, got {value!r}")
    m = _DATE_TIME.match(value.strip())
    if m is None:
        raise ValueError(f"bad date {value!r}")
    if m.group(2) is None or m.group(5) is None:
        return date.fromisoformat(m.group(1))
    off = m.group(5)
    stamp = f"{m.group(1)}T{m.group(2)}:{m.group(3)}:{m.group(4)}"
    if off == "Z":
        moment = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    else:
        off = off if ":" in off else f"{off[:3]}:{off[3:]}"
        moment = datetime.fromisoformat(stamp + off)
    return moment.astimezone(zone).date()


def _table(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    rows = data.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SeedError("expected a list of objects", f"data.{key}")
    return rows


def _rel(row: dict[str, Any], where: str, *names: str) -> int:
    rel = row.get("relationships")
    if not isinstance(rel, dict):
        raise SeedError("missing relationships", where)
    for name in names:
        if name in rel:
            value = rel[name]
            if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
                raise SeedError(f"relationship {name} must be a numeric id, got {value!r}", where)
            return int(value)
    raise SeedError(f"missing relationship {names[0]}", where)


def _req(row: dict[str, Any], key: str, where: str) -> Any:
    if key not in row or row[key] is None:
        raise SeedError(f"missing {key}", where)
    return row[key]


def seed_from_pubversion(db: Database, doc: Mapping[str, Any], *, moment: datetime, zone: tzinfo = DEFAULT_ZONE) -> int:
    """Load a published-version document (§4.1 shape) into an empty database; returns the row count."""
    data = doc.get("data")
    if not isinstance(data, dict):
        raise SeedError("not a published-version document: no 'data' object", "data")
    count = 0
    try:
        with db.transaction() as conn:
            _require_empty(conn)
            for i, r in enumerate(_table(data, "rivtaprofil")):
                w = f"data.rivtaprofil[{i}]"
                conn.execute(
                    "INSERT INTO rivtaprofil (id, namn, beskrivning, deleted) VALUES (?, ?, ?, 0)",
                    (_req(r, "id", w), _req(r, "namn", w), r.get("beskrivning")),
                )
                count += 1
            for i, r in enumerate(_table(data, "tjanstekontrakt")):
                w = f"data.tjanstekontrakt[{i}]"
                conn.execute(
                    "INSERT INTO tjanstekontrakt (id, namnrymd, beskrivning, majorVersion, minorVersion, deleted) "
                    "VALUES (?, ?, ?, ?, ?, 0)",
                    (
                        _req(r, "id", w),
                        _req(r, "namnrymd", w),
                        r.get("beskrivning"),
                        int(r.get("majorVersion") or 0),
                        int(r.get("minorVersion") or 0),
                    ),
                )
                count += 1
            for table in ("logiskadress", "tjanstekomponent"):
                for i, r in enumerate(_table(data, table)):
                    w = f"data.{table}[{i}]"
                    conn.execute(
                        f"INSERT INTO {table} (id, hsaId, beskrivning, deleted) VALUES (?, ?, ?, 0)",
                        (_req(r, "id", w), str(_req(r, "hsaId", w)).upper(), r.get("beskrivning")),
                    )
                    count += 1
            for i, r in enumerate(_table(data, "anropsadress")):
                w = f"data.anropsadress[{i}]"
                conn.execute(
                    "INSERT INTO anropsadress (id, adress, rivTaProfil_id, tjanstekomponent_id, deleted) "
                    "VALUES (?, ?, ?, ?, 0)",
                    (
                        _req(r, "id", w),
                        _req(r, "adress", w),
                        _rel(r, w, "rivtaprofil", "rivTaProfil"),
                        _rel(r, w, "tjanstekomponent"),
                    ),
                )
                count += 1
            for i, r in enumerate(_table(data, "anropsbehorighet")):
                w = f"data.anropsbehorighet[{i}]"
                conn.execute(
                    "INSERT INTO anropsbehorighet (id, tjanstekonsument_id, tjanstekontrakt_id, logiskAdress_id, "
                    "integrationsavtal, fromTidpunkt, tomTidpunkt, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                    (
                        _req(r, "id", w),
                        _rel(r, w, "tjanstekomponent", "tjanstekonsument"),
                        _rel(r, w, "tjanstekontrakt"),
                        _rel(r, w, "logiskAdress", "logiskadress"),
                        r.get("integrationsavtal") or "AUTOTAKNING",
                        iso(_date(r, "fromTidpunkt", w, zone)),
                        iso(_date(r, "tomTidpunkt", w, zone)),
                    ),
                )
                count += 1
            for i, r in enumerate(_table(data, "vagval")):
                w = f"data.vagval[{i}]"
                conn.execute(
                    "INSERT INTO vagval (id, anropsAdress_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, "
                    "tomTidpunkt, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)",
                    (
                        _req(r, "id", w),
                        _rel(r, w, "anropsadress"),
                        _rel(r, w, "tjanstekontrakt"),
                        _rel(r, w, "logiskadress", "logiskAdress"),
                        iso(_date(r, "fromTidpunkt", w, zone)),
                        iso(_date(r, "tomTidpunkt", w, zone)),
                    ),
                )
                count += 1
            kommentar = doc.get("kommentar")
            publish_all_live(
                conn,
                user=SEED_USER,
                moment=moment,
                zone=zone,
                kommentar=kommentar if isinstance(kommentar, str) else None,
            )
    except sqlite3.IntegrityError as exc:
        raise SeedError(f"inconsistent rows: {exc}") from exc
    return count


def _date(row: dict[str, Any], key: str, where: str, zone: tzinfo) -> date:
    try:
        return parse_tak_date(_req(row, key, where), zone)
    except ValueError as exc:
        raise SeedError(str(exc), f"{where}.{key}") from exc


def _require_empty(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT 1 FROM pubversion LIMIT 1").fetchone() is not None:
        raise SeedError("the database is already seeded")


def _major(namespace: str) -> int:
    last = namespace.rsplit(":", 1)[-1]
    return int(last) if last.isdigit() else 0


def seed_from_snapshot(
    db: Database,
    snapshot: Snapshot,
    *,
    moment: datetime,
    valid_from: date = DEFAULT_VALID_FROM,
    zone: tzinfo = DEFAULT_ZONE,
) -> int:
    """Load a Snapshot into an empty database; returns the row count."""
    valid_to = plus_years(valid_from, 100)
    profiles = sorted({v[2] for v in snapshot.routings.values()} | set(DEFAULT_PROFILES))
    components = dict(snapshot.systems)
    for producer, _url, _profile in snapshot.routings.values():
        components.setdefault(producer, "")
    for consumer, _la, _ns in snapshot.authorizations:
        components.setdefault(consumer, "")
    addresses = dict(snapshot.logical_addresses)
    for la, _ns in snapshot.routings:
        addresses.setdefault(la, "")
    for _c, la, _ns in snapshot.authorizations:
        addresses.setdefault(la, "")
    contracts = {ns: (c.description, c.major, c.minor) for ns, c in snapshot.contracts.items()}
    for _la, ns in snapshot.routings:
        contracts.setdefault(ns, ("", _major(ns), 0))
    for _c, _la, ns in snapshot.authorizations:
        contracts.setdefault(ns, ("", _major(ns), 0))

    with db.transaction() as conn:
        _require_empty(conn)
        ids: dict[tuple[str, str], int] = {}

        def insert(table: str, key: tuple[str, str], sql: str, params: tuple[Any, ...]) -> None:
            cur = conn.execute(sql, params)
            assert cur.lastrowid is not None
            ids[key] = int(cur.lastrowid)

        for name in profiles:
            insert(
                "rivtaprofil",
                ("p", name),
                "INSERT INTO rivtaprofil (namn, beskrivning, deleted) VALUES (?, ?, 0)",
                (name, name),
            )
        for ns in sorted(contracts):
            desc, major, minor = contracts[ns]
            insert(
                "tjanstekontrakt",
                ("c", ns),
                "INSERT INTO tjanstekontrakt (namnrymd, beskrivning, majorVersion, minorVersion, deleted) "
                "VALUES (?, ?, ?, ?, 0)",
                (ns, desc, major, minor),
            )
        for hsa in sorted(addresses):
            insert(
                "logiskadress",
                ("l", hsa),
                "INSERT INTO logiskadress (hsaId, beskrivning, deleted) VALUES (?, ?, 0)",
                (hsa, addresses[hsa]),
            )
        for hsa in sorted(components):
            insert(
                "tjanstekomponent",
                ("k", hsa),
                "INSERT INTO tjanstekomponent (hsaId, beskrivning, deleted) VALUES (?, ?, 0)",
                (hsa, components[hsa]),
            )
        endpoints = sorted({(p, prof, url) for p, url, prof in snapshot.routings.values()})
        for producer, profile, url in endpoints:
            insert(
                "anropsadress",
                ("a", f"{producer}\n{profile}\n{url}"),
                "INSERT INTO anropsadress (adress, rivTaProfil_id, tjanstekomponent_id, deleted) VALUES (?, ?, ?, 0)",
                (url, ids[("p", profile)], ids[("k", producer)]),
            )
        for consumer, la, ns in sorted(snapshot.authorizations):
            conn.execute(
                "INSERT INTO anropsbehorighet (tjanstekonsument_id, tjanstekontrakt_id, logiskAdress_id, "
                "integrationsavtal, fromTidpunkt, tomTidpunkt, deleted) VALUES (?, ?, ?, 'AUTOTAKNING', ?, ?, 0)",
                (ids[("k", consumer)], ids[("c", ns)], ids[("l", la)], iso(valid_from), iso(valid_to)),
            )
        for (la, ns), (producer, url, profile) in sorted(snapshot.routings.items()):
            conn.execute(
                "INSERT INTO vagval (anropsAdress_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, tomTidpunkt, "
                "deleted) VALUES (?, ?, ?, ?, ?, 0)",
                (
                    ids[("a", f"{producer}\n{profile}\n{url}")],
                    ids[("c", ns)],
                    ids[("l", la)],
                    iso(valid_from),
                    iso(valid_to),
                ),
            )
        publish_all_live(conn, user=SEED_USER, moment=moment, zone=zone, kommentar=f"seeded from {snapshot.source}")
    return len(ids) + len(snapshot.authorizations) + len(snapshot.routings)
