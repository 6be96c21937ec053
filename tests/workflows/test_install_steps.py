"""The install steps refuse an unpinned tak-gitops: each step's script run with bash, as the runner runs it.

`pip` and `tak-gitops` are stand-ins on PATH that record their arguments, so nothing is installed. Every
workflow's install step is run both as it is in this repository (``TAK_GITOPS_VERSION: source``) and as
`tak-gitops init` writes it (pinned to this version), and so is the composite action's.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tak_gitops import __version__
from tak_gitops.adapters.bundle import WORKFLOWS
from tak_gitops.core.scaffold import pin_workflow
from tests.conftest import ROOT

H1, H2 = "a" * 64, "0123456789abcdef" * 4
COMMIT = "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
V = __version__

UNPINNED = [
    "",
    "tak-gitops",
    f"tak-gitops=={V}",  # an exact version without a hash
    f"tak-gitops>={V} --hash=sha256:{H1}",
    f"tak-gitops=={V} --hash=md5:{H1[:32]}",
    f"tak-gitops=={V} --hash=sha256:{H1[:63]}",
    "tak-gitops @ git+https://github.com/example/tak-gitops@main",  # a branch moves
    "tak-gitops @ git+https://github.com/example/tak-gitops@v0.1.0",  # so can a tag
    f"tak-gitops @ git+https://github.com/example/tak-gitops@{COMMIT[:12]}",
    f"tak-gitops @ git+http://github.com/example/tak-gitops@{COMMIT}",
    f"git+https://github.com/example/tak-gitops@{COMMIT}",  # the name must be said
    f"tak-gitops @ https://example.org/tak_gitops-{V}-py3-none-any.whl",
    f"tak-gitops=={V} --hash=sha256:{H1}\n--extra-index-url https://pypi.example.org/simple",
    f"--index-url https://pypi.example.org/simple\ntak-gitops=={V} --hash=sha256:{H1}",
    f"tak-gitops=={V} --hash=sha256:{H1}\npydantic>=2",  # a dependency unpinned
    f"tak-gitops=={V} --hash=sha256:{H1}\npydantic==2.7.0 --global-option=x --hash=sha256:{H2}",
    f"-r other.txt\ntak-gitops=={V} --hash=sha256:{H1}",
    f"tak-gitops=={V} --hash=sha256:{H1}\ntak-gitops=={V} --hash=sha256:{H2}",  # tak-gitops twice
    f"tak-gitops=={V} --hash=sha256:{H1}; echo injected",
    f"tak-gitops=={V} --hash=sha256:{H1} $(touch pwned)",
]

PINNED = [
    (f"tak-gitops=={V} --hash=sha256:{H1}", [f"tak-gitops=={V} --hash=sha256:{H1}"]),
    (
        # pip-compile --generate-hashes: continuation lines, comments, markers, several hashes.
        f"#\n# pip-compile --generate-hashes\n#\ntak-gitops=={V} \\\n    --hash=sha256:{H1} \\\n"
        f"    --hash=sha256:{H2}\n    # via -r requirements.in\n"
        f'tomli==2.0.1 ; python_version < "3.11" \\\n    --hash=sha256:{H2}\n',
        [
            f"tak-gitops=={V} --hash=sha256:{H1} --hash=sha256:{H2}",
            f'tomli==2.0.1 ; python_version < "3.11" --hash=sha256:{H2}',
        ],
    ),
    (
        f"tak-gitops @ git+https://github.com/example/tak-gitops@{COMMIT}",
        [f"tak-gitops @ git+https://github.com/example/tak-gitops@{COMMIT}"],
    ),
]


def _install_steps(doc: Any) -> list[dict[str, Any]]:
    steps = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += doc.get("runs", {}).get("steps", [])
    return [s for s in steps if s.get("name") == "Install tak-gitops"]


def _workflow_steps(pinned: bool) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in WORKFLOWS:
        text = (ROOT / path).read_text(encoding="utf-8")
        if pinned:
            text = pin_workflow(path, text, V)
        out += [(path, step) for step in _install_steps(YAML(typ="safe").load(text))]
    return out


ACTION_STEP = _install_steps(YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8")))[0]


def _run(step: dict[str, Any], tmp_path: Path, install: str, *, reports: str = V) -> tuple[int, str, list[str]]:
    """Run the step's script with bash in an empty directory; (exit code, output, the commands it ran)."""
    bin_dir, work, runner_temp = tmp_path / "bin", tmp_path / "work", tmp_path / "runner-temp"
    for d in (bin_dir, work, runner_temp):
        d.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    log.write_text("", encoding="utf-8")
    (bin_dir / "pip").write_text(f'#!/usr/bin/env bash\necho "pip $*" >> {log}\n', encoding="utf-8")
    (bin_dir / "tak-gitops").write_text(
        f'#!/usr/bin/env bash\necho "tak-gitops $*" >> {log}\necho "tak-gitops, version {reports}"\n', encoding="utf-8"
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {k: str(v) for k, v in step.get("env", {}).items() if "${{" not in str(v)}
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env={
            "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
            "RUNNER_TEMP": str(runner_temp),
            "TAK_GITOPS_INSTALL": install,
            "ACTION_PATH": "/home/runner/work/_actions/example/tak-gitops/3f2c1e0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not (work / "pwned").exists()
    return done.returncode, done.stdout + done.stderr, log.read_text(encoding="utf-8").splitlines()


def test_every_workflow_install_step_is_the_same_script() -> None:
    steps = _workflow_steps(pinned=False)
    assert {path for path, _ in steps} == set(WORKFLOWS)
    assert len({s["run"] for _, s in steps}) == 1
    # No other step of a workflow or of the action installs anything.
    for path in [*WORKFLOWS, "action.yml"]:
        doc = YAML(typ="safe").load((ROOT / path).read_text(encoding="utf-8"))
        every = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])]
        every += doc.get("runs", {}).get("steps", [])
        installing = [s for s in every if "pip install" in s.get("run", "")]
        assert installing == _install_steps(doc), path
    for _, step in steps:
        assert step["env"] == {"TAK_GITOPS_INSTALL": "${{ vars.TAK_GITOPS_INSTALL }}", "TAK_GITOPS_VERSION": "source"}
    for _, step in _workflow_steps(pinned=True):
        assert step["env"]["TAK_GITOPS_VERSION"] == V
    assert ACTION_STEP["env"] == {
        "TAK_GITOPS_INSTALL": "${{ inputs.tak-gitops-install }}",
        "ACTION_PATH": "${{ github.action_path }}",
    }
    # Nothing is ever installed by a bare name.
    for script in [ACTION_STEP["run"], steps[0][1]["run"]]:
        assert re.findall(r"pip install [^\n]*", script) == [
            *(['pip install --quiet "$ACTION_PATH"'] if script is ACTION_STEP["run"] else ["pip install --quiet ."]),
            'pip install --quiet -r "$req"',
        ]


