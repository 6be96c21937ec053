"""`tak-gitops sim ...`: run the reference TAK (TAK-web orders, publishing, TAK-api v2) on 127.0.0.1."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.cli import cli
from tak_gitops.cli.common import aliased, deprecated_alias
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import TakGitopsError, UsageError
from tak_gitops.sim.clock import DEFAULT_ZONE, Clock, FixedClock, SystemClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.files import seed_file
from tak_gitops.sim.publish import PublishRefused, export, publish
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import FaultPlan, FaultRule, SimConfig, SimServer


def _pairs(values: tuple[str, ...], option: str, default: dict[str, str]) -> dict[str, str]:
    if not values:
        return default
    out = {}
    for value in values:
        name, sep, password = value.partition(":")
        if not sep or not name:
            raise UsageError(f"{option} {value!r}: expected name:password")
        out[name] = password
    return out


def _fault(spec: str) -> FaultRule:
    """``path=/coop/api/v2/cooperations,status=503,times=2`` (keys: path, status, delay, drop, times, method)."""
    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise UsageError(f"--fault {spec!r}: expected key=value pairs separated by commas")
        fields[key.strip()] = value.strip()
    unknown = sorted(set(fields) - {"path", "status", "delay", "drop", "times", "method"})
    if unknown or "path" not in fields:
        raise UsageError(f"--fault {spec!r}: needs path=...; allowed keys: path, status, delay, drop, times, method")
    try:
        times = fields.get("times", "1")
        return FaultRule(
            path=fields["path"],
            status=int(fields["status"]) if "status" in fields else None,
            delay=float(fields.get("delay", "0")),
            drop=fields.get("drop", "false").lower() in ("1", "true", "yes"),
            times=None if times in ("*", "all") else int(times),
            method=fields.get("method"),
        )
    except ValueError as exc:
        raise UsageError(f"--fault {spec!r}: {exc}") from exc


def _clock(now: str | None) -> Clock:
    if now is None:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(now)
    except ValueError as exc:
        raise UsageError(f"--now {now!r}: expected an ISO date-time such as 2025-05-20T10:00:00+02:00") from exc
    return FixedClock(moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_ZONE))


def _zone(name: str) -> tzinfo:
    """``--zone``: the TAK's time zone (TAK-web takes D in the JVM's zone), an IANA name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"--zone {name!r}: not a time zone name such as Europe/Stockholm or UTC") from exc


@cli.group("sim")
def sim_group() -> None:
    """The reference TAK: SQLite storage, TAK-web order execution and the TAK-api v2, on 127.0.0.1."""


@sim_group.command("serve")
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0: a free port).")
@click.option("--seed", "seed", type=click.Path(path_type=Path), help="Published-version JSON or saved snapshot.")
@click.option("--platform", default="NTJP", show_default=True, help="TAK-api connection point platform.")
@click.option("--environment", default="PROD", show_default=True, help="TAK-api connection point environment.")
@click.option(
    "--order-platform",
    "plattform",
    default="NTJP-PROD",
    show_default=True,
    callback=aliased("plattform"),
    help="The order platform TAK-web accepts (an order's `plattform`); --platform is the TAK-api's.",
)
@deprecated_alias("--plattform", "--order-platform", "plattform")
@click.option("--db", "db_path", default=":memory:", show_default=True, help="SQLite file of this TAK.")
@click.option("--user", "users", multiple=True, metavar="NAME:PASSWORD", help="TAK-web user (default admin:admin).")
@click.option("--api-user", "api_users", multiple=True, metavar="NAME:PASSWORD", help="TAK-api user (default api:api).")
@click.option("--now", help="Fix the clock at this ISO date-time (default: the wall clock).")
@click.option("--zone", default="Europe/Stockholm", show_default=True, help="The TAK's time zone (D's date).")
@click.option("--csrf", is_flag=True, help="Enforce TAK-web's CSRF tokens (tak.web.csrf.active, TAK-web's default).")
@click.option(
    "--fault", "faults", multiple=True, metavar="SPEC", help="e.g. path=/coop/api/v2/cooperations,status=503,times=2"
)
def serve(
    port: int,
    seed: Path | None,
    platform: str,
    environment: str,
    plattform: str,
    db_path: str,
    users: tuple[str, ...],
    api_users: tuple[str, ...],
    now: str | None,
    zone: str,
    csrf: bool,
    faults: tuple[str, ...],
) -> None:
    """Start the reference TAK, print its base URLs and serve until interrupted."""
    clock = _clock(now)
    config = SimConfig(
        plattform=plattform,
        platform=platform,
        environment=environment,
        users=_pairs(users, "--user", {"admin": "admin"}),
        api_users=_pairs(api_users, "--api-user", {"api": "api"}),
        clock=clock,
        zone=_zone(zone),
        csrf=csrf,
        faults=FaultPlan([_fault(spec) for spec in faults]),
    )
    db = Database(db_path)
    if seed is not None:
        if not db.is_empty():
            raise UsageError(f"--db {db_path} already holds a TAK; omit --seed or use a new --db")
        seed_file(db, seed, moment=clock.now())
    elif db.is_empty():  # an empty TAK still needs its RIV-TA profiles: orders cannot create them
        seed_from_snapshot(db, Snapshot.empty(platform, environment, source="empty"), moment=clock.now())
    try:
        server = SimServer(db, config, port=port)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    click.echo(f"TAK-web: {server.tak_web_url}")
    click.echo(f"TAK-api: {server.tak_api_url}")
    click.echo(f"plattform {plattform}, connection point {platform}/{environment}, database {db_path}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        db.close()


def _open(db_path: Path) -> Database:
    if not db_path.is_file():
        raise UsageError(f"--db {db_path}: no such file")
    return Database(db_path)


@sim_group.command("publish")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True, help="SQLite file of the TAK.")
@click.option("--user", default="admin", show_default=True, help="Publish the pending changes of this user.")
@click.option("--kommentar", help="Comment of the new published version.")
@click.option("--now", help="Fix the publication time (ISO date-time).")
def publish_cmd(db_path: Path, user: str, kommentar: str | None, now: str | None) -> None:
    """Publish a user's pending changes as a new published version and print its id."""
    db = _open(db_path)
    try:
        version = publish(db, user, clock=_clock(now), kommentar=kommentar)
    except PublishRefused as exc:
        raise TakGitopsError(str(exc)) from exc
    finally:
        db.close()
    click.echo(str(version))


@sim_group.command("export")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True, help="SQLite file of the TAK.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--version", "version", type=int, help="Published version (default: the latest).")
def export_cmd(db_path: Path, output: Path, version: int | None) -> None:
    """Write the published-version JSON (uncompressed) to a file."""
    db = _open(db_path)
    try:
        data = export(db, version)
    finally:
        db.close()
    if data is None:
        raise TakGitopsError("no such published version" if version is not None else "nothing has been published yet")
    write_bytes_atomic(output, data)


import tak_gitops.cli.sim_try  # noqa: E402, F401  (registers `sim try` on the group above)
