"""`tak-gitops fetch`: read the current TAK (TAK-api v2 or a saved export) into a normalized snapshot file."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from tak_gitops.adapters import sources
from tak_gitops.adapters.baseline_file import write_baseline
from tak_gitops.adapters.desired_loader import load_project_config
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.cli import cli
from tak_gitops.cli.common import aliased, check_baseline, deprecated_alias
from tak_gitops.core.baseline import baseline_of
from tak_gitops.core.config import ENV_NAME_RE, ProjectConfig, TakApiConfig, TakApiTarget
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.core.snapshot_checks import check_snapshot
from tak_gitops.errors import SourceError, UsageError

CONFIG_FILE = "tak-gitops.yaml"


def _load_config(path: Path) -> ProjectConfig | None:
    """The project configuration when ``path`` exists; without one, ENV alone names the TAK-api target."""
    return load_project_config(path) if path.is_file() else None


def _target(env: str, config: ProjectConfig | None) -> TakApiTarget:
    if config is not None:
        if env not in config.environments:
            known = ", ".join(sorted(config.environments)) or "none"
            raise UsageError(f"unknown environment {env!r}; {CONFIG_FILE} defines: {known}")
        return config.environments[env].tak_api
    if not ENV_NAME_RE.match(env):
        raise UsageError(f"environment {env!r} must look like NTJP-PROD (platform-environment, upper case)")
    platform, _, environment = env.partition("-")
    return TakApiTarget(platform=platform, environment=environment)


class _Progress:
    """Download progress on a terminal's stderr: a click progress bar when the size is known, a byte count
    otherwise. Not used when stderr is not a terminal (CI logs stay clean)."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.bar: Any = None
        self.done = 0
        self.tty = sys.stderr.isatty()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        elif self.current is not None and self.tty:
            click.echo("", err=True)
        self.current = None

    def __call__(self, resource: str, done: int, total: int | None) -> None:
        if resource != self.current:
            self.finish()
            self.current, self.done = resource, 0
            if total:
                self.bar = click.progressbar(length=total, label=f"{resource:<20}", file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.done)
        elif self.tty:
            click.echo(f"\r{resource:<20} {done / 1e6:8.1f} MB", err=True, nl=False)
        self.done = done


def _previous(path: Path | None, output: Path) -> Snapshot | None:
    if path is not None:
        return read_snapshot(path)
    if not output.is_file():
        return None
    try:
        return read_snapshot(output)
    except SourceError as exc:
        click.echo(f"warning: not comparing with the existing {output}: {exc}", err=True)
        return None


@cli.command("fetch")
@click.option("--env", "env", required=True, help="Environment name from tak-gitops.yaml, e.g. NTJP-PROD.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Snapshot file to write (atomically).")
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path),
              help="Read this export (file or directory of saved TAK-api responses) instead of the TAK-api.")
@click.option("--export-format", "fmt", type=click.Choice(["auto", *sources.FORMATS]), default="auto",
              show_default=True, callback=aliased("fmt"), help="Format of --from; auto detects it.")
@deprecated_alias("--format", "--export-format", "fmt")
@click.option("--max-age", type=float, metavar="HOURS",
              help="Refuse a snapshot older than this [default: snapshot.max_age_hours, 36].")
@click.option("--allow-stale", is_flag=True, help="Accept a snapshot older than --max-age or without a time.")
@click.option("--allow-shrink", is_flag=True, help="Accept a snapshot that shrank more than snapshot.max_shrink_share.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Snapshot to compare with [default: the existing output file].")
@click.option("--raw-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where TAK-api responses are saved [default: .tak-gitops/raw/<ENV>].")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day rows must be valid on (published versions) [default: today].")
@click.option("--root", "root_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The desired-state repository: its tak-gitops.yaml and orders/ (the baseline).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), hidden=True,
              help="Deprecated: the configuration file itself; --root names the folder that holds it.")
def fetch(
    env: str,
    output: Path,
    source: Path | None,
    fmt: str,
    max_age: float | None,
    allow_stale: bool,
    allow_shrink: bool,
    previous: Path | None,
    raw_dir: Path | None,
    today: datetime | None,
    root_dir: Path,
    config_path: Path | None,
) -> None:
    """Read the current TAK of ENV into a normalized snapshot file.

    Without --from, downloads it from the TAK-api v2 (credentials from TAK_API_USERNAME/TAK_API_PASSWORD or
    tak_api.credentials_file). Refuses a source that looks broken (empty, shrunken, obfuscated URLs, duplicate
    routing keys) or is older than --max-age.
    """
    if config_path is None:
        config_path = root_dir / CONFIG_FILE
    else:
        click.echo(f"note: --config is deprecated; use --root DIR (the folder that holds {CONFIG_FILE})", err=True)
    config = _load_config(config_path)
    target = _target(env, config)
    snap_cfg = config.snapshot if config else None
    day: date | None = today.date() if today else None
    if source is not None:
        snapshot = sources.read_source(
            source, platform=target.platform, environment=target.environment,
            format=None if fmt == "auto" else fmt, today=day,
        )
        origin = str(source)
    else:
        if fmt not in ("auto", "tak-api"):
            raise UsageError("--export-format applies to --from; the TAK-api is always read as tak-api")
        from tak_gitops.adapters.takapi import TakApiClient, load_credentials  # (httpx: only to download)

        api_cfg = config.tak_api if config else TakApiConfig()
        raw = raw_dir or Path(".tak-gitops") / "raw" / env
        progress = _Progress()
        with TakApiClient(api_cfg, load_credentials(api_cfg), progress=progress if progress.tty else None) as client:
            try:
                client.fetch_raw(target.platform, target.environment, raw)
            finally:
                progress.finish()
        snapshot = sources.read_takapi_dir(raw, platform=target.platform, environment=target.environment)
        origin = f"{api_cfg.base_url} (saved in {raw})"
    # without --previous, the baseline in the repository is what the snapshot is compared with (a fresh checkout
    # has no earlier snapshot file); removals ordered since are expected shrink
    root = config_path.resolve().parent if config is not None else None
    against_baseline = (
        previous is None and root is not None and config is not None
        and check_baseline(root, env, config, snapshot, source=origin, allow_shrink=allow_shrink)
    )
    prev = None if against_baseline else _previous(previous, output)
    if prev is not None and (prev.platform, prev.environment) != (snapshot.platform, snapshot.environment):
        raise UsageError(
            f"the previous snapshot is of {prev.platform}/{prev.environment}, not {snapshot.platform}/"
            f"{snapshot.environment}; give the right one with --previous"
        )
    check_snapshot(
        snapshot,
        previous=prev,
        now=datetime.now(UTC),
        max_age_hours=max_age if max_age is not None else (snap_cfg.max_age_hours if snap_cfg else 36.0),
        max_shrink_share=snap_cfg.max_shrink_share if snap_cfg else 0.2,
        allow_stale=allow_stale,
        allow_shrink=allow_shrink,
        source=origin,
    )
    write_snapshot(output, snapshot)
    if root is not None and config is not None:
        written = write_baseline(root, config.ledger_dir, baseline_of(env, snapshot))
        click.echo(f"baseline of {env}: {written}", err=True)
    click.echo(
        f"wrote {output}: {snapshot.platform}/{snapshot.environment} from {snapshot.source}, "
        f"snapshot time {snapshot.snapshot_time or 'unknown'}: {len(snapshot.routings)} routings, "
        f"{len(snapshot.authorizations)} authorizations, {len(snapshot.logical_addresses)} logical addresses, "
        f"{len(snapshot.systems)} systems, {len(snapshot.contracts)} contracts; {snapshot.digest}"
    )
