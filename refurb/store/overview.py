"""Reads behind the web pages: device counts by status, the recent activity, one page of
a filtered device list. Plain rows out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from refurb.store.inventory import get_lot
from refurb.store.tables import Device, DeviceAlias, Drive, Event, Lot, Participant
from refurb.tags import normalize


def status_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(Device.status, func.count()).group_by(Device.status)).all()
    return {status: n for status, n in rows}


def recent_events(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Event, Device.tag, Participant.code)
        .join(Device, col(Device.id) == col(Event.device_id))
        .outerjoin(Participant, col(Participant.id) == col(Event.participant_id))
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": e.at,
            "tag": tag,
            "kind": e.kind,
            "status": e.status,
            "actor": e.actor,
            "participant": code,
            "note": e.note,
        }
        for e, tag, code in rows
    ]


def page_devices(
    session: Session,
    *,
    status: str | None,
    community: str | None,
    lot: str | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Device], bool]:
    """One page of devices matching every filter given (``text``: a tag, alias, machine
    or drive serial, or part of the model, serial or tag), oldest first; and whether
    there is a next page."""
    q = select(Device)
    if status:
        q = q.where(Device.status == status)
    if community:
        q = q.where(Device.community == community)
    if lot:
        q = q.where(Device.lot_id == get_lot(session, lot).id)
    if text and text.strip():
        typed, raw = normalize(text), text.strip()
        like = f"%{raw}%"
        q = q.where(
            or_(
                col(Device.tag) == typed,
                col(Device.id).in_(select(DeviceAlias.device_id).where(DeviceAlias.tag == typed)),
                col(Device.id).in_(select(Drive.device_id).where(Drive.serial == raw)),
                col(Device.model).ilike(like),
                col(Device.serial).ilike(like),
                col(Device.tag).ilike(like),
            )
        )
    q = q.order_by(col(Device.created_at), col(Device.id)).offset(offset).limit(limit + 1)
    rows = list(session.exec(q).all())
    return rows[:limit], len(rows) > limit


def communities(session: Session) -> list[str]:
    found = set(
        session.exec(select(Device.community).where(col(Device.community).is_not(None))).all()
    )
    found |= set(session.exec(select(Lot.community).where(col(Lot.community).is_not(None))).all())
    return sorted(c for c in found if c)
