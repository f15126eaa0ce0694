"""The one error tree. Each error carries a plain-language message, what to do about
it, and the process exit code the CLI's single error boundary turns it into.

The exit codes are a contract: ``ExitStatus`` below is their single source; every error
class takes its code from it, and docs/cli.md lists it (generated from it).
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Every exit code refurb uses, each with the sentence docs/cli.md prints."""

    OK = 0
    ERROR = 1
    USAGE = 2
    BAD_INPUT = 3
    DATABASE = 4
    NOT_FOUND = 5
    REFUSED = 6
    ENVIRONMENT = 7
    REPAIR = 10
    HARVEST = 11
    RECYCLE = 12
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitStatus.OK: "success (and assess --check: the verdict is refurbish)",
    ExitStatus.ERROR: "an error not covered below",
    ExitStatus.USAGE: "usage error: an unknown command or option, a missing or contradictory "
    "option (click's own convention)",
    ExitStatus.BAD_INPUT: "bad input: a file, capture, snapshot, policy or label stock that "
    "cannot be used",
    ExitStatus.DATABASE: "database problem: does not exist, unreachable, locked, not a refurb "
    "database, needs an upgrade",
    ExitStatus.NOT_FOUND: "not found: an asset tag, lot, participant or label selection that "
    "matches nothing",
    ExitStatus.REFUSED: "refused by a rule: an illegal status change, a drive without a "
    "sanitization record",
    ExitStatus.ENVIRONMENT: "the environment: a read-only or full disk, a missing tool",
    ExitStatus.REPAIR: "assess --check: the verdict is repair",
    ExitStatus.HARVEST: "assess --check: the verdict is harvest",
    ExitStatus.RECYCLE: "assess --check: the verdict is recycle",
    ExitStatus.INTERRUPTED: "interrupted (Ctrl-C): the command stopped and nothing was changed",
}


def exit_codes_text() -> str:
    """The exit-code table as docs/cli.md shows it."""
    return "\n".join(f"{int(s):>3}  {s.meaning}" for s in ExitStatus)


class RefurbError(Exception):
    exit_code: int = ExitStatus.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  -> {self.hint}"


class BadInput(RefurbError):
    exit_code = ExitStatus.BAD_INPUT


class DatabaseError(RefurbError):
    exit_code = ExitStatus.DATABASE


class Conflict(DatabaseError):
    """Another writer stored the same record at the same moment; running again is safe."""


class MissingReference(DatabaseError):
    """A record names another that is not in the database (a foreign key failed). Not
    a conflict: running again helps only if another writer removed that record at the
    same moment; otherwise the input itself names something that is not there."""


class NotFound(RefurbError):
    exit_code = ExitStatus.NOT_FOUND


class Refused(RefurbError):
    """A rule said no. ``rule`` is the rulebook's stable id (front doors turn it into
    their own hint), ``subject`` the tag it concerns."""

    exit_code = ExitStatus.REFUSED

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        rule: str | None = None,
        subject: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.rule = rule
        self.subject = subject


class EnvironmentProblem(RefurbError):
    exit_code = ExitStatus.ENVIRONMENT


class UsageProblem(RefurbError):
    """The command was called wrongly: an option missing, or two that exclude each other."""

    exit_code = ExitStatus.USAGE
