"""The JSON Schema of the plan document (`plan --out plan.json`, docs/plan-format.md).

`tak-gitops schema` writes it to ``schemas/plan.schema.json``.
"""

from __future__ import annotations

from typing import Any

from tak_gitops.core.schema_parts import array_of, fields, record, ref

_TEXT: dict[str, Any] = {"type": "string"}
_OPTIONAL_TEXT: dict[str, Any] = {"type": ["string", "null"]}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_CALL_ACTIONS = ["add-routing", "change-routing", "remove-routing", "add-authorization", "remove-authorization"]
"""The actions that change what a call resolves to (the impact's ``because``)."""
_IMPACT_KINDS = ["breaks", "moves", "fails-otherwise", "heals"]
_ROUTING_PARTS = ["producer", "url", "profile"]
_ROUTING_KEY: dict[str, Any] = {"address": _TEXT, "contract": _TEXT}


def _change(action: dict[str, Any], **properties: dict[str, Any]) -> dict[str, Any]:
    """One kind of change in an order: its ``action`` and exactly these other keys, all required."""
    return fields({"action": action, **properties}, closed=True)


PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tak-gitops.example/schemas/plan.schema.json",
    "title": "tak-gitops plan",
    "description": "The plan document written by `tak-gitops plan --out plan.json` (docs/plan-format.md). "
    "Version 1.x: minor versions only add fields.",
    **record(
        {
            "format": {"const": "tak-gitops-plan"},
            "format_version": {"type": "string", "pattern": "^1\\.[0-9]+$"},
            "environment": {"type": "string", "minLength": 1},
            "plattform": {"type": "string", "minLength": 1},
            "organisations": array_of(_TEXT),
            "inputs": record(
                {
                    "desired_digest": ref("digest"),
                    "snapshot_digest": ref("digest"),
                    "snapshot_time": _OPTIONAL_TEXT,
                    "snapshot_source": _TEXT,
                    "hsa_digest": {"oneOf": [ref("digest"), {"type": "null"}]},
                    "pending_digest": ref("digest"),
                    "acknowledged_by_flags": array_of(_TEXT, minItems=1),
                },
                optional=("acknowledged_by_flags",),
            ),
            "status": {"enum": ["no-changes", "changes", "refused"]},
            "summary": {
                "type": "object",
                "required": [
                    *_CALL_ACTIONS,
                    "add-logical-address",
                    "add-system",
                    "add-contract",
                    "orders",
                    "manual_steps",
                    "pending",
                    "cascades",
                    "warnings",
                    "errors",
                ],
                "additionalProperties": _COUNT,
            },
            "refusals": array_of(
                record(
                    {
                        "guard": {"enum": ["removals", "cascade", "empty-snapshot"]},
                        "org": _OPTIONAL_TEXT,
                        "message": _TEXT,
                        "acknowledge": _TEXT,
                    }
                )
            ),
            "errors": array_of(ref("finding")),
            "orders": array_of(
                record(
                    {
                        "id": {"type": "string", "pattern": "^w[1-4]-"},
                        "wave": {"type": "integer", "minimum": 1, "maximum": 4},
                        "kind": {"enum": ["producer", "consumer", "remove-authorizations", "remove-routings"]},
                        "org": _TEXT,
                        "system": _TEXT,
                        "comment": _OPTIONAL_TEXT,
                        "change_date": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                        "changes": array_of(ref("change"), minItems=1),
                    }
                )
            ),
            "cascades": array_of(
                record(
                    {
                        "kind": {"enum": ["routing", "authorization"]},
                        "change": {"enum": ["add", "change", "remove"]},
                        "address": _TEXT,
                        "contract": _TEXT,
                        "consumer": _OPTIONAL_TEXT,
                        "org": _TEXT,
                        "source": {"enum": ["hsa-file", "desired-files", "description-prefix"]},
                        "acknowledged": {"type": "boolean"},
                        "needs_acknowledgement": {"type": "boolean"},
                        "descendants": array_of(
                            record(
                                {
                                    "address": _TEXT,
                                    "name": _OPTIONAL_TEXT,
                                    "today": _OPTIONAL_TEXT,
                                    "after": _OPTIONAL_TEXT,
                                }
                            )
                        ),
                    }
                )
            ),
            "manual_steps": array_of(
                record(
                    {
                        "kind": {
                            "enum": ["rename-logical-address", "change-system-description", "remove-logical-address"]
                        },
                        "hsa_id": _TEXT,
                        "current": _OPTIONAL_TEXT,
                        "desired": _OPTIONAL_TEXT,
                        "org": _TEXT,
                        "message": _TEXT,
                    }
                )
            ),
            "pending": array_of(
                record(
                    {
                        "order_id": _TEXT,
                        "state": _TEXT,
                        "ticket": _OPTIONAL_TEXT,
                        "submitted_at": _OPTIONAL_TEXT,
                        "lines": _COUNT,
                        "held": array_of(ref("change")),
                    }
                )
            ),
            "warnings": array_of(ref("finding")),
            "impact": {
                "description": "What the plan does to calls: every (consumer, contract, address) "
                "whose VP outcome its orders change",
                **record(
                    {
                        "considered": _COUNT,
                        "counts": record({kind: _COUNT for kind in _IMPACT_KINDS}, closed=True),
                        "calls": array_of(
                            record(
                                {
                                    "consumer": _TEXT,
                                    "consumer_name": _OPTIONAL_TEXT,
                                    "contract": _TEXT,
                                    "address": _TEXT,
                                    "address_name": _OPTIONAL_TEXT,
                                    "kind": {"enum": _IMPACT_KINDS},
                                    "direct": {"type": "boolean"},
                                    "before": ref("outcome"),
                                    "after": ref("outcome"),
                                    "because": array_of(
                                        record(
                                            {
                                                "action": {"enum": _CALL_ACTIONS},
                                                "key": array_of(_TEXT),
                                                "address": _TEXT,
                                                "address_name": _OPTIONAL_TEXT,
                                            },
                                            closed=True,
                                        ),
                                        minItems=1,
                                    ),
                                },
                                closed=True,
                            )
                        ),
                    },
                    closed=True,
                ),
            },
            "names": {
                "description": "Readable names of the ids the plan mentions (since 1.2): system and logical "
                "address HSA-id -> name.",
                **record(
                    {
                        "systems": {"type": "object", "additionalProperties": _TEXT},
                        "addresses": {"type": "object", "additionalProperties": _TEXT},
                    },
                    closed=True,
                ),
            },
            "checksum": ref("digest"),
        },
        optional=("impact", "names"),
    ),
    "$defs": {
        "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        "outcome": record(
            {
                "outcome": {"enum": ["works", "VP004", "VP006", "VP007"]},
                "producer": _TEXT,
                "url": _TEXT,
                "profile": _TEXT,
            },
            optional=("producer", "url", "profile"),
            closed=True,
        ),
        "finding": record(
            {
                "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
                "message": _TEXT,
                "org": _OPTIONAL_TEXT,
                "path": _TEXT,
                "line": {"type": ["integer", "null"]},
                "col": {"type": ["integer", "null"]},
            },
            optional=("path", "line", "col"),
        ),
        "value": record({part: _TEXT for part in _ROUTING_PARTS}, closed=True),
        "change": {
            "type": "object",
            "required": ["action"],
            "oneOf": [
                _change({"enum": ["add-logical-address", "add-system"]}, hsa_id=_TEXT, description=_OPTIONAL_TEXT),
                _change(
                    {"const": "add-contract"},
                    namespace=_TEXT,
                    description=_OPTIONAL_TEXT,
                    major={"type": ["integer", "null"]},
                ),
                _change({"const": "add-routing"}, **_ROUTING_KEY, after=ref("value")),
                _change(
                    {"const": "change-routing"},
                    **_ROUTING_KEY,
                    before=ref("value"),
                    after=ref("value"),
                    changed=array_of({"enum": _ROUTING_PARTS}, minItems=1),
                ),
                _change({"const": "remove-routing"}, **_ROUTING_KEY, before=ref("value")),
                _change({"enum": ["add-authorization", "remove-authorization"]}, consumer=_TEXT, **_ROUTING_KEY),
            ],
        },
    },
}
