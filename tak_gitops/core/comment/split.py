"""Splitting a plan's markdown into pull-request comments.

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

from tak_gitops.core.comment.blocks import blocks, sections
from tak_gitops.core.comment.packer import Budget, Packer, SplitError

# GitHub refuses comment bodies over 65,536 characters; some probes found a 262,144-byte ceiling instead.
GITHUB_MAX_BODY = 65_536
DEFAULT_LIMIT = 60_000
DEFAULT_BYTE_LIMIT = 250_000


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
    packer = Packer(inner)
    for section in sections(blocks(lines)):
        packer.add_section(section)
    chunks = packer.result()
    total = len(chunks)
    parts = []
    for i, chunk in enumerate(chunks, start=1):
        text = part_header(title, i, total) + "\n\n" + "\n".join(chunk)
        parts.append(text + "\n" if trailing else text)
    return parts
