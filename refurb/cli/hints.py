"""The command to run next, for a refusal from the rulebook: the domain names the
problem and what to do in words; only the CLI knows its own commands."""

from __future__ import annotations

from refurb.errors import RefurbError

_HINTS = {
    "own-step": "use the step's own command: refurb wipe | issue | return | harvest | recycle",
    "unsanitized": "refurb wipe {tag} --level purge --method ... --tool ... --verify ... "
    "--result pass (or --removed / --destroyed)",
    "no-storage": "refurb attest {tag} no-storage --reason '...' (a lead), "
    "or refurb intake with the drive fitted",
    "no-drives": "refurb intake (with the drive fitted) or refurb attest {tag} no-storage",
    "failing-drive": "replace the drive and run refurb intake again, or "
    "refurb attest {tag} drive-accepted --reason '...' (a lead)",
    "no-probe": "run refurb intake on the machine (or refurb import its snapshot)",
    "donor-recycle-only": "refurb recycle {tag}",
    "part-unknown": "refurb harvest {tag} --part ... --missed-by-probe 'what you found'",
    "fit-target": "refurb status TARGET repairing first",
    "no-participant": "refurb issue {tag} --to PARTICIPANT",
}


def command_hint(exc: RefurbError, argv: list[str]) -> str | None:
    rule = getattr(exc, "rule", None)
    if rule not in _HINTS:
        return None
    tag = getattr(exc, "subject", None) or _tag_of(argv)
    if tag is None:  # not a command about one device (a hub import, say)
        return None
    return _HINTS[rule].format(tag=tag)


def _tag_of(argv: list[str]) -> str | None:
    """The command's first positional argument, where it is a tag."""
    words = [a for a in argv if not a.startswith("-")]
    if len(words) < 2 or words[0] not in _TAG_COMMANDS:
        return None
    return words[1]


_TAG_COMMANDS = {"status", "wipe", "issue", "return", "harvest", "recycle", "attest", "show"}
