"""`tak-gitops fetch` end to end: from the fake TAK-api over 127.0.0.1 and from saved exports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.cli import main

from .conftest import EXAMPLES
from .fake_takapi import PASSWORD, USER, FakeTakApi

CET = timezone(timedelta(hours=1))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err


@pytest.fixture
def project(tmp_path: Path, fake_api: FakeTakApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAK_API_USERNAME", USER)
    monkeypatch.setenv("TAK_API_PASSWORD", PASSWORD)
    fake_api.data["connectionPoints"][0]["snapshotTime"] = (datetime.now(CET) - timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:%S%z")
    (tmp_path / "tak-gitops.yaml").write_text(
        "environments:\n"
        "  NTJP-PROD:\n    plattform: NTJP-PROD\n    tak_api: {platform: NTJP, environment: PROD}\n"
        "  NTJP-QA:\n    plattform: NTJP-QA\n    tak_api: {platform: NTJP, environment: QA}\n"
        f"tak_api:\n  base_url: {fake_api.base_url}\n  timeout_seconds: 5\n  max_attempts: 2\n"
        "snapshot:\n  max_age_hours: 36\n  max_shrink_share: 0.2\n",
        encoding="utf-8",
    )
    return tmp_path


def test_fetch_from_the_api(project: Path, fake_api: FakeTakApi, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json"], capsys)
    assert code == 0, err
    snap = read_snapshot(project / "snapshot.json")
    expected = read_snapshot(EXAMPLES / "ntjp-prod.snapshot.json")
    assert (snap.routings, snap.authorizations, snap.digest) == (expected.routings, expected.authorizations,
                                                                 expected.digest)
    assert out == (f"wrote snapshot.json: NTJP/PROD from tak-api, snapshot time {snap.snapshot_time}: 23 routings, "
                   f"16 authorizations, 17 logical addresses, 6 systems, 10 contracts; {snap.digest}\n")
    assert (project / ".tak-gitops" / "raw" / "NTJP-PROD" / "cooperations.json").is_file()
    assert PASSWORD not in out + err


def test_unknown_platform_environment_lists_what_exists(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "tak-gitops.yaml").write_text(
        (project / "tak-gitops.yaml").read_text().replace("environment: QA}", "environment: TEST}"))
    code, _, err = run(["fetch", "--env", "NTJP-QA", "-o", "qa.json"], capsys)
    assert code == 1
    assert err == (f"error: {Path('.tak-gitops/raw/NTJP-QA/connectionPoints.json')}: no connection point NTJP/TEST; "
                   "the TAK-api has: NTJP/PROD, NTJP/QA, SLL/PROD\n")


def test_unknown_environment_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["fetch", "--env", "SLL-PROD", "-o", "x.json"], capsys)
    assert code == 2
    assert err == "error: unknown environment 'SLL-PROD'; tak-gitops.yaml defines: NTJP-PROD, NTJP-QA\n"


def test_wrong_credentials(project: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TAK_API_PASSWORD", "not-the-Password-42")
    code, out, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json"], capsys)
    assert code == 1
    assert "HTTP 401" in err and "TAK_API_USERNAME and TAK_API_PASSWORD" in err
    assert "not-the-Password-42" not in out + err
    assert not (project / "snapshot.json").exists()


def test_stale_snapshot_is_refused_unless_allowed(project: Path, fake_api: FakeTakApi,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    fake_api.data["connectionPoints"][0]["snapshotTime"] = "2026-01-01T02:31:07+0100"
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json"], capsys)
    assert code == 1
    assert err.startswith("error: ") and "snapshot time 2026-01-01T02:31:07+0100 is " in err
    assert err.endswith("hours old (limit 36 hours); use --allow-stale to accept it or --max-age to change the limit\n")
    assert not (project / "snapshot.json").exists()
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json", "--allow-stale"], capsys)
    assert code == 0, err


def test_shrunk_or_empty_source_is_refused(project: Path, fake_api: FakeTakApi,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json"], capsys)[0] == 0
    before = (project / "snapshot.json").read_bytes()
    fake_api.data["cooperations"] = fake_api.data["cooperations"][:8]
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json"], capsys)
    assert code == 1
    # the first fetch wrote the baseline; without --previous the new snapshot is compared with it
    assert "the source shrank more than allowed against the baseline of NTJP-PROD (snapshot " in err
    assert err.endswith("authorizations shrank from 16 to 8: 50.0% unexplained, limit 20%; use --allow-shrink if this "
                        "is real\n")
    assert (project / "snapshot.json").read_bytes() == before
    fake_api.data["cooperations"] = []
    fake_api.data["serviceProductions"] = []
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "snapshot.json", "--allow-shrink"], capsys)
    assert code == 1
    assert "the source has no routings and no authorizations, but the baseline of NTJP-PROD (snapshot " in err
    assert ") had 39 rows (a broken export?)" in err
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "other.json", "--previous", "snapshot.json"], capsys)
    assert code == 1 and "previous snapshot had 39 rows" in err
    # a fresh checkout (no snapshot file) still has the baseline: the empty source is refused there too
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "-o", "other.json"], capsys)
    assert code == 1 and "but the baseline of NTJP-PROD" in err


def test_fetch_from_saved_sources_without_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["fetch", "--env", "NTJP-PROD", "--from", str(EXAMPLES / "ntjp-prod-pubversion.json"),
                          "--today", "2026-11-21", "--allow-stale", "-o", "pv.json"], capsys)
    assert code == 0, err
    assert out.startswith("wrote pv.json: NTJP/PROD from pubversion, snapshot time 2026-11-20T00:58:41+0100: "
                          "23 routings, 16 authorizations, 17 logical addresses, 7 systems, 10 contracts; sha256:")


def test_the_bundled_example_snapshot_is_in_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """examples/ntjp-prod.snapshot.json is what fetch makes of examples/ntjp-prod (regenerate it if this fails)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "--from", str(EXAMPLES / "ntjp-prod"), "--allow-stale",
                        "-o", "s.json"], capsys)
    assert code == 0, err
    assert (tmp_path / "s.json").read_bytes() == (EXAMPLES / "ntjp-prod.snapshot.json").read_bytes()


