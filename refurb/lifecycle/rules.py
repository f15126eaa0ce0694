"""The rulebook: given a device's state and a requested action, allowed or refused with
a reason. Pure; every writer (CLI, scan, harvest, the hub's merge, the web) asks here,
inside the transaction that writes, after locking the device.

A refusal names the rule (a stable id a front door can turn into its own hint or
link), the problem, and what to do in words that name no command.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from refurb.i18n import N_, Listed, Phrase
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

# What one device, one lot (a donation: a truck or two of computers) and one shipment
# to a recycler (a full 53-foot trailer carries about 20 t; more than twice that is a
# typing slip) can plausibly weigh, in kg: every writer of a weight asks plausible_kg,
# the hub's import of a bundle included.
DEVICE_KG = (0.01, 200.0)
LOT_KG = (0.01, 100_000.0)
SHIPMENT_KG = (0.01, 40_000.0)


def plausible_kg(kg: object, bounds: tuple[float, float]) -> bool:
    """A number of kilograms within ``bounds`` (not a flag, not infinite, not NaN)."""
    if type(kg) not in (int, float):
        return False
    low, high = bounds
    return math.isfinite(kg) and low <= kg <= high  # type: ignore[arg-type,operator]


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
    "received": N_("intake"),
    "wiped": N_("wipe"),
    "issued": N_("issue"),
    "returned": N_("return"),
    "harvested": N_("harvest"),
    "recycled": N_("recycle"),
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


# The statuses as words in a refusal: the ids a person types, translated where shown.
_STATUS_WORDS = (
    N_("received"),
    N_("diagnosed"),
    N_("wiped"),
    N_("repairing"),
    N_("ready"),
    N_("issued"),
    N_("returned"),
    N_("harvested"),
    N_("recycled"),
)


def _s(status: str | None) -> Phrase:
    """A status as a word of a refusal (translated where it is shown)."""
    return Phrase(status or "received")


# the other latest records a drive can have, as words of a refusal
_RECORD_WORDS = (N_("removed"), N_("destroy"))


def _record_word(latest: str | None) -> str:
    word = str(latest)
    return Phrase(word) if word in _RECORD_WORDS else word


def _when(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def occurred(state: DeviceState | None, at: datetime, now: datetime) -> Decision:
    """An event said to have happened at ``at`` (a paper record entered later): not in
    the future, and not before the device's latest event, so its history stays in order."""
    if at > now + FUTURE_TOLERANCE:
        return Refusal(
            "time-future",
            Phrase(N_("{when} is in the future"), when=_when(at)),
            N_("give the date and time it happened (in the station's time zone)"),
        )
    last = state.last if state is not None else None
    if last is not None and last.at is not None and at < last.at:
        return Refusal(
            "time-order",
            Phrase(
                N_("{tag}: {when} is before its latest recorded step, {step}"),
                tag=state.tag if state else "",
                when=_when(at),
                step=last.describe(),
            ),
            N_(
                "enter paper records in the order they happened; a step recorded by mistake "
                "is voided first"
            ),
        )
    return None


def _transition(state: DeviceState, new: str) -> Decision:
    if new not in TRANSITIONS:
        return Refusal(
            "not-a-status",
            Phrase(N_("{new!r} is not a status"), new=new),
            Phrase(N_("statuses: {statuses}"), statuses=Listed(STATUSES, ", ")),
        )
    current = state.status or "received"
    allowed = TRANSITIONS[current]
    if new in allowed:
        return None
    listed = Listed([_s(a) for a in allowed], ", ") if allowed else N_("none (recycled is final)")
    return Refusal(
        "transition",
        Phrase(
            N_("{tag} is {status}; it cannot become {new}"),
            tag=state.tag,
            status=_s(current),
            new=_s(new),
        ),
        Phrase(N_("from {status} it can become: {listed}"), status=_s(current), listed=listed),
    )


def _donor(state: DeviceState, what: str) -> Decision:
    if state.recycle_only:
        return Refusal(
            "donor-recycle-only",
            Phrase(
                N_("{tag} came in a lot whose donor asked for recycling only; it cannot be {what}"),
                tag=state.tag,
                what=Phrase(what),
            ),
            N_("recycle it"),
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
            Phrase(
                N_(
                    "{tag} cannot become {new}: it has no drive on record, so nothing shows "
                    "that a donor's drive is not in it"
                ),
                tag=state.tag,
                new=_s(new),
            ),
            N_(
                "if it truly has no storage, a lead attests that (no-storage) with a reason; "
                "otherwise probe it with its drive fitted"
            ),
        )
    missing = []
    for d in present:
        if d.latest == PASS:
            continue
        why = {
            None: Phrase(N_("no record")),
            "fail": Phrase(N_("latest verification failed")),
        }.get(d.latest) or Phrase(N_("latest record: {record}"), record=_record_word(d.latest))
        missing.append(Phrase(N_("{drive} ({why})"), drive=state.label(d.id), why=why))
    if missing:
        return Refusal(
            "unsanitized",
            Phrase(
                N_(
                    "{tag} cannot become {new}: {n} drive(s) lack a passing sanitization "
                    "record since the device was last received, returned, repaired or fitted "
                    "with a part: {drives}"
                ),
                tag=state.tag,
                new=_s(new),
                n=len(missing),
                drives=Listed(missing),
            ),
            N_(
                "sanitize each drive and record it with its verification (or record that the "
                "drive was removed or destroyed)"
            ),
        )
    return None


