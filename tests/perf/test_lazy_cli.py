"""The command line imports a command's module only when that command runs."""

from __future__ import annotations

import subprocess
import sys

import tak_gitops.cli.commands  # noqa: F401 - registers every command
from tak_gitops.cli import _COMMAND_MODULES, cli

_PROBE = """
import sys
from tak_gitops.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.startswith(("tak_gitops.cli.", "httpx", "jinja2", "jsonschema")))
sys.stderr.write("\\nloaded: " + " ".join(loaded) + "\\n")
"""


def _modules_after(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True, timeout=60)
    return set(done.stderr.rsplit("loaded: ", 1)[1].split())


def test_every_command_is_mapped_to_its_module() -> None:
    assert set(_COMMAND_MODULES) == set(cli.commands)
    for name, command in cli.commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"tak_gitops.cli.{_COMMAND_MODULES[name]}"


def test_plan_imports_only_its_own_module() -> None:
    assert _modules_after("plan", "--help") == {"tak_gitops.cli.plan", "tak_gitops.cli.common"}


def test_help_lists_every_command() -> None:
    loaded = _modules_after("--help")
    assert {f"tak_gitops.cli.{m}" for m in _COMMAND_MODULES.values()} <= loaded
