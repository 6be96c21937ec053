"""The prebuilt search index: HSA-ids, names, contracts and URLs, cut into shards by token prefix.

Every entry (an organisation, system, logical address, contract or producer URL) is split into tokens: runs of
letters and digits, lower case, with accents folded (``Sörmland`` -> ``sormland``). A query finds the entries
with a token that starts with its longest word and that hold every other word. Tokens shared by more than
``COMMON`` entries (``se``, ``https``, a county's HSA prefix) are left out: they find too much to help. Shards
hold the tokens under one prefix; a prefix with more than ``SHARD_ENTRIES`` entries is split by one more letter,
so the browser loads one small file per query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SHARD_ENTRIES = 1500
COMMON = 1000
MIN_TOKEN = 2
_SPLIT = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, order=True)
class Entry:
    """A thing to find: ``kind`` is ``org``, ``system``, ``address``, ``contract`` or ``url``; ``path`` the
    page (relative to the environment's folder, with an anchor for URLs)."""

    kind: str
    key: str
    name: str
    path: str


@dataclass(frozen=True)
class Shard:
    """Tokens starting with ``prefix`` (and not under a longer shard's prefix): the entries and, per token,
    the positions of its entries in ``entries``."""

    prefix: str
    entries: tuple[Entry, ...]
    tokens: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class SearchIndex:
    shards: tuple[Shard, ...]
    common: tuple[str, ...]
    entries: int


def fold_text(text: str) -> str:
    """Lower case without accents, as the browser folds a query."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(*texts: str) -> set[str]:
    out: set[str] = set()
    for text in texts:
        out.update(t for t in _SPLIT.split(fold_text(text)) if len(t) >= MIN_TOKEN)
    return out


def build_index(entries: Iterable[Entry]) -> SearchIndex:
    """Shard ``entries`` by token prefix. Deterministic: the same entries give the same shards."""
    ordered = sorted(set(entries))
    postings: dict[str, list[int]] = {}
    for i, entry in enumerate(ordered):
        for token in tokens(entry.key, entry.name):
            postings.setdefault(token, []).append(i)
    common = sorted(t for t, ids in postings.items() if len(ids) > COMMON)
    for t in common:
        del postings[t]
    shards: list[Shard] = []
    _split_prefix("", sorted(postings), postings, ordered, shards)
    return SearchIndex(tuple(shards), tuple(common), len(ordered))


def _split_prefix(
    prefix: str, names: Sequence[str], postings: dict[str, list[int]], entries: Sequence[Entry], out: list[Shard]
) -> None:
    size = len({i for t in names for i in postings[t]})
    if prefix and (size <= SHARD_ENTRIES or all(len(t) == len(prefix) for t in names)):
        out.append(_shard(prefix, names, postings, entries))
        return
    here = [t for t in names if len(t) == len(prefix)]
    if here:
        out.append(_shard(prefix, here, postings, entries))
    children: dict[str, list[str]] = {}
    for t in names:
        if len(t) > len(prefix):
            children.setdefault(t[: len(prefix) + 1], []).append(t)
    for child, group in sorted(children.items()):
        _split_prefix(child, group, postings, entries, out)


def _shard(prefix: str, names: Sequence[str], postings: dict[str, list[int]], entries: Sequence[Entry]) -> Shard:
    local: dict[int, int] = {}
    for t in names:
        for i in postings[t]:
            local.setdefault(i, len(local))
    order = sorted(local, key=lambda i: local[i])
    return Shard(
        prefix=prefix,
        entries=tuple(entries[i] for i in order),
        tokens=tuple((t, tuple(local[i] for i in postings[t])) for t in names),
    )
