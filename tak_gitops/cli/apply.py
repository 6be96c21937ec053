"""`tak-gitops apply PLAN`: check the reviewed plan, build its BS JSON orders and (with --yes) submit them once.

Refusals, each with its own exit code: a plan edited after it was made (5), a plan whose desired state or
snapshot moved and whose re-plan differs (4), a plan a safety guard refused without the same
acknowledgement (3), another apply holding the environment lock (6).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import orjson

from tak_gitops.adapters.apply_runner import match_records, run_apply
from tak_gitops.adapters.desired_files import desired_digest
from tak_gitops.adapters.desired_loader import PlanFor, load_config, load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.ledger_store import DEFAULT_LOCK_TTL, LedgerStore
from tak_gitops.adapters.snapshot_file import read_snapshot as read_snapshot_file
from tak_gitops.adapters.submit import SubmitterFactory
from tak_gitops.cli import cli
from tak_gitops.cli.common import (
    acknowledgement_options,
    acknowledgements,
    hsa_option,
    root_option,
    snapshot_option,
    table,
)
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.ledger import pending as ledger_pending
from tak_gitops.core.orders import OrderMeta, build_orders, document_lines
from tak_gitops.core.plan import Acknowledgements, compute_checksum, make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import (
    ExitCode,
    PlanFileError,
    PlanRefused,
    StalePlanError,
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


# -- the checks --------------------------------------------------------------------------------------------


def _acknowledgements(acks: Acknowledgements) -> set[str]:
    """The acknowledgements given, spelled as a refusal's ``acknowledge`` spells them."""
    given: set[str] = {"--allow-empty-snapshot"} if acks.allow_empty_snapshot else set()
    given.update(f"--ack-removals {org}={count}" for org, count in acks.removals.items())
    given.update(f"--ack-cascade {hsa}" for hsa in acks.cascades)
    return given


def check_guards(plan: Mapping[str, Any], given: set[str]) -> list[str]:
    """Refuse a plan a guard refused unless every refusal's own acknowledgement is given; refuse plan errors."""
    problems: list[str] = []
    for error in plan.get("errors") or ():
        problems.append(f"{error.get('code', 'ERROR')}: {error.get('message', '')} (cannot be acknowledged)")
    missing: list[str] = []
    for refusal in plan.get("refusals") or ():
        needed = str(refusal.get("acknowledge") or "").strip()
        flag, _, value = needed.partition(" ")
        normal = f"{flag} {value.strip().upper()}" if flag == "--ack-cascade" else needed
        if not needed or normal not in given:
            missing.append(needed)
            problems.append(
                f"{refusal.get('guard', 'guard')} ({refusal.get('org', '?')}): {refusal.get('message', '')}"
                + (f" - acknowledge with {needed}" if needed else "")
            )
    if plan.get("status") == "refused" and not problems and not plan.get("refusals"):
        problems.append("the plan's status is refused")
    if problems:
        err = PlanRefused(problems)
        err.exit_code = ExitCode.GUARD
        raise err
    return [str(r.get("acknowledge")) for r in plan.get("refusals") or ()]


def current_desired_digest(root: Path, config: ProjectConfig, env: str) -> str:
    """The digest of today's desired files for ``env``, as a plan records it (L2: pin the desired state)."""
    return desired_digest(root, config, env)


def replan(
    root: Path,
    config: ProjectConfig,
    env: str,
    snapshot: Snapshot,
    *,
    plan: Mapping[str, Any],
    acks: Mapping[str, Any],
    hsa_path: Path | None,
) -> dict[str, Any]:
    """Plan again, as ``tak-gitops plan`` does, from today's desired files, ``snapshot``, the HSA file, the
    same acknowledgements and the ledger's pending orders (except those of this plan)."""
    orgs = plan.get("organisations")
    planning = tuple(str(o) for o in orgs) if isinstance(orgs, list) else ()
    # read as `plan` did: the planning organisations' folders and those that mention their systems or addresses
    state = load_desired_or_raise(root, plan_for=PlanFor(env, planning, snapshot) if planning else None).state
    # orders of this very plan already handed over are not "pending" for the comparison: the reviewed plan
    # was made before them, and subtracting them would make a resumed apply look stale
    checksum = plan.get("checksum")
    records = LedgerStore(root, env, config.ledger_dir).records()
    pending = ledger_pending(r for r in records if r.plan_checksum != checksum)
    hsa = read_hsa_file(hsa_path) if hsa_path is not None else None
    result = make_plan(
        state,
        snapshot,
        env=env,
        config=config,
        orgs=list(planning) if isinstance(orgs, list) else None,
        hsa=hsa,
        pending=pending,
        acks=Acknowledgements(
            cascades=frozenset(acks["cascades"]),
            removals=dict(acks["removals"]),
            allow_empty_snapshot=bool(acks.get("allow_empty_snapshot")),
        ),
    )
    document: dict[str, Any] = result.to_document()
    return document


