"""`tak-gitops plan`: diff the desired state of one environment against the current TAK and show the plan.

Exit codes: 0 no changes, 2 changes planned, 1 refused (a safety guard or an error in the plan) or invalid
input. The plan document (``--out``) is written in every case, refused plans included, so that CI can post it.
"""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.desired_loader import PlanFor, find_root, load_config, load_desired
from tak_gitops.adapters.hsa_cache import read_hsa_file_cached
from tak_gitops.adapters.ledger_store import pending_orders
from tak_gitops.adapters.render import Footer, render_markdown
from tak_gitops.cli import cli
from tak_gitops.cli.common import (
    acknowledgement_flags,
    acknowledgement_options,
    acknowledgements,
    allow_stale_option,
    color_option,
    emit_plan,
    export_option,
    fetch_option,
    format_option,
    hsa_option,
    read_current,
    root_option,
    snapshot_option,
)
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.comment import labels_for_plan, sticky_parts
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.pending import PendingOrder
from tak_gitops.core.plan import compute_checksum, make_plan
from tak_gitops.errors import DesiredStateError, ExitCode, UsageError


def _pending(root: Path, env: str, config: ProjectConfig) -> tuple[PendingOrder, ...]:
    """Pending orders from the ledger (orders/<ENV>/*.json)."""
    return tuple(pending_orders(root, env, config.ledger_dir))


@cli.command("plan")
@click.option("--env", "env", required=True, help="Environment from tak-gitops.yaml, e.g. NTJP-PROD.")
@snapshot_option
@export_option
@fetch_option
@hsa_option
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="ORG",
    help="Plan only this organisation (repeatable) [default: every organisation with a file for ENV].",
)
@format_option
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the plan document (JSON) here, atomically.",
)
@click.option(
    "--markdown-parts",
    "parts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the markdown split into comments under --comment-limit: DIR/plan-ENV-1.md, ...",
)
@click.option(
    "--comment-limit",
    type=click.IntRange(min=2000),
    default=60000,
    show_default=True,
    help="Characters per comment for --markdown-parts.",
)
@acknowledgement_options
@allow_stale_option
@color_option
@root_option
def plan(
    env: str,
    snapshot_path: Path | None,
    export_path: Path | None,
    fetch: bool,
    hsa_path: Path | None,
    orgs: tuple[str, ...],
    fmt: str,
    out: Path | None,
    parts_dir: Path | None,
    comment_limit: int,
    ack_cascade: tuple[str, ...],
    ack_removals: tuple[str, ...],
    allow_empty_snapshot: bool,
    allow_stale: bool,
    color: bool | None,
    root: Path,
) -> int:
    """Plan ENV: what orders would bring the TAK to the desired state, in waves, with checks.

    Exit codes: 0 no changes, 2 changes planned, 1 refused (guard or error) or invalid input (usage errors too:
    `main` maps them to 1 for this command).
    """
    root = find_root(root)
    config, registry = load_config(root)
    if env not in config.environments:
        known = ", ".join(sorted(config.environments)) or "none"
        raise UsageError(f"unknown environment {env!r}; tak-gitops.yaml defines: {known}")
    unknown = sorted(set(orgs) - set(registry.organisations))
    if unknown:
        raise UsageError(f"--org {', '.join(unknown)}: not an organisation of the ownership registry")
    snapshot = read_current(
        env=env,
        config=config,
        snapshot_path=snapshot_path,
        export_path=export_path,
        fetch=fetch,
        allow_stale=allow_stale,
        root=root,
        cached=True,
    )
    # a plan for some organisations reads their folders and those that name their systems or addresses
    loaded = load_desired(root, plan_for=PlanFor(env, orgs, snapshot) if orgs else None, configured=(config, registry))
    if not loaded.ok:
        raise DesiredStateError(loaded.diagnostics)
    hsa = read_hsa_file_cached(hsa_path, root) if hsa_path is not None else None
    acks = acknowledgements(ack_cascade, ack_removals, allow_empty_snapshot)
    flags = acknowledgement_flags(acks)
    result = make_plan(
        loaded.state,
        snapshot,
        env=env,
        config=config,
        orgs=list(orgs) or None,
        hsa=hsa,
        pending=_pending(root, env, config),
        acks=acks,
    )
    doc = result.to_document()
    if flags:
        # a preview: what the plan would be with these acknowledgements; apply refuses such a plan, since
        # only acknowledgements in the desired files (acknowledge:) are in the diff people review
        doc["inputs"]["acknowledged_by_flags"] = flags
        doc["checksum"] = compute_checksum(doc)
        click.echo(
            "note: acknowledgement flags make this plan a preview that apply refuses; write them as acknowledge: "
            "in the desired files to have them reviewed",
            err=True,
        )
    if out is not None:
        write_bytes_atomic(out, pretty_json(doc))
    if parts_dir is not None:
        parts_dir.mkdir(parents=True, exist_ok=True)
        markdown = render_markdown(doc, footer=Footer.from_environment())
        parts = sticky_parts(env, markdown, labels_for_plan(doc), limit=comment_limit)
        for i, part in enumerate(parts, start=1):
            write_bytes_atomic(parts_dir / f"plan-{env}-{i}.md", part.encode("utf-8"))
    emit_plan(doc, fmt, color)
    if doc["status"] == "refused":
        return int(ExitCode.FAILURE)
    return int(ExitCode.CHANGES if doc["status"] == "changes" else ExitCode.OK)
