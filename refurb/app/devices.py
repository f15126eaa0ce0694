"""Looking devices up, and the scan loop's one step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from refurb.app.lifecycle import move_in
from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.store.db import Store
from refurb.store.inventory import device_record, get_device, list_devices
from refurb.store.inventory import search as find

COLUMNS = (
    "tag",
    "status",
    "vendor",
    "model",
    "serial",
    "chassis",
    "disposition",
    "grade_functional",
    "grade_cosmetic",
    "community",
    "created_at",
)


def _row(device: Any) -> dict[str, Any]:
    return {c: getattr(device, c) for c in COLUMNS}


def show(store: Store, tag: str) -> dict[str, Any]:
    """Everything about one device (by its tag or an alias)."""
    with store.reading() as session:
        return device_record(session, get_device(session, tag))


def listing(
    store: Store,
    *,
    status: str | None = None,
    community: str | None = None,
    lot: str | None = None,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Devices by filter, oldest first; ``limit`` (1 or more) keeps the first ones."""
    if limit is not None and limit < 1:
        raise BadInput(
            Phrase(N_("a limit of {limit} device(s) lists nothing"), limit=limit),
            N_("give a limit of 1 or more, or none to list every device"),
        )
    if limit is not None and limit >= 2**31:
        limit = None  # more than any inventory holds; a database integer would overflow
    with store.reading() as session:
        return [
            _row(d)
            for d in list_devices(
                session,
                status=status,
                community=community,
                lot=lot,
                site=site,
                since=since,
                until=until,
                limit=limit,
            )
        ]


def search(store: Store, text: str) -> list[dict[str, Any]]:
    """Devices by tag, serial (machine or drive) or part of a model, serial or tag; the
    text is taken literally (``%`` and ``_`` are characters, not wildcards)."""
    if not text.strip():
        raise BadInput(N_("the search text is empty"), N_("give part of a tag, serial or model"))
    with store.reading() as session:
        return [_row(d) for d in find(session, text)]


@dataclass
class Scanned:
    tag: str
    vendor: str | None
    model: str | None
    was: str  # its status when scanned
    disposition: str | None
    now: str  # its status after the armed move (the same without one)


def scan_one(
    store: Store,
    text: str,
    armed: str | None,
    *,
    actor: str | None,
    note: str | None,
    station: str | None,
) -> Scanned:
    """A scanned tag (or alias): the device, moved to ``armed`` when one is armed,
    through the same rulebook as every other move."""
    with store.transaction() as session:
        device = get_device(session, text, lock=armed is not None)
        seen = Scanned(
            device.tag,
            device.vendor,
            device.model,
            device.status,
            device.disposition,
            device.status,
        )
        if armed:
            seen.now = move_in(session, text, armed, actor=actor, note=note, station=station).status
        return seen
