"""`tak-gitops validate` and `tak-gitops schema` through click's CliRunner, with exact output."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from tak_gitops.cli import _register, cli, main
from tak_gitops.core.desired_model import json_schemas
from tests.conftest import ROOT

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A copy of the example repository as the current directory."""
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "desired", target / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, target / name)
    cwd = os.getcwd()
    os.chdir(target)
    try:
        yield target
    finally:
        os.chdir(cwd)


def invoke(*args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, list(args))


def break_two_files(repo: Path) -> None:
    """An error in region-sormland (http URL in production) and a warning in inera (a long comment)."""
    sormland = repo / "desired" / "region-sormland" / "NTJP-PROD.yaml"
    sormland.write_text(
        sormland.read_text(encoding="utf-8").replace("url: https://tp.", "url: http://tp."), encoding="utf-8"
    )
    inera = repo / "desired" / "inera" / "NTJP-PROD.yaml"
    text = inera.read_text(encoding="utf-8")
    inera.write_text(text.replace('comment: "Förstudie', 'comment: "' + "x" * 250 + " Förstudie"), encoding="utf-8")


ERROR = (
    "desired/region-sormland/NTJP-PROD.yaml:10:14: TG202 http:// URL is not allowed in this environment "
    "(set allow_http in tak-gitops.yaml)"
)
WARNING = (
    "desired/inera/NTJP-PROD.yaml:3:10: TG903 warning: comment is 304 characters long; TAK keeps only the first 254"
)


def test_valid_repository(repo: Path) -> None:
    result = invoke("validate")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "valid: no problems found\n")


def test_text_format(repo: Path) -> None:
    break_two_files(repo)
    result = invoke("validate")
    assert result.exit_code == 1
    assert result.stdout == f"{WARNING}\n{ERROR}\n"
    assert result.stderr == "1 error(s), 1 warning(s)\n"


def test_warnings_alone_do_not_fail(repo: Path) -> None:
    break_two_files(repo)
    result = invoke("validate", "desired/inera")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{WARNING}\n", "0 error(s), 1 warning(s)\n")


def test_paths_filter_the_report(repo: Path) -> None:
    break_two_files(repo)
    assert invoke("validate", "desired/region-sormland/NTJP-PROD.yaml").stdout == f"{ERROR}\n"
    assert invoke("validate", "desired/region-varmland").stdout == ""
    assert invoke("validate", "desired/region-varmland").exit_code == 0
    assert invoke("validate", "desired/inera", "desired/region-sormland").stdout == f"{WARNING}\n{ERROR}\n"
    assert invoke("validate", ".").stdout == f"{WARNING}\n{ERROR}\n"


def test_json_format(repo: Path) -> None:
    break_two_files(repo)
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document == {
        "valid": False,
        "errors": 1,
        "warnings": 1,
        "diagnostics": [
            {
                "path": "desired/inera/NTJP-PROD.yaml",
                "line": 3,
                "col": 10,
                "code": "TG903",
                "severity": "warning",
                "message": "comment is 304 characters long; TAK keeps only the first 254",
            },
            {
                "path": "desired/region-sormland/NTJP-PROD.yaml",
                "line": 10,
                "col": 14,
                "code": "TG202",
                "severity": "error",
                "message": "http:// URL is not allowed in this environment (set allow_http in tak-gitops.yaml)",
            },
        ],
    }
    assert invoke("validate", "--format", "json").stdout == result.stdout  # deterministic


def test_github_format(repo: Path) -> None:
    break_two_files(repo)
    (repo / "desired" / "stray").mkdir()
    result = invoke("validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::warning file=desired/inera/NTJP-PROD.yaml,line=3,col=10,title=TG903::comment is 304 characters long; "
        "TAK keeps only the first 254",
        "::error file=desired/region-sormland/NTJP-PROD.yaml,line=10,col=14,title=TG202::http:// URL is not "
        "allowed in this environment (set allow_http in tak-gitops.yaml)",
        "::error file=desired/stray,title=TG307::folder 'stray' is not an organisation in ownership.yaml",
    ]
    assert result.stderr == ""


