"""`tak-gitops trace`: how VP resolves one call (consumer, contract, logical address), step by step, now and
after a plan; without --address, every address the consumer can call for the contract."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from tak_gitops.adapters.desired_loader import find_root, load_config
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.cli import cli
from tak_gitops.cli.common import read_current, root_option
from tak_gitops.core.calls import CallState, HsaLookup
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.plan import apply_changes, read_plan_document
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.core.trace import render_trace_text, trace_addresses, trace_call
from tak_gitops.errors import ExitCode, PlanFileError, UsageError


def _read_plan(path: Path, env: str, snapshot: Snapshot) -> tuple[Any, dict[str, Any]]:
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: not valid JSON: {exc}") from None
    plan = read_plan_document(doc)
    if plan.environment != env:
        raise UsageError(f"{path} is a plan for {plan.environment}, not {env}")
    if plan.inputs.snapshot_digest != snapshot.digest:
        raise UsageError(
            f"{path} was made against snapshot {plan.inputs.snapshot_digest}, but the current TAK given is "
            f"{snapshot.digest}; give the snapshot the plan was made against, or make the plan again"
        )
    changes = plan.changes()
    return changes, {"file": path.name, "checksum": doc["checksum"], "changes": len(changes)}


@cli.command("trace")
@click.option("--env", "env", required=True, help="Environment from tak-gitops.yaml, e.g. NTJP-PROD.")
@click.option("--consumer", required=True, metavar="HSA-ID", help="The calling system (tjänstekonsument).")
@click.option("--contract", required=True, metavar="NAMESPACE", help="The service contract namespace.")
@click.option("--address", metavar="HSA-ID", help="The logical address called; omit it to list every address.")
@click.option(
    "--snapshot", "snapshot_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A snapshot file written by `tak-gitops fetch`.",
)
@click.option(
    "--export", "export_path", type=click.Path(exists=True, path_type=Path),
    help="A TAK export: a directory of saved TAK-api responses, a published version or a TAK dump.",
)
@click.option("--fetch", is_flag=True, help="Read the current TAK from the TAK-api now.")
@click.option(
    "--hsa", "hsa_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="HSA cache file (hsacache.xml); without it every address's parent is SE.",
)
@click.option(
    "--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A plan document (plan --out): also resolve the call after its orders are executed.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="What to print on standard output.",
)
@click.option("--allow-stale", is_flag=True, help="Accept a snapshot older than snapshot.max_age_hours.")
@root_option
def trace(
    env: str,
    consumer: str,
    contract: str,
    address: str | None,
    snapshot_path: Path | None,
    export_path: Path | None,
    fetch: bool,
    hsa_path: Path | None,
    plan_path: Path | None,
    fmt: str,
    allow_stale: bool,
    root: Path,
) -> int:
    """Show how VP resolves a call from CONSUMER to ADDRESS for CONTRACT: each address tried for the routing
    and for the authorization, the rows found, and the outcome (works, or VP004 / VP006 / VP007).

    Exit codes: 0 the call works (or, without --address, some address can be called), 3 it does not,
    1 invalid input, 2 usage error.
    """
    root = find_root(root)
    config, _registry = load_config(root)
    if env not in config.environments:
        known = ", ".join(sorted(config.environments)) or "none"
        raise UsageError(f"unknown environment {env!r}; tak-gitops.yaml defines: {known}")
    for label, value in (("--consumer", consumer), ("--address", address), ("--contract", contract)):
        if value is not None and not value.strip():
            raise UsageError(f"{label} must not be empty")
    snapshot = read_current(
        env=env, config=config, snapshot_path=snapshot_path, export_path=export_path, fetch=fetch,
        allow_stale=allow_stale,
    )
    tree: HsaTree | None = read_hsa_file(hsa_path) if hsa_path is not None else None
    lookup = HsaLookup.disabled_for(config.environments[env].hsa_lookup_disabled)
    before = CallState.from_snapshot(snapshot, tree, lookup)
    after = None
    plan_info = None
    if plan_path is not None:
        changes, plan_info = _read_plan(plan_path, env, snapshot)
        after = CallState.from_snapshot(apply_changes(snapshot, changes), tree, lookup)
    names_of_tree = tree.names if tree is not None else {}

    def name_of(hsa_id: str) -> str | None:
        return names_of_tree.get(hsa_id) or snapshot.logical_addresses.get(hsa_id) or snapshot.systems.get(hsa_id)

    hsa_info = (
        {"file": hsa_path.name if hsa_path else None, "digest": tree.digest, "units": len(tree.parents)}
        if tree is not None
        else None
    )
    contract = contract.strip()
    if address is None:
        doc = trace_addresses(
            env, before, after, consumer, contract, name_of=name_of, hsa=hsa_info, plan=plan_info
        )
        works = bool(doc["addresses"])
    else:
        doc = trace_call(
            env, before, after, consumer, contract, address, name_of=name_of, hsa=hsa_info, plan=plan_info
        )
        works = (doc["after"] if after is not None else doc["before"])["outcome"] == "works"
    if fmt == "json":
        sys.stdout.buffer.write(pretty_json(doc))
        sys.stdout.flush()
    else:
        click.echo(render_trace_text(doc), nl=False)
    return int(ExitCode.OK if works else ExitCode.CALL_FAILS)
