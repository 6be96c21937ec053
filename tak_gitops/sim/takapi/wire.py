"""How the TAK-api writes values: its URL obfuscation and Jackson's ``NON_EMPTY`` field omission."""

from __future__ import annotations

from typing import Any

_DOTS = "...."


def obfuscate(original: str) -> str:
    """Hide most of a URL as the TAK-api does: keep the scheme, the last 6 characters of the host, the port
    and the last path segment. ``https://abcdefghij.se:443/adapter/npo/npo/v1`` → ``https://....hij.se....443..../v1``."""
    slashes = original.find("//")
    if slashes < 0:
        return original
    out = [original[: slashes + 2], _DOTS]
    rest = original[slashes + 2 :]
    colon = rest.find(":")
    slash = rest.find("/")
    if colon > 0:
        out.append(rest[max(colon - 6, 0) : colon])
        out.append(_DOTS)
        if slash > 0:
            if slash < colon + 1:  # Java's substring would throw: the original is returned
                return original
            out.append(rest[colon + 1 : slash])
        else:
            out.append(rest[colon + 1 :])
    elif slash > 0:
        out.append(rest[max(slash - 6, 0) : slash])
    else:
        if len(rest) < 6:
            return original
        out.append(rest[len(rest) - 6 :])
    last = rest.rfind("/")
    if last > 0 and len(rest) > last + 1:
        out.append(_DOTS)
        out.append(rest[last:])
    return "".join(out)


def non_empty(value: Any) -> Any:
    """Drop null and empty fields recursively (Jackson ``@JsonInclude(NON_EMPTY)``); numbers stay, even 0."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = non_empty(v)
            if v is None or v == "" or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [non_empty(v) for v in value]
    return value
