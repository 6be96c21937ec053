"""What `apply` checks before it sends: the guards a plan carries, and the re-plan against the current TAK
compared with the whole reviewed content."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tak_gitops.adapters.desired_files import desired_digest
from tak_gitops.adapters.desired_loader import PlanFor, load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.ledger import pending as ledger_pending
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import ExitCode, PlanRefused, StalePlanError


def check_guards(plan: Mapping[str, Any]) -> None:
    """Refuse a plan with errors, a plan a guard refused and a plan made with acknowledgement flags: a refused plan
    is never applied, and only acknowledgements in the desired files (``acknowledge:``) were reviewed."""
    problems: list[str] = []
    flags = (plan.get("inputs") or {}).get("acknowledged_by_flags")
    if flags:
        problems.append(
            "the plan was made with acknowledgement flags (" + ", ".join(map(str, flags)) + "): a preview, never "
            "applied; write the acknowledgements as acknowledge: in the desired files, plan again and have it reviewed"
        )
    for error in plan.get("errors") or ():
        problems.append(f"{error.get('code', 'ERROR')}: {error.get('message', '')} (cannot be acknowledged)")
    for refusal in plan.get("refusals") or ():
        needed = str(refusal.get("acknowledge") or "").strip()
        problems.append(
            f"{refusal.get('guard', 'guard')} ({refusal.get('org', '?')}): {refusal.get('message', '')}"
            + (f" - acknowledge it in the desired files ({needed} previews that), plan again" if needed else "")
        )
    if plan.get("status") == "refused" and not problems:
        problems.append("the plan's status is refused")
    if problems:
        err = PlanRefused(problems)
        err.exit_code = ExitCode.GUARD
        raise err


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
    hsa_path: Path | None,
) -> dict[str, Any]:
    """Plan again, as ``tak-gitops plan`` does, from today's desired files (with the acknowledgements they hold),
    ``snapshot``, the HSA file and the ledger's pending orders (except those of this plan)."""
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


NOT_REVIEWED = ("checksum", "inputs")
"""Every key of a plan is reviewed content but its checksum and its inputs (the inputs' digests are compared
apart; the snapshot a re-plan reads may be newer than the plan's and still give the same plan)."""


def reviewed_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The reviewed parts in which a re-plan differs from the plan, each with what differs."""
    lines: list[str] = []
    for key in sorted((set(old) | set(new)) - set(NOT_REVIEWED)):
        if old.get(key) != new.get(key):
            detail = describe_difference(old, new) if key == "orders" else []
            lines.append(f"  {key} differ" + ("" if not detail else ":"))
            lines.extend(f"  {line}" for line in detail)
    before, after = old.get("inputs") or {}, new.get("inputs") or {}
    for key in ("desired_digest", "hsa_digest", "pending_digest"):
        if before.get(key) != after.get(key):
            lines.append(f"  inputs.{key}: plan {before.get(key)}, now {after.get(key)}")
    return lines


def check_fresh(
    plan: Mapping[str, Any],
    root: Path,
    config: ProjectConfig,
    env: str,
    snapshot: Snapshot | None,
    *,
    hsa_path: Path | None = None,
) -> list[str]:
    """Refuse a stale plan: the desired files moved, or the re-plan against ``snapshot`` differs in anything
    reviewed. Returns notes for the user."""
    inputs = plan.get("inputs") or {}
    notes: list[str] = []
    now_digest = current_desired_digest(root, config, env)
    if inputs.get("desired_digest") != now_digest:
        raise StalePlanError(
            f"the desired state of {env} changed since the plan was made (plan {inputs.get('desired_digest')}, "
            f"now {now_digest}); run `tak-gitops plan` again and review the new plan"
        )
    if snapshot is None:
        notes.append("the current TAK not read: nothing re-planned (give --snapshot, --export or --fetch)")
        return notes
    fresh = replan(root, config, env, snapshot, plan=plan, hsa_path=hsa_path)
    differences = reviewed_differences(plan, fresh)
    if differences:
        moved = snapshot.digest != inputs.get("snapshot_digest")
        raise StalePlanError(
            f"re-planning against the current TAK (snapshot {snapshot.digest}, {snapshot.snapshot_time or 'no time'}"
            + (", which moved since the plan was made" if moved else ", the one the plan was made against")
            + ") does not give the reviewed plan:\n" + "\n".join(differences)
            + "\nrun `tak-gitops plan` again and review the new plan"
        )
    notes.append(f"re-planned against the current TAK (snapshot {snapshot.digest[:19]}): the reviewed plan")
    return notes
