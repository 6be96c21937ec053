"""`tak-gitops apply PLAN`: check the reviewed plan, build its BS JSON orders and (with --yes) submit them once.

Given the current TAK (``--snapshot``, ``--export`` or ``--fetch``, checked as ``plan`` checks it; ``--yes``
without one is a usage error, 2), apply plans again from the desired files, the HSA file and the ledger, and
sends only when the re-plan's whole reviewed content (orders, refusals, errors, cascades with their
acknowledgements, manual steps, ...) equals the plan's.
Refusals, each with its own exit code: a plan edited after it was made (5), a plan whose desired state moved or
whose re-plan differs (4), a plan a guard refused or made with acknowledgement flags (3: never applied; the
acknowledgements belong in the desired files), another apply holding the environment lock (6).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path
from typing import Any

import click
import orjson

from tak_gitops.adapters.apply_runner import match_records, run_apply
from tak_gitops.adapters.desired_loader import load_config
from tak_gitops.adapters.ledger_store import DEFAULT_LOCK_TTL, LedgerStore
from tak_gitops.adapters.snapshot_file import read_snapshot as read_snapshot_file
from tak_gitops.adapters.submit import SubmitterFactory
from tak_gitops.cli import cli
from tak_gitops.cli.apply_checks import check_fresh, check_guards
from tak_gitops.cli.common import (
    allow_stale_option,
    export_option,
    fetch_option,
    hsa_option,
    read_current,
    root_option,
    snapshot_option,
    table,
)
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.orders import OrderMeta, build_orders, document_lines
from tak_gitops.core.plan import compute_checksum
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import (
    PlanFileError,
    SubmitError,
    TamperedPlanError,
    UsageError,
)

PLAN_FORMAT = "tak-gitops-plan"
PLAN_MAJOR = "1"
CONFIG_FILE = "tak-gitops.yaml"


# -- reading inputs ----------------------------------------------------------------------------------------


def load_project(root: Path) -> ProjectConfig:
    """``<root>/tak-gitops.yaml`` (and the ownership registry it names), checked."""
    config, _ownership = load_config(root)
    return config


def read_snapshot(path: Path) -> Snapshot:
    """A snapshot file written by ``tak-gitops fetch`` (format and digest checked)."""
    return read_snapshot_file(path)


def read_plan(path: Path) -> dict[str, Any]:
    """Read ``plan.json`` and check its format and checksum (L2c: never trust the stored digest)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(f"{path}: not found") from None
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        plan: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"{path}: not a tak-gitops plan (format must be {PLAN_FORMAT!r})")
    version = str(plan.get("format_version", ""))
    if version.split(".")[0] != PLAN_MAJOR:
        raise PlanFileError(f"{path}: plan format_version {version!r} is not supported (this apply reads 1.x)")
    recorded = plan.get("checksum")
    actual = compute_checksum(plan)
    if recorded != actual:
        raise TamperedPlanError(
            f"{path}: the plan was changed after it was made: it records checksum {recorded} but its content "
            f"hashes to {actual}. Apply only the plan that was reviewed; run `tak-gitops plan` again."
        )
    return plan


# -- the command -------------------------------------------------------------------------------------------


def _owner(lock_owner: str | None, pr_url: str | None) -> str:
    if lock_owner:
        return lock_owner
    user = os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "unknown"
    return f"{user}@{socket.gethostname()}" + (f" for {pr_url}" if pr_url else "")


