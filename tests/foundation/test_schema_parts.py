"""The JSON Schema builders the order and plan schemas are written in: exact fragments."""

from __future__ import annotations

from tak_gitops.core.schema_parts import array_of, fields, record, ref


def test_ref_points_into_defs() -> None:
    assert ref("digest") == {"$ref": "#/$defs/digest"}


def test_array_of_keeps_the_constraints() -> None:
    assert array_of(ref("change"), minItems=1) == {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/change"}}


def test_record_requires_every_property_in_declaration_order_but_the_optional_ones() -> None:
    text = {"type": "string"}
    assert record({"code": text, "path": text, "message": text}, optional=("path",)) == {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": text, "path": text, "message": text},
    }


def test_closed_fields_forbid_other_keys_and_carry_no_type() -> None:
    assert fields({"action": {"const": "add-routing"}}, closed=True) == {
        "required": ["action"],
        "properties": {"action": {"const": "add-routing"}},
        "additionalProperties": False,
    }
