"""The rulebook: given a device's state and a requested action, allowed or refused with
a reason. Pure; every writer (CLI, scan, harvest, the hub's merge, the web) asks here,
inside the transaction that writes, after locking the device.

A refusal names the rule (a stable id a front door can turn into its own hint or
link), the problem, and what to do in words that name no command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from refurb.lifecycle.history import (
    ATTESTATIONS,
    DRIVE_ACCEPTED,
    GONE,
    NO_STORAGE,
    PASS,
    DeviceState,
    Step,
    apply,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("diagnosed", "wiped", "repairing", "harvested", "recycled"),
    # ready from diagnosed: a probe after repair makes a device diagnosed, and the
    # gate (probe, records, drives' health) decides, not the previous status
    "diagnosed": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "repairing": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "wiped": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "ready": ("diagnosed", "repairing", "wiped", "ready", "issued", "harvested", "recycled"),
    "issued": ("returned",),
    "returned": ("diagnosed", "wiped", "repairing", "ready", "harvested", "recycled"),
    "harvested": ("recycled",),
    "recycled": (),
}
STATUSES = tuple(TRANSITIONS)
# statuses a plain move (refurb status, scan's set, a web button) may set; every other
# status has its own step with its own record
MOVABLE = ("diagnosed", "repairing", "ready")
OWN_STEP = {
    "received": "intake",
    "wiped": "wipe",
    "issued": "issue",
    "returned": "return",
    "harvested": "harvest",
    "recycled": "recycle",
}
PART_KINDS = ("ram", "ssd", "hdd", "nvme", "battery", "charger", "screen", "keyboard", "other")
STORAGE_PARTS = ("ssd", "hdd", "nvme")
# parts a probe reports; a harvest of one the probe did not find needs a note
PROBED_PARTS = {"ram": "ram", "ssd": "storage", "hdd": "storage", "nvme": "storage"}
PROBED_PARTS["battery"] = "battery"
# a part may be fitted only while the device is being worked on, before it is ready
FIT_INTO = ("received", "diagnosed", "repairing", "returned")
NO_RECORDS_HERE = ("issued", "recycled")


# how far ahead of this clock an event may be dated (clocks drift; a station whose clock
# runs further ahead must be set right)
FUTURE_TOLERANCE = timedelta(minutes=15)


@dataclass(frozen=True)
class Refusal:
    rule: str  # stable id: transition, own-step, unsanitized, ...
    reason: str  # the problem, for people
    remedy: str  # what to do, in words that name no command


Decision = Refusal | None  # None: allowed


def occurred(state: DeviceState | None, at: datetime, now: datetime) -> Decision:
    """An event said to have happened at ``at`` (a paper record entered later): not in
    the future, and not before the device's latest event, so its history stays in order."""
    if at > now + FUTURE_TOLERANCE:
        return Refusal(
            "time-future",
            f"{at.isoformat(timespec='minutes')} is in the future",
            "give the date and time it happened (in the station's time zone)",
        )
    last = state.last if state is not None else None
    if last is not None and last.at is not None and at < last.at:
        return Refusal(
            "time-order",
            f"{state.tag if state else ''}: {at.isoformat(timespec='minutes')} is before its "
            f"latest recorded step, {last.describe()}",
            "enter paper records in the order they happened; a step recorded by mistake "
            "is voided first",
        )
    return None


def _transition(state: DeviceState, new: str) -> Decision:
    if new not in TRANSITIONS:
        return Refusal(
            "not-a-status", f"{new!r} is not a status", "statuses: " + ", ".join(STATUSES)
        )
    current = state.status or "received"
    allowed = TRANSITIONS[current]
    if new in allowed:
        return None
    listed = ", ".join(allowed) if allowed else "none (recycled is final)"
    return Refusal(
        "transition",
        f"{state.tag} is {current}; it cannot become {new}",
        f"from {current} it can become: {listed}",
    )


