"""The inventory on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from refurb.app.lifecycle import (
    attest,
    harvest_in,
    issue_in,
    move_in,
    recycle_in,
    return_in,
    wipe_in,
)
from refurb.errors import NotFound, Refused
from refurb.lifecycle.sanitization import WipeRecord
from refurb.model import Identity
from refurb.record import replace
from refurb.store.db import Store, open_store
from refurb.store.intake import record_snapshot
from refurb.store.inventory import (
    add_lot,
    add_participant,
    get_device,
    present_drives,
    search,
    status_mismatches,
)
from refurb.store.tables import Device, Event, Finding, Part, Snapshot
from refurb.tags import is_well_formed
from tests.store_helpers import disk, laptop, purge, verdict


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.dispose()


def intake(store: Store, snap=None, **kw):  # type: ignore[no-untyped-def]
    snap = snap or laptop()
    with store.transaction() as session:
        return record_snapshot(
            session, snap, verdict(snap), operator="trainee-07", station="RF", **kw
        )


def intake_in(session, snap):  # type: ignore[no-untyped-def]
    """A new probe of a machine, inside the caller's transaction."""
    return record_snapshot(session, snap, verdict(snap), operator="trainee-07", station="RF")


def counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as s:
        return (
            s.exec(select(func.count()).select_from(Device)).one(),
            s.exec(select(func.count()).select_from(Event)).one(),
            s.exec(select(func.count()).select_from(Snapshot)).one(),
        )


def test_intake_records_device_snapshot_assessment_and_events(store: Store) -> None:
    result = intake(store)
    assert result.outcome == "new" and is_well_formed(result.tag)
    assert result.status == "diagnosed"
    with store.reading() as s:
        device = get_device(s, result.tag)
        assert device.model == "ThinkPad T480" and device.identity_kind == "serial"
        events = s.exec(
            select(Event).where(Event.device_id == device.id).order_by(col(Event.at), col(Event.id))
        ).all()
        assert [e.status for e in events if e.status] == ["received", "diagnosed"]
        assert [e.kind for e in events if not e.status] == ["probed"]
        assert {e.actor for e in events} == {"trainee-07"}
        warn = s.exec(select(Finding).where(Finding.check == "battery.health")).one()
        assert warn.status == "warn"
        raw = s.exec(select(Snapshot.doc)).one()
        assert "smartctl-nvme0n1.json" in raw  # raw evidence kept


def test_reimporting_the_same_snapshot_is_a_no_op(store: Store) -> None:
    snap = laptop()
    first = intake(store, snap)
    before = counts(store)
    again = intake(store, snap)
    assert again.outcome == "known" and again.tag == first.tag
    assert counts(store) == before


def test_same_machine_probed_again_is_one_device(store: Store) -> None:
    a, b = intake(store), intake(store)
    assert (a.outcome, b.outcome) == ("new", "updated") and a.tag == b.tag
    assert counts(store)[0] == 1


def test_placeholder_serials_never_merge(store: Store) -> None:
    first = intake(
        store,
        laptop(
            serial="To Be Filled By O.E.M.", uuid_=None, mac=None, board_serial="Default string"
        ),
    )
    second = intake(
        store,
        laptop(
            serial="To Be Filled By O.E.M.", uuid_=None, mac=None, board_serial="Default string"
        ),
    )
    assert first.tag != second.tag
    assert first.warnings and "no trustworthy serial" in first.warnings[0]
    # with a real MAC each, the two machines are told apart and each is found again
    blank = {"serial": "Default string", "uuid_": None, "board_serial": None}
    one = intake(store, laptop(**blank, mac="00:11:22:33:44:55"))  # type: ignore[arg-type]
    again = intake(store, laptop(**blank, mac="00:11:22:33:44:55"))  # type: ignore[arg-type]
    other = intake(store, laptop(**blank, mac="66:77:88:99:aa:bb"))  # type: ignore[arg-type]
    assert one.tag == again.tag != other.tag


def test_two_machines_sharing_a_serial_are_refused_cleanly(store: Store) -> None:
    intake(store, laptop(serial="SAME123", uuid_="11111111-2222-3333-4444-555555555555"))
    before = counts(store)
    with pytest.raises(Refused, match="two machines share one serial"):
        intake(store, laptop(serial="SAME123", uuid_="99999999-2222-3333-4444-555555555555"))
    assert counts(store) == before
    forced = intake(
        store, laptop(serial="SAME123", uuid_="99999999-2222-3333-4444-555555555555"), distinct=True
    )
    assert forced.outcome == "new"