def test_config_errors_are_diagnostics(repo: Path) -> None:
    (repo / "tak-gitops.yaml").write_text("environments:\n  NTJP-PROD: {plattform: NTJP-PROD}\nguard: {}\n")
    result = invoke("validate")
    assert result.exit_code == 1
    assert result.stdout == (
        "tak-gitops.yaml:2:14: TG107 missing required key 'tak_api'\n"
        "tak-gitops.yaml:3:1: TG106 unknown key 'guard' (did you mean 'guards'?)\n"
    )


def test_usage_errors_exit_2(repo: Path, tmp_path: Path) -> None:
    missing = invoke("validate", "no-such-dir")
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr
    outside = invoke("validate", str(tmp_path))
    assert outside.exit_code == 2
    assert "not inside a tak-gitops repository" in outside.stderr
    assert invoke("validate", "--format", "xml").exit_code == 2


def test_main_never_shows_a_traceback(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "desired" / "inera" / "NTJP-PROD.yaml").write_bytes(b"\xff\xfe\x00garbage: [\n")
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "desired/inera/NTJP-PROD.yaml:1:1: TG101 the file is not valid UTF-8 (byte 0xff); save it as UTF-8\n"
    )
    assert "Traceback" not in captured.err
    with pytest.raises(SystemExit) as info:
        main(["validate", "nowhere"])
    assert info.value.code == 2


# ------------------------------------------------------------------------------------------------- schemas


def test_committed_schemas_match_the_models() -> None:
    for name, content in json_schemas().items():
        committed = ROOT / "schemas" / name
        assert committed.is_file(), f"schemas/{name} is missing: run `tak-gitops schema`"
        assert committed.read_bytes() == content, f"schemas/{name} is out of date: run `tak-gitops schema`"


def test_schema_command(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    stale = invoke("schema", "--check", "--out", str(out))
    assert stale.exit_code == 1
    assert f"{out.as_posix()}/config.schema.json: out of date (run `tak-gitops schema`)" in stale.stderr
    written = invoke("schema", "--out", str(out))
    assert written.exit_code == 0
    # Every schema, the plan's and the order's included.
    assert written.stdout.splitlines() == [
        f"{out.as_posix()}/{n}"
        for n in (
            "config.schema.json",
            "environment.schema.json",
            "order.schema.json",
            "organisation.schema.json",
            "ownership.schema.json",
            "plan.schema.json",
        )
    ]
    assert invoke("schema", "--check", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(json_schemas())


def _load(path: Path) -> object:
    return YAML(typ="safe", pure=False).load(path.read_text(encoding="utf-8"))


def test_example_files_satisfy_the_schemas() -> None:
    schemas = {name: json.loads(content) for name, content in json_schemas().items()}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    pairs = [(ROOT / "tak-gitops.yaml", "config"), (ROOT / "ownership.yaml", "ownership")]
    for file in sorted((ROOT / "desired").glob("*/*.yaml")):
        pairs.append((file, "organisation" if file.name == "organisation.yaml" else "environment"))
    for file, kind in pairs:
        document = json.loads(json.dumps(_load(file), default=str))
        jsonschema.validate(document, schemas[f"{kind}.schema.json"])
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"schemas/{kind}.schema.json")


def test_schema_rejects_what_validation_rejects() -> None:
    schema = json.loads(json_schemas()["environment.schema.json"])
    bad = {
        "producers": [
            {
                "system": "SE1-X",
                "contracts": [{"contract": GCC2, "profile": "RIVTABP21", "url": "https://a.se/x", "adresses": ["A"]}],
            }
        ]
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    good = {
        "producers": [
            {
                "system": "SE1-X",
                "contracts": [
                    {
                        "contract": GCC2,
                        "profile": "RIVTABP21",
                        "url": "https://a.se/x",
                        "addresses": ["SE1-A", {"hsa_id": "SE1-B", "name": "B", "kind": "VE"}, {"set": "units"}],
                    }
                ],
            }
        ]
    }
    jsonschema.validate(good, schema)
