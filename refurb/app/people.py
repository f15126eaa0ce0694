"""Lots (donations) and participants: program-wide records, by code.

A code is printed on paper and reported to funders, so two codes that look the same
must be one: every new code passes ``refurb.untrusted.program_code`` (NFKC, no invisible
characters, one alphabet, not Cyrillic or Greek posing as Latin, not empty), and every
look-up normalises the typed code the same way (``lookup_code``, in the store).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from refurb.errors import BadInput
from refurb.store.db import Store
from refurb.store.inventory import add_lot as store_lot
from refurb.store.inventory import add_participant as store_participant
from refurb.store.inventory import lot_rows, participant_rows
from refurb.untrusted import program_code

MAX_LOT_KG = 100_000  # a lot is a donation: a truck or two of computers, at most


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
    code = program_code(code, "lot code")
    if weight_kg is not None and not (math.isfinite(weight_kg) and 0 < weight_kg <= MAX_LOT_KG):
        raise BadInput(
            f"a lot weight of {weight_kg:g} kg is not plausible",
            f"give the lot's weight in kilograms: more than 0, at most {MAX_LOT_KG:,}",
        )
    with store.transaction() as session:
        return store_lot(
            session, code, donor, received_on, donor_choice, community, site, weight_kg
        ).code


def lots(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return lot_rows(session)


def add_participant(store: Store, code: str, community: str | None) -> str:
    code = program_code(code, "participant code")
    with store.transaction() as session:
        return store_participant(session, code, community).code


def participants(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return participant_rows(session)
