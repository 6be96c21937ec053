"""Helpers for planner tests: every plan document a test makes is validated against the JSON Schema."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema

from tak_gitops.core.plan import Plan, verify_checksum
from tests.conftest import ROOT


@functools.lru_cache(maxsize=1)
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def document(plan: Plan) -> dict[str, Any]:
    """The plan's document, checked against the schema and its own checksum."""
    doc = plan.to_document()
    validator().validate(doc)
    assert verify_checksum(doc)
    return doc


def actions(plan: Plan) -> list[tuple[str, str, tuple[str, ...]]]:
    """(order id, action, key) of every change, in plan order."""
    return [(o.id, c.action, c.key) for o in plan.orders for c in o.changes]
