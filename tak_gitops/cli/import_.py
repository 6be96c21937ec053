"""`tak-gitops import`: write an organisation's desired YAML from today's TAK, so its first plan is empty."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters import sources
from tak_gitops.adapters.desired_loader import find_root, load_config, load_desired_or_raise
from tak_gitops.adapters.yaml_writer import load_roundtrip, write_import
from tak_gitops.cli import cli
from tak_gitops.cli.common import aliased, deprecated_alias, read_current, root_option
from tak_gitops.core.importer import build_import, missing_rows, rows_in_scope
from tak_gitops.errors import UsageError


@cli.command("import")
@click.option("--env", "env", required=True, help="Environment to import, e.g. NTJP-PROD.")
@click.option("--org", "org", required=True, help="Organisation key in ownership.yaml (its desired/ folder).")
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
@click.option("--inline-limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Address lists longer than this become CSV address sets.")
@root_option
def import_(
    env: str,
    org: str,
    snapshot: Path | None,
    export: Path | None,
    fmt: str,
    fetch: bool,
    allow_stale: bool,
    merge: bool,
    inline_limit: int,
    root: Path,
) -> None:
    """Write desired/ORG/ENV.yaml (and organisation.yaml, address sets) from the current TAK.

    Only rows in ORG's scope are written: routings whose producer and authorizations whose consumer ORG owns in
    ownership.yaml. Without --merge the command refuses to overwrite existing files.
    """
    root = find_root(root)
    config, ownership = load_config(root)
    if env not in config.environments:
        known_envs = ", ".join(sorted(config.environments))
        raise UsageError(f"unknown environment {env!r}; tak-gitops.yaml defines: {known_envs}")
    if org not in ownership.organisations:
        known = ", ".join(sorted(ownership.organisations)) or "none"
        raise UsageError(f"unknown organisation {org!r}; ownership.yaml lists: {known}")
    current = read_current(
        env=env,
        config=config,
        snapshot_path=snapshot,
        export_path=export,
        fetch=fetch,
        allow_stale=allow_stale,
        export_format=None if fmt == "auto" else fmt,
    )
    owned = ownership.organisations[org].systems
    org_dir = root / config.desired_dir / org
    env_file = org_dir / f"{env}.yaml"

    rows = rows_in_scope(current, owned)
    reserved: list[str] = []
    if merge and (env_file.exists() or (org_dir / "organisation.yaml").exists()):
        loaded = load_desired_or_raise(root)
        rows = missing_rows(rows, loaded.state.environments.get(env))
        org_file = org_dir / "organisation.yaml"
        if org_file.exists():
            reserved = [str(k) for k in (load_roundtrip(org_file).get("address_sets") or {})]
    elif env_file.exists():
        raise UsageError(f"{env_file} exists; use --merge to add what is missing to it")

    result = build_import(
        current,
        env=env,
        owned=owned,
        rows=rows,
        environments=[env],
        inline_limit=inline_limit,
        reserved_set_names=reserved,
    )
    header = (
        f"Imported from the {env} TAK ({current.source}, snapshot {current.snapshot_time or 'time unknown'})\n"
        f"for {ownership.organisations[org].name}. Edit freely; `tak-gitops plan` shows what would change."
    )
    written = write_import(org_dir, env, result, merge=merge, header=header)
    n_routings, n_auths = len(rows.routings), len(rows.authorizations)
    verb = "merged" if merge else "imported"
    click.echo(f"{verb} {n_routings} routing(s) and {n_auths} authorization(s) for {org} in {env}")
    for path in written:
        click.echo(f"  wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
