"""The jinja2 environment of the plan renderings and the filters that put names beside ids.

Templates live in ``tak_gitops/templates/`` and run with ``StrictUndefined``: a missing field is an error, not an
empty string. jinja2 is imported on first use (JSON output does not need it).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tak_gitops.core.review import BANNER_WORDS, mark_change, plural, short_contract
from tak_gitops.core.safe_text import for_markdown, for_terminal

if TYPE_CHECKING:
    import jinja2

FOLD_OVER = 30
"""Lists longer than this are folded in ``<details>`` in markdown (removals and cascades are never hidden)."""

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


def md_escape(value: object) -> str:
    """Escape text for markdown inline text or a table cell (:func:`~tak_gitops.core.safe_text.for_markdown`)."""
    return for_markdown("" if value is None else str(value))


def terminal_safe(value: Any) -> Any:
    """``value`` (a plan document or part of one) with every string made safe for a terminal: text from desired
    files, a TAK or an HSA file reaches the renderings with no control character or bidi control in it."""
    if isinstance(value, str):
        return for_terminal(value)
    if isinstance(value, Mapping):
        return {k: terminal_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [terminal_safe(v) for v in value]
    return value


def html_escape(value: object) -> str:
    """Escape text for raw HTML inside markdown (``<code>``, ``<abbr>``, ``<summary>``)."""
    return html.escape("" if value is None else str(value), quote=True)


def md_code(value: object) -> str:
    """``value`` as inline code (HTML, so that no backtick in it can end the span)."""
    return f"<code>{html_escape(value)}</code>"


def md_contract(namespace: str) -> str:
    """``GetCareContacts:2`` with the namespace on hover."""
    return f'<abbr title="{html_escape(namespace)}">{html_escape(short_contract(namespace))}</abbr>'


def md_value_change(old: str, new: str) -> str:
    """A changed value with its changed part struck out and inserted, the common prefix and suffix plain."""
    prefix, was, now, suffix = mark_change(old, new)
    return (
        f"<code>{html_escape(prefix)}<del>{html_escape(was)}</del><ins>{html_escape(now)}</ins>"
        f"{html_escape(suffix)}</code>"
    )


def text_value_change(old: str, new: str, style: Any) -> str:
    """``prefix{old -> new}suffix`` (the common parts dimmed when colour is on)."""
    prefix, was, now, suffix = mark_change(old, new)
    if not prefix and not suffix:
        return f"{style(was, 'red')} -> {style(now, 'green')}"
    return f"{style(prefix, 'dim')}{{{style(was, 'red')} -> {style(now, 'green')}}}{style(suffix, 'dim')}"


def make_labels(names: Any, *, markdown: bool) -> dict[str, Any]:
    """Filters naming systems and addresses: ``id "name"`` in text, ``<code>id</code> name`` in markdown."""

    def label(hsa_id: object, name: str | None) -> str:
        if markdown:
            return md_code(hsa_id) + (f" {md_escape(name)}" if name else "")
        return f"{hsa_id}" + (f' "{name}"' if name else "")

    return {
        "sys": lambda h: label(h, names.system(h)),
        "addr": lambda h: label(h, names.address(h)),
    }


def outcome_md(outcome: Mapping[str, Any]) -> str:
    """A call's outcome in markdown: ``works via <code>P</code> RIVTABP21 <code>URL</code>`` or the VP code."""
    if outcome["outcome"] != "works":
        return md_code(outcome["outcome"])
    return f"works via {md_code(outcome['producer'])} {md_escape(outcome['profile'])} {md_code(outcome['url'])}"


def target(value: str | None) -> str:
    return "(nothing)" if value is None else value


def change_summary(change: Mapping[str, Any]) -> str:
    """What an order's change does, in one plain line with full values (the folded order detail)."""
    a = change["action"]
    if a in ("add-logical-address", "add-system"):
        return f'{change["hsa_id"]} "{change["description"]}"'
    if a == "add-contract":
        return f'{change["namespace"]} "{change["description"]}" (major {change["major"]})'
    if a in ("add-authorization", "remove-authorization"):
        return f"{change['consumer']} on {change['address']} for {short_contract(change['contract'])}"
    key = f"{change['address']} {short_contract(change['contract'])}"
    v: Mapping[str, Any] = change.get("after") or change.get("before") or {}
    if a == "change-routing":
        fields = ", ".join(f"{f} {change['before'][f]} -> {change['after'][f]}" for f in change.get("changed", ()))
        return f"{key}: {fields}"
    return f"{key} {'->' if a == 'add-routing' else 'was'} {v['producer']} {v['profile']} {v['url']}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the renderers."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tak_gitops", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        short_contract=short_contract,
        md=md_escape,
        html=html_escape,
        code=md_code,
        md_contract=md_contract,
        md_value_change=md_value_change,
        target=target,
        change_summary=change_summary,
        outcome_md=outcome_md,
    )
    env.globals.update(
        BANNER_WORDS=BANNER_WORDS, ACTION_LABELS=ACTION_LABELS, SYMBOLS=SYMBOLS, FOLD_OVER=FOLD_OVER, plural=plural
    )
    from tak_gitops.adapters import render_impact

    render_impact.register(env)
    return env
