"""README "Try the whole flow locally": its shell block, run verbatim with bash in a copy of the repository."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from .helpers import REPO

pytestmark = pytest.mark.e2e

HEADING = "## Try the whole flow locally"


def readme_block() -> str:
    """The first fenced ``sh`` block under the heading (before the next ``## `` heading)."""
    text = (REPO / "README.md").read_text("utf-8")
    assert text.count(HEADING + "\n") == 1
    section = text.split(HEADING + "\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert match is not None, "no ```sh block under the heading"
    return match.group(1)


def copy_repo(dest: Path) -> Path:
    """The files a fresh clone has (not the venv, caches or earlier local runs)."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".tak-gitops"
    )
    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


@pytest.mark.parametrize("csrf", [True, False], ids=["as-written-csrf-on", "csrf-off"])
def test_the_readme_commands_run_as_written(tmp_path: Path, csrf: bool) -> None:
    """As written the reference TAK runs with ``--csrf`` (TAK-web's default); the same block without it too."""
    block = readme_block()
    assert " --csrf " in block
    if not csrf:
        block = block.replace(" --csrf ", " ")
    clone = copy_repo(tmp_path / "tak-gitops")
    script = tmp_path / "flow.sh"
    script.write_text(block, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # where the tak-gitops console script of this install lives
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAK_WEB_", "TAK_API_"))}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    # -e: any command that fails (other than as the block itself allows) fails the test
    proc = subprocess.Popen(
        ["bash", "-e", str(script)],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        # whatever the script left running in its own session (the server, when a step failed)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0, f"stdout:\n{out}\nstderr:\n{err}"

    local = clone / ".tak-gitops" / "local"
    log = (local / "sim.log").read_text("utf-8").splitlines()
    assert re.fullmatch(r"TAK-web: http://127\.0\.0\.1:\d+/tak-web", log[0])
    assert re.fullmatch(r"TAK-api: http://127\.0\.0\.1:\d+/coop/api/v2", log[1])
    # what the README says you should see
    assert "11 to add, 9 to change, 4 to remove, 2 manual steps in 7 orders, 4 waves" in out
    assert "NTJP-PROD: 7 order(s) submitted now, 0 not sent in this run" in out
    assert "\n2\n" in out  # sim publish: the new version
    assert out.count("submitted -> executed") == 7
    assert "NTJP-PROD: 7 executed" in out
    assert "No changes. The TAK matches the desired state" in out
    assert out.count(": already executed") == 7
    assert out.rstrip().endswith("NTJP-PROD: every order of this plan is already in the ledger; nothing to send")
    records = [orjson.loads(p.read_bytes()) for p in sorted((local / "orders" / "NTJP-PROD").glob("*.json"))]
    assert [r["state"] for r in records] == ["executed"] * 7
    # the repository's own configuration is untouched; the local one is the example with the port filled in
    assert (clone / "tak-gitops.yaml").read_bytes() == (REPO / "tak-gitops.yaml").read_bytes()
    port = re.search(r":(\d+)/", log[0])
    assert port is not None
    template = (REPO / "examples" / "local" / "tak-gitops.yaml").read_text("utf-8")
    assert (local / "tak-gitops.yaml").read_text("utf-8") == template.replace(
        "127.0.0.1:PORT", f"127.0.0.1:{port.group(1)}"
    )
