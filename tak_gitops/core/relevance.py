"""Which other organisations' files a plan for some organisations must read.

A plan for organisations P changes only rows in P's scope, but other organisations' declarations can still
change it: an authorization another consumer wants on an address P manages is kept, a grant another producer
gives to P's consumer keeps that authorization, a routing another organisation wants on a key P routes today
is taken over rather than removed, names and care-giver links of the addresses P's changes touch, the
description of a system P's grant names, and validation conflicts (the same routing declared twice, a system
declared by two organisations). Every one of those declarations names, in its files, an HSA-id of P's rows:
a logical address or a system. So a plan for P reads P's folders and every other folder whose files mention
one of :func:`relevant_ids`; the plan is the same as from every folder (tests compare them byte for byte).

An HSA-id in a desired file is a run of ``[0-9A-Za-z_-]`` (the only characters :data:`HSA_ID_PATTERN` allows;
validation refuses anything else) or ``*``, compared in upper case. :class:`IdMatcher` looks for such runs in
a folder's raw bytes. It errs only on the side of reading more: a file with a backslash (a YAML escape could
spell an id) counts as a mention, and so does an id in a comment.

When the whole repository's load is at hand (the load cache), the same argument works a row at a time:
:func:`row_selection` and :func:`restrict` keep the rows that name one of those ids, and the routings a grant
can expand over (grants are kept whole); a plan for P from the kept rows is the same as from every row
(tests compare them byte for byte), and it reads hundreds of rows where the whole state has hundreds of
thousands.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import compress
from operator import itemgetter

from tak_gitops.core.desired import DesiredState, EnvironmentState, Grant
from tak_gitops.core.hsa import WILDCARD
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, Snapshot

_ID_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
_TOKENS = bytes(c if c in _ID_CHARS else 0x20 for c in range(256)).upper()
"""``bytes.translate`` table: id characters upper-cased, every other byte a space (so ids are the words)."""
_ID_RE = re.compile(r"[0-9A-Za-z_\-]+")
_PREFIX = 12
"""Length of the prefixes searched first; more distinct prefixes than :data:`_MAX_PREFIXES` means tokenizing."""
_MAX_PREFIXES = 8


def relevant_ids(desired: DesiredState, env: str, planning: Collection[str], snapshot: Snapshot) -> frozenset[str]:
    """HSA-ids whose mention in another organisation's files can change a plan of ``env`` for ``planning``,
    in upper case (as :class:`IdMatcher` compares them): :func:`planning_ids` of the state's rows."""
    return frozenset(i.upper() for i in _state_ids(desired, env, frozenset(planning), snapshot))


def _state_ids(desired: DesiredState, env: str, orgs: frozenset[str], snapshot: Snapshot) -> set[str]:
    """:func:`planning_ids` of the rows of ``env`` that ``orgs`` declare or want."""
    state = desired.environments.get(env)
    routed: list[str] = []
    wanted: list[AuthorizationKey] = []
    if state is not None:
        routed = [la for (la, _ns), org in state.routing_orgs.items() if org in orgs]
        wanted = [key for key, wanting in state.authorization_orgs.items() if not orgs.isdisjoint(wanting)]
    return planning_ids(desired.owners, orgs, routed, wanted, snapshot)


def planning_ids(
    owners: Mapping[str, str],
    planning: frozenset[str],
    routed: Iterable[str],
    wanted: Iterable[AuthorizationKey],
    snapshot: Snapshot,
) -> set[str]:
    """The HSA-ids, as written, that the rows of a plan for ``planning`` can name.

    The systems ``planning`` owns (their own rows name no others: another producer is refused); ``routed``,
    the addresses of the routings they declare, and ``wanted``, the authorizations they want (their consumers'
    own and those their grants expand to); and the addresses their producers route today (where another
    organisation's wish keeps a row or its authorizations). Only rows attributable to ``planning`` count, so
    the set does not grow when more folders are loaded.
    """
    owned = {s for s, o in owners.items() if o in planning}
    ids: set[str] = set(owned)
    ids.update(routed)
    for consumer, la, _ns in wanted:
        ids.add(consumer)
        ids.add(la)
    current = snapshot.routings  # the addresses its producers route today, picked a column at a time
    ids.update(map(itemgetter(0), compress(current, map(owned.__contains__, map(itemgetter(0), current.values())))))
    return ids


