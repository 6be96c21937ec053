"""The load cache's entry format: a resolved :class:`DesiredState` as bytes and back (:mod:`.load_cache`).

An entry is a :mod:`~.column_file` file (magic :data:`MAGIC`): the header holds what is small (organisations,
systems, grants, the organisations' files for each environment, diagnostics) and every row is a column of
string indexes, line or column numbers. Decoding reads the columns without parsing them; equal strings stay
one object; positions and addresses are made when looked up (:class:`ColumnLocations`,
:class:`ColumnAddresses`); a plan for some organisations (:class:`Focus`) picks its rows from the columns
before any row is made.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import or_
from typing import Any

from tak_gitops.adapters.column_file import NONE, TYPECODE, Cut, pack_parts, unpack_parts
from tak_gitops.core.desired import (
    Address,
    Contact,
    DesiredState,
    EnvironmentState,
    Grant,
    Location,
    Organisation,
    OrgEnvironment,
    System,
)
from tak_gitops.core.relevance import planning_ids, row_selection
from tak_gitops.core.snapshot import Snapshot

MAGIC = b"tak-gitops-load-cache-4\n"


@dataclass(frozen=True)
class Focus:
    """Decode only what a plan of ``env`` for ``planning`` reads, against ``snapshot``."""

    env: str
    planning: frozenset[str]
    snapshot: Snapshot


def pack(doc: Mapping[str, Any], state: DesiredState) -> bytes:
    """``doc`` (the entry's other fields) with ``state`` encoded under ``"state"``, as an entry's bytes."""
    columns = array(TYPECODE)
    encoded, strings = _encode_state(state, columns)
    return pack_parts(MAGIC, {**doc, "state": encoded}, strings, columns)


def unpack(raw: bytes, focus: Focus | None = None) -> tuple[dict[str, Any], DesiredState]:
    """The header of an entry and its state. ValueError, IndexError, KeyError or TypeError when ``raw`` is not
    an entry this code wrote."""
    doc, strings, cut = unpack_parts(MAGIC, raw)
    return doc, _decode_state(doc["state"], strings, cut, focus)


def _contact(c: Contact | None) -> list[str | None] | None:
    return None if c is None else [c.name, c.email, c.phone]


def _uncontact(v: list[str | None] | None) -> Contact | None:
    return None if v is None else Contact(*v)


def _encode_state(state: DesiredState, columns: array[int]) -> tuple[dict[str, Any], list[str]]:
    """The state as a header and columns: every string of the rows once in a table, the rows as columns of
    indexes into it (:data:`NONE` for None); returns the header and the table."""
    strings: dict[str, int] = {}
    ix = strings.setdefault

    def i(text: str) -> int:
        return ix(text, len(strings))

    def opt(text: str | None) -> int:
        return NONE if text is None else ix(text, len(strings))

    def col(values: Sequence[int]) -> list[int]:
        start = len(columns)
        columns.extend(values)
        return [start, len(values)]

    def loc(where: Location | None) -> list[int] | None:
        return None if where is None else [i(where.path), where.line, where.col]

    def where_columns(keys: Sequence[tuple[str, ...]], located: Mapping[tuple[str, ...], Location]) -> list[list[int]]:
        found = [located.get(k) for k in keys]
        return [
            col([i(w.path) if w else NONE for w in found]),
            col([w.line if w else 0 for w in found]),
            col([w.col if w else 0 for w in found]),
        ]

    envs = []
    for env in state.environments.values():
        r_keys = list(env.routings)
        a_keys = list(env.authorization_orgs)
        groups: dict[frozenset[str], int] = {}
        aligned = set(r_keys) | set(a_keys)
        envs.append(
            {
                "env": env.env,
                "routings": [col([i(k[n]) for k in r_keys]) for n in range(2)]
                + [col([i(v[n]) for v in env.routings.values()]) for n in range(3)]
                + [col([i(env.routing_orgs[k]) if k in env.routing_orgs else NONE for k in r_keys])],
                "routing_where": where_columns(r_keys, env.locations),
                "other_routing_orgs": [[*k, o] for k, o in env.routing_orgs.items() if k not in env.routings],
                "authorizations": [col([i(k[n]) for k in a_keys]) for n in range(3)]
                + [col([groups.setdefault(o, len(groups)) for o in env.authorization_orgs.values()])],
                "authorization_groups": [sorted(g) for g in groups],
                "authorization_where": where_columns(a_keys, env.locations),
                "grants": [
                    [g.org, g.producer, g.contract, sorted(g.consumers), sorted(g.addresses), g.manage, loc(g.location)]
                    for g in env.grants
                ],
                "orgs": [
                    [
                        o.org,
                        o.env,
                        o.path,
                        o.comment,
                        o.change_date.isoformat() if o.change_date else None,
                        sorted(o.acknowledged_cascades),
                        o.acknowledged_removals,
                        sorted(o.takeovers),
                        o.forstudie,
                        sorted([*k, v] for k, v in o.forstudie_routings.items()),
                        sorted([*k, v] for k, v in o.forstudie_authorizations.items()),
                    ]
                    for o in env.orgs.values()
                ],
                "other_locations": [[list(k), *(loc(w) or ())] for k, w in env.locations.items() if k not in aligned],
            }
        )
    addresses = list(state.addresses.values())
    header = {
        "organisations": [[o.key, o.name, o.number, o.team] for o in state.organisations.values()],
        "owners": list(state.owners.items()),
        "systems": [
            [
                s.hsa_id,
                s.name,
                s.org,
                s.description,
                sorted(s.environments),
                _contact(s.main_responsible),
                _contact(s.technical_contact),
                _contact(s.support),
            ]
            for s in state.systems.values()
        ],
        "addresses": [col([i(a.hsa_id) for a in addresses])]
        + [col([opt(getattr(a, f)) for a in addresses]) for f in ("name", "kind", "vg")],
        "environments": envs,
        "file_digests": list(state.file_digests.items()),
    }
    return header, list(strings)


class ColumnLocations(Mapping[tuple[str, ...], Location]):
    """Where the rows are written, kept as the cache's columns (path indexes, lines, columns, in the order of
    ``keys``; a path index of :data:`NONE` is a row without a position): a :class:`Location` is made when one is
    looked up, and the index of the keys when the first is. A plan looks up the few rows it changes or warns
    about; making hundreds of thousands of Locations up front cost most of decoding a national-scale entry."""

    def __init__(
        self,
        strings: Sequence[str],
        keys: Sequence[tuple[str, ...]],
        columns: tuple[Sequence[int], Sequence[int], Sequence[int]],
        extra: dict[tuple[str, ...], Location],
    ) -> None:
        self._strings, self._keys, self._columns, self._extra = strings, keys, columns, extra
        self._index: dict[tuple[str, ...], int] | None = None

    def _row(self, key: tuple[str, ...]) -> int:
        index = self._index
        if index is None:
            index = self._index = dict(zip(self._keys, count(), strict=False))
        return index.get(key, -1)

    def __getitem__(self, key: tuple[str, ...]) -> Location:
        found = self._extra.get(key)
        if found is not None:
            return found
        row = self._row(key)
        paths, lines, cols = self._columns
        if row < 0 or paths[row] == NONE:
            raise KeyError(key)
        return Location(self._strings[paths[row]], lines[row], cols[row])

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        paths = self._columns[0]
        yield from (k for k, p in zip(self._keys, paths, strict=True) if p != NONE)
        yield from self._extra

    def __len__(self) -> int:
        paths = self._columns[0]
        return len(paths) - paths.count(NONE) + len(self._extra)


class ColumnAddresses(Mapping[str, Address]):
    """Every logical address named anywhere, kept as the cache's columns (name, kind and care giver as string
    indexes, :data:`NONE` for None): an :class:`Address` is made when one is looked up, and the index of the
    HSA-ids when the first is; :meth:`vg_links` answers from the columns. A plan looks up the addresses of the
    rows it changes; making the sixty thousand of a national repository up front cost a tenth of a second."""

    def __init__(
        self, strings: Sequence[str], hsa_ids: list[str], names: array[int], kinds: array[int], vgs: array[int]
    ) -> None:
        if not len(hsa_ids) == len(names) == len(kinds) == len(vgs):
            raise ValueError("address columns of different lengths")
        self._strings, self._hsa_ids, self._names, self._kinds, self._vgs = strings, hsa_ids, names, kinds, vgs
        self._index: dict[str, int] | None = None

    def _text(self, n: int) -> str | None:
        return None if n == NONE else self._strings[n]

    def __getitem__(self, key: str) -> Address:
        index = self._index
        if index is None:
            index = self._index = dict(zip(self._hsa_ids, count(), strict=False))
        row = index[key]
        return Address(key, self._text(self._names[row]), self._text(self._kinds[row]), self._text(self._vgs[row]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._hsa_ids)

    def __len__(self) -> int:
        return len(self._hsa_ids)

    def names(self) -> list[tuple[str, str]]:
        """(HSA-id, name) of every address with a name (as :func:`~tak_gitops.core.desired.address_names`)."""
        get = self._strings.__getitem__
        return [(h, get(n)) for h, n in zip(self._hsa_ids, self._names, strict=True) if n != NONE and get(n)]

    def vg_links(self) -> dict[str, str]:
        """Address -> care giver, for every address with one (as :func:`~tak_gitops.core.desired.care_giver_links`)."""
        get = self._strings.__getitem__
        return {h: get(v) for h, v in zip(self._hsa_ids, self._vgs, strict=True) if v != NONE and get(v)}


def _decode_state(doc: Mapping[str, Any], strings: list[str], cut: Cut, focus: Focus | None) -> DesiredState:
    get = strings.__getitem__
    owners = dict(doc["owners"])
    environments = {}
    for e in doc["environments"]:
        kept = _Kept(strings, cut, e, owners, focus) if focus is not None and e["env"] == focus.env else None
        environments[e["env"]] = _decode_environment(strings, cut, e, kept)

    hsa_ids, names, kinds, vgs = map(cut, doc["addresses"])
    _looked_up_later(len(strings), names, kinds, vgs)
    return DesiredState(
        organisations={k: Organisation(k, name, number, team) for k, name, number, team in doc["organisations"]},
        owners=owners,
        systems={
            s[0]: System(s[0], s[1], s[2], s[3], frozenset(s[4]), _uncontact(s[5]), _uncontact(s[6]), _uncontact(s[7]))
            for s in doc["systems"]
        },
        addresses=ColumnAddresses(strings, list(map(get, hsa_ids)), names, kinds, vgs),
        environments=environments,
        file_digests=dict(doc["file_digests"]),
    )


def _looked_up_later(strings: int, *columns: Sequence[int]) -> None:
    """Columns of string indexes read only when a row is looked up must be whole now: an index past the table
    (other than :data:`NONE`) is a damaged entry (IndexError), not an error in the middle of a plan."""
    for column in columns:
        if sum(map(strings.__le__, column)) != column.count(NONE):
            raise IndexError("a string index outside the table")


def _grants(strings: list[str], e: Mapping[str, Any]) -> tuple[Grant, ...]:
    get = strings.__getitem__
    return tuple(
        Grant(org, producer, contract, frozenset(consumers), frozenset(addresses), manage, _loc(get, where))
        for org, producer, contract, consumers, addresses, manage, where in e["grants"]
    )


def _loc(get: Callable[[int], str], v: list[int] | None) -> Location | None:
    return None if v is None else Location(get(v[0]), v[1], v[2])


class _Kept:
    """The rows of one environment's columns that :func:`~tak_gitops.core.relevance.row_selection` keeps for
    ``focus``, as two masks (routings, authorizations), worked out on the string indexes."""

    def __init__(
        self, strings: list[str], cut: Cut, e: Mapping[str, Any], owners: Mapping[str, str], focus: Focus
    ) -> None:
        get = strings.__getitem__
        planning = focus.planning
        la, _ns, producer, _url, _profile, owner = map(cut, e["routings"])
        consumer, a_la, _a_ns, group = map(cut, e["authorizations"])
        org_ix = set(compress(count(), map(planning.__contains__, strings)))
        routed = list(map(get, compress(la, map(org_ix.__contains__, owner))))
        routed += [r[0] for r in e["other_routing_orgs"] if r[2] in planning]
        groups = {n for n, g in enumerate(e["authorization_groups"]) if not planning.isdisjoint(g)}
        mine = list(map(groups.__contains__, group))
        wanted = zip(map(get, compress(consumer, mine)), map(get, compress(a_la, mine)), repeat(""))
        ids = planning_ids(owners, planning, routed, wanted, focus.snapshot)
        selection = row_selection(ids, _grants(strings, e))
        union = selection.routing_addresses | selection.routing_producers
        found = list(compress(count(), map(union.__contains__, strings)))  # the ids' indexes, in one C-level pass

        def indexes(wanted: frozenset[str]) -> set[int]:
            return {n for n in found if strings[n] in wanted}

        addresses, producers, named = (
            indexes(selection.routing_addresses),
            indexes(selection.routing_producers),
            indexes(selection.ids),
        )
        self.routings = list(map(or_, map(addresses.__contains__, la), map(producers.__contains__, producer)))
        self.authorizations = list(map(or_, map(named.__contains__, consumer), map(named.__contains__, a_la)))


def _org_environment(row: list[Any]) -> OrgEnvironment:
    org, env, path, comment, change, cascades, removals, takeovers, forstudie, by_contract, by_address = row
    return OrgEnvironment(
        org=org,
        env=env,
        path=path,
        comment=comment,
        change_date=dt.date.fromisoformat(change) if change else None,
        acknowledged_cascades=frozenset(cascades),
        acknowledged_removals=removals,
        takeovers=frozenset(tuple(t) for t in takeovers),
        forstudie=forstudie,
        forstudie_routings={(a, b): ticket for a, b, ticket in by_contract},
        forstudie_authorizations={(a, b): ticket for a, b, ticket in by_address},
    )


def _joined(first: Sequence[int], second: Sequence[int]) -> Sequence[int]:
    """Two columns as one: arrays stay arrays (a copy of bytes), lists stay lists."""
    joined: Sequence[int] = first + second  # type: ignore[operator]
    return joined


def _decode_environment(strings: list[str], cut: Cut, e: Mapping[str, Any], kept: _Kept | None) -> EnvironmentState:
    get = strings.__getitem__
    orgs = {row[0]: _org_environment(row) for row in e["orgs"]}
    routing_columns: list[Sequence[int]] = list(map(cut, e["routings"]))
    r_where: list[Sequence[int]] = list(map(cut, e["routing_where"]))
    auth_columns: list[Sequence[int]] = list(map(cut, e["authorizations"]))
    a_where: list[Sequence[int]] = list(map(cut, e["authorization_where"]))
    if kept is not None:  # only the rows a plan for the focus reads
        routing_columns = [list(compress(c, kept.routings)) for c in routing_columns]
        r_where = [list(compress(c, kept.routings)) for c in r_where]
        auth_columns = [list(compress(c, kept.authorizations)) for c in auth_columns]
        a_where = [list(compress(c, kept.authorizations)) for c in a_where]
    _looked_up_later(len(strings), r_where[0], a_where[0])
    la, ns, producer, url, profile, owner = routing_columns
    r_keys = list(zip(map(get, la), map(get, ns), strict=True))
    values = zip(map(get, producer), map(get, url), map(get, profile), strict=True)
    routings = dict(zip(r_keys, values, strict=True))
    if NONE in owner:  # a routing without a declaring organisation
        routing_orgs = {k: get(o) for k, o in zip(r_keys, owner, strict=True) if o != NONE}
    else:  # the common case, a column at a time
        routing_orgs = dict(zip(r_keys, map(get, owner), strict=True))
    routing_orgs.update(((r[0], r[1]), r[2]) for r in e["other_routing_orgs"])
    consumer, a_la, a_ns, group = auth_columns
    a_keys = list(zip(map(get, consumer), map(get, a_la), map(get, a_ns), strict=True))
    sets = [frozenset(g) for g in e["authorization_groups"]]
    locations = ColumnLocations(
        strings,
        [*r_keys, *a_keys],
        (_joined(r_where[0], a_where[0]), _joined(r_where[1], a_where[1]), _joined(r_where[2], a_where[2])),
        {tuple(k): Location(get(p), line, col) for k, p, line, col in e["other_locations"]},
    )
    return EnvironmentState(
        env=e["env"],
        routings=routings,
        routing_orgs=routing_orgs,
        authorization_orgs=dict(zip(a_keys, map(sets.__getitem__, group), strict=True)),
        grants=_grants(strings, e),
        orgs=orgs,
        locations=locations,
    )
