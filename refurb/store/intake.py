"""Recording a snapshot and its assessment: the device (found by identity or created
under a new tag), the immutable snapshot with its raw evidence, the drives, the
assessment with its findings, and the events. SQLAlchemy Core statements, not ORM
objects: an import of thousands of snapshots spends its time in SQLite, not in Python.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from refurb import model
from refurb.assess.verdict import Assessment as Verdict
from refurb.errors import BadInput, Refused
from refurb.identity import identity_key, real
from refurb.ids import new_id
from refurb.lifecycle import TRANSITIONS
from refurb.store.inventory import canonical_json, get_lot, now
from refurb.store.tables import Assessment, Device, Drive, Event, Finding, Lot, Snapshot
from refurb.tags import new_tag

# The Core tables behind the SQLModel classes.
_TABLES = SQLModel.metadata.tables
D = _TABLES[Device.__tablename__]
S = _TABLES[Snapshot.__tablename__]
E = _TABLES[Event.__tablename__]
DR = _TABLES[Drive.__tablename__]
A = _TABLES[Assessment.__tablename__]
F = _TABLES[Finding.__tablename__]


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
    doc: dict[str, Any] | None = None,
) -> IntakeResult:
    """Record one snapshot, retrying on the rare race it can lose: another station drew
    the same random tag, or recorded the same new machine a moment earlier."""
    lot = get_lot(session, lot_code) if lot_code else None
    conn = session.connection()  # Core on the session's connection: no ORM bookkeeping
    for _ in range(8):
        try:
            with conn.begin_nested():
                return _record(
                    conn,
                    snap,
                    verdict,
                    operator=operator,
                    station=station,
                    lot=lot,
                    weight_kg=weight_kg,
                    distinct=distinct,
                    checklist=checklist,
                    doc=doc,
                )
        except IntegrityError:
            continue
    raise Refused(
        "could not record the snapshot after 8 tries (conflicting writers)",
        "try again; report it if it keeps happening",
    )


# Statements built once: executing them again skips SQLAlchemy's statement building.
_KNOWN = select(S.c.sha256, S.c.device_id).where(S.c.id == bindparam("sid"))
_KNOWN_DEVICE = select(D.c.tag, D.c.status, D.c.disposition).where(D.c.id == bindparam("did"))
_BY_KEY = select(D.c.id, D.c.tag, D.c.status, D.c.vendor, D.c.model, D.c.lot_id, D.c.year).where(
    D.c.identity_key == bindparam("key")
)
_INSERT_DEVICE, _INSERT_SNAPSHOT, _INSERT_EVENT = insert(D), insert(S), insert(E)
_INSERT_DRIVE, _INSERT_ASSESSMENT, _INSERT_FINDING = insert(DR), insert(A), insert(F)
_DRIVES_OF = select(DR.c.name, DR.c.model, DR.c.serial).where(DR.c.device_id == bindparam("did"))


def _record(
    session: Connection,
    snap: model.Snapshot,
    verdict: Verdict,
    *,
    operator: str | None,
    station: str,
    lot: Lot | None,
    weight_kg: float | None,
    distinct: bool,
    checklist: dict[str, Any] | None,
    doc: dict[str, Any] | None,
) -> IntakeResult:
    text = canonical_json(doc if doc is not None else snap.to_dict())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = session.execute(_KNOWN, {"sid": snap.snapshot_id}).first()
    if known is not None:
        if known.sha256 != digest:
            raise Refused(
                f"snapshot {snap.snapshot_id} is already recorded with different content",
                "a snapshot file was edited; probe the machine again",
            )
        row = session.execute(_KNOWN_DEVICE, {"did": known.device_id}).one()
        return IntakeResult(
            "known", row.tag, known.device_id, snap.snapshot_id, row.disposition, row.status
        )
    if weight_kg is not None and not 0 < weight_kg < 200:
        raise BadInput(
            f"weight {weight_kg} kg is not plausible for one device",
            "give the weight in kilograms, e.g. 2.1",
        )
    ident = snap.identity
    key = identity_key(ident)
    warnings: list[str] = []
    dev: Any = None
    if key is not None and not distinct:
        dev = session.execute(_BY_KEY, {"key": key[1]}).first()
        if dev is not None and key[0] in ("serial", "board"):
            _refuse_shared_serial(session, dev, ident)
    if key is not None and distinct:
        key = ("distinct", hashlib.sha256(f"{key[1]}:{snap.snapshot_id}".encode()).hexdigest()[:32])
    if key is None:
        warnings.append(
            "no trustworthy serial, board serial, UUID or MAC: this machine gets "
            "a new record each time it is probed; label it now and use the tag"
        )
    t = now()
    values = _device_values(snap, verdict)
    device_id = dev.id if dev is not None else new_id()
    events: list[dict[str, Any]] = []

    def event(kind: str, status: str | None = None, note: str | None = None) -> None:
        events.append(
            {
                "id": new_id(),
                "device_id": device_id,
                "at": t,
                "kind": kind,
                "status": status,
                "actor": operator,
                "station": station,
                "note": note,
                "participant_id": None,
            }
        )

    status = dev.status if dev is not None else "received"
    if dev is None:
        event("status", "received", f"lot {lot.code}" if lot else None)
    if weight_kg is not None:
        event("weighed", note=f"{weight_kg:g} kg")
    if "diagnosed" in TRANSITIONS[status]:
        status = "diagnosed"
        event("status", "diagnosed", f"verdict: {verdict.disposition}")
    else:
        event("assessed", note=f"verdict: {verdict.disposition} (status stays {status})")
    if dev is None:
        outcome, tag = "new", new_tag(station)
        session.execute(
            _INSERT_DEVICE,
            {
                "id": device_id,
                "tag": tag,
                "identity_kind": key[0] if key else None,
                "identity_key": key[1] if key else None,
                "vendor": real(ident.vendor),
                "model": real(ident.model),
                "serial": real(ident.serial),
                "chassis": ident.chassis,
                "lot_id": lot.id if lot else None,
                "community": lot.community if lot else None,
                "weight_kg": weight_kg,
                "year": _year(snap),
                "created_at": t,
                "updated_at": t,
                "status": status,
                **values,
            },
        )
    else:
        outcome, tag = "updated", dev.tag
        extra: dict[str, Any] = {"status": status, "updated_at": t}
        if lot is not None and dev.lot_id is None:
            extra.update(lot_id=lot.id, community=lot.community)
        if weight_kg is not None:
            extra["weight_kg"] = weight_kg
        if dev.year is None and _year(snap) is not None:
            extra["year"] = _year(snap)
        session.execute(update(D).where(D.c.id == device_id).values(**values, **extra))
    session.execute(
        _INSERT_SNAPSHOT,
        {
            "id": snap.snapshot_id,
            "device_id": device_id,
            "taken_at": _parse_time(snap.taken_at),
            "tool_version": snap.tool_version,
            "source": snap.source,
            "sha256": digest,
            "doc": text,
            "imported_at": t,
        },
    )
    _record_drives(session, device_id, snap, t, known_device=dev is not None)
    _record_assessment(session, device_id, snap, verdict, operator, checklist, t)
    session.execute(_INSERT_EVENT, events)
    return IntakeResult(
        outcome, tag, device_id, snap.snapshot_id, verdict.disposition, status, warnings
    )


def _refuse_shared_serial(session: Connection, dev: Any, ident: model.Identity) -> None:
    """Same vendor, model and serial, but a different real system UUID: two machines."""
    new_uuid = real(ident.uuid)
    if not new_uuid:
        return
    for (doc,) in session.execute(select(S.c.doc).where(S.c.device_id == dev.id)):
        old_uuid = real(json.loads(doc).get("identity", {}).get("uuid"))
        if old_uuid and old_uuid.casefold() != new_uuid.casefold():
            raise Refused(
                f"serial {ident.serial or ident.board_serial} is already recorded for "
                f"{dev.tag} ({dev.vendor or '?'} {dev.model or '?'}), but this "
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


def _year(snap: model.Snapshot) -> int | None:
    """Year of production, where the firmware date is the best evidence we have."""
    date = snap.identity.bios_date or ""
    year = date[-4:]
    return int(year) if year.isdigit() and 1990 < int(year) < 2100 else None


def _device_values(snap: model.Snapshot, verdict: Verdict) -> dict[str, Any]:
    """The device's cached summary, from its latest snapshot and assessment."""
    values: dict[str, Any] = {
        "disposition": verdict.disposition,
        "grade_functional": verdict.grade["functional"],
        "grade_cosmetic": verdict.grade["cosmetic"],
    }
    if snap.cpu.model:
        values["cpu"] = snap.cpu.model
    if snap.memory.total_bytes:
        values["memory_bytes"] = snap.memory.total_bytes
    storage = sum(d.size_bytes or 0 for d in snap.disks if d.kind != "usb")
    if storage:
        values["storage_bytes"] = storage
    healths = [b.health_pct for b in snap.batteries if b.health_pct is not None]
    if healths:
        values["battery_health_pct"] = min(healths)
    return values


