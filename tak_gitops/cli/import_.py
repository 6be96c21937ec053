"""`tak-gitops import`: write an organisation's desired YAML from today's TAK, so its first plan is empty."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters import sources
from tak_gitops.adapters.desired_loader import find_root, load_config, load_desired_or_raise
from tak_gitops.adapters.yaml_writer import load_roundtrip, write_import
from tak_gitops.cli import cli
from tak_gitops.cli.common import aliased, deprecated_alias, read_current, root_option
from tak_gitops.core.desired import EnvironmentState
from tak_gitops.core.importer import (
    DEFAULT_INLINE_LIMIT,
    DEFAULT_TABLE_LIMIT,
    ImportRows,
    build_import,
    missing_rows,
    rows_by_owner,
)
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import UsageError


@cli.command("import")
@click.option("--env", "env", required=True, help="Environment to import, e.g. NTJP-PROD.")
@click.option("--org", "orgs", multiple=True,
              help="Organisation key in ownership.yaml (its desired/ folder); repeat it for several.")
@click.option("--all", "all_orgs", is_flag=True, help="Import every organisation of ownership.yaml.")
@click.option("--snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A snapshot written by `tak-gitops fetch`.")
@click.option("--export", type=click.Path(exists=True, path_type=Path),
              help="An export: a directory of saved TAK-api responses or a published-version file.")
@click.option("--export-format", "fmt", type=click.Choice(["auto", *sources.FORMATS]), default="auto",
              show_default=True, callback=aliased("fmt"), help="Format of --export.")
@deprecated_alias("--format", "--export-format", "fmt")
@click.option("--fetch", is_flag=True, help="Read the current TAK from the TAK-api now.")
@click.option("--allow-stale", is_flag=True, help="Accept a snapshot older than snapshot.max_age_hours.")
@click.option("--merge", is_flag=True, help="Add what is missing to existing files, keeping their order and comments.")
@click.option("--inline-limit", type=click.IntRange(min=0), default=DEFAULT_INLINE_LIMIT, show_default=True,
              help="Address lists longer than this become CSV address sets.")
@click.option("--table-limit", type=click.IntRange(min=0), default=DEFAULT_TABLE_LIMIT, show_default=True,
              help="A producer or consumer with more rows than this gets a CSV routing or authorization table "
              "(not with --merge).")
@root_option
def import_(
    env: str,
    orgs: tuple[str, ...],
    all_orgs: bool,
    snapshot: Path | None,
    export: Path | None,
    fmt: str,
    fetch: bool,
    allow_stale: bool,
    merge: bool,
    inline_limit: int,
    table_limit: int,
    root: Path,
) -> None:
    """Write desired/ORG/ENV.yaml (and organisation.yaml, address sets, tables) from the current TAK.

    Only rows in ORG's scope are written: routings whose producer and authorizations whose consumer ORG owns in
    ownership.yaml. Without --merge the command refuses to overwrite existing files. Several organisations
    (--org repeated, or --all) are imported in one run from one read of the TAK.
    """
    root = find_root(root)
    config, ownership = load_config(root)
    if env not in config.environments:
        known_envs = ", ".join(sorted(config.environments))
        raise UsageError(f"unknown environment {env!r}; tak-gitops.yaml defines: {known_envs}")
    if all_orgs == bool(orgs):
        raise UsageError("name the organisations to import with --org ORG (repeatable), or give --all")
    chosen = sorted(ownership.organisations) if all_orgs else sorted(set(orgs))
    for org in chosen:
        if org not in ownership.organisations:
            known = ", ".join(sorted(ownership.organisations)) or "none"
            raise UsageError(f"unknown organisation {org!r}; ownership.yaml lists: {known}")
    desired_dir = root / config.desired_dir
    if not merge:
        existing = [desired_dir / org / f"{env}.yaml" for org in chosen if (desired_dir / org / f"{env}.yaml").exists()]
        if existing:
            raise UsageError(f"{existing[0]} exists; use --merge to add what is missing to it")
    current = read_current(
        env=env,
        config=config,
        snapshot_path=snapshot,
        export_path=export,
        fetch=fetch,
        allow_stale=allow_stale,
        export_format=None if fmt == "auto" else fmt,
    )
    loaded = None
    if merge and any((desired_dir / org).is_dir() for org in chosen):
        loaded = load_desired_or_raise(root)
    scopes = rows_by_owner(
        current, {s.upper(): org for org in chosen for s in ownership.organisations[org].systems}
    )
    for org in chosen:
        _import_one(
            root, env, org, current, scopes[org], loaded.state.environments.get(env) if loaded is not None else None,
            merge=merge, inline_limit=inline_limit, table_limit=None if merge else table_limit,
            owned=ownership.organisations[org].systems, name=ownership.organisations[org].name,
            org_dir=desired_dir / org,
        )


def _import_one(
    root: Path,
    env: str,
    org: str,
    current: Snapshot,
    rows: ImportRows,
    state: EnvironmentState | None,
    *,
    merge: bool,
    inline_limit: int,
    table_limit: int | None,
    owned: tuple[str, ...],
    name: str,
    org_dir: Path,
) -> None:
    reserved: list[str] = []
    if merge and ((org_dir / f"{env}.yaml").exists() or (org_dir / "organisation.yaml").exists()):
        rows = missing_rows(rows, state)
        org_file = org_dir / "organisation.yaml"
        if org_file.exists():
            reserved = [str(k) for k in (load_roundtrip(org_file).get("address_sets") or {})]
    result = build_import(
        current,
        env=env,
        owned=owned,
        rows=rows,
        environments=[env],
        inline_limit=inline_limit,
        table_limit=table_limit,
        reserved_set_names=reserved,
    )
    header = (
        f"Imported from the {env} TAK ({current.source}, snapshot {current.snapshot_time or 'time unknown'})\n"
        f"for {name}. Edit freely; `tak-gitops plan` shows what would change."
    )
    written = write_import(org_dir, env, result, merge=merge, header=header, schemas_dir=root / "schemas")
    n_routings, n_auths = len(rows.routings), len(rows.authorizations)
    verb = "merged" if merge else "imported"
    click.echo(f"{verb} {n_routings} routing(s) and {n_auths} authorization(s) for {org} in {env}")
    for path in written:
        click.echo(f"  wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
