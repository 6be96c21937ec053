"""Markdown as blocks for splitting: headings, fenced code, ``<details>``, tables, list entries, plain lines.

A block is a run of lines kept in one comment when possible; its ``kind`` decides how it is cut when it must
be (:mod:`tak_gitops.core.comment.packer`). Sections start at a heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ENTRY_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}")


@dataclass(frozen=True)
class Block:
    """A run of lines kept together when possible. ``kind`` decides how it is cut when it must be."""

    kind: str  # heading | line | entry | table | fence | details
    lines: tuple[str, ...]


def is_closer(line: str, mark: str) -> bool:
    s = line.strip()
    return bool(s) and set(s) == {mark[0]} and len(s) >= len(mark)


def fence_end(lines: Sequence[str], start: int) -> int:
    """Index after the closing fence of the fence opened at ``start`` (or len(lines) when unclosed)."""
    m = FENCE_RE.match(lines[start].lstrip())
    assert m is not None
    mark = m.group(1)
    for j in range(start + 1, len(lines)):
        if is_closer(lines[j], mark):
            return j + 1
    return len(lines)


def details_end(lines: Sequence[str], start: int) -> int | None:
    """Index after the ``</details>`` matching the ``<details>`` at ``start``; None when it is never closed."""
    depth = 0
    j = start
    while j < len(lines):
        if FENCE_RE.match(lines[j]):
            j = fence_end(lines, j)
            continue
        low = lines[j].lower()
        depth += low.count("<details")
        depth -= low.count("</details>")
        j += 1
        if depth <= 0:
            return j
    return None


def blocks(lines: Sequence[str]) -> list[Block]:
    out: list[Block] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if FENCE_RE.match(line):
            j = fence_end(lines, i)
            out.append(Block("fence", tuple(lines[i:j])))
            i = j
            continue
        if line.lstrip().lower().startswith("<details"):
            end = details_end(lines, i)
            if end is not None:
                out.append(Block("details", tuple(lines[i:end])))
                i = end
                continue
        if HEADING_RE.match(line):
            out.append(Block("heading", (line,)))
            i += 1
            continue
        if line.lstrip().startswith("|"):
            j = i + 1
            while j < n and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(Block("table", tuple(lines[i:j])))
            i = j
            continue
        if ENTRY_RE.match(line):
            j = i + 1
            # Continuation: indented lines (nested items, descendants of a cascade), fences inside the item.
            while j < n and lines[j][:1] in (" ", "\t") and lines[j].strip():
                j = fence_end(lines, j) if FENCE_RE.match(lines[j].lstrip()) else j + 1
            out.append(Block("entry", tuple(lines[i:j])))
            i = j
            continue
        out.append(Block("line", (line,)))
        i += 1
    return out


def sections(found: Sequence[Block]) -> list[list[Block]]:
    """Group blocks into sections, each starting at a heading (the first may have none)."""
    sections: list[list[Block]] = []
    for b in found:
        if b.kind == "heading" or not sections:
            sections.append([b])
        else:
            sections[-1].append(b)
    return sections
