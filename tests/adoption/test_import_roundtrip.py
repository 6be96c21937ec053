"""Adoption round trip: importing an organisation's rows and planning right after gives an empty plan."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.sources import read_source
from tak_gitops.adapters.yaml_writer import write_import
from tak_gitops.core.importer import build_import
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Contract, Snapshot

ROOT = Path(__file__).resolve().parents[2]
ENV = "NTJP-PROD"
ORGS = ("inera", "region-sormland", "region-varmland")


def _repo(base: Path, ownership: str | None = None) -> Path:
    repo = base / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "tak-gitops.yaml", repo / "tak-gitops.yaml")
    if ownership is None:
        shutil.copy(ROOT / "ownership.yaml", repo / "ownership.yaml")
    else:
        (repo / "ownership.yaml").write_text(ownership, encoding="utf-8")
    (repo / "desired").mkdir()
    return repo


def _import_all(repo: Path, snapshot: Snapshot, orgs: dict[str, tuple[str, ...]], inline_limit: int) -> None:
    for org, owned in orgs.items():
        result = build_import(snapshot, env=ENV, owned=owned, environments=[ENV], inline_limit=inline_limit)
        write_import(repo / "desired" / org, ENV, result, merge=False, header="imported")


def _plan(repo: Path, snapshot: Snapshot, orgs: list[str] | None = None) -> dict[str, object]:
    loaded = load_desired_or_raise(repo)
    plan = make_plan(loaded.state, snapshot, env=ENV, config=loaded.config, orgs=orgs)
    return plan.to_document()


def test_bundled_example_import_then_plan_is_empty(tmp_path: Path) -> None:
    snapshot = read_source(ROOT / "examples" / "ntjp-prod", platform="NTJP", environment="PROD")
    repo = _repo(tmp_path)
    loaded = load_desired_or_raise(ROOT)
    owned = {org: loaded.ownership.organisations[org].systems for org in ORGS}
    _import_all(repo, snapshot, owned, inline_limit=4)
    doc = _plan(repo, snapshot)
    assert doc["status"] == "no-changes", doc["summary"]
    assert doc["orders"] == []
    assert doc["manual_steps"] == []
    for org in ORGS:
        assert _plan(repo, snapshot, [org])["status"] == "no-changes"


# --- generated snapshots -------------------------------------------------------------------------------------------

_CONTRACTS = (
    "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
    "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1",
    "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2",
    "urn:riv:crm:scheduling:GetBookingDetailsResponder:1",
)
_SYSTEMS = {
    "alpha": ("SE2321000001-P01", "SE2321000001-K01"),
    "beta": ("SE2321000002-P01", "SE2321000002-K01"),
}
_UNOWNED = ("SE2321000099-X01",)
_ALL_SYSTEMS = tuple(s for group in _SYSTEMS.values() for s in group) + _UNOWNED
_ADDRESSES = tuple(f"SE2321000010-E{i:03d}" for i in range(30)) + ("*",)
_NAMES = st.text(alphabet="abcdeåäö ;:-VGE", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def _snapshots(draw: st.DrawFn) -> Snapshot:
    routing_keys = draw(
        st.sets(st.tuples(st.sampled_from(_ADDRESSES), st.sampled_from(_CONTRACTS)), max_size=40)
    )
    routings = []
    for la, ns in sorted(routing_keys):
        producer = draw(st.sampled_from(_ALL_SYSTEMS))
        host = draw(st.sampled_from(("a.example.se", "b.example.se:8443")))
        routings.append(((la, ns), (producer, f"https://{host}/{ns.rsplit(':', 2)[-2]}", "RIVTABP21")))
    auths = draw(
        st.sets(
            st.tuples(st.sampled_from(_ALL_SYSTEMS), st.sampled_from(_ADDRESSES), st.sampled_from(_CONTRACTS)),
            max_size=60,
        )
    )
    names = {la: draw(_NAMES) for la in _ADDRESSES if la != "*"}
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time="2026-11-20T02:31:07+0100",
        source="generated",
        routings=routings,
        authorizations=auths,
        logical_addresses=names,
        systems={s: f"Org -- System {s[-3:]}" for s in _ALL_SYSTEMS},
        contracts=[Contract(ns, ns.rsplit(":", 2)[-2], int(ns.rsplit(":", 1)[-1])) for ns in _CONTRACTS],
    )


def _ownership() -> str:
    lines = ["organisations:"]
    for org, systems in _SYSTEMS.items():
        lines += [f"  {org}:", f"    name: {org.title()}", '    number: "232100-0000"']
        lines.append(f"    systems: [{', '.join(systems)}]")
    return "\n".join(lines) + "\n"


@given(snapshot=_snapshots(), inline_limit=st.sampled_from((0, 3, 50)))
def test_generated_import_then_plan_is_empty(snapshot: Snapshot, inline_limit: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = _repo(Path(tmp), _ownership())
        _import_all(repo, snapshot, dict(_SYSTEMS), inline_limit)
        doc = _plan(repo, snapshot)
        assert doc["status"] == "no-changes", (doc["summary"], doc["errors"], doc["manual_steps"])
        assert doc["orders"] == []
