"""Every recorded capture replayed through the real parsers, against its expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refurb.model import Snapshot
from refurb.probe import collect
from refurb.probe.source import CaptureSource
from tests.conftest import SHARED_CAPTURES, capture_dirs

CAPTURES = capture_dirs()


def test_the_shared_set_is_tested_when_present() -> None:
    names = {p.name for p in CAPTURES}
    if not SHARED_CAPTURES.is_dir():
        pytest.skip("../shared is not beside this checkout (set REFURB_SHARED)")
    shared = {p.name for p in SHARED_CAPTURES.iterdir() if (p / "meta.json").exists()}
    assert len(shared) >= 15
    assert shared <= names


def replay(path: Path) -> Snapshot:
    return collect(CaptureSource(path))


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_capture_matches_expected(capture: Path) -> None:
    expected_file = capture / "expected.json"
    if not expected_file.exists():
        pytest.skip(f"{capture.name} has no expected.json")
    expected = json.loads(expected_file.read_text())
    snap = replay(capture)
    # The snapshot document must survive JSON as-is.
    assert json.loads(json.dumps(snap.to_dict()))["disks"] == snap.to_dict()["disks"]
    if "battery" in expected:
        assert [b.name for b in snap.batteries] == [b["name"] for b in expected["battery"]]
        for bat, exp in zip(snap.batteries, expected["battery"], strict=True):
            unit = {"Wh": "mWh", "mAh": "mAh", None: None}[exp["unit"]]
            scale = 1000 if exp["unit"] == "Wh" else 1
            assert bat.capacity_unit == unit
            for ours, theirs in (
                (bat.design_capacity, exp["design_wh_or_mah"]),
                (bat.full_capacity, exp["full_wh_or_mah"]),
            ):
                assert (ours is None) == (theirs is None)
                if ours is not None:
                    assert ours == pytest.approx(theirs * scale)
            assert bat.health_pct == exp["health_pct"]
            assert bat.cycle_count == exp["cycle_count"]
            for field in ("manufacturer", "model", "serial", "technology"):
                assert getattr(bat, field) == exp[field], field
            if "design_cycle_count" in exp:
                assert bat.design_cycle_count == exp["design_cycle_count"]
    if "disks" in expected:
        by_name = {d.name: d for d in snap.disks}
        for exp in expected["disks"]:
            disk = by_name[exp["dev"]]
            s = disk.smart
            assert s is not None
            assert disk.model == exp["model"]
            assert disk.serial == exp["serial"]
            assert disk.size_bytes == exp["capacity_bytes"]
            assert disk.protocol == exp["protocol"]
            assert s.passed is exp["smart_passed"]
            assert s.exit_status == exp["exit_status"]
            assert s.power_on_hours == exp["power_on_hours"]
            assert s.reallocated_sectors == exp["reallocated_sectors"]
            assert s.pending_sectors == exp["pending_sectors"]
            assert s.offline_uncorrectable == exp["offline_uncorrectable"]
            assert s.command_timeouts == exp["command_timeouts"]
            assert s.critical_warning == exp["nvme_critical_warning"]
            assert s.available_spare_pct == exp["nvme_available_spare"]
            assert s.available_spare_threshold_pct == exp["nvme_available_spare_threshold"]
            assert s.percentage_used == exp["nvme_percentage_used"]
            assert s.media_errors == exp["media_errors"]
            assert s.self_test_errors == exp["self_test_errors"]
            assert disk.kind == ("nvme" if exp["protocol"] == "NVMe" else disk.kind)
    if "identity" in expected:
        for field, value in expected["identity"].items():
            assert getattr(snap.identity, field) == value, field


def test_exit_status_bits_are_decoded() -> None:
    capture = next(p for p in CAPTURES if p.name == "linux-hdd-hgst-7k4000-errorlog-exit64")
    s = replay(capture).disks[0].smart
    assert s is not None
    assert s.exit_status_bits == ["bit 6: the device error log contains errors"]
    assert s.error_log_count == 12


def test_failing_nvme_keeps_every_signal() -> None:
    capture = next(p for p in CAPTURES if p.name == "linux-nvme-samsung-pm1725a-smart-failed")
    s = replay(capture).disks[0].smart
    assert s is not None
    assert s.passed is False
    assert s.critical_warning == 16
    assert any(b.startswith("bit 3") for b in s.exit_status_bits)


def test_blank_battery_values_become_unknown_with_gaps(tmp_path: Path) -> None:
    capture = next((p for p in CAPTURES if p.name == "linux-battery-empty-values"), None)
    if capture is None:
        pytest.skip("linux-battery-empty-values is in ../shared only (AGPL)")
    snap = replay(capture)
    gaps = {(g.part, g.field) for g in snap.gaps}
    assert ("battery BAT0", "design_capacity") in gaps
    assert ("battery BAT0", "full_capacity") in gaps
    assert snap.batteries[0].health_pct is None


def test_laptop_capture_reads_every_part() -> None:
    snap = replay(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")
    assert snap.cpu.x86_64_level == 3 and snap.cpu.cores == 4 and snap.cpu.threads == 8
    assert snap.cpu.max_mhz == 3400.0
    assert "windows-11-isa" in snap.cpu.can_run
    assert snap.memory.total_bytes == 7975352 * 1024
    assert [(m.size_bytes, m.type, m.speed_mts) for m in snap.memory.modules] == [
        (8 << 30, "DDR4", 2400)
    ]
    assert [d.name for d in snap.disks] == ["nvme0n1"]  # loop0 and the empty sda are skipped
    assert snap.disks[0].smart is not None
    assert snap.disks[0].smart.self_test == "Completed without error"
    assert snap.disks[0].smart.self_test_passed is True
    # the wireless mouse's battery (scope Device) is not the laptop's
    assert [b.name for b in snap.batteries] == ["BAT0"]
    assert snap.batteries[0].cycle_count == 612
    assert snap.gaps == []


def test_placeholder_firmware_strings_are_gaps_not_identity() -> None:
    snap = replay(Path(__file__).parent / "captures" / "own-linux-whitebox-placeholders-handmade")
    assert snap.identity.serial is None and snap.identity.uuid is None
    assert snap.cpu.is_64bit is False and snap.cpu.can_run == []
    assert snap.cpu.max_mhz == 3000.0
    reasons = {(g.part, g.field): g.reason for g in snap.gaps}
    assert reasons[("identity", "serial")] == "unreadable value"
    assert reasons[("identity", "vendor")] == "unreadable value"  # not UTF-8
    assert reasons[("disk sda", "smart")] == "tool missing"  # smartctl 6 has no JSON


def test_raw_evidence_is_kept_unchanged() -> None:
    capture = Path(__file__).parent / "captures" / "linux-hdd-seagate-exos-x16-packed-188"
    snap = replay(capture)
    original = (capture / "commands" / "smartctl-sda.json").read_text()
    assert snap.raw["commands"]["smartctl-sda.json"] == original
