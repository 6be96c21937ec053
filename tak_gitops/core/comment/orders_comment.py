"""The comment listing the orders an apply created, from ledger records as read from disk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


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
