"""What goes on a device's label, read from the inventory."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from refurb.labels import LabelData
from refurb.store.inventory import get_device, get_lot
from refurb.store.tables import Assessment, Device, Drive, Snapshot


def label_data(session: Session, devices: list[Device]) -> list[LabelData]:
    out = []
    for d in devices:
        latest = session.exec(
            select(Assessment)
            .where(Assessment.device_id == d.id)
            .order_by(col(Assessment.created_at).desc())
        ).first()
        kinds = {
            x.media_type
            for x in session.exec(
                select(Drive).where(Drive.device_id == d.id, col(Drive.present).is_(True))
            ).all()
        }
        model = " ".join(x for x in (d.vendor, d.model) if x) or None
        out.append(
            LabelData(
                tag=d.tag,
                model=model,
                cpu=d.cpu,
                memory_bytes=d.memory_bytes,
                storage_bytes=d.storage_bytes,
                storage_kind=kinds.pop() if len(kinds) == 1 else None,
                battery_pct=d.battery_health_pct,
                disposition=d.disposition,
                grade_functional=d.grade_functional,
                grade_cosmetic=d.grade_cosmetic,
                tested_on=latest.created_at.date() if latest else None,
                tested_by=latest.operator if latest else None,
                year=d.year,
                memory_modules_bytes=_memory_modules(session, d.id),
            )
        )
    return out


def _memory_modules(session: Session, device_id: str) -> tuple[int, ...]:
    """The installed memory modules' sizes in the device's latest snapshot (SMBIOS type
    17, from dmidecode), so that a label says "8 GB" where the OS reports 7.6 GiB."""
    doc = session.exec(
        select(Snapshot.doc)
        .where(Snapshot.device_id == device_id)
        .order_by(col(Snapshot.taken_at).desc())
    ).first()
    try:
        modules = json.loads(doc)["memory"]["modules"] if doc else []
        return tuple(
            m["size_bytes"]
            for m in modules
            if isinstance(m.get("size_bytes"), int) and m["size_bytes"] > 0
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return ()  # an older or partial snapshot: the label rounds the usable size up


def select_devices(
    session: Session, tags: list[str], status: str | None, lot: str | None, since: date | None
) -> list[Device]:
    devices = [get_device(session, t) for t in tags]
    if status or lot or since:
        q = select(Device)
        if status:
            q = q.where(Device.status == status)
        if lot:
            q = q.where(Device.lot_id == get_lot(session, lot).id)
        if since:
            q = q.where(Device.updated_at >= datetime.combine(since, datetime.min.time(), UTC))
        devices += list(session.exec(q.order_by(col(Device.created_at))).all())
    return devices
