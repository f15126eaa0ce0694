"""The device lifecycle as pure rules: which status may follow which, and the rule
that keeps a donor's data from reaching a participant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from refurb.errors import Refused

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("diagnosed", "wiped", "repairing", "harvested", "recycled"),
    "diagnosed": ("diagnosed", "wiped", "repairing", "harvested", "recycled"),
    "repairing": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "wiped": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "ready": ("diagnosed", "repairing", "wiped", "ready", "issued", "harvested", "recycled"),
    "issued": ("returned",),
    "returned": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "harvested": ("recycled",),
    "recycled": (),
}
NEEDS_SANITIZED_DRIVES = ("ready", "issued")


def check_transition(tag: str, current: str, new: str) -> None:
    if new not in TRANSITIONS:
        raise Refused(f"{new!r} is not a status", f"statuses: {', '.join(TRANSITIONS)}")
    allowed = TRANSITIONS[current]
    if new not in allowed:
        listed = ", ".join(allowed) if allowed else "none (recycled is final)"
        raise Refused(
            f"{tag} is {current}; it cannot become {new}", f"from {current} it can become: {listed}"
        )


@dataclass(frozen=True)
class DriveState:
    label: str  # "sda SAMSUNG ... (serial S3T...)"
    sanitized_at: datetime | None  # the latest valid record for this drive, if any


def unsanitized(drives: Iterable[DriveState], since: datetime | None) -> list[str]:
    """Drives without a valid sanitization record made after ``since`` (the device's
    last return from a participant, or None). A record from before a return does not
    count: the participant's data is on the drive now."""
    return [
        d.label
        for d in drives
        if d.sanitized_at is None or (since is not None and d.sanitized_at < since)
    ]


def require_sanitized(tag: str, new: str, drives: list[DriveState], since: datetime | None) -> None:
    if new not in NEEDS_SANITIZED_DRIVES:
        return
    missing = unsanitized(drives, since)
    if missing:
        raise Refused(
            f"{tag} cannot become {new}: {len(missing)} drive(s) have no sanitization record"
            + (" since the device came back" if since else "")
            + ": "
            + "; ".join(missing),
            f"wipe them and record it: refurb wipe {tag} --method ... --tool ... "
            f"(or --removed / --destroyed)",
        )
