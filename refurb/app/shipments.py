"""Recyclers and downstream shipments (R2v3 and e-Stewards ask for them): which devices
went to which recycler, on what date, with the bill of lading, the recycler's weight
and certificate number.

A device added to a shipment is recycled with it, through the same use case as
``refurb recycle`` (``refurb.app.lifecycle.recycle_in``: the device row locked, the
rulebook asked), in the same transaction: all the devices or none. A closed shipment
takes no more devices; its weight, spread over its devices, is their measured weight
in the funder report (docs/reports.md).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from refurb.app.lifecycle import Changed, recycle_in
from refurb.errors import BadInput, Refused
from refurb.i18n import N_, Phrase
from refurb.lifecycle.rules import SHIPMENT_KG, plausible_kg
from refurb.store.db import Store
from refurb.store.inventory import get_device
from refurb.store.shipments import (
    add_item,
    add_recycler,
    close,
    device_ids,
    get_recycler,
    get_shipment,
    new_shipment,
    recycler_rows,
    shipment_document,
    shipment_of,
    shipment_rows,
)
from refurb.store.tables import Recycler

# What a recycler's weight can plausibly be (its total: refurb.lifecycle.rules.SHIPMENT_KG);
# an average under 100 g a device is a weight
# given in tonnes (or grams mistaken for kg); over 60 kg a device, a pallet of
# something else.
MIN_KG_PER_DEVICE = 0.1
MAX_KG_PER_DEVICE = 60.0


def _today() -> date:
    return datetime.now().astimezone().date()


def _not_future(what: str, day: date) -> None:
    if day > _today():
        raise BadInput(
            Phrase(N_("{what} {date} is in the future"), what=what, date=day.isoformat()),
            N_("give the date it happened"),
        )


def add(store: Store, name: str, address: str | None, certification: str | None) -> str:
    """refurb recycler add"""
    if not name.strip():
        raise BadInput(N_("the recycler's name is empty"))
    with store.transaction() as session:
        return add_recycler(session, name.strip(), address, certification).name


def recyclers(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return recycler_rows(session)


def new(store: Store, code: str, recycler: str, shipped_on: date, bol: str | None) -> str:
    """refurb ship new: an open shipment to a known recycler."""
    if not code.strip():
        raise BadInput(N_("the shipment code is empty"))
    _not_future(Phrase(N_("the shipping date")), shipped_on)
    with store.transaction() as session:
        return new_shipment(
            session, code.strip(), get_recycler(session, recycler), shipped_on, bol
        ).code


def add_devices(
    store: Store, code: str, tags: list[str], *, actor: str | None, station: str | None
) -> list[Changed]:
    """refurb ship add: each device is recycled with the shipment (a note names it), or,
    if one cannot be (issued, already shipped, refused by the rulebook), none is."""
    with store.transaction() as session:
        shipment = get_shipment(session, code, lock=True)
        if shipment.closed_at is not None:
            raise Refused(
                Phrase(
                    N_(
                        "shipment {code} is closed (received by the recycler {received_on}); it "
                        "cannot take more devices"
                    ),
                    code=shipment.code,
                    received_on=shipment.received_on,
                ),
                N_("start a new shipment for them"),
                rule="shipment-closed",
            )
        recycler = session.get(Recycler, shipment.recycler_id)
        note = f"shipment {shipment.code}" + (f" to {recycler.name}" if recycler else "")
        done: list[Changed] = []
        for tag in dict.fromkeys(tags):  # a tag typed twice is added once
            device = get_device(session, tag, lock=True)
            other = shipment_of(session, device)
            if other is not None:
                raise Refused(
                    Phrase(
                        N_("{tag} is already in shipment {code}; nothing was added"),
                        tag=device.tag,
                        code=other.code,
                    ),
                    N_("leave it out of this one"),
                    rule="already-shipped",
                    subject=device.tag,
                )
            try:
                changed = recycle_in(session, device.tag, actor=actor, note=note, station=station)
            except Refused as exc:
                raise Refused(
                    Phrase(
                        N_("{message}; nothing was added to shipment {code}"),
                        message=exc.message,
                        code=shipment.code,
                    ),
                    exc.hint,
                    rule=exc.rule,
                    subject=device.tag,
                ) from None
            add_item(session, shipment, device)
            done.append(changed)
        return done


def check_weight(weight_kg: float, devices: int) -> None:
    if not plausible_kg(weight_kg, (SHIPMENT_KG[0], math.inf)):
        raise BadInput(
            Phrase(
                N_("weight {weight_kg!r} kg: the recycler's weight must be at least {least} kg"),
                weight_kg=weight_kg,
                least=SHIPMENT_KG[0],
            ),
            N_("give it in kg, as on the recycler's weigh ticket"),
        )
    if weight_kg > SHIPMENT_KG[1]:
        raise BadInput(
            Phrase(
                N_("weight {weight_kg:g} kg is more than a full truck ({most:,.0f} kg)"),
                weight_kg=weight_kg,
                most=SHIPMENT_KG[1],
            ),
            N_("give it in kg, as on the recycler's weigh ticket"),
        )
    each = weight_kg / devices
    if each < MIN_KG_PER_DEVICE or each > MAX_KG_PER_DEVICE:
        raise BadInput(
            Phrase(
                N_(
                    "weight {weight_kg:g} kg for {devices} device(s) is {each:.3g} kg a "
                    "device, outside {low:g}–{high:g} kg"
                ),
                weight_kg=weight_kg,
                devices=devices,
                each=each,
                low=MIN_KG_PER_DEVICE,
                high=MAX_KG_PER_DEVICE,
            ),
            N_("give the shipment's weight in kg (not tonnes or grams)"),
        )


def close_shipment(
    store: Store, code: str, *, weight_kg: float, certificate: str, received_on: date
) -> dict[str, Any]:
    """refurb ship close: the recycler's weight, certificate number and receipt date."""
    if not certificate.strip():
        raise BadInput(N_("the certificate number is empty"))
    _not_future(Phrase(N_("the date received")), received_on)
    with store.transaction() as session:
        shipment = get_shipment(session, code, lock=True)
        if shipment.closed_at is not None:
            raise Refused(
                Phrase(
                    N_(
                        "shipment {code} is already closed ({weight_kg:g} kg, certificate "
                        "{certificate})"
                    ),
                    code=shipment.code,
                    weight_kg=shipment.weight_kg,
                    certificate=shipment.certificate,
                ),
                N_("a closed shipment stays as the recycler confirmed it"),
                rule="shipment-closed",
            )
        if received_on < shipment.shipped_on:
            raise BadInput(
                Phrase(
                    N_("received {received} is before shipment {code} was shipped ({shipped})"),
                    received=received_on.isoformat(),
                    code=shipment.code,
                    shipped=shipment.shipped_on.isoformat(),
                ),
                N_("give the date the recycler received it"),
            )
        devices = len(device_ids(session, shipment))
        if not devices:
            raise Refused(
                Phrase(N_("shipment {code} holds no devices"), code=shipment.code),
                N_("add the devices that went in it first"),
                rule="shipment-empty",
            )
        check_weight(weight_kg, devices)
        close(
            session,
            shipment,
            weight_kg=weight_kg,
            certificate=certificate.strip(),
            received_on=received_on,
        )
        return {"code": shipment.code, "devices": devices, "weight_kg": weight_kg}


def shipments(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return shipment_rows(session)


def document(store: Store, code: str, weights: dict[str, float]) -> dict[str, Any]:
    """What the shipment's paper (and ``ship show --json``) shows."""
    with store.reading() as session:
        return shipment_document(session, code, weights)
