"""`tak-gitops sim try ORDER.json`: one order executed on a copy of a TAK, with TAK-web's answer and the rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from takweb_orders import ACTIVITIES, ORDERS, text

from tak_gitops.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-12-03T10:00:00+01:00"
COSMIC = "SE162321000156-4H4F"
REQUEST = "urn:riv:clinicalprocess:activity:request:ProcessRequest{}Responder:1"
REQUEST_URL = (
    "https://api.integration.regionstockholm.se/rivta/clinicalprocess/activity/request/ProcessRequest/1/rivtabp21"
)


def mktakjson_order(plattform: str, producer: str) -> dict[str, object]:
    """An order shaped as rojeras/MkTakJson's README shows its output (README.md, "Exempel på utdata"):
    ``formatVersion`` and ``version`` as strings, no ``kommentar``, no ``exkludera``."""
    contracts = [REQUEST.format(kind) for kind in ("", "Confirmation", "Outcome")]
    return {
        "plattform": plattform,
        "formatVersion": "1.0",
        "version": "1",
        "bestallningsTidpunkt": "2026-12-01T09:05:53+0100",
        "utforare": "Region Stockholm - Forvaltningsobjekt Informationsinfrastruktur",
        "genomforandeTidpunkt": "2026-12-04T09:05:53+0100",
        "inkludera": {
            "tjanstekomponenter": [],
            "tjanstekontrakt": [
                {"namnrymd": ns, "majorVersion": 1, "beskrivning": "Submission of a request to a healtcare facility"}
                for ns in contracts
            ],
            "logiskadresser": [{"hsaId": "SE2321000016-G08F", "beskrivning": "ABC Barnmottagning"}],
            "anropsbehorigheter": [],
            "vagval": [
                {
                    "tjanstekomponent": producer,
                    "logiskAdress": "SE2321000016-G08F",
                    "tjanstekontrakt": ns,
                    "rivtaprofil": "RIVTABP21",
                    "adress": REQUEST_URL,
                }
                for ns in contracts
            ],
        },
    }


def sim_try(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["sim", "try", *args])
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def write(tmp_path: Path, doc: object, name: str = "order.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_mktakjson_shaped_order_executes_on_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = write(tmp_path, mktakjson_order("NTJP-PROD", COSMIC))
    code, out, err = sim_try(capsys, order, "--export", str(EXAMPLES / "ntjp-prod"), "--now", NOW)
    assert code == 0
    outcome = REQUEST.format("Outcome")
    assert (
        out
        == "\n".join(
            [
                "Plattform: NTJP-PROD",
                "Format Version: 1.0",
                "Version: 1",
                "Beställningstidpunkt: Tue Dec 01 09:05:53 CET 2026",
                "Genomförandetidpunkt: Fri Dec 04 09:05:53 CET 2026",
                "Utförare: Region Stockholm - Forvaltningsobjekt Informationsinfrastruktur",
                "Kommentar: ",
                "",
                "Inkludera:",
                "Logiska adresser:",
                "Nyskapad: SE2321000016-G08F",
                "Tjänstekontrakt:",
                f"Nyskapad: {outcome}",  # the other two contracts exist: TAK-web drops them from the order
                "Vägval:",
                *(
                    f"Nyskapad: SE2321000016-G08F - {REQUEST.format(kind)} - {COSMIC} - RIVTABP21 - {REQUEST_URL} "
                    "(2026-12-04 - 2126-12-04)"
                    for kind in ("", "Confirmation", "Outcome")
                ),
                "",
                "Exkludera:",
                "",
                "Rows changed:",
                "+ tjanstekontrakt 11 ("
                + outcome
                + "): namnrymd="
                + outcome
                + ", beskrivning=Submission of a request to a healtcare facility, majorVersion=1, minorVersion=0, "
                "deleted=0, updatedBy=admin",
                "+ logiskadress 18 (SE2321000016-G08F): hsaId=SE2321000016-G08F, beskrivning=ABC Barnmottagning, "
                "deleted=0, updatedBy=admin",
                f"+ anropsadress 8 ({COSMIC} RIVTABP21 {REQUEST_URL}): adress={REQUEST_URL}, rivTaProfil_id=2, "
                "tjanstekomponent_id=3, deleted=0, updatedBy=admin",
                *(
                    f"+ vagval {24 + i} (SE2321000016-G08F {REQUEST.format(kind)} -> {COSMIC} {REQUEST_URL}): "
                    f"anropsAdress_id=8, tjanstekontrakt_id={cid}, logiskAdress_id=18, fromTidpunkt=2026-12-04, "
                    "tomTidpunkt=2126-12-04, deleted=0, updatedBy=admin"
                    for i, (kind, cid) in enumerate((("", 3), ("Confirmation", 1), ("Outcome", 11)))
                ),
                "",
            ]
        )
    )
    assert "executed on a copy of the TAK as NTJP-PROD" in err


def test_mktakjson_readme_order_is_refused_as_tak_web_would(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's own order (SLL-PROD, a producer this TAK does not have), against the example snapshot."""
    order = write(tmp_path, mktakjson_order("SLL-PROD", "SE2321000016-F835"))
    snapshot = str(EXAMPLES / "ntjp-prod.snapshot.json")
    code, out, _ = sim_try(capsys, order, "--snapshot", snapshot, "--now", NOW)
    assert (code, out) == (
        1,
        "JsonBestallning ERROR:::\n"
        "Beställningen avser plattform SLL-PROD, men den här instansen av tak-web hanterar NTJP-PROD.\n\n"
        "Rows changed: none\n",
    )
    code, out, _ = sim_try(capsys, order, "--snapshot", snapshot, "--plattform", "SLL-PROD", "--now", NOW)
    assert (code, out) == (
        1,
        "JsonBestallning ERROR:::\nSkapa Vägval: Tjänstekomponent med HSAId = SE2321000016-F835 finns inte.\n\n"
        "Rows changed: none\n",
    )


