"""Linux readers: DMI, /proc/cpuinfo, /proc/meminfo, /sys/block and power_supply.

Each reader returns what it could read and appends a Gap for what it could not; none
raises on a missing, unreadable or garbled file.
"""

from __future__ import annotations

import re

from refurb.identity import PORTABLE_CHASSIS, chassis_from_code, clean, real
from refurb.model import (
    NEEDS_ROOT,
    NOT_PRESENT,
    TOOL_MISSING,
    UNREADABLE,
    Battery,
    Cpu,
    Disk,
    Gap,
    Identity,
    Memory,
    MemoryModule,
)
from refurb.probe.cpu import can_run, x86_64_level
from refurb.probe.readers import Reader
from refurb.probe.source import Source, ToolMissing

DMI = "/sys/class/dmi/id"


def read_identity(r: Reader) -> Identity:
    if not r.src.listdir(DMI):
        r.gaps.append(
            Gap("identity", None, NOT_PRESENT, f"{DMI} is missing (no SMBIOS/DMI on this machine)")
        )
        return Identity(mac=_first_mac(r))

    def dmi(name: str, fld: str) -> str | None:
        return r.text(f"{DMI}/{name}", "identity", fld, quiet=True)

    vendor = clean(dmi("sys_vendor", "vendor"))
    product_name = clean(dmi("product_name", "model"))
    version = clean(dmi("product_version", "model"))
    model = product_name
    if vendor and vendor.upper().startswith("LENOVO") and real(version):
        model = version  # Lenovo puts the machine type in product_name
    code_text = dmi("chassis_type", "chassis")
    code = int(code_text) if code_text and code_text.isdigit() else None
    ident = Identity(
        vendor=real(vendor),
        model=real(model),
        product_name=real(product_name),
        family=real(dmi("product_family", "family")),
        sku=real(dmi("product_sku", "sku")),
        chassis_type_code=code,
        chassis=chassis_from_code(code),
        bios_version=clean(dmi("bios_version", "bios_version")),
        bios_date=clean(dmi("bios_date", "bios_date")),
    )
    # Serials and the UUID are root-only on Linux: a permission error is a real gap.
    ident.serial = _unique(r, "product_serial", "serial")
    ident.board_serial = _unique(r, "board_serial", "board_serial")
    ident.uuid = _unique(r, "product_uuid", "uuid")
    ident.mac = _first_mac(r)
    return ident


def _unique(r: Reader, name: str, fld: str) -> str | None:
    """A serial or UUID; a firmware placeholder is recorded as a gap, not as a value."""
    value = clean(r.text(f"{DMI}/{name}", "identity", fld))
    if value is not None and real(value) is None:
        r.gaps.append(
            Gap(
                "identity",
                fld,
                UNREADABLE,
                f"firmware placeholder {value[:40]!r}, not a real {fld}",
            )
        )
        return None
    return value


def _first_mac(r: Reader) -> str | None:
    """MAC of the first physical network interface (those with a ``device`` link)."""
    for name in r.src.listdir("/sys/class/net"):
        if name == "lo" or "device" not in r.src.listdir(f"/sys/class/net/{name}"):
            continue
        mac = real(r.text(f"/sys/class/net/{name}/address", "identity", "mac", quiet=True))
        if mac:
            return mac
    return None


