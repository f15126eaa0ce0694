"""Inventory operations on an open session. Each public function is called inside one
``Store.transaction()``: it either all happens or none of it does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from refurb import model
from refurb.assess.verdict import Assessment as Verdict
from refurb.errors import BadInput, NotFound, Refused
from refurb.identity import identity_key, real
from refurb.ids import new_id
from refurb.lifecycle import DriveState, check_transition, require_sanitized
from refurb.store.tables import (
    Assessment,
    Device,
    Drive,
    Event,
    Finding,
    Lot,
    Part,
    Participant,
    Sanitization,
    Snapshot,
)
from refurb.tags import is_well_formed, new_tag, normalize


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


# --- intake ------------------------------------------------------------------------


@dataclass
class IntakeResult:
    outcome: str  # new | updated | known
    tag: str
    device_id: str
    snapshot_id: str
    disposition: str | None
    status: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _new_device(session: Session, prefix: str, **values: Any) -> Device:
    """Insert a device under a fresh random tag; a collision (another station drew the
    same tag) rolls back only this insert and draws again."""
    for _ in range(20):
        device = Device(id=new_id(), tag=new_tag(prefix), **values)
        try:
            with session.begin_nested():
                session.add(device)
                session.flush()
            return device
        except IntegrityError as exc:
            if "identity_key" in str(exc.orig):
                raise
            continue
    raise Refused("could not draw a free asset tag after 20 tries", "report this as a bug")


def record_snapshot(
    session: Session,
    snap: model.Snapshot,
    verdict: Verdict,
    *,
    operator: str | None,
    station: str,
    lot_code: str | None = None,
    weight_kg: float | None = None,
    distinct: bool = False,
    checklist: dict[str, Any] | None = None,
) -> IntakeResult:
    doc = snap.to_dict()
    text = canonical_json(doc)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = session.get(Snapshot, snap.snapshot_id)
    if known is not None:
        if known.sha256 != digest:
            raise Refused(
                f"snapshot {snap.snapshot_id} is already recorded with different content",
                "a snapshot file was edited; probe the machine again",
            )
        device = session.get(Device, known.device_id)
        assert device is not None
        return IntakeResult(
            "known", device.tag, device.id, snap.snapshot_id, device.disposition, device.status
        )
    lot = get_lot(session, lot_code) if lot_code else None
    if weight_kg is not None and not 0 < weight_kg < 200:
        raise BadInput(
            f"weight {weight_kg} kg is not plausible for one device",
            "give the weight in kilograms, e.g. 2.1",
        )
    ident = snap.identity
    key = identity_key(ident)
    warnings: list[str] = []
    device = None
    if key is not None and not distinct:
        device = session.exec(select(Device).where(Device.identity_key == key[1])).first()
        if device is not None and key[0] in ("serial", "board"):
            _refuse_shared_serial(session, device, ident)
    if key is not None and distinct:
        key = ("distinct", hashlib.sha256(f"{key[1]}:{snap.snapshot_id}".encode()).hexdigest()[:32])
    if key is None:
        warnings.append(
            "no trustworthy serial, board serial, UUID or MAC: this machine gets "
            "a new record each time it is probed; label it now and use the tag"
        )
    t = now()
    outcome = "updated"
    if device is None:
        outcome = "new"
        device = _new_device(
            session,
            station,
            identity_kind=key[0] if key else None,
            identity_key=key[1] if key else None,
            vendor=real(ident.vendor),
            model=real(ident.model),
            serial=real(ident.serial),
            chassis=ident.chassis,
            lot_id=lot.id if lot else None,
            community=lot.community if lot else None,
            created_at=t,
            updated_at=t,
            status="received",
        )
        add_event(
            session,
            device,
            "status",
            status="received",
            actor=operator,
            station=station,
            note=f"lot {lot.code}" if lot else None,
            at=t,
        )
    elif lot is not None and device.lot_id is None:
        device.lot_id, device.community = lot.id, lot.community
    if weight_kg is not None:
        device.weight_kg = weight_kg
        add_event(
            session, device, "weighed", actor=operator, note=f"{weight_kg:g} kg", station=station
        )
    session.add(
        Snapshot(
            id=snap.snapshot_id,
            device_id=device.id,
            taken_at=_parse_time(snap.taken_at),
            tool_version=snap.tool_version,
            source=snap.source,
            sha256=digest,
            doc=text,
            imported_at=t,
        )
    )
    _record_drives(session, device, snap, t)
    _record_assessment(session, device, snap, verdict, operator, checklist, t)
    _refresh_device(device, snap, verdict)
    if "diagnosed" in _allowed(device.status):
        add_event(
            session,
            device,
            "status",
            status="diagnosed",
            actor=operator,
            station=station,
            note=f"verdict: {verdict.disposition}",
        )
    else:
        add_event(
            session,
            device,
            "assessed",
            actor=operator,
            station=station,
            note=f"verdict: {verdict.disposition} (status stays {device.status})",
        )
    session.flush()
    return IntakeResult(
        outcome,
        device.tag,
        device.id,
        snap.snapshot_id,
        verdict.disposition,
        device.status,
        warnings,
    )


def _allowed(status: str) -> tuple[str, ...]:
    from refurb.lifecycle import TRANSITIONS

    return TRANSITIONS[status]


def _refuse_shared_serial(session: Session, device: Device, ident: model.Identity) -> None:
    """Same vendor, model and serial, but a different real system UUID: two machines."""
    new_uuid = real(ident.uuid)
    if not new_uuid:
        return
    rows = session.exec(select(Snapshot.doc).where(Snapshot.device_id == device.id)).all()
    for doc in rows:
        old_uuid = real(json.loads(doc).get("identity", {}).get("uuid"))
        if old_uuid and old_uuid.casefold() != new_uuid.casefold():
            raise Refused(
                f"serial {ident.serial or ident.board_serial} is already recorded for "
                f"{device.tag} ({device.vendor or '?'} {device.model or '?'}), but this "
                "machine's system UUID differs: two machines share one serial",
                "check the serial sticker; if they really are two machines, run again with "
                "--distinct to record this one separately",
            )


def _parse_time(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"taken_at {text!r} is not an ISO 8601 time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _record_drives(session: Session, device: Device, snap: model.Snapshot, t: datetime) -> None:
    existing = list(session.exec(select(Drive).where(Drive.device_id == device.id)).all())
    for disk in snap.disks:
        if disk.kind == "usb":
            continue
        serial = real(disk.serial)
        match = next((d for d in existing if serial and d.serial == serial), None)
        if match is None and not serial:
            match = next(
                (
                    d
                    for d in existing
                    if not d.serial and d.name == disk.name and d.model == disk.model
                ),
                None,
            )
        if match is None:
            drive = Drive(
                id=new_id(),
                device_id=device.id,
                name=disk.name,
                model=disk.model,
                serial=serial,
                size_bytes=disk.size_bytes,
                media_type=disk.kind,
                present=True,
                first_seen=t,
            )
            session.add(drive)
            existing.append(drive)


def _record_assessment(
    session: Session,
    device: Device,
    snap: model.Snapshot,
    verdict: Verdict,
    operator: str | None,
    checklist: dict[str, Any] | None,
    t: datetime,
) -> None:
    aid = new_id()
    session.add(
        Assessment(
            id=aid,
            device_id=device.id,
            snapshot_id=snap.snapshot_id,
            disposition=verdict.disposition,
            grade_functional=verdict.grade["functional"],
            grade_cosmetic=verdict.grade["cosmetic"],
            policy_name=verdict.policy["name"],
            policy_version=verdict.policy["version"],
            operator=operator,
            checklist=canonical_json(checklist) if checklist else None,
            doc=canonical_json(verdict.to_dict()),
            created_at=t,
        )
    )
    session.add_all(
        [
            Finding(
                assessment_id=aid,
                check=f.check,
                status=f.status,
                part=f.part,
                value=json.dumps(f.value),
                threshold=json.dumps(f.threshold),
                reason=f.reason,
            )
            for f in verdict.findings
        ]
    )


def _refresh_device(device: Device, snap: model.Snapshot, verdict: Verdict) -> None:
    device.cpu = snap.cpu.model or device.cpu
    device.memory_bytes = snap.memory.total_bytes or device.memory_bytes
    internal = [d.size_bytes or 0 for d in snap.disks if d.kind != "usb"]
    device.storage_bytes = sum(internal) or device.storage_bytes
    healths = [b.health_pct for b in snap.batteries if b.health_pct is not None]
    device.battery_health_pct = min(healths) if healths else device.battery_health_pct
    device.disposition = verdict.disposition
    device.grade_functional = verdict.grade["functional"]
    device.grade_cosmetic = verdict.grade["cosmetic"]
    if snap.identity.bios_date and device.year is None:
        year = snap.identity.bios_date[-4:]
        device.year = int(year) if year.isdigit() and 1990 < int(year) < 2100 else None
    device.updated_at = now()


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
        and "wiped" in _allowed(device.status)
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
    if source.status != "harvested" and "harvested" in _allowed(source.status):
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
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[Device]:
    q = select(Device)
    if status:
        q = q.where(Device.status == status)
    if community:
        q = q.where(Device.community == community)
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
