"""`tak-gitops codeowners`: write CODEOWNERS from the ownership registry, or check that it is current."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from tak_gitops.adapters.atomic import write_text_atomic
from tak_gitops.adapters.desired_loader import display_path, find_root, load_config
from tak_gitops.cli import cli
from tak_gitops.core.codeowners import render_codeowners
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.errors import ExitCode, UsageError


def load_project(start: Path) -> tuple[Path, ProjectConfig, OwnershipRegistry]:
    """Root, project configuration and ownership registry of the repository containing ``start``."""
    root = find_root(start)
    config, ownership = load_config(root)
    return root, config, ownership


@cli.command("codeowners")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Exit 1 with a diff when CODEOWNERS is not what the registry gives.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=None,
    help="Where to write (default: CODEOWNERS at the repository root; - for standard output).",
)
def codeowners(path: Path, check: bool, output: Path | None) -> None:
    """Write CODEOWNERS from ownership.yaml: each organisation's folder to its team, the rest to the platform team."""
    root, config, ownership = load_project(path)
    text = render_codeowners(ownership, config, ownership_path=display_path(root / config.ownership))
    target = output if output is not None else root / "CODEOWNERS"
    if str(target) == "-":
        if check:
            raise UsageError("--check needs a file, not standard output")
        click.echo(text, nl=False)
        return
    if check:
        try:
            current = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = ""
        shown = display_path(target)
        if current == text:
            click.echo(f"{shown}: up to date", err=True)
            return
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            f"{shown} (committed)",
            f"{shown} (expected)",
        )
        click.echo("".join(diff), nl=False)
        click.echo(f"{shown} is out of date: run `tak-gitops codeowners` and commit the result", err=True)
        click.get_current_context().exit(ExitCode.FAILURE)
    write_text_atomic(target, text)
    click.echo(f"wrote {display_path(target)}", err=True)