def change_line(change: Mapping[str, Any]) -> str:
    """One plan change as one line, e.g. ``change-routing <address> <contract> -> <producer> <url> <profile>``."""
    action = str(change.get("action"))
    if action in ("add-logical-address", "add-system"):
        return f"{action} {change.get('hsa_id')} ({change.get('description')})"
    if action == "add-contract":
        return f"{action} {change.get('namespace')}"
    if action in ("add-authorization", "remove-authorization"):
        return f"{action} {change.get('consumer')} on {change.get('address')} {change.get('contract')}"
    line = f"{action} {change.get('address')} {change.get('contract')}"
    after = change.get("after")
    if isinstance(after, Mapping):
        line += f" -> {after.get('producer')} {after.get('url')} {after.get('profile')}"
    return line


def _change_lines(plan: Mapping[str, Any]) -> set[str]:
    return {change_line(c) for order in plan.get("orders") or () for c in order.get("changes") or ()}


def describe_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What a re-plan changed: ``+`` changes only the new plan has, ``-`` changes only the reviewed one has."""
    before, after = _change_lines(old), _change_lines(new)
    lines = [f"  + {c}" for c in sorted(after - before)] + [f"  - {c}" for c in sorted(before - after)]
    return lines or ["  (the same changes, grouped into orders or waves differently)"]


def check_fresh(
    plan: Mapping[str, Any],
    root: Path,
    config: ProjectConfig,
    env: str,
    snapshot_path: Path | None,
    *,
    acks: Mapping[str, Any] | None = None,
    hsa_path: Path | None = None,
) -> list[str]:
    """Refuse a stale plan (L2a, L2b). Returns notes for the user."""
    inputs = plan.get("inputs") or {}
    notes: list[str] = []
    now_digest = current_desired_digest(root, config, env)
    if inputs.get("desired_digest") != now_digest:
        raise StalePlanError(
            f"the desired state of {env} changed since the plan was made (plan {inputs.get('desired_digest')}, "
            f"now {now_digest}); run `tak-gitops plan` again and review the new plan"
        )
    if snapshot_path is None:
        notes.append("snapshot not checked (give --snapshot with the current snapshot to check it)")
        return notes
    snapshot = read_snapshot(snapshot_path)
    if snapshot.digest == inputs.get("snapshot_digest"):
        return notes
    fresh = replan(
        root, config, env, snapshot, plan=plan, acks=acks or {"cascades": (), "removals": {}}, hsa_path=hsa_path
    )
    if fresh.get("orders") != plan.get("orders"):
        raise StalePlanError(
            f"the TAK moved since the plan was made (snapshot {inputs.get('snapshot_digest')} -> {snapshot.digest}, "
            f"{snapshot.snapshot_time or 'no time'}) and re-planning gives a different plan:\n"
            + "\n".join(describe_difference(plan, fresh))
            + "\nrun `tak-gitops plan` again and review the new plan"
        )
    notes.append(f"the TAK moved (snapshot {snapshot.digest[:19]}) but re-planning gives the same orders")
    return notes


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
@hsa_option
@acknowledgement_options
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
    hsa_path: Path | None,
    ack_cascade: tuple[str, ...],
    ack_removals: tuple[str, ...],
    allow_empty_snapshot: bool,
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
    config = load_project(root)
    plan = read_plan(plan_path)
    env = str(plan.get("environment") or "")
    if env not in config.environments:
        raise UsageError(f"{plan_path}: environment {env!r} is not in {root / CONFIG_FILE}")
    env_config = config.environments[env]
    given = acknowledgements(ack_cascade, ack_removals, allow_empty_snapshot)
    acks = check_guards(plan, _acknowledgements(given))
    ack_map = {
        "cascades": tuple(h.strip().upper() for h in ack_cascade),
        "removals": dict(given.removals),
        "allow_empty_snapshot": allow_empty_snapshot,
    }
    for note in check_fresh(plan, root, config, env, snapshot_path, acks=ack_map, hsa_path=hsa_path):
        click.echo(f"note: {note}", err=True)
    meta = OrderMeta(pr_url=pr_url, commit=commit)
    built = build_orders(plan, config.orders, env_config, now=dt.datetime.now(dt.UTC), meta=meta)
    checksum = str(plan["checksum"])
    store = LedgerStore(root, env, config.ledger_dir)
    if acks:
        click.echo("acknowledged: " + ", ".join(acks))
    if not built:
        click.echo(f"{env}: the plan has no orders; nothing to do")
        return
    if not yes:
        _dry_run(store, built, checksum, env_config.submit.kind, env)
        return
    existing = match_records(store, built, checksum)
    if all(r is not None and r.state not in ("planned", "submitting") for r in existing.values()):
        for order in built:
            record = existing[order.order_id]
            assert record is not None
            click.echo(f"{record.order_id}: already {record.state}")
        click.echo(f"{env}: every order of this plan is already in the ledger; nothing to send")
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
