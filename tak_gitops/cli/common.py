"""Pieces several commands share: the options they have in common (declared once, so that a flag means the same
everywhere), reading the current TAK from the command line, parsing acknowledgements."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from tak_gitops.adapters import sources
from tak_gitops.adapters.baseline_file import expected_removals, read_baseline
from tak_gitops.adapters.snapshot_cache import read_snapshot_cached
from tak_gitops.core.baseline import check_against_baseline
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.plan import Acknowledgements
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.core.snapshot_checks import check_snapshot
from tak_gitops.errors import UsageError


def parse_removal_acks(values: tuple[str, ...]) -> dict[str, int]:
    """``--ack-removals ORG=N`` values as {org: N}; a UsageError for anything else."""
    out: dict[str, int] = {}
    for item in values:
        org, sep, count = item.partition("=")
        if not sep or not org or not count.strip().isdigit():
            raise UsageError(f"--ack-removals {item!r}: give ORG=N, e.g. region-sormland=12")
        out[org.strip()] = int(count)
    return out


F = TypeVar("F", bound=Callable[..., Any])

snapshot_option = click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A snapshot file written by `tak-gitops fetch`: the current TAK (apply re-plans against it).",
)

hsa_option = click.option(
    "--hsa",
    "hsa_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="HSA cache file (hsacache.xml) for VG -> VE cascades and the impact on calls; without it the tree is "
    "the desired files' care-giver links (vg:).",
)

_ALIAS = "tak_gitops.alias."


def deprecated_alias(flag: str, instead: str, dest: str, **kwargs: Any) -> Callable[[F], F]:
    """A hidden old spelling of an option: it prints a deprecation note and hands its value to ``instead``
    (declared with ``callback=aliased(dest)``)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            click.echo(f"note: {flag} is deprecated; use {instead} (it means the same here)", err=True)
            ctx.meta[_ALIAS + dest] = value

    return click.option(
        flag, "_alias_" + dest, hidden=True, expose_value=False, is_eager=True, callback=remember, **kwargs
    )


