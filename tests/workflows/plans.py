"""Plan documents and their markdown for the workflow tests, shaped as docs/plan-format.md describes."""

from __future__ import annotations

from typing import Any

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"


def plan_doc(
    env: str, *, removals: int = 0, adds: int = 0, cascade: bool = False, refused: bool = False
) -> dict[str, Any]:
    changes: list[dict[str, Any]] = []
    for i in range(adds):
        changes.append(
            {
                "action": "add-routing",
                "address": f"SE162321000156-{i:04d}",
                "contract": CSU3,
                "after": {
                    "producer": "SE162321000156-B3K",
                    "url": "https://tph2.liv.sjunet.org/x",
                    "profile": "RIVTABP21",
                },
            }
        )
    for i in range(removals):
        changes.append(
            {
                "action": "remove-routing",
                "address": f"SE2321000032-{i:04d}",
                "contract": GCC2,
                "before": {
                    "producer": "SE162321000032-00D1",
                    "url": "https://tp.regionsormland.se/x",
                    "profile": "RIVTABP21",
                },
            }
        )
    orders = (
        [
            {
                "id": f"w1-region-sormland-producer-{env}",
                "wave": 1,
                "kind": "producer",
                "org": "region-sormland",
                "system": "SE162321000032-00D1",
                "changes": changes,
            }
        ]
        if changes
        else []
    )
    status = "refused" if refused else ("changes" if changes else "no-changes")
    return {
        "format": "tak-gitops-plan",
        "format_version": "1.0",
        "environment": env,
        "plattform": env,
        "status": status,
        "summary": {"add-routing": adds, "remove-routing": removals, "orders": len(orders)},
        "refusals": (
            [
                {
                    "guard": "removals",
                    "org": "region-sormland",
                    "message": f"{removals} removals exceed the limit",
                    "acknowledge": f"--ack-removals region-sormland={removals}",
                }
            ]
            if refused
            else []
        ),
        "orders": orders,
        "cascades": (
            [
                {
                    "kind": "routing",
                    "change": "remove",
                    "address": "SE2321000032-4KMT",
                    "contract": GCC2,
                    "descendants": [{"address": "SE2321000032-4KMU"}, {"address": "SE2321000032-4KMV"}],
                }
            ]
            if cascade
            else []
        ),
        "pending": [],
        "checksum": f"sha256:{env.lower()}-{removals}-{adds}",
    }


def plan_markdown(env: str, *, removals: int = 0, adds: int = 0) -> str:
    """Markdown the way the plan renderer lays it out: summary, removals in full, cascades, folded adds."""
    lines = [
        f"<!-- tak-gitops:plan:{env} -->",
        f"## tak-gitops plan for {env}",
        "",
        "| action | count |",
        "| --- | --- |",
        f"| remove-routing | {removals} |",
        f"| add-routing | {adds} |",
        "",
    ]
    if removals:
        lines += ["### Removals", ""]
        for i in range(removals):
            lines.append(f"- ➖ remove-routing `SE2321000032-{i:04d}` {GCC2} → SE162321000032-00D1 (Sörmland VC {i})")
            lines.append(f"  - cascade: SE2321000032-{i:04d}-A, SE2321000032-{i:04d}-B fall back to nothing")
        lines.append("")
    if adds:
        lines += ["### Additions", "", "<details><summary>Routings added</summary>", "", "```diff"]
        lines += [f"+ SE162321000156-{i:04d} {CSU3} https://tph2.liv.sjunet.org/x" for i in range(adds)]
        lines += ["```", "", "</details>", ""]
    if not removals and not adds:
        lines += ["No changes.", ""]
    return "\n".join(lines)