def _donor(state: DeviceState, what: str) -> Decision:
    if state.recycle_only:
        return Refusal(
            "donor-recycle-only",
            f"{state.tag} came in a lot whose donor asked for recycling only; it cannot be {what}",
            "recycle it",
        )
    return None


def storage_gate(state: DeviceState, new: str) -> Decision:
    """Every drive in the device has a passing sanitization record as its latest record
    in the current custody; a device with no drive on record needs a lead's
    attestation that it has no storage."""
    present = state.present()
    if not present and not state.no_storage:
        return Refusal(
            "no-storage",
            f"{state.tag} cannot become {new}: it has no drive on record, so nothing shows "
            "that a donor's drive is not in it",
            "if it truly has no storage, a lead attests that (no-storage) with a reason; "
            "otherwise probe it with its drive fitted",
        )
    missing = []
    for d in present:
        if d.latest == PASS:
            continue
        why = {
            None: "no record",
            "fail": "latest verification failed",
        }.get(d.latest, f"latest record: {d.latest}")
        missing.append(f"{state.label(d.id)} ({why})")
    if missing:
        return Refusal(
            "unsanitized",
            f"{state.tag} cannot become {new}: {len(missing)} drive(s) lack a passing "
            "sanitization record since the device was last received, returned, repaired "
            "or fitted with a part: " + "; ".join(missing),
            "sanitize each drive and record it with its verification (or record that the "
            "drive was removed or destroyed)",
        )
    return None


def _failing(state: DeviceState, new: str) -> Decision:
    bad = [d for d in state.present() if d.failing]
    if bad and not state.drive_accepted:
        return Refusal(
            "failing-drive",
            f"{state.tag} cannot become {new}: the last probe found a failing drive: "
            + "; ".join(state.label(d.id) for d in bad),
            "replace the drive and probe again, or a lead accepts the drive "
            "(drive-accepted) with a reason",
        )
    return None


def _probed(state: DeviceState, new: str) -> Decision:
    if not state.probed:
        return Refusal(
            "no-probe",
            f"{state.tag} cannot become {new}: it has not been probed since it came back, "
            "went into repair or had a part fitted",
            "probe it again, so the drives on record are the drives in it",
        )
    return None


def _first(*decisions: Decision) -> Decision:
    return next((d for d in decisions if d is not None), None)


def _ready_or_issued(state: DeviceState, new: str) -> Decision:
    return _first(
        _donor(state, "made ready or issued"),
        _probed(state, new),
        storage_gate(state, new),
        _failing(state, new),
    )


def move(state: DeviceState, new: str) -> Decision:
    """A plain status change (refurb status, scan's set, a web button)."""
    if new in OWN_STEP:
        return Refusal(
            "own-step",
            f"{new} is not set by hand: it is the result of its own step ({OWN_STEP[new]}), "
            "which keeps the record that goes with it",
            f"record the {OWN_STEP[new]} itself",
        )
    decision = _transition(state, new)
    if decision is None and new == "ready":
        decision = _ready_or_issued(state, new)
    return decision


def issue(state: DeviceState, participant: str | None) -> Decision:
    if not participant:
        return Refusal(
            "no-participant",
            f"{state.tag} cannot be issued without a participant",
            "name the participant who receives it",
        )
    return _first(
        _donor(state, "issued"), _transition(state, "issued"), _ready_or_issued(state, "issued")
    )


def return_(state: DeviceState) -> Decision:
    return _transition(state, "returned")


def record_sanitization(state: DeviceState) -> Decision:
    if state.status in NO_RECORDS_HERE:
        return Refusal(
            "no-records-here",
            f"{state.tag} is {state.status}; its drives are not here to sanitize",
            "a returned device is recorded as returned first",
        )
    return None


def wiped_now(state: DeviceState) -> bool:
    """After a wipe record: whether the device becomes "wiped" (every drive passed)."""
    present = state.present()
    return (
        bool(present)
        and all(d.latest == PASS for d in present)
        and "wiped" in TRANSITIONS[state.status or "received"]
    )


