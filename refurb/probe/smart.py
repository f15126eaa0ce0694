"""smartctl ``-j -a`` output -> Smart readings, with the traps real drives set.

- ``smart_status.passed`` is never trusted alone: the counters and the exit-status bits
  are read too (a real capture says PASSED with 304 reallocated sectors).
- Seagate packs several counters into one 48-bit raw value: attribute 188 holds three
  16-bit counters (use the low one); power-on hours come from ``power_on_time.hours``,
  never attribute 9's raw value.
- An attribute the drive does not report is None (unknown), never 0.
"""

from __future__ import annotations

import json

from refurb.identity import clean
from refurb.model import NOT_SUPPORTED, TOOL_MISSING, UNREADABLE, Gap, Smart
from refurb.record import Record, field

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up
if TYPE_CHECKING:
    from typing import Any

# smartctl(8), "EXIT STATUS": one meaning per bit.
EXIT_BITS = {
    0: "command line did not parse",
    1: "device open failed (no such device, or low-power mode)",
    2: "a SMART or ATA command failed, or a SMART structure had a checksum error",
    3: "SMART status check returned DISK FAILING",
    4: "prefail attributes at or below their threshold",
    5: "some attributes were at or below threshold in the past",
    6: "the device error log contains errors",
    7: "the self-test log contains errors",
}


def decode_exit_status(status: int) -> list[str]:
    return [f"bit {bit}: {text}" for bit, text in EXIT_BITS.items() if status & (1 << bit)]


class SmartReading(Record):
    smart: Smart | None = None
    model: str | None = None
    serial: str | None = None
    size_bytes: int | None = None
    protocol: str | None = None
    rotation_rpm: int | None = None  # 0 = solid state, None = not reported
    device_name: str | None = None
    gaps: list[Gap] = field(default_factory=list)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _attribute_raw(table: dict[int, dict[str, Any]], attr_id: int) -> int | None:
    attr = table.get(attr_id)
    if attr is None:
        return None
    raw = _dict(attr.get("raw"))
    value = _int(raw.get("value"))
    if value is None or value < 0:
        return None
    if attr_id == 188:
        # Seagate: three 16-bit counters (e.g. 0x000C000C000C); the low one is the total.
        return value & 0xFFFF
    if value > 0xFFFFFFFF:
        # Packed by the vendor; smartctl's raw string starts with the real count.
        text = str(raw.get("string", "")).split()
        return int(text[0]) if text and text[0].isdigit() else None
    return value


def parse_smartctl(stdout: bytes, returncode: int, part: str) -> SmartReading:
    """Parse ``smartctl -j -a`` output. Never raises: every problem becomes a gap."""
    out = SmartReading()
    try:
        doc = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        text = stdout[:400].decode("utf-8", errors="replace")
        if "smartctl 5." in text or "smartctl 6." in text:
            out.gaps.append(
                Gap(
                    part,
                    "smart",
                    TOOL_MISSING,
                    "smartctl is older than 7.0 and has no JSON output; "
                    "install smartmontools 7 or newer",
                )
            )
        else:
            out.gaps.append(
                Gap(
                    part,
                    "smart",
                    UNREADABLE,
                    f"smartctl output is not JSON (exit status {returncode})",
                )
            )
        return out
    if not isinstance(doc, dict):
        out.gaps.append(Gap(part, "smart", UNREADABLE, "smartctl JSON is not an object"))
        return out

    meta = _dict(doc.get("smartctl"))
    status = _int(meta.get("exit_status"))
    if status is None:
        status = returncode
    version = meta.get("version")
    messages = [str(_dict(m).get("string", "")) for m in _list(meta.get("messages"))]
    if status < 0:
        status = 0 if returncode < 0 else returncode
    if status & 0b11:
        detail = "; ".join(messages) or "smartctl could not open the device"
        reason = UNREADABLE
        if any("permission denied" in m.lower() or "root" in m.lower() for m in messages):
            reason = "needs root"
        out.gaps.append(Gap(part, "smart", reason, detail))
        return out

    device = _dict(doc.get("device"))
    out.device_name = device.get("name") if isinstance(device.get("name"), str) else None
    out.protocol = device.get("protocol") if isinstance(device.get("protocol"), str) else None
    out.model = clean(doc.get("model_name")) if isinstance(doc.get("model_name"), str) else None
    out.serial = (
        clean(doc.get("serial_number")) if isinstance(doc.get("serial_number"), str) else None
    )
    out.size_bytes = _int(_dict(doc.get("user_capacity")).get("bytes")) or _int(
        doc.get("nvme_total_capacity")
    )
    out.rotation_rpm = _int(doc.get("rotation_rate"))

    s = Smart(exit_status=status, exit_status_bits=decode_exit_status(status))
    if isinstance(version, list) and all(isinstance(v, int) for v in version):
        s.smartctl_version = ".".join(str(v) for v in version)
    smart_status = _dict(doc.get("smart_status"))
    passed = smart_status.get("passed")
    s.passed = passed if isinstance(passed, bool) else None
    if s.passed is None:
        out.gaps.append(
            Gap(part, "smart.passed", UNREADABLE, "the drive gave no SMART overall-health result")
        )
    s.power_on_hours = _int(_dict(doc.get("power_on_time")).get("hours"))

    table: dict[int, dict[str, Any]] = {}
    for attr in _list(_dict(doc.get("ata_smart_attributes")).get("table")):
        if isinstance(attr, dict) and _int(attr.get("id")) is not None:
            table[attr["id"]] = attr
    if table:
        s.reallocated_sectors = _attribute_raw(table, 5)
        s.reported_uncorrectable = _attribute_raw(table, 187)
        s.command_timeouts = _attribute_raw(table, 188)
        s.pending_sectors = _attribute_raw(table, 197)
        s.offline_uncorrectable = _attribute_raw(table, 198)

    nvme = _dict(doc.get("nvme_smart_health_information_log"))
    if nvme:
        s.critical_warning = _int(nvme.get("critical_warning"))
        s.available_spare_pct = _int(nvme.get("available_spare"))
        s.available_spare_threshold_pct = _int(nvme.get("available_spare_threshold"))
        s.percentage_used = _int(nvme.get("percentage_used"))
        s.media_errors = _int(nvme.get("media_errors"))
        if s.power_on_hours is None:
            s.power_on_hours = _int(nvme.get("power_on_hours"))
    elif out.protocol == "ATA" and not table:
        out.gaps.append(
            Gap(
                part,
                "smart.attributes",
                NOT_SUPPORTED,
                "the drive returned no SMART attribute table",
            )
        )

    ata_log = _dict(doc.get("ata_smart_self_test_log"))
    standard = _dict(ata_log.get("standard"))
    if standard:
        s.self_test_errors = _int(standard.get("error_count_total"))
        tests = _list(standard.get("table"))
        if tests and isinstance(tests[0], dict):
            st = _dict(tests[0].get("status"))
            s.self_test = st.get("string") if isinstance(st.get("string"), str) else None
            s.self_test_passed = st.get("passed") if isinstance(st.get("passed"), bool) else None
    nvme_log = _dict(doc.get("nvme_self_test_log"))
    entries = _list(nvme_log.get("table"))
    if entries and isinstance(entries[0], dict):
        result = _dict(entries[0].get("self_test_result"))
        s.self_test = result.get("string") if isinstance(result.get("string"), str) else None
        value = _int(result.get("value"))
        s.self_test_passed = None if value is None else value == 0
    error_log = _dict(_dict(doc.get("ata_smart_error_log")).get("summary"))
    s.error_log_count = _int(error_log.get("count"))
    out.smart = s
    return out
