"""The end-to-end loop's pieces: a reference TAK on 127.0.0.1, a desired-state repository pointing at it, the
CLI run in-process, publishing as a TAK administrator, and what the TAK received."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from tak_gitops.cli import main
from tak_gitops.core.orders import idempotency_key
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.db import Database
from tak_gitops.sim.files import seed_file
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import FaultPlan, SimConfig, SimServer

REPO = Path(__file__).resolve().parents[2]
PROD = "NTJP-PROD"
WEB_USER, WEB_PASSWORD = "tak-gitops", "s3cret"
API_USER, API_PASSWORD = "reader", "r3ad"
CREDENTIALS = {
    "TAK_WEB_USERNAME": WEB_USER,
    "TAK_WEB_PASSWORD": WEB_PASSWORD,
    "TAK_API_USERNAME": API_USER,
    "TAK_API_PASSWORD": API_PASSWORD,
}
HSA_FILE = REPO / "examples" / "hsa" / "hsacache.xml"
EXAMPLE_PV = REPO / "examples" / "ntjp-prod-pubversion.json"


def sim_config(*, plattform: str = PROD, platform: str = "NTJP", environment: str = "PROD") -> SimConfig:
    """A reference TAK with one TAK-web user (who submits and publishes) and one TAK-api reader."""
    return SimConfig(
        plattform=plattform,
        platform=platform,
        environment=environment,
        users={WEB_USER: WEB_PASSWORD},
        api_users={API_USER: API_PASSWORD},
    )


@contextlib.contextmanager
def serving(config: SimConfig) -> Iterator[SimServer]:
    """A reference TAK on 127.0.0.1:<free port>, on an empty database until :func:`reset` seeds one."""
    with SimServer(Database(":memory:"), config) as sim:
        yield sim


def example_db() -> Database:
    """The bundled example TAK (its published-version JSON), as `sim serve --seed` loads it."""
    db = Database(":memory:")
    seed_file(db, EXAMPLE_PV, moment=dt.datetime.now(dt.UTC))
    return db


def snapshot_db(snapshot: Snapshot) -> Database:
    db = Database(":memory:")
    seed_from_snapshot(db, snapshot, moment=dt.datetime.now(dt.UTC))
    return db


def reset(sim: SimServer, db: Database, faults: FaultPlan | None = None) -> None:
    old = sim.state.db
    sim.state.reset(db, faults)
    old.close()


def write_example_repo(root: Path, sim: SimServer, *, timeout: float = 5.0) -> Path:
    """The bundled example repository (desired/, ownership.yaml, tak-gitops.yaml) under ``root``, with
    NTJP-PROD's submitter set to the reference TAK-web and the TAK-api base URL to the reference TAK-api."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "desired", root / "desired")
    shutil.copy(REPO / "ownership.yaml", root / "ownership.yaml")
    config = (REPO / "tak-gitops.yaml").read_text("utf-8")
    submit = (
        f"submit: {{kind: tak-web, url: '{sim.tak_web_url}', timeout_seconds: {timeout}, max_attempts: 2, "
        "username_env: TAK_WEB_USERNAME, password_env: TAK_WEB_PASSWORD}"
    )
    api = f'tak_api: {{base_url: "{sim.tak_api_url}", timeout_seconds: {timeout}, max_attempts: 2}}'
    for old, new in (
        ("submit: {kind: files, out_dir: out/orders}", submit),
        ('tak_api: {base_url: "https://api.ntjp.se/coop/api/v2"}', api),
    ):
        assert config.count(old) == 1, old
        config = config.replace(old, new)
    (root / "tak-gitops.yaml").write_text(config, encoding="utf-8")
    return root


def run(args: list[str]) -> tuple[int, str, str]:
    """`tak-gitops ARGS` in-process, as the console script runs it; returns (exit code, stdout, stderr)."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    code: Any = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code
    stdout.flush()
    stderr.flush()
    return (code if isinstance(code, int) else 1), out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def publish(sim: SimServer, user: str = WEB_USER, password: str = WEB_PASSWORD) -> httpx.Response:
    """What a TAK administrator does in TAK-web: log in and publish the user's pending changes."""
    with httpx.Client(base_url=sim.tak_web_url, timeout=10) as web:
        login = web.post("/auth/login", data={"username": user, "password": password})
        assert login.status_code == 302 and login.headers["location"] == "/tak-web/", login
        return web.post("/pubversion/create")


def received_keys(sim: SimServer, env: str) -> Counter[str]:
    """The idempotency key of every order the reference TAK executed (by content), with how often."""
    keys: Counter[str] = Counter()
    for order in sim.state.received:
        if order.executed:
            text = order.text[order.text.index("{") : order.text.rindex("}") + 1]
            doc = orjson.loads(text)
            keys[idempotency_key(env, doc["plattform"], doc["inkludera"], doc["exkludera"])] += 1
    return keys


def wait_for_orders(sim: SimServer, count: int, timeout: float = 10.0) -> None:
    """Wait until the reference TAK has handled ``count`` orders (a delayed one finishes after the client left)."""
    deadline = time.monotonic() + timeout
    while len(sim.state.received) < count:
        assert time.monotonic() < deadline, f"the reference TAK handled {len(sim.state.received)} order(s), not {count}"
        time.sleep(0.02)


def ledger_records(root: Path, env: str = PROD) -> list[dict[str, Any]]:
    """Every ledger file, parsed strictly (intact JSON, one object each), sorted by order id."""
    records = []
    directory = root / "orders" / env
    leftovers = sorted(p.name for p in directory.iterdir() if not p.name.endswith(".json") and p.name != ".lock")
    assert leftovers == [], f"temporary files left in the ledger: {leftovers}"
    for path in sorted(directory.glob("*.json")):
        data = orjson.loads(path.read_bytes())
        assert isinstance(data, dict) and data["order_id"] == path.stem
        records.append(data)
    return records