def probe_of(tag: str, status: str | None) -> Decision:
    """A new snapshot of a known device. Not of one that is with a participant or has
    gone to a recycler: a probe would put drives on its record that no sanitization
    record covers while it stays issued (a participant's own disk, or a donor's fitted
    by someone else). It comes back first, then it is probed like any return."""
    if status == "issued":
        return Refusal(
            "probe-out",
            f"{tag} is issued to a participant; a new probe would change what was handed over",
            "record its return first, then probe it again",
        )
    if status == "recycled":
        return Refusal(
            "probe-out",
            f"{tag} went to a recycler; it cannot be probed into the shop again",
            "if the very same machine came back, take it in as a new device",
        )
    return None


def status_after_probe(status: str | None) -> str | None:
    """A probe makes a device diagnosed where that is a legal move."""
    return "diagnosed" if "diagnosed" in TRANSITIONS[status or "received"] else None


def harvest_from(state: DeviceState, kind: str, drive_known: bool, noted: bool) -> Decision:
    """Taking a part of ``kind`` out; ``drive_known``: a storage part matches a drive on
    record; ``noted``: the person says the probe missed the part."""
    if kind not in PART_KINDS:
        return Refusal("part-kind", f"{kind!r} is not a part", "parts: " + ", ".join(PART_KINDS))
    if state.status in ("issued", "recycled"):
        return Refusal(
            "harvest-source",
            f"{state.tag} is {state.status}; parts cannot come out of it",
            "only a device in the shop gives parts",
        )
    decision = _donor(state, "used for parts")
    if decision is not None:
        return decision
    if noted:
        return None
    group = PROBED_PARTS.get(kind)
    known = drive_known if group == "storage" else (group is None or group in state.kinds)
    if not known:
        return Refusal(
            "part-unknown",
            f"{state.tag} has no {kind} on record (the probe did not find one)",
            "check the device; if the probe missed the part, say so in a note",
        )
    if state.status != "harvested" and "harvested" not in TRANSITIONS[state.status or "received"]:
        return _transition(state, "harvested")
    return None


def fit_into(state: DeviceState) -> Decision:
    if state.status in FIT_INTO:
        return None
    return Refusal(
        "fit-target",
        f"{state.tag} is {state.status}; a part cannot be fitted into it now",
        "fit parts while the device is in repair (its drives then need a new sanitization "
        "record and it needs a new probe before it is ready)",
    )


def attest(state: DeviceState, what: str, reason: str | None) -> Decision:
    if what not in ATTESTATIONS:
        return Refusal(
            "attest-what", f"{what!r} cannot be attested", "one of: " + ", ".join(ATTESTATIONS)
        )
    if not reason:
        return Refusal("attest-reason", "an attestation needs a reason", "say why, in words")
    if state.status in ("issued", "recycled", "harvested"):
        return Refusal("attest-status", f"{state.tag} is {state.status}; nothing to attest", "none")
    if what == NO_STORAGE and state.present():
        return Refusal(
            "attest-drives",
            f"{state.tag} has drives on record; it cannot be attested to have none",
            "record each drive's removal (or sanitize it) instead",
        )
    if what == DRIVE_ACCEPTED and not any(d.failing for d in state.present()):
        return Refusal(
            "attest-drives", f"{state.tag} has no failing drive to accept", "nothing to do"
        )
    return None


# what a correction may void: a step that is only a record (a status, a sanitization
# record, a weight, an attestation, a note); a probe or a part moved is physical, and is
# answered by a new probe or the reverse move
VOIDABLE = ("status", "sanitized", "weighed", "attest", "note")


