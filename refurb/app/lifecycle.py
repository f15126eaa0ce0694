"""Every change to a device's lifecycle, once: move, wipe record, issue, return,
harvest, recycle, attest. Each use case opens one transaction, locks the device row,
asks the rulebook (refurb.lifecycle.rules) and writes; a refusal changes nothing.

Plain arguments in, plain results out: no click, no terminal wording. The CLI, the
scan loop and the web call these and nothing below them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from refurb.app.checks import violations
from refurb.errors import BadInput, NotFound, Refused, UsageProblem
from refurb.i18n import N_, Listed, Phrase
from refurb.lifecycle import rules
from refurb.lifecycle.history import DeviceState
from refurb.lifecycle.rules import DEVICE_KG, plausible_kg
from refurb.lifecycle.sanitization import WipeRecord
from refurb.store.db import Store
from refurb.store.history import histories, live, step_of
from refurb.store.inventory import (
    add_event,
    device_state,
    get_device,
    get_device_by_id,
    get_event,
    get_participant,
    last_participant,
    mark_voided,
    now,
    present_drives,
    refresh_derived,
    write_part,
    write_sanitization,
)
from refurb.store.tables import Device


@dataclass
class Changed:
    tag: str
    status: str
    participant: str | None = None
    records: int = 0
    detail: dict[str, object] = field(default_factory=dict)


def refuse(decision: rules.Decision) -> None:
    """Raise the rulebook's refusal, if it is one."""
    if decision is not None:
        raise Refused(decision.reason, decision.remedy or None, rule=decision.rule)


def _locked(session: Session, tag: str, at: datetime | None = None) -> tuple[Device, DeviceState]:
    """The device, locked, and its state read after the lock; a step said to have
    happened at ``at`` must fit the device's history."""
    device = get_device(session, tag, lock=True)
    state = device_state(session, device)
    if at is not None:
        refuse(rules.occurred(state, at, now()))
    return device, state


def _move(
    session: Session,
    device: Device,
    new: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    participant_id: str | None = None,
    at: datetime | None = None,
) -> None:
    add_event(
        session,
        device,
        "status",
        status=new,
        actor=actor,
        note=note,
        station=station,
        participant_id=participant_id,
        at=at,
    )