def _failing(state: DeviceState, new: str) -> Decision:
    bad = [d for d in state.present() if d.failing]
    if bad and not state.drive_accepted:
        return Refusal(
            "failing-drive",
            Phrase(
                N_("{tag} cannot become {new}: the last probe found a failing drive: {drives}"),
                tag=state.tag,
                new=_s(new),
                drives=Listed([state.label(d.id) for d in bad]),
            ),
            N_(
                "replace the drive and probe again, or a lead accepts the drive "
                "(drive-accepted) with a reason"
            ),
        )
    return None


def _probed(state: DeviceState, new: str) -> Decision:
    if not state.probed:
        return Refusal(
            "no-probe",
            Phrase(
                N_(
                    "{tag} cannot become {new}: it has not been probed since it came back, "
                    "went into repair or had a part fitted"
                ),
                tag=state.tag,
                new=_s(new),
            ),
            N_("probe it again, so the drives on record are the drives in it"),
        )
    return None


def _first(*decisions: Decision) -> Decision:
    return next((d for d in decisions if d is not None), None)


def _ready_or_issued(state: DeviceState, new: str) -> Decision:
    return _first(
        _donor(state, N_("made ready or issued")),
        _probed(state, new),
        storage_gate(state, new),
        _failing(state, new),
    )


def move(state: DeviceState, new: str) -> Decision:
    """A plain status change (refurb status, scan's set, a web button)."""
    if new in OWN_STEP:
        return Refusal(
            "own-step",
            Phrase(
                N_(
                    "{new} is not set by hand: it is the result of its own step ({step}), "
                    "which keeps the record that goes with it"
                ),
                new=_s(new),
                step=Phrase(OWN_STEP[new]),
            ),
            Phrase(N_("record the {step} itself"), step=Phrase(OWN_STEP[new])),
        )
    decision = _transition(state, new)
    if decision is None and new == "ready":
        decision = _ready_or_issued(state, new)
    return decision


def issue(state: DeviceState, participant: str | None) -> Decision:
    if not participant:
        return Refusal(
            "no-participant",
            Phrase(N_("{tag} cannot be issued without a participant"), tag=state.tag),
            N_("name the participant who receives it"),
        )
    return _first(
        _donor(state, N_("issued")),
        _transition(state, "issued"),
        _ready_or_issued(state, "issued"),
    )


def return_(state: DeviceState) -> Decision:
    return _transition(state, "returned")


def record_sanitization(state: DeviceState) -> Decision:
    if state.status in NO_RECORDS_HERE:
        return Refusal(
            "no-records-here",
            Phrase(
                N_("{tag} is {status}; its drives are not here to sanitize"),
                tag=state.tag,
                status=_s(state.status),
            ),
            N_("a returned device is recorded as returned first"),
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
            Phrase(
                N_(
                    "{tag} is issued to a participant; a new probe would change what was "
                    "handed over"
                ),
                tag=tag,
            ),
            N_("record its return first, then probe it again"),
        )
    if status == "recycled":
        return Refusal(
            "probe-out",
            Phrase(
                N_("{tag} went to a recycler; it cannot be probed into the shop again"), tag=tag
            ),
            N_("if the very same machine came back, take it in as a new device"),
        )
    return None


def status_after_probe(status: str | None) -> str | None:
    """A probe makes a device diagnosed where that is a legal move."""
    return "diagnosed" if "diagnosed" in TRANSITIONS[status or "received"] else None


def harvest_from(state: DeviceState, kind: str, drive_known: bool, noted: bool) -> Decision:
    """Taking a part of ``kind`` out; ``drive_known``: a storage part matches a drive on
    record; ``noted``: the person says the probe missed the part."""
    if kind not in PART_KINDS:
        return Refusal(
            "part-kind",
            Phrase(N_("{kind!r} is not a part"), kind=kind),
            Phrase(N_("parts: {kinds}"), kinds=Listed(PART_KINDS, ", ")),
        )
    if state.status in ("issued", "recycled"):
        return Refusal(
            "harvest-source",
            Phrase(
                N_("{tag} is {status}; parts cannot come out of it"),
                tag=state.tag,
                status=_s(state.status),
            ),
            N_("only a device in the shop gives parts"),
        )
    decision = _donor(state, N_("used for parts"))
    if decision is not None:
        return decision
    if noted:
        return None
    group = PROBED_PARTS.get(kind)
    known = drive_known if group == "storage" else (group is None or group in state.kinds)
    if not known:
        return Refusal(
            "part-unknown",
            Phrase(
                N_("{tag} has no {kind} on record (the probe did not find one)"),
                tag=state.tag,
                kind=kind,
            ),
            N_("check the device; if the probe missed the part, say so in a note"),
        )
    if state.status != "harvested" and "harvested" not in TRANSITIONS[state.status or "received"]:
        return _transition(state, "harvested")
    return None