@pytest.mark.parametrize("install", UNPINNED)
def test_the_pinned_workflow_install_steps_refuse_an_unpinned_requirement(tmp_path: Path, install: str) -> None:
    for path, step in _workflow_steps(pinned=True):
        code, output, calls = _run(step, tmp_path, install)
        assert (code, calls) == (1, []), (path, output)
        assert output.startswith(
            f"::error title=tak-gitops is not pinned::set the repository variable TAK_GITOPS_INSTALL to "
            f"'tak-gitops=={V} --hash=sha256:<hash>' with each dependency pinned"
        ), output


@pytest.mark.parametrize("install", UNPINNED)
def test_the_action_install_step_refuses_an_unpinned_requirement(tmp_path: Path, install: str) -> None:
    if install == "":
        return  # empty: the action's own checkout (test_the_action_installs_its_own_checkout)
    code, output, calls = _run(ACTION_STEP, tmp_path, install)
    assert (code, calls) == (1, []), output
    assert output.startswith("::error title=tak-gitops is not pinned::input tak-gitops-install must be"), output


@pytest.mark.parametrize(("install", "lines"), PINNED)
def test_a_pinned_requirement_is_installed_and_its_version_checked(
    tmp_path: Path, install: str, lines: list[str]
) -> None:
    req = tmp_path / "runner-temp" / "tak-gitops-requirements.txt"
    for path, step in _workflow_steps(pinned=True):
        code, output, calls = _run(step, tmp_path, install)
        assert (code, output) == (0, ""), path
        assert calls == [f"pip install --quiet -r {req}", "tak-gitops --version"]
        assert req.read_text(encoding="utf-8").splitlines() == lines
    code, output, calls = _run(ACTION_STEP, tmp_path, install)
    assert (code, output, calls) == (0, "", [f"pip install --quiet -r {req}"])
    assert req.read_text(encoding="utf-8").splitlines() == lines


def test_a_pin_of_another_version_is_refused(tmp_path: Path) -> None:
    _, step = _workflow_steps(pinned=True)[0]
    code, output, calls = _run(step, tmp_path, f"tak-gitops==9.9.9 --hash=sha256:{H1}")
    assert (code, calls) == (1, [])
    assert "is not pinned" in output
    # A git commit of another version is found out once installed.
    code, output, calls = _run(step, tmp_path, PINNED[2][0], reports="9.9.9")
    assert code == 1
    assert output == (
        "::error title=tak-gitops version::TAK_GITOPS_INSTALL installed 'tak-gitops, version 9.9.9'; these workflows "
        f"are for {V} (refresh them with 'tak-gitops init --force')\n"
    )


def test_the_action_installs_its_own_checkout(tmp_path: Path) -> None:
    code, output, calls = _run(ACTION_STEP, tmp_path, "")
    assert (code, output) == (0, "")
    assert calls == ["pip install --quiet /home/runner/work/_actions/example/tak-gitops/3f2c1e0"]


def test_the_source_install_only_installs_a_checkout_of_tak_gitops(tmp_path: Path) -> None:
    _, step = _workflow_steps(pinned=False)[0]
    code, output, calls = _run(step, tmp_path, "tak-gitops")
    assert (code, calls) == (1, [])
    assert output == (
        "::error title=tak-gitops not installed::this is not a checkout of tak-gitops; write the workflows with "
        "'tak-gitops init'\n"
    )
    (tmp_path / "work").mkdir(exist_ok=True)
    (tmp_path / "work" / "pyproject.toml").write_text('[project]\nname = "tak-gitops"\n', encoding="utf-8")
    code, output, calls = _run(step, tmp_path, "ignored")
    assert (code, output, calls) == (0, "", ["pip install --quiet ."])