def move_in(
    session: Session,
    tag: str,
    new: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    """A plain status move inside a transaction the caller holds (the scan loop and bulk
    pages use it per device)."""
    device, state = _locked(session, tag, at)
    refuse(rules.move(state, new))
    _move(session, device, new, actor=actor, note=note, station=station, at=at)
    return Changed(device.tag, new)


def move(
    store: Store,
    tag: str,
    new: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    """refurb status TAG NEW: only diagnosed, repairing and ready; the other statuses
    come from their own step."""
    with store.transaction() as session:
        return move_in(session, tag, new, actor=actor, note=note, station=station, at=at)


SANITIZE_LEVELS = {
    "clear": ("overwrite", "block-erase"),
    "purge": ("overwrite", "block-erase", "crypto-erase"),
    "destroy": ("physical",),
    "removed": ("removed",),
}


def _check_record(
    level: str,
    method: str,
    tool: str | None,
    verification_method: str | None,
    verification_result: str | None,
) -> None:
    if level not in SANITIZE_LEVELS:
        raise BadInput(
            Phrase(N_("level {level!r}: use clear, purge, destroy or removed"), level=level)
        )
    if method not in SANITIZE_LEVELS[level]:
        raise BadInput(
            Phrase(N_("method {method!r} does not fit level {level}"), method=method, level=level),
            Phrase(
                N_("for {level} use: {methods}"),
                level=level,
                methods=", ".join(SANITIZE_LEVELS[level]),
            ),
        )
    if level in ("clear", "purge"):
        missing = [
            n
            for n, v in (
                ("the tool", tool),
                ("how it was verified", verification_method),
                ("the verification result", verification_result),
            )
            if not v
        ]
        if missing:
            raise UsageProblem(
                Phrase(
                    N_(
                        "a {level} record needs {missing} (NIST SP 800-88 Rev. 2 asks for the "
                        "tool and how the result was verified)"
                    ),
                    level=level,
                    missing=", ".join(missing),
                )
            )
        if verification_result not in ("pass", "fail"):
            raise BadInput(N_("the verification result must be pass or fail"))


def wipe(store: Store, tag: str, record: WipeRecord, drive_ref: str | None = None) -> Changed:
    """Record the sanitization of a device's drives (or of one), or that a drive was
    removed or destroyed. When every drive then has a passing record, the device
    becomes wiped."""
    with store.transaction() as session:
        return wipe_in(session, tag, record, drive_ref)


def wipe_in(
    session: Session, tag: str, record: WipeRecord, drive_ref: str | None = None
) -> Changed:
    """``wipe`` inside a transaction the caller holds."""
    r = record
    _check_record(r.level, r.method, r.tool, r.verification_method, r.verification_result)
    if drive_ref is not None and not drive_ref.strip():
        raise BadInput(
            N_("the drive to record is empty"), N_("name the drive, or leave it out for all")
        )
    device, state = _locked(session, tag, r.at)
    refuse(rules.record_sanitization(state))
    drives = present_drives(session, device)
    if drive_ref:
        drives = [d for d in drives if drive_ref in (d.name, d.serial, d.id)]
        if not drives:
            raise NotFound(
                Phrase(
                    N_("{tag} has no drive {drive_ref!r} in it"),
                    tag=device.tag,
                    drive_ref=drive_ref,
                )
            )
    if not drives:
        raise Refused(
            Phrase(N_("{tag} has no drives on record to sanitize"), tag=device.tag),
            N_(
                "probe it with its drive fitted; a device with no storage at all is "
                "attested by a lead"
            ),
            rule="no-drives",
        )
    for d in drives:
        write_sanitization(session, device, d, r)
    after = device_state(session, device)
    if rules.wiped_now(after):
        _move(session, device, "wiped", actor=r.performed_by, note=None, station=r.station, at=r.at)
    elif device.status == "ready" and rules.storage_gate(after, "ready") is not None:
        # a failed re-check or a drive taken out: a ready device is ready no longer
        _move(
            session,
            device,
            "diagnosed",
            actor=r.performed_by,
            note="no longer ready: a drive's latest record is not a pass",
            station=r.station,
            at=r.at,
        )
    return Changed(device.tag, device.status, records=len(drives))


def issue(
    store: Store,
    tag: str,
    participant_code: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    with store.transaction() as session:
        return issue_in(
            session, tag, participant_code, actor=actor, note=note, station=station, at=at
        )


def issue_in(
    session: Session,
    tag: str,
    participant_code: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    device, state = _locked(session, tag, at)
    participant = get_participant(session, participant_code) if participant_code else None
    refuse(rules.issue(state, participant.id if participant else None))
    assert participant is not None
    _move(
        session,
        device,
        "issued",
        actor=actor,
        note=note,
        station=station,
        participant_id=participant.id,
        at=at,
    )
    return Changed(device.tag, "issued", participant=participant.code)


def return_(
    store: Store,
    tag: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    with store.transaction() as session:
        return return_in(session, tag, actor=actor, note=note, station=station, at=at)


def return_in(
    session: Session,
    tag: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    device, state = _locked(session, tag, at)
    refuse(rules.return_(state))
    _move(
        session,
        device,
        "returned",
        actor=actor,
        note=note,
        station=station,
        participant_id=last_participant(session, device),
        at=at,
    )
    return Changed(device.tag, "returned")


def harvest(
    store: Store,
    tag: str,
    kind: str,
    *,
    description: str | None,
    serial: str | None,
    into: str | None,
    actor: str | None,
    station: str | None,
    missed_by_probe: str | None = None,
    at: datetime | None = None,
) -> Changed:
    """Take a part out of a device (it becomes harvested), optionally fitting it into
    another. ``missed_by_probe``: a note that the device has the part though the probe
    did not find it."""
    with store.transaction() as session:
        return harvest_in(
            session,
            tag,
            kind,
            description=description,
            serial=serial,
            into=into,
            actor=actor,
            station=station,
            missed_by_probe=missed_by_probe,
        )


def harvest_in(
    session: Session,
    tag: str,
    kind: str,
    *,
    description: str | None,
    serial: str | None,
    into: str | None,
    actor: str | None,
    station: str | None,
    missed_by_probe: str | None = None,
    at: datetime | None = None,
) -> Changed:
    if serial is not None and not serial.strip():
        raise BadInput(N_("the part's serial is empty"), N_("give the serial, or leave it out"))
    if missed_by_probe is not None and not missed_by_probe.strip():
        raise BadInput(N_("say what the probe missed, in a few words"))
    source, state = _locked(session, tag, at)
    target = get_device(session, into, lock=True) if into else None
    if target is not None and target.id == source.id:
        raise BadInput(N_("a part cannot be fitted into the device it came from"))
    moved = None
    if kind in rules.STORAGE_PARTS:
        candidates = present_drives(session, source)
        moved = next((d for d in candidates if serial and d.serial == serial), None)
        if moved is None and len(candidates) == 1 and not serial:
            moved = candidates[0]
    refuse(rules.harvest_from(state, kind, moved is not None, bool(missed_by_probe)))
    if target is not None:
        target_state = device_state(session, target)
        refuse(rules.fit_into(target_state))
        if at is not None:
            refuse(rules.occurred(target_state, at, now()))
    write_part(
        session,
        source,
        target,
        kind,
        moved=moved,
        description=description,
        serial=serial,
        actor=actor,
        station=station,
        note=f"not found by the probe: {missed_by_probe}" if missed_by_probe else None,
        at=at,
    )
    if source.status != "harvested":
        _move(session, source, "harvested", actor=actor, note=None, station=station, at=at)
    return Changed(source.tag, source.status, detail={"into": target.tag if target else None})


def recycle(
    store: Store,
    tags: Iterable[str],
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> list[Changed]:
    """Send devices to a downstream recycler (final); all or none."""
    with store.transaction() as session:
        return [
            recycle_in(session, t, actor=actor, note=note, station=station, at=at) for t in tags
        ]


def recycle_in(
    session: Session,
    tag: str,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    device, state = _locked(session, tag, at)
    refuse(rules.recycle(state))
    _move(session, device, "recycled", actor=actor, note=note, station=station, at=at)
    return Changed(device.tag, "recycled")


def attest(
    store: Store,
    tag: str,
    what: str,
    *,
    reason: str | None,
    actor: str,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    """A lead's recorded statement: the device has no storage at all, or a drive the
    probe flagged as failing is accepted."""
    with store.transaction() as session:
        device, state = _locked(session, tag, at)
        refuse(rules.attest(state, what, (reason or "").strip()))
        add_event(
            session,
            device,
            "attest",
            actor=actor,
            station=station,
            note=f"{what}: {reason}",
            data={"what": what},
            at=at,
        )
        return Changed(device.tag, device.status, detail={"attested": what})


def weigh(
    store: Store,
    tag: str,
    kg: float,
    *,
    actor: str | None,
    station: str | None,
    at: datetime | None = None,
) -> Changed:
    """A device weighed after intake: its measured weight from now on."""
    if not plausible_kg(kg, DEVICE_KG):
        raise BadInput(
            Phrase(N_("weight {kg} kg is not plausible for one device"), kg=kg),
            N_("give kilograms, e.g. 2.1"),
        )
    with store.transaction() as session:
        device, state = _locked(session, tag, at)
        if state.status == "recycled":
            refuse(
                rules.Refusal(
                    "weigh-recycled",
                    f"{device.tag} is recycled; its weight is the shipment's",
                    "weigh the shipment",
                )
            )
        add_event(
            session,
            device,
            "weighed",
            actor=actor,
            station=station,
            note=f"{kg:g} kg",
            data={"kg": kg},
            at=at,
        )
        device.weight_kg = kg
        session.add(device)
        return Changed(device.tag, device.status, detail={"kg": kg})


def void(
    store: Store,
    event_ref: str,
    *,
    reason: str | None,
    force: bool,
    actor: str | None,
    station: str | None,
) -> Changed:
    """A correction: append a void of one event (by its id). Only the device's latest
    step, unless a lead forces it; the history that remains must keep the rulebook.
    The voided event stays, shown as voided; status, weight and reports follow."""
    with store.transaction() as session:
        target = get_event(session, event_ref)
        device = get_device_by_id(session, target.device_id)
        device, _ = _locked(session, device.tag)
        before = {(v.rule, v.reason) for v in violations(session.connection(), [device.id])}
        if target.voided_by is not None:
            raise Refused(
                Phrase(N_("event {event} is already voided"), event=target.id[-8:]),
                rule="void-twice",
            )
        if target.kind == "void":
            refuse(
                rules.Refusal(
                    "void-kind", "a void cannot be voided", "record the step again instead"
                )
            )
        rows = live(histories(session.connection(), [device.id])[device.id])
        latest = bool(rows) and rows[-1].id == target.id
        refuse(rules.void(step_of(target)[0], latest, force, (reason or "").strip()))
        ev = add_event(
            session,
            device,
            "void",
            actor=actor,
            station=station,
            note=reason,
            ref=target.id,
            data={"void": target.id},
        )
        mark_voided(session, target, ev)
        refresh_derived(session, device)
        found = [
            v
            for v in violations(session.connection(), [device.id])
            if (v.rule, v.reason) not in before
        ]
        if found:
            raise Refused(
                Phrase(
                    N_("voiding it would leave {tag}'s history breaking the rulebook: {reasons}"),
                    tag=device.tag,
                    reasons=Listed([v.reason for v in found[:3]]),
                ),
                N_("void the later steps first"),
                rule="void-breaks",
            )
        return Changed(device.tag, device.status, detail={"voided": target.id})