def read_cpu(r: Reader, arch_hint: str | None) -> Cpu:
    text = r.text("/proc/cpuinfo", "cpu", None)
    if text is None:
        return Cpu(arch=arch_hint)
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    procs = []
    for block in blocks:
        entry: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                entry[key.strip()] = value.strip()
        procs.append(entry)
    threads = sum(1 for p in procs if "processor" in p) or None
    first = next((p for p in procs if "processor" in p), procs[0] if procs else {})
    flags = set(first.get("flags", first.get("Features", "")).split())
    cpu = Cpu(threads=threads)
    cpu.model = first.get("model name") or first.get("Processor") or first.get("cpu model")
    cpu.vendor = first.get("vendor_id") or first.get("CPU implementer")
    cores_by_package: dict[str, int] = {}
    for p in procs:
        if p.get("cpu cores", "").isdigit():
            cores_by_package[p.get("physical id", "0")] = int(p["cpu cores"])
    cpu.cores = sum(cores_by_package.values()) or threads
    if "flags" in first:
        cpu.is_64bit = "lm" in flags
        cpu.arch = "x86_64" if cpu.is_64bit else "i686"
        cpu.x86_64_level = x86_64_level(flags)
    else:
        cpu.arch = arch_hint
        cpu.is_64bit = (
            arch_hint in ("x86_64", "aarch64", "arm64", "ppc64le", "riscv64") if arch_hint else None
        )
        if cpu.is_64bit is None:
            r.gaps.append(
                Gap(
                    "cpu",
                    "is_64bit",
                    UNREADABLE,
                    "/proc/cpuinfo has no flags line and the architecture is unknown",
                )
            )
    khz = r.number(
        "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "cpu", "max_mhz", quiet=True
    )
    if khz:
        cpu.max_mhz = round(khz / 1000, 1)
    elif cpu.model and (m := re.search(r"([\d.]+)\s*GHz", cpu.model)):
        cpu.max_mhz = round(float(m.group(1)) * 1000, 1)
    else:
        r.gaps.append(
            Gap(
                "cpu",
                "max_mhz",
                NOT_PRESENT,
                "no cpufreq data and no rated speed in the model name",
            )
        )
    cpu.can_run = can_run(cpu.arch, cpu.is_64bit, cpu.x86_64_level)
    return cpu


def read_memory(r: Reader, src: Source) -> Memory:
    mem = Memory()
    text = r.text("/proc/meminfo", "memory", "total_bytes")
    if text:
        m = re.search(r"^MemTotal:\s+(\d+)\s*kB", text, re.M)
        if m:
            mem.total_bytes = int(m.group(1)) * 1024
        else:
            r.gaps.append(Gap("memory", "total_bytes", UNREADABLE, "no MemTotal in /proc/meminfo"))
    if src.listdir(DMI):
        mem.modules = read_dmidecode_memory(src, r.gaps)
    else:  # no SMBIOS tables at all (a VM, many ARM boards): dmidecode would find nothing
        r.gaps.append(
            Gap(
                "memory",
                "modules",
                NOT_PRESENT,
                "no SMBIOS tables on this machine, so no module list",
            )
        )
    return mem


_SIZE = re.compile(r"^(\d+)\s*(KB|MB|GB|TB|kB)$", re.I)
_UNITS = {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}


def read_dmidecode_memory(src: Source, gaps: list[Gap]) -> list[MemoryModule]:
    """Memory modules from ``dmidecode`` (SMBIOS type 17). Root only."""
    try:
        result = src.run("dmidecode.txt", ["dmidecode", "-t", "17"], timeout=10)
    except ToolMissing as exc:
        gaps.append(Gap("memory", "modules", TOOL_MISSING, f"dmidecode: {exc}"))
        return []
    text = result.stdout.decode("utf-8", errors="replace")
    if result.returncode != 0 or "Memory Device" not in text:
        if "ermission denied" in text or "must be root" in text:
            gaps.append(
                Gap("memory", "modules", NEEDS_ROOT, "dmidecode needs root to list memory modules")
            )
        else:
            gaps.append(
                Gap("memory", "modules", NOT_PRESENT, "dmidecode found no SMBIOS memory devices")
            )
        return []
    modules = []
    for block in text.split("\n\n"):
        if "Memory Device" not in block:
            continue
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.strip().partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        size_m = _SIZE.match(fields.get("Size", ""))
        if not size_m:
            continue  # "No Module Installed": an empty slot
        speed = re.match(r"(\d+)", fields.get("Speed", ""))
        modules.append(
            MemoryModule(
                locator=real(fields.get("Locator")),
                size_bytes=int(size_m.group(1)) * _UNITS[size_m.group(2).lower()],
                type=real(fields.get("Type")),
                speed_mts=int(speed.group(1)) if speed else None,
                manufacturer=real(fields.get("Manufacturer")),
                part_number=real(fields.get("Part Number")),
            )
        )
    return modules


_SKIP_BLOCK = re.compile(r"^(loop|ram|zram|dm-|md|sr|fd|nbd|mmcblk\d+(boot|rpmb))")