def aliased(dest: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """The callback of an option with a deprecated alias: the alias's value when the option was not given."""

    def pick(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        alias = ctx.meta.pop(_ALIAS + dest, None)
        if alias is not None and ctx.get_parameter_source(param.name or dest) == click.core.ParameterSource.DEFAULT:
            return param.type_cast_value(ctx, alias)
        return value

    return pick


def root_option(command: F) -> F:
    """``--root DIR``, the desired-state repository (``--repo`` is its deprecated spelling: elsewhere ``--repo`` is a
    GitHub repository)."""
    root = click.option(
        "--root",
        "root",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        callback=aliased("root"),
        help="The desired-state repository (holding tak-gitops.yaml and orders/).",
    )
    return deprecated_alias("--repo", "--root", "root")(root(command))


export_option = click.option(
    "--export",
    "export_path",
    type=click.Path(exists=True, path_type=Path),
    help="A TAK export: a directory of saved TAK-api responses, a published version or a TAK dump.",
)
fetch_option = click.option("--fetch", is_flag=True, help="Read the current TAK from the TAK-api now.")
allow_stale_option = click.option(
    "--allow-stale", is_flag=True, help="Accept a snapshot older than snapshot.max_age_hours."
)

_ack_cascade = click.option(
    "--ack-cascade",
    "ack_cascade",
    multiple=True,
    metavar="ADDRESS",
    help="Accept the VG -> VE cascade of a change on ADDRESS (repeatable).",
)
_ack_removals = click.option(
    "--ack-removals",
    "ack_removals",
    multiple=True,
    metavar="ORG=N",
    help="Accept exactly N removals for ORG over the removal guard (repeatable).",
)
_allow_empty = click.option(
    "--allow-empty-snapshot", is_flag=True, help="Accept a current TAK without any row (the empty-snapshot guard)."
)


def acknowledgement_options(command: F) -> F:
    """``--ack-cascade``, ``--ack-removals`` and ``--allow-empty-snapshot``."""
    return _ack_cascade(_ack_removals(_allow_empty(command)))


def acknowledgements(
    ack_cascade: tuple[str, ...], ack_removals: tuple[str, ...], allow_empty_snapshot: bool
) -> Acknowledgements:
    """The acknowledgements given by :func:`acknowledgement_options` (addresses upper-case, ``ORG=N`` parsed)."""
    return Acknowledgements(
        cascades=frozenset(a.strip().upper() for a in ack_cascade),
        removals=parse_removal_acks(ack_removals),
        allow_empty_snapshot=allow_empty_snapshot,
    )


def table(header: Sequence[str], rows: Iterable[Sequence[object]], right: Iterable[int] = ()) -> list[str]:
    """Lines of a plain-text table whose columns are as wide as their widest cell (``right``: right-aligned
    column indexes); the last column is not padded."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    align = set(right)
    out = []
    for r in cells:
        parts = [c.rjust(w) if i in align else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        parts[-1] = r[-1].rjust(widths[-1]) if len(r) - 1 in align else r[-1]
        out.append("  ".join(parts).rstrip())
    return out


FORMATS = ("text", "markdown", "json", "github")

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="What to print on standard output: the plan as text, markdown (a pull-request comment), its JSON "
    "document or GitHub annotations.",
)
color_option = click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour the text output [default: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it].",
)


def emit_plan(doc: Mapping[str, Any], fmt: str, color: bool | None) -> None:
    """Print a plan document in ``fmt`` (the footer of markdown links the GitHub Actions run when there is one)."""
    from tak_gitops.adapters.render import Footer, color_wanted, render_github, render_markdown, render_text
    from tak_gitops.core.canonical import pretty_json

    if fmt == "json":
        sys.stdout.buffer.write(pretty_json(doc))
        sys.stdout.flush()
    elif fmt == "markdown":
        click.echo(render_markdown(doc, footer=Footer.from_environment()), nl=False)
    elif fmt == "github":
        click.echo(render_github(doc), nl=False)
    else:
        use_color = color_wanted(sys.stdout.isatty(), color)
        click.echo(render_text(doc, color=use_color), nl=False, color=use_color)


def acknowledgement_flags(acks: Acknowledgements) -> list[str]:
    """The acknowledgement flags given, spelled as a refusal's ``acknowledge`` spells them, sorted."""
    given: set[str] = {"--allow-empty-snapshot"} if acks.allow_empty_snapshot else set()
    given.update(f"--ack-removals {org}={count}" for org, count in acks.removals.items())
    given.update(f"--ack-cascade {hsa}" for hsa in acks.cascades)
    return sorted(given)


def read_current(
    *,
    env: str,
    config: ProjectConfig,
    snapshot_path: Path | None,
    export_path: Path | None,
    fetch: bool,
    allow_stale: bool,
    export_format: str | None = None,
    root: Path | None = None,
    cached: bool = False,
) -> Snapshot:
    """The current TAK of ``env`` from exactly one of a snapshot file, an export or the TAK-api, checked: it must
    be of ``env``'s platform and environment, no older than ``snapshot.max_age_hours`` unless allow_stale, and
    (given the repository ``root``) not shrunken against the environment's baseline beyond the removals ordered.
    With ``cached``, a snapshot file is read through the repository's cache (:mod:`~.snapshot_cache`)."""
    given = [x for x in (snapshot_path, export_path) if x is not None] + ([Path("<fetch>")] if fetch else [])
    if len(given) != 1:
        raise UsageError("give exactly one of --snapshot FILE, --export PATH or --fetch")
    target = config.environments[env].tak_api
    if snapshot_path is not None:
        snapshot = read_snapshot_cached(snapshot_path, root if cached else None)
        origin = str(snapshot_path)
    elif export_path is not None:
        snapshot = sources.read_source(
            export_path, platform=target.platform, environment=target.environment, format=export_format
        )
        origin = str(export_path)
    else:
        from tak_gitops.adapters.takapi import TakApiClient, load_credentials

        raw = Path(".tak-gitops") / "raw" / env
        with TakApiClient(config.tak_api, load_credentials(config.tak_api)) as client:
            client.fetch_raw(target.platform, target.environment, raw)
        snapshot = sources.read_takapi_dir(raw, platform=target.platform, environment=target.environment)
        origin = f"{config.tak_api.base_url} (saved in {raw})"
    if (snapshot.platform, snapshot.environment) != (target.platform, target.environment):
        raise UsageError(
            f"{origin} is a snapshot of {snapshot.platform}/{snapshot.environment}, but {env} is "
            f"{target.platform}/{target.environment} in tak-gitops.yaml"
        )
    check_snapshot(
        snapshot,
        previous=None,
        now=datetime.now(UTC),
        max_age_hours=config.snapshot.max_age_hours,
        max_shrink_share=config.snapshot.max_shrink_share,
        allow_stale=allow_stale,
        source=origin,
        limit_from="snapshot.max_age_hours in tak-gitops.yaml",
    )
    if root is not None:
        check_baseline(root, env, config, snapshot, source=origin)
    return snapshot


def check_baseline(
    root: Path, env: str, config: ProjectConfig, snapshot: Snapshot, *, source: str, allow_shrink: bool = False
) -> bool:
    """Check ``snapshot`` against the baseline of ``env`` in the repository; False when there is none yet."""
    baseline = read_baseline(root, config.ledger_dir, env)
    if baseline is None:
        return False
    check_against_baseline(
        snapshot,
        baseline,
        expected=expected_removals(root, config.ledger_dir, baseline),
        max_shrink_share=config.snapshot.max_shrink_share,
        allow_shrink=allow_shrink,
        source=source,
    )
    return True
