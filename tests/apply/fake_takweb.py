"""A small server that behaves like TAK-web's order import, on 127.0.0.1, with fault injection.

* ``POST /tak-web/auth/login`` (form ``username``, ``password``): 302 to ``/tak-web/`` with a JSESSIONID
  cookie, or 302 to ``/tak-web/auth/login?error``.
* ``POST /tak-web/rest/create``: without a session, 302 to the login form. Otherwise URL-decodes the body,
  keeps the text from the first ``{`` to the last ``}``, parses it strictly (unknown keys and bad time stamps are
  ``JsonBestallning ERROR:::``), checks ``plattform`` and answers a report as TAK-web words it. Nothing is
  executed, but the server remembers routings and authorizations it reported, so a second identical order
  reports ``Uppdaterad`` and ends of unknown rows ``Existerar ej``.
* ``POST /orders`` (the ``http`` submitter): JSON in, ``201 {"ticket": "TSK-<n>"}`` out.

``faults`` is a list consumed one per order request (create or /orders): ``None`` (normal), ``"500"``,
``"502"``, ``"503"``, ``"504"``, ``"429"``, ``"timeout"`` (read the body, then stay silent), ``"drop"`` (read
the body, then close the connection), ``"error"`` (validation errors), ``"runtime"``, ``"hold"`` (read the
body, then wait for ``release``; the order counts as received but is not answered).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
import threading
import urllib.parse
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOP_KEYS = {
    "plattform",
    "formatVersion",
    "version",
    "bestallningsTidpunkt",
    "genomforandeTidpunkt",
    "utforare",
    "kommentar",
    "inkludera",
    "exkludera",
}
ITEM_KEYS = {
    "tjanstekomponenter": {"hsaId", "beskrivning"},
    "tjanstekontrakt": {"namnrymd", "beskrivning", "majorVersion"},
    "logiskadresser": {"hsaId", "beskrivning"},
    "anropsbehorigheter": {"logiskAdress", "tjanstekontrakt", "tjanstekonsument"},
    "vagval": {"logiskAdress", "tjanstekontrakt", "tjanstekomponent", "rivtaprofil", "adress"},
}
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$")
GROUP_TITLES = (
    ("logiskadresser", "Logiska adresser"),
    ("tjanstekomponenter", "Tjänstekomponenter"),
    ("tjanstekontrakt", "Tjänstekontrakt"),
    ("anropsbehorigheter", "Anropsbehörigheter"),
    ("vagval", "Vägval"),
)


class FakeTakWeb:
    """The server and what it saw. Use as a context manager; ``base_url`` is ``http://127.0.0.1:<port>/tak-web``."""

    def __init__(
        self,
        *,
        plattform: str = "NTJP-PROD",
        username: str = "tak-gitops",
        password: str = "s3cret",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.plattform = plattform
        self.username = username
        self.password = password
        self.faults: list[str | None] = []
        self.received: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.logins = 0
        self.sessions: set[str] = set()
        self.routings: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.authorizations: set[tuple[str, str, str]] = set()
        self.release = threading.Event()
        self.got_order = threading.Condition()
        self.lock = threading.Lock()
        self.timeout_seconds = 5.0
        self.tickets = 0
        self.idempotency_keys: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.scheme = "http"
        self.client_subjects: list[str] = []
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}/tak-web"

    @property
    def orders_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}/orders"

    def __enter__(self) -> FakeTakWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_for_orders(self, count: int, timeout: float = 10.0) -> bool:
        with self.got_order:
            return self.got_order.wait_for(lambda: len(self.received) >= count, timeout)

    def kommentars(self) -> list[str]:
        return [str(o.get("kommentar")) for o in self.received]

    def _next_fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def _note(self, order: dict[str, Any], raw: bytes) -> None:
        with self.got_order:
            self.received.append(order)
            self.raw_bodies.append(raw)
            self.got_order.notify_all()

    # -- the report ----------------------------------------------------------------------------------------

    def validate(self, order: Any) -> list[str]:
        if not isinstance(order, dict) or set(order) - TOP_KEYS:
            return ["{}"]
        for stamp in ("bestallningsTidpunkt", "genomforandeTidpunkt"):
            if not TS.match(str(order.get(stamp, ""))):
                return ["{}"]
        for section in ("inkludera", "exkludera"):
            body = order.get(section) or {}
            if set(body) - set(ITEM_KEYS):
                return ["{}"]
            for array, keys in ITEM_KEYS.items():
                for item in body.get(array) or ():
                    if set(item) - keys:
                        return ["{}"]
        if order.get("plattform") != self.plattform:
            return [
                f"Beställningen avser plattform {order.get('plattform')}, men den här instansen av tak-web "
                f"hanterar {self.plattform}."
            ]
        return []

    def report(self, order: dict[str, Any]) -> str:
        day = dt.date.fromisoformat(order["genomforandeTidpunkt"][:10])
        period = f"({day.isoformat()} - {day.replace(year=day.year + 100).isoformat()})"
        out = [
            f"Plattform: {order['plattform']}",
            f"Format Version: {order.get('formatVersion')}",
            f"Version: {order.get('version')}",
            f"Beställningstidpunkt: {order['bestallningsTidpunkt']}",
            f"Genomförandetidpunkt: {order['genomforandeTidpunkt']}",
            f"Utförare: {order.get('utforare', '')}",
            f"Kommentar: {order.get('kommentar', '')}",
            "",
        ]
        for section in ("inkludera", "exkludera"):
            body = order.get(section) or {}
            if not any(body.get(a) for a, _ in GROUP_TITLES):
                continue
            out.append(f"{section.capitalize()}:")
            for array, title in GROUP_TITLES:
                items = body.get(array) or ()
                if not items or (section == "exkludera" and array not in ("anropsbehorigheter", "vagval")):
                    continue
                out.append(f"{title}:")
                for item in items:
                    out.extend(self._lines(section, array, item, period))
            out.append("")
        return "\n".join(out)

    def _lines(self, section: str, array: str, item: dict[str, Any], period: str) -> list[str]:
        with self.lock:
            if array in ("logiskadresser", "tjanstekomponenter"):
                return [f"Nyskapad: {item['hsaId'].upper()} - {item['beskrivning']}"]
            if array == "tjanstekontrakt":
                return [f"Nyskapad: {item['namnrymd']} - {item['beskrivning']}"]
            if array == "anropsbehorigheter":
                key = (item["tjanstekonsument"].upper(), item["logiskAdress"].upper(), item["tjanstekontrakt"])
                text = f"{key[1]} - {key[0]} - {key[2]} {period}"
                if section == "exkludera":
                    if key in self.authorizations:
                        self.authorizations.discard(key)
                        return [f"Deaktiverad: {text}"]
                    return [f"Existerar ej: {text}"]
                status = "Uppdaterad" if key in self.authorizations else "Nyskapad"
                self.authorizations.add(key)
                return [f"{status}: {text}"]
            rkey = (item["logiskAdress"].upper(), item["tjanstekontrakt"])
            value = (item["tjanstekomponent"].upper(), item["adress"], item["rivtaprofil"])
            text = f"{rkey[0]} - {rkey[1]} - {value[0]} - {value[2]} - {value[1]} {period}"
            old = self.routings.get(rkey)
            if section == "exkludera":
                if old is None:
                    return [f"Existerar ej: {text}"]
                del self.routings[rkey]
                return [f"Deaktiverad: {text}"]
            self.routings[rkey] = value
            if old is None:
                return [f"Nyskapad: {text}"]
            if old == value:
                return [f"Uppdaterad: {text}"]
            return [f"Deaktiverad: {rkey[0]} - {rkey[1]} - {old[0]} - {old[2]} - {old[1]}", f"Nyskapad: {text}"]

    # -- HTTP -------------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _answer(
                self,
                status: int,
                body: str = "",
                headers: dict[str, str] | None = None,
                content_type: str = "text/plain;charset=UTF-8",
            ) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _session(self) -> bool:
                cookie = SimpleCookie(self.headers.get("Cookie") or "")
                morsel = cookie.get("JSESSIONID")
                return morsel is not None and morsel.value in fake.sessions

            def _fault(self, fault: str | None) -> bool:
                """Apply a fault after the body was read. True when the request was handled by the fault."""
                if fault is None:
                    return False
                if fault.isdigit():
                    self._answer(int(fault), f"HTTP {fault} from the fake TAK-web")
                    return True
                if fault == "timeout":
                    fake.release.wait(fake.timeout_seconds)
                    self.close_connection = True
                    return True
                if fault in ("drop", "hold"):
                    if fault == "hold":
                        fake.release.wait(60)
                    self.close_connection = True
                    self.connection.close()
                    return True
                if fault == "error":
                    self._answer(
                        200,
                        "JsonBestallning ERROR:::\nSkapa Vägval: RivTaProfil med namn = RIVTABP99 "
                        "finns inte.\nSkapa Vägval: Logisk Adress med HSAId = SE2321000099-E123 finns inte.",
                    )
                    return True
                if fault == "runtime":
                    self._answer(
                        200,
                        "RUNTIME ERROR:::\norg.hibernate.exception.LockAcquisitionException: "
                        "could not execute statement",
                    )
                    return True
                raise AssertionError(f"unknown fault {fault}")

            def do_POST(self) -> None:  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                raw = self._body()
                peer = getattr(self.connection, "getpeercert", None)
                if peer is not None:
                    cert = peer() or {}
                    subject = dict(x[0] for x in cert.get("subject", ()))
                    fake.client_subjects.append(str(subject.get("commonName", "")))
                if path == "/tak-web/auth/login":
                    form = urllib.parse.parse_qs(raw.decode("utf-8"))
                    fake.logins += 1
                    if form.get("username") == [fake.username] and form.get("password") == [fake.password]:
                        token = f"S{fake.logins:04d}"
                        fake.sessions.add(token)
                        self._answer(
                            302, "", {"Location": "/tak-web/", "Set-Cookie": f"JSESSIONID={token}; Path=/tak-web"}
                        )
                    else:
                        self._answer(302, "", {"Location": "/tak-web/auth/login?error"})
                    return
                if path == "/tak-web/rest/create":
                    if not self._session():
                        self._answer(302, "", {"Location": "/tak-web/auth/login"})
                        return
                    text = urllib.parse.unquote_plus(raw.decode("ascii", "replace"))
                    start, end = text.find("{"), text.rfind("}")
                    try:
                        order = json.loads(text[start : end + 1]) if start >= 0 else None
                    except json.JSONDecodeError:
                        order = None
                    fault = fake._next_fault()
                    if fault is None or not fault.isdigit() or fault in ("500", "504"):
                        fake._note(order if isinstance(order, dict) else {"unparsed": text}, raw)
                    if self._fault(fault):
                        return
                    errors = fake.validate(order)
                    if errors:
                        self._answer(200, "JsonBestallning ERROR:::\n" + "\n".join(errors))
                        return
                    assert isinstance(order, dict)
                    self._answer(200, fake.report(order))
                    return
                if path == "/orders":
                    fault = fake._next_fault()
                    if fault is None or not fault.isdigit() or fault in ("500", "504"):
                        fake._note(json.loads(raw), raw)
                        fake.idempotency_keys.append(self.headers.get("Idempotency-Key") or "")
                    if self._fault(fault):
                        return
                    with fake.lock:
                        fake.tickets += 1
                        ticket = f"TSK-{20000 + fake.tickets}"
                    self._answer(201, json.dumps({"ticket": ticket}), content_type="application/json")
                    return
                self._answer(404, "not found")

        return Handler
