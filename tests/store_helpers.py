"""Building snapshots and assessments for the store tests from a real capture."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

from sqlmodel import Session

from refurb.app.lifecycle import wipe_in
from refurb.assess import default_policy, evaluate
from refurb.assess.verdict import Assessment
from refurb.errors import Refused
from refurb.lifecycle.sanitization import WipeRecord
from refurb.model import Disk, Smart, Snapshot
from refurb.probe import collect
from refurb.probe.source import CaptureSource

CAPTURES = Path(__file__).parent / "captures"
_BASE = collect(CaptureSource(CAPTURES / "own-linux-lenovo-t480-handmade"))
POLICY = default_policy()


def laptop(
    serial: str = "PF1ABCDE",
    uuid_: str | None = "4c4c4544-0042-3510-8052-b4c04f4e3232",
    disks: list[Disk] | None = None,
    **identity: object,
) -> Snapshot:
    snap = copy.deepcopy(_BASE)
    snap.snapshot_id = str(uuid.uuid4())
    snap.identity.serial = serial
    snap.identity.uuid = uuid_
    for key, value in identity.items():
        setattr(snap.identity, key, value)
    if disks is not None:
        snap.disks = disks
    return snap


def disk(name: str, serial: str | None) -> Disk:
    return Disk(
        name=name,
        model="TEST SSD",
        serial=serial,
        size_bytes=256 << 30,
        kind="ssd",
        protocol="ATA",
        smart=Smart(passed=True, reallocated_sectors=0, pending_sectors=0, offline_uncorrectable=0),
    )


def verdict(snap: Snapshot) -> Assessment:
    return evaluate(snap, None, POLICY)


def purge(
    session: Session, tag: str, drive: str | None = None, result: str = "pass", station: str = "RF"
) -> None:
    """Record a verified purge of the device's drives (or of ``drive``)."""
    wipe_in(
        session,
        tag,
        WipeRecord(
            level="purge",
            method="block-erase",
            tool="nwipe",
            tool_version="0.36",
            verification_method="full read-back",
            verification_result=result,
            performed_by="trainee-07",
            verified_by="lead-01",
            destination=None,
            notes=None,
            station=station,
        ),
        drive,
    )


def hub_import(hub: object, bundles: list[bytes], key: bytes) -> int:
    """Import bundles as a hub operator would: one refused because the device's earlier
    events have not arrived yet is imported again after the others. Returns how many
    times a bundle had to wait."""
    from refurb.app.hub import import_bundle

    waited = 0
    pending = list(bundles)
    while pending:
        later = []
        for data in pending:
            try:
                import_bundle(hub, data, key, "bundle")  # type: ignore[arg-type]
            except Refused as exc:
                if exc.rule != "history-gap":
                    raise
                later.append(data)
        if len(later) == len(pending):
            raise AssertionError(f"{len(later)} bundle(s) never fit: {later and 'gap'}")
        waited += len(later)
        pending = later
    return waited
