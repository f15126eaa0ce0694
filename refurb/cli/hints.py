"""The command to run next, for a refusal from the rulebook: the domain names the
problem and what to do in words; only the CLI knows its own commands."""

from __future__ import annotations

from collections.abc import Callable

from refurb.errors import RefurbError
from refurb.i18n import N_, Phrase


def _run(command: str) -> Phrase:
    return Phrase(N_("run: {command}"), command=command)


# the words are the catalogue's; the commands stay as typed (placeholders a translator
# cannot break)
_HINTS: dict[str, Callable[[str], Phrase]] = {
    "own-step": lambda tag: Phrase(
        N_("use the step's own command: {command}"),
        command="refurb wipe | issue | return | harvest | recycle",
    ),
    "unsanitized": lambda tag: Phrase(
        N_("{command} (or {other})"),
        command=f"refurb wipe {tag} --level purge --method ... --tool ... --verify ... "
        "--result pass",
        other="--removed / --destroyed",
    ),
    "no-storage": lambda tag: Phrase(
        N_("{attest} (a lead), or {intake} with the drive fitted"),
        attest=f"refurb attest {tag} no-storage --reason '...'",
        intake="refurb intake",
    ),
    "no-drives": lambda tag: Phrase(
        N_("{intake} (with the drive fitted) or {attest}"),
        intake="refurb intake",
        attest=f"refurb attest {tag} no-storage",
    ),
    "failing-drive": lambda tag: Phrase(
        N_("replace the drive and run {intake} again, or {attest} (a lead)"),
        intake="refurb intake",
        attest=f"refurb attest {tag} drive-accepted --reason '...'",
    ),
    "no-probe": lambda tag: Phrase(
        N_("run {intake} on the machine (or {import_} its snapshot)"),
        intake="refurb intake",
        import_="refurb import",
    ),
    "donor-recycle-only": lambda tag: _run(f"refurb recycle {tag}"),
    "part-unknown": lambda tag: _run(f"refurb harvest {tag} --part ... --missed-by-probe '...'"),
    "fit-target": lambda tag: Phrase(
        N_("{command} first"), command="refurb status TARGET repairing"
    ),
    "no-participant": lambda tag: _run(f"refurb issue {tag} --to PARTICIPANT"),
}


def command_hint(exc: RefurbError, argv: list[str]) -> str | None:
    rule = getattr(exc, "rule", None)
    if rule not in _HINTS:
        return None
    tag = getattr(exc, "subject", None) or _tag_of(argv)
    if tag is None:  # not a command about one device (a hub import, say)
        return None
    return _HINTS[rule](tag)


def _tag_of(argv: list[str]) -> str | None:
    """The command's first positional argument, where it is a tag."""
    words = [a for a in argv if not a.startswith("-")]
    if len(words) < 2 or words[0] not in _TAG_COMMANDS:
        return None
    return words[1]


_TAG_COMMANDS = {"status", "wipe", "issue", "return", "harvest", "recycle", "attest", "show"}