def read_disks(r: Reader) -> list[Disk]:
    disks = []
    for name in r.src.listdir("/sys/block"):
        if _SKIP_BLOCK.match(name):
            continue
        base = f"/sys/block/{name}"
        part = f"disk {name}"
        disk = Disk(name=name)
        sectors = r.number(f"{base}/size", part, "size_bytes")
        disk.size_bytes = sectors * 512 if sectors is not None else None
        if disk.size_bytes == 0:
            continue  # an empty card reader slot or a detached device
        disk.model = clean(r.text(f"{base}/device/model", part, "model", quiet=True))
        disk.serial = real(r.text(f"{base}/device/serial", part, "serial", quiet=True))
        link = r.src.readlink(base) or ""
        rotational = r.text(f"{base}/queue/rotational", part, "kind", quiet=True)
        if "/usb" in link:
            disk.kind = "usb"
        elif name.startswith("nvme"):
            disk.kind, disk.protocol = "nvme", "NVMe"
        elif rotational in ("0", "1"):
            disk.kind = "hdd" if rotational == "1" else "ssd"
        disks.append(disk)
    return disks


def read_batteries(r: Reader) -> list[Battery]:
    batteries = []
    root = "/sys/class/power_supply"
    for name in r.src.listdir(root):
        base = f"{root}/{name}"
        kind = r.text(f"{base}/type", f"power supply {name}", "type", quiet=True)
        if kind != "Battery":
            continue
        if r.text(f"{base}/scope", name, "scope", quiet=True) == "Device":
            continue  # a mouse's or keyboard's battery, not the laptop's
        part = f"battery {name}"
        if r.text(f"{base}/present", part, "present", quiet=True) == "0":
            r.gaps.append(Gap(part, None, NOT_PRESENT, "the battery bay is empty"))
            continue
        bat = Battery(name=name)
        bat.manufacturer = clean(r.text(f"{base}/manufacturer", part, "manufacturer", quiet=True))
        bat.model = clean(r.text(f"{base}/model_name", part, "model", quiet=True))
        bat.serial = clean(r.text(f"{base}/serial_number", part, "serial", quiet=True))
        bat.technology = clean(r.text(f"{base}/technology", part, "technology", quiet=True))
        bat.status = clean(r.text(f"{base}/status", part, "status", quiet=True))
        for prefix, unit in (("energy", "mWh"), ("charge", "mAh")):
            design = r.number(f"{base}/{prefix}_full_design", part, "design_capacity", quiet=True)
            full = r.number(f"{base}/{prefix}_full", part, "full_capacity", quiet=True)
            if design is not None or full is not None:
                bat.capacity_unit = unit
                # sysfs gives µWh / µAh
                bat.design_capacity = design / 1000 if design is not None else None
                bat.full_capacity = full / 1000 if full is not None else None
                break
        if bat.design_capacity is None:
            r.gaps.append(
                Gap(
                    part,
                    "design_capacity",
                    UNREADABLE,
                    "no energy_full_design or charge_full_design value",
                )
            )
        if bat.full_capacity is None:
            r.gaps.append(
                Gap(part, "full_capacity", UNREADABLE, "no energy_full or charge_full value")
            )
        bat.health_pct = battery_health(bat, r.gaps)
        cycles = r.number(f"{base}/cycle_count", part, "cycle_count", quiet=True)
        bat.cycle_count = cycles if cycles else None  # 0 means "not reported"
        batteries.append(bat)
    return batteries


def battery_health(bat: Battery, gaps: list[Gap]) -> float | None:
    """full / design as a percentage, one decimal, not clamped; None when meaningless."""
    part = f"battery {bat.name}"
    if bat.design_capacity is None or bat.full_capacity is None:
        return None
    if bat.design_capacity <= 0:
        gaps.append(
            Gap(
                part,
                "health_pct",
                UNREADABLE,
                f"design capacity is {bat.design_capacity:g}: health cannot be computed",
            )
        )
        return None
    if bat.full_capacity < 0:
        gaps.append(Gap(part, "health_pct", UNREADABLE, "full-charge capacity is negative"))
        return None
    health = round(100 * bat.full_capacity / bat.design_capacity, 1)
    if health > 100:
        gaps.append(
            Gap(
                part,
                "health_pct",
                UNREADABLE,
                f"full charge is {health:g}% of design: the battery gauge is "
                "uncalibrated or the design value is wrong; treat health as unknown",
            )
        )
    return health


def is_portable(chassis: str | None) -> bool:
    return chassis in PORTABLE_CHASSIS