@cli.command("apply")
@click.argument("plan_path", metavar="PLAN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Act: record and submit the orders (default: dry run).")
@snapshot_option
@export_option
@fetch_option
@allow_stale_option
@hsa_option
@click.option("--pr", "pr_url", metavar="URL", help="The pull request (written into kommentar and the ledger).")
@click.option("--commit", metavar="SHA", help="The desired-state commit (written into kommentar and the ledger).")
@click.option("--lock-owner", metavar="NAME", help="Who holds the environment lock (default user@host).")
@click.option(
    "--lock-ttl",
    type=click.IntRange(1, 24 * 60),
    default=int(DEFAULT_LOCK_TTL.total_seconds() // 60),
    show_default=True,
    help="Minutes until an abandoned lock counts as stale.",
)
@click.option(
    "--pause",
    type=click.FloatRange(0, 3600),
    default=0.0,
    show_default=True,
    help="Seconds to wait between two orders (throttle a busy TAK-web).",
)
@root_option
def apply_command(
    plan_path: Path,
    yes: bool,
    snapshot_path: Path | None,
    export_path: Path | None,
    fetch: bool,
    allow_stale: bool,
    hsa_path: Path | None,
    pr_url: str | None,
    commit: str | None,
    lock_owner: str | None,
    lock_ttl: int,
    pause: float,
    root: Path,
) -> None:
    """Create the BS JSON orders of a reviewed PLAN; with --yes record them in orders/<ENV>/ and submit them.

    Exit codes: 0 done, 1 error or an order not submitted, 3 guard refusal, 4 stale plan, 5 tampered plan,
    6 environment locked.
    """
    if yes and snapshot_path is None and export_path is None and not fetch:
        raise UsageError(
            "apply --yes needs the current TAK to re-plan against: give --snapshot FILE, --export FILE or --fetch "
            "(without --yes a dry run shows the orders without re-planning)"
        )
    config = load_project(root)
    plan = read_plan(plan_path)
    env = str(plan.get("environment") or "")
    if env not in config.environments:
        raise UsageError(f"{plan_path}: environment {env!r} is not in {root / CONFIG_FILE}")
    env_config = config.environments[env]
    check_guards(plan)
    meta = OrderMeta(pr_url=pr_url, commit=commit)
    built = build_orders(plan, config.orders, env_config, now=dt.datetime.now(dt.UTC), meta=meta)
    checksum = str(plan["checksum"])
    store = LedgerStore(root, env, config.ledger_dir)
    if not built:
        click.echo(f"{env}: the plan has no orders; nothing to do")
        return
    existing = match_records(store, built, checksum)
    if yes and all(r is not None and r.state not in ("planned", "submitting") for r in existing.values()):
        # every order of this plan was handed over already: nothing is sent, so nothing needs re-planning
        for order in built:
            record = existing[order.order_id]
            assert record is not None
            click.echo(f"{record.order_id}: already {record.state}")
        click.echo(f"{env}: every order of this plan is already in the ledger; nothing to send")
        return
    snapshot = None
    if snapshot_path is not None or export_path is not None or fetch:
        snapshot = read_current(
            env=env, config=config, snapshot_path=snapshot_path, export_path=export_path, fetch=fetch,
            allow_stale=allow_stale, root=root,
        )
    for note in check_fresh(plan, root, config, env, snapshot, hsa_path=hsa_path):
        click.echo(f"note: {note}", err=True)
    if not yes:
        _dry_run(store, built, checksum, env_config.submit.kind, env)
        return
    factory = SubmitterFactory(base_dir=root)
    submitter = factory.make(env_config.submit, env)
    now = dt.datetime.now(dt.UTC)
    lock = store.acquire(_owner(lock_owner, pr_url), now=now, ttl=dt.timedelta(minutes=lock_ttl))
    with lock.held():
        submitter.open()
        try:
            report = run_apply(
                store,
                built,
                submitter,
                plan_checksum=checksum,
                pr_url=pr_url,
                commit=commit,
                clock=lambda: dt.datetime.now(dt.UTC),
                lock=lock,
                pause_seconds=pause,
                echo=click.echo,
            )
        finally:
            submitter.close()
    click.echo("")
    rows = [(r.order_id, r.wave, r.state, r.action, r.detail) for r in report.results]
    for line in table(("order", "wave", "state", "this run", "detail"), rows, right=(1,)):
        click.echo(line)
    sent = len(report.sent)
    click.echo(
        f"\n{env}: {sent} order(s) submitted now, {len(report.results) - sent} not sent in this run; "
        f"ledger {store.directory}"
    )
    if report.failed:
        stop = next(r for r in report.failed if r.action == "stopped")
        raise SubmitError(
            f"order {stop.order_id} ended {stop.state}: {stop.detail}. "
            f"{sum(1 for r in report.failed if r.action == 'not-reached')} later order(s) were not sent; "
            + _NEXT_STEP.get(stop.state, "re-run apply to continue")
        )


_NEXT_STEP = {
    "planned": "nothing was accepted: re-run apply to send it and the rest",
    "rejected": "it is not sent again with this plan: fix the cause and plan again (re-running this plan sends "
    "only the orders after it)",
    "unknown": "re-run apply to send the rest; `tak-gitops orders reconcile` settles the order in doubt",
}


def _dry_run(store: LedgerStore, built: list[Any], checksum: str, kind: str, env: str) -> None:
    existing = match_records(store, built, checksum)
    click.echo(f"dry run for {env}: {len(built)} order(s); nothing is written. Add --yes to submit with '{kind}'.")
    for order in built:
        record = existing[order.order_id]
        lines = document_lines(order.document)
        if record is None:
            status = "new"
        elif record.state == "planned":
            status = f"recorded ({record.order_id}), will be sent"
        elif record.state == "submitting":
            status = f"interrupted while sending ({record.order_id}); becomes unknown unless the submitter may resend"
        else:
            status = f"already {record.state} ({record.order_id}); not sent again"
        click.echo(f"\n# order {order.order_id}  wave {order.wave}  {order.org} {order.kind} {order.system}")
        click.echo(f"# {len(lines)} routing/authorization line(s); key {order.idempotency_key}; {status}")
        click.echo(orjson.dumps(order.document, option=orjson.OPT_INDENT_2).decode("utf-8"))
