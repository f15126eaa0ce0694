"""The lifecycle rulebook as people meet it: through the CLI, at a station and at the hub.

Each test asks for something the rules forbid and checks both halves of a refusal: the
command exits 6 with the reason in words, and nothing was written.
"""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from refurb.model import Disk, Smart
from refurb.record import replace
from tests.store_helpers import disk, laptop
from tests.test_probe_live_and_bad_input import run_cli

KEY = "a program key of some length"
WIPE = [
    "--level",
    "purge",
    "--method",
    "crypto-erase",
    "--tool",
    "nvme-cli",
    "--verify",
    "full read-back",
]

Capsys = pytest.CaptureFixture[str]


class Shop:
    """One station's database, driven through the CLI."""

    def __init__(
        self, path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, station: str = "RF"
    ):
        self.path, self.capsys, self.monkeypatch, self.station = path, capsys, monkeypatch, station
        self.db = str(path)

    def run(self, *args: str) -> tuple[int, str, str]:
        self.monkeypatch.setenv("REFURB_STATION", self.station)
        return run_cli([*args, "--db", self.db], self.capsys)

    def ok(self, *args: str) -> str:
        code, out, err = self.run(*args)
        assert code == 0, (args, out, err)
        return out

    def refused(self, *args: str) -> str:
        """Run a command the rules forbid: exit 6; returns the message."""
        code, out, err = self.run(*args)
        assert code == 6, (args, code, out, err)
        return " ".join(err.split())  # the message may be wrapped over lines

    def put_in(self, name: str = "snap", **machine: Any) -> str:
        """Record a probe of a laptop (``laptop(**machine)``) as a snapshot file import;
        returns the device's tag."""
        path = self.path.parent / f"{self.station}-{name}-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(laptop(**machine).to_dict()))
        report = json.loads(self.ok("import", str(path), "--json"))
        assert report["files"][0]["outcome"] in ("new", "updated"), report
        return report["files"][0]["tag"]

    def show(self, tag: str) -> dict[str, Any]:
        return json.loads(self.ok("show", tag, "--json"))

    def record(self, tag: str) -> tuple[str, list[tuple[Any, ...]]]:
        """What a refusal must leave as it was: the status and every event."""
        doc = self.show(tag)
        return doc["status"], [(e["seq"], e["kind"], e["status"]) for e in doc["events"]]

    def wiped(self, tag: str, result: str = "pass", *more: str) -> None:
        self.ok("wipe", tag, *WIPE, "--result", result, *more)

    def ready(self, tag: str) -> None:
        self.wiped(tag)
        self.ok("status", tag, "ready")

    def issued(self, tag: str, to: str = "P-1") -> None:
        self.ready(tag)
        self.ok("participant", "add", to, "--community", "Arviat")
        self.ok("issue", tag, "--to", to)

    def verified(self) -> None:
        code, out, err = self.run("db", "verify")
        assert code == 0, out + err

    def export(self, out: Path) -> Path:
        self.monkeypatch.setenv("REFURB_PROGRAM_KEY", KEY)
        self.ok("export", "--out", str(out))
        return out

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(statement, params).fetchall()

    def forge_status(self, tag: str, status: str, at: str | None = None) -> None:
        """Write a status event the CLI would refuse, straight into the database, with
        the device's next seq (as a tampered or buggy station would)."""
        (device_id,) = self.sql("SELECT id FROM devices WHERE tag = ?", tag)[0]
        seq, last_at, station = self.sql(
            "SELECT seq, at, station FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
            device_id,
        )[0]
        self.sql(
            "INSERT INTO events (id, device_id, at, kind, status, actor, station, seq, origin)"
            " VALUES (?, ?, ?, 'status', ?, 'forger', ?, ?, ?)",
            str(uuid.uuid4()),
            device_id,
            at or last_at,
            status,
            station,
            seq + 1,
            device_id,
        )
        self.sql("UPDATE devices SET status = ? WHERE id = ?", status, device_id)