def test_format_flag_needs_from(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "--export-format", "takdump", "-o", "x.json"], capsys)
    assert code == 2
    assert err == "error: --export-format applies to --from; the TAK-api is always read as tak-api\n"
    # the old spelling still works, with a deprecation note
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "--format", "takdump", "-o", "x.json"], capsys)
    assert code == 2
    assert err == (
        "note: --format is deprecated; use --export-format (it means the same here)\n"
        "error: --export-format applies to --from; the TAK-api is always read as tak-api\n"
    )


def test_progress_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from tak_gitops.cli.fetch import _Progress

    progress = _Progress()
    progress.tty = True
    progress("cooperations", 5_000_000, None)
    progress("cooperations", 12_300_000, None)
    progress("serviceProductions", 1_000, 2_000)
    progress("serviceProductions", 2_000, 2_000)
    assert progress.bar is not None and progress.bar.pos == 2_000
    progress.finish()
    err = capsys.readouterr().err
    assert err.startswith("\rcooperations              5.0 MB\rcooperations             12.3 MB\n")
    assert "serviceProductions" in err


def test_root_names_the_repository_whose_configuration_is_read(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)  # no tak-gitops.yaml here: --root says where it is
    # the TAK-api's address (the fake one on 127.0.0.1) comes from that configuration
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "--root", str(project), "-o", "prod.json"], capsys)
    baseline = project / "orders" / "NTJP-PROD.baseline.json"  # beside the repository's ledger, not in the cwd
    assert (code, err) == (0, f"baseline of NTJP-PROD: {baseline}\n")
    assert read_snapshot(elsewhere / "prod.json").environment == "PROD"
    assert baseline.is_file() and not (elsewhere / "orders").exists()


def test_the_old_config_spelling_still_works_with_a_note(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    code, _, err = run(
        ["fetch", "--env", "NTJP-PROD", "--config", str(project / "tak-gitops.yaml"), "-o", "prod.json"], capsys
    )
    assert code == 0
    assert err.startswith("note: --config is deprecated; use --root DIR (the folder that holds tak-gitops.yaml)\n")
    assert read_snapshot(elsewhere / "prod.json").environment == "PROD"


def test_root_must_be_a_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["fetch", "--env", "NTJP-PROD", "--root", str(project / "missing"), "-o", "x.json"], capsys)
    assert code == 2
    assert "--root" in err and "does not exist" in err
