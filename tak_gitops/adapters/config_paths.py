"""Where the paths of ``tak-gitops.yaml`` lead: ``desired_dir``, ``ownership`` and ``ledger_dir`` stay inside the
checkout the configuration is in (a pull request that changes the configuration cannot make a plan read, or an
apply write, anywhere else). A local configuration below the checkout (the README's ``.tak-gitops/local/``) may
point back up into it. Outside a git checkout there is no pull request: the files are the user's own, and the
paths may lead anywhere (as the load cache trusts such a directory)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.validate.diagnostics import Diagnostics

REPOSITORY_PATHS = ("desired_dir", "ownership", "ledger_dir")


@functools.cache
def checkout(folder: Path) -> Path | None:
    """The top of the git checkout ``folder`` is in (resolved), or None outside one."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder.resolve()), "rev-parse", "--show-toplevel"], capture_output=True, text=True,
            timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    top = done.stdout.strip()
    return Path(top).resolve() if done.returncode == 0 and top else None


def paths_inside(folder: Path, root: Node, diags: Diagnostics) -> None:
    """TG207 at each of :data:`REPOSITORY_PATHS` in the configuration ``root`` (read from ``folder``) that leads
    outside the checkout, links followed."""
    top = checkout(folder)
    if top is None:
        return
    for key in REPOSITORY_PATHS:
        node = root.get(key)
        written = node.str_value() if node is not None else None
        if node is None or written is None:
            continue
        target = (folder / written).resolve()
        if not target.is_relative_to(top):
            diags.error(node, codes.BAD_VALUE, f"{key}: {written!r} leads outside the repository")
