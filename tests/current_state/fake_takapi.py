"""A small fake TAK-api (cooperation) server on 127.0.0.1 for client tests.

It serves the bundled example TAK (examples/ntjp-prod) the way the real service does: HTTP Basic auth on
``/coop/api/v2/**``, 410 on ``/coop/api/v1/**``, nested objects dropped unless named in ``include``, URLs
obfuscated unless ``include`` names ``physicalAddress``. ``faults[resource]`` is a queue of faults served to the
next requests of that resource: an HTTP status (int), ``"timeout"`` (answer late), ``"drop"`` (close the
connection mid-body) or ``"malformed"`` (200 with broken JSON).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ntjp-prod"
USER, PASSWORD = "tak-reader", "s3cret-Pa55word"
NESTED = ("connectionPoint", "serviceConsumer", "serviceProducer", "logicalAddress", "serviceContract")


def obfuscate(url: str) -> str:
    """Mimic HTTPObfuscatorImpl closely enough: keep scheme, a host tail and the last path part."""
    m = re.match(r"(https?://)([^/:]+)(:\d+)?(/.*)?$", url)
    if not m:
        return "...."
    scheme, host, _port, path = m.groups()
    last = (path or "/").rsplit("/", 1)[-1]
    return f"{scheme}....{host[-6:]}..../{last}"


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    authorized: bool


@dataclass
class FakeTakApi:
    data: dict[str, list[dict[str, Any]]]
    faults: dict[str, list[Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    delay_seconds: float = 1.5
    obfuscate_always: bool = False
    base_url: str = ""

    def count(self, resource: str) -> int:
        return sum(1 for r in self.requests if r.path.endswith("/" + resource))


def load_example() -> dict[str, list[dict[str, Any]]]:
    return {
        name: json.loads((EXAMPLE / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("connectionPoints", "cooperations", "serviceProductions", "installedContracts",
                     "logicalAddresses")
    }


def _handler(state: FakeTakApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            authorized = self.headers.get("Authorization") == expected
            state.requests.append(Request(parts.path, query, authorized))
            if parts.path.startswith("/coop/api/v1/"):
                self._send(410, b"Cooperation API v1 has been closed. Please use v2 instead.", "text/plain")
                return
            if not parts.path.startswith("/coop/api/v2/"):
                self._send(404, b'{"status":404,"error":"Not Found"}')
                return
            if not authorized:
                self._send(401, b'{"status":401,"error":"Unauthorized"}')
                return
            resource = parts.path.removeprefix("/coop/api/v2/")
            queue = state.faults.get(resource)
            fault = queue.pop(0) if queue else None
            if isinstance(fault, int):
                self._send(fault, b'{"status":%d,"error":"injected"}' % fault)
                return
            if fault == "timeout":
                time.sleep(state.delay_seconds)
            if resource not in state.data:
                self._send(404, b'{"status":404,"error":"Not Found"}')
                return
            body = json.dumps(self._rows(resource, query)).encode()
            if fault == "malformed":
                self._send(200, body[: len(body) // 2])
                return
            if fault == "drop":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 3])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(200, body)

        def _rows(self, resource: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
            rows = state.data[resource]
            if resource == "connectionPoints":
                return rows
            if resource not in ("cooperations", "serviceProductions"):
                return rows
            include = set(",".join(query.get("include", [])).split(","))
            out = []
            for row in rows:
                new = {k: v for k, v in row.items() if k not in NESTED or k in include}
                if "physicalAddress" in new and ("physicalAddress" not in include or state.obfuscate_always):
                    new["physicalAddress"] = obfuscate(new["physicalAddress"])
                out.append(new)
            return out

    return Handler


@contextmanager
def serve(state: FakeTakApi | None = None) -> Iterator[FakeTakApi]:
    """Run the fake server on 127.0.0.1 (free port) for the duration of the block."""
    state = state or FakeTakApi(load_example())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/coop/api/v2"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
