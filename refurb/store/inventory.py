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
from refurb.i18n import N_, Phrase
from refurb.ids import new_id
from refurb.lifecycle.history import SITE_KINDS, DeviceState
from refurb.lifecycle.sanitization import WipeRecord
from refurb.store import tallies
from refurb.store.history import (
    all_device_ids,
    derived_site,
    derived_status,
    histories,
    live,
    next_seq,
    ordered,
    state_of,
    weight_of,
)
from refurb.store.tables import (
    Assessment,
    Device,
    DeviceAlias,
    Drive,
    Event,
    Lot,
    Part,
    Participant,
    Sanitization,
    Snapshot,
)
from refurb.tags import is_well_formed, normalize
from refurb.untrusted import lookup_code


def now() -> datetime:
    return datetime.now(UTC)


def canonical_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- look-ups ---------------------------------------------------------------------


def get_device(session: Session, tag: str, *, lock: bool = False) -> Device:
    """The device with this tag (or a tag it was also printed with). ``lock``: take the
    device's row lock for the rest of the transaction (PostgreSQL ``FOR UPDATE``; a
    SQLite write transaction already holds the database's write lock), and read the
    row after taking it, so a status is never judged from a stale read."""
    typed = normalize(tag)
    if not lock:  # by its own tag, in one round trip (the usual case)
        found = session.exec(
            select(Device).where(Device.tag == typed).execution_options(populate_existing=True)
        ).first()
        if found is not None:
            return found
    device_id = session.exec(select(Device.id).where(Device.tag == typed)).first() if lock else None
    if device_id is None:
        device_id = session.exec(
            select(DeviceAlias.device_id).where(DeviceAlias.tag == typed)
        ).first()
    if device_id is not None:
        q = select(Device).where(Device.id == device_id).execution_options(populate_existing=True)
        if lock:
            q = q.with_for_update()
        device = session.exec(q).first()
        if device is not None:
            return device
    if not is_well_formed(typed):
        raise NotFound(
            Phrase(N_("{tag!r} is not a valid asset tag (mistyped?)"), tag=tag),
            N_("tags look like RF-7K2Q9W; check the label or search: refurb search TEXT"),
        )
    raise NotFound(
        Phrase(N_("no device with tag {typed}"), typed=typed),
        N_("check the label, or search: refurb search TEXT"),
    )


def aliases(session: Session, device: Device) -> list[str]:
    return list(
        session.exec(
            select(DeviceAlias.tag)
            .where(DeviceAlias.device_id == device.id)
            .order_by(col(DeviceAlias.tag))
        ).all()
    )


def get_lot(session: Session, code: str) -> Lot:
    code = lookup_code(code)
    lot = session.exec(select(Lot).where(Lot.code == code)).first() or _case_twin(
        session, Lot, code
    )
    if lot is None:
        raise NotFound(
            Phrase(N_("no lot {code!r}"), code=code), N_("list lots with: refurb lot list")
        )
    return lot


def _case_twin(session: Session, table: type[Lot] | type[Participant], code: str) -> Any:
    """The one lot or participant whose code is ``code`` in other capitals ("p-0042" for
    P-0042), or None: a code is read off paper, where case is easily mistaken."""
    code_col = col(table.code)
    if code.isascii():  # the databases' upper() agree on ASCII (and NFKC folds the rest)
        hits = session.exec(select(table).where(func.upper(code_col) == code.upper())).all()
        return hits[0] if len(hits) == 1 else None
    # SQLite's upper() knows only ASCII ("é-2" and "É-2"): compared here, among codes of
    # the same length
    fold = code.casefold()
    same_length = session.exec(select(code_col).where(func.length(code_col) == len(code)))
    twins = [c for c in same_length if c.casefold() == fold]
    if len(twins) != 1:
        return None
    return session.exec(select(table).where(code_col == twins[0])).first()


def _no_case_twin(session: Session, table: type[Lot] | type[Participant], code: str) -> None:
    twin = _case_twin(session, table, code)
    if twin is not None and twin.code != code:
        raise Refused(
            Phrase(
                N_("lot {code} would be {twin}, already recorded, in other capitals")
                if table is Lot
                else N_("participant {code} would be {twin}, already recorded, in other capitals"),
                code=code,
                twin=twin.code,
            ),
            Phrase(
                N_("use {twin}, or choose a code that differs in more than case"), twin=twin.code
            ),
        )


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
    ref: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append an event at the end of the device's own history."""
    # the report tallies: read this device's (and participant's) part before it changes
    tallies.keeper(session).watch([device.id], [participant_id] if participant_id else [])
    session.flush()
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
        recorded_at=now(),
        seq=next_seq(session.connection(), device.id),
        origin=device.id,
        ref=ref,
        data=json.dumps(data, sort_keys=True) if data else None,
    )
    session.add(ev)
    if status is not None:
        device.status = status
        device.updated_at = ev.at
        session.add(device)
    if kind in SITE_KINDS and data and data.get("site"):
        device.site = str(data["site"])
        session.add(device)
    session.flush()
    return ev


