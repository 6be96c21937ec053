"""`tak-gitops validate`: check the desired-state files and report every problem at once."""

from __future__ import annotations

from pathlib import Path

import click

from tak_gitops.adapters.desired_loader import display_path, find_root, load_desired
from tak_gitops.cli import cli
from tak_gitops.core import codes
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.safe_text import for_annotation, for_annotation_property, for_terminal
from tak_gitops.errors import ConfigError, Diagnostic, ExitCode, Severity, UsageError

_escape_data = for_annotation
_escape_property = for_annotation_property


def github_line(d: Diagnostic) -> str:
    """One GitHub Actions workflow command (an annotation) for a diagnostic."""
    level = "error" if d.severity is Severity.ERROR else "warning"
    props = [f"file={_escape_property(d.path)}"]
    if d.line > 0:
        props.append(f"line={d.line}")
        if d.col > 0:
            props.append(f"col={d.col}")
    props.append(f"title={_escape_property(d.code)}")
    return f"::{level} {','.join(props)}::{_escape_data(d.message)}"


def _covers(given: list[Path], shown: str) -> bool:
    target = Path(shown).resolve()
    return any(target == g or g in target.parents for g in given)


def collect(paths: tuple[Path, ...]) -> tuple[Diagnostic, ...]:
    """Validate the repositories holding ``paths``; keep diagnostics under those paths (and every problem of
    the configuration or registry, which concerns all of them)."""
    by_root: dict[Path, list[Path]] = {}
    for path in paths or (Path("."),):
        try:
            root = find_root(path)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from exc
        by_root.setdefault(root, []).append(path.resolve())
    found: set[Diagnostic] = set()
    for root, given in sorted(by_root.items()):
        try:
            result = load_desired(root)
        except ConfigError as exc:
            found.update(exc.diagnostics or (Diagnostic(display_path(root), 0, 0, codes.UNREADABLE, str(exc)),))
            continue
        if any(g == root or g in root.parents for g in given):
            found.update(result.diagnostics)
        else:
            found.update(d for d in result.diagnostics if _covers(given, d.path))
    return tuple(sorted(found))


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: path:line:col: CODE message; json: one document; github: workflow annotations",
)
def validate(paths: tuple[Path, ...], fmt: str) -> None:
    """Check the desired-state files under PATHS (default: the current directory).

    PATHS may be the repository root, desired/, an organisation folder or single files. The whole
    repository is always validated (cross-file rules need it); problems are reported for PATHS.
    Exit 0 when valid (warnings allowed), 1 when any error is found, 2 on usage errors.
    """
    diagnostics = collect(paths)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    if fmt == "json":
        document = {
            "valid": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.to_dict() for d in diagnostics],
        }
        click.echo(pretty_json(document).decode("utf-8"), nl=False)
    else:
        for d in diagnostics:
            click.echo(github_line(d) if fmt == "github" else for_terminal(str(d)))
        if fmt == "text":
            if diagnostics:
                click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
            else:
                click.echo("valid: no problems found", err=True)
    raise SystemExit(ExitCode.FAILURE if errors else ExitCode.OK)
