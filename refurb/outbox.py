"""Names for snapshots written to a USB stick's outbox: unique across laptops."""

from __future__ import annotations

import re

from refurb.model import Snapshot


def outbox_name(snap: Snapshot) -> str:
    """``<UTC time>_<model>_<snapshot id>.json``: sortable by time, readable by a person,
    and collision-free because the snapshot id is a random UUID."""
    stamp = re.sub(r"[^0-9TZ]", "", snap.taken_at)
    model = re.sub(r"[^A-Za-z0-9]+", "-", snap.identity.model or "unknown").strip("-")[:32]
    return f"{stamp}_{model or 'unknown'}_{snap.snapshot_id}.json"
