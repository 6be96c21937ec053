"""The one error hierarchy of tak-gitops, and the diagnostics that validation reports.

Imports only the standard library. Every error a user can cause derives from :class:`TakGitopsError`;
the CLI catches that class alone, prints the message and exits with ``exit_code``. Anything else is a bug
and is allowed to show a traceback.

::

    TakGitopsError                      exit 1
    +-- UsageError                      exit 2   bad flags, missing paths, unknown environment name
    +-- ConfigError                     exit 1   the project configuration or ownership registry is wrong
    +-- DesiredStateError               exit 1   .diagnostics: every problem found in the desired files
    +-- SourceError                     exit 1   an export, snapshot or HSA file that cannot be read (.path, .row)
    |   +-- SnapshotRefused             exit 1   a source that looks broken, stale or shrunken
    +-- RemoteError                     exit 1   an HTTP peer failed (.status, .url, what to do)
    +-- PlanRefused                     exit 1 (plan) / 3 (apply)   a safety guard refused the plan
    +-- PlanFileError                   exit 1   a plan file that cannot be read
    |   +-- TamperedPlanError           exit 5   the plan's checksum does not match its content
    |   +-- StalePlanError              exit 4   the desired state or snapshot moved since the plan was made
    +-- LedgerError                     exit 1   the order ledger is unreadable or inconsistent
    |   +-- LockedError                 exit 6   another apply holds the environment lock
    +-- SubmitError                     exit 1   an order could not be submitted
    +-- PublishError                    exit 1   a pull-request comment or label could not be posted
    +-- InitRefused                     exit 1   `init` would overwrite files that exist (.paths)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ExitCode(enum.IntEnum):
    """Process exit codes. The table in the README is generated from the same meanings."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    CHANGES = 2  # `plan` only: changes planned (Terraform's -detailed-exitcode convention)
    GUARD = 3  # `apply` only: a safety guard refused the plan
    CALL_FAILS = 3  # `trace` only: the call traced does not work (or no address can be called)
    STALE = 4  # `apply` only: the plan no longer matches the desired state or the TAK
    TAMPERED = 5  # `apply` only: the plan file was edited after it was made
    LOCKED = 6  # `apply` only: another apply holds the lock of this environment


class Severity(enum.StrEnum):
    """How bad a diagnostic is. Only errors make `validate` fail."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in an input file, located to the character.

    Sorted by (path, line, col, code, message), which is the order in which every output format lists them.
    Line and column are 1-based; 0 means "the whole file".
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return f"{self.path}:{self.line}:{self.col}: {self.code} {prefix}{self.message}"

    def to_dict(self) -> dict[str, object]:
        """A plain mapping for JSON output."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }


class TakGitopsError(Exception):
    """Base of every error a user can cause. The CLI prints ``str(error)`` and exits with ``exit_code``."""

    exit_code: int = ExitCode.FAILURE


class UsageError(TakGitopsError):
    """Bad command-line use: a missing path, an unknown environment, conflicting flags."""

    exit_code = ExitCode.USAGE


class ConfigError(TakGitopsError):
    """The project configuration (``tak-gitops.yaml``) or the ownership registry is invalid."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = tuple(sorted(diagnostics))


class DesiredStateError(TakGitopsError):
    """The desired-state files have problems; ``diagnostics`` lists every one of them, sorted."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        errors = sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)
        super().__init__(f"{errors} error(s) in the desired state")


class SourceError(TakGitopsError):
    """An export, snapshot, HSA file or saved response that cannot be read.

    ``path`` names the file and ``row`` the offending row or key (for example ``vagval[17]`` or
    ``serviceProductions[3].logicalAddress``) when one is known.
    """

    def __init__(self, message: str, *, path: str | None = None, row: str | None = None) -> None:
        self.detail = message
        self.path = path
        self.row = row
        where = path or ""
        if row:
            where = f"{where}: {row}" if where else row
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled with its path and row (an error raised in a child process reaches the parent whole)."""
        return (_rebuild_source_error, (type(self), self.detail, self.path, self.row))


def _rebuild_source_error(cls: type[SourceError], message: str, path: str | None, row: str | None) -> SourceError:
    return cls(message, path=path, row=row)


class SnapshotRefused(SourceError):
    """A source that looks broken (empty, shrunken, obfuscated URLs, duplicate keys) or too old."""


class RemoteError(TakGitopsError):
    """An HTTP peer answered with an error or could not be reached. The message says what to do."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class PlanRefused(TakGitopsError):
    """A safety guard refused the plan. ``refusals`` holds one line per guard, each saying how to acknowledge."""

    exit_code = ExitCode.FAILURE

    def __init__(self, refusals: tuple[str, ...] | list[str]) -> None:
        self.refusals = tuple(refusals)
        super().__init__("plan refused by a safety guard:\n" + "\n".join(f"  - {r}" for r in self.refusals))


class PlanFileError(TakGitopsError):
    """A plan file that cannot be read or has the wrong format version."""


class TamperedPlanError(PlanFileError):
    """The plan's recorded checksum does not match its content: it was edited after it was made."""

    exit_code = ExitCode.TAMPERED


class StalePlanError(PlanFileError):
    """The desired state or the TAK moved since the plan was made, and re-planning gives a different plan."""

    exit_code = ExitCode.STALE


class LedgerError(TakGitopsError):
    """The order ledger is unreadable or an operation on it is not allowed in the order's state."""


class LockedError(LedgerError):
    """Another apply holds the lock of this environment."""

    exit_code = ExitCode.LOCKED


class SubmitError(TakGitopsError):
    """An order could not be submitted."""


class PublishError(TakGitopsError):
    """A pull-request comment, label or issue could not be posted."""


class InitRefused(TakGitopsError):
    """`tak-gitops init` would overwrite files that exist and differ; ``paths`` names them, sorted."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = tuple(sorted(paths))
        super().__init__(
            f"{len(self.paths)} file(s) exist and differ from what init writes, nothing was written: "
            + ", ".join(self.paths)
            + " (move them away, or run `tak-gitops init --force` to refresh the schemas and workflows only)"
        )