@dataclass(frozen=True)
class RowSelection:
    """Which desired rows a plan for some organisations reads (:func:`row_selection`).

    An authorization is kept when its consumer or address is one of ``ids``; a routing when its address is one
    of ``routing_addresses`` or its producer one of ``routing_producers``: the ids, and what any grant names
    (a grant expands over its producer's routings and checks its addresses against theirs).
    """

    ids: frozenset[str]
    routing_addresses: frozenset[str]
    routing_producers: frozenset[str]

    def keeps_routing(self, key: RoutingKey, producer: str) -> bool:
        """True when the plan can read the routing ``key`` to ``producer``."""
        return key[0] in self.routing_addresses or producer in self.routing_producers

    def keeps_authorization(self, key: AuthorizationKey) -> bool:
        """True when the plan can read the authorization ``key``."""
        return key[0] in self.ids or key[1] in self.ids


def row_selection(ids: Iterable[str], grants: Iterable[Grant]) -> RowSelection:
    """The rows to keep for a plan whose :func:`planning_ids` are ``ids``, with the environment's grants."""
    kept = frozenset(ids)
    grants = tuple(grants)
    return RowSelection(
        ids=kept,
        routing_addresses=kept.union(*(g.addresses for g in grants)),
        routing_producers=kept.union(g.producer for g in grants),
    )


def selection_for(desired: DesiredState, env: str, planning: Collection[str], snapshot: Snapshot) -> RowSelection:
    """:func:`row_selection` for a plan of ``env`` for ``planning`` from a whole state."""
    state = desired.environments.get(env)
    ids = _state_ids(desired, env, frozenset(planning), snapshot)
    return row_selection(ids, state.grants if state is not None else ())


def restrict(state: EnvironmentState, selection: RowSelection) -> EnvironmentState:
    """``state`` with only the rows ``selection`` keeps (grants, organisations and positions stay whole)."""
    routings = {k: v for k, v in state.routings.items() if selection.keeps_routing(k, v[0])}
    routing_orgs = {k: o for k, o in state.routing_orgs.items() if k in routings or k not in state.routings}
    auths = {k: w for k, w in state.authorization_orgs.items() if selection.keeps_authorization(k)}
    return replace(state, routings=routings, routing_orgs=routing_orgs, authorization_orgs=auths)


class IdMatcher:
    """Does a folder's text mention any of some HSA-ids? Build once per id set, call per folder."""

    def __init__(self, ids: Iterable[str]) -> None:
        wanted = {i.upper() for i in ids}
        self.wildcard = WILDCARD in wanted
        self.ids = frozenset(i.encode("ascii") for i in wanted if _ID_RE.fullmatch(i))
        """Ids a desired file can spell; others (a TAK address with a space, say) no valid file can name."""
        prefixes = {i[:_PREFIX] for i in self.ids}
        self.prefixes = tuple(sorted(prefixes)) if len(prefixes) <= _MAX_PREFIXES else None

    def mentions(self, files: Iterable[bytes]) -> bool:
        """True when the raw bytes of a folder's files may name one of the ids."""
        parts = list(files)
        if any(b"\\" in p for p in parts) or (self.wildcard and any(b"*" in p for p in parts)):
            return True
        if not self.ids:
            return False
        words = b" ".join(parts).translate(_TOKENS)
        if self.prefixes is not None and not any(p in words for p in self.prefixes):
            return False
        return not self.ids.isdisjoint(words.split())
