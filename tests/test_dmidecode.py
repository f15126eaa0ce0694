"""dmidecode dumps: the pure parser on real dumps of several vendors, the Linux probe on a
capture that holds only a dump, placeholders that are never serials, and garbled or
cut-off dumps that end as gaps, never as exceptions."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refurb.identity import real_serial
from refurb.model import NEEDS_ROOT, NOT_PRESENT, TOOL_MISSING, UNREADABLE
from refurb.probe import collect
from refurb.probe.dmidecode import parse_dmidecode
from refurb.probe.source import CaptureSource, CommandResult
from refurb.record import to_dict

CAPTURES = Path(__file__).parent / "captures"
# Kept one level down: tests/test_assess.py wants a verdict for every capture directly in
# tests/captures, and these dump-only captures are about the parser, not the verdict.
DUMP_CAPTURES = CAPTURES / "dmidecode"
DUMPS = sorted(p.parent for p in DUMP_CAPTURES.glob("*/expected.json"))
LAPTOP = DUMP_CAPTURES / "own-linux-lenovo-t480-dmidecode-only-handmade"
DELL = DUMP_CAPTURES / "linux-dmidecode-dell-poweredge-m630"


def dump_text(capture: Path) -> str:
    return (capture / "commands" / "dmidecode.txt").read_text()


def capture_with(commands: dict[str, str], files: dict[str, str] | None = None) -> Path:
    root = Path(tempfile.mkdtemp(prefix="refurb-dmi-"))
    (root / "meta.json").write_text(json.dumps({"format": "refurb-capture/1", "os": "linux"}))
    (root / "commands").mkdir()
    for name, text in commands.items():
        (root / "commands" / name).write_text(text)
    for rel, text in (files or {}).items():
        path = root / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_there_are_real_dumps_of_three_vendors_and_a_whitebox() -> None:
    real = [p for p in DUMPS if not p.name.startswith("own-")]
    vendors = {json.loads((p / "expected.json").read_text())["identity"]["vendor"] for p in real}
    assert {"Dell Inc.", "HP", "Online Labs"} <= vendors
    for capture in real:
        meta = json.loads((capture / "meta.json").read_text())
        assert "@" in meta["source"] and ":" in meta["source"] and meta["license"]


@pytest.mark.parametrize("capture", DUMPS, ids=lambda p: p.name)
def test_parser_reads_what_the_dump_says(capture: Path) -> None:
    expected = json.loads((capture / "expected.json").read_text())
    want = expected["dmidecode"]
    dump = parse_dmidecode(dump_text(capture))
    assert dump.smbios_version == want["smbios_version"]
    assert len(dump.records) == want["records"]
    assert dump.bios_vendor == want["bios_vendor"]
    assert dump.placeholders == want["placeholders"]
    assert [to_dict(m) for m in dump.modules] == want["modules"]
    assert dump.empty_slots == want["empty_slots"]
    assert [to_dict(b) for b in dump.batteries] == want["batteries"]
    assert to_dict(dump.identity) == expected["identity"]
    assert dump.gaps == []


@pytest.mark.parametrize("capture", DUMPS, ids=lambda p: p.name)
def test_probe_on_a_dump_only_capture_matches_expected(capture: Path) -> None:
    expected = json.loads((capture / "expected.json").read_text())
    snap = collect(CaptureSource(capture))
    assert to_dict(snap.identity) == expected["identity"]
    assert [to_dict(m) for m in snap.memory.modules] == expected["dmidecode"]["modules"]
    assert [b.name for b in snap.batteries] == [b["name"] for b in expected["battery"]]
    for bat, exp in zip(snap.batteries, expected["battery"], strict=True):
        assert bat.capacity_unit == "mWh" and exp["unit"] == "Wh"
        assert bat.design_capacity == exp["design_wh_or_mah"] * 1000
        assert bat.full_capacity is None and exp["full_wh_or_mah"] is None
        for fld in ("manufacturer", "model", "serial", "technology"):
            assert getattr(bat, fld) == exp[fld], fld
    document = json.loads(json.dumps(snap.to_dict()))
    jsonschema = pytest.importorskip("jsonschema", reason="pip install -e '.[test]'")
    from refurb.schema import snapshot_schema

    jsonschema.validate(document, snapshot_schema())


def test_probe_reads_identity_memory_and_battery_from_a_dump_only_capture() -> None:
    snap = collect(CaptureSource(LAPTOP))
    ident = snap.identity
    assert (ident.vendor, ident.model, ident.serial) == ("LENOVO", "ThinkPad T480", "PF1HAND0")
    assert ident.chassis == "laptop" and ident.chassis_type_code == 10
    assert [(m.locator, m.size_bytes, m.type, m.speed_mts) for m in snap.memory.modules] == [
        ("ChannelA-DIMM0", 8 << 30, "DDR4", 2400)
    ]
    assert [(b.name, b.design_capacity, b.capacity_unit) for b in snap.batteries] == [
        ("smbios-0", 24000.0, "mWh"),
        ("smbios-1", 72000.0, "mWh"),
    ]
    assert all(b.full_capacity is None and b.health_pct is None for b in snap.batteries)
    gaps = {(g.part, g.field): g.reason for g in snap.gaps}
    assert gaps[("battery smbios-0", "full_capacity")] == NOT_PRESENT
    # /proc/meminfo is not in the capture; everything the dump holds was read
    assert [(g.part, g.field) for g in snap.gaps if g.part in ("identity", "memory")] == [
        ("memory", "total_bytes")
    ]
    assert snap.raw["commands"]["dmidecode.txt"] == dump_text(LAPTOP)


def test_dmidecode_runs_once_per_probe() -> None:
    calls: list[str] = []

    class Counting(CaptureSource):
        def _run(self, name: str, argv: list[str], timeout: float) -> CommandResult:
            calls.append(name)
            return super()._run(name, argv, timeout)

    collect(Counting(LAPTOP), smart=False)
    assert calls.count("dmidecode.txt") == 1


def test_a_battery_in_the_firmware_table_is_not_reported_when_the_os_lists_none() -> None:
    # A live laptop always lists its AC adapter; with the battery pulled, SMBIOS type 22
    # still describes it. The probe must not report a battery that is not there.
    capture = capture_with(
        {"dmidecode.txt": dump_text(LAPTOP)},
        {"/sys/class/power_supply/AC/type": "Mains\n", "/sys/class/power_supply/AC/online": "1"},
    )
    assert collect(CaptureSource(capture)).batteries == []


def test_sysfs_identity_wins_over_the_dump() -> None:
    capture = capture_with(
        {"dmidecode.txt": dump_text(DELL)},
        {"/sys/class/dmi/id/sys_vendor": "ACME\n", "/sys/class/dmi/id/product_name": "Box 1\n"},
    )
    snap = collect(CaptureSource(capture))
    assert (snap.identity.vendor, snap.identity.model) == ("ACME", "Box 1")
    assert len(snap.memory.modules) == 8  # modules still come from the dump


def test_the_firmware_reference_battery_is_not_a_battery() -> None:
    snap = collect(CaptureSource(DUMP_CAPTURES / "linux-dmidecode-onlinelabs-sr-placeholders"))
    assert snap.batteries == []
    reasons = {(g.part, g.field): g for g in snap.gaps}
    for fld in ("serial", "board_serial", "uuid"):
        assert reasons[("identity", fld)].reason == UNREADABLE
        assert "placeholder" in reasons[("identity", fld)].detail


PLACEHOLDER_SERIALS = [
    "To Be Filled By O.E.M.",
    "System Serial Number",
    "Default string",
    "Not Specified",
    "None",
    "--",
    "XXXXXXX",
    "xxxxxxxxxxxx",
    "0000000000",
    "4242",
    "42",
    "0",
    "123456789",
    "(^_^)",
    "Chassis Serial Number",
    "",
]


def _system(serial: str, uuid: str = "Not Settable") -> str:
    return (
        "# dmidecode 3.3\nSMBIOS 3.2.0 present.\n\n"
        "Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n"
        "\tManufacturer: To Be Filled By O.E.M.\n\tProduct Name: System Product Name\n"
        f"\tSerial Number: {serial}\n\tUUID: {uuid}\n"
        "Handle 0x0002, DMI type 2, 15 bytes\nBase Board Information\n"
        f"\tManufacturer: ASRock\n\tSerial Number: {serial}\n"
    )


@pytest.mark.parametrize("serial", PLACEHOLDER_SERIALS)
def test_placeholder_serials_are_never_serials(serial: str) -> None:
    assert real_serial(serial) is None
    dump = parse_dmidecode(_system(serial))
    assert dump.identity.serial is None and dump.identity.board_serial is None
    assert dump.identity.vendor is None and dump.identity.product_name is None
    snap = collect(CaptureSource(capture_with({"dmidecode.txt": _system(serial)})))
    assert snap.identity.serial is None and snap.identity.board_serial is None
    if serial.strip():
        fields = {g.field for g in snap.gaps if g.part == "identity" and g.reason == UNREADABLE}
        assert {"serial", "board_serial"} <= fields


@pytest.mark.parametrize(
    "uuid",
    [
        "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "03000200-0400-0500-0006-000700080009",
        "Not Settable",
        "Not Present",
        "--",
    ],
)
def test_placeholder_uuids_are_never_uuids(uuid: str) -> None:
    dump = parse_dmidecode(_system("R90ABCDE", uuid))
    assert dump.identity.uuid is None and dump.placeholders["uuid"] == uuid
    assert dump.identity.serial == "R90ABCDE"


def test_old_dmidecode_layout_reads_the_same() -> None:
    old = (
        "# dmidecode 2.9\nSMBIOS 2.4 present.\n\n"
        "Handle 0x0100\n    DMI type 1, 27 bytes\n    System Information\n"
        "        Manufacturer: Dell Inc.\n        Product Name: Latitude D630   \n"
        "        Serial Number: 1VP1D3J\n\n"
        "Handle 0x1100, DMI type 17, 27 bytes\nMemory Device\n"
        "    Size: 1024 MB\n    Locator: DIMM_A\n    Type: DDR2\n"
        "    Speed: 667 MHz (1.5 ns)\n    Part Number: NT1GT64U8HB0BN-3C \n"
    )
    dump = parse_dmidecode(old)
    assert (dump.identity.vendor, dump.identity.model) == ("Dell Inc.", "Latitude D630")
    assert dump.identity.serial == "1VP1D3J"
    assert [(m.size_bytes, m.type, m.speed_mts) for m in dump.modules] == [(1 << 30, "DDR2", 667)]


def test_a_record_cut_off_before_its_size_is_a_gap() -> None:
    text = dump_text(LAPTOP)
    cut = text[: text.index("\tSize: 8 GB")]
    dump = parse_dmidecode(cut)
    assert dump.modules == [] and dump.identity.vendor == "LENOVO"
    assert [(g.part, g.reason) for g in dump.gaps] == [("memory", UNREADABLE)]
    snap = collect(CaptureSource(capture_with({"dmidecode.txt": cut})))
    assert ("memory", "modules", UNREADABLE) in {(g.part, g.field, g.reason) for g in snap.gaps}


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("/sys/firmware/dmi/tables/smbios_entry_point: Permission denied\n", NEEDS_ROOT),
        ("# dmidecode 3.4\n# No SMBIOS nor DMI entry point found, sorry.\n", NOT_PRESENT),
        ("", NOT_PRESENT),
    ],
)
def test_unusable_dmidecode_output_is_a_gap(output: str, reason: str) -> None:
    snap = collect(CaptureSource(capture_with({"dmidecode.txt": output, "dmidecode.txt.rc": "1"})))
    reasons = {(g.part, g.field, g.reason) for g in snap.gaps}
    assert ("identity", None, reason) in reasons
    assert ("memory", "modules", reason) in reasons
    assert snap.identity.vendor is None and snap.batteries == []


def test_missing_dmidecode_is_a_gap() -> None:
    snap = collect(CaptureSource(capture_with({})))
    reasons = {(g.part, g.field, g.reason) for g in snap.gaps}
    assert ("identity", None, TOOL_MISSING) in reasons
    assert ("memory", "modules", TOOL_MISSING) in reasons


def test_the_parser_stays_off_the_start_up_path() -> None:
    # Importing the probe does not load it, nor does a machine whose dmidecode finds no
    # tables (the CI VM's capture); a dump does.
    code = (
        "import sys\nfrom refurb.probe import collect\nfrom refurb.probe import linux\n"
        "from refurb.probe.source import CaptureSource\n"
        "assert 'refurb.probe.dmidecode' not in sys.modules\n"
        f"collect(CaptureSource({str(CAPTURES / 'own-linux-vm-epyc-2core')!r}), smart=False)\n"
        "assert 'refurb.probe.dmidecode' not in sys.modules\n"
        f"collect(CaptureSource({str(LAPTOP)!r}), smart=False)\n"
        "assert 'refurb.probe.dmidecode' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL_DUMPS = [dump_text(p) for p in DUMPS]


@SETTINGS
@given(st.text(max_size=600))
def test_random_text_never_raises(text: str) -> None:
    dump = parse_dmidecode(text)
    assert all(m.size_bytes and m.size_bytes > 0 for m in dump.modules)


@SETTINGS
@given(st.sampled_from(REAL_DUMPS), st.integers(min_value=0), st.integers(min_value=0))
def test_cut_and_spliced_real_dumps_never_raise(text: str, start: int, end: int) -> None:
    start, end = sorted((start % (len(text) + 1), end % (len(text) + 1)))
    for part in (text[:end], text[start:end], text[:start] + text[end:]):
        dump = parse_dmidecode(part)
        full = parse_dmidecode(text)
        assert len(dump.modules) <= len(full.modules) + 1  # a split record may add one
        for gap in dump.gaps:
            assert gap.reason == UNREADABLE and gap.detail


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_DUMPS), st.integers(min_value=0), st.binary(max_size=40))
def test_garbled_dump_through_the_probe_is_values_or_gaps(text: str, cut: int, junk: bytes) -> None:
    data = text.encode()[: cut % (len(text) + 1)] + junk
    root = Path(tempfile.mkdtemp(prefix="refurb-dmi-"))
    (root / "meta.json").write_text(json.dumps({"format": "refurb-capture/1", "os": "linux"}))
    (root / "commands").mkdir()
    (root / "commands" / "dmidecode.txt").write_bytes(data)
    snap = collect(CaptureSource(root), smart=False)
    json.dumps(snap.to_dict())
    assert snap.identity.vendor is not None or any(g.part == "identity" for g in snap.gaps)
