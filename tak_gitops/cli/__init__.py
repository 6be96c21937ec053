"""The `tak-gitops` command line: thin click commands over the adapters and the core.

This package is the only place that prints to the terminal or exits. Every command module registers its
commands on :data:`cli`; :func:`main` turns :class:`~tak_gitops.errors.TakGitopsError` into a message on stderr
and its exit code, and never shows a traceback for bad input.
"""

from __future__ import annotations

import importlib
import sys

import click

from tak_gitops import __version__
from tak_gitops.errors import ExitCode, TakGitopsError

# Commands whose exit code 2 means "changes" and whose usage errors therefore exit 1 (Terraform convention).
_CHANGES_EXIT_COMMANDS = frozenset({"plan"})


# Command name -> the module that defines it, imported on first use so that a command loads only what it needs.
# A command missing here is still found: an unknown name imports every module (tak_gitops.cli.commands).
_COMMAND_MODULES = {
    "affected-envs": "comment",
    "affected-orgs": "comment",
    "apply": "apply",
    "codeowners": "codeowners",
    "comment": "comment",
    "drift-report": "comment",
    "fetch": "fetch",
    "import": "import_",
    "init": "init",
    "orders": "orders",
    "plan": "plan",
    "schema": "schema",
    "show": "show",
    "sim": "sim",
    "validate": "validate",
}


class _LazyGroup(click.Group):
    """A group whose subcommands are registered by importing their module when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = _COMMAND_MODULES.get(cmd_name)
            if module is not None:
                importlib.import_module(f"tak_gitops.cli.{module}")
            if cmd_name not in self.commands:
                _register()
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="tak-gitops")
def cli() -> None:
    """GitOps for the TAK: validate desired state, plan against the current TAK, apply as BS JSON orders."""


def _register() -> None:
    # Each module adds its commands to `cli` when imported.
    from tak_gitops.cli import commands  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    command = next((a for a in args if not a.startswith("-")), "")
    # For `plan`, 2 means "changes": a usage error there must not look like one, so it exits 1.
    usage_code = ExitCode.FAILURE if command in _CHANGES_EXIT_COMMANDS else ExitCode.USAGE
    try:
        code = cli.main(args=args, prog_name="tak-gitops", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(ExitCode.FAILURE)
    except click.UsageError as exc:
        exc.show()
        sys.exit(usage_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TakGitopsError as exc:
        click.echo(f"error: {exc}", err=True)
        for diagnostic in getattr(exc, "diagnostics", ()):
            click.echo(f"  {diagnostic}", err=True)
        sys.exit(usage_code if exc.exit_code == ExitCode.USAGE else exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.FAILURE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
