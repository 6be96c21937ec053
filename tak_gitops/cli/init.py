"""`tak-gitops init`: start a desired-state repository (configuration, registry, schemas, workflows, hooks)."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops import __version__
from tak_gitops.adapters.scaffold_files import read_existing, repository_files, write_files
from tak_gitops.cli import cli
from tak_gitops.core.scaffold import decide, environment_names

_SHOWN = {"write": "wrote", "unchanged": "unchanged", "keep": "kept"}
_NEXT_STEPS = """\
next: set the repository variable TAK_GITOPS_INSTALL to a pinned requirement of tak-gitops {version}
('tak-gitops=={version} --hash=sha256:...' with hashed dependencies, or 'tak-gitops @ git+https://...@<commit>'),
add the TAK-api and TAK-web secrets and the GitHub environments, and commit (README: "Set up a desired-state
repository")."""


@cli.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--platform", default="NTJP", show_default=True, help="The platform code of every environment.")
@click.option(
    "--environments",
    default="QA,PROD",
    show_default=True,
    help="Comma-separated environments of the platform; NTJP and QA,PROD give NTJP-QA and NTJP-PROD.",
)
@click.option("--example", is_flag=True, help="Also write the bundled example: desired/, its registry and export.")
@click.option("--force", is_flag=True, help="Rewrite the schemas and workflows; keep every other existing file.")
def init(directory: Path, platform: str, environments: str, example: bool, force: bool) -> None:
    """Write a new desired-state repository into DIRECTORY (default: the current directory).

    Writes tak-gitops.yaml, ownership.yaml, CODEOWNERS, schemas/, .github/workflows/ (pinned to this version of
    tak-gitops), .gitignore and .pre-commit-config.yaml; with --example also the bundled example tree
    (desired/, ownership.yaml), its NTJP-PROD export (examples/ntjp-prod/) and HSA file (examples/hsa/). Nothing
    is overwritten: a file that exists with other content stops init before it writes anything.
    """
    names = environment_names(platform, environments)
    files = repository_files(platform, names, example=example)
    decisions = decide(files, read_existing(directory, list(files)), force=force)
    write_files(directory, files, decisions)
    for decision in decisions:
        click.echo(f"{_SHOWN[decision.action]:<9} {(directory / decision.path).as_posix()}")
    click.echo(_NEXT_STEPS.format(version=__version__), err=True)
