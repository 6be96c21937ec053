"""What one running reference TAK holds: its configuration, database, sessions, order log and TAK-api cache."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from tak_gitops.sim import publish as publishing
from tak_gitops.sim.clock import DEFAULT_ZONE, Clock, SystemClock, today
from tak_gitops.sim.db import Database
from tak_gitops.sim.server.faults import FaultPlan
from tak_gitops.sim.takapi import Model, TakApi, build_model


@dataclass(frozen=True)
class ReceivedOrder:
    """One order ``/tak-web/rest/create`` handled: who sent it, its text (URL-decoded) and whether it ran."""

    user: str
    text: str
    executed: bool
    answer: str


@dataclass
class SimConfig:
    """How one reference TAK is set up: names, users, time and faults."""

    plattform: str = "NTJP-PROD"
    """The order platform TAK-web checks (``tak.platform``)."""
    platform: str = "NTJP"
    """The TAK-api connection point's platform."""
    environment: str = "PROD"
    users: Mapping[str, str] = field(default_factory=lambda: {"admin": "admin"})
    """TAK-web users: name -> password."""
    api_users: Mapping[str, str] = field(default_factory=lambda: {"api": "api"})
    """TAK-api Basic-auth users: name -> password."""
    clock: Clock = field(default_factory=SystemClock)
    zone: tzinfo = DEFAULT_ZONE
    faults: FaultPlan = field(default_factory=FaultPlan)
    csrf: bool = False
    """Enforce TAK-web's CSRF tokens (:mod:`tak_gitops.sim.server.csrf`)."""


class SimState:
    """Everything the request handlers share: the database, the config, sessions and the API model cache."""

    def __init__(self, db: Database, config: SimConfig) -> None:
        self.db = db
        self.config = config
        self.sessions: dict[str, str] = {}
        self._lock = threading.Lock()
        self._model_key: tuple[int, str] | None = None
        self._model: Model | None = None
        self.csrf_tokens: dict[str, str] = {}
        """Session id (logged in or not) -> its CSRF token."""
        self.received: list[ReceivedOrder] = []
        """Every order that reached execution, in arrival order (not those an injected fault swallowed)."""

    def reset(self, db: Database, faults: FaultPlan | None = None) -> None:
        """Start over on another database (and fault plan): sessions, the order log and the API cache are
        dropped. Tests use it to run many worlds through one server."""
        with self._lock:
            self.db = db
            self.config.faults = faults if faults is not None else FaultPlan()
            self.sessions.clear()
            self.csrf_tokens.clear()
            self.received.clear()
            self._model_key, self._model = None, None

    def record(self, order: ReceivedOrder) -> None:
        with self._lock:
            self.received.append(order)

    def login(self, username: str, password: str, previous: str | None = None) -> str | None:
        """A new session for the user (the ``previous`` one and its CSRF token end), or None."""
        expected = self.config.users.get(username)
        if expected is None or not secrets.compare_digest(expected.encode(), password.encode()):
            return None
        token = secrets.token_hex(16)
        with self._lock:
            if previous is not None:
                self.sessions.pop(previous, None)
                self.csrf_tokens.pop(previous, None)
            self.sessions[token] = username
        return token

    def csrf_token(self, session: str) -> str:
        """The session's CSRF token, made on first use."""
        with self._lock:
            return self.csrf_tokens.setdefault(session, secrets.token_urlsafe(24))

    def csrf_valid(self, session: str | None, sent: str) -> bool:
        with self._lock:
            expected = None if session is None else self.csrf_tokens.get(session)
        return expected is not None and bool(sent) and secrets.compare_digest(expected.encode(), sent.encode())

    def api(self) -> TakApi | None:
        """The TAK-api over the latest published version on today's date (None before any publication)."""
        day = today(self.config.clock, self.config.zone)
        with self.db.transaction() as conn:
            version = publishing.latest_version(conn)
            if version is None:
                return None
            key = (version, day.isoformat())
            with self._lock:
                if self._model_key == key and self._model is not None:
                    return TakApi(self._model)
            doc = publishing.load_document(conn, version)
        assert doc is not None
        model = build_model(
            doc, platform=self.config.platform, environment=self.config.environment, today=day, zone=self.config.zone
        )
        with self._lock:
            self._model_key, self._model = key, model
        return TakApi(model)
