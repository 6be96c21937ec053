"""The wheel as a new user gets it: installed outside the checkout, it starts a repository that validates and plans.

Also: the wheel holds this repository's own files (one source: pyproject.toml's force-include), the license and
the metadata the package index shows.
"""

from __future__ import annotations

import email
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

from ruamel.yaml import YAML

from tak_gitops import __version__
from tak_gitops.core.desired_model import json_schemas
from tak_gitops.core.scaffold import SOURCE_URL
from tests.conftest import ROOT
from tests.packaging.conftest import Installed, clean_env

BUNDLE = "tak_gitops/_bundle/"


def _quick_start() -> tuple[list[str], list[str]]:
    """The validate and plan commands of the README's quick start, as arguments after `tak-gitops`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    validate = re.search(r"\.venv/bin/tak-gitops (validate [^&\n]*?)\s*(&&|$)", block, re.M)
    plan = re.search(r"\.venv/bin/tak-gitops (plan [^&\n]*?)\s*(&&|$)", block, re.M)
    assert validate and plan, block
    return shlex.split(validate.group(1)), shlex.split(plan.group(1))


def _without_digests(text: str) -> str:
    return re.sub(r"^( *)(plan|desired) +sha256:[0-9a-f]{64}$", r"\1\2 -", text, flags=re.M)


def test_the_quick_start_runs_in_a_repository_init_wrote_from_the_installed_wheel(
    installed: Installed, tmp_path: Path
) -> None:
    where = subprocess.run(
        [str(installed.python), "-c", "import tak_gitops; print(tak_gitops.__file__)"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(installed.venv), where
    assert installed.run("--version", cwd=tmp_path).stdout == f"tak-gitops, version {__version__}\n"

    repo = tmp_path / "new-repository"
    repo.mkdir()
    init = installed.run("init", "--example", cwd=repo)
    assert (init.returncode, init.stderr.startswith("next: set the repository variable TAK_GITOPS_INSTALL")) == (
        0,
        True,
    ), init.stderr
    assert all(line.startswith("wrote ") for line in init.stdout.splitlines())

    validate, plan = _quick_start()
    assert validate == ["validate", "desired/"]
    checked = installed.run(*validate, cwd=repo)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "valid: no problems found\n")
    planned = installed.run(*plan, cwd=repo)
    assert planned.returncode == 2, planned.stderr
    assert "\n11 to add, 9 to change, 4 to remove, 2 manual steps in 7 orders, 4 waves " in planned.stdout
    schema = installed.run("schema", "--check", cwd=repo)
    assert (schema.returncode, schema.stderr) == (0, "schemas are up to date\n")
    owners = installed.run("codeowners", "--check", cwd=repo)
    assert (owners.returncode, owners.stderr) == (0, "CODEOWNERS: up to date\n")

    # The plan is the one this checkout makes of its own example (the wheel carries the same files), but for the
    # plan checksum and the desired digest: they cover tak-gitops.yaml, which init writes for its environments.
    here = subprocess.run(
        [sys.executable, "-m", "tak_gitops", *plan], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert here.returncode == 2
    assert _without_digests(here.stdout) == _without_digests(planned.stdout)

    # Every pre-commit hook of this repository passes in the new one.
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        name, *args = shlex.split(hook["entry"])
        assert name == "tak-gitops"
        ran = installed.run(*args, cwd=repo)
        assert ran.returncode == 0, (hook["id"], ran.stdout, ran.stderr)


def test_the_wheel_carries_this_repositorys_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        bundled = {n.removeprefix(BUNDLE): zf.read(n) for n in names if n.startswith(BUNDLE)}
        assert {"tak_gitops/templates/plan.md.j2", "tak_gitops/templates/plan.txt.j2", "tak_gitops/py.typed"} <= names
    workflows = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / ".github" / "workflows").glob("*.yml") if p.name != "ci.yml"
    }
    example = {
        p.relative_to(ROOT).as_posix()
        for d in ("desired", "examples/ntjp-prod")
        for p in (ROOT / d).rglob("*")
        if p.is_file()
    }
    schemas = {f"schemas/{name}" for name in json_schemas()}
    expected = workflows | example | schemas | {"ownership.yaml", "examples/hsa/hsacache.xml"}
    assert sorted(bundled) == sorted(expected)
    for path, content in bundled.items():
        assert content == (ROOT / path).read_bytes(), path
    for name, content in json_schemas().items():
        assert bundled[f"schemas/{name}"] == content


def test_the_wheel_metadata_and_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        dist = f"tak_gitops-{__version__}.dist-info"
        meta = email.message_from_bytes(zf.read(f"{dist}/METADATA"))
        assert zf.read(f"{dist}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        entry_points = zf.read(f"{dist}/entry_points.txt").decode()
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert meta["Name"] == "tak-gitops"
    assert meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta.get_all("Project-URL") == [
        "Homepage, https://github.com/example/tak-gitops",
        "Source, https://github.com/example/tak-gitops",
        "Documentation, https://github.com/example/tak-gitops/blob/main/README.md",
        "Issues, https://github.com/example/tak-gitops/issues",
    ]
    assert f"Source, {SOURCE_URL}" in meta.get_all("Project-URL")  # what init's hooks and links name
    assert "Programming Language :: Python :: 3.11" in meta.get_all("Classifier")
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "tak-gitops = tak_gitops.cli:main" in entry_points


def test_the_readme_links_are_absolute() -> None:
    """The README is the package index page too, where a relative link leads nowhere."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", readme) + re.findall(r"(?:href|src)=\"([^\"]+)\"", readme)
    assert links, "no links found"
    relative = [link for link in links if not link.startswith((f"{SOURCE_URL}/", "https://", "#"))]
    assert relative == []
    assert all(link.startswith(f"{SOURCE_URL}/blob/main/") for link in links if "github.com/example" in link)
