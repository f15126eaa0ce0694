"""Assessment rules: every real capture gets its verdict, and the policy's edges hold.
The rules are pure: these tests build snapshots in memory, no database, no IO."""

from __future__ import annotations

from pathlib import Path

import pytest

from refurb.assess import Checklist, default_policy, evaluate
from refurb.assess.checklist import ITEMS
from refurb.assess.policy import DEFAULT_POLICY, parse_policy
from refurb.errors import BadInput
from refurb.model import Battery, Cpu, Disk, Identity, Memory, OsInfo, Smart, Snapshot
from refurb.probe import collect
from refurb.probe.source import CaptureSource
from refurb.record import replace
from tests.conftest import capture_dirs

POLICY = default_policy()
GIB = 1 << 30

# capture -> (disposition, {check: status} that must appear, repairs as (part, action))
EXPECTED: dict[str, tuple[str, dict[str, str], set[tuple[str, str]]]] = {
    "linux-battery-acer-iconia-w500-43pct": (
        "repair",
        {"battery.health": "fail", "battery.cycles": "unknown"},
        {("battery", "replace"), ("disk", "add")},
    ),
    "linux-battery-asus-e200ha-batc-82pct": (
        "repair",
        {"battery.health": "pass", "battery.cycles": "pass"},
        {("disk", "add")},
    ),
    "linux-battery-asus-eeepc-1001pxd-86pct": (
        "repair",
        {"battery.health": "pass"},
        {("disk", "add")},
    ),
    "linux-battery-dell-latitude-e5530-36pct": (
        "repair",
        {"battery.health": "fail"},
        {("battery", "replace"), ("disk", "add")},
    ),
    "linux-battery-empty-values": (
        "repair",
        {"battery.health": "unknown"},
        {("battery", "check"), ("disk", "add")},
    ),
    "linux-hdd-hgst-7k4000-errorlog-exit64": (
        "refurbish",
        {
            "disk.smart_status": "pass",
            "disk.smartctl_exit": "warn",
            "disk.command_timeouts": "unknown",
        },
        set(),
    ),
    "linux-hdd-seagate-exos-x16-packed-188": (
        "refurbish",
        {"disk.command_timeouts": "warn", "disk.reallocated": "pass"},
        set(),
    ),
    "linux-hdd-seagate-st10000nm0016-packed-poh": (
        "refurbish",
        {"disk.smart_status": "pass", "disk.command_timeouts": "pass"},
        set(),
    ),
    "linux-hdd-seagate-st3500418as-realloc304": (
        "repair",
        {"disk.smart_status": "pass", "disk.reallocated": "fail"},
        {("disk", "replace")},
    ),
    "linux-nvme-crucial-p2-healthy": ("refurbish", {"disk.smart_status": "pass"}, set()),
    "linux-nvme-samsung-970evoplus-healthy": ("refurbish", {"disk.smart_status": "pass"}, set()),
    "linux-nvme-samsung-pm1725a-smart-failed": (
        "repair",
        {"disk.smart_status": "fail", "disk.nvme_critical_warning": "fail"},
        {("disk", "replace")},
    ),
    "linux-nvme-samsung-pm9a1-16pct-used": ("refurbish", {"disk.smart_status": "pass"}, set()),
    "linux-ssd-kingston-sa400-exit4": (
        "refurbish",
        {"disk.smartctl_exit": "warn", "disk.reallocated": "unknown"},
        set(),
    ),
    "linux-ssd-micron-5300-cmd-timeout-33": (
        "refurbish",
        {"disk.command_timeouts": "warn", "disk.pending": "pass"},
        set(),
    ),
    "own-linux-lenovo-t480-handmade": (
        "refurbish",
        {
            "battery.health": "warn",
            "disk.self_test": "pass",
            "cpu.os_support": "pass",
            "memory.total": "pass",
        },
        set(),
    ),
    "own-linux-vm-epyc-2core": (
        "repair",
        {"disk.smart_status": "unknown", "battery.present": "unknown"},
        {("disk", "check")},
    ),
    "own-linux-whitebox-placeholders-handmade": (
        "recycle",
        {"cpu.os_support": "fail", "memory.total": "fail"},
        {("memory", "add"), ("disk", "check")},
    ),
    "own-macos-macbookpro-ioreg-handmade": (
        "repair",
        {"battery.health": "pass", "disk.present": "fail"},
        {("disk", "add")},
    ),
    "own-windows-dell-latitude-batteryreport-handmade": (
        "repair",
        {"battery.health": "warn", "disk.smart_status": "unknown"},
        {("disk", "check")},
    ),
}


