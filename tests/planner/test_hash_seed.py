"""The plan does not depend on Python's string hashing (set and dict iteration order between runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _plan_bytes(seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tak_gitops", "plan", "--env", "NTJP-PROD", "--export", "examples/ntjp-prod",
         "--hsa", "examples/hsa/hsacache.xml", "--allow-stale", "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, timeout=120, check=False,
    )
    assert result.returncode == 2, result.stderr
    return result.stdout


def test_the_example_plan_is_byte_identical_under_different_hash_seeds() -> None:
    assert _plan_bytes("1") == _plan_bytes("2") == _plan_bytes("12345")
