"""A batch import stays one batch when a freshly drawn tag is already taken (by a device
or as an alias): the tag is drawn again before anything is written, instead of the unique
constraint sending the whole batch down the one-by-one path."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

import refurb.store.intake as intake_module
from refurb.assess import default_policy
from refurb.errors import RefurbError
from refurb.store.db import Store, open_store
from refurb.store.importer import import_snapshots
from refurb.store.intake import Item, record_snapshot, record_snapshots
from refurb.store.tables import Device, DeviceAlias
from tests.store_helpers import laptop, verdict


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.dispose()


def test_taken_tags_are_drawn_again_and_the_batch_stays_whole(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = laptop(serial="TAKEN-1")
    with store.transaction() as s:
        taken = record_snapshot(s, first, verdict(first), operator="t", station="RF").tag
        s.add(DeviceAlias(tag="RF-ALIAS1", device_id=s.exec(select(Device.id)).one(),
                          created_at=datetime.now(UTC)))  # fmt: skip
    fresh = iter(["RF-FRESH1", "RF-FRESH2", "RF-FRESH3", "RF-FRESH4"])
    draws = iter([taken, "RF-ALIAS1", taken])  # every one already in use
    monkeypatch.setattr(intake_module, "new_tag", lambda station: next(draws, None) or next(fresh))
    writes = 0
    real_write = intake_module._write

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal writes
        writes += 1
        return real_write(*args, **kwargs)

    monkeypatch.setattr(intake_module, "_write", counted)
    snaps = [laptop(serial=f"NEW-{i}") for i in range(3)]
    with store.transaction() as s:
        results = record_snapshots(
            s, [Item(x, verdict(x)) for x in snaps], operator="t", station="RF"
        )
    assert writes == 1  # one planned batch, no fall-back to one by one
    assert not any(isinstance(r, RefurbError) for r in results)
    tags = sorted(r.tag for r in results if not isinstance(r, RefurbError))
    assert tags == ["RF-FRESH1", "RF-FRESH2", "RF-FRESH3"]
    with store.reading() as s:
        assert len(s.exec(select(Device)).all()) == 4


def test_known_snapshots_draw_no_tags(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    snaps = [laptop(serial=f"K-{i}") for i in range(3)]
    items = [Item(x, verdict(x)) for x in snaps]
    with store.transaction() as s:
        record_snapshots(s, items, operator="t", station="RF")

    def no_tag(station: str) -> str:
        raise AssertionError("a tag was drawn for a machine already recorded")

    monkeypatch.setattr(intake_module, "new_tag", no_tag)
    again = [laptop(serial=f"K-{i}") for i in range(3)]  # the same machines, probed again
    with store.transaction() as s:
        results = record_snapshots(s, items + [Item(x, verdict(x)) for x in again],
                                   operator="t", station="RF")  # fmt: skip
    assert [r.outcome for r in results if not isinstance(r, RefurbError)] == ["known"] * 3 + [
        "updated"
    ] * 3


def test_batch_rows_store_times_as_the_orm_does(store: Store) -> None:
    """The batch writer bypasses the ORM; its times must be the very text (SQLite) or
    type (PostgreSQL) the ORM stores, or keyset paging and time order compare unlike
    values (found: '... +00:00' beside '...' put a device on two pages)."""
    from sqlalchemy import text

    from refurb.store.inventory import add_participant

    with store.transaction() as s:
        record_snapshot(
            s,
            (snap := laptop(serial="FMT-1", uuid_=None)),
            verdict(snap),
            operator="t",
            station="RF",
        )
        add_participant(s, "P-FMT", None)  # written by the ORM
    with store.reading() as s:
        conn = s.connection()
        batch = conn.execute(text("SELECT created_at FROM devices")).scalar_one()
        orm = conn.execute(text("SELECT created_at FROM participants")).scalar_one()
        at = conn.execute(text("SELECT at FROM events LIMIT 1")).scalar_one()
    assert type(batch) is type(orm) is type(at)
    if isinstance(orm, str):
        assert len(batch) == len(orm) == len(at) and "+" not in batch, (batch, orm)


def test_an_import_collects_cycles_less_often_and_gives_the_threshold_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import refurb.store.importer as importer_module

    for i in range(3):
        (tmp_path / f"{i}.json").write_text(json.dumps(laptop(serial=f"GC-{i}").to_dict()))
    (tmp_path / "broken.json").write_text("{")
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    real_batches = importer_module._batches

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())  # while the files are read and written
        yield from real_batches(*args, **kwargs)

    monkeypatch.setattr(importer_module, "_batches", watched)
    rows = import_snapshots(store, [str(tmp_path)], default_policy(), operator="t", station="RF")
    assert sorted(r.outcome for r in rows) == ["new", "new", "new", "refused"]
    assert seen and seen[0][0] >= 100_000 and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before
    monkeypatch.setattr(importer_module, "_batches", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # given back when the import fails too
        import_snapshots(store, [str(tmp_path)], default_policy(), operator="t", station="RF")
    assert gc.get_threshold() == before


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                 st.lists(st.floats(), max_size=3)))  # fmt: skip
def test_a_findings_value_is_written_as_json_writes_it(value: object) -> None:
    from refurb.store.intake import _json_value

    assert _json_value(value) == json.dumps(value)
