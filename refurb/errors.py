"""The one error tree. Each error carries a plain-language message, what to do about
it, and the process exit code the CLI's single error boundary turns it into.

Exit codes (a contract; see docs/cli.md):
  0  success (and assess --check: the verdict is refurbish)
  1  an error not covered below
  2  usage error (click's own convention)
  3  bad input: a file, capture, snapshot, policy or label stock that cannot be used
  4  database problem: unreachable, locked, not a refurb database, needs an upgrade
  5  not found: an asset tag, lot, participant, recycler or shipment that does not exist
  6  refused by a rule: an illegal status change, a drive without a sanitization record
  7  the environment: a read-only or full disk, a missing tool
  10 assess --check: the verdict is repair
  11 assess --check: the verdict is harvest
  12 assess --check: the verdict is recycle
 130 interrupted (Ctrl-C): the command stopped and nothing was changed
"""

from __future__ import annotations


class RefurbError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  -> {self.hint}"


class BadInput(RefurbError):
    exit_code = 3


class DatabaseError(RefurbError):
    exit_code = 4


class Conflict(DatabaseError):
    """Another writer stored the same record at the same moment; running again is safe."""


class NotFound(RefurbError):
    exit_code = 5


class Refused(RefurbError):
    """A rule said no. ``rule`` is the rulebook's stable id (front doors turn it into
    their own hint), ``subject`` the tag it concerns."""

    exit_code = 6

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
    exit_code = 7
