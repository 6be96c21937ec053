"""The order fixtures of TAK-web's own tests, re-created: the same inputs, written anew as Python data.

Source: skltp/tak at commit b24fd1050f2b989605daac2adcb561b8bf31e77e, ``tak-web/src/test/resources/`` (each
constant names its file). ``text(name)`` gives the order as JSON text; null sections and ``"kommentar": null``
are kept where the fixture has them, since the reference TAK must accept what TAK-web accepts.
"""

from __future__ import annotations

import json
from typing import Any

SOURCE_COMMIT = "b24fd1050f2b989605daac2adcb561b8bf31e77e"

ACTIVITIES = "urn:riv:clinicalprocess:activity:actions:GetActivitiesResponder:2"
SCHEDULE = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1"
PING = "urn:riv:itinfra:tp:PingResponder:1"
SUPPORTED = "urn:riv:itintegration:registry:GetSupportedServiceContractsResponder:1"
FIND_CONTENT_URL = "http://localhost:8082/skltp-ei/find-content-service/v1"
SCHEDULR_URL = "http://33.33.33.33:8080/Schedulr-0.1/ws/GetSubjectOfCareSchedule/1"


def _ab(la: str, ns: str, consumer: str) -> dict[str, str]:
    return {"logiskAdress": la, "tjanstekontrakt": ns, "tjanstekonsument": consumer}


def _vv(url: str | None, la: str, ns: str, producer: str, profile: str = "RIVTABP21") -> dict[str, str]:
    item = {"logiskAdress": la, "tjanstekontrakt": ns, "rivtaprofil": profile, "tjanstekomponent": producer}
    return item if url is None else {"adress": url, **item}


def _empty() -> dict[str, list[Any]]:
    return {k: [] for k in ("tjanstekontrakt", "logiskadresser", "tjanstekomponenter", "anropsbehorigheter", "vagval")}


def _order(
    kommentar: str | None,
    inkludera: dict[str, Any] | None,
    exkludera: dict[str, Any] | None = None,
    *,
    ordered: str = "2022-05-22T12:00:01+0000",
    executed: str = "2022-12-14T12:00:00+0000",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "plattform": "SKLTP-TEST",
        "formatVersion": 1.0,
        "version": 1,
        "bestallningsTidpunkt": ordered,
        "genomforandeTidpunkt": executed,
        "utforare": "test",
        "kommentar": kommentar,
        "inkludera": {**_empty(), **(inkludera or {})},
        "exkludera": _empty() if exkludera is None else exkludera,
    }
    return doc


