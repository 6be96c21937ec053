"""`tak-gitops orders list|show|reconcile|set-ticket|unlock --env ENV`: the order ledger in orders/<ENV>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.cli import cli
from tak_gitops.cli.apply import load_project, read_snapshot
from tak_gitops.cli.common import check_baseline, table
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.ledger import STATES, expire, expire_by_hand, reconcile, with_ticket
from tak_gitops.errors import UsageError

_ENV = click.option("--env", "env", required=True, metavar="ENV", help="The environment, e.g. NTJP-PROD.")
_ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The desired-state repository.",
)


def _store(root: Path, env: str) -> tuple[LedgerStore, int]:
    config = load_project(root)
    if env not in config.environments:
        raise UsageError(f"environment {env!r} is not in {root / 'tak-gitops.yaml'}")
    return LedgerStore(root, env, config.ledger_dir), config.orders.expire_after_days


@cli.group("orders")
def orders_group() -> None:
    """The order ledger: what apply handed over, and what became of it."""


@orders_group.command("list")
@_ENV
@_ROOT
@click.option("--state", "states", multiple=True, type=click.Choice(STATES), help="Only orders in these states.")
def list_command(env: str, root: Path, states: tuple[str, ...]) -> None:
    """One line per order: id, wave, state, ticket, submitted, lines."""
    store, _ = _store(root, env)
    records = [r for r in store.records() if not states or r.state in states]
    if not records:
        click.echo(f"{env}: no orders" + (f" in state {', '.join(states)}" if states else ""))
        return
    rows = [
        (
            r.order_id,
            r.wave,
            r.state,
            r.ticket or "-",
            r.submitted_at or "-",
            sum(
                len(r.document.get(s, {}).get(a) or ())
                for s in ("inkludera", "exkludera")
                for a in ("vagval", "anropsbehorigheter")
            ),
        )
        for r in records
    ]
    for line in table(("order", "wave", "state", "ticket", "submitted", "lines"), rows, right=(1, 5)):
        click.echo(line)
    counts: dict[str, int] = {}
    for r in records:
        counts[r.state] = counts.get(r.state, 0) + 1
    click.echo(f"\n{env}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


@orders_group.command("show")
@click.argument("ref", metavar="ID")
@_ENV
@_ROOT
def show_command(ref: str, env: str, root: Path) -> None:
    """The full record of one order (by id, or by the key prefix printed in kommentar)."""
    store, _ = _store(root, env)
    click.echo(pretty_json(store.find(ref).to_dict()).decode("utf-8"), nl=False)


@orders_group.command("set-ticket")
@click.argument("ref", metavar="ID")
@click.argument("ticket", metavar="TICKET")
@_ENV
@_ROOT
def set_ticket_command(ref: str, ticket: str, env: str, root: Path) -> None:
    """Record the service desk's ticket number (e.g. TSK-12518) for an order."""
    store, _ = _store(root, env)
    record = with_ticket(store.find(ref), ticket, now=dt.datetime.now(dt.UTC))
    store.save(record)
    click.echo(f"{record.order_id}: ticket {record.ticket}")


@orders_group.command("reconcile")
@_ENV
@_ROOT
@click.option(
    "--snapshot",
    "snapshot_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The current snapshot of ENV.",
)
@click.option(
    "--allow-shrink", is_flag=True, help="Accept a snapshot that shrank against the baseline (as fetch does)."
)
def reconcile_command(env: str, root: Path, snapshot_path: Path, allow_shrink: bool) -> None:
    """Move submitted orders to executed or diverged, line by line, from a snapshot; expire overdue ones.

    The snapshot is checked against the environment's baseline as ``fetch`` checks it (exit 1 with fetch's
    message): a snapshot fetch would refuse as a bad read settles no order."""
    store, expire_days = _store(root, env)
    snapshot = read_snapshot(snapshot_path)
    check_baseline(root, env, load_project(root), snapshot, source=str(snapshot_path), allow_shrink=allow_shrink)
    now = dt.datetime.now(dt.UTC)
    changed = 0
    for record in store.records():
        after = expire(
            reconcile(record, snapshot, now=now, expire_after_days=expire_days), now=now, expire_after_days=expire_days
        )
        if after == record:
            continue
        store.save(after)
        changed += 1
        waiting = sum(1 for line in after.lines if line.status == "waiting")
        diverged = [line for line in after.lines if line.status == "diverged"]
        moved = f"{record.state} -> {after.state}" if after.state != record.state else after.state
        click.echo(
            f"{after.order_id}: {moved}; {len(after.lines)} line(s), {waiting} waiting, {len(diverged)} diverged"
        )
        for line in diverged:
            click.echo(f"  diverged {line.section} {line.kind} {' '.join(line.key)}: {line.detail}")
    click.echo(f"{env}: {changed} order(s) updated from snapshot {snapshot.digest[:19]}")


@orders_group.command("expire")
@click.argument("ref", metavar="ID")
@_ENV
@_ROOT
@click.option("--reason", required=True, help="Why, for the order's history (e.g. 'not in the TAK after publication').")
def expire_command(ref: str, env: str, root: Path, reason: str) -> None:
    """Stop waiting for a submitted or unknown order that never reached the TAK: the next plan orders its
    changes again. Seen executed later, it still becomes executed."""
    store, _ = _store(root, env)
    record = store.find(ref)
    after = expire_by_hand(record, now=dt.datetime.now(dt.UTC), reason=reason)
    store.save(after)
    click.echo(f"{after.order_id}: {record.state} -> expired; the next plan orders its changes again")


@orders_group.command("unlock")
@_ENV
@_ROOT
@click.option("--force", is_flag=True, help="Remove the lock even if it is live (its apply must be dead).")
def unlock_command(env: str, root: Path, force: bool) -> None:
    """Remove the environment lock: a stale one (expired, or its process gone), or any one with --force."""
    store, _ = _store(root, env)
    click.echo(store.unlock(now=dt.datetime.now(dt.UTC), force=force))
