"""`tak-gitops sim try ORDER.json`: execute one order on a copy of a TAK, without a server, and show TAK-web's
answer and the rows it changed."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.adapters.sources import read_source
from tak_gitops.cli.common import aliased, deprecated_alias
from tak_gitops.cli.sim import _clock, _zone, sim_group
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import ExitCode, SourceError, UsageError
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import OrderParseError, parse_order
from tak_gitops.sim.files import seed_file
from tak_gitops.sim.rehearse import rehearse
from tak_gitops.sim.seed import seed_from_snapshot


@sim_group.command("try")
@click.argument("order_path", metavar="ORDER.json", type=click.Path(path_type=Path))
@click.option("--seed", "seed", type=click.Path(path_type=Path), help="Published-version JSON or saved snapshot.")
@click.option("--snapshot", "snapshot", type=click.Path(path_type=Path), help="A snapshot saved by tak-gitops.")
@click.option(
    "--export", "export_path", type=click.Path(path_type=Path), help="A TAK export (as `plan --export` reads)."
)
@click.option("--user", default="admin", show_default=True, help="The TAK-web user the order runs as.")
@click.option("--now", help="The moment of execution (ISO date-time; default: the wall clock).")
@click.option(
    "--order-platform",
    "plattform",
    callback=aliased("plattform"),
    help="The TAK's order platform, an order's `plattform` (default: the snapshot's, else the order's own).",
)
@deprecated_alias("--plattform", "--order-platform", "plattform")
@click.option("--zone", default="Europe/Stockholm", show_default=True, help="The TAK's time zone (D's date).")
def try_cmd(
    order_path: Path,
    seed: Path | None,
    snapshot: Path | None,
    export_path: Path | None,
    user: str,
    now: str | None,
    plattform: str | None,
    zone: str,
) -> int:
    """Execute ORDER.json as TAK-web would on a copy of a TAK and print TAK-web's report (or its errors) and the
    rows it changed; exit 0 when TAK-web would execute it, 1 when it would refuse it."""
    sources = [s for s in (seed, snapshot, export_path) if s is not None]
    if len(sources) != 1:
        raise UsageError("give exactly one of --seed FILE, --snapshot FILE, --export PATH")
    if not order_path.is_file():
        raise UsageError(f"{order_path}: no such file")
    text = order_path.read_bytes().decode("utf-8", "replace")
    tz = _zone(zone)
    clock = _clock(now)
    moment = clock.now()
    try:
        own = parse_order(text).plattform
    except OrderParseError:
        own = None
    db = Database(":memory:")
    try:
        if seed is not None:
            seed_file(db, seed, moment=moment)
            target = plattform or own or ""
        else:
            snap = _snapshot(snapshot, export_path, plattform or own)
            seed_from_snapshot(db, snap, moment=moment, zone=tz)
            target = plattform or f"{snap.platform}-{snap.environment}"
        result = rehearse(db, text, user=user, platform=target, zone=tz, now=moment)
    finally:
        db.close()
    click.echo(result.answer.rstrip("\n"))
    click.echo("")
    click.echo("Rows changed:" if result.changes else "Rows changed: none")
    for change in result.changes:
        click.echo(change.text())
    click.echo(f"({'executed' if result.outcome.ok else 'refused'} on a copy of the TAK as {target})", err=True)
    return int(ExitCode.OK if result.outcome.ok else ExitCode.FAILURE)


def _snapshot(snapshot: Path | None, export_path: Path | None, plattform: str | None) -> Snapshot:
    if snapshot is not None:
        return read_snapshot(snapshot)
    assert export_path is not None
    platform, sep, environment = (plattform or "").partition("-")
    if not sep:
        raise UsageError("--export needs --order-platform PLATFORM-ENV (or an order whose plattform names it)")
    try:
        return read_source(export_path, platform=platform, environment=environment)
    except OSError as exc:
        raise SourceError(str(exc), path=str(export_path)) from exc