@pytest.fixture
def shop(tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> Shop:
    return Shop(tmp_path / "shop.db", capsys, monkeypatch)


def _shop(tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, name: str) -> Shop:
    return Shop(tmp_path / f"{name}.db", capsys, monkeypatch, station=name)


def failing_disk(name: str, serial: str) -> Disk:
    return replace(
        disk(name, serial), smart=Smart(passed=False, reallocated_sectors=0, pending_sectors=0)
    )


# --- 1 --------------------------------------------------------------------------------


def test_a_part_cannot_be_fitted_into_a_ready_or_issued_device(shop: Shop) -> None:
    donor = shop.put_in("donor", serial="DONOR-1", uuid_=None, disks=[disk("sda", "SSD-X")])
    target = shop.put_in("target", serial="TARGET-1", uuid_=None, disks=[disk("sda", "SSD-T")])
    shop.ready(target)
    for expected in ("ready", "issued"):
        if expected == "issued":
            shop.ok("participant", "add", "P-1", "--community", "Arviat")
            shop.ok("issue", target, "--to", "P-1")
        before = shop.record(target), shop.record(donor)
        message = shop.refused(
            "harvest", donor, "--part", "ssd", "--serial", "SSD-X", "--into", target
        )
        assert f"{target} is {expected}" in message and "cannot be fitted" in message
        assert (shop.record(target), shop.record(donor)) == before
        assert shop.show(donor)["drives"][0]["present"] is True
    shop.verified()


# --- 2 --------------------------------------------------------------------------------


def test_a_device_with_no_drive_needs_a_no_storage_attestation(shop: Shop) -> None:
    tag = shop.put_in(disks=[])
    before = shop.record(tag)
    message = shop.refused("status", tag, "ready")
    assert "no drive on record" in message
    assert shop.record(tag) == before
    code, _, err = shop.run("attest", tag, "no-storage")
    assert code == 2 and "--reason" in err  # a reason is required
    assert shop.record(tag) == before
    shop.ok("attest", tag, "no-storage", "--reason", "opened it: no drive bay, no eMMC")
    shop.ok("status", tag, "ready")
    # repair starts a new custody: a new probe, and then a new attestation, are needed
    shop.ok("status", tag, "repairing")
    assert "not been probed" in shop.refused("status", tag, "ready")
    shop.put_in(disks=[])  # the same laptop, probed again
    before = shop.record(tag)
    assert before[0] == "diagnosed"
    assert "no drive on record" in shop.refused("status", tag, "ready")
    assert shop.record(tag) == before
    shop.ok("attest", tag, "no-storage", "--reason", "checked again after the repair")
    shop.ok("status", tag, "ready")
    shop.verified()


def test_no_storage_cannot_be_attested_for_a_device_with_a_drive(shop: Shop) -> None:
    tag = shop.put_in(disks=[disk("sda", "SSD-1")])
    before = shop.record(tag)
    message = shop.refused("attest", tag, "no-storage", "--reason", "none seen")
    assert "has drives on record" in message
    assert shop.record(tag) == before


# --- 3 --------------------------------------------------------------------------------


def test_a_removed_drive_seen_again_by_a_probe_needs_a_new_record(shop: Shop) -> None:
    tag = shop.put_in(disks=[disk("sda", "SSD-BACK")])
    shop.ok("wipe", tag, "--removed", "--destination", "drive shelf")
    assert shop.show(tag)["drives"][0]["present"] is False
    shop.put_in(disks=[disk("sda", "SSD-BACK")])  # someone put the drive back in
    assert shop.show(tag)["drives"][0]["present"] is True
    before = shop.record(tag)
    message = shop.refused("status", tag, "ready")
    assert "lack a passing sanitization record" in message and "SSD-BACK" in message
    assert shop.record(tag) == before
    shop.wiped(tag)
    shop.ok("status", tag, "ready")
    shop.verified()


# --- 4 --------------------------------------------------------------------------------


def test_a_failed_verification_after_a_pass_blocks_ready_and_issue(shop: Shop) -> None:
    tag = shop.put_in(disks=[disk("sda", "SSD-1")])
    shop.ready(tag)
    shop.ok("participant", "add", "P-1", "--community", "Arviat")
    shop.wiped(tag, "fail")  # a later verification of the same drive failed
    assert shop.show(tag)["status"] == "diagnosed"  # so it is ready no longer
    before = shop.record(tag)
    message = shop.refused("status", tag, "ready")
    assert "latest verification failed" in message
    assert shop.record(tag) == before
    assert "cannot become issued" in shop.refused("issue", tag, "--to", "P-1")
    assert shop.record(tag) == before
    shop.verified()  # only allowed commands were run: the database keeps the rulebook
    shop.wiped(tag)
    shop.ok("status", tag, "ready")
    shop.ok("issue", tag, "--to", "P-1")
    shop.verified()


def test_a_drive_change_on_a_ready_device_leaves_a_consistent_record(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Allowed commands never leave a device the rulebook would reject: a ready device
    whose drive then fails a verification, or is taken out, is no longer ready (or the
    command is refused), so verify passes and the hub takes the station's bundle."""
    station = _shop(tmp_path, capsys, monkeypatch, "KU")
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    failed = station.put_in("failed", serial="PF-FAIL", uuid_=None, disks=[disk("sda", "S-F")])
    station.ready(failed)
    station.wiped(failed, "fail")
    removed = station.put_in("removed", serial="PF-RM", uuid_=None, disks=[disk("sda", "S-R")])
    station.ready(removed)
    station.run("wipe", removed, "--removed")
    station.verified()
    hub.ok("import", str(station.export(tmp_path / "honest.refurb")))
    hub.verified()


# --- 5 --------------------------------------------------------------------------------


def test_the_hub_refuses_a_bundle_dated_in_the_future(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _shop(tmp_path, capsys, monkeypatch, "KU")
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    station.put_in(disks=[disk("sda", "SSD-1")])
    station.sql("UPDATE events SET at = '2099-01-01 12:00:00.000000'")
    bundle = station.export(tmp_path / "ahead.refurb")
    message = hub.refused("import", str(bundle))
    assert "dated in the future" in message and "2099-01-01" in message
    assert json.loads(hub.ok("list", "--json")) == []
    hub.verified()


def test_the_hub_refuses_ready_after_a_return_without_a_new_wipe_whatever_the_clock(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _shop(tmp_path, capsys, monkeypatch, "KU")
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    tag = station.put_in(disks=[disk("sda", "SSD-1")])
    station.issued(tag)
    station.ok("return", tag, "--note", "hinge")
    (received_at,) = station.sql(
        "SELECT at FROM events WHERE status = 'received' AND device_id = "
        "(SELECT id FROM devices WHERE tag = ?)",
        tag,
    )[0]
    # dated before everything else: by the clock it came first, by its seq it is last
    station.forge_status(tag, "ready", at=received_at)
    bundle = station.export(tmp_path / "forged.refurb")
    message = hub.refused("import", str(bundle))
    assert tag in message and "cannot become ready" in message
    assert json.loads(hub.ok("list", "--json")) == []
    hub.verified()


# --- 7 --------------------------------------------------------------------------------


def test_statuses_with_their_own_step_cannot_be_set_by_hand(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = shop.put_in(disks=[disk("sda", "SSD-1")])
    before = shop.record(tag)
    assert "own step (issue)" in shop.refused("status", tag, "issued")
    assert "own step (wipe)" in shop.refused("status", tag, "wiped")
    assert shop.record(tag) == before
    code, _, err = shop.run("scan", "--set", "issued")
    assert code == 2 and "issued" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"set issued\n{tag}\nset wiped\n{tag}\nquit\n"))
    out = shop.ok("scan")
    lines = out.splitlines()
    assert "'issued' cannot be armed" in lines[0]
    assert lines[1].startswith(tag) and "->" not in lines[1]
    assert "'wiped' cannot be armed" in lines[2]
    assert "->" not in lines[3]
    assert shop.record(tag) == before


# --- 8 --------------------------------------------------------------------------------


def test_a_failing_drive_blocks_ready_until_a_lead_accepts_it(shop: Shop) -> None:
    tag = shop.put_in(disks=[failing_disk("sda", "SSD-SICK")])
    shop.wiped(tag)  # a failing drive can still be wiped
    before = shop.record(tag)
    assert before[0] == "wiped"
    message = shop.refused("status", tag, "ready")
    assert "failing drive" in message and "SSD-SICK" in message
    assert shop.record(tag) == before
    shop.ok("attest", tag, "drive-accepted", "--reason", "SMART flag only; 40 h burn-in clean")
    shop.ok("status", tag, "ready")
    shop.verified()


def test_drive_accepted_needs_a_failing_drive(shop: Shop) -> None:
    tag = shop.put_in(disks=[disk("sda", "SSD-1")])
    before = shop.record(tag)
    assert "no failing drive" in shop.refused("attest", tag, "drive-accepted", "--reason", "ok")
    assert shop.record(tag) == before


# --- 9 --------------------------------------------------------------------------------


def test_harvest_only_known_parts_and_never_from_a_recycled_device(shop: Shop) -> None:
    tag = shop.put_in(disks=[])
    before = shop.record(tag)
    message = shop.refused("harvest", tag, "--part", "ssd", "--serial", "SSD-HIDDEN")
    assert "no ssd on record" in message
    assert shop.record(tag) == before
    shop.ok(
        "harvest",
        tag,
        "--part",
        "ssd",
        "--serial",
        "SSD-HIDDEN",
        "--missed-by-probe",
        "M.2 drive the probe did not list",
    )
    assert shop.show(tag)["status"] == "harvested"
    other = shop.put_in("other", serial="OTHER-1", uuid_=None, disks=[disk("sda", "SSD-2")])
    shop.ok("recycle", other, "--note", "to the recycler")
    before = shop.record(other)
    message = shop.refused("harvest", other, "--part", "ram", "--description", "8 GB DDR4")
    assert f"{other} is recycled" in message and "parts cannot come out" in message
    assert shop.record(other) == before
    shop.verified()


# --- 10 -------------------------------------------------------------------------------


def test_the_hub_refuses_a_lot_code_two_shops_gave_to_different_donors(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    bundles = []
    for name, donor, serial in (
        ("KU", "Northern Store", "PF-KU"),
        ("AR", "Hamlet Council", "PF-AR"),
    ):
        station = _shop(tmp_path, capsys, monkeypatch, name)
        station.ok("lot", "add", "L-2026-1", "--donor", donor, "--date", "2026-11-02")
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(laptop(serial=serial, uuid_=None).to_dict()))
        station.ok("import", str(path), "--lot", "L-2026-1")
        bundles.append(station.export(tmp_path / f"{name}.refurb"))
    hub.ok("import", str(bundles[0]))
    before = json.loads(hub.ok("list", "--json"))
    assert len(before) == 1
    message = hub.refused("import", str(bundles[1]))
    assert "L-2026-1" in message
    assert "Northern Store" in message and "Hamlet Council" in message
    assert json.loads(hub.ok("list", "--json")) == before
    lots = json.loads(hub.ok("lot", "list", "--json"))
    assert [lot["donor"] for lot in lots] == ["Northern Store"]
    hub.verified()


# --- 11 -------------------------------------------------------------------------------


def test_a_forged_ready_on_an_unwiped_device_is_caught_at_the_hub_and_by_verify(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _shop(tmp_path, capsys, monkeypatch, "KU")
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    tag = station.put_in(disks=[disk("sda", "SSD-DIRTY")])
    station.forge_status(tag, "ready")
    bundle = station.export(tmp_path / "forged.refurb")
    message = hub.refused("import", str(bundle))
    assert tag in message and "lack a passing sanitization record" in message
    assert f"refurb wipe {bundle}" not in message  # the hint names no bundle as a tag
    assert json.loads(hub.ok("list", "--json")) == []
    hub.verified()
    code, out, _ = station.run("db", "verify")
    assert code == 1
    assert "rulebook [unsanitized]" in out and tag in out and "SSD-DIRTY" in out


def test_a_forged_issue_is_caught_at_the_hub(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = _shop(tmp_path, capsys, monkeypatch, "KU")
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    tag = station.put_in(disks=[disk("sda", "SSD-DIRTY")])
    station.forge_status(tag, "issued")
    bundle = station.export(tmp_path / "forged.refurb")
    message = hub.refused("import", str(bundle))
    assert tag in message
    assert json.loads(hub.ok("list", "--json")) == []
    code, out, _ = station.run("db", "verify", "--json")
    assert code == 1
    assert {v["tag"] for v in json.loads(out)["rulebook"]} == {tag}


# --- 12 -------------------------------------------------------------------------------


def test_the_tag_printed_at_the_second_shop_still_resolves_at_the_hub(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = _shop(tmp_path, capsys, monkeypatch, "HUB")
    tags, bundles = [], []
    for name in ("KU", "AR"):
        station = _shop(tmp_path, capsys, monkeypatch, name)
        tags.append(station.put_in(disks=[disk("sda", "SSD-SAME")]))  # the same laptop
        bundles.append(station.export(tmp_path / f"{name}.refurb"))
    first, second = tags
    assert first != second and first.startswith("KU-") and second.startswith("AR-")
    for b in bundles:
        hub.ok("import", str(b))
    devices = json.loads(hub.ok("list", "--json"))
    assert [d["tag"] for d in devices] == [first]
    shown = hub.show(second)
    assert shown["tag"] == first and second in shown["aliases"]
    assert shown == hub.show(second.lower())
    assert [r["tag"] for r in json.loads(hub.ok("search", second, "--json"))] == [first]
    pdf = tmp_path / "labels" / "second.pdf"
    pdf.parent.mkdir()
    hub.ok("label", second, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    hub.verified()


def test_an_issued_device_is_not_probed_until_it_is_returned(shop: Shop) -> None:
    """Found by the state machine: a probe of an issued laptop that saw a new drive put
    an unsanitized drive on an issued device's record. The probe is refused until the
    return is recorded; then the new drive needs a record like any other."""
    tag = shop.put_in(serial="PF-OUT", uuid_=None, disks=[disk("sda", "SSD-A")])
    shop.issued(tag)
    before = shop.record(tag)
    snap = shop.path.parent / "again.json"
    snap.write_text(
        json.dumps(
            laptop(
                serial="PF-OUT", uuid_=None, disks=[disk("sda", "SSD-A"), disk("sdb", "NEW")]
            ).to_dict()
        )
    )
    message = shop.refused("intake", str(snap))
    assert "issued to a participant" in message and "return" in message
    code, out, err = shop.run("import", str(snap), "--json")
    assert code != 0 and json.loads(out)["files"][0]["outcome"] == "refused", (out, err)
    assert shop.record(tag) == before
    assert [d["serial"] for d in shop.show(tag)["drives"]] == ["SSD-A"]
    shop.verified()
    shop.ok("return", tag)
    shop.ok("intake", str(snap))
    assert "NEW" in shop.refused("status", tag, "ready")
    shop.ready(tag)
    shop.verified()
