"""What a data-sanitization certificate holds: every drive of the chosen devices with
its NIST SP 800-88 Rev. 2 record(s)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from refurb.store.inventory import get_device, get_lot
from refurb.store.tables import Device, Drive, Event, Sanitization


def certificate_data(session: Session, lot_code: str | None, tags: list[str]) -> dict[str, Any]:
    devices = [get_device(session, t) for t in tags]
    lot = None
    if lot_code:
        lot = get_lot(session, lot_code)
        devices += list(
            session.exec(
                select(Device).where(Device.lot_id == lot.id).order_by(col(Device.tag))
            ).all()
        )
    drives_out = []
    for device in devices:
        drives = session.exec(
            select(Drive).where(Drive.device_id == device.id).order_by(col(Drive.first_seen))
        ).all()
        for drive in drives:
            voided = set(
                session.exec(
                    select(Event.ref).where(
                        Event.device_id == device.id,
                        Event.kind == "sanitized",
                        col(Event.voided_by).is_not(None),
                    )
                ).all()
            )
            records = [
                r
                for r in session.exec(
                    select(Sanitization)
                    .where(Sanitization.drive_id == drive.id)
                    .order_by(col(Sanitization.performed_at))
                ).all()
                if r.id not in voided  # a record voided as a mistake certifies nothing
            ]
            drives_out.append(
                {
                    "asset_tag": device.tag,
                    "device": " ".join(x for x in (device.vendor, device.model) if x) or None,
                    "device_serial": device.serial,
                    "drive": drive.name,
                    "manufacturer_model": drive.model,
                    "serial": drive.serial,
                    "size_bytes": drive.size_bytes,
                    "media_type": drive.media_type,
                    "present": drive.present,
                    "records": [
                        {
                            "level": r.level,
                            "method": r.method,
                            "tool": r.tool,
                            "tool_version": r.tool_version,
                            "verification_method": r.verification_method,
                            "verification_result": r.verification_result,
                            "performed_by": r.performed_by,
                            "performed_at": r.performed_at.isoformat(),
                            "verified_by": r.verified_by,
                            "verified_at": r.verified_at.isoformat() if r.verified_at else None,
                            "destination": r.destination,
                            "notes": r.notes,
                        }
                        for r in records
                    ],
                }
            )
    return {
        "standard": "NIST SP 800-88 Rev. 2 (September 2025)",
        "standard_name": "NIST SP 800-88 Rev. 2",
        "standard_published": "2025-09",
        "lot": {
            "code": lot.code,
            "donor": lot.donor,
            "received_on": lot.received_on.isoformat(),
            "community": lot.community,
        }
        if lot
        else None,
        "devices": len(devices),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "drives": drives_out,
    }
