"""`tak-gitops site`: the integration map as a static site, desired against current, for one or more environments.

Reads the desired state, each environment's current TAK (a snapshot, an export or the TAK-api), the ledger,
optionally the HSA file and the latest plan of each environment, and writes a folder of HTML pages that works
offline (from the file system or any static host).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import orjson

from tak_gitops.adapters.desired_loader import find_root, load_config, load_desired
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.site_writer import EnvSite, write_site
from tak_gitops.cli import cli
from tak_gitops.cli.common import read_current
from tak_gitops.core.ledger import pending
from tak_gitops.core.site.view import build_view
from tak_gitops.errors import DesiredStateError, UsageError

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _read_plan(path: Path) -> dict[str, object]:
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"--plan {path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != "tak-gitops-plan" or not isinstance(doc.get("orders"), list):
        raise UsageError(f"--plan {path}: not a tak-gitops plan document (written by `tak-gitops plan --out`)")
    return doc


def _parse_now(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now {value!r}: give an ISO-8601 time, e.g. 2026-11-20T08:00:00+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@cli.command("site")
@click.option("--env", "envs", required=True, multiple=True, help="Environment from tak-gitops.yaml (repeatable).")
@click.option(
    "--snapshot", "snapshots", multiple=True, type=_EXISTING_FILE, help="A snapshot file, one per --env, in order."
)
@click.option(
    "--export",
    "exports",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A TAK export, one per --env, in order.",
)
@click.option("--fetch", is_flag=True, help="Read every environment's TAK from the TAK-api now.")
@click.option(
    "--hsa", "hsa_path", type=_EXISTING_FILE, help="HSA cache file (hsacache.xml): the HSA tree on the pages."
)
@click.option(
    "--plan",
    "plans",
    multiple=True,
    type=_EXISTING_FILE,
    help="A plan document (`plan --out`); it goes to the environment it names (repeatable).",
)
@click.option(
    "-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="The site folder."
)
@click.option("--allow-stale", is_flag=True, help="Accept a snapshot older than snapshot.max_age_hours.")
@click.option("--now", "now_text", metavar="TIME", help="The time orders' ages are counted to [default: now].")
@click.option(
    "--root",
    "--repo",
    "repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The desired-state repository (holding tak-gitops.yaml).",
)
def site(
    envs: tuple[str, ...],
    snapshots: tuple[Path, ...],
    exports: tuple[Path, ...],
    fetch: bool,
    hsa_path: Path | None,
    plans: tuple[Path, ...],
    out: Path,
    allow_stale: bool,
    now_text: str | None,
    repo: Path,
) -> None:
    """Write the integration map of every --env (desired against current) as a static site in the -o folder."""
    root = find_root(repo)
    config, _registry = load_config(root)
    unknown = [e for e in envs if e not in config.environments]
    if unknown:
        known = ", ".join(sorted(config.environments)) or "none"
        raise UsageError(f"unknown environment {', '.join(unknown)}; tak-gitops.yaml defines: {known}")
    if len(set(envs)) != len(envs):
        raise UsageError("--env: each environment once")
    kinds = [k for k, given in (("--snapshot", snapshots), ("--export", exports), ("--fetch", fetch)) if given]
    if len(kinds) != 1:
        raise UsageError("give one of --snapshot FILE, --export PATH (one per --env, in order) or --fetch")
    sources = snapshots or exports
    if not fetch and len(sources) != len(envs):
        raise UsageError(f"{kinds[0]}: give one per --env ({len(envs)}), in the order of --env; got {len(sources)}")
    now = _parse_now(now_text)
    by_env: dict[str, dict[str, object]] = {}
    for path in plans:
        doc = _read_plan(path)
        target = str(doc.get("environment"))
        if target not in envs:
            raise UsageError(f"--plan {path} is a plan for {target}, which is not one of --env {', '.join(envs)}")
        if target in by_env:
            raise UsageError(f"--plan: two plans for {target}")
        by_env[target] = doc
    loaded = load_desired(root)
    if not loaded.ok:
        raise DesiredStateError(loaded.diagnostics)
    tree = read_hsa_file(hsa_path) if hsa_path is not None else None
    sites = []
    for i, env in enumerate(envs):
        snapshot = read_current(
            env=env,
            config=config,
            snapshot_path=snapshots[i] if snapshots else None,
            export_path=exports[i] if exports else None,
            fetch=fetch,
            allow_stale=allow_stale,
        )
        records = LedgerStore(root, env, config.ledger_dir).records()
        view = build_view(
            env=env,
            desired=loaded.state,
            snapshot=snapshot,
            ledger=records,
            pending=pending(records),
            tree=tree,
            hsa_lookup_disabled=config.environments[env].hsa_lookup_disabled,
        )
        sites.append(EnvSite(view, by_env.get(env)))
    stats = write_site(out, sites, now)
    click.echo(
        f"wrote {stats.pages} pages ({stats.total_bytes / 1e6:.1f} MB) to {out}; "
        f"largest {stats.largest_page} ({stats.largest_bytes / 1e3:.0f} kB)"
    )