def test_illegal_transition_lists_the_allowed_ones(store: Store) -> None:
    tag = intake(store).tag
    before = counts(store)
    with pytest.raises(Refused) as exc, store.transaction() as s:
        move_in(s, tag, "issued", actor="x", note=None, station=None)
    assert exc.value.rule == "own-step"  # issued only through issue, with a participant
    with store.transaction() as s:
        recycle_in(s, tag, actor="x", note=None, station=None)
    with pytest.raises(Refused) as exc, store.transaction() as s:
        move_in(s, tag, "ready", actor="x", note=None, station=None)
    assert "recycled" in exc.value.message and "recycled is final" in (exc.value.hint or "")
    assert counts(store) == (before[0], before[1] + 1, before[2])


# --- the rule that keeps a donor's data from reaching a participant ----------------


def test_ready_needs_every_drive_sanitized(store: Store) -> None:
    snap = laptop(disks=[disk("sda", "D-ONE"), disk("sdb", "D-TWO")])
    tag = intake(store, snap).tag
    with pytest.raises(Refused, match="2 drive"), store.transaction() as s:
        move_in(s, tag, "ready", actor="x", note=None, station=None)
    with store.transaction() as s:
        purge(s, tag, drive="sda")
    with pytest.raises(Refused) as exc, store.transaction() as s:
        move_in(s, tag, "ready", actor="x", note=None, station=None)
    assert "D-TWO" in exc.value.message and "D-ONE" not in exc.value.message
    with store.transaction() as s:
        purge(s, tag, drive="D-TWO")
        assert get_device(s, tag).status == "wiped"  # every drive done: wiped by itself
        move_in(s, tag, "ready", actor="lead-01", note=None, station=None)


def test_a_failed_verification_does_not_count(store: Store) -> None:
    tag = intake(store).tag
    with store.transaction() as s:
        purge(s, tag, result="fail")
    with pytest.raises(Refused, match="latest verification failed"), store.transaction() as s:
        move_in(s, tag, "ready", actor="x", note=None, station=None)
    with store.transaction() as s:  # a pass, then a failed re-check: the latest counts
        purge(s, tag)
        purge(s, tag, result="fail")
    with pytest.raises(Refused, match="latest verification failed"), store.transaction() as s:
        move_in(s, tag, "ready", actor="x", note=None, station=None)


def test_removed_or_destroyed_drives_count(store: Store) -> None:
    tag = intake(store, laptop(disks=[disk("sda", "A1"), disk("sdb", "B2")])).tag
    with store.transaction() as s:
        wipe_in(
            s,
            tag,
            WipeRecord(
                level="removed",
                method="removed",
                tool=None,
                tool_version=None,
                verification_method=None,
                verification_result=None,
                performed_by="t",
                verified_by=None,
                destination="parts bin",
                notes=None,
                station="RF",
            ),
            "A1",
        )
        wipe_in(
            s,
            tag,
            WipeRecord(
                level="destroy",
                method="physical",
                tool="drill",
                tool_version=None,
                verification_method="visual",
                verification_result="pass",
                performed_by="t",
                verified_by="lead",
                destination="e-waste",
                notes=None,
                station="RF",
            ),
            "B2",
        )
        move_in(s, tag, "repairing", actor="t", note=None, station=None)
    intake(store, laptop(disks=[]))  # probed again, with no drive in it
    with pytest.raises(Refused) as exc, store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    assert exc.value.rule == "no-storage"  # nothing shows a donor drive is not in it
    attest(store, tag, "no-storage", reason="checked: bay empty", actor="lead", station="RF")
    with store.transaction() as s:
        move_in(s, tag, "repairing", actor="t", note=None, station=None)
    intake(store, laptop(disks=[]))
    attest(store, tag, "no-storage", reason="bay still empty", actor="lead", station="RF")
    with store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)


def test_a_returned_laptop_must_be_wiped_again_before_reissue(store: Store) -> None:
    tag = intake(store).tag
    with store.transaction() as s:
        add_participant(s, "P-0001", "Kugaaruk")
        add_participant(s, "P-0002", "Kugaaruk")
        purge(s, tag)
        move_in(s, tag, "ready", actor="t", note=None, station=None)
        issue_in(s, tag, "P-0001", actor="t", note=None, station="RF")
        return_in(s, tag, actor="t", note="screen flicker", station="RF")
    with pytest.raises(Refused, match="since it came back"), store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    intake(store)  # probed again: the drives on record are the drives in it
    with pytest.raises(Refused, match="no record"), store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    with store.transaction() as s:
        purge(s, tag)
        move_in(s, tag, "ready", actor="t", note=None, station=None)
        issue_in(s, tag, "P-0002", actor="t", note=None, station="RF")
        assert get_device(s, tag).status == "issued"