def test_every_capture_has_an_expected_verdict() -> None:
    assert {p.name for p in capture_dirs()} <= set(EXPECTED)


@pytest.mark.parametrize("capture", capture_dirs(), ids=lambda p: p.name)
def test_capture_verdict(capture: Path) -> None:
    disposition, statuses, repairs = EXPECTED[capture.name]
    result = evaluate(collect(CaptureSource(capture)), None, POLICY)
    assert result.disposition == disposition
    seen = {f.check: f.status for f in result.findings}
    for check, status in statuses.items():
        assert seen.get(check) == status, (check, result.to_dict()["findings"])
    assert {(r.part, r.action) for r in result.repairs} == repairs
    for f in result.findings:
        # a whole sentence, every placeholder filled in
        assert f.reason.endswith((".", ")")) and "{" not in f.reason
    assert result.policy == {"name": "refurb-default", "version": POLICY.version}


def laptop(**changes: object) -> Snapshot:
    """A healthy laptop; tests change one thing at a time."""
    snap = Snapshot(
        snapshot_id="s1",
        taken_at="2026-11-23T00:00:00Z",
        tool_version="t",
        os=OsInfo("linux"),
        identity=Identity(vendor="LENOVO", model="ThinkPad T480", chassis="laptop"),
        cpu=Cpu(is_64bit=True, x86_64_level=3, can_run=["linux-64", "windows-10-64"]),
        memory=Memory(total_bytes=8 * GIB),
        disks=[
            Disk(
                "nvme0n1",
                kind="nvme",
                protocol="NVMe",
                smart=Smart(
                    passed=True,
                    critical_warning=0,
                    available_spare_pct=100,
                    available_spare_threshold_pct=10,
                    percentage_used=3,
                    media_errors=0,
                    exit_status=0,
                ),
            )
        ],
        batteries=[
            Battery(
                "BAT0",
                design_capacity=50000,
                full_capacity=45000,
                capacity_unit="mWh",
                health_pct=90.0,
                cycle_count=100,
            )
        ],
    )
    for key, value in changes.items():
        setattr(snap, key, value)
    return snap


ALL_PASS = Checklist(answers={i.key: "pass" for i in ITEMS}, cosmetic="C5")


def statuses(snap: Snapshot, checklist: Checklist | None = ALL_PASS) -> dict[str, str]:
    return {f.check: f.status for f in evaluate(snap, checklist, POLICY).findings}


def test_healthy_laptop_with_checklist_is_refurbish_f4() -> None:
    result = evaluate(laptop(), ALL_PASS, POLICY)
    assert result.disposition == "refurbish"
    assert result.repairs == []
    assert result.grade == {"functional": "F4", "cosmetic": "C5"}


@pytest.mark.parametrize(
    "health, status",
    [
        (80.0, "pass"),
        (79.9, "warn"),
        (60.0, "warn"),
        (59.9, "fail"),
        (30.0, "fail"),
        (100.0, "pass"),
        (100.1, "unknown"),
        (None, "unknown"),
    ],
)
def test_battery_health_thresholds(health: float | None, status: str) -> None:
    bat = Battery("BAT0", health_pct=health, cycle_count=10)
    assert statuses(laptop(batteries=[bat]))["battery.health"] == status


def test_failed_battery_reason_says_it_failed() -> None:
    bat = Battery("BAT0", health_pct=30.0, cycle_count=10)
    result = evaluate(laptop(batteries=[bat]), ALL_PASS, POLICY)
    assert "has failed" in next(f.reason for f in result.findings if f.check == "battery.health")
    assert result.disposition == "repair"


@pytest.mark.parametrize(
    "cycles, status",
    [(799, "pass"), (800, "warn"), (999, "warn"), (1000, "fail"), (None, "unknown")],
)
def test_cycle_thresholds(cycles: int | None, status: str) -> None:
    bat = Battery("BAT0", health_pct=90.0, cycle_count=cycles)
    assert statuses(laptop(batteries=[bat]))["battery.cycles"] == status


def test_two_batteries_are_judged_separately() -> None:
    good = Battery("BAT0", health_pct=90.0, cycle_count=10)
    bad = Battery("BAT1", health_pct=40.0, cycle_count=10)
    result = evaluate(laptop(batteries=[good, bad]), ALL_PASS, POLICY)
    parts = {(f.part, f.status) for f in result.findings if f.check == "battery.health"}
    assert parts == {("battery BAT0", "pass"), ("battery BAT1", "fail")}
    assert [(r.part, r.action) for r in result.repairs] == [("battery", "replace")]
    assert "BAT1" in result.repairs[0].reason


