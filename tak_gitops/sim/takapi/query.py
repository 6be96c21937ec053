"""Reading a TAK-api request's query parameters, and the API's error answer (RFC 7807 problem JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tak_gitops.sim.takapi.model import Model

Query = Mapping[str, list[str]]


class ApiError(Exception):
    """An HTTP error answer of the API."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(detail)

    def body(self, path: str) -> dict[str, Any]:
        titles = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable"}
        return {
            "type": "about:blank",
            "title": titles.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "instance": path,
        }


def param(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def id_param(query: Query, name: str) -> int | None:
    """A numeric id parameter (None when absent or empty); anything else is a 400."""
    value = param(query, name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ApiError(400, f"Failed to convert value of parameter '{name}' to a number: {value}")
    return int(value)


def id_params(query: Query, *names: str) -> tuple[int | None, ...]:
    """Several id parameters, read (and refused) in the order named."""
    return tuple(id_param(query, name) for name in names)


def includes(query: Query) -> set[str]:
    raw = ",".join(query.get("include", []))
    return {part.strip() for part in raw.split(",") if part.strip()}


def cp_ok(model: Model, query: Query) -> bool:
    """False when ``connectionPointId`` names another connection point than this TAK's."""
    cp = id_param(query, "connectionPointId")
    return cp is None or cp == model.connection_point["id"]