def _record_drives(
    session: Connection, device_id: str, snap: model.Snapshot, t: datetime, known_device: bool
) -> None:
    existing = session.execute(_DRIVES_OF, {"did": device_id}).all() if known_device else []
    seen = [(r.name, r.model, r.serial) for r in existing]
    rows = []
    for disk in snap.disks:
        if disk.kind == "usb":
            continue
        serial = real(disk.serial)
        if serial and any(s == serial for _, _, s in seen):
            continue
        if not serial and any(not s and n == disk.name and m == disk.model for n, m, s in seen):
            continue
        seen.append((disk.name, disk.model, serial))
        rows.append(
            {
                "id": new_id(),
                "device_id": device_id,
                "name": disk.name,
                "model": disk.model,
                "serial": serial,
                "size_bytes": disk.size_bytes,
                "media_type": disk.kind,
                "present": True,
                "first_seen": t,
            }
        )
    if rows:
        session.execute(_INSERT_DRIVE, rows)


def _record_assessment(
    session: Connection,
    device_id: str,
    snap: model.Snapshot,
    verdict: Verdict,
    operator: str | None,
    checklist: dict[str, Any] | None,
    t: datetime,
) -> None:
    aid = new_id()
    session.execute(
        _INSERT_ASSESSMENT,
        {
            "id": aid,
            "device_id": device_id,
            "snapshot_id": snap.snapshot_id,
            "disposition": verdict.disposition,
            "grade_functional": verdict.grade["functional"],
            "grade_cosmetic": verdict.grade["cosmetic"],
            "policy_name": verdict.policy["name"],
            "policy_version": verdict.policy["version"],
            "operator": operator,
            "checklist": canonical_json(checklist) if checklist else None,
            "doc": canonical_json(verdict.to_dict()),
            "created_at": t,
        },
    )
    session.execute(
        _INSERT_FINDING,
        [
            {
                "assessment_id": aid,
                "check": f.check,
                "status": f.status,
                "part": f.part,
                "value": json.dumps(f.value),
                "threshold": json.dumps(f.threshold),
                "reason": f.reason,
            }
            for f in verdict.findings
        ],
    )