def test_laptop_without_battery_needs_one_but_a_desktop_does_not() -> None:
    assert statuses(laptop(batteries=[]))["battery.present"] == "fail"
    desktop = laptop(batteries=[], identity=Identity(chassis="desktop"))
    assert "battery.present" not in statuses(desktop)
    assert evaluate(desktop, ALL_PASS, POLICY).disposition == "refurbish"


def test_no_disk_at_all_means_add_one() -> None:
    result = evaluate(laptop(disks=[]), ALL_PASS, POLICY)
    assert [(r.part, r.action) for r in result.repairs] == [("disk", "add")]


def test_usb_stick_is_not_the_machines_disk() -> None:
    stick = Disk("sdb", kind="usb")
    result = evaluate(laptop(disks=[stick]), ALL_PASS, POLICY)
    assert {f.check: f.status for f in result.findings}["disk.present"] == "fail"


def test_unreadable_smart_never_looks_healthy() -> None:
    disk = Disk("sda", kind="ssd", protocol="ATA", smart=None)
    result = evaluate(laptop(disks=[disk]), ALL_PASS, POLICY)
    finding = next(f for f in result.findings if f.check == "disk.smart_status")
    assert finding.status == "unknown"
    assert result.disposition == "repair"
    assert ("disk", "check") in {(r.part, r.action) for r in result.repairs}


@pytest.mark.parametrize(
    "field, value, check, status",
    [
        ("reallocated_sectors", 10, "disk.reallocated", "warn"),
        ("reallocated_sectors", 11, "disk.reallocated", "fail"),
        ("pending_sectors", 40, "disk.pending", "warn"),
        ("pending_sectors", 41, "disk.pending", "fail"),
        ("offline_uncorrectable", 1, "disk.offline_uncorrectable", "warn"),
        ("command_timeouts", 3, "disk.command_timeouts", "warn"),
    ],
)
def test_ata_counter_thresholds(field: str, value: int, check: str, status: str) -> None:
    smart = Smart(
        passed=True,
        reallocated_sectors=0,
        pending_sectors=0,
        offline_uncorrectable=0,
        reported_uncorrectable=0,
        command_timeouts=0,
    )
    setattr(smart, field, value)
    disk = Disk("sda", kind="hdd", protocol="ATA", smart=smart)
    assert statuses(laptop(disks=[disk]))[check] == status


@pytest.mark.parametrize(
    "changes, check",
    [
        ({"percentage_used": 100}, "disk.percentage_used"),
        ({"media_errors": 1}, "disk.media_errors"),
        ({"available_spare_pct": 9}, "disk.available_spare"),
        ({"critical_warning": 4}, "disk.nvme_critical_warning"),
        ({"self_test_passed": False, "self_test": "Completed: read failure"}, "disk.self_test"),
        ({"exit_status": 16}, "disk.prefail_attributes"),
    ],
)
def test_nvme_and_self_test_failures_replace_the_disk(
    changes: dict[str, object], check: str
) -> None:
    disk = laptop().disks[0]
    assert disk.smart is not None
    smart = replace(disk.smart, **changes)  # type: ignore[arg-type]
    result = evaluate(laptop(disks=[replace(disk, smart=smart)]), ALL_PASS, POLICY)
    assert {f.check: f.status for f in result.findings}[check] == "fail"
    assert [(r.part, r.action) for r in result.repairs] == [("disk", "replace")]


def test_percentage_used_99_is_fine() -> None:
    disk = laptop().disks[0]
    assert disk.smart is not None
    smart = replace(disk.smart, percentage_used=99)
    assert "disk.percentage_used" not in statuses(laptop(disks=[replace(disk, smart=smart)]))


@pytest.mark.parametrize(
    "gib, status", [(3.0, "fail"), (3.7, "warn"), (7.3, "pass"), (None, "unknown")]
)
def test_memory_thresholds(gib: float | None, status: str) -> None:
    mem = Memory(total_bytes=int(gib * GIB) if gib is not None else None)
    assert statuses(laptop(memory=mem))["memory.total"] == status


def test_old_32_bit_cpu_means_harvest_when_parts_are_good() -> None:
    result = evaluate(laptop(cpu=Cpu(is_64bit=False, can_run=[])), ALL_PASS, POLICY)
    assert result.disposition == "harvest"
    assert "disk nvme0n1" in result.harvestable and "battery BAT0" in result.harvestable
    assert result.grade["functional"] is None


def test_old_cpu_with_nothing_worth_keeping_means_recycle() -> None:
    snap = laptop(cpu=Cpu(is_64bit=False), disks=[], batteries=[], memory=Memory(total_bytes=GIB))
    assert evaluate(snap, None, POLICY).disposition == "recycle"


