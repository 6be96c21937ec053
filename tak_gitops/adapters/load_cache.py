"""A content-addressed cache of a loaded and validated repository under ``.tak-gitops/cache/`` (git-ignored).

The key is the digest of this tool's version, the cache format, the loader's options (size limit, the
directory diagnostics are shown relative to), every file the desired digest covers (path, digest, whether it
is a link) and every file the file-access policy refused, so the same files always give the same entry and any
change misses. An entry holds the resolved state, the diagnostics and the folders read, as orjson; one that
does not decode is ignored. Entries committed to git are never trusted: a pull request could carry a forged
one, so the cache is used only when git lists nothing under ``.tak-gitops/`` (or the repository is not a git
checkout). ``TAK_GITOPS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import or_
from pathlib import Path
from typing import Any

import orjson

from tak_gitops import __version__
from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.desired_files import RepoFiles
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
from tak_gitops.errors import Diagnostic, Severity

CACHE_DIR = ".tak-gitops/cache"
FORMAT = "tak-gitops-load-cache-3"
KEEP = 4
"""Entries kept; older ones are removed when a new one is written."""


def cache_key(files: RepoFiles, *, max_bytes: int, cwd: Path) -> str:
    """The entry name for a load of these files with these options."""
    h = hashlib.sha256()
    head = [FORMAT, __version__, max_bytes, cwd.as_posix(), files.root.as_posix()]
    h.update(orjson.dumps(head))
    for rel, sha in (*files.config_files, *(f for name in sorted(files.folders) for f in files.folders[name])):
        link = sha is None and os.path.islink(files.root / rel)  # a readable file is never a link
        h.update(orjson.dumps([rel, sha, link]))
    for folder, problem in files.problems:  # what the file-access policy refused, and why
        h.update(orjson.dumps([folder, problem.path, problem.line, problem.col, problem.code, problem.message]))
    return h.hexdigest()


def usable(root: Path) -> bool:
    """False when the cache is turned off or git tracks files under ``.tak-gitops/`` (never trusted)."""
    if os.environ.get("TAK_GITOPS_NO_CACHE"):
        return False
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--", ".tak-gitops"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return True  # no git: a local directory, whose files the user controls
    return not (listed.returncode == 0 and listed.stdout.strip())


@dataclass(frozen=True)
class Focus:
    """Decode only what a plan of ``env`` for ``planning`` reads, against ``snapshot`` (:func:`read_entry`)."""

    env: str
    planning: frozenset[str]
    snapshot: Snapshot


def read_entry(
    root: Path, key: str, focus: Focus | None = None
) -> tuple[DesiredState, tuple[Diagnostic, ...], tuple[str, ...]] | None:
    """The cached load for ``key``, or None (absent, unreadable or not decodable).

    With ``focus``, the rows of its environment are only those a plan for its organisations reads
    (:func:`~tak_gitops.core.relevance.restrict`), picked from the columns before any row is made; everything
    else (the diagnostics of the whole load included) is decoded whole."""
    path = root / CACHE_DIR / f"{key}.json"
    try:
        doc = orjson.loads(path.read_bytes())
        if doc.get("format") != FORMAT or doc.get("key") != key:
            return None
        diagnostics = tuple(Diagnostic(p, ln, c, code, m, Severity(s)) for p, ln, c, code, m, s in doc["diagnostics"])
        return _decode_state(doc["state"], focus), diagnostics, tuple(doc["folders"])
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def write_entry(
    root: Path, key: str, state: DesiredState, diagnostics: tuple[Diagnostic, ...], folders: tuple[str, ...]
) -> None:
    """Store a load (not fsynced: a lost entry is only a slower next run); keep the :data:`KEEP` newest."""
    directory = root / CACHE_DIR
    doc = {
        "format": FORMAT,
        "key": key,
        "diagnostics": [[d.path, d.line, d.col, d.code, d.message, d.severity.value] for d in diagnostics],
        "folders": list(folders),
        "state": _encode_state(state),
    }
    try:
        write_bytes_atomic(directory / f"{key}.json", orjson.dumps(doc), sync=False)
        entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only checkout: no cache


def _contact(c: Contact | None) -> list[str | None] | None:
    return None if c is None else [c.name, c.email, c.phone]


def _uncontact(v: list[str | None] | None) -> Contact | None:
    return None if v is None else Contact(*v)


def _encode_state(state: DesiredState) -> dict[str, Any]:
    """The state as JSON: every string of the rows once in a table, the rows as columns of indexes into it
    (decoding is then a few C-level maps, and equal strings stay one object)."""
    strings: dict[str, int] = {}
    ix = strings.setdefault

    def i(text: str) -> int:
        return ix(text, len(strings))

    def loc(where: Location | None) -> list[int] | None:
        return None if where is None else [i(where.path), where.line, where.col]

    def where_columns(keys: Sequence[tuple[str, ...]], located: Mapping[tuple[str, ...], Location]) -> list[list[int]]:
        found = [located.get(k) for k in keys]
        return [
            [i(w.path) if w else -1 for w in found],
            [w.line if w else 0 for w in found],
            [w.col if w else 0 for w in found],
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
                "routings": [[i(k[n]) for k in r_keys] for n in range(2)]
                + [[i(v[n]) for v in env.routings.values()] for n in range(3)]
                + [[i(env.routing_orgs[k]) if k in env.routing_orgs else -1 for k in r_keys]],
                "routing_where": where_columns(r_keys, env.locations),
                "other_routing_orgs": [[*k, o] for k, o in env.routing_orgs.items() if k not in env.routings],
                "authorizations": [[i(k[n]) for k in a_keys] for n in range(3)]
                + [[groups.setdefault(o, len(groups)) for o in env.authorization_orgs.values()]],
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
                    ]
                    for o in env.orgs.values()
                ],
                "other_locations": [[list(k), *(loc(w) or ())] for k, w in env.locations.items() if k not in aligned],
            }
        )
    return {
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
        "addresses": [[a.hsa_id, a.name, a.kind, a.vg] for a in state.addresses.values()],
        "environments": envs,
        "file_digests": list(state.file_digests.items()),
        "strings": list(strings),
    }


class ColumnLocations(Mapping[tuple[str, ...], Location]):
    """Where the rows are written, kept as the cache's columns (path indexes, lines, columns, in the order of
    ``keys``; a path index below 0 is a row without a position): a :class:`Location` is made when one is
    looked up, and the index of the keys when the first is. A plan looks up the few rows it changes or warns
    about; making hundreds of thousands of Locations up front cost most of decoding a national-scale entry."""

    def __init__(
        self,
        strings: Sequence[str],
        keys: Sequence[tuple[str, ...]],
        columns: tuple[list[int], list[int], list[int]],
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
        if row < 0 or paths[row] < 0:
            raise KeyError(key)
        return Location(self._strings[paths[row]], lines[row], cols[row])

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        paths = self._columns[0]
        yield from (k for k, p in zip(self._keys, paths, strict=True) if p >= 0)
        yield from self._extra

    def __len__(self) -> int:
        return sum(1 for p in self._columns[0] if p >= 0) + len(self._extra)


def _decode_state(doc: Mapping[str, Any], focus: Focus | None = None) -> DesiredState:
    strings: list[str] = doc["strings"]
    owners = dict(doc["owners"])
    environments = {}
    for e in doc["environments"]:
        kept = _Kept(strings, e, owners, focus) if focus is not None and e["env"] == focus.env else None
        environments[e["env"]] = _decode_environment(strings, e, kept)
    return DesiredState(
        organisations={k: Organisation(k, name, number, team) for k, name, number, team in doc["organisations"]},
        owners=owners,
        systems={
            s[0]: System(s[0], s[1], s[2], s[3], frozenset(s[4]), _uncontact(s[5]), _uncontact(s[6]), _uncontact(s[7]))
            for s in doc["systems"]
        },
        addresses={a[0]: Address(a[0], a[1], a[2], a[3]) for a in doc["addresses"]},
        environments=environments,
        file_digests=dict(doc["file_digests"]),
    )


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

    def __init__(self, strings: list[str], e: Mapping[str, Any], owners: Mapping[str, str], focus: Focus) -> None:
        get = strings.__getitem__
        planning = focus.planning
        la, _ns, producer, _url, _profile, owner = e["routings"]
        consumer, a_la, _a_ns, group = e["authorizations"]
        org_ix = set(compress(count(), map(planning.__contains__, strings)))
        routed = list(map(get, compress(la, map(org_ix.__contains__, owner))))
        routed += [r[0] for r in e["other_routing_orgs"] if r[2] in planning]
        groups = {n for n, g in enumerate(e["authorization_groups"]) if not planning.isdisjoint(g)}
        mine = list(map(groups.__contains__, group))
        wanted = zip(map(get, compress(consumer, mine)), map(get, compress(a_la, mine)), repeat(""))
        ids = planning_ids(owners, planning, routed, wanted, focus.snapshot)
        selection = row_selection(ids, _grants(strings, e))
        position = dict(zip(strings, count()))

        def indexes(found: frozenset[str]) -> set[int]:
            return {position[i] for i in found if i in position}

        addresses, producers, named = (
            indexes(selection.routing_addresses),
            indexes(selection.routing_producers),
            indexes(selection.ids),
        )
        self.routings = list(map(or_, map(addresses.__contains__, la), map(producers.__contains__, producer)))
        self.authorizations = list(map(or_, map(named.__contains__, consumer), map(named.__contains__, a_la)))


def _decode_environment(strings: list[str], e: Mapping[str, Any], kept: _Kept | None) -> EnvironmentState:
    get = strings.__getitem__
    orgs = {}
    for org, env, path, comment, change, cascades, removals, takeovers in e["orgs"]:
        orgs[org] = OrgEnvironment(
            org=org,
            env=env,
            path=path,
            comment=comment,
            change_date=dt.date.fromisoformat(change) if change else None,
            acknowledged_cascades=frozenset(cascades),
            acknowledged_removals=removals,
            takeovers=frozenset(tuple(t) for t in takeovers),
        )
    routing_columns, r_where = e["routings"], e["routing_where"]
    auth_columns, a_where = e["authorizations"], e["authorization_where"]
    if kept is not None:  # only the rows a plan for the focus reads
        routing_columns = [list(compress(c, kept.routings)) for c in routing_columns]
        r_where = [list(compress(c, kept.routings)) for c in r_where]
        auth_columns = [list(compress(c, kept.authorizations)) for c in auth_columns]
        a_where = [list(compress(c, kept.authorizations)) for c in a_where]
    la, ns, producer, url, profile, owner = routing_columns
    r_keys = list(zip(map(get, la), map(get, ns), strict=True))
    values = zip(map(get, producer), map(get, url), map(get, profile), strict=True)
    routings = dict(zip(r_keys, values, strict=True))
    routing_orgs = {k: get(o) for k, o in zip(r_keys, owner, strict=True) if o >= 0}
    routing_orgs.update(((r[0], r[1]), r[2]) for r in e["other_routing_orgs"])
    consumer, a_la, a_ns, group = auth_columns
    a_keys = list(zip(map(get, consumer), map(get, a_la), map(get, a_ns), strict=True))
    sets = [frozenset(g) for g in e["authorization_groups"]]
    locations = ColumnLocations(
        strings,
        [*r_keys, *a_keys],
        (r_where[0] + a_where[0], r_where[1] + a_where[1], r_where[2] + a_where[2]),
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
