"""The HSA cache file reader (``hsacache.xml``, namespace ``urn:riv:hsa:HsaWsResponder:3``).

Builds the tree the way the routing engine (hsa-cache ``HsaFileParser``) does: only ``hsaIdentity``, ``DN`` and
``name`` of each ``hsaUnit`` are read; a unit missing one of them is skipped and counted. A unit's parent is the
nearest DN ancestor (strip the leftmost RDN, repeatedly) that belongs to a unit in the file, else ``SE``.
HSA-ids are upper-cased (TAK compares them case-insensitively). Several files (the complementary file with the
root ``SE`` and the main file) may be read together.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tak_gitops.adapters.sources import gc_paused
from tak_gitops.core.canonical import digest
from tak_gitops.core.hsa import ROOT, HsaTree
from tak_gitops.errors import SourceError

NS = "urn:riv:hsa:HsaWsResponder:3"
_UNIT = f"{{{NS}}}hsaUnit"
_ID = f"{{{NS}}}hsaIdentity"
_DN = f"{{{NS}}}DN"
_NAME = f"{{{NS}}}name"


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
        return _read_hsa_files(paths)


def _read_hsa_files(paths: Iterable[Path]) -> HsaFile:
    by_dn: dict[tuple[str, ...], str] = {}
    names: dict[str, str] = {}
    dns: dict[str, tuple[str, ...]] = {}
    units = skipped = 0
    first_seen: dict[str, str] = {}
    sources = []
    dn_key = _DnKeys()
    for path in paths:
        sources.append(str(path))
        index = -1
        try:
            for _event, elem in ET.iterparse(path, events=("end",)):
                if elem.tag != _UNIT:
                    continue
                units += 1
                index += 1
                label = f"hsaUnit[{index}]"
                hsa_id = (elem.findtext(_ID) or "").strip().upper()
                dn = (elem.findtext(_DN) or "").strip()
                name = (elem.findtext(_NAME) or "").strip()
                elem.clear()
                if not hsa_id or not dn or not name:
                    skipped += 1
                    continue
                if hsa_id in first_seen:
                    raise SourceError(
                        f"hsaIdentity {hsa_id} occurs twice (also {first_seen[hsa_id]}; HSA-ids are compared "
                        "case-insensitively)", path=str(path), row=label,
                    )
                first_seen[hsa_id] = f"{path}: {label}"
                key = dn_key(dn)
                by_dn[key] = hsa_id
                dns[hsa_id] = key
                names[hsa_id] = name
            if index < 0:
                raise SourceError(f"no hsaUnit elements in namespace {NS}: not an HSA cache file", path=str(path))
        except ET.ParseError as exc:
            line, col = exc.position
            reason = re.sub(r": line \d+, column \d+$", "", str(exc))
            raise SourceError(f"not valid XML at line {line} column {col + 1}: {reason}", path=str(path)) from None
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    parents: dict[str, str] = {}
    for hsa_id, key in dns.items():
        if hsa_id == ROOT:
            continue
        parent = ROOT
        for cut in range(1, len(key)):
            found = by_dn.get(key[cut:])
            if found is not None and found != hsa_id:
                parent = found
                break
        parents[hsa_id] = parent
    content = sorted((k, parents.get(k, ""), names[k]) for k in dns)
    tree = HsaTree(parents=parents, names=names, source=", ".join(sources), digest=digest(content))
    return HsaFile(tree=tree, units=units, skipped=skipped)


def read_hsa_file(path: Path | str) -> HsaTree:
    """Read one HSA cache file into a tree."""
    return read_hsa_files([Path(path)]).tree
