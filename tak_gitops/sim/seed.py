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
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.db import Database, iso
from tak_gitops.sim.execute.data import plus_years
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


def _insert(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    """Insert one live row (``deleted = 0``) of ``values`` into ``table``; returns its id."""
    columns = ", ".join([*values, "deleted"])
    marks = ", ".join(["?"] * len(values))
    cur = conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}, 0)", tuple(values.values()))
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


_RowValues = Callable[[dict[str, Any], str, tzinfo], dict[str, Any]]

_PUBVERSION_ROWS: tuple[tuple[str, _RowValues], ...] = (
    (
        "rivtaprofil",
        lambda r, w, z: {"id": _req(r, "id", w), "namn": _req(r, "namn", w), "beskrivning": r.get("beskrivning")},
    ),
    (
        "tjanstekontrakt",
        lambda r, w, z: {
            "id": _req(r, "id", w),
            "namnrymd": _req(r, "namnrymd", w),
            "beskrivning": r.get("beskrivning"),
            "majorVersion": int(r.get("majorVersion") or 0),
            "minorVersion": int(r.get("minorVersion") or 0),
        },
    ),
    *(
        (
            table,
            lambda r, w, z: {
                "id": _req(r, "id", w),
                "hsaId": str(_req(r, "hsaId", w)).upper(),
                "beskrivning": r.get("beskrivning"),
            },
        )
        for table in ("logiskadress", "tjanstekomponent")
    ),
    (
        "anropsadress",
        lambda r, w, z: {
            "id": _req(r, "id", w),
            "adress": _req(r, "adress", w),
            "rivTaProfil_id": _rel(r, w, "rivtaprofil", "rivTaProfil"),
            "tjanstekomponent_id": _rel(r, w, "tjanstekomponent"),
        },
    ),
    (
        "anropsbehorighet",
        lambda r, w, z: {
            "id": _req(r, "id", w),
            "tjanstekonsument_id": _rel(r, w, "tjanstekomponent", "tjanstekonsument"),
            "tjanstekontrakt_id": _rel(r, w, "tjanstekontrakt"),
            "logiskAdress_id": _rel(r, w, "logiskAdress", "logiskadress"),
            "integrationsavtal": r.get("integrationsavtal") or "AUTOTAKNING",
            **_validity(r, w, z),
        },
    ),
    (
        "vagval",
        lambda r, w, z: {
            "id": _req(r, "id", w),
            "anropsAdress_id": _rel(r, w, "anropsadress"),
            "tjanstekontrakt_id": _rel(r, w, "tjanstekontrakt"),
            "logiskAdress_id": _rel(r, w, "logiskadress", "logiskAdress"),
            **_validity(r, w, z),
        },
    ),
)
"""Each table of a published-version document, in the order rows may refer to each other, with its columns."""


def seed_from_pubversion(db: Database, doc: Mapping[str, Any], *, moment: datetime, zone: tzinfo = DEFAULT_ZONE) -> int:
    """Load a published-version document (§4.1 shape) into an empty database; returns the row count."""
    data = doc.get("data")
    if not isinstance(data, dict):
        raise SeedError("not a published-version document: no 'data' object", "data")
    count = 0
    try:
        with db.transaction() as conn:
            _require_empty(conn)
            for table, values in _PUBVERSION_ROWS:
                for i, r in enumerate(_table(data, table)):
                    _insert(conn, table, values(r, f"data.{table}[{i}]", zone))
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


def _validity(row: dict[str, Any], where: str, zone: tzinfo) -> dict[str, str]:
    return {
        "fromTidpunkt": iso(_date(row, "fromTidpunkt", where, zone)),
        "tomTidpunkt": iso(_date(row, "tomTidpunkt", where, zone)),
    }


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
        for name in profiles:
            ids[("p", name)] = _insert(conn, "rivtaprofil", {"namn": name, "beskrivning": name})
        for ns in sorted(contracts):
            desc, major, minor = contracts[ns]
            ids[("c", ns)] = _insert(
                conn,
                "tjanstekontrakt",
                {"namnrymd": ns, "beskrivning": desc, "majorVersion": major, "minorVersion": minor},
            )
        for table, prefix, names in (("logiskadress", "l", addresses), ("tjanstekomponent", "k", components)):
            for hsa in sorted(names):
                ids[(prefix, hsa)] = _insert(conn, table, {"hsaId": hsa, "beskrivning": names[hsa]})
        endpoints = sorted({(p, prof, url) for p, url, prof in snapshot.routings.values()})
        for producer, profile, url in endpoints:
            ids[("a", f"{producer}\n{profile}\n{url}")] = _insert(
                conn,
                "anropsadress",
                {"adress": url, "rivTaProfil_id": ids[("p", profile)], "tjanstekomponent_id": ids[("k", producer)]},
            )
        validity = {"fromTidpunkt": iso(valid_from), "tomTidpunkt": iso(valid_to)}
        for consumer, la, ns in sorted(snapshot.authorizations):
            refs = {"tjanstekonsument_id": ids[("k", consumer)], "tjanstekontrakt_id": ids[("c", ns)]}
            _insert(
                conn,
                "anropsbehorighet",
                {**refs, "logiskAdress_id": ids[("l", la)], "integrationsavtal": "AUTOTAKNING", **validity},
            )
        for (la, ns), (producer, url, profile) in sorted(snapshot.routings.items()):
            aid = ids[("a", f"{producer}\n{profile}\n{url}")]
            refs = {"anropsAdress_id": aid, "tjanstekontrakt_id": ids[("c", ns)], "logiskAdress_id": ids[("l", la)]}
            _insert(conn, "vagval", {**refs, **validity})
        publish_all_live(conn, user=SEED_USER, moment=moment, zone=zone, kommentar=f"seeded from {snapshot.source}")
    return len(ids) + len(snapshot.authorizations) + len(snapshot.routings)
