"""Inventory operations on an open session. Each public function is called inside one
``Store.transaction()``: it either all happens or none of it does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from refurb.errors import BadInput, NotFound, Refused
from refurb.ids import new_id
from refurb.lifecycle import TRANSITIONS, DriveState, check_transition, require_sanitized
from refurb.store import tallies
from refurb.store.tables import (
    Assessment,
    Device,
    Drive,
    Event,
    Lot,
    Part,
    Participant,
    Sanitization,
)
from refurb.tags import is_well_formed, normalize


def now() -> datetime:
    return datetime.now(UTC)


def canonical_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- look-ups ---------------------------------------------------------------------


def get_device(session: Session, tag: str) -> Device:
    typed = normalize(tag)
    device = session.exec(select(Device).where(Device.tag == typed)).first()
    if device is not None:
        return device
    if not is_well_formed(typed):
        raise NotFound(
            f"{tag!r} is not a valid asset tag (mistyped?)",
            "tags look like RF-7K2Q9M; check the label or search: refurb search TEXT",
        )
    raise NotFound(f"no device with tag {typed}", "check the label, or search: refurb search TEXT")


def get_lot(session: Session, code: str) -> Lot:
    lot = session.exec(select(Lot).where(Lot.code == code)).first()
    if lot is None:
        raise NotFound(f"no lot {code!r}", "list lots with: refurb lot list")
    return lot


# --- events ------------------------------------------------------------------------


def add_event(
    session: Session,
    device: Device,
    kind: str,
    *,
    actor: str | None,
    status: str | None = None,
    note: str | None = None,
    station: str | None = None,
    participant_id: str | None = None,
    at: datetime | None = None,
) -> Event:
    # the report tallies: read this device's (and participant's) part before it changes
    tallies.keeper(session).watch([device.id], [participant_id] if participant_id else [])
    ev = Event(
        id=new_id(),
        device_id=device.id,
        at=at or now(),
        kind=kind,
        status=status,
        actor=actor,
        note=note,
        station=station,
        participant_id=participant_id,
    )
    session.add(ev)
    if status is not None:
        device.status = status
        device.updated_at = ev.at
        session.add(device)
    return ev


def drive_states(session: Session, device: Device) -> list[DriveState]:
    drives = session.exec(
        select(Drive).where(Drive.device_id == device.id, col(Drive.present).is_(True))
    ).all()
    states = []
    for d in drives:
        records = session.exec(select(Sanitization).where(Sanitization.drive_id == d.id)).all()
        valid = [
            r.recorded_at
            for r in records
            if r.level in ("destroy", "removed") or r.verification_result == "pass"
        ]
        label = " ".join(
            x for x in (d.name, d.model, f"(serial {d.serial})" if d.serial else None) if x
        )
        states.append(DriveState(label=label or d.id, sanitized_at=max(valid, default=None)))
    return states


def last_return(session: Session, device: Device) -> datetime | None:
    return session.exec(
        select(func.max(Event.at)).where(Event.device_id == device.id, Event.status == "returned")
    ).one()


def transition(
    session: Session,
    device: Device,
    new: str,
    *,
    actor: str | None,
    note: str | None = None,
    station: str | None = None,
    participant_id: str | None = None,
) -> Event:
    check_transition(device.tag, device.status, new)
    require_sanitized(device.tag, new, drive_states(session, device), last_return(session, device))
    return add_event(
        session,
        device,
        "status",
        status=new,
        actor=actor,
        note=note,
        station=station,
        participant_id=participant_id,
    )


# --- lots and participants --------------------------------------------------------


def add_lot(
    session: Session,
    code: str,
    donor: str,
    received_on: date,
    donor_choice: str,
    community: str | None,
    site: str | None,
    weight_kg: float | None,
) -> Lot:
    if donor_choice not in ("reuse", "recycle"):
        raise BadInput(f"donor choice {donor_choice!r}: use reuse or recycle")
    if session.exec(select(Lot).where(Lot.code == code)).first():
        raise Refused(f"lot {code} already exists", "choose another code")
    lot = Lot(
        id=new_id(),
        code=code,
        donor=donor,
        received_on=received_on,
        donor_choice=donor_choice,
        community=community,
        site=site,
        weight_kg=weight_kg,
        created_at=now(),
    )
    session.add(lot)
    return lot


def add_participant(session: Session, code: str, community: str | None) -> Participant:
    if session.exec(select(Participant).where(Participant.code == code)).first():
        raise Refused(f"participant {code} already exists")
    p = Participant(id=new_id(), code=code, community=community, created_at=now())
    session.add(p)
    return p


def get_participant(session: Session, code: str) -> Participant:
    p = session.exec(select(Participant).where(Participant.code == code)).first()
    if p is None:
        raise NotFound(
            f"no participant {code!r}",
            f"add them first: refurb participant add {code} --community ...",
        )
    return p


# --- lifecycle commands ------------------------------------------------------------


def issue(
    session: Session,
    tag: str,
    participant_code: str,
    actor: str | None,
    note: str | None,
    station: str | None,
) -> Event:
    device = get_device(session, tag)
    participant = get_participant(session, participant_code)
    lot = session.get(Lot, device.lot_id) if device.lot_id else None
    if lot is not None and lot.donor_choice == "recycle":
        raise Refused(
            f"{device.tag} came in lot {lot.code}, whose donor asked for recycling only",
            "it cannot be issued; recycle it: refurb recycle " + device.tag,
        )
    return transition(
        session,
        device,
        "issued",
        actor=actor,
        note=note,
        station=station,
        participant_id=participant.id,
    )


def return_device(
    session: Session, tag: str, actor: str | None, note: str | None, station: str | None
) -> Event:
    device = get_device(session, tag)
    previous = session.exec(
        select(Event.participant_id)
        .where(Event.device_id == device.id, Event.status == "issued")
        .order_by(col(Event.at).desc())
    ).first()
    return transition(
        session,
        device,
        "returned",
        actor=actor,
        note=note,
        station=station,
        participant_id=previous,
    )


SANITIZE_LEVELS = {
    "clear": ("overwrite", "block-erase"),
    "purge": ("overwrite", "block-erase", "crypto-erase"),
    "destroy": ("physical",),
    "removed": ("removed",),
}


def wipe(
    session: Session,
    tag: str,
    *,
    drive_ref: str | None,
    level: str,
    method: str,
    tool: str | None,
    tool_version: str | None,
    verification_method: str | None,
    verification_result: str | None,
    performed_by: str,
    verified_by: str | None,
    destination: str | None,
    notes: str | None,
    station: str | None,
) -> list[Sanitization]:
    device = get_device(session, tag)
    if level not in SANITIZE_LEVELS:
        raise BadInput(f"level {level!r}: use clear, purge, destroy or removed")
    if method not in SANITIZE_LEVELS[level]:
        raise BadInput(
            f"method {method!r} does not fit level {level}",
            f"for {level} use: {', '.join(SANITIZE_LEVELS[level])}",
        )
    if level in ("clear", "purge"):
        missing = [
            n
            for n, v in (
                ("--tool", tool),
                ("--verify", verification_method),
                ("--result", verification_result),
            )
            if not v
        ]
        if missing:
            raise BadInput(
                f"a {level} record needs {', '.join(missing)} (NIST SP 800-88 Rev. 2 "
                "asks for the tool and how the result was verified)"
            )
        if verification_result not in ("pass", "fail"):
            raise BadInput("--result must be pass or fail")
    drives = session.exec(
        select(Drive).where(Drive.device_id == device.id, col(Drive.present).is_(True))
    ).all()
    if drive_ref:
        drives = [d for d in drives if drive_ref in (d.name, d.serial, d.id)]
        if not drives:
            raise NotFound(
                f"{device.tag} has no drive {drive_ref!r}",
                f"see its drives with: refurb show {device.tag}",
            )
    if not drives:
        raise Refused(f"{device.tag} has no drives on record to sanitize")
    t = now()
    records = []
    for d in drives:
        rec = Sanitization(
            id=new_id(),
            drive_id=d.id,
            device_id=device.id,
            level=level,
            method=method,
            tool=tool,
            tool_version=tool_version,
            verification_method=verification_method,
            verification_result=verification_result,
            performed_by=performed_by,
            performed_at=t,
            verified_by=verified_by,
            verified_at=t if verified_by else None,
            destination=destination,
            notes=notes,
            recorded_at=t,
        )
        session.add(rec)
        records.append(rec)
        if level in ("removed", "destroy"):
            d.present = False
            session.add(d)
        add_event(
            session,
            device,
            "sanitized",
            actor=performed_by,
            station=station,
            note=f"{d.name or d.id}: {level} by {method}"
            + (f", verified {verification_result}" if verification_result else ""),
        )
    session.flush()
    if (
        level in ("clear", "purge")
        and verification_result == "pass"
        and "wiped" in TRANSITIONS[device.status]
        and not [s for s in drive_states(session, device) if s.sanitized_at is None]
    ):
        transition(session, device, "wiped", actor=performed_by, station=station)
    return records


def harvest(
    session: Session,
    tag: str,
    kind: str,
    *,
    description: str | None,
    serial: str | None,
    into: str | None,
    actor: str | None,
    station: str | None,
) -> Part:
    source = get_device(session, tag)
    if source.status in ("issued",):
        raise Refused(f"{source.tag} is issued to a participant; parts cannot come out of it")
    target = get_device(session, into) if into else None
    if target is not None and target.id == source.id:
        raise BadInput("a part cannot be fitted into the device it came from")
    t = now()
    part = Part(
        id=new_id(),
        kind=kind,
        description=description,
        serial=serial,
        from_device_id=source.id,
        into_device_id=target.id if target else None,
        harvested_at=t,
        fitted_at=t if target else None,
        actor=actor,
    )
    if kind in ("ssd", "hdd", "nvme"):
        # The drive leaves the source; in the target it is a drive that must be sanitized.
        candidates = session.exec(
            select(Drive).where(Drive.device_id == source.id, col(Drive.present).is_(True))
        ).all()
        moved = next((d for d in candidates if serial and d.serial == serial), None)
        if moved is None and len(candidates) == 1 and not serial:
            moved = candidates[0]
        if moved is not None:
            moved.present = False
            part.drive_id = moved.id
            session.add(moved)
        if target is not None:
            session.add(
                Drive(
                    id=new_id(),
                    device_id=target.id,
                    name=f"fitted {kind}",
                    model=moved.model if moved else description,
                    serial=serial or (moved.serial if moved else None),
                    size_bytes=moved.size_bytes if moved else None,
                    media_type=kind,
                    present=True,
                    first_seen=t,
                )
            )
    session.add(part)
    add_event(
        session,
        source,
        "part-out",
        actor=actor,
        station=station,
        note=f"{kind} {description or ''}".strip() + (f" -> {target.tag}" if target else ""),
    )
    if target is not None:
        add_event(
            session,
            target,
            "part-in",
            actor=actor,
            station=station,
            note=f"{kind} from {source.tag}",
        )
    if source.status != "harvested" and "harvested" in TRANSITIONS[source.status]:
        transition(session, source, "harvested", actor=actor, station=station)
    return part


# --- reading -----------------------------------------------------------------------


def search(session: Session, text: str, limit: int = 50) -> list[Device]:
    typed = normalize(text)
    exact = session.exec(
        select(Device).where(or_(col(Device.tag) == typed, col(Device.serial) == text.strip()))
    ).all()
    if exact:
        return list(exact)
    by_drive = session.exec(
        select(Device)
        .join(Drive, col(Drive.device_id) == Device.id)
        .where(Drive.serial == text.strip())
    ).all()
    if by_drive:
        return list(by_drive)
    like = f"%{text.strip()}%"
    return list(
        session.exec(
            select(Device)
            .where(
                or_(
                    col(Device.model).ilike(like),
                    col(Device.serial).ilike(like),
                    col(Device.tag).ilike(like),
                )
            )
            .limit(limit)
        ).all()
    )


def list_devices(
    session: Session,
    *,
    status: str | None = None,
    community: str | None = None,
    lot: str | None = None,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[Device]:
    q = select(Device)
    if status:
        q = q.where(Device.status == status)
    if community:
        q = q.where(Device.community == community)
    if site:  # the shop or site of the device's intake lot
        q = q.join(Lot, col(Lot.id) == col(Device.lot_id)).where(Lot.site == site)
    if lot:
        q = q.where(Device.lot_id == get_lot(session, lot).id)
    if since:
        q = q.where(Device.created_at >= datetime.combine(since, datetime.min.time(), UTC))
    if until:
        q = q.where(Device.created_at < datetime.combine(until, datetime.min.time(), UTC))
    q = q.order_by(col(Device.created_at))
    if limit:
        q = q.limit(limit)
    return list(session.exec(q).all())


def device_record(session: Session, device: Device) -> dict[str, Any]:
    events = session.exec(
        select(Event).where(Event.device_id == device.id).order_by(col(Event.at), col(Event.id))
    ).all()
    drives = session.exec(select(Drive).where(Drive.device_id == device.id)).all()
    sanit = session.exec(select(Sanitization).where(Sanitization.device_id == device.id)).all()
    latest = session.exec(
        select(Assessment)
        .where(Assessment.device_id == device.id)
        .order_by(col(Assessment.created_at).desc())
    ).first()
    lot = session.get(Lot, device.lot_id) if device.lot_id else None
    participants = {
        p.id: p.code
        for p in session.exec(
            select(Participant).where(
                col(Participant.id).in_([e.participant_id for e in events if e.participant_id])
            )
        ).all()
    }
    return {
        "tag": device.tag,
        "status": device.status,
        "vendor": device.vendor,
        "model": device.model,
        "serial": device.serial,
        "chassis": device.chassis,
        "cpu": device.cpu,
        "memory_bytes": device.memory_bytes,
        "storage_bytes": device.storage_bytes,
        "battery_health_pct": device.battery_health_pct,
        "year": device.year,
        "weight_kg": device.weight_kg,
        "community": device.community,
        "lot": lot.code if lot else None,
        "disposition": device.disposition,
        "grade": {"functional": device.grade_functional, "cosmetic": device.grade_cosmetic},
        "identity_kind": device.identity_kind,
        "assessment": json.loads(latest.doc) if latest else None,
        "drives": [
            {
                "name": d.name,
                "model": d.model,
                "serial": d.serial,
                "size_bytes": d.size_bytes,
                "media_type": d.media_type,
                "present": d.present,
                "sanitization": [
                    {
                        "level": s.level,
                        "method": s.method,
                        "tool": s.tool,
                        "result": s.verification_result,
                        "performed_by": s.performed_by,
                        "performed_at": s.performed_at.isoformat(),
                    }
                    for s in sanit
                    if s.drive_id == d.id
                ],
            }
            for d in drives
        ],
        "events": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "status": e.status,
                "actor": e.actor,
                "note": e.note,
                "participant": participants.get(e.participant_id or ""),
            }
            for e in events
        ],
    }


def status_mismatches(session: Session) -> list[dict[str, str | None]]:
    """Devices whose cached status differs from the status of their last status event."""
    last = (
        select(Event.device_id, func.max(Event.id).label("last_id"))
        .where(col(Event.status).is_not(None))
        .group_by(col(Event.device_id))
        .subquery()
    )
    rows = session.exec(
        select(Device.tag, Device.status, Event.status)
        .join(last, last.c.device_id == Device.id)
        .join(Event, col(Event.id) == last.c.last_id)
        .where(col(Event.status) != col(Device.status))
    ).all()
    return [{"tag": tag, "cached": cached, "derived": derived} for tag, cached, derived in rows]
