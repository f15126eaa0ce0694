"""Windows readers: ``powercfg /batteryreport /xml`` for batteries and the system's
identity, CIM JSON (``Get-CimInstance ... | ConvertTo-Json``) for CPU, memory and disks.

Win32_Battery leaves design and full-charge capacity empty, so the battery report is
the source; its capacities are mWh and a CycleCount of 0 means "not reported".
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from refurb.identity import clean, model_name, real, real_serial
from refurb.model import TOOL_MISSING, UNREADABLE, Battery, Cpu, Gap, Identity, Memory
from refurb.probe.cpu import can_run
from refurb.probe.linux import battery_health
from refurb.probe.source import Source, ToolMissing

NS = "{http://schemas.microsoft.com/battery/2012}"
BATTERY_REPORT = "powercfg-batteryreport.xml"
_REPORT_CMD = [
    "cmd",
    "/c",
    "powercfg /batteryreport /xml /output %TEMP%\\refurb-br.xml >nul && type %TEMP%\\refurb-br.xml",
]


def _text(node: ET.Element | None, tag: str) -> str | None:
    if node is None:
        return None
    child = node.find(NS + tag)
    if child is None:
        child = node.find(tag)
    return clean(child.text) if child is not None else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_battery_report(src: Source, gaps: list[Gap]) -> tuple[Identity, list[Battery]]:
    try:
        result = src.run(BATTERY_REPORT, _REPORT_CMD, timeout=60)
    except ToolMissing as exc:
        gaps.append(Gap("battery", None, TOOL_MISSING, f"powercfg battery report: {exc}"))
        return Identity(), []
    try:
        root = ET.fromstring(result.stdout.lstrip(b"\xef\xbb\xbf"))
    except ET.ParseError as exc:
        gaps.append(Gap("battery", None, UNREADABLE, f"battery report is not valid XML ({exc})"))
        return Identity(), []
    info = root.find(NS + "SystemInformation")
    role = (_text(info, "PlatformRole") or "").lower()
    ident = Identity(
        vendor=real(_text(info, "SystemManufacturer")),
        model=real(_text(info, "SystemProductName")),
        product_name=real(_text(info, "SystemProductName")),
        bios_version=_text(info, "BIOS"),
        chassis={
            "mobile": "laptop",
            "slate": "tablet",
            "desktop": "desktop",
            "workstation": "desktop",
            "enterprise server": "server",
        }.get(role),
    )
    batteries = []
    holder = root.find(NS + "Batteries")
    for i, node in enumerate(holder.findall(NS + "Battery") if holder is not None else []):
        name = _text(node, "Id") or f"battery{i}"
        bat = Battery(
            name=name,
            model=_text(node, "Id"),
            manufacturer=_text(node, "Manufacturer"),
            serial=_text(node, "SerialNumber"),
            technology=_text(node, "Chemistry"),
            capacity_unit="mWh",
        )
        design = _int(_text(node, "DesignCapacity"))
        full = _int(_text(node, "FullChargeCapacity"))
        bat.design_capacity = float(design) if design is not None else None
        bat.full_capacity = float(full) if full is not None else None
        for fld, value in (("design_capacity", design), ("full_capacity", full)):
            if value is None:
                gaps.append(
                    Gap(
                        f"battery {name}",
                        fld,
                        UNREADABLE,
                        "missing or not a number in the battery report",
                    )
                )
        bat.health_pct = battery_health(bat, gaps)
        bat.cycle_count = _int(_text(node, "CycleCount")) or None
        batteries.append(bat)
    return ident, batteries


def _cim(src: Source, cls: str, gaps: list[Gap], part: str) -> list[dict[str, Any]]:
    name = f"cim-{cls}.json"
    argv = [
        "powershell",
        "-NoProfile",
        "-Command",
        f"Get-CimInstance {cls} | ConvertTo-Json -Depth 3",
    ]
    try:
        result = src.run(name, argv, timeout=60)
    except ToolMissing as exc:
        gaps.append(Gap(part, None, TOOL_MISSING, f"{cls}: {exc}"))
        return []
    try:
        doc = json.loads(result.stdout.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        gaps.append(Gap(part, None, UNREADABLE, f"{cls}: output is not JSON"))
        return []
    items = doc if isinstance(doc, list) else [doc]
    return [d for d in items if isinstance(d, dict)]


def read_cim(src: Source, gaps: list[Gap], ident: Identity) -> tuple[Cpu, Memory]:
    for product in _cim(src, "Win32_ComputerSystemProduct", gaps, "identity")[:1]:
        ident.serial = real_serial(product.get("IdentifyingNumber"))
        ident.uuid = real(product.get("UUID"))
        ident.vendor = ident.vendor or real(product.get("Vendor"))
        ident.model = real(model_name(ident.vendor, ident.model, clean(product.get("Version"))))
    cpu = Cpu()
    procs = _cim(src, "Win32_Processor", gaps, "cpu")
    if procs:
        p = procs[0]
        cpu.model = clean(p.get("Name"))
        cpu.vendor = clean(p.get("Manufacturer"))
        cpu.cores = sum(int(x.get("NumberOfCores") or 0) for x in procs) or None
        cpu.threads = sum(int(x.get("NumberOfLogicalProcessors") or 0) for x in procs) or None
        cpu.max_mhz = float(p["MaxClockSpeed"]) if p.get("MaxClockSpeed") else None
        width = p.get("AddressWidth") or p.get("DataWidth")
        cpu.is_64bit = width == 64 if isinstance(width, int) else None
        # Win32_Processor.Architecture: 0 x86, 9 x64, 12 ARM64
        cpu.arch = {0: "i686", 9: "x86_64", 12: "arm64"}.get(p.get("Architecture", -1))
        cpu.can_run = can_run(cpu.arch, cpu.is_64bit, None)
        gaps.append(
            Gap(
                "cpu",
                "x86_64_level",
                UNREADABLE,
                "Windows does not list CPU flags; x86-64 level not measured",
            )
        )
    mem = Memory()
    for system in _cim(src, "Win32_ComputerSystem", gaps, "memory")[:1]:
        total = system.get("TotalPhysicalMemory")
        mem.total_bytes = (
            int(total) if isinstance(total, int | str) and str(total).isdigit() else None
        )
    return cpu, mem
