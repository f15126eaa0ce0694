"""macOS readers: ``ioreg -rn AppleSmartBattery`` (capacities in mAh) and
``system_profiler -json`` for the hardware overview and, as a fallback, battery health.

On Apple silicon ``MaxCapacity`` is a percentage; ``AppleRawMaxCapacity`` holds mAh,
so it is preferred.
"""

from __future__ import annotations

import json
import re
from typing import Any

from refurb.identity import clean, real, real_serial
from refurb.model import TOOL_MISSING, UNREADABLE, Battery, Cpu, Gap, Identity, Memory
from refurb.probe.cpu import can_run
from refurb.probe.linux import battery_health
from refurb.probe.source import Source, ToolMissing

_IOREG_LINE = re.compile(r'^\s*"([^"]+)"\s*=\s*(.+?)\s*$')


def parse_ioreg(text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for line in text.splitlines():
        m = _IOREG_LINE.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if value.startswith('"') and value.endswith('"'):
            values[key] = value[1:-1]
        elif re.fullmatch(r"-?\d+", value):
            values[key] = int(value)
        elif value in ("Yes", "No"):
            values[key] = value == "Yes"
    return values


def read_batteries(src: Source, gaps: list[Gap]) -> list[Battery]:
    try:
        result = src.run("ioreg-AppleSmartBattery.txt", ["ioreg", "-rn", "AppleSmartBattery"])
        text = result.stdout.decode("utf-8", errors="replace")
    except ToolMissing:
        text = ""
    if "AppleSmartBattery" not in text:
        return _batteries_from_profiler(src, gaps)
    v = parse_ioreg(text)
    bat = Battery(
        name="AppleSmartBattery",
        capacity_unit="mAh",
        model=clean(v.get("DeviceName")),
        manufacturer=clean(v.get("Manufacturer")),
        serial=clean(v.get("Serial") or v.get("BatterySerialNumber")),
    )
    design = v.get("DesignCapacity")
    full = v.get("AppleRawMaxCapacity")
    if full is None and isinstance(v.get("MaxCapacity"), int) and v["MaxCapacity"] > 100:
        full = v["MaxCapacity"]  # Intel Macs: MaxCapacity is mAh
    bat.design_capacity = float(design) if isinstance(design, int) else None
    bat.full_capacity = float(full) if isinstance(full, int) else None
    if bat.design_capacity is None or bat.full_capacity is None:
        gaps.append(
            Gap(
                "battery AppleSmartBattery",
                "health_pct",
                UNREADABLE,
                "ioreg has no DesignCapacity or raw maximum capacity",
            )
        )
    bat.health_pct = battery_health(bat, gaps)
    cycles = v.get("CycleCount")
    bat.cycle_count = cycles if isinstance(cycles, int) and cycles > 0 else None
    dcc = v.get("DesignCycleCount9C")
    bat.design_cycle_count = dcc if isinstance(dcc, int) and dcc > 0 else None
    bat.status = (
        "Charging" if v.get("IsCharging") else "Full" if v.get("FullyCharged") else "Discharging"
    )
    return [bat]


def _profiler(src: Source, data_type: str, gaps: list[Gap], part: str) -> dict[str, Any]:
    try:
        result = src.run(
            f"system_profiler-{data_type}.json", ["system_profiler", data_type, "-json"], timeout=60
        )
    except ToolMissing as exc:
        gaps.append(Gap(part, None, TOOL_MISSING, f"system_profiler: {exc}"))
        return {}
    try:
        doc = json.loads(result.stdout.decode("utf-8"))
        items = doc[data_type]
        return items[0] if items and isinstance(items[0], dict) else {}
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError):
        gaps.append(Gap(part, None, UNREADABLE, f"system_profiler {data_type}: not usable JSON"))
        return {}


def _batteries_from_profiler(src: Source, gaps: list[Gap]) -> list[Battery]:
    info = _profiler(src, "SPPowerDataType", gaps, "battery")
    health = info.get("sppower_battery_health_info") if info else None
    if not isinstance(health, dict):
        return []
    model = info.get("sppower_battery_model_info") or {}
    bat = Battery(
        name="AppleSmartBattery",
        model=clean(model.get("sppower_battery_device_name")),
        serial=clean(model.get("sppower_battery_serial_number")),
        manufacturer=clean(model.get("sppower_battery_manufacturer")),
    )
    pct = re.match(
        r"(\d+(?:\.\d+)?)\s*%", str(health.get("sppower_battery_health_maximum_capacity", ""))
    )
    bat.health_pct = float(pct.group(1)) if pct else None
    cycles = health.get("sppower_battery_cycle_count")
    bat.cycle_count = cycles if isinstance(cycles, int) and cycles > 0 else None
    gaps.append(
        Gap(
            "battery AppleSmartBattery",
            "design_capacity",
            UNREADABLE,
            "system_profiler gives health as a percentage only",
        )
    )
    return [bat]


def read_hardware(src: Source, gaps: list[Gap]) -> tuple[Identity, Cpu, Memory]:
    hw = _profiler(src, "SPHardwareDataType", gaps, "identity")
    ident = Identity(
        vendor="Apple" if hw else None,
        model=real(hw.get("machine_name")),
        product_name=real(hw.get("machine_model")),
        serial=real_serial(hw.get("serial_number")),
        uuid=real(hw.get("platform_UUID")),
        bios_version=clean(hw.get("boot_rom_version")),
        chassis="laptop"
        if "book" in str(hw.get("machine_name", "")).lower()
        else ("desktop" if hw else None),
    )
    cpu = Cpu(model=clean(hw.get("chip_type") or hw.get("cpu_type")))
    arch = src.arch
    cpu.arch = arch
    cpu.vendor = "Apple" if str(cpu.model or "").startswith("Apple") else None
    cores = re.match(r"(?:proc\s*)?(\d+)", str(hw.get("number_processors", "")))
    cpu.cores = int(cores.group(1)) if cores else None
    cpu.is_64bit = True if hw else None  # every Mac that runs a supported macOS is 64-bit
    cpu.can_run = can_run(arch, cpu.is_64bit, None)
    mem = Memory()
    m = re.match(r"(\d+)\s*GB", str(hw.get("physical_memory", "")))
    if m:
        mem.total_bytes = int(m.group(1)) << 30
    return ident, cpu, mem
