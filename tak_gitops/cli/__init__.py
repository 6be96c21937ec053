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
from tak_gitops.core.safe_text import for_terminal
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
    "site": "site",
    "sim": "sim",
    "trace": "trace",
    "validate": "validate",
}


# An example for every command's --help, by command path (a command's own docstring example stands first).
EXAMPLES = {
    "": "tak-gitops plan --env NTJP-PROD --export examples/ntjp-prod --hsa examples/hsa/hsacache.xml --allow-stale",
    "apply": "tak-gitops apply reviewed/plan.json --snapshot snapshot.json --yes --commit $GITHUB_SHA",
    "codeowners": "tak-gitops codeowners --check",
    "comment": "tak-gitops comment --env NTJP-PROD --plan plan.json --markdown plan.md --repo OWNER/NAME --pr 7",
    "comment labels": "tak-gitops comment labels --repo OWNER/NAME --pr 7",
    "comment pr-of-run": "tak-gitops comment pr-of-run --repo OWNER/NAME --head-sha $HEAD_SHA --head-repo FORK/NAME",
    "comment orders": "tak-gitops comment orders --repo OWNER/NAME --pr 7 --env NTJP-PROD --ledger-dir orders",
    "drift-report": "tak-gitops drift-report --repo OWNER/NAME --env NTJP-PROD --plan plan.json --ledger-dir orders",
    "affected-envs": "git diff --name-only main...HEAD | tak-gitops affected-envs --paths-from -",
    "affected-orgs": "git diff --name-only main...HEAD | tak-gitops affected-orgs --paths-from -",
    "fetch": "tak-gitops fetch --env NTJP-PROD -o ntjp-prod.snapshot.json",
    "import": "tak-gitops import --env NTJP-PROD --org region-sormland --snapshot ntjp-prod.snapshot.json",
    "init": "tak-gitops init tak-ntjp --environments QA,PROD --example",
    "orders": "tak-gitops orders list --env NTJP-PROD --state submitted",
    "orders list": "tak-gitops orders list --env NTJP-PROD --state submitted",
    "orders show": "tak-gitops orders show w1-region-sormland --env NTJP-PROD   # a unique prefix of the id",
    "orders set-ticket": "tak-gitops orders set-ticket w1-region-sormland TSK-12518 --env NTJP-PROD",
    "orders reconcile": "tak-gitops orders reconcile --env NTJP-PROD --snapshot ntjp-prod.snapshot.json",
    "orders expire": "tak-gitops orders expire w1-region-sormland --env NTJP-PROD --reason 'not in the TAK'",
    "orders unlock": "tak-gitops orders unlock --env NTJP-PROD",
    "plan": "tak-gitops plan --env NTJP-PROD --snapshot ntjp-prod.snapshot.json --org region-sormland --out plan.json",
    "schema": "tak-gitops schema --check",
    "show": "",
    "site": "tak-gitops site --env NTJP-PROD --snapshot ntjp-prod.snapshot.json --hsa hsacache.xml "
    "--plan plan.json -o site/",
    "sim": "tak-gitops sim serve --port 0 --seed examples/ntjp-prod-pubversion.json --db tak.sqlite",
    "sim serve": "tak-gitops sim serve --port 0 --seed examples/ntjp-prod-pubversion.json --db tak.sqlite",
    "sim publish": "tak-gitops sim publish --db tak.sqlite",
    "sim export": "tak-gitops sim export --db tak.sqlite -o pubversion.json",
    "sim try": "tak-gitops sim try orders/NTJP-PROD/w1-inera-producer-SE5565594230-B8N-0123456789.json "
    "--snapshot ntjp-prod.snapshot.json",
    "trace": "tak-gitops trace --env NTJP-PROD --consumer SE2321000016-92V4 --contract "
    "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2 --address SE2321000032-4KMU "
    "--snapshot ntjp-prod.snapshot.json --plan plan.json",
    "validate": "tak-gitops validate desired/ --format github",
}


def _complete_config(ctx: click.Context, kind: str, incomplete: str) -> list[str]:
    """Environment or organisation names from the repository's tak-gitops.yaml and ownership.yaml."""
    from pathlib import Path

    root = ctx.params.get("root") or Path(".")
    try:
        from tak_gitops.adapters.desired_loader import load_config

        config, registry = load_config(Path(root))
    except Exception:  # noqa: BLE001 - completion must never fail the shell
        return []
    names = config.environments if kind == "env" else registry.organisations
    return sorted(n for n in names if n.startswith(incomplete))


def _finish(command: click.Command, path: str) -> None:
    """Add the command's example to its help and complete its --env and --org values."""
    example = EXAMPLES.get(path)
    if example and "Example" not in (command.help or "") and not command.epilog:
        command.epilog = f"\b\nExample:\n  {example}"
    for param in command.params:
        if param.name in ("env", "org", "orgs") and getattr(param, "_custom_shell_complete", None) is None:
            kind = "env" if param.name == "env" else "org"
            param._custom_shell_complete = lambda ctx, _p, text, kind=kind: _complete_config(ctx, kind, text)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _finish(sub, f"{path} {name}".strip())


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
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _finish(command, cmd_name)
        return command


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="tak-gitops")
def cli() -> None:
    """GitOps for the TAK: validate desired state, plan against the current TAK, apply as BS JSON orders."""


cli.epilog = (
    f"\b\nExample:\n  {EXAMPLES['']}\n\n"
    'Shell completion (bash; zsh and fish alike): eval "$(_TAK_GITOPS_COMPLETE=bash_source tak-gitops)"'
)


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
        click.echo(f"error: {for_terminal(str(exc))}", err=True)
        for diagnostic in getattr(exc, "diagnostics", ()):
            click.echo(f"  {for_terminal(str(diagnostic))}", err=True)
        sys.exit(usage_code if exc.exit_code == ExitCode.USAGE else exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.FAILURE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
