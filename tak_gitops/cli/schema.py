"""`tak-gitops schema`: write (or check) the JSON Schemas of the desired-state files."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters.schema_files import check_schemas, write_schemas
from tak_gitops.cli import cli
from tak_gitops.errors import ExitCode


@cli.command("schema")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="directory of the schema files",
)
@click.option("--check", is_flag=True, help="do not write; exit 1 when the files differ from the models")
def schema(out: Path, check: bool) -> None:
    """Generate the JSON Schemas of tak-gitops.yaml, ownership.yaml and the desired files from the models."""
    if check:
        stale = check_schemas(out)
        for name in stale:
            click.echo(f"{(out / name).as_posix()}: out of date (run `tak-gitops schema`)", err=True)
        if stale:
            raise SystemExit(ExitCode.FAILURE)
        click.echo("schemas are up to date", err=True)
        return
    for name in write_schemas(out):
        click.echo((out / name).as_posix())