def device_state(session: Session, device: Device) -> DeviceState:
    session.flush()
    return state_of(session.connection(), device.id, device.tag)


def present_drives(session: Session, device: Device) -> list[Drive]:
    return list(
        session.exec(
            select(Drive)
            .where(Drive.device_id == device.id, col(Drive.present).is_(True))
            .order_by(col(Drive.first_seen), col(Drive.id))
        ).all()
    )


def last_participant(session: Session, device: Device) -> str | None:
    return session.exec(
        select(Event.participant_id)
        .where(Event.device_id == device.id, Event.status == "issued")
        .order_by(col(Event.at).desc(), col(Event.seq).desc())
    ).first()


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
        raise BadInput(
            Phrase(
                N_("donor choice {donor_choice!r}: use reuse or recycle"), donor_choice=donor_choice
            )
        )
    if session.exec(select(Lot).where(Lot.code == code)).first():
        raise Refused(Phrase(N_("lot {code} already exists"), code=code), N_("choose another code"))
    _no_case_twin(session, Lot, code)
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
        raise Refused(Phrase(N_("participant {code} already exists"), code=code))
    _no_case_twin(session, Participant, code)
    p = Participant(id=new_id(), code=code, community=community, created_at=now())
    session.add(p)
    return p


def get_participant(session: Session, code: str) -> Participant:
    code = lookup_code(code)
    p = session.exec(select(Participant).where(Participant.code == code)).first() or _case_twin(
        session, Participant, code
    )
    if p is None:
        raise NotFound(
            Phrase(N_("no participant {code!r}"), code=code),
            Phrase(N_("add them first: refurb participant add {code} --community ..."), code=code),
        )
    return p


# --- records -------------------------------------------------------------------------


def write_sanitization(
    session: Session, device: Device, drive: Drive, r: WipeRecord
) -> Sanitization:
    """One drive's record and its event; a removed or destroyed drive leaves the device."""
    t = r.at or now()
    rec = Sanitization(
        id=new_id(),
        drive_id=drive.id,
        device_id=device.id,
        level=r.level,
        method=r.method,
        tool=r.tool,
        tool_version=r.tool_version,
        verification_method=r.verification_method,
        verification_result=r.verification_result,
        performed_by=r.performed_by,
        performed_at=t,
        verified_by=r.verified_by,
        verified_at=t if r.verified_by else None,
        destination=r.destination,
        notes=r.notes,
        recorded_at=t,
    )
    session.add(rec)
    if r.level in ("removed", "destroy"):
        drive.present = False
        session.add(drive)
    result = r.level if r.level in ("removed", "destroy") else (r.verification_result or "fail")
    add_event(
        session,
        device,
        "sanitized",
        actor=r.performed_by,
        station=r.station,
        note=f"{drive.name or drive.id}: {r.level} by {r.method}"
        + (f", verified {r.verification_result}" if r.verification_result else ""),
        ref=rec.id,
        data={"drive": drive.id, "result": result},
        at=r.at,
    )
    return rec


