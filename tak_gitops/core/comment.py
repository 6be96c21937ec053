"""Pull-request comments as a product: markdown splitting, sticky-comment planning and plan labels.

Everything here is pure. The GitHub client (``adapters/github.py``) lists and writes comments; this module decides
what the comments say and which existing comment each part goes to.

Splitting (:func:`split_markdown`) follows three rules, in this order of preference:

1. cut between sections (a heading starts a section);
2. otherwise cut between blocks: a fenced code block, a ``<details>`` block, a table, and a list entry together with
   its indented continuation lines (a removal with its cascade descendants) are kept whole;
3. a block too large for one comment on its own is cut between its lines and re-opened in the next part (the fence
   or ``<details>`` is closed and opened again, a table repeats its header row). Only a single line longer than a
   whole comment is ever cut inside; Python strings are cut by code point, never inside a character.

Nothing is ever dropped: every line of the input appears, in order, in the parts. Each part stays within both
budgets, code points and UTF-8 bytes, because GitHub's documentation and its behaviour disagree on the unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# GitHub refuses comment bodies over 65,536 characters; some probes found a 262,144-byte ceiling instead.
GITHUB_MAX_BODY = 65_536
DEFAULT_LIMIT = 60_000
DEFAULT_BYTE_LIMIT = 250_000
MAX_PARTS = 99

LABEL_REMOVALS = "tak:removals"
LABEL_CASCADE = "tak:cascade"
LABEL_REFUSED = "tak:refused"
LABEL_NO_CHANGES = "tak:no-changes"
MANAGED_LABELS = (LABEL_CASCADE, LABEL_NO_CHANGES, LABEL_REFUSED, LABEL_REMOVALS)

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ENTRY_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}")
_MARKER_RE = re.compile(
    r"<!-- tak-gitops:plan:(?P<env>[A-Za-z0-9_.-]+) part=(?P<part>\d+)/(?P<total>\d+)"
    r"(?: labels=(?P<labels>[a-z:,-]*))? -->"
)


class SplitError(ValueError):
    """The budget is too small to hold even the part header."""


class TooManyParts(SplitError):
    """The body needs more than :data:`MAX_PARTS` comments. ``first`` is its first part, for a notice."""

    def __init__(self, message: str, first: str) -> None:
        super().__init__(message)
        self.first = first


def too_long_notice(env: str, first_part: str, parts: int) -> str:
    """What to post instead of a plan too long for :data:`MAX_PARTS` comments: a loud notice, then its beginning."""
    return (
        f"> [!WARNING]\n> **The plan for {env} is too long for pull-request comments** ({parts}+ parts). "
        f"Read it in the workflow run's artifact `plan-{env}`. Its beginning:\n\n{first_part}"
    )


# --------------------------------------------------------------------------------------------------------------
# Budgets


@dataclass(frozen=True)
class Budget:
    """How much one part may hold, in code points and in UTF-8 bytes."""

    chars: int
    nbytes: int

    def fits(self, chars: int, nbytes: int) -> bool:
        return chars <= self.chars and nbytes <= self.nbytes

    def shrink(self, chars: int, nbytes: int) -> Budget:
        return Budget(self.chars - chars, self.nbytes - nbytes)


def _size(lines: Sequence[str]) -> tuple[int, int]:
    """Code points and bytes of ``lines`` joined by newlines."""
    if not lines:
        return 0, 0
    chars = sum(len(line) for line in lines) + len(lines) - 1
    nbytes = sum(len(line.encode("utf-8")) for line in lines) + len(lines) - 1
    return chars, nbytes


# --------------------------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class _Block:
    """A run of lines kept together when possible. ``kind`` decides how it is cut when it must be."""

    kind: str  # heading | line | entry | table | fence | details
    lines: tuple[str, ...]


def _is_closer(line: str, mark: str) -> bool:
    s = line.strip()
    return bool(s) and set(s) == {mark[0]} and len(s) >= len(mark)


def _fence_end(lines: Sequence[str], start: int) -> int:
    """Index after the closing fence of the fence opened at ``start`` (or len(lines) when unclosed)."""
    m = _FENCE_RE.match(lines[start].lstrip())
    assert m is not None
    mark = m.group(1)
    for j in range(start + 1, len(lines)):
        if _is_closer(lines[j], mark):
            return j + 1
    return len(lines)


def _details_end(lines: Sequence[str], start: int) -> int | None:
    """Index after the ``</details>`` matching the ``<details>`` at ``start``; None when it is never closed."""
    depth = 0
    j = start
    while j < len(lines):
        if _FENCE_RE.match(lines[j]):
            j = _fence_end(lines, j)
            continue
        low = lines[j].lower()
        depth += low.count("<details")
        depth -= low.count("</details>")
        j += 1
        if depth <= 0:
            return j
    return None


def _blocks(lines: Sequence[str]) -> list[_Block]:
    out: list[_Block] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _FENCE_RE.match(line):
            j = _fence_end(lines, i)
            out.append(_Block("fence", tuple(lines[i:j])))
            i = j
            continue
        if line.lstrip().lower().startswith("<details"):
            end = _details_end(lines, i)
            if end is not None:
                out.append(_Block("details", tuple(lines[i:end])))
                i = end
                continue
        if _HEADING_RE.match(line):
            out.append(_Block("heading", (line,)))
            i += 1
            continue
        if line.lstrip().startswith("|"):
            j = i + 1
            while j < n and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(_Block("table", tuple(lines[i:j])))
            i = j
            continue
        if _ENTRY_RE.match(line):
            j = i + 1
            # Continuation: indented lines (nested items, descendants of a cascade), fences inside the item.
            while j < n and lines[j][:1] in (" ", "\t") and lines[j].strip():
                j = _fence_end(lines, j) if _FENCE_RE.match(lines[j].lstrip()) else j + 1
            out.append(_Block("entry", tuple(lines[i:j])))
            i = j
            continue
        out.append(_Block("line", (line,)))
        i += 1
    return out


def _sections(blocks: Sequence[_Block]) -> list[list[_Block]]:
    """Group blocks into sections, each starting at a heading (the first may have none)."""
    sections: list[list[_Block]] = []
    for b in blocks:
        if b.kind == "heading" or not sections:
            sections.append([b])
        else:
            sections[-1].append(b)
    return sections


# --------------------------------------------------------------------------------------------------------------
# Packing


def _cut_line(line: str, budget: Budget) -> list[str]:
    """Cut one over-long line into pieces within ``budget`` (by code point: never inside a character)."""
    pieces: list[str] = []
    start = 0
    while start < len(line):
        end = min(len(line), start + budget.chars)
        while end > start and len(line[start:end].encode("utf-8")) > budget.nbytes:
            over = len(line[start:end].encode("utf-8")) - budget.nbytes
            end -= max(1, over // 4)
        if end <= start:
            raise SplitError("the comment budget cannot hold a single character")
        pieces.append(line[start:end])
        start = end
    return pieces


class _Packer:
    """Greedy packing of lines into chunks within a budget. The first chunk may have less room (``first``)."""

    def __init__(self, budget: Budget, first: Budget | None = None) -> None:
        self.budget = budget
        self.first = first or budget
        self.chunks: list[list[str]] = []
        self.cur: list[str] = []
        self.chars = 0
        self.nbytes = 0

    def _cap(self) -> Budget:
        return self.first if not self.chunks else self.budget

    def room(self) -> Budget:
        cap = self._cap()
        if not self.cur:
            return cap
        return cap.shrink(self.chars + 1, self.nbytes + 1)

    def fits(self, lines: Sequence[str]) -> bool:
        c, b = _size(lines)
        return self.room().fits(c, b)

    def fits_empty(self, lines: Sequence[str]) -> bool:
        c, b = _size(lines)
        return self.budget.fits(c, b)

    def push(self, lines: Sequence[str]) -> None:
        c, b = _size(lines)
        if self.cur:
            self.chars, self.nbytes = self.chars + 1 + c, self.nbytes + 1 + b
        else:
            self.chars, self.nbytes = c, b
        self.cur.extend(lines)

    def flush(self) -> None:
        if self.cur or not self.chunks:
            self.chunks.append(self.cur)
        self.cur, self.chars, self.nbytes = [], 0, 0

    def new_chunk(self) -> None:
        """Start a fresh chunk (unless the current one is empty and already full-sized)."""
        if self.cur:
            self.flush()
        elif not self.chunks and self.first != self.budget:
            self.chunks.append([])

    def add_line(self, line: str) -> None:
        if self.fits([line]):
            self.push([line])
            return
        self.new_chunk()
        if self.fits([line]):
            self.push([line])
            return
        for piece in _cut_line(line, self.budget):
            if not self.fits([piece]):
                self.new_chunk()
            self.push([piece])

    def add_block(self, block: _Block) -> None:
        if self.fits(block.lines):
            self.push(block.lines)
        elif self.fits_empty(block.lines):
            self.new_chunk()
            self.push(block.lines)
        else:
            self._cut(block)

    def add_section(self, section: Sequence[_Block]) -> None:
        lines = [line for b in section for line in b.lines]
        if self.fits(lines):
            self.push(lines)
        elif self.fits_empty(lines):
            self.new_chunk()
            self.push(lines)
        else:
            # Too large for any one part: it is cut between its blocks, starting in the current part. The heading
            # stays with the first block below it.
            blocks = list(section)
            j = 0
            if blocks[0].kind == "heading":
                j = 1
                while j < len(blocks) and blocks[j].kind == "line" and not blocks[j].lines[0].strip():
                    j += 1
                j = min(j + 1, len(blocks))
                head = [line for b in blocks[:j] for line in b.lines]
                if self.fits(head):
                    self.push(head)
                elif self.fits_empty(head):
                    self.new_chunk()
                    self.push(head)
                else:
                    j = 0
            for b in blocks[j:]:
                self.add_block(b)

    def result(self) -> list[list[str]]:
        if self.cur:
            self.flush()
        return [c for c in self.chunks if c]

    def _wrapped(
        self, opener: Sequence[str], cont: Sequence[str], closer: Sequence[str], inner: Sequence[_Block]
    ) -> None:
        """Add ``inner`` wrapped in ``opener``/``closer``, re-opened with ``cont`` in each following part."""
        oc, ob = _size(opener)
        kc, kb = _size(cont)
        cc, cb = _size(closer)
        over_c = max(oc, kc) + cc + (1 if opener else 0) + (1 if closer else 0)
        over_b = max(ob, kb) + cb + (1 if opener else 0) + (1 if closer else 0)
        inner_budget = self.budget.shrink(over_c, over_b)
        if inner_budget.chars < 1 or inner_budget.nbytes < 4:
            raise SplitError("the comment budget cannot hold a block's opening and closing lines")
        first = self.room().shrink(over_c, over_b)
        if first.chars < 1 or first.nbytes < 4:
            self.new_chunk()
            first = self.room().shrink(over_c, over_b)
        sub = _Packer(inner_budget, first)
        for b in inner:
            sub.add_block(b)
        pieces = sub.result()
        if sub.chunks and not sub.chunks[0]:
            # The first part had too little room for anything: start in a fresh one.
            self.new_chunk()
        for i, piece in enumerate(pieces):
            if i > 0:
                self.new_chunk()
            self.push([*(opener if i == 0 else cont), *piece, *closer])

    def _cut(self, block: _Block) -> None:
        lines = block.lines
        if block.kind == "fence" and len(lines) >= 2:
            mark = _FENCE_RE.match(lines[0].lstrip())
            assert mark is not None
            closed = _is_closer(lines[-1], mark.group(1))
            body = lines[1:-1] if closed else lines[1:]
            closer = (lines[-1],) if closed else (mark.group(1),)
            self._wrapped((lines[0],), (lines[0],), closer, [_Block("line", (x,)) for x in body])
            return
        if block.kind == "details" and len(lines) >= 2:
            opener: list[str] = [lines[0]]
            if "<summary" not in lines[0].lower() and lines[1].lstrip().lower().startswith("<summary"):
                opener.append(lines[1])
            cont = [re.sub(r"</summary>", " (continued)</summary>", x, count=1, flags=re.IGNORECASE) for x in opener]
            cont.append("")  # GitHub renders markdown inside <details> only after a blank line
            self._wrapped(opener, cont, (lines[-1],), _blocks(lines[len(opener) : -1]))
            return
        if block.kind == "table" and len(lines) >= 3 and _TABLE_SEP_RE.match(lines[1]):
            self._wrapped(lines[:2], lines[:2], (), [_Block("line", (x,)) for x in lines[2:]])
            return
        for line in lines:
            self.add_line(line)


def part_header(title: str, index: int, total: int) -> str:
    """The continuation header at the top of part ``index`` of ``total``."""
    if index == 1:
        return f"**{title} (part 1/{total})**"
    return f"**{title} (part {index}/{total}, continued)**"


def split_markdown(
    body: str,
    limit: int = DEFAULT_LIMIT,
    *,
    byte_limit: int = DEFAULT_BYTE_LIMIT,
    title: str = "tak-gitops plan",
) -> list[str]:
    """Split ``body`` into parts of at most ``limit`` code points and ``byte_limit`` UTF-8 bytes each.

    A body that fits is returned unchanged as the only part. Otherwise each part starts with a header line
    "**<title> (part i/n)**" and a blank line; see the module documentation for where parts are cut.
    """
    budget = Budget(limit, byte_limit)
    if budget.fits(len(body), len(body.encode("utf-8"))):
        return [body]
    trailing = body.endswith("\n")
    lines = (body[:-1] if trailing else body).split("\n")
    # Reserve room for the widest header ("part 999/999, continued") and the blank line after it.
    widest = part_header(title, 999, 999)
    reserve_c, reserve_b = len(widest) + 2, len(widest.encode("utf-8")) + 2 + (1 if trailing else 0)
    inner = budget.shrink(reserve_c + (1 if trailing else 0), reserve_b)
    if inner.chars < 16 or inner.nbytes < 64:
        raise SplitError(f"a limit of {limit} characters / {byte_limit} bytes is too small to split a comment")
    packer = _Packer(inner)
    for section in _sections(_blocks(lines)):
        packer.add_section(section)
    chunks = packer.result()
    total = len(chunks)
    parts = []
    for i, chunk in enumerate(chunks, start=1):
        text = part_header(title, i, total) + "\n\n" + "\n".join(chunk)
        parts.append(text + "\n" if trailing else text)
    return parts


# --------------------------------------------------------------------------------------------------------------
# Sticky comments


@dataclass(frozen=True)
class StickyMarker:
    """The hidden first line of a sticky plan comment."""

    env: str
    part: int
    total: int
    labels: tuple[str, ...] = ()

    def render(self) -> str:
        labels = f" labels={','.join(self.labels)}" if self.labels else ""
        return f"<!-- tak-gitops:plan:{self.env} part={self.part}/{self.total}{labels} -->"


def parse_marker(body: str) -> StickyMarker | None:
    """The sticky marker of a comment body (searched in its first line), or None."""
    first = body.split("\n", 1)[0]
    m = _MARKER_RE.search(first)
    if m is None:
        return None
    labels = tuple(x for x in (m.group("labels") or "").split(",") if x)
    return StickyMarker(m.group("env"), int(m.group("part")), int(m.group("total")), labels)


def sticky_parts(
    env: str,
    body: str,
    labels: Sequence[str] = (),
    *,
    limit: int = DEFAULT_LIMIT,
    byte_limit: int = DEFAULT_BYTE_LIMIT,
) -> list[str]:
    """The comment bodies for ``env``: ``body`` split to the budget, each part led by its hidden marker line.

    The marker of the first part also carries the plan's labels, so the labels of every environment of a pull
    request can be derived from its comments alone.
    """
    sample = StickyMarker(env, MAX_PARTS, MAX_PARTS, tuple(sorted(labels))).render()
    reserve = len(sample) + 1
    parts = split_markdown(body, limit - reserve, byte_limit=byte_limit - reserve, title=f"tak-gitops plan {env}")
    if len(parts) > MAX_PARTS:
        raise TooManyParts(f"the plan for {env} needs {len(parts)} comments, more than {MAX_PARTS}", parts[0])
    total = len(parts)
    out = []
    for i, part in enumerate(parts, start=1):
        marker = StickyMarker(env, i, total, tuple(sorted(labels)) if i == 1 else ())
        out.append(marker.render() + "\n" + part)
    return out


@dataclass(frozen=True)
class ExistingComment:
    """A comment already on the pull request."""

    id: int
    body: str


@dataclass(frozen=True)
class StickyPlan:
    """What to do to make the comments of one environment say ``parts``.

    ``update`` pairs an existing comment id with its new body; ``unchanged`` lists ids already saying the right
    thing; ``create`` lists bodies to post, in order; ``delete`` lists surplus comment ids.
    """

    update: tuple[tuple[int, str], ...]
    unchanged: tuple[int, ...]
    create: tuple[str, ...]
    delete: tuple[int, ...]


def plan_sticky(existing: Iterable[ExistingComment], env: str, parts: Sequence[str]) -> StickyPlan:
    """Map the parts of ``env`` onto its existing sticky comments, oldest first (reading order is kept)."""
    mine = sorted((c for c in existing if (m := parse_marker(c.body)) is not None and m.env == env), key=lambda c: c.id)
    update: list[tuple[int, str]] = []
    unchanged: list[int] = []
    for comment, part in zip(mine, parts, strict=False):
        if comment.body == part:
            unchanged.append(comment.id)
        else:
            update.append((comment.id, part))
    create = tuple(parts[len(mine) :])
    delete = tuple(c.id for c in mine[len(parts) :])
    return StickyPlan(tuple(update), tuple(unchanged), create, delete)


# --------------------------------------------------------------------------------------------------------------
# Labels


def labels_for_plan(plan: Mapping[str, Any]) -> tuple[str, ...]:
    """The labels one plan document asks for (sorted)."""
    labels: set[str] = set()
    status = plan.get("status")
    if status == "refused":
        labels.add(LABEL_REFUSED)
    if status == "no-changes":
        labels.add(LABEL_NO_CHANGES)
    summary = plan.get("summary") or {}
    removals = any(str(k).startswith("remove-") and isinstance(v, int) and v > 0 for k, v in summary.items())
    for order in plan.get("orders") or ():
        for change in order.get("changes") or ():
            if str(change.get("action", "")).startswith("remove-"):
                removals = True
    if removals:
        labels.add(LABEL_REMOVALS)
    if plan.get("cascades"):
        labels.add(LABEL_CASCADE)
    return tuple(sorted(labels))


def pull_request_labels(per_env: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The managed labels a pull request should carry given each environment's labels.

    Removals, cascades and refusals in any environment label the pull request; "no changes" only when every
    environment planned has no changes.
    """
    if not per_env:
        return ()
    union = {label for labels in per_env.values() for label in labels if label in MANAGED_LABELS}
    if not all(LABEL_NO_CHANGES in labels for labels in per_env.values()):
        union.discard(LABEL_NO_CHANGES)
    return tuple(sorted(union))


