"""Sticky plan comments: the hidden marker line of each part, and which existing comment each part goes to.

Each environment's plan lives in its own comments, found again by the marker on their first line; the first
part's marker also carries the plan's labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tak_gitops.core.comment.packer import SplitError
from tak_gitops.core.comment.split import DEFAULT_BYTE_LIMIT, DEFAULT_LIMIT, split_markdown

MAX_PARTS = 99

MARKER_RE = re.compile(
    r"<!-- tak-gitops:plan:(?P<env>[A-Za-z0-9_.-]+) part=(?P<part>\d+)/(?P<total>\d+)"
    r"(?: labels=(?P<labels>[a-z:,-]*))? -->"
)


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
    m = MARKER_RE.search(first)
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