def test_a_drive_seen_later_blocks_issue(store: Store) -> None:
    tag = intake(store).tag
    with store.transaction() as s:
        add_participant(s, "P-1", None)
        purge(s, tag)
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    # a new probe finds a second drive nobody wiped: the device is diagnosed again...
    again = intake(store, laptop(disks=[*laptop().disks, disk("sdb", "NEW-DRIVE")]))
    assert again.status == "diagnosed"
    with pytest.raises(Refused, match="cannot become issued"), store.transaction() as s:
        issue_in(s, tag, "P-1", actor="t", note=None, station="RF")
    # ...and cannot be made ready until the new drive has its record
    with pytest.raises(Refused) as exc, store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    assert "NEW-DRIVE" in exc.value.message and "S3TNNX0K123456" not in exc.value.message


def test_a_harvested_drive_fitted_elsewhere_must_be_sanitized_there(store: Store) -> None:
    donor = intake(store, laptop(serial="DONOR1", uuid_=None, disks=[disk("sda", "HD-9")])).tag
    target = intake(store, laptop(serial="TARGET1", uuid_=None, disks=[])).tag
    with store.transaction() as s:
        harvest_in(
            s,
            donor,
            "ssd",
            description="256 GB SSD",
            serial="HD-9",
            into=target,
            actor="t",
            station="RF",
        )
        part = s.exec(select(Part)).one()
        assert (part.from_device_id, part.into_device_id) == (
            get_device(s, donor).id,
            get_device(s, target).id,
        )
        assert get_device(s, donor).status == "harvested"
        assert present_drives(s, get_device(s, donor)) == []
    with pytest.raises(Refused, match="not been probed"), store.transaction() as s:
        move_in(s, target, "repairing", actor="t", note=None, station=None)
        move_in(s, target, "ready", actor="t", note=None, station=None)
    intake(store, laptop(serial="TARGET1", uuid_=None, disks=[disk("sda", "HD-9")]))
    with pytest.raises(Refused, match="HD-9"), store.transaction() as s:
        move_in(s, target, "repairing", actor="t", note=None, station=None)
        intake_in(s, laptop(serial="TARGET1", uuid_=None, disks=[disk("sda", "HD-9")]))
        move_in(s, target, "ready", actor="t", note=None, station=None)


def test_recycle_only_lot_cannot_be_issued(store: Store) -> None:
    from datetime import date

    with store.transaction() as s:
        add_lot(s, "L-REC", "Bank", date(2026, 9, 1), "recycle", "Arviat", None, None)
        add_participant(s, "P-9", None)
    tag = intake(store, lot_code="L-REC").tag
    with store.transaction() as s:
        purge(s, tag)
    with pytest.raises(Refused, match="recycling only"), store.transaction() as s:
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    with pytest.raises(Refused, match="recycling only"), store.transaction() as s:
        issue_in(s, tag, "P-9", actor="t", note=None, station="RF")


def test_unknown_participant_and_tag(store: Store) -> None:
    tag = intake(store).tag
    with pytest.raises(NotFound, match="participant add"), store.transaction() as s:
        issue_in(s, tag, "P-NOPE", actor="t", note=None, station="RF")
    with pytest.raises(NotFound, match="mistyped"), store.reading() as s:
        get_device(s, "RF-ZZZZZZ")
    with pytest.raises(NotFound, match="no device with tag"), store.reading() as s:
        get_device(s, "RF-00000" + "0")


def test_a_failure_mid_intake_leaves_nothing(store: Store) -> None:
    before = counts(store)
    with pytest.raises(NotFound):
        intake(store, lot_code="NO-SUCH-LOT")
    assert counts(store) == before


def test_search_by_tag_serial_drive_serial_and_model(store: Store) -> None:
    tag = intake(store).tag
    with store.reading() as s:
        for text in (tag, tag.lower(), "PF1ABCDE", "S3TNNX0K123456", "t480"):
            assert [d.tag for d in search(s, text)] == [tag], text


def test_cached_status_matches_the_event_log(store: Store) -> None:
    tag = intake(store).tag
    with store.transaction() as s:
        purge(s, tag)
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    with store.reading() as s:
        assert status_mismatches(s) == []
        assert get_device(s, tag).status == "ready"


