"""The wheel, built once per test session from this checkout, and a fresh virtual environment holding it.

The build runs offline (``--no-isolation``: the build backend comes from the ``dev`` extra). The new environment
gets the wheel with ``--no-deps --no-index`` and finds the dependencies in this environment's site-packages
through a ``.pth`` line; such a directory's own ``.pth`` files are not run, so this checkout's editable install
is not on its path and ``tak_gitops`` is imported from the wheel alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT


@dataclass(frozen=True)
class Installed:
    """A virtual environment outside the checkout with the built wheel installed."""

    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def tak_gitops(self) -> Path:
        return self.venv / "bin" / "tak-gitops"

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """``tak-gitops ARGS`` of the installed wheel, in ``cwd``."""
        return subprocess.run(
            [str(self.tak_gitops), *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=120
        )


def clean_env() -> dict[str, str]:
    """The environment without anything that would put this checkout or its virtual environment first."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    return env


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("tak_gitops-*.whl")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    return path


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", "--no-index"]
    done = subprocess.run([*pip, str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    Path(site, "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return Installed(wheel, venv)
