"""`tak-gitops init`: the files it writes (golden files), what it refuses to overwrite, and `--force`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from ruamel.yaml import YAML

from tak_gitops import __version__
from tak_gitops.adapters.bundle import WORKFLOWS
from tak_gitops.core.desired_model import json_schemas
from tak_gitops.core.scaffold import SOURCE_URL, Decision, decide
from tak_gitops.errors import InitRefused
from tests.conftest import ROOT
from tests.e2e.helpers import run

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = [f"schemas/{name}" for name in sorted(json_schemas())]
BASE_FILES = sorted(
    [".gitignore", ".pre-commit-config.yaml", "CODEOWNERS", "ownership.yaml", "tak-gitops.yaml", *WORKFLOWS, *SCHEMAS]
)
EXAMPLE = sorted(
    p.relative_to(ROOT).as_posix()
    for d in ("desired", "examples/ntjp-prod")
    for p in (ROOT / d).rglob("*")
    if p.is_file()
) + ["examples/hsa/hsacache.xml"]


class Result(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Result:
    """``tak-gitops ARGS`` in-process through :func:`main`, so that errors show as users see them."""
    return Result(*run(list(args)))


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def test_init_writes_a_repository_for_the_named_platform(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = invoke("init", str(target), "--platform", "SLL", "--environments", "TEST,PROD")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote     {(target / p).as_posix()}" for p in BASE_FILES]
    assert result.stderr.startswith(f"next: set the repository variable TAK_GITOPS_INSTALL to a pinned requirement of "
                                    f"tak-gitops {__version__}\n")  # fmt: skip
    written = files(target)
    assert sorted(written) == BASE_FILES
    golden = GOLDEN / "sll-test-prod"
    for name, golden_name in [
        ("tak-gitops.yaml", "tak-gitops.yaml"),
        ("ownership.yaml", "ownership.yaml"),
        ("CODEOWNERS", "CODEOWNERS"),
        (".gitignore", "gitignore"),
        (".pre-commit-config.yaml", "pre-commit-config.yaml"),
    ]:
        assert written[name] == (golden / golden_name).read_bytes(), name
    for name, content in json_schemas().items():
        assert written[f"schemas/{name}"] == content
    # The new repository is valid as it stands, and its CODEOWNERS is the one `codeowners` writes.
    cwd = os.getcwd()
    os.chdir(target)
    try:
        assert invoke("validate").exit_code == 0
        assert invoke("codeowners", "--check").exit_code == 0
        assert invoke("schema", "--check").exit_code == 0
    finally:
        os.chdir(cwd)


def test_the_workflows_are_this_repositorys_pinned_to_the_installed_version(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    for path in WORKFLOWS:
        ours = (ROOT / path).read_text(encoding="utf-8").splitlines()
        theirs = (tmp_path / path).read_text(encoding="utf-8").splitlines()
        assert len(ours) == len(theirs)
        changed = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
        assert changed, path
        assert set(changed) == {
            ("          TAK_GITOPS_VERSION: source", f'          TAK_GITOPS_VERSION: "{__version__}"')
        }
        assert "TAK_GITOPS_VERSION: source" not in "\n".join(theirs)
    assert not (tmp_path / ".github" / "workflows" / "ci.yml").exists()


def test_init_example_writes_the_bundled_example_at_this_repositorys_paths(in_tmp: Path) -> None:
    result = invoke("init", "--example")
    assert result.exit_code == 0, result.stderr
    written = files(in_tmp)
    assert sorted(written) == sorted(set(BASE_FILES) | set(EXAMPLE))
    for path in [*EXAMPLE, "ownership.yaml", "CODEOWNERS"]:
        assert written[path] == (ROOT / path).read_bytes(), path
    assert invoke("validate", "desired/").exit_code == 0


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    (tmp_path / "tak-gitops.yaml").write_text("# mine\n", encoding="utf-8")
    (tmp_path / "schemas" / "plan.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "config.schema.json").unlink()
    before = files(tmp_path)
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: 2 file(s) exist and differ from what init writes, nothing was written: schemas/plan.schema.json, "
        "tak-gitops.yaml (move them away, or run `tak-gitops init --force` to refresh the schemas and workflows "
        "only)\n"
    )
    assert files(tmp_path) == before  # not even the missing schema was written


def test_init_again_changes_nothing(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "--example").exit_code == 0
    before = files(tmp_path)
    again = invoke("init", str(tmp_path), "--example")
    assert again.exit_code == 0
    assert {line.split()[0] for line in again.stdout.splitlines()} == {"unchanged"}
    assert files(tmp_path) == before


def test_force_refreshes_the_schemas_and_workflows_and_keeps_the_rest(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    reference = files(tmp_path)
    edits = {
        "tak-gitops.yaml": b"# the platform team's own\n",
        "CODEOWNERS": b"* @someone\n",
        "schemas/plan.schema.json": b"{}\n",
        ".github/workflows/tak-plan.yml": b"name: old\n",
    }
    for path, content in edits.items():
        (tmp_path / path).write_bytes(content)
    (tmp_path / ".gitignore").unlink()
    result = invoke("init", str(tmp_path), "--force")
    assert result.exit_code == 0, result.stderr
    shown = {
        line.split()[1].removeprefix(tmp_path.as_posix() + "/"): line.split()[0] for line in result.stdout.splitlines()
    }
    assert shown["tak-gitops.yaml"] == shown["CODEOWNERS"] == "kept"
    assert (
        shown["schemas/plan.schema.json"] == shown[".github/workflows/tak-plan.yml"] == shown[".gitignore"] == "wrote"
    )
    assert shown["ownership.yaml"] == "unchanged"
    after = files(tmp_path)
    assert after["tak-gitops.yaml"] == edits["tak-gitops.yaml"]
    assert after["CODEOWNERS"] == edits["CODEOWNERS"]
    assert {p: after[p] for p in reference if p not in ("tak-gitops.yaml", "CODEOWNERS")} == {
        p: c for p, c in reference.items() if p not in ("tak-gitops.yaml", "CODEOWNERS")
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--platform", "ntjp"],
            "error: --platform 'ntjp' must be a platform code in upper case, such as NTJP or SLL\n",
        ),
        (
            ["--environments", "QA,prod"],
            "error: --environments: 'prod' must be an environment in upper case, such as QA or PROD\n",
        ),
        (
            ["--environments", "QA,,PROD"],
            "error: --environments: '' must be an environment in upper case, such as QA or PROD\n",
        ),
        (["--environments", "QA,QA"], "error: --environments 'QA,QA' names an environment twice\n"),
        (
            ["--example", "--environments", "PROD"],
            "error: --example has files for NTJP-QA: keep them in "
            "--platform/--environments (the defaults, NTJP and QA,PROD, have them)\n",
        ),
        (
            ["--example", "--platform", "SLL"],
            "error: --example has files for NTJP-PROD, NTJP-QA: keep them in "
            "--platform/--environments (the defaults, NTJP and QA,PROD, have them)\n",
        ),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("init", str(tmp_path / "new"), *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert not (tmp_path / "new").exists()


def test_a_file_in_the_way_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = invoke("init", str(tmp_path / "a-file"))
    assert (result.exit_code, result.stderr) == (2, f"error: {tmp_path / 'a-file'}: not a directory\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "schemas").write_text("x", encoding="utf-8")
    result = invoke("init", str(tmp_path / "repo"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {tmp_path / 'repo' / 'schemas'}: exists and is not a directory; move it away\n",
    )
    (tmp_path / "repo" / "schemas").unlink()
    (tmp_path / "repo" / "CODEOWNERS").mkdir()
    result = invoke("init", str(tmp_path / "repo"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {tmp_path / 'repo' / 'CODEOWNERS'}: exists and is not a regular file; move it away\n",
    )
    assert sorted(p.name for p in (tmp_path / "repo").iterdir()) == ["CODEOWNERS"]


def test_decide() -> None:
    wanted = {"a.yaml": b"1", "schemas/s.json": b"2", "c": b"3", ".github/workflows/w.yml": b"4"}
    existing: dict[str, bytes | None] = {"a.yaml": b"old", "schemas/s.json": b"old", "c": b"3"}
    with pytest.raises(InitRefused) as refused:
        decide(wanted, existing, force=False)
    assert refused.value.paths == ("a.yaml", "schemas/s.json")
    assert decide(wanted, existing, force=True) == [
        Decision(".github/workflows/w.yml", "write"),
        Decision("a.yaml", "keep"),
        Decision("c", "unchanged"),
        Decision("schemas/s.json", "write"),
    ]


def test_the_pre_commit_hooks_are_the_ones_init_configures(tmp_path: Path) -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"]) for h in hooks] == [
        ("tak-gitops-validate", "tak-gitops validate"),
        ("tak-gitops-codeowners", "tak-gitops codeowners --check"),
        ("tak-gitops-schema", "tak-gitops schema --check"),
    ]
    for hook in hooks:
        # pre-commit's manifest: these keys are required; each hook checks the whole repository.
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    runs_on = {h["id"]: re.compile(h["files"]) for h in hooks}
    touched = {
        "desired/inera/NTJP-PROD.yaml": {"tak-gitops-validate"},
        "tak-gitops.yaml": {"tak-gitops-validate", "tak-gitops-codeowners"},
        "ownership.yaml": {"tak-gitops-validate", "tak-gitops-codeowners"},
        "CODEOWNERS": {"tak-gitops-codeowners"},
        "schemas/plan.schema.json": {"tak-gitops-schema"},
        ".pre-commit-config.yaml": {"tak-gitops-schema"},
        "README.md": set(),
    }
    for path, expected in touched.items():
        assert {hook_id for hook_id, rx in runs_on.items() if rx.search(path)} == expected, path
    assert invoke("init", str(tmp_path)).exit_code == 0
    config = YAML(typ="safe").load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config == {
        "repos": [
            {
                "repo": SOURCE_URL,
                "rev": f"v{__version__}",
                "hooks": [{"id": h["id"]} for h in hooks],
            }
        ]
    }
