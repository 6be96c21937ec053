"""`tak-gitops codeowners`: write CODEOWNERS from the ownership registry, or check that it is current."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from tak_gitops.cli import cli
from tak_gitops.core.codeowners import render_codeowners
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.errors import ConfigError, ExitCode, UsageError

CONFIG_FILE = "tak-gitops.yaml"


def find_root(start: Path) -> Path:
    """The directory holding tak-gitops.yaml: ``start`` or the nearest parent."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise UsageError(f"no {CONFIG_FILE} found in {start} or any parent directory")


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        return YAML(typ="safe").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise ConfigError(f"{where}: invalid YAML: {exc.problem}") from None
    except YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None


def _validate(model: type[ProjectConfig] | type[OwnershipRegistry], path: Path, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from None


def load_project(start: Path) -> tuple[Path, ProjectConfig, OwnershipRegistry]:
    """Root, project configuration and ownership registry of the repository containing ``start``.

    A small loader of the two platform files; the desired-state loader validates them the same way.
    """
    root = find_root(start)
    config_path = root / CONFIG_FILE
    config: ProjectConfig = _validate(ProjectConfig, config_path, _read_yaml(config_path))
    ownership_path = root / config.ownership
    ownership: OwnershipRegistry = _validate(OwnershipRegistry, ownership_path, _read_yaml(ownership_path))
    return root, config, ownership


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same directory, fsync, replace)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    text = render_codeowners(ownership, config, ownership_path=str(root / config.ownership))
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
        if current == text:
            click.echo(f"{target}: up to date", err=True)
            return
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            f"{target} (committed)",
            f"{target} (expected)",
        )
        click.echo("".join(diff), nl=False)
        click.echo(f"{target} is out of date: run `tak-gitops codeowners` and commit the result", err=True)
        click.get_current_context().exit(ExitCode.FAILURE)
    write_atomic(target, text)
    click.echo(f"wrote {target}", err=True)