def test_tak_web_fixtures_pass_through_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """skltp/tak's bestallning-test-simple.json and -missing-url.json (see takweb_orders), on the published
    example TAK: the first executes, the second gives TAK-web's one error."""
    seed = str(EXAMPLES / "ntjp-prod-pubversion.json")
    simple = write(tmp_path, text("simple"), "simple.json")
    code, out, _ = sim_try(capsys, simple, "--seed", seed, "--user", "TEST_USER", "--now", NOW)
    assert code == 0
    assert f"Nyskapad: TEST-001 - KONS-001 - {ACTIVITIES}  (2022-12-14 - 2122-12-14)" in out
    assert out.count("\n+ ") == 7  # contract, address, two components, call address, authorization, routing
    missing = write(tmp_path, text("missing-url"), "missing.json")
    code, out, _ = sim_try(capsys, missing, "--seed", seed, "--now", NOW)
    assert code == 1
    assert out.startswith(
        "JsonBestallning ERROR:::\nDet saknas information i beställningen för att kunna skapa Vägval."
    )
    assert out.endswith("\n\nRows changed: none\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --seed FILE, --snapshot FILE, --export PATH"),
        (["--seed", "a.json", "--snapshot", "b.json"], "give exactly one of"),
        (["--export", "examples/ntjp-prod", "--zone", "Mars/Olympus"], "--zone 'Mars/Olympus': not a time zone"),
    ],
)
def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    order = write(tmp_path, mktakjson_order("NTJP-PROD", COSMIC))
    code, out, err = sim_try(capsys, order, *args)
    assert (code, out) == (2, "")
    assert message in err


def test_an_unparsable_order_gets_tak_webs_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = write(tmp_path, '{"plattform": "NTJP-PROD", "nyckel": 1}')
    code, out, _ = sim_try(capsys, order, "--export", str(EXAMPLES / "ntjp-prod"), "--order-platform", "NTJP-PROD")
    assert (code, out) == (1, "JsonBestallning ERROR::: {}\n\nRows changed: none\n")


def test_the_old_plattform_spelling_still_works_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = write(tmp_path, '{"plattform": "NTJP-PROD", "nyckel": 1}')
    code, out, err = sim_try(capsys, order, "--export", str(EXAMPLES / "ntjp-prod"), "--plattform", "NTJP-PROD")
    assert (code, out) == (1, "JsonBestallning ERROR::: {}\n\nRows changed: none\n")
    assert "note: --plattform is deprecated; use --order-platform (it means the same here)\n" in err


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_every_tak_web_fixture_gets_tak_webs_kind_of_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Each of skltp/tak's 13 order fixtures (takweb_orders) through `sim try` on the published example TAK:
    a report and exit 0, or TAK-web's errors and exit 1 with no row changed; the validation fixtures are refused
    for the reasons TAK-web's tests expect (their references are not in this TAK either)."""
    order = write(tmp_path, text(name), f"{name}.json")
    seed = str(EXAMPLES / "ntjp-prod-pubversion.json")
    code, out, _ = sim_try(capsys, order, "--seed", seed, "--order-platform", "SKLTP-TEST", "--now", NOW)
    refused = out.startswith("JsonBestallning ERROR:::\n")
    assert code == (1 if refused else 0)
    assert refused or out.startswith("Plattform: SKLTP-TEST\n")
    if refused:
        assert out.endswith("\n\nRows changed: none\n")
    expected_refused = {"duplicates", "empty-address", "empty-fields", "missing-relations", "missing-url"}
    # the update fixtures name rows of data-h2.sql that the example TAK lacks: TAK-web refuses them here too
    expected_refused |= {"update-vagval", "update-vagval1", "update-vagval2", "update-vagval3"}
    assert refused is (name in expected_refused)
