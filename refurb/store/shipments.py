"""Recyclers and downstream shipments: the SQL. Each function runs inside one
``Store.transaction()`` (or ``Store.reading()``) the application layer holds.

A shipment holds devices (``shipment_items``); each device is recycled when it is
added (refurb.app.shipments does that through the rulebook). When the recycler's
weight comes back, the shipment is closed, and its weight, spread over its devices
(``refurb.store.tallies.shipment_shares``), is their measured weight in the reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from refurb.errors import NotFound, Refused
from refurb.i18n import N_, Phrase
from refurb.ids import new_id
from refurb.store import tallies
from refurb.store.inventory import now
from refurb.store.tables import Device, Recycler, Shipment, ShipmentItem

# --- recyclers -------------------------------------------------------------------------


def add_recycler(
    session: Session, name: str, address: str | None, certification: str | None
) -> Recycler:
    same = session.exec(select(Recycler).where(func.lower(Recycler.name) == name.lower())).first()
    if same is not None:
        raise Refused(
            Phrase(N_("recycler {name!r} already exists"), name=same.name),
            N_("use that name, or choose another one"),
            rule="recycler-exists",
        )
    recycler = Recycler(
        id=new_id(), name=name, address=address, certification=certification, created_at=now()
    )
    session.add(recycler)
    return recycler


def get_recycler(session: Session, name: str) -> Recycler:
    found = session.exec(select(Recycler).where(Recycler.name == name)).first()
    if found is None:
        found = session.exec(
            select(Recycler).where(func.lower(Recycler.name) == name.lower())
        ).first()
    if found is None:
        raise NotFound(
            Phrase(N_("no recycler {name!r}"), name=name),
            Phrase(N_("add it first: refurb recycler add {name!r} --certification ..."), name=name),
        )
    return found


def recycler_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "address": r.address, "certification": r.certification}
        for r in session.exec(select(Recycler).order_by(col(Recycler.name))).all()
    ]


# --- shipments -------------------------------------------------------------------------


def new_shipment(
    session: Session, code: str, recycler: Recycler, shipped_on: date, bol: str | None
) -> Shipment:
    if session.exec(select(Shipment).where(Shipment.code == code)).first():
        raise Refused(
            Phrase(N_("shipment {code} already exists"), code=code), N_("choose another code")
        )
    shipment = Shipment(
        id=new_id(),
        code=code,
        recycler_id=recycler.id,
        shipped_on=shipped_on,
        bol=bol,
        created_at=now(),
    )
    session.add(shipment)
    return shipment


def get_shipment(session: Session, code: str, *, lock: bool = False) -> Shipment:
    """The shipment with this code; ``lock``: its row locked for the transaction
    (PostgreSQL ``FOR UPDATE``; SQLite's write transaction holds the whole database)."""
    q = select(Shipment).where(Shipment.code == code).execution_options(populate_existing=True)
    if lock:
        q = q.with_for_update()
    found = session.exec(q).first()
    if found is None:
        raise NotFound(
            Phrase(N_("no shipment {code!r}"), code=code),
            N_("list the shipments to see their codes"),
        )
    return found


def shipment_of(session: Session, device: Device) -> Shipment | None:
    """The shipment a device went out in, if any."""
    return session.exec(
        select(Shipment)
        .join(ShipmentItem, col(ShipmentItem.shipment_id) == Shipment.id)
        .where(ShipmentItem.device_id == device.id)
    ).first()


def add_item(session: Session, shipment: Shipment, device: Device) -> None:
    session.add(ShipmentItem(shipment_id=shipment.id, device_id=device.id, added_at=now()))
    session.flush()


def device_ids(session: Session, shipment: Shipment) -> list[str]:
    return list(
        session.exec(
            select(ShipmentItem.device_id).where(ShipmentItem.shipment_id == shipment.id)
        ).all()
    )


def close(
    session: Session,
    shipment: Shipment,
    *,
    weight_kg: float,
    certificate: str,
    received_on: date,
) -> None:
    """Record the recycler's weight and certificate. The shipment's devices now weigh
    their share of it in the reports: the tallies read them first."""
    tallies.keeper(session).watch(device_ids(session, shipment))
    session.flush()
    shipment.weight_kg = weight_kg
    shipment.certificate = certificate
    shipment.received_on = received_on
    shipment.closed_at = now()
    session.add(shipment)
    session.flush()


def _recyclers(session: Session) -> dict[str, Recycler]:
    return {r.id: r for r in session.exec(select(Recycler)).all()}


def _summary(shipment: Shipment, recycler: Recycler | None, devices: int) -> dict[str, Any]:
    return {
        "code": shipment.code,
        "recycler": recycler.name if recycler else None,
        "shipped_on": shipment.shipped_on.isoformat(),
        "bol": shipment.bol,
        "devices": devices,
        "status": "closed" if shipment.closed_at else "open",
        "weight_kg": shipment.weight_kg,
        "certificate": shipment.certificate,
        "received_on": shipment.received_on.isoformat() if shipment.received_on else None,
    }


def shipment_rows(session: Session) -> list[dict[str, Any]]:
    recyclers = _recyclers(session)
    counts = dict(
        session.exec(
            select(ShipmentItem.shipment_id, func.count()).group_by(col(ShipmentItem.shipment_id))
        ).all()
    )
    return [
        _summary(s, recyclers.get(s.recycler_id), int(counts.get(s.id, 0)))
        for s in session.exec(
            select(Shipment).order_by(col(Shipment.shipped_on), col(Shipment.code))
        ).all()
    ]


def shipment_document(session: Session, code: str, weights: dict[str, float]) -> dict[str, Any]:
    """Everything the shipment's paper shows: the recycler, the dates, every device with
    its weight (measured, else the default for its chassis: estimated), the totals, and
    the recycler's weight once the shipment is closed."""
    shipment = get_shipment(session, code)
    recycler = session.get(Recycler, shipment.recycler_id)
    devices = list(
        session.exec(
            select(Device)
            .join(ShipmentItem, col(ShipmentItem.device_id) == Device.id)
            .where(ShipmentItem.shipment_id == shipment.id)
            .order_by(col(Device.tag))
        ).all()
    )
    shares = tallies.shipped_kg(session.connection(), [d.id for d in devices]) if devices else {}
    default = weights.get("other", 2.0)
    rows: list[dict[str, Any]] = []
    measured_kg = estimated_kg = 0.0
    for d in devices:
        if d.weight_kg is not None:
            kg, measured_kg = float(d.weight_kg), measured_kg + float(d.weight_kg)
        else:
            kg = weights.get(d.chassis or "", default)
            estimated_kg += kg
        rows.append(
            {
                "tag": d.tag,
                "vendor": d.vendor,
                "model": d.model,
                "serial": d.serial,
                "chassis": d.chassis,
                "weight_kg": round(kg, 3),
                "weight": "measured" if d.weight_kg is not None else "estimated",
                "share_kg": shares.get(d.id),
            }
        )
    doc = _summary(shipment, recycler, len(rows))
    doc["recycler"] = {
        "name": recycler.name if recycler else None,
        "address": recycler.address if recycler else None,
        "certification": recycler.certification if recycler else None,
    }
    doc["items"] = rows
    doc["totals"] = {
        "devices": len(rows),
        "kg": round(measured_kg + estimated_kg, 3),
        "measured_kg": round(measured_kg, 3),
        "estimated_kg": round(estimated_kg, 3),
        "recycler_kg": shipment.weight_kg,
    }
    return doc
