"""`tak-gitops show PLAN`: render a saved plan document again, exactly as `plan` rendered it."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from tak_gitops.cli import cli
from tak_gitops.cli.common import color_option, emit_plan, format_option
from tak_gitops.core.plan import read_plan_document
from tak_gitops.errors import PlanFileError


@cli.command("show")
@click.argument("plan_path", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@color_option
def show(plan_path: Path, fmt: str, color: bool | None) -> None:
    """Render the plan document PLAN (written by `plan --out`) as text, markdown, JSON or GitHub annotations.

    The plan's checksum is verified first: an edited plan is refused (exit 5), as `apply` refuses it.

    \b
    Example:
      tak-gitops show plan.json --format markdown > plan.md
    """
    try:
        doc = orjson.loads(plan_path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise PlanFileError(f"{plan_path}: not JSON: {exc}") from exc
    except OSError as exc:
        raise PlanFileError(f"{plan_path}: cannot read: {exc.strerror}") from exc
    try:
        read_plan_document(doc)
    except PlanFileError as exc:
        raise type(exc)(f"{plan_path}: {exc}") from exc
    emit_plan(doc, fmt, color)
