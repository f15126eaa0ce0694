"""Lots (donations) and participants: program-wide records, by code.

A code is printed on paper and reported to funders, so two codes that look the same
must be one: every new code passes ``refurb.untrusted.program_code`` (NFKC, no invisible
characters, one alphabet, not Cyrillic or Greek posing as Latin, not empty), and every
look-up normalises the typed code the same way (``lookup_code``, in the store).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.lifecycle.rules import LOT_KG, plausible_kg
from refurb.store import records
from refurb.store.db import Store
from refurb.store.inventory import add_lot as store_lot
from refurb.store.inventory import add_participant as store_participant
from refurb.store.inventory import get_lot, get_participant, lot_rows, participant_rows
from refurb.untrusted import program_code


def add_lot(
    store: Store,
    code: str,
    donor: str,
    received_on: date,
    donor_choice: str,
    community: str | None,
    site: str | None,
    weight_kg: float | None,
) -> str:
    """A new lot; a community or donor already on record in another spelling (case,
    accents, spaces) takes the spelling on record."""
    _weight(weight_kg)
    code = program_code(code, Phrase(N_("lot code")))
    with store.transaction() as session:
        community = records.canonical(session, "community", community)
        donor = records.canonical(session, "donor", donor) or donor
        return store_lot(
            session, code, donor, received_on, donor_choice, community, site, weight_kg
        ).code


def lots(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return lot_rows(session)


def add_participant(store: Store, code: str, community: str | None) -> str:
    code = program_code(code, Phrase(N_("participant code")))
    with store.transaction() as session:
        community = records.canonical(session, "community", community)
        return store_participant(session, code, community).code


def participants(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return participant_rows(session)


def _weight(kg: float | None) -> None:
    if kg is not None and not plausible_kg(kg, LOT_KG):
        raise BadInput(
            Phrase(N_("a lot weight of {kg!r} kg is not plausible"), kg=kg),
            Phrase(
                N_("give the lot's weight in kilograms, from {least} to {most:,}"),
                least=LOT_KG[0],
                most=int(LOT_KG[1]),
            ),
        )


def edit_lot(
    store: Store, code: str, changes: dict[str, Any], *, reason: str | None, actor: str | None
) -> dict[str, tuple[Any, Any]]:
    """Change a lot's facts, each change kept with its reason (devices of the lot follow
    its community). Returns the fields changed, old and new."""
    if not (reason or "").strip():
        raise BadInput(N_("say why the lot changes (a reason is kept with the change)"))
    if "donor_choice" in changes and changes["donor_choice"] not in ("reuse", "recycle"):
        raise BadInput(N_("the donor's choice is reuse or recycle"))
    _weight(changes.get("weight_kg"))
    with store.transaction() as session:
        if "community" in changes:
            changes["community"] = records.canonical(session, "community", changes["community"])
        if "donor" in changes:
            changes["donor"] = records.canonical(session, "donor", changes["donor"])
            if not changes["donor"]:
                raise BadInput(N_("a lot needs a donor"))
        return records.edit_lot(session, code, changes, reason, actor)[1]


def edit_participant(
    store: Store, code: str, community: str | None, *, reason: str | None, actor: str | None
) -> dict[str, tuple[Any, Any]]:
    if not (reason or "").strip():
        raise BadInput(N_("say why it changes (a reason is kept with the change)"))
    with store.transaction() as session:
        community = records.canonical(session, "community", community)
        return records.edit_participant(session, code, community, reason, actor)[1]


def merge_names(
    store: Store, what: str, old: str, new: str, *, reason: str | None, actor: str | None
) -> int:
    """``community merge`` / ``donor merge``: every spelling of OLD becomes NEW, in every
    record and report."""
    if what not in ("community", "donor"):
        raise BadInput(Phrase(N_("{what!r}: merge communities or donors"), what=what))
    new = " ".join(new.split())
    if not new:
        raise BadInput(
            Phrase(N_("the {what} to merge into is empty"), what=records.NAME_WORDS[what])
        )
    with store.transaction() as session:
        return records.merge_names(session, what, old, new, reason, actor)


def names(store: Store, what: str) -> list[dict[str, Any]]:
    with store.reading() as session:
        return records.names_in_use(session, what)


def changes(store: Store, record: str, code: str) -> list[dict[str, Any]]:
    """The recorded changes of a lot or participant."""
    with store.reading() as session:
        target = get_lot(session, code) if record == "lots" else get_participant(session, code)
        return records.history(session, record, target.id)