def void(target: Step, latest: bool, force: bool, reason: str | None) -> Decision:
    """Voiding ``target``; ``latest``: it is the device's latest live step; ``force``: a
    lead voids an earlier one. What the history then says is judged by the replay."""
    if not reason:
        return Refusal("void-reason", "a correction needs a reason", "say what was wrong")
    if target.kind not in VOIDABLE:
        return Refusal(
            "void-kind",
            f"{target.describe()} cannot be voided: a {target.kind} step records something "
            "physical",
            "record what happened next instead (probe again, or move the part back)",
        )
    if target.kind == "status" and target.status == "received":
        return Refusal(
            "void-kind",
            "the intake itself cannot be voided",
            "a device recorded by mistake is recycled or kept with a note",
        )
    if not latest and not force:
        return Refusal(
            "void-not-latest",
            f"{target.describe()} is not the device's latest step",
            "void the later steps first, or a lead forces it",
        )
    return None


def recycle(state: DeviceState) -> Decision:
    return _transition(state, "recycled")


def seen(state: DeviceState, site: str) -> Decision:
    """A stocktake saw the device at ``site``. Any device on a shelf may be seen (an
    issued one showing up is worth recording, and the stocktake says it was not
    expected); a recycled one has left for good, so its label on a shelf is a mistake."""
    if not site.strip():
        return Refusal("no-site", "a stocktake needs the site counted", "name the site")
    if state.status == "recycled":
        return Refusal(
            "seen-recycled",
            f"{state.tag} is recycled; it left the shop with a shipment",
            "check the label against the device (a label reused or a tag mistyped?)",
        )
    return None


def site_move(state: DeviceState, site: str) -> Decision:
    """Moving the device to another site: only a device still in the shop's hands."""
    if not site.strip():
        return Refusal("no-site", "a move needs the site it goes to", "name the site")
    if state.status in GONE:
        return Refusal(
            "site-gone",
            f"{state.tag} is {state.status}; it is on no shelf to move",
            "only a device the shop still holds moves between sites",
        )
    return None


def check_step(state: DeviceState, step: Step) -> Decision:
    """Would this recorded status step have been allowed from ``state``? (The hub's
    re-check of an imported history and ``refurb db verify`` ask this.)"""
    if step.kind != "status" or not step.status:
        return None
    new = step.status
    if new == "received":
        return None if state.status is None else _transition(state, new)
    if state.status is None:
        return Refusal("no-intake", f"{state.tag}'s history does not start with its intake", "")
    if new == "issued":
        return issue(state, step.participant)
    if new == "ready":
        return _first(_transition(state, new), _ready_or_issued(state, new))
    if new == "wiped":
        decision = _transition(state, new)
        present = state.present()
        if decision is None and not (present and all(d.latest == PASS for d in present)):
            return storage_gate(state, new) or Refusal(
                "unsanitized", f"{state.tag} became wiped with no drive sanitized", ""
            )
        return decision
    return _transition(state, new)


def replay(state: DeviceState, steps: Iterable[tuple[Step, bool]]) -> list[tuple[Step, Refusal]]:
    """Fold ``steps`` into ``state``; each (step, checked) pair whose step the rules
    would have refused is returned with the refusal. Steps recorded before the
    rulebook existed (checked False) are folded but not judged."""
    out = []
    for step, checked in steps:
        if checked:
            decision = check_step(state, step)
            if decision is not None:
                out.append((step, decision))
        apply(state, step)
    return out


def final_problems(state: DeviceState) -> list[Refusal]:
    """What must hold now whatever the history: a ready or issued device passes the
    storage gate; an issued one has a participant."""
    out = []
    if state.status in ("ready", "issued"):
        gate = storage_gate(state, state.status)
        if gate is not None:
            out.append(gate)
    if state.status == "issued" and not state.participant:
        out.append(Refusal("no-participant", f"{state.tag} is issued to no participant", ""))
    return out


__all__ = [
    "DRIVE_ACCEPTED",
    "MOVABLE",
    "NO_STORAGE",
    "STATUSES",
    "TRANSITIONS",
    "Decision",
    "Refusal",
]