def test_unknown_cpu_is_unknown_not_fatal() -> None:
    result = evaluate(laptop(cpu=Cpu()), ALL_PASS, POLICY)
    assert {f.check: f.status for f in result.findings}["cpu.os_support"] == "unknown"
    assert result.disposition == "refurbish"
    assert result.grade["functional"] == "F3"


def test_too_many_repairs_means_harvest() -> None:
    sheet = Checklist(
        answers={"screen": "fail", "keyboard": "fail", "touchpad": "fail", "webcam": "fail"}
    )
    assert evaluate(laptop(), sheet, POLICY).disposition == "harvest"


def test_checklist_grades() -> None:
    minor = Checklist(answers={**ALL_PASS.answers, "webcam": "fail"}, cosmetic="C3")
    result = evaluate(laptop(), minor, POLICY)
    assert result.grade == {"functional": "F3", "cosmetic": "C3"}
    assert result.disposition == "repair"
    key = Checklist(answers={**ALL_PASS.answers, "screen": "fail"})
    assert evaluate(laptop(), key, POLICY).grade["functional"] is None
    assert evaluate(laptop(), None, POLICY).grade == {"functional": None, "cosmetic": None}


def test_quick_test_failures() -> None:
    sheet = Checklist(
        answers=ALL_PASS.answers,
        tests={
            "cpu_burn": {"rounds": 10, "errors": 2, "seconds": 5},
        },
    )
    assert evaluate(laptop(), sheet, POLICY).disposition == "harvest"
    sheet = Checklist(
        answers=ALL_PASS.answers,
        tests={
            "memory": {"mib": 100, "errors": 3},
            "disk_read": {"device": "sda", "errors": 0, "mb_per_s": 99.0},
        },
    )
    result = evaluate(laptop(), sheet, POLICY)
    assert ("memory", "replace") in {(r.part, r.action) for r in result.repairs}
    statuses_ = {f.check: f.status for f in result.findings}
    assert statuses_["test.disk_read"] == "pass" and statuses_["test.memory"] == "fail"


def test_interrupted_test_says_so() -> None:
    sheet = Checklist(
        answers=ALL_PASS.answers,
        tests={
            "cpu_burn": {
                "rounds": 10,
                "errors": 0,
                "seconds": 5,
                "planned_seconds": 20,
                "interrupted": True,
            }
        },
    )
    reason = next(
        f.reason for f in evaluate(laptop(), sheet, POLICY).findings if f.check == "test.cpu"
    )
    assert "25 %" in reason and "stopped early" in reason


def test_french_reasons() -> None:
    bat = Battery("BAT0", health_pct=42.8, cycle_count=None)
    result = evaluate(laptop(batteries=[bat]), None, POLICY, lang="fr")
    reason = next(f.reason for f in result.findings if f.check == "battery.health")
    assert reason.startswith("Batterie BAT0") and "Remplacer la batterie" in reason


def test_a_shop_policy_changes_thresholds_and_is_recorded() -> None:
    text = DEFAULT_POLICY.read_text().replace('version = "2026.11"', 'version = "shop-3"')
    text = text.replace("good_health_pct = 80.0", "good_health_pct = 95.0")
    policy = parse_policy(text, "shop.toml")
    bat = Battery("BAT0", health_pct=90.0, cycle_count=10)
    result = evaluate(laptop(batteries=[bat]), ALL_PASS, policy)
    assert {f.check: f.status for f in result.findings}["battery.health"] == "warn"
    assert result.policy == {"name": "refurb-default", "version": "shop-3"}


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("good_health_pct = 80.0", 'good_health_pct = "high"', "line {line}: battery.good_health"),
        ("warn_cycles = 800", "warn_cycle = 800", "battery.warn_cycle is not a known key"),
        ("max_repairs = 3", "max_repairs = -1", "decision.max_repairs must be"),
        ("[memory]", "[memori]", "[memori] is not a policy section"),
        ('version = "2026.11"', 'version = ""', "policy.version must be"),
        ("replace_health_pct = 60.0", "replace_health_pct = 90.0", "must lie between"),
        ("warn_cycles = 800", "warn_cycles = = 800", "not valid TOML"),
    ],
)
def test_malformed_policy_names_line_and_key(old: str, new: str, message: str) -> None:
    text = DEFAULT_POLICY.read_text()
    assert old in text
    with pytest.raises(BadInput) as exc:
        parse_policy(text.replace(old, new, 1), "shop.toml")
    line = text.splitlines().index(old) + 1 if "=" in old else 0
    assert message.format(line=line) in str(exc.value)
    assert "shop.toml" in str(exc.value)
