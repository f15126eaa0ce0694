"""Shops export signed bundles; a hub merges them exactly once, in any order."""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from refurb.app.lifecycle import issue_in, move_in, recycle_in, return_in
from refurb.errors import BadInput
from refurb.reports.periods import resolve_period
from refurb.store import tallies
from refurb.store.bundles import export_bundle, read_bundle
from refurb.store.db import Store, open_store
from refurb.store.intake import record_snapshot
from refurb.store.inventory import add_participant
from refurb.store.reporting import tally
from tests.store_helpers import hub_import, laptop, purge, verdict
from tests.test_probe_live_and_bad_input import run_cli

KEY = b"a program key of some length"
T = SQLModel.metadata.tables


def counts(store: Store) -> dict[str, int]:
    with store.reading() as s:
        return {
            n: s.execute(select(func.count()).select_from(T[n])).scalar_one()
            for n in (
                "devices",
                "snapshots",
                "events",
                "assessments",
                "findings",
                "drives",
                "sanitizations",
                "participants",
            )
        }


def totals(store: Store) -> dict[str, float]:
    with store.reading() as s:
        r = tally(
            s,
            resolve_period(since=datetime(2020, 1, 1).date(), until=datetime(2030, 1, 1).date()),
            weights={"laptop": 2.0, "other": 2.0},
            emissions={"kg_co2e_per_reuse": 225.0, "source": "test"},
        )
    return r.totals


def shop_work(
    store: Store, station: str, rnd: random.Random, shared_serial: str, cuts: list[datetime]
) -> None:
    """A few devices with histories; one of them is the laptop every shop also sees."""
    with store.transaction() as s:
        add_participant(s, f"{station}-P1", None)
        add_participant(s, f"{station}-P2", "elsewhere")
    serials = [shared_serial] + [f"{station}-{i}" for i in range(rnd.randint(2, 4))]
    for serial in serials:
        snap = laptop(serial=serial, uuid_=None, board_serial=None)
        with store.transaction() as s:
            tag = record_snapshot(
                s, snap, verdict(snap), operator=f"{station}-t", station=station
            ).tag
        cuts.append(datetime.now(UTC))
        if rnd.random() < 0.6:
            with store.transaction() as s:
                purge(s, tag, station=station)
                move_in(s, tag, "ready", actor="t", note=None, station=None)
                if rnd.random() < 0.7:
                    issue_in(s, tag, f"{station}-P1", actor="t", note=None, station=station)
                    if rnd.random() < 0.5:  # back, probed again, and out to someone else
                        return_in(s, tag, actor="t", note=None, station=station)
                        again = laptop(serial=serial, uuid_=None, board_serial=None)
                        record_snapshot(s, again, verdict(again), operator="t", station=station)
                        purge(s, tag, station=station)
                        move_in(s, tag, "ready", actor="t", note=None, station=None)
                        issue_in(s, tag, f"{station}-P2", actor="t", note=None, station=station)
            cuts.append(datetime.now(UTC))
        elif rnd.random() < 0.5:
            with store.transaction() as s:
                recycle_in(s, tag, actor="t", note=None, station=station)
            cuts.append(datetime.now(UTC))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 11, 23, 42])
def test_shops_merge_at_the_hub_in_any_order_exactly_once(
    db_url: str, tmp_path: Path, seed: int
) -> None:
    rnd = random.Random(seed)
    cuts: list[datetime] = []
    shops = {}
    for station in ("IQ", "KU", "AR"):
        shops[station] = open_store(str(tmp_path / f"{station}.db"))
        shop_work(shops[station], station, rnd, "SHARED-LAPTOP-1", cuts)
    full = {}
    slices = []
    for station, store in shops.items():
        with store.reading() as s:
            full[station] = export_bundle(s, KEY, station)[0]
            for cut in rnd.sample(cuts, 3):  # overlapping partial bundles
                slices.append(export_bundle(s, KEY, station, since=cut)[0])
    reference = open_store(str(tmp_path / "reference.db"))
    assert hub_import(reference, [full[station] for station in ("IQ", "KU", "AR")], KEY) == 0
    hub = open_store(db_url)
    everything = slices + list(full.values())
    rnd.shuffle(everything)
    # and a few imported twice; a slice that arrives before its device's earlier events
    # is refused (nothing written) and imported again once they are here
    hub_import(hub, everything + everything[:3], KEY)
    assert counts(hub) == counts(reference)
    assert totals(hub) == totals(reference)
    with hub.reading() as s, reference.reading() as r:
        tags = select(T["devices"].c.tag, T["devices"].c.status).order_by(T["devices"].c.tag)
        assert s.execute(tags).all() == r.execute(tags).all()  # same survivors, same statuses
    device_total = sum(counts(store)["devices"] for store in shops.values())
    assert counts(hub)["devices"] == device_total - 2  # the shared laptop is one device
    with hub.reading() as s:
        from refurb.store.inventory import status_mismatches

        assert status_mismatches(s) == []
    # The report tallies each store kept as it went equal tallies rebuilt from its events.
    for store in (*shops.values(), reference, hub):
        with store.reading() as s:
            assert tallies.differences(s.connection()) == []
    for store in (*shops.values(), reference, hub):
        store.dispose()


