"""The pure value rules: HSA-ids, URLs, contract namespaces, near duplicates, suggestions."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.rules import (
    CONTRACT_PATTERN,
    HSA_ID_PATTERN,
    contract_problem,
    did_you_mean,
    hsa_id_problem,
    near_duplicates,
    normalize_name,
    repo_path_problem,
    url_problem,
)

HSA_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
URL_CHARS = HSA_CHARS + ".:/?&"


def test_hsa_ids_from_the_seeds_are_valid() -> None:
    for value in ("SE162321000156-B3K", "5565594230-WEBCERT", "SE2321000032-4KMT", "SE", "se2321000016-92v4"):
        assert hsa_id_problem(value) is None


def test_hsa_id_problems_name_the_character() -> None:
    assert hsa_id_problem("SE2321000032 4KMT") == (
        "HSA-id 'SE2321000032 4KMT' has the character ' '; TAK allows only 0-9 a-z A-Z _ -"
    )
    assert hsa_id_problem("") == "HSA-id must not be empty"
    assert hsa_id_problem("A" * 256) == "HSA-id is 256 characters long; TAK allows at most 255"


def test_wildcard_only_where_allowed() -> None:
    assert hsa_id_problem("*", allow_wildcard=True) is None
    assert hsa_id_problem("*") == "'*' is allowed only in producer routings and consumer authorizations, not in grants"


@given(st.text(alphabet=HSA_CHARS, min_size=1, max_size=255))
def test_every_tak_charset_hsa_id_is_accepted(value: str) -> None:
    assert hsa_id_problem(value) is None
    assert re.fullmatch(HSA_ID_PATTERN, value)


@given(st.text(min_size=1, max_size=40))
def test_hsa_rule_agrees_with_the_schema_pattern(value: str) -> None:
    assert (hsa_id_problem(value) is None) == bool(re.fullmatch(HSA_ID_PATTERN, value))


def test_urls() -> None:
    ok = "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21"
    assert url_problem(ok, allow_http=False) is None
    assert url_problem("http://x.se/a", allow_http=True) is None
    assert url_problem("http://x.se/a", allow_http=False) == (
        "http",
        "http:// URL is not allowed in this environment (set allow_http in tak-gitops.yaml)",
    )
    assert url_problem("https://x.se/a?b=c", allow_http=False) == (
        "url",
        "URL has the character '='; TAK allows only 0-9 a-z A-Z _ . : / - ? &",
    )
    assert url_problem("http", allow_http=True) == ("url", "URL is 4 characters long; TAK allows 5 to 255")
    assert url_problem("https://" + "a" * 248, allow_http=False) == (
        "url",
        "URL is 256 characters long; TAK allows 5 to 255",
    )
    assert url_problem("ftp://x.se/a", allow_http=True) == (
        "url",
        "URL must start with https:// (or http:// where the environment allows it)",
    )


@given(st.text(alphabet=URL_CHARS, min_size=1, max_size=200))
def test_https_urls_in_the_charset_are_accepted(path: str) -> None:
    assert url_problem("https://" + path, allow_http=False) is None


def test_contract_namespaces() -> None:
    ns = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
    assert contract_problem(ns) is None
    assert re.fullmatch(CONTRACT_PATTERN, ns)
    assert contract_problem("urn:riv:crm:scheduling:GetSubjectOfCareSchedule:1") == (
        "contract namespace 'urn:riv:crm:scheduling:GetSubjectOfCareSchedule:1' must look like "
        "urn:riv:<domain>:<Name>Responder:<major>, e.g. "
        "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
    )
    assert contract_problem("urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder") is not None
    assert contract_problem("urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:v1") is not None
    assert contract_problem("urn:riv:crm/scheduling:GetSubjectOfCareScheduleResponder:1") == (
        "contract namespace 'urn:riv:crm/scheduling:GetSubjectOfCareScheduleResponder:1' has characters TAK "
        "does not allow (only 0-9 a-z A-Z _ . : -)"
    )
    assert contract_problem("") == "contract namespace must not be empty"


def test_near_duplicate_names() -> None:
    assert normalize_name("  Landstinget i  Värmland -- Cosmic ") == "landstingetivärmland--cosmic"
    assert normalize_name("Tjänste plattform") == normalize_name("tjänsteplattform")
    groups = near_duplicates([("Cosmic", 1), ("cosmic ", 2), ("Proxy", 3), ("Proxy", 4), ("PROXY", 5)])
    assert groups == [[1, 2], [3, 4, 5]]
    assert near_duplicates([("Webcert", 1), ("Webcert", 2)]) == []


def test_did_you_mean() -> None:
    assert did_you_mean("adresses", ["addresses", "contract", "url"]) == " (did you mean 'addresses'?)"
    assert did_you_mean("NTJP-PRD", ["NTJP-PROD", "NTJP-QA"]) == " (did you mean 'NTJP-PROD'?)"
    assert did_you_mean("zzz", ["addresses"]) == ""


def test_configured_paths_are_relative_paths_written_with_slashes() -> None:
    for good in ("desired", "ownership.yaml", "teams/ownership.yaml", "a..b", "orders/", "../../desired"):
        assert repo_path_problem(good) is None, good
    outside = "must be a path in the repository, relative to this file and written with '/'"
    for bad in ("", "/etc", "a\\..\\b", "C:/x", "c:x"):
        assert repo_path_problem(bad) == f"{bad!r} {outside}", bad
    assert repo_path_problem("a//b") == "'a//b' must be a path in the repository: without empty parts ('//')"
