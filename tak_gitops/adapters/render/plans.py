"""Renderings of a plan document: text for terminals, markdown for pull-request comments, GitHub annotations.

Every renderer takes the plan *document* (the mapping of ``docs/plan-format.md``), never planner internals, so
a saved ``plan.json`` renders exactly like a fresh plan (``tak-gitops show``). All three read the same
:func:`~tak_gitops.core.review.review`: consequences first, one tally, identical changes grouped, names beside ids.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tak_gitops.adapters.render.env import SYMBOLS, environment, make_labels, terminal_safe, text_value_change
from tak_gitops.core.review import Review, review, short_contract
from tak_gitops.core.safe_text import for_annotation, for_annotation_property

_BLANK_RUNS = re.compile(r"\n{3,}")
_ANSI = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2", "magenta": "35"}


@dataclass(frozen=True)
class Footer:
    """What the markdown footer links to: the CI run that made the plan (in GitHub Actions)."""

    run_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Footer:
        """The run link from GitHub Actions' ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_RUN_ID``."""
        env = os.environ if environ is None else environ
        server, repo, run = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        if server and repo and run and run.isdigit():
            return cls(f"{server.rstrip('/')}/{repo}/actions/runs/{run}")
        return cls()


def _context(doc: Mapping[str, Any], r: Review) -> dict[str, Any]:
    orders = list(doc["orders"])
    contracts = sorted(
        {c["contract"] for o in orders for c in o["changes"] if "contract" in c}
        | {c["contract"] for c in doc["cascades"]}
    )
    return {
        "doc": doc,
        "r": r,
        "orders": orders,
        "labels": r.order_labels,
        "tally": r.tally,
        "waves": r.waves,
        "contracts": contracts,
    }


def color_wanted(is_tty: bool, flag: bool | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal unless ``NO_COLOR`` is set; ``FORCE_COLOR`` forces it; ``--color/--no-color`` wins."""
    if flag is not None:
        return flag
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return is_tty


def render_text(doc: Mapping[str, Any], *, color: bool = False) -> str:
    """The plan for a terminal. With ``color``, ANSI colours mark additions, changes, removals and problems."""

    def style(text: object, colour: str) -> str:
        if not color or text == "":
            return str(text)
        codes = ";".join(_ANSI[c] for c in colour.split("+"))
        return f"\x1b[{codes}m{text}\x1b[0m"

    def action_style(text: object, action: str) -> str:
        sym = SYMBOLS.get(action, "~")
        return style(text, {"+": "green", "-": "red"}.get(sym, "yellow"))

    doc = terminal_safe(doc)
    r = review(doc)
    template = environment().get_template("plan.txt.j2")
    text = template.render(
        **_context(doc, r),
        **make_labels(r.names, markdown=False),
        style=style,
        action_style=action_style,
        value_change=lambda old, new: text_value_change(old, new, style),
    )
    return _BLANK_RUNS.sub("\n\n", text)


def render_markdown(doc: Mapping[str, Any], *, footer: Footer | None = None) -> str:
    """The plan as a pull-request comment (GitHub-flavoured markdown), with a footer (the run link when given)."""
    doc = terminal_safe(doc)
    r = review(doc)
    text = (
        environment()
        .get_template("plan.md.j2")
        .render(**_context(doc, r), **make_labels(r.names, markdown=True), footer=footer or Footer())
    )
    return _BLANK_RUNS.sub("\n\n", text)


_gh_data = for_annotation
_gh_prop = for_annotation_property


def render_github(doc: Mapping[str, Any]) -> str:
    """GitHub workflow commands: ``::error``/``::warning`` per finding (on the file line when known), refusals
    and cascades, with names beside the ids of cascades."""
    names = review(doc).names
    lines = []

    def emit(level: str, finding: Mapping[str, Any]) -> None:
        props = []
        if finding.get("path"):
            props.append(f"file={_gh_prop(str(finding['path']))}")
            if finding.get("line"):
                props.append(f"line={int(finding['line'])}")
            if finding.get("col"):
                props.append(f"col={int(finding['col'])}")
        props.append(f"title={_gh_prop(str(finding['code']))}")
        lines.append(f"::{level} {','.join(props)}::{_gh_data(str(finding['message']))}")

    for e in doc.get("errors", ()):
        emit("error", e)
    for r in doc.get("refusals", ()):
        title = f"plan refused by guard {r['guard']}"
        msg = f"{r['message']}; acknowledge with {r['acknowledge']}"
        lines.append(f"::error title={_gh_prop(title)}::{_gh_data(msg)}")
    for w in doc.get("warnings", ()):
        emit("warning", w)
    for c in doc.get("cascades", ()):
        if c["needs_acknowledgement"]:
            name = names.address(c["address"])
            where = c["address"] + (f' "{name}"' if name else "")
            msg = (
                f"{c['change']} of the {c['kind']} on {where} for {short_contract(c['contract'])} "
                f"({c['contract']}) cascades to {len(c['descendants'])} address(es) below it"
                + (" (acknowledged)" if c["acknowledged"] else " (not acknowledged)")
            )
            lines.append(f"::{'notice' if c['acknowledged'] else 'error'} title=cascade::{_gh_data(msg)}")
    return "".join(line + "\n" for line in lines)