def _without_exkludera(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exkludera"}


_NEW_CONTRACT = {
    "namnrymd": ACTIVITIES,
    "beskrivning": "Returnerar strukturerade aktiviteter för en patient.",
    "majorVersion": 2,
}

_SIMPLE_INCLUDE = {
    "tjanstekontrakt": [_NEW_CONTRACT],
    "logiskadresser": [{"hsaId": "TEST-001", "beskrivning": "Logisk adress 1"}],
    "tjanstekomponenter": [
        {"hsaId": "PROD-001", "beskrivning": "Producent"},
        {"hsaId": "KONS-001", "beskrivning": "Konsument"},
    ],
    "anropsbehorigheter": [_ab("TEST-001", ACTIVITIES, "KONS-001")],
    "vagval": [_vv("https://test.se", "TEST-001", ACTIVITIES, "PROD-001")],
}

_LATER = {"ordered": "2023-01-21T13:00:01+0000", "executed": "2023-01-24T14:00:00+0000"}

ORDERS: dict[str, dict[str, Any]] = {
    # bestallning-test-simple.json
    "simple": _order(None, _SIMPLE_INCLUDE),
    # bestallning-test-duplicates.json
    "duplicates": _order(
        "Dubletter av testdata",
        {
            "tjanstekontrakt": [_NEW_CONTRACT],
            "logiskadresser": [
                {"hsaId": "TEST-001", "beskrivning": "Logisk adress 1"},
                {"hsaId": "TEST-001", "beskrivning": "Samma logisk adress 1"},
            ],
            "tjanstekomponenter": [
                {"hsaId": "PROD-001", "beskrivning": "Producent"},
                {"hsaId": "KONS-001", "beskrivning": "Konsument"},
                {"hsaId": "Kons-001", "beskrivning": "Konsument med gemener i HSA-ID"},
            ],
            "anropsbehorigheter": [_ab("TEST-001", ACTIVITIES, "KONS-001")] * 2,
            "vagval": [_vv("https://test.se", "TEST-001", ACTIVITIES, "PROD-001")] * 2,
        },
    ),
    # bestallning-test-empty-address.json (no exkludera at all)
    "empty-address": _without_exkludera(
        _order(
            "Valideringsfel på grund av att nödvändiga fält är tomma.",
            {
                "tjanstekontrakt": [_NEW_CONTRACT],
                "logiskadresser": [{"hsaId": "TEST-002", "beskrivning": "Logisk adress 2"}],
                "tjanstekomponenter": [
                    {"hsaId": "PROD-002", "beskrivning": "Producent"},
                    {"hsaId": "KONS-002", "beskrivning": "Konsument"},
                ],
                "anropsbehorigheter": [_ab("TEST-002", ACTIVITIES, "KONS-002")],
                "vagval": [_vv("", "TEST-002", ACTIVITIES, "PROD-002")],
            },
        )
    ),
    # bestallning-test-empty-fields.json (no exkludera at all)
    "empty-fields": _without_exkludera(
        _order(
            "Valideringsfel på grund av att nödvändiga fält är tomma.",
            {
                "tjanstekontrakt": [{"namnrymd": "", "beskrivning": "Nytt tjanstekontrakt"}],
                "logiskadresser": [{"hsaId": "", "beskrivning": "Ny logisk address"}],
                "tjanstekomponenter": [{"hsaId": "", "beskrivning": "Ny tjänstekomponent"}],
            },
        )
    ),
    # bestallning-test-exkludera-missing.json
    "exkludera-missing": _order(
        None,
        None,
        {
            "tjanstekontrakt": [
                {
                    "namnrymd": "urn:riv:clinicalprocess:my:domain:UnknownStuff:1",
                    "beskrivning": "Tjänstekontrakt som inte finns i databasen.",
                    "majorVersion": 1,
                }
            ],
            "logiskadresser": [{"hsaId": "TEST-313", "beskrivning": "Finns inte"}],
            "tjanstekomponenter": [{"hsaId": "TEST-314", "beskrivning": "Finns inte heller"}],
            "anropsbehorigheter": [
                _ab("5565594230", "urn:riv:itintegration:registry:GetUnSupportedServiceContractsResponder:1", "TP")
            ],
            "vagval": [_vv("http://localhost:8082/skltp/unknown-stuff/v1", "5565594230", SUPPORTED, "EI-HSAID")],
        },
    ),
    # bestallning-test-exkludera_deaktivera.json ("logiskadresser": null)
    "exkludera_deaktivera": _order(
        'Deaktivering av existerande anropsbehorighet och vagval eftersom deras "from" date är tidigare än '
        '"genomförandetidpunkt" i jsonBeställning',
        None,
        {
            **_empty(),
            "logiskadresser": None,
            "anropsbehorigheter": [_ab("5565594230", SUPPORTED, "TP")],
            "vagval": [_vv(FIND_CONTENT_URL, "5565594230", SUPPORTED, "EI-HSAID")],
        },
    ),
    # bestallning-test-exkludera_delete.json ("logiskadresser": null)
    "exkludera_delete": _order(
        'Radering av existerande anropsbehorighet och vagval eftersom deras "from" date är senare än '
        '"genomförandetidpunkt" i jsonBeställning',
        None,
        {
            **_empty(),
            "logiskadresser": None,
            "anropsbehorigheter": [_ab("HSA-VKK123", PING, "TP")],
            "vagval": [_vv(SCHEDULR_URL, "HSA-VKK123", PING, "SCHEDULR")],
        },
    ),
    # bestallning-test-missing-relations.json
    "missing-relations": _order(
        "Länkar till objekt som inte finns i databasen.",
        {
            "anropsbehorigheter": [_ab("NY-LOGISK-ADRESS", "urn:riv:a:b:c:UnknownContractResponder:2", "NY-KONSUMENT")],
            "vagval": [
                _vv(
                    "https://ny.test.se",
                    "NY-LOGISK-ADRESS",
                    "urn:riv:a:b:c:UnknownContractResponder:2",
                    "HSA-NYA-UNPUBLISHED-SKLTP",
                    profile="RIVTABP99",
                )
            ],
        },
    ),
    # bestallning-test-missing-url.json
    "missing-url": _order(
        "Vägval(AnropsAdress) sknar adress",
        {**_SIMPLE_INCLUDE, "vagval": [_vv(None, "TEST-001", ACTIVITIES, "PROD-001")]},
    ),
    # bestallning-test-update-vagval.json
    "update-vagval": _order(
        "Ändring av vagval och anropsbehorighet som redan finns i databasen.",
        {
            "anropsbehorigheter": [_ab("5565594230", SUPPORTED, "TP")],
            "vagval": [_vv(FIND_CONTENT_URL, "5565594230", SUPPORTED, "EI-HSAID")],
        },
        **_LATER,
    ),
    # bestallning-test-update-vagval1.json
    "update-vagval1": _order(
        'Ändring av vagval och anropsbehorighet(En annan AnropsAdress) som redan finns i databasen. Och deras "from" '
        'date är tidigare än "genomförandetidpunkt"',
        {
            "anropsbehorigheter": [_ab("HSA-VKK123", SCHEDULE, "TP")],
            "vagval": [_vv("http://33.33.33.33:8080/ny-url", "HSA-VKK123", SCHEDULE, "SCHEDULR")],
        },
        **_LATER,
    ),
    # bestallning-test-update-vagval2.json
    "update-vagval2": _order(
        'Ändring av vagval och anropsbehorighet som redan finns i databasen. Och deras "from" date är senare än '
        '"genomförandetidpunkt"',
        {
            "anropsbehorigheter": [_ab("HSA-VKK123", PING, "TP")],
            "vagval": [_vv("http://localhost:8088/NyaServiceURL/service/v1", "HSA-VKK123", PING, "EI-HSAID")],
        },
        **_LATER,
    ),
    # bestallning-test-update-vagval3.json
    "update-vagval3": _order(
        "Ändring av existerande vagval(En annan AnropsAdress)",
        {
            "vagval": [
                _vv(
                    "http://localhost:8083/GetAggregatedSubjectOfCareSchedule/service/v1",
                    "HSA-VKK123",
                    PING,
                    "AGT-TIDBOK",
                )
            ]
        },
        **_LATER,
    ),
}


def text(name: str) -> str:
    """The fixture ``bestallning-test-<name>.json`` as JSON text."""
    return json.dumps(ORDERS[name], ensure_ascii=False, indent=2)
