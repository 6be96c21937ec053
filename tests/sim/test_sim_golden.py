"""Golden file: the published-version JSON after seeding, one order and one publication.

Regenerate with ``TAK_GITOPS_UPDATE_GOLDEN=1 pytest tests/sim/test_sim_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from simdata import COSMIC, GCC2, GCC2_NEW, GCC2_OLD, KMT, LCQA3, SORMLAND_TP, WEBCERT_LA, behorighet, order, vagval

from tak_gitops.core.snapshot import Contract, Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.publish import export, publish
from tak_gitops.sim.seed import seed_from_snapshot

GOLDEN = Path(__file__).parent / "golden" / "pubversion-2.json"


def test_published_version_json_matches_golden() -> None:
    clock = FixedClock(datetime(2025, 5, 20, 10, 0, tzinfo=DEFAULT_ZONE))
    db = Database(":memory:")
    seed_from_snapshot(
        db,
        Snapshot.build(
            platform="NTJP",
            environment="PROD",
            snapshot_time=None,
            source="golden",
            routings=[((KMT, GCC2), (SORMLAND_TP, GCC2_OLD, "RIVTABP21"))],
            authorizations=[(COSMIC, KMT, GCC2)],
            logical_addresses={KMT: "VG: Sörmland - Vår VC Katrineholm HB", WEBCERT_LA: "Inera - Webcert"},
            systems={
                SORMLAND_TP: "Landstinget Sörmland -- Tjänsteplattform",
                COSMIC: "Landstinget i Värmland -- Cosmic",
            },
            contracts=[Contract(GCC2, "GetCareContacts", 2), Contract(LCQA3, "ListCertificatesForCareWithQA", 3)],
        ),
        moment=clock.now(),
    )
    text = order(
        inkludera={
            "vagval": [vagval(KMT, GCC2, SORMLAND_TP, GCC2_NEW)],
            "anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)],
        },
        exkludera={"anropsbehorigheter": [behorighet(COSMIC, KMT, GCC2)]},
    )
    assert execute(db, text, user="admin", platform="NTJP-PROD", zone=DEFAULT_ZONE, now=clock.now()).ok
    clock.advance(seconds=90)
    assert publish(db, "admin", clock=clock, kommentar="TSK-12518") == 2
    rendered = json.dumps(json.loads(export(db) or b""), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("TAK_GITOPS_UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")