def env_labels_from_comments(comments: Iterable[ExistingComment]) -> dict[str, tuple[str, ...]]:
    """Each environment's labels, read from the marker of its first sticky part."""
    out: dict[str, tuple[str, ...]] = {}
    for c in comments:
        m = parse_marker(c.body)
        if m is not None and m.part == 1:
            out[m.env] = m.labels
    return dict(sorted(out.items()))


def label_changes(current: Iterable[str], wanted: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(labels to add, managed labels to remove) to go from ``current`` to ``wanted``."""
    cur = set(current)
    want = set(wanted)
    add = tuple(sorted(want - cur))
    remove = tuple(sorted(label for label in cur - want if label in MANAGED_LABELS))
    return add, remove


# --------------------------------------------------------------------------------------------------------------
# The created-orders comment


def record_id(record: Mapping[str, Any]) -> str:
    """The order id of a ledger record (``order_id``; ``id`` in older shapes)."""
    return str(record.get("order_id") or record.get("id") or "?")


def render_orders_comment(env: str, records: Sequence[Mapping[str, Any]], *, commit: str | None = None) -> str:
    """A plain comment listing the orders an apply created for ``env`` (ledger records as read from disk)."""
    lines = [f"<!-- tak-gitops:orders:{env} -->", f"### tak-gitops apply: orders for {env}", ""]
    if commit:
        lines += [f"Applied at `{commit}`.", ""]
    if not records:
        lines.append("No orders were created.")
        return "\n".join(lines) + "\n"
    lines += ["| order | organisation | wave | state | ticket |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(records, key=lambda r: (int(r.get("wave") or 0), record_id(r))):
        ticket = r.get("ticket") or "–"
        lines.append(
            f"| `{record_id(r)}` | {r.get('org') or '–'} | {r.get('wave') or '–'} | {r.get('state', '?')} | {ticket} |"
        )
    lines += [
        "",
        f"{len(records)} order(s). Their records are in `orders/{env}/`; the scheduled check moves them to "
        "executed when the TAK shows them.",
    ]
    return "\n".join(lines) + "\n"