def fit_into(state: DeviceState) -> Decision:
    if state.status in FIT_INTO:
        return None
    return Refusal(
        "fit-target",
        Phrase(
            N_("{tag} is {status}; a part cannot be fitted into it now"),
            tag=state.tag,
            status=_s(state.status),
        ),
        N_(
            "fit parts while the device is in repair (its drives then need a new sanitization "
            "record and it needs a new probe before it is ready)"
        ),
    )


def attest(state: DeviceState, what: str, reason: str | None) -> Decision:
    if what not in ATTESTATIONS:
        return Refusal(
            "attest-what",
            Phrase(N_("{what!r} cannot be attested"), what=what),
            Phrase(N_("one of: {names}"), names=Listed(ATTESTATIONS, ", ")),
        )
    if not reason:
        return Refusal(
            "attest-reason", N_("an attestation needs a reason"), N_("say why, in words")
        )
    if state.status in ("issued", "recycled", "harvested"):
        return Refusal(
            "attest-status",
            Phrase(
                N_("{tag} is {status}; nothing to attest"), tag=state.tag, status=_s(state.status)
            ),
            N_("none"),
        )
    if what == NO_STORAGE and state.present():
        return Refusal(
            "attest-drives",
            Phrase(
                N_("{tag} has drives on record; it cannot be attested to have none"), tag=state.tag
            ),
            N_("record each drive's removal (or sanitize it) instead"),
        )
    if what == DRIVE_ACCEPTED and not any(d.failing for d in state.present()):
        return Refusal(
            "attest-drives",
            Phrase(N_("{tag} has no failing drive to accept"), tag=state.tag),
            N_("nothing to do"),
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
        return Refusal("void-reason", N_("a correction needs a reason"), N_("say what was wrong"))
    if target.kind not in VOIDABLE:
        return Refusal(
            "void-kind",
            Phrase(
                N_("{step} cannot be voided: a {kind} step records something physical"),
                step=target.describe(),
                kind=target.kind,
            ),
            N_("record what happened next instead (probe again, or move the part back)"),
        )
    if target.kind == "status" and target.status == "received":
        return Refusal(
            "void-kind",
            N_("the intake itself cannot be voided"),
            N_("a device recorded by mistake is recycled or kept with a note"),
        )
    if not latest and not force:
        return Refusal(
            "void-not-latest",
            Phrase(N_("{step} is not the device's latest step"), step=target.describe()),
            N_("void the later steps first, or a lead forces it"),
        )
    return None


def recycle(state: DeviceState) -> Decision:
    return _transition(state, "recycled")


def seen(state: DeviceState, site: str) -> Decision:
    """A stocktake saw the device at ``site``. Any device on a shelf may be seen (an
    issued one showing up is worth recording, and the stocktake says it was not
    expected); a recycled one has left for good, so its label on a shelf is a mistake."""
    if not site.strip():
        return Refusal("no-site", N_("a stocktake needs the site counted"), N_("name the site"))
    if state.status == "recycled":
        return Refusal(
            "seen-recycled",
            Phrase(N_("{tag} is recycled; it left the shop with a shipment"), tag=state.tag),
            N_("check the label against the device (a label reused or a tag mistyped?)"),
        )
    return None


def site_move(state: DeviceState, site: str) -> Decision:
    """Moving the device to another site: only a device still in the shop's hands."""
    if not site.strip():
        return Refusal("no-site", N_("a move needs the site it goes to"), N_("name the site"))
    if state.status in GONE:
        return Refusal(
            "site-gone",
            Phrase(
                N_("{tag} is {status}; it is on no shelf to move"),
                tag=state.tag,
                status=_s(state.status),
            ),
            N_("only a device the shop still holds moves between sites"),
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
        return Refusal(
            "no-intake",
            Phrase(N_("{tag}'s history does not start with its intake"), tag=state.tag),
            "",
        )
    if new == "issued":
        return issue(state, step.participant)
    if new == "ready":
        return _first(_transition(state, new), _ready_or_issued(state, new))
    if new == "wiped":
        decision = _transition(state, new)
        present = state.present()
        if decision is None and not (present and all(d.latest == PASS for d in present)):
            return storage_gate(state, new) or Refusal(
                "unsanitized",
                Phrase(N_("{tag} became wiped with no drive sanitized"), tag=state.tag),
                "",
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
        out.append(
            Refusal(
                "no-participant",
                Phrase(N_("{tag} is issued to no participant"), tag=state.tag),
                "",
            )
        )
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
