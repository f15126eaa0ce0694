"""A device's history as the rulebook sees it, and the state folded from it.

Pure: no database, no clock. The store turns events (with the records they point at)
into ``Step``s in the device's own order (its event sequence, never the wall clock);
``fold`` turns the steps into a ``DeviceState`` that the rules in
``refurb.lifecycle.rules`` read.

Custody: a return from a participant, entering repair and fitting a part each start a
new *custody*. Sanitization records made before it no longer count, and the device
needs a new probe before it can be ready, so that the drives on record are the
drives in the machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# sanitization results: a verified clear/purge, a failed verification, or the drive
# left the device (removed) or was physically destroyed
PASS, FAIL, REMOVED, DESTROYED = "pass", "fail", "removed", "destroy"
# what a lead can attest, recorded as an event with their reason
NO_STORAGE = "no-storage"  # the device has no storage at all (checked by hand)
DRIVE_ACCEPTED = "drive-accepted"  # a drive the probe flagged as failing is accepted
ATTESTATIONS = (NO_STORAGE, DRIVE_ACCEPTED)
# status events that start a new custody
CUSTODY_STATUSES = frozenset({"returned", "repairing"})
# events that say where a device is: seen there at a stocktake, or moved there
SITE_KINDS = ("seen", "sited")
# statuses of a device no longer on any shelf: it is not expected anywhere
GONE = frozenset({"issued", "recycled", "harvested"})


@dataclass(frozen=True)
class Step:
    """One event of a device's history."""

    seq: int
    kind: str  # status | probed | sanitized | part-in | part-out | attest | (others: no effect)
    status: str | None = None  # kind status: the new status
    participant: str | None = None  # kind status, issued: who received it
    drive: str | None = None  # sanitized, part-in, part-out: the drive (id) concerned
    result: str | None = None  # sanitized: pass | fail | removed | destroy
    seen: tuple[str, ...] = ()  # probed: the drives the probe saw
    failing: tuple[str, ...] = ()  # probed: of those, the ones a finding failed
    what: str | None = None  # attest: no-storage | drive-accepted
    at: datetime | None = None  # when it happened
    site: str | None = None  # seen, sited: the site named

    def describe(self) -> str:
        return f"event {self.seq} ({self.status or self.kind}" + (
            f", {self.at.isoformat(timespec='minutes')})" if self.at else ")"
        )


@dataclass
class DriveView:
    id: str
    present: bool = True
    latest: str | None = None  # the latest record's result in the current custody
    failing: bool = False  # the latest probe that saw it failed a check on it


@dataclass
class DeviceState:
    """What the rules need to know about one device, now."""

    tag: str
    status: str | None = None
    drives: dict[str, DriveView] = field(default_factory=dict)
    probed: bool = False  # a probe since the current custody began
    no_storage: bool = False  # attested since the last probe or custody change
    drive_accepted: bool = False  # a failing drive accepted since the last probe
    participant: str | None = None  # while issued
    recycle_only: bool = False  # the donor asked for recycling only
    kinds: frozenset[str] = frozenset()  # parts the probe found: ram, battery, storage
    labels: dict[str, str] = field(default_factory=dict)  # drive id -> words for people
    last_seq: int = 0
    last: Step | None = None  # the latest step (its time bounds a back-dated one)
    site: str | None = None  # where it was last seen or moved to (None: its lot's site)

    def present(self) -> list[DriveView]:
        return [d for d in self.drives.values() if d.present]

    def label(self, drive_id: str) -> str:
        return self.labels.get(drive_id) or drive_id


def _new_custody(state: DeviceState) -> None:
    for d in state.drives.values():
        d.latest = None
    state.probed = False
    state.no_storage = False
    state.drive_accepted = False


def apply(state: DeviceState, step: Step) -> None:
    """Fold one step into the state (in place)."""
    state.last_seq = max(state.last_seq, step.seq)
    if step.at is not None and (
        state.last is None or state.last.at is None or step.at >= state.last.at
    ):
        state.last = step
    if step.kind == "status" and step.status:
        state.status = step.status
        if step.status == "issued":
            state.participant = step.participant
        elif step.status == "returned":
            state.participant = None
        if step.status in CUSTODY_STATUSES:
            _new_custody(state)
    elif step.kind == "probed":
        for drive_id in step.seen:
            d = state.drives.setdefault(drive_id, DriveView(drive_id))
            d.present = True  # a drive seen again after "removed" is back on record
            d.failing = drive_id in step.failing
        state.probed = True
        state.no_storage = False
        state.drive_accepted = False
    elif step.kind == "sanitized" and step.drive:
        d = state.drives.setdefault(step.drive, DriveView(step.drive))
        d.latest = step.result
        if step.result in (REMOVED, DESTROYED):
            d.present = False
            d.failing = False
    elif step.kind == "part-out" and step.drive and step.drive in state.drives:
        state.drives[step.drive].present = False
        state.drives[step.drive].failing = False
    elif step.kind == "part-in":
        _new_custody(state)
        if step.drive:
            state.drives[step.drive] = DriveView(step.drive)
    elif step.kind in SITE_KINDS and step.site:
        state.site = step.site
    elif step.kind == "attest":
        if step.what == NO_STORAGE:
            state.no_storage = True
        elif step.what == DRIVE_ACCEPTED:
            state.drive_accepted = True


def fold(tag: str, steps: Iterable[Step], **known: object) -> DeviceState:
    """The state after ``steps`` (in order); ``known`` sets the facts that are not
    events (recycle_only, kinds, labels, site: the intake lot's site until an event
    names another)."""
    state = DeviceState(tag=tag, **known)  # type: ignore[arg-type]
    for step in steps:
        apply(state, step)
    return state


def expected_at(state: DeviceState, site: str) -> bool:
    """Whether a stocktake at ``site`` should find the device there: it was last seen
    or moved there (or came in a lot of that site and has not been seen elsewhere), and
    it has not left the shop (issued, recycled, harvested for parts)."""
    return state.site == site and state.status not in GONE