def _bundle(tmp_path: Path) -> bytes:
    store = open_store(str(tmp_path / "shop.db"))
    snap = laptop()
    with store.transaction() as s:
        record_snapshot(s, snap, verdict(snap), operator="t", station="IQ")
    with store.reading() as s:
        data = export_bundle(s, KEY, "IQ")[0]
    store.dispose()
    return data


def _rewrite(data: bytes, change: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            z.writestr(name, change.get(name, src.read(name)))
    return out.getvalue()


def test_damaged_tampered_foreign_and_future_bundles_are_refused(tmp_path: Path) -> None:
    import hashlib
    import hmac

    data = _bundle(tmp_path)
    assert read_bundle(data, KEY, "ok")["devices"]
    events = zipfile.ZipFile(io.BytesIO(data)).read("events.jsonl")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    manifest["format"] = "refurb-bundle/3"
    future = json.dumps(manifest).encode()
    cases = {
        "truncated": (data[: len(data) // 2], "damaged or truncated"),
        "garbage": (b"PK\x03\x04" + b"\x00" * 100, "damaged or truncated"),
        "tampered": (
            _rewrite(data, {"events.jsonl": events.replace(b'"t"', b'"x"')}),
            "does not match its checksum",
        ),
        "wrong key": (data, "signature does not match"),
        "future": (
            _rewrite(
                data,
                {
                    "manifest.json": future,
                    "manifest.sig": hmac.new(KEY, future, hashlib.sha256).hexdigest().encode(),
                },
            ),
            "refurb-bundle/3",
        ),
    }
    for name, (blob, message) in cases.items():
        key = b"another key entirely, not ours" if name == "wrong key" else KEY
        with pytest.raises(BadInput) as exc:
            read_bundle(blob, key, name)
        assert message in str(exc.value), name


def test_export_and_import_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = str(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")
    shop, hub = str(tmp_path / "shop.db"), str(tmp_path / "hub.db")
    assert run_cli(["intake", "--replay", capture, "--db", shop], capsys)[0] == 0
    code, _, err = run_cli(["export", "--out", str(tmp_path / "b.refurb"), "--db", shop], capsys)
    assert code == 3 and "program key" in err
    monkeypatch.setenv("REFURB_PROGRAM_KEY", KEY.decode())
    assert run_cli(["export", "--out", str(tmp_path / "b.refurb"), "--db", shop], capsys)[0] == 0
    for _ in range(2):
        code, out, _ = run_cli(
            ["import", str(tmp_path / "b.refurb"), "--db", hub, "--json"], capsys
        )
        assert code == 0
    assert json.loads(out)["bundles"][str(tmp_path / "b.refurb")]["devices"] == 0  # twice: no-op
    assert len(json.loads(run_cli(["list", "--db", hub, "--json"], capsys)[1])) == 1
    bad = tmp_path / "bad.refurb"
    bad.write_bytes((tmp_path / "b.refurb").read_bytes()[:300])
    code, _, err = run_cli(["import", str(bad), "--db", hub], capsys)
    assert code == 3 and "damaged" in err


@pytest.mark.slow
def test_several_hub_processes_import_at_once(db_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    rnd = random.Random(5)
    cuts: list[datetime] = []
    paths = []
    reference = open_store(str(tmp_path / "reference.db"))
    for station in ("IQ", "KU", "AR"):
        store = open_store(str(tmp_path / f"{station}.db"))
        shop_work(store, station, rnd, "SHARED-LAPTOP-2", cuts)
        with store.reading() as s:
            data = export_bundle(s, KEY, station)[0]
        store.dispose()
        path = tmp_path / f"{station}.refurb"
        path.write_bytes(data)
        paths.append(str(path))
        hub_import(reference, [data], KEY)
    open_store(db_url).dispose()  # the hub's schema exists before the stations call in
    env = {**os.environ, "REFURB_PROGRAM_KEY": KEY.decode()}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "refurb", "import", *order, "--db", db_url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in (paths, paths[::-1], [paths[1], paths[2], paths[0]])
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    hub = open_store(db_url)
    assert counts(hub) == counts(reference)
    assert totals(hub) == totals(reference)
    with hub.reading() as s:  # three writers at once, and the tallies still add up
        assert tallies.differences(s.connection()) == []
    hub.dispose()
    reference.dispose()


def test_codes_drives_and_statuses_merge_as_one_row_at_a_time_would(
    db_url: str, tmp_path: Path
) -> None:
    """The merge reads lots, participants and drives in batches and writes the devices'
    statuses together: the rows it stores are the ones matching each row in turn gives
    (one participant per code, one drive per laptop and serial, every reference moved
    onto the survivor, each status from its device's own history)."""
    from refurb.store.inventory import status_mismatches

    bundles = []
    for station in ("IQ", "KU"):
        store = open_store(str(tmp_path / f"{station}.db"))
        with store.transaction() as s:
            add_participant(s, "P-SHARED", None)
        for serial in ("SHARED-LAPTOP-3", f"{station}-OWN"):
            snap = laptop(serial=serial, uuid_=None, board_serial=None)
            with store.transaction() as s:
                tag = record_snapshot(s, snap, verdict(snap), operator="t", station=station).tag
                purge(s, tag, station=station)
                move_in(s, tag, "ready", actor="t", note=None, station=None)
                issue_in(s, tag, "P-SHARED", actor="t", note=None, station=station)
            if station == "KU" and serial == "SHARED-LAPTOP-3":
                with store.transaction() as s:
                    return_in(s, tag, actor="t", note=None, station=station)
        with store.reading() as s:
            bundles.append(export_bundle(s, KEY, station)[0])
        store.dispose()
    hub = open_store(db_url)
    hub_import(hub, bundles, KEY)
    d, dr, e, p = T["devices"], T["drives"], T["events"], T["participants"]
    sa = T["sanitizations"]
    with hub.reading() as s:
        people = s.execute(select(p.c.id, p.c.code)).all()
        assert [code for _, code in people] == ["P-SHARED"]  # matched by its code
        named = set(s.execute(select(e.c.participant_id)).scalars()) - {None}
        assert named == {people[0].id}  # both shops' issues, onto the hub's participant
        devices = dict(s.execute(select(d.c.id, d.c.serial)).all())
        assert sorted(devices.values()) == ["IQ-OWN", "KU-OWN", "SHARED-LAPTOP-3"]
        drives = s.execute(select(dr.c.id, dr.c.device_id, dr.c.serial)).all()
        assert len({(r.device_id, r.serial) for r in drives}) == len(drives)  # no twin
        assert {r.device_id for r in drives} == set(devices)
        drive_device = {r.id: r.device_id for r in drives}
        for drive_id, device_id in s.execute(select(sa.c.drive_id, sa.c.device_id)):
            assert drive_device[drive_id] == device_id  # moved onto the surviving drive
        for data, device_id in s.execute(select(e.c.data, e.c.device_id)):
            doc = json.loads(data) if data else {}
            for drive_id in [doc.get("drive"), *doc.get("seen", []), *doc.get("failing", [])]:
                assert drive_id is None or drive_device[drive_id] == device_id
        shared = s.execute(select(d.c.status).where(d.c.serial == "SHARED-LAPTOP-3")).scalar()
        assert shared == "returned"  # KU's return, after IQ's issue
        assert status_mismatches(s) == []
    again = [hub_import(hub, [b], KEY) for b in bundles]  # nothing new, nothing changed
    assert again == [0, 0]
    with hub.reading() as s:
        assert len(s.execute(select(dr.c.id)).all()) == len(drives)
    hub.dispose()