def test_lookup_identity_is_case_insensitive_on_serial(store: Store) -> None:
    a = intake(store, laptop(serial="abc123XY", uuid_=None))
    b = intake(store, laptop(serial="ABC123XY", uuid_=None))
    assert a.tag == b.tag
    assert Identity  # the identity key folds case: see refurb.identity.identity_key


def test_one_batch_with_repeats_conflicts_and_refusals(store: Store) -> None:
    """What `refurb import` sends: one batch, each item judged on its own."""

    from refurb.errors import BadInput, RefurbError
    from refurb.store.intake import Item, record_snapshots

    a = laptop(serial="BATCH-1", uuid_="11111111-0000-0000-0000-000000000001")
    a_again = laptop(serial="BATCH-1", uuid_="11111111-0000-0000-0000-000000000001")
    twin = laptop(serial="BATCH-1", uuid_="22222222-0000-0000-0000-000000000002")
    edited = replace(a, taken_at="2030-01-01T00:00:00Z")
    placeholder = laptop(serial="Default string", uuid_=None, board_serial=None, mac=None)
    items = [
        Item(a, verdict(a)),
        Item(a, verdict(a)),
        Item(a_again, verdict(a_again)),
        Item(twin, verdict(twin)),
        Item(edited, verdict(edited)),
        Item(placeholder, verdict(placeholder)),
        Item(placeholder, verdict(placeholder)),
        Item(laptop(serial="W"), verdict(a), weight_kg=-1),
    ]
    with store.transaction() as s:
        results = record_snapshots(s, items, operator="t", station="RF")
    kinds = [r.outcome if not isinstance(r, RefurbError) else type(r).__name__ for r in results]
    assert kinds == ["new", "known", "updated", "Refused", "Refused", "new", "known", "BadInput"]
    assert isinstance(results[7], BadInput)
    assert counts(store)[0] == 2  # BATCH-1 and the placeholder machine
    assert counts(store)[2] == 3  # a, a_again, placeholder
    with store.reading() as s:
        assert status_mismatches(s) == []


def test_ids_are_time_ordered_uuid7() -> None:
    import uuid

    from refurb.ids import new_id

    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == 5000
    assert all(uuid.UUID(i).version == 7 and str(uuid.UUID(i)) == i for i in ids[:50])


def test_show_reads_lot_latest_assessment_codes_and_aliases(store: Store) -> None:
    """device_record reads the lot's code, the latest assessment and each event's
    participant code in fewer queries: each equals what a plain query of its own says."""
    import json
    from datetime import UTC, date, datetime

    from refurb.store.inventory import device_record
    from refurb.store.tables import Assessment, DeviceAlias, Participant

    with store.transaction() as s:
        add_lot(s, "L-SHOW", "Bank", date(2026, 9, 1), "reuse", "Arviat", None, None)
        add_participant(s, "P-SHOW", None)
    tag = intake(store, lot_code="L-SHOW").tag
    with store.transaction() as s:  # probed again, with another drive: a newer verdict
        intake_in(s, laptop(disks=[disk("sda", "HD-SHOW")]))
        purge(s, tag)
        move_in(s, tag, "ready", actor="t", note=None, station=None)
        issue_in(s, tag, "P-SHOW", actor="t", note=None, station="RF")
        return_in(s, tag, actor="t", note=None, station="RF")
    bare = intake(store, laptop(serial="NODRIVES1", uuid_=None, disks=[])).tag
    with store.transaction() as s:
        s.add(
            DeviceAlias(
                tag="RF-7K2Q9W", device_id=get_device(s, tag).id, created_at=datetime.now(UTC)
            )
        )
    with store.reading() as s:
        device = get_device(s, tag)
        assert get_device(s, "rf-7k2q9w").id == device.id == get_device(s, tag, lock=True).id
        record = device_record(s, device)
        docs = s.exec(
            select(Assessment.doc)
            .where(Assessment.device_id == device.id)
            .order_by(col(Assessment.created_at).desc())
        ).all()
        code = s.exec(select(Participant.code)).one()
        plain = device_record(s, get_device(s, bare))
    assert len(docs) == 2 and docs[0] != docs[1]
    assert record["assessment"] == json.loads(docs[0])  # the latest one
    assert record["lot"] == "L-SHOW" and record["aliases"] == ["RF-7K2Q9W"]
    named = [(e["status"], e["participant"]) for e in record["events"] if e["participant"]]
    assert named == [("issued", code), ("returned", code)]
    assert {d["serial"] for d in record["drives"]} >= {"HD-SHOW"}
    assert plain["lot"] is None and plain["drives"] == [] and plain["aliases"] == []
    assert plain["assessment"] is not None and plain["events"]
