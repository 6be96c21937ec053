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
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from tak_gitops.core.desired import DesiredState
from tak_gitops.core.hsa import WILDCARD
from tak_gitops.core.snapshot import Snapshot

_ID_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
_TOKENS = bytes(c if c in _ID_CHARS else 0x20 for c in range(256)).upper()
"""``bytes.translate`` table: id characters upper-cased, every other byte a space (so ids are the words)."""
_ID_RE = re.compile(r"[0-9A-Za-z_\-]+")
_PREFIX = 12
"""Length of the prefixes searched first; more distinct prefixes than :data:`_MAX_PREFIXES` means tokenizing."""
_MAX_PREFIXES = 8


def relevant_ids(desired: DesiredState, env: str, planning: Collection[str], snapshot: Snapshot) -> frozenset[str]:
    """HSA-ids whose mention in another organisation's files can change a plan of ``env`` for ``planning``.

    The systems ``planning`` owns (their own rows name no others: another producer is refused); the addresses
    of their desired routings and the consumers and addresses of their desired authorizations (validation
    expands grants into authorization rows of the granting organisation); and the addresses their producers
    route today (where another organisation's wish keeps a row or its authorizations). Only rows attributable
    to ``planning`` are read, so the set does not grow when more folders are loaded.
    """
    orgs = frozenset(planning)
    owned = {s for s, o in desired.owners.items() if o in orgs}
    ids: set[str] = set(owned)
    state = desired.environments.get(env)
    if state is not None:
        ids.update(la for (la, _ns), org in state.routing_orgs.items() if org in orgs)
        for (consumer, la, _ns), wanting in state.authorization_orgs.items():
            if not orgs.isdisjoint(wanting):
                ids.add(consumer)
                ids.add(la)
    for (la, _ns), (producer, _url, _profile) in snapshot.routings.items():
        if producer in owned:
            ids.add(la)
    return frozenset(i.upper() for i in ids)


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
