"""Greedy packing of markdown blocks into comment-sized chunks, within a budget of code points and bytes.

A block that does not fit a whole part is cut between its lines and re-opened in the next part (the fence or
``<details>`` closed and opened again, a table's header row repeated); only a single line longer than a part
is ever cut inside, by code point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tak_gitops.core.comment.blocks import FENCE_RE, TABLE_SEP_RE, Block, blocks, is_closer


class SplitError(ValueError):
    """The budget is too small to hold even the part header."""


@dataclass(frozen=True)
class Budget:
    """How much one part may hold, in code points and in UTF-8 bytes."""

    chars: int
    nbytes: int

    def fits(self, chars: int, nbytes: int) -> bool:
        return chars <= self.chars and nbytes <= self.nbytes

    def shrink(self, chars: int, nbytes: int) -> Budget:
        return Budget(self.chars - chars, self.nbytes - nbytes)


def size(lines: Sequence[str]) -> tuple[int, int]:
    """Code points and bytes of ``lines`` joined by newlines."""
    if not lines:
        return 0, 0
    chars = sum(len(line) for line in lines) + len(lines) - 1
    nbytes = sum(len(line.encode("utf-8")) for line in lines) + len(lines) - 1
    return chars, nbytes


def cut_line(line: str, budget: Budget) -> list[str]:
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


class Packer:
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
        c, b = size(lines)
        return self.room().fits(c, b)

    def fits_empty(self, lines: Sequence[str]) -> bool:
        c, b = size(lines)
        return self.budget.fits(c, b)

    def push(self, lines: Sequence[str]) -> None:
        c, b = size(lines)
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
        for piece in cut_line(line, self.budget):
            if not self.fits([piece]):
                self.new_chunk()
            self.push([piece])

    def add_block(self, block: Block) -> None:
        if self.fits(block.lines):
            self.push(block.lines)
        elif self.fits_empty(block.lines):
            self.new_chunk()
            self.push(block.lines)
        else:
            self._cut(block)

    def add_section(self, section: Sequence[Block]) -> None:
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
        self, opener: Sequence[str], cont: Sequence[str], closer: Sequence[str], inner: Sequence[Block]
    ) -> None:
        """Add ``inner`` wrapped in ``opener``/``closer``, re-opened with ``cont`` in each following part."""
        oc, ob = size(opener)
        kc, kb = size(cont)
        cc, cb = size(closer)
        over_c = max(oc, kc) + cc + (1 if opener else 0) + (1 if closer else 0)
        over_b = max(ob, kb) + cb + (1 if opener else 0) + (1 if closer else 0)
        inner_budget = self.budget.shrink(over_c, over_b)
        if inner_budget.chars < 1 or inner_budget.nbytes < 4:
            raise SplitError("the comment budget cannot hold a block's opening and closing lines")
        first = self.room().shrink(over_c, over_b)
        if first.chars < 1 or first.nbytes < 4:
            self.new_chunk()
            first = self.room().shrink(over_c, over_b)
        sub = Packer(inner_budget, first)
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

    def _cut(self, block: Block) -> None:
        lines = block.lines
        if block.kind == "fence" and len(lines) >= 2:
            mark = FENCE_RE.match(lines[0].lstrip())
            assert mark is not None
            closed = is_closer(lines[-1], mark.group(1))
            body = lines[1:-1] if closed else lines[1:]
            closer = (lines[-1],) if closed else (mark.group(1),)
            self._wrapped((lines[0],), (lines[0],), closer, [Block("line", (x,)) for x in body])
            return
        if block.kind == "details" and len(lines) >= 2:
            opener: list[str] = [lines[0]]
            if "<summary" not in lines[0].lower() and lines[1].lstrip().lower().startswith("<summary"):
                opener.append(lines[1])
            cont = [re.sub(r"</summary>", " (continued)</summary>", x, count=1, flags=re.IGNORECASE) for x in opener]
            cont.append("")  # GitHub renders markdown inside <details> only after a blank line
            self._wrapped(opener, cont, (lines[-1],), blocks(lines[len(opener) : -1]))
            return
        if block.kind == "table" and len(lines) >= 3 and TABLE_SEP_RE.match(lines[1]):
            self._wrapped(lines[:2], lines[:2], (), [Block("line", (x,)) for x in lines[2:]])
            return
        for line in lines:
            self.add_line(line)
