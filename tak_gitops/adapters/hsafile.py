"""The HSA cache file reader (``hsacache.xml``, namespace ``urn:riv:hsa:HsaWsResponder:3``).

Builds the tree the way the routing engine (hsa-cache ``HsaFileParser``) does: only ``hsaIdentity``, ``DN`` and
``name`` of each ``hsaUnit`` are read; a unit missing one of them is skipped and counted. A unit's parent is the
nearest DN ancestor (strip the leftmost RDN, repeatedly) that belongs to a unit in the file, else ``SE``.
HSA-ids are upper-cased (TAK compares them case-insensitively). Several files (the complementary file with the
root ``SE`` and the main file) may be read together.

Reading streams: ElementTree's pull parser is fed the file 64 KiB at a time, and each ``hsaUnit`` element is
emptied as soon as its three fields are read, so memory holds the fields, not the document. The parent search is
made once per distinct parent DN.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import BinaryIO, cast

from tak_gitops.adapters.sources import gc_paused
from tak_gitops.core.canonical import digest
from tak_gitops.core.hsa import ROOT, HsaTree
from tak_gitops.errors import SourceError

NS = "urn:riv:hsa:HsaWsResponder:3"
_UNIT = f"{{{NS}}}hsaUnit"
_ID = f"{{{NS}}}hsaIdentity"
_DN = f"{{{NS}}}DN"
_NAME = f"{{{NS}}}name"
_CHUNK = 1 << 16  # bytes fed to the parser at a time


@dataclass(frozen=True)
class HsaFile:
    """The tree read from one or more HSA files, and how many units were skipped for a missing field."""

    tree: HsaTree
    units: int
    skipped: int


def _normal_rdn(rdn: str) -> str:
    attr, sep, value = rdn.partition("=")
    return f"{attr.strip().lower()}{sep}{value.strip().casefold()}"


def split_dn(dn: str) -> list[str]:
    """Split a DN into RDNs at unescaped commas, normalizing each RDN (``ou = X`` -> ``ou=x``, case-folded)."""
    if "\\" not in dn:
        return [_normal_rdn(rdn) for rdn in dn.split(",")]
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in dn:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [_normal_rdn(rdn) for rdn in parts]


class _DnKeys:
    """:func:`split_dn` as a tuple, with each distinct RDN normalized once (units share their ancestors')."""

    def __init__(self) -> None:
        self._rdns: dict[str, str] = {}

    def __call__(self, dn: str) -> tuple[str, ...]:
        if "\\" in dn:
            return tuple(split_dn(dn))
        rdns = self._rdns
        out = []
        for rdn in dn.split(","):
            normal = rdns.get(rdn)
            if normal is None:
                normal = rdns[rdn] = _normal_rdn(rdn)
            out.append(normal)
        return tuple(out)


def read_hsa_files(paths: Iterable[Path]) -> HsaFile:
    """Read HSA cache files into one tree. Bad XML is a SourceError naming the file, line and column; a unit
    id given twice (in any case) is a SourceError naming both units (``hsaUnit[n]``: the n-th unit of
    its file, from 0)."""
    with gc_paused():
        return _read_hsa_files([(str(path), _opener(path)) for path in paths])


def _opener(path: Path) -> Callable[[], BinaryIO]:
    def opened() -> BinaryIO:
        return open(path, "rb")

    return opened


def hsa_tree_from_bytes(raw: bytes, source: str) -> HsaTree:
    """:func:`read_hsa_file` of a file's bytes read already (``source`` is its path, for errors)."""
    with gc_paused():
        return _read_hsa_files([(source, partial(io.BytesIO, raw))]).tree


def _unit_elements(file: BinaryIO) -> Iterator[ET.Element]:
    """Yield the ``hsaUnit`` elements of an XML file as they end. This is ``ET.iterparse`` (the same parser, so
    the same errors at the same positions, raised after the elements before them) fed larger pieces, with the
    other elements passed over in the loop that reads the events."""
    pull: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    while True:
        data = file.read(_CHUNK)
        if data:
            pull.feed(data)
        else:
            pull.close()
        for _event, elem in cast(Iterator[tuple[str, ET.Element]], pull.read_events()):  # "end": elements only
            if elem.tag == _UNIT:
                yield elem
        if not data:
            return


def _read_hsa_files(files: Iterable[tuple[str, Callable[[], BinaryIO]]]) -> HsaFile:
    # the units with all three fields, in file order: hsaIdentity -> DN and name, and each one's n in hsaUnit[n]
    dns: dict[str, str] = {}
    names: dict[str, str] = {}
    indexes: list[int] = []
    starts: list[int] = []  # where each file's units begin in ``indexes`` (to name the first of a duplicate)
    units = skipped = 0
    sources: list[str] = []
    for source, opener in files:
        sources.append(source)
        starts.append(len(indexes))
        index = -1
        try:
            with opener() as file:
                for index, elem in enumerate(_unit_elements(file)):
                    hsa_id = elem.findtext(_ID, "").strip().upper()
                    dn = elem.findtext(_DN, "").strip()
                    name = elem.findtext(_NAME, "").strip()
                    elem.clear()
                    if not hsa_id or not dn or not name:
                        skipped += 1
                    elif hsa_id in names:
                        first = list(names).index(hsa_id)
                        file_no = bisect_right(starts, first) - 1
                        raise SourceError(
                            f"hsaIdentity {hsa_id} occurs twice (also {sources[file_no]}: hsaUnit[{indexes[first]}]; "
                            "HSA-ids are compared case-insensitively)", path=source, row=f"hsaUnit[{index}]",
                        )
                    else:
                        dns[hsa_id] = dn
                        names[hsa_id] = name
                        indexes.append(index)
        except ET.ParseError as exc:
            line, col = exc.position
            reason = re.sub(r": line \d+, column \d+$", "", str(exc))
            raise SourceError(f"not valid XML at line {line} column {col + 1}: {reason}", path=source) from None
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", path=source) from None
        if index < 0:
            raise SourceError(f"no hsaUnit elements in namespace {NS}: not an HSA cache file", path=source)
        units += index + 1
    parents = _parents(dns)
    order = sorted(names)
    content = list(zip(order, map(parents.get, order, repeat("")), map(names.__getitem__, order), strict=True))
    tree = HsaTree(parents=parents, names=names, source=", ".join(sources), digest=digest(content))
    return HsaFile(tree=tree, units=units, skipped=skipped)


def _parents(dns: dict[str, str]) -> dict[str, str]:
    """Each unit's parent (the root ``SE`` has none): the unit of its nearest DN ancestor, else ``SE``; the last
    unit of a DN wins. The search depends on the parent DN alone (an ancestor's DN is shorter than the unit's, so
    a unit never finds itself), so it is made once for each distinct parent DN."""
    dn_key = _DnKeys()
    keys = [dn_key(dn) for dn in dns.values()]
    by_dn = dict(zip(keys, dns, strict=True))
    found: dict[tuple[str, ...], str] = {}
    parents: dict[str, str] = {}
    for hsa_id, key in zip(dns, keys, strict=True):
        up = key[1:]
        parent = found.get(up)
        if parent is None:
            parent = found[up] = next((by_dn[up[cut:]] for cut in range(len(up)) if up[cut:] in by_dn), ROOT)
        parents[hsa_id] = parent
    parents.pop(ROOT, None)
    return parents


def read_hsa_file(path: Path | str) -> HsaTree:
    """Read one HSA cache file into a tree."""
    return read_hsa_files([Path(path)]).tree
