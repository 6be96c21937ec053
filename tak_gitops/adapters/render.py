"""Renderings of a plan document: text for terminals, markdown for pull-request comments, GitHub annotations.

Every renderer takes the plan *document* (the mapping of ``docs/plan-format.md``), never planner internals, so
a saved ``plan.json`` renders exactly like a fresh plan. Templates live in ``tak_gitops/templates/`` and run in a
jinja2 environment with ``StrictUndefined``: a missing field is an error, not an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tak_gitops.core.safe_text import for_annotation, for_annotation_property, for_markdown, for_terminal

if TYPE_CHECKING:
    import jinja2

ACTION_LABELS = {
    "add-logical-address": "new logical address",
    "add-system": "new system",
    "add-contract": "new contract",
    "add-routing": "add routing",
    "change-routing": "change routing",
    "remove-routing": "remove routing",
    "add-authorization": "add authorization",
    "remove-authorization": "remove authorization",
}
SUMMARY_ORDER = (
    "remove-routing",
    "remove-authorization",
    "change-routing",
    "add-routing",
    "add-authorization",
    "add-logical-address",
    "add-system",
    "add-contract",
)
SYMBOLS = {
    "add-logical-address": "+",
    "add-system": "+",
    "add-contract": "+",
    "add-routing": "+",
    "change-routing": "~",
    "remove-routing": "-",
    "add-authorization": "+",
    "remove-authorization": "-",
}
FOLD_OVER = 30
"""Sections with more lines than this are folded in ``<details>`` in markdown (removals and cascades never are)."""

_ANSI = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2", "magenta": "35"}
_CONTRACT_RE = re.compile(r"^urn:riv:.*:([A-Za-z0-9]+?)(?:Responder)?:(\d+)$")


def short_contract(namespace: str) -> str:
    """``urn:riv:...:GetCareContactsResponder:2`` -> ``GetCareContacts:2`` (for reading; plans keep namespaces)."""
    m = _CONTRACT_RE.match(namespace)
    return f"{m.group(1)}:{m.group(2)}" if m else namespace


def _md_escape(value: object) -> str:
    """Escape text for a markdown table cell or inline text (:func:`~tak_gitops.core.safe_text.for_markdown`)."""
    return for_markdown("" if value is None else str(value))


def _terminal_safe(value: Any) -> Any:
    """``value`` (a plan document or part of one) with every string made safe for a terminal: text from desired
    files, a TAK or an HSA file reaches the renderings with no control character or bidi control in it."""
    if isinstance(value, str):
        return for_terminal(value)
    if isinstance(value, Mapping):
        return {k: _terminal_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_terminal_safe(v) for v in value]
    return value


def _change_line(change: Mapping[str, Any]) -> str:
    """One plain-text line describing a change."""
    a = change["action"]
    if a in ("add-logical-address", "add-system"):
        return f'{change["hsa_id"]} "{change["description"]}"'
    if a == "add-contract":
        return f'{change["namespace"]} "{change["description"]}" (major {change["major"]})'
    if a in ("add-authorization", "remove-authorization"):
        return f"{change['consumer']} on {change['address']} for {short_contract(change['contract'])}"
    key = f"{change['address']} {short_contract(change['contract'])}"
    if a == "add-routing":
        v = change["after"]
        return f"{key} -> {v['producer']} {v['profile']} {v['url']}"
    if a == "remove-routing":
        v = change["before"]
        return f"{key} (was {v['producer']} {v['profile']} {v['url']})"
    return key


def _field_changes(change: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` for each changed field of a change-routing."""
    if change["action"] != "change-routing":
        return []
    return [(f, change["before"][f], change["after"][f]) for f in change.get("changed", ())]


def _descendant_target(value: str | None) -> str:
    return "(nothing)" if value is None else value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the renderers (jinja2 is imported on first use: JSON output does not need it)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tak_gitops", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["short_contract"] = short_contract
    env.filters["md"] = _md_escape
    env.filters["change_line"] = _change_line
    env.filters["field_changes"] = _field_changes
    env.filters["target"] = _descendant_target
    env.globals["ACTION_LABELS"] = ACTION_LABELS
    env.globals["SUMMARY_ORDER"] = SUMMARY_ORDER
    env.globals["SYMBOLS"] = SYMBOLS
    env.globals["FOLD_OVER"] = FOLD_OVER
    from tak_gitops.adapters import render_impact

    render_impact.register(env)
    return env


def _context(doc: Mapping[str, Any]) -> dict[str, Any]:
    orders = list(doc["orders"])
    removals = [
        (o, c) for o in orders for c in o["changes"] if c["action"] in ("remove-routing", "remove-authorization")
    ]
    changes = [(o, c) for o in orders for c in o["changes"] if c["action"] == "change-routing"]
    additions = [
        (o, c)
        for o in orders
        for c in o["changes"]
        if c["action"] not in ("remove-routing", "remove-authorization", "change-routing")
    ]
    waves = sorted({o["wave"] for o in orders})
    contracts = sorted(
        {c["contract"] for o in orders for c in o["changes"] if "contract" in c}
        | {c["contract"] for c in doc.get("cascades", ())}
    )
    return {
        "doc": doc,
        "orders": orders,
        "removals": removals,
        "changes": changes,
        "additions": additions,
        "waves": waves,
        "contracts": contracts,
    }


def render_text(doc: Mapping[str, Any], *, color: bool = False) -> str:
    """The plan for a terminal. With ``color``, ANSI colours mark additions, changes, removals and problems."""

    def style(text: object, colour: str) -> str:
        if not color:
            return str(text)
        codes = ";".join(_ANSI[c] for c in colour.split("+"))
        return f"\x1b[{codes}m{text}\x1b[0m"

    def action_style(text: object, action: str) -> str:
        sym = SYMBOLS.get(action, "~")
        return style(text, {"+": "green", "-": "red"}.get(sym, "yellow"))

    template = environment().get_template("plan.txt.j2")
    return template.render(**_context(_terminal_safe(doc)), style=style, action_style=action_style)


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The plan as a pull-request comment (GitHub-flavoured markdown)."""
    return environment().get_template("plan.md.j2").render(**_context(_terminal_safe(doc)))


_gh_data = for_annotation
_gh_prop = for_annotation_property


def render_github(doc: Mapping[str, Any]) -> str:
    """GitHub workflow commands: ``::error``/``::warning`` per finding (on the file line when known), and refusals."""
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
            msg = (
                f"{c['change']} of the {c['kind']} on {c['address']} for {c['contract']} cascades to "
                f"{len(c['descendants'])} address(es) below it"
                + (" (acknowledged)" if c["acknowledged"] else " (not acknowledged)")
            )
            lines.append(f"::{'notice' if c['acknowledged'] else 'error'} title=cascade::{_gh_data(msg)}")
    return "".join(line + "\n" for line in lines)
