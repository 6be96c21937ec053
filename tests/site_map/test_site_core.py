"""The site's pure parts (marks, folding, paging, the search index, file names) and its refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tak_gitops.adapters.site_writer import EnvSite, write_site
from tak_gitops.core.desired import DesiredState, EnvironmentState, Organisation, OrgEnvironment
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.site.lists import Group, fold, split
from tak_gitops.core.site.paths import slug
from tak_gitops.core.site.search import Entry, build_index
from tak_gitops.core.site.view import build_view
from tak_gitops.core.snapshot import Snapshot
from tests.site_map.conftest import build_example

NS = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
NOW = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)


def _world(description: str = "Producer") -> tuple[DesiredState, Snapshot]:
    state = EnvironmentState(
        env="NTJP-PROD",
        routings={
            ("SE1-VG", NS): ("SE1-P", "https://new.example/x", "RIVTABP21"),
            ("SE1-VE", NS): ("SE1-P", "https://new.example/x", "RIVTABP21"),
        },
        routing_orgs={("SE1-VG", NS): "org-a", ("SE1-VE", NS): "org-a"},
        authorization_orgs={("SE1-C", "SE1-VG", NS): frozenset({"org-a"})},
        orgs={"org-a": OrgEnvironment("org-a", "NTJP-PROD", "desired/org-a/NTJP-PROD.yaml")},
    )
    desired = DesiredState(
        organisations={"org-a": Organisation("org-a", "Org A", "1")},
        owners={"SE1-P": "org-a", "SE1-C": "org-a"},
        systems={},
        addresses={},
        environments={"NTJP-PROD": state},
    )
    snapshot = Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="test",
        routings=[
            (("SE1-VG", NS), ("SE1-P", "https://new.example/x", "RIVTABP21")),
            (("SE1-VE", NS), ("SE1-P", "https://old.example/x", "RIVTABP21")),
            (("SE9-X", NS), ("SE9-P", "https://other.example/x", "RIVTABP21")),
        ],
        authorizations=[("SE1-C", "SE1-OLD", NS)],
        systems={"SE1-P": description},
    )
    return desired, snapshot


def test_every_row_is_marked() -> None:
    desired, snapshot = _world()
    view = build_view(env="NTJP-PROD", desired=desired, snapshot=snapshot)
    assert [(r.address, r.url, r.mark.label) for r in view.routings] == [
        ("SE1-VE", "https://new.example/x", "desired-only · order needed"),
        ("SE1-VE", "https://old.example/x", "current-only · replaced"),
        ("SE1-VG", "https://new.example/x", "current"),
        ("SE9-X", "https://other.example/x", "current-only · out of scope"),
    ]
    assert [(a.address, a.mark.label) for a in view.authorizations] == [
        ("SE1-OLD", "current-only · drift"),
        ("SE1-VG", "desired-only · order needed"),
    ]


def test_rows_fold_under_their_nearest_ancestor_in_the_list() -> None:
    tree = HsaTree(parents={"VE1": "VG", "VE2": "VG", "X": "VE1"})
    groups = fold(["VE2", "VG", "X", "OTHER", "VE1"], lambda a: a, tree)
    assert groups == (Group(("VG",), ((1, ("VE1",)), (2, ("X",)), (1, ("VE2",)))), Group(("OTHER",)))


def test_pages_keep_to_their_budget() -> None:
    groups = [Group(("a",)), Group(("b",), tuple((1, (str(i),)) for i in range(5))), Group(("c",))]
    pages = split(groups, first=2, rest=3)
    assert [sum(g.size for g in p) for p in pages] == [1, 3, 3, 1]
    assert [r for p in pages for g in p for r in (*g.head, *(x for _d, rs in g.members for x in rs))] == [
        "a",
        "b",
        "0",
        "1",
        "2",
        "3",
        "4",
        "c",
    ]


def test_file_names() -> None:
    assert slug("SE2321000032-4KMN") == "SE2321000032-4KMN"
    assert slug(NS) == "urn.riv.clinicalprocess.logistics.logistics.GetCareContactsResponder.2"
    assert slug("*") == "_all"
    assert slug("../etc/passwd").startswith("_.._etc_passwd_") and "/" not in slug("../etc/passwd")


def test_the_search_index_finds_word_starts_and_leaves_out_common_words() -> None:
    entries = [
        Entry("address", f"SE2321000032-{i:04d}", f"VE: Sörmland unit {i}", f"address/{i}.html") for i in range(1200)
    ]
    index = build_index(entries)
    assert "se2321000032" in index.common and "sormland" in index.common
    found = [(t, s.entries[i].key) for s in index.shards for t, ids in s.tokens if t.startswith("0042") for i in ids]
    assert found == [("0042", "SE2321000032-0042")]


def test_names_are_escaped_on_the_pages(tmp_path: Path) -> None:
    desired, snapshot = _world('<script>alert("x")</script>')
    view = build_view(env="NTJP-PROD", desired=desired, snapshot=snapshot)
    write_site(tmp_path / "out", [EnvSite(view)], NOW)
    html = (tmp_path / "out/NTJP-PROD/system/SE1-P.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_a_folder_that_is_not_a_site_is_not_replaced(tmp_path: Path) -> None:
    keep = tmp_path / "work"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine", encoding="utf-8")
    done = build_example(keep)
    assert done.returncode == 2
    assert "not written by `tak-gitops site`" in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]


def test_a_site_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build_example(out).returncode == 0
    (out / "NTJP-PROD" / "stale.html").write_text("old", encoding="utf-8")
    assert build_example(out).returncode == 0
    assert not (out / "NTJP-PROD" / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_plan_that_is_not_a_plan_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"orders": "no"}', encoding="utf-8")
    done = build_example(tmp_path / "out", "--plan", str(bad))
    assert done.returncode == 2
    assert "not a tak-gitops plan document" in done.stderr and "Traceback" not in done.stderr
    bad.write_text("{", encoding="utf-8")
    done = build_example(tmp_path / "out", "--plan", str(bad))
    assert done.returncode == 2 and "not JSON" in done.stderr


def test_a_plan_from_a_pull_request_cannot_inject_markup(tmp_path: Path) -> None:
    desired, snapshot = _world()
    view = build_view(env="NTJP-PROD", desired=desired, snapshot=snapshot)
    plan = {
        "format": "tak-gitops-plan",
        "environment": "NTJP-PROD",
        "status": "changes",
        "orders": [
            {
                "id": '"><script>alert(1)</script>',
                "org": "org-a",
                "system": "javascript:alert(1)",
                "comment": "<img src=x onerror=alert(1)>",
                "wave": 1,
                "changes": [
                    {
                        "action": "add-routing",
                        "address": "<b>x</b>",
                        "contract": NS,
                        "after": {"producer": "SE1-P", "url": "javascript:alert(1)", "profile": "<p>"},
                    }
                ],
            }
        ],
    }
    write_site(tmp_path / "out", [EnvSite(view, plan)], NOW)
    html = (tmp_path / "out/NTJP-PROD/plan.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:alert(1)</a>" not in html and 'href="javascript' not in html
    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert all(
        h.startswith(
            (
                "#",
                "../",
                "plan.html",
                "index.html",
                "systems.html",
                "contracts.html",
                "addresses.html",
                "org/",
                "system/",
                "contract/",
                "address/",
            )
        )
        for h in hrefs
    ), hrefs


def test_a_pending_order_marks_its_rows_and_shows_on_the_organisation_page() -> None:
    from tak_gitops.core.ledger import LedgerRecord, pending
    from tak_gitops.core.site.organisation import org_page

    document = {
        "plattform": "NTJP-PROD",
        "inkludera": {
            "vagval": [
                {
                    "tjanstekomponent": "SE1-P",
                    "logiskAdress": "SE1-VE",
                    "tjanstekontrakt": NS,
                    "rivtaprofil": "RIVTABP21",
                    "adress": "https://new.example/x",
                }
            ],
            "anropsbehorigheter": [{"tjanstekonsument": "SE1-C", "logiskAdress": "SE1-VG", "tjanstekontrakt": NS}],
        },
        "exkludera": {},
    }
    record = LedgerRecord(
        order_id="w1-org-a-producer-SE1-P-0001",
        idempotency_key="k",
        env="NTJP-PROD",
        plattform="NTJP-PROD",
        plan_order_id="w1-org-a-producer-SE1-P",
        plan_checksum="sha256:0",
        wave=1,
        org="org-a",
        system="SE1-P",
        kind="producer",
        state="submitted",
        document=document,
        created="2026-11-18T09:00:00+01:00",
        updated="2026-11-18T09:00:00+01:00",
        submitted_at="2026-11-18T09:00:00+01:00",
        ticket="TSK-1",
    )
    desired, snapshot = _world()
    view = build_view(env="NTJP-PROD", desired=desired, snapshot=snapshot, ledger=[record], pending=pending([record]))
    assert [(r.address, r.url, r.mark.label) for r in view.routings if r.mark.status == "desired-only"] == [
        ("SE1-VE", "https://new.example/x", "desired-only · order pending (w1-org-a-producer-SE1-P-0001)")
    ]
    assert [a.mark.label for a in view.authorizations if a.address == "SE1-VG"] == [
        "desired-only · order pending (w1-org-a-producer-SE1-P-0001)"
    ]
    page = org_page(view, "org-a", NOW)
    assert [(o.order.order_id, o.order.state, o.order.ticket, o.order.lines, o.age) for o in page.orders] == [
        ("w1-org-a-producer-SE1-P-0001", "submitted", "TSK-1", 2, "3 d 0 h")
    ]


def test_one_source_per_environment(tmp_path: Path) -> None:
    done = build_example(tmp_path / "out", "--env", "NTJP-QA")
    assert done.returncode == 2
    assert "--export: give one per --env (2), in the order of --env; got 1" in done.stderr
    assert not (tmp_path / "out").exists()
