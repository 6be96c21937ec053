"""The JSON Schema of a BS JSON order as tak-gitops writes it (stricter than what TAK-web accepts).

`tak-gitops schema` writes it to ``schemas/order.schema.json``.
"""

from __future__ import annotations

from typing import Any

from tak_gitops.core.schema_parts import array_of, record, ref

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tak-gitops/schemas/order.schema.json",
    "title": "BS JSON order (JSON-beställning) as tak-gitops writes it",
    "description": "The strict shape of the orders tak-gitops itself writes: every key present, numbers as "
    "numbers, no null sections. TAK-web accepts more (string formatVersion and version, null or missing sections "
    "and kommentar); to check any order the way TAK-web will, use `tak-gitops sim try`. Like TAK-web's parser it "
    "rejects unknown keys anywhere, so every object forbids additional properties. Time stamps are "
    "yyyy-MM-ddTHH:mm:ss followed by an offset without a colon.",
    **record(
        {
            "plattform": {"type": "string", "minLength": 1, "pattern": "^\\S+$"},
            "formatVersion": {"type": "number", "const": 1.0},
            "version": {"type": "integer", "const": 1},
            "bestallningsTidpunkt": ref("timestamp"),
            "genomforandeTidpunkt": ref("timestamp"),
            "utforare": {"type": "string", "minLength": 1, "maxLength": 255},
            "kommentar": {"type": "string", "maxLength": 254, "pattern": "^[^\\r\\n]*$"},
            "inkludera": ref("section"),
            "exkludera": ref("section"),
        },
        closed=True,
    ),
    "$defs": {
        "timestamp": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}$",
        },
        "hsaId": {"type": "string", "pattern": "^[0-9A-Z_-]{1,255}$"},
        "address": {"type": "string", "pattern": "^(\\*|[0-9A-Z_-]{1,255})$"},
        "namespace": {"type": "string", "pattern": "^[0-9a-zA-Z_.:-]{1,255}$"},
        "url": {"type": "string", "pattern": "^[0-9a-zA-Z_.:/\\-?&]{5,255}$"},
        "description": {"type": "string", "minLength": 1, "maxLength": 255},
        "section": record(
            {
                "tjanstekomponenter": array_of(
                    record({"hsaId": ref("hsaId"), "beskrivning": ref("description")}, closed=True)
                ),
                "tjanstekontrakt": array_of(
                    record(
                        {
                            "namnrymd": ref("namespace"),
                            "beskrivning": ref("description"),
                            "majorVersion": {"type": "integer", "minimum": 0},
                        },
                        closed=True,
                    )
                ),
                "logiskadresser": array_of(
                    record({"hsaId": ref("address"), "beskrivning": ref("description")}, closed=True)
                ),
                "anropsbehorigheter": array_of(
                    record(
                        {
                            "logiskAdress": ref("address"),
                            "tjanstekontrakt": ref("namespace"),
                            "tjanstekonsument": ref("hsaId"),
                        },
                        closed=True,
                    )
                ),
                "vagval": array_of(
                    record(
                        {
                            "logiskAdress": ref("address"),
                            "tjanstekontrakt": ref("namespace"),
                            "tjanstekomponent": ref("hsaId"),
                            "rivtaprofil": {"type": "string", "pattern": "^\\S{1,255}$"},
                            "adress": ref("url"),
                        },
                        closed=True,
                    )
                ),
            },
            closed=True,
        ),
    },
}
