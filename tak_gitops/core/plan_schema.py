"""The JSON Schema of the plan document (`plan --out plan.json`, docs/plan-format.md).

`tak-gitops schema` writes it to ``schemas/plan.schema.json``.
"""

from __future__ import annotations

from typing import Any

PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tak-gitops.example/schemas/plan.schema.json",
    "title": "tak-gitops plan",
    "description": "The plan document written by `tak-gitops plan --out plan.json` (docs/plan-format.md). "
    "Version 1.x: minor versions only add fields.",
    "type": "object",
    "required": [
        "format",
        "format_version",
        "environment",
        "plattform",
        "organisations",
        "inputs",
        "status",
        "summary",
        "refusals",
        "errors",
        "orders",
        "cascades",
        "manual_steps",
        "pending",
        "warnings",
        "checksum",
    ],
    "properties": {
        "format": {"const": "tak-gitops-plan"},
        "format_version": {"type": "string", "pattern": "^1\\.[0-9]+$"},
        "environment": {"type": "string", "minLength": 1},
        "plattform": {"type": "string", "minLength": 1},
        "organisations": {"type": "array", "items": {"type": "string"}},
        "inputs": {
            "type": "object",
            "required": [
                "desired_digest",
                "snapshot_digest",
                "snapshot_time",
                "snapshot_source",
                "hsa_digest",
                "pending_digest",
            ],
            "properties": {
                "desired_digest": {"$ref": "#/$defs/digest"},
                "snapshot_digest": {"$ref": "#/$defs/digest"},
                "snapshot_time": {"type": ["string", "null"]},
                "snapshot_source": {"type": "string"},
                "hsa_digest": {"oneOf": [{"$ref": "#/$defs/digest"}, {"type": "null"}]},
                "pending_digest": {"$ref": "#/$defs/digest"},
            },
        },
        "status": {"enum": ["no-changes", "changes", "refused"]},
        "summary": {
            "type": "object",
            "required": [
                "add-routing",
                "change-routing",
                "remove-routing",
                "add-authorization",
                "remove-authorization",
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
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "refusals": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["guard", "org", "message", "acknowledge"],
                "properties": {
                    "guard": {"enum": ["removals", "cascade", "empty-snapshot"]},
                    "org": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "acknowledge": {"type": "string"},
                },
            },
        },
        "errors": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        "warnings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        "orders": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "wave", "kind", "org", "system", "comment", "change_date", "changes"],
                "properties": {
                    "id": {"type": "string", "pattern": "^w[1-4]-"},
                    "wave": {"type": "integer", "minimum": 1, "maximum": 4},
                    "kind": {"enum": ["producer", "consumer", "remove-authorizations", "remove-routings"]},
                    "org": {"type": "string"},
                    "system": {"type": "string"},
                    "comment": {"type": ["string", "null"]},
                    "change_date": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                    "changes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/change"}},
                },
            },
        },
        "cascades": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "kind",
                    "change",
                    "address",
                    "contract",
                    "consumer",
                    "org",
                    "source",
                    "acknowledged",
                    "needs_acknowledgement",
                    "descendants",
                ],
                "properties": {
                    "kind": {"enum": ["routing", "authorization"]},
                    "change": {"enum": ["add", "change", "remove"]},
                    "address": {"type": "string"},
                    "contract": {"type": "string"},
                    "consumer": {"type": ["string", "null"]},
                    "org": {"type": "string"},
                    "source": {"enum": ["hsa-file", "desired-files", "description-prefix"]},
                    "acknowledged": {"type": "boolean"},
                    "needs_acknowledgement": {"type": "boolean"},
                    "descendants": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["address", "name", "today", "after"],
                            "properties": {
                                "address": {"type": "string"},
                                "name": {"type": ["string", "null"]},
                                "today": {"type": ["string", "null"]},
                                "after": {"type": ["string", "null"]},
                            },
                        },
                    },
                },
            },
        },
        "manual_steps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "hsa_id", "current", "desired", "org", "message"],
                "properties": {
                    "kind": {"enum": ["rename-logical-address", "change-system-description", "remove-logical-address"]},
                    "hsa_id": {"type": "string"},
                    "current": {"type": ["string", "null"]},
                    "desired": {"type": ["string", "null"]},
                    "org": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "pending": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["order_id", "state", "ticket", "submitted_at", "lines", "held"],
                "properties": {
                    "order_id": {"type": "string"},
                    "state": {"type": "string"},
                    "ticket": {"type": ["string", "null"]},
                    "submitted_at": {"type": ["string", "null"]},
                    "lines": {"type": "integer", "minimum": 0},
                    "held": {"type": "array", "items": {"$ref": "#/$defs/change"}},
                },
            },
        },
        "names": {
            "description": "Readable names of the ids the plan mentions (since 1.2): system and logical address "
            "HSA-id -> name.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "systems": {"type": "object", "additionalProperties": {"type": "string"}},
                "addresses": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "impact": {
            "description": "What the plan does to calls: every (consumer, contract, address) "
            "whose VP outcome its orders change",
            "type": "object",
            "required": ["considered", "counts", "calls"],
            "additionalProperties": False,
            "properties": {
                "considered": {"type": "integer", "minimum": 0},
                "counts": {
                    "type": "object",
                    "required": ["breaks", "moves", "fails-otherwise", "heals"],
                    "additionalProperties": False,
                    "properties": {
                        "breaks": {"type": "integer", "minimum": 0},
                        "moves": {"type": "integer", "minimum": 0},
                        "fails-otherwise": {"type": "integer", "minimum": 0},
                        "heals": {"type": "integer", "minimum": 0},
                    },
                },
                "calls": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "consumer",
                            "consumer_name",
                            "contract",
                            "address",
                            "address_name",
                            "kind",
                            "direct",
                            "before",
                            "after",
                            "because",
                        ],
                        "additionalProperties": False,
                        "properties": {
                            "consumer": {"type": "string"},
                            "consumer_name": {"type": ["string", "null"]},
                            "contract": {"type": "string"},
                            "address": {"type": "string"},
                            "address_name": {"type": ["string", "null"]},
                            "kind": {"enum": ["breaks", "moves", "fails-otherwise", "heals"]},
                            "direct": {"type": "boolean"},
                            "before": {"$ref": "#/$defs/outcome"},
                            "after": {"$ref": "#/$defs/outcome"},
                            "because": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["action", "key", "address", "address_name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "action": {
                                            "enum": [
                                                "add-routing",
                                                "change-routing",
                                                "remove-routing",
                                                "add-authorization",
                                                "remove-authorization",
                                            ]
                                        },
                                        "key": {"type": "array", "items": {"type": "string"}},
                                        "address": {"type": "string"},
                                        "address_name": {"type": ["string", "null"]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "checksum": {"$ref": "#/$defs/digest"},
    },
    "$defs": {
        "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        "outcome": {
            "type": "object",
            "required": ["outcome"],
            "additionalProperties": False,
            "properties": {
                "outcome": {"enum": ["works", "VP004", "VP006", "VP007"]},
                "producer": {"type": "string"},
                "url": {"type": "string"},
                "profile": {"type": "string"},
            },
        },
        "finding": {
            "type": "object",
            "required": ["code", "message", "org"],
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
                "message": {"type": "string"},
                "org": {"type": ["string", "null"]},
                "path": {"type": "string"},
                "line": {"type": ["integer", "null"]},
                "col": {"type": ["integer", "null"]},
            },
        },
        "value": {
            "type": "object",
            "required": ["producer", "url", "profile"],
            "additionalProperties": False,
            "properties": {"producer": {"type": "string"}, "url": {"type": "string"}, "profile": {"type": "string"}},
        },
        "change": {
            "type": "object",
            "required": ["action"],
            "oneOf": [
                {
                    "properties": {
                        "action": {"enum": ["add-logical-address", "add-system"]},
                        "hsa_id": {"type": "string"},
                        "description": {"type": ["string", "null"]},
                    },
                    "required": ["action", "hsa_id", "description"],
                    "additionalProperties": False,
                },
                {
                    "properties": {
                        "action": {"const": "add-contract"},
                        "namespace": {"type": "string"},
                        "description": {"type": ["string", "null"]},
                        "major": {"type": ["integer", "null"]},
                    },
                    "required": ["action", "namespace", "description", "major"],
                    "additionalProperties": False,
                },
                {
                    "properties": {
                        "action": {"const": "add-routing"},
                        "address": {"type": "string"},
                        "contract": {"type": "string"},
                        "after": {"$ref": "#/$defs/value"},
                    },
                    "required": ["action", "address", "contract", "after"],
                    "additionalProperties": False,
                },
                {
                    "properties": {
                        "action": {"const": "change-routing"},
                        "address": {"type": "string"},
                        "contract": {"type": "string"},
                        "before": {"$ref": "#/$defs/value"},
                        "after": {"$ref": "#/$defs/value"},
                        "changed": {"type": "array", "minItems": 1, "items": {"enum": ["producer", "url", "profile"]}},
                    },
                    "required": ["action", "address", "contract", "before", "after", "changed"],
                    "additionalProperties": False,
                },
                {
                    "properties": {
                        "action": {"const": "remove-routing"},
                        "address": {"type": "string"},
                        "contract": {"type": "string"},
                        "before": {"$ref": "#/$defs/value"},
                    },
                    "required": ["action", "address", "contract", "before"],
                    "additionalProperties": False,
                },
                {
                    "properties": {
                        "action": {"enum": ["add-authorization", "remove-authorization"]},
                        "consumer": {"type": "string"},
                        "address": {"type": "string"},
                        "contract": {"type": "string"},
                    },
                    "required": ["action", "consumer", "address", "contract"],
                    "additionalProperties": False,
                },
            ],
        },
    },
}
