"""Looking devices up, and the scan loop's one step."""

from __future__ import annotations

from dataclasses import dataclass

from refurb.app.lifecycle import move_in
from refurb.store.db import Store
from refurb.store.inventory import get_device


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