def write_part(
    session: Session,
    source: Device,
    target: Device | None,
    kind: str,
    *,
    moved: Drive | None,
    description: str | None,
    serial: str | None,
    actor: str | None,
    station: str | None,
    note: str | None,
    at: datetime | None = None,
) -> Part:
    """A part out of ``source`` (and into ``target``): the drive it was leaves the
    source; in the target a new drive is on record, to be sanitized there."""
    t = at or now()
    part = Part(
        id=new_id(),
        kind=kind,
        description=description,
        serial=serial,
        from_device_id=source.id,
        into_device_id=target.id if target else None,
        drive_id=moved.id if moved else None,
        harvested_at=t,
        fitted_at=t if target else None,
        actor=actor,
    )
    if moved is not None:
        moved.present = False
        session.add(moved)
    fitted: Drive | None = None
    if target is not None and kind in ("ssd", "hdd", "nvme"):
        fitted = Drive(
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
        session.add(fitted)
    session.add(part)
    session.flush()
    add_event(
        session,
        source,
        "part-out",
        actor=actor,
        station=station,
        note=(f"{kind} {description or ''}".strip() + (f" -> {target.tag}" if target else ""))
        + (f" ({note})" if note else ""),
        ref=part.id,
        data={"drive": moved.id} if moved else {"kind": kind},
        at=at,
    )
    if target is not None:
        add_event(
            session,
            target,
            "part-in",
            actor=actor,
            station=station,
            note=f"{kind} from {source.tag}",
            ref=part.id,
            data={"drive": fitted.id} if fitted else {"kind": kind},
            at=at,
        )
    return part


# --- reading -----------------------------------------------------------------------


def search(session: Session, text: str, limit: int = 50) -> list[Device]:
    typed = normalize(text)
    exact = session.exec(
        select(Device).where(or_(col(Device.tag) == typed, col(Device.serial) == text.strip()))
    ).all()
    if exact:
        return list(exact)
    by_alias = session.exec(
        select(Device)
        .join(DeviceAlias, col(DeviceAlias.device_id) == Device.id)
        .where(DeviceAlias.tag == typed)
    ).all()
    if by_alias:
        return list(by_alias)
    by_drive = session.exec(
        select(Device)
        .join(Drive, col(Drive.device_id) == Device.id)
        .where(Drive.serial == text.strip())
    ).all()
    if by_drive:
        return list(by_drive)
    literal = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{literal}%"  # the typed text, wildcards and all, somewhere in the value
    return list(
        session.exec(
            select(Device)
            .where(
                or_(
                    col(Device.model).ilike(like, escape="\\"),
                    col(Device.serial).ilike(like, escape="\\"),
                    col(Device.tag).ilike(like, escape="\\"),
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
    # Round trips are most of a show on PostgreSQL: each participant's code comes with
    # its event, the lot's code and the latest assessment in one query, and sanitizations
    # are read only when the device has drives.
    code_of = (
        select(Participant.code)
        .where(Participant.id == Event.participant_id)
        .correlate(Event)
        .scalar_subquery()
    )
    pairs = session.exec(select(Event, code_of).where(Event.device_id == device.id)).all()
    participants = {e.participant_id: code for e, code in pairs if e.participant_id}
    events = ordered(e for e, _ in pairs)
    drives = session.exec(select(Drive).where(Drive.device_id == device.id)).all()
    sanit = (
        session.exec(select(Sanitization).where(Sanitization.device_id == device.id)).all()
        if drives
        else []
    )
    lot_code, latest_doc = session.exec(
        select(
            select(Lot.code).where(Lot.id == device.lot_id).scalar_subquery(),
            select(Assessment.doc)
            .where(Assessment.device_id == device.id)
            .order_by(col(Assessment.created_at).desc())
            .limit(1)
            .scalar_subquery(),
        )
    ).one()
    return {
        "tag": device.tag,
        "aliases": aliases(session, device),
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
        "lot": lot_code,
        "disposition": device.disposition,
        "grade": {"functional": device.grade_functional, "cosmetic": device.grade_cosmetic},
        "identity_kind": device.identity_kind,
        "assessment": json.loads(latest_doc) if latest_doc is not None else None,
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
                "id": e.id,
                "seq": e.seq,
                "at": e.at.isoformat(),
                "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None,
                "voided_by": e.voided_by,
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
    """Devices whose cached status differs from the status of their last status event
    (in the device's own order)."""
    conn = session.connection()
    out: list[dict[str, str | None]] = []
    for ids in all_device_ids(conn):
        cached = {
            device_id: (tag, status)
            for device_id, tag, status in session.exec(
                select(Device.id, Device.tag, Device.status).where(col(Device.id).in_(ids))
            )
        }
        for device_id, rows in histories(conn, ids).items():
            derived = derived_status(rows)
            tag, status = cached[device_id]
            if derived is not None and derived != status:
                out.append({"tag": tag, "cached": status, "derived": derived})
    return out


def counts(session: Session) -> dict[str, int]:
    return {
        name: session.exec(select(func.count()).select_from(table)).one()
        for name, table in (("devices", Device), ("snapshots", Snapshot), ("events", Event))
    }


def lot_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "code": x.code,
            "donor": x.donor,
            "received_on": x.received_on.isoformat(),
            "choice": x.donor_choice,
            "community": x.community,
            "site": x.site,
            "weight_kg": x.weight_kg,
        }
        for x in session.exec(select(Lot).order_by(col(Lot.received_on))).all()
    ]


def participant_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"code": p.code, "community": p.community}
        for p in session.exec(select(Participant).order_by(col(Participant.code))).all()
    ]


def get_event(session: Session, ref: str) -> Event:
    """An event by its id, or by its last 8 or more characters (the random part: ids
    begin with their time, so events of one minute share their beginning)."""
    ref = ref.strip().lower()
    if len(ref) < 8:
        raise BadInput(
            Phrase(N_("event {ref!r}: give at least 8 characters of its id (refurb show)"), ref=ref)
        )
    found = session.exec(
        select(Event).where(col(Event.id).endswith(ref, autoescape=True)).limit(2)
    ).all()
    if not found:
        raise NotFound(
            Phrase(N_("no event {ref!r}"), ref=ref), N_("event ids are shown by: refurb show TAG")
        )
    if len(found) > 1:
        raise BadInput(Phrase(N_("event {ref!r} is ambiguous"), ref=ref), N_("give more of its id"))
    return found[0]


def mark_voided(session: Session, target: Event, void: Event) -> None:
    target.voided_by = void.id
    session.add(target)
    session.flush()


def refresh_derived(session: Session, device: Device) -> None:
    """The device's cached status and weight, from its live history."""
    session.flush()
    rows = histories(session.connection(), [device.id])[device.id]
    device.status = derived_status(rows) or device.status
    weighed = [r for r in live(rows) if r.kind == "weighed"]
    device.weight_kg = weight_of(weighed[-1]) if weighed else None
    device.site = derived_site(rows)
    session.add(device)
    session.flush()


def get_device_by_id(session: Session, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(Phrase(N_("no device {device_id}"), device_id=device_id))
    return device
