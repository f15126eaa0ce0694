"""Linux readers: DMI, /proc/cpuinfo, /proc/meminfo, /sys/block and power_supply.

Each reader returns what it could read and appends a Gap for what it could not; none
raises on a missing, unreadable or garbled file.

The machine's identity comes from /sys/class/dmi/id; when that is missing or unreadable,
and for memory modules and (in a capture with no power_supply folder) battery design
values, from one ``dmidecode`` run, parsed by ``refurb.probe.dmidecode``.
"""

from __future__ import annotations

import re

from refurb.identity import (
    PORTABLE_CHASSIS,
    chassis_from_code,
    clean,
    model_name,
    real,
    real_serial,
)
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
)
from refurb.probe.cpu import can_run, x86_64_level
from refurb.probe.readers import Reader
from refurb.probe.source import Source, ToolMissing
from refurb.record import replace

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up
if TYPE_CHECKING:  # the parser itself is imported only when there is output to parse
    from refurb.probe.dmidecode import DmiDump

DMI = "/sys/class/dmi/id"
# The SMBIOS types refurb reads: BIOS, system, baseboard, chassis, memory device, battery.
DMIDECODE = ["dmidecode", "-t", "0,1,2,3,17,22"]


class Dmidecode:
    """``dmidecode`` for one probe: run at most once, on first need, and parsed then.

    Recorded in a capture as ``commands/dmidecode.txt``; a full dump (``dmidecode`` with
    no arguments) or an older capture's ``-t 17`` output reads the same. When there is
    no usable output, ``reason`` and ``detail`` say why, for each reader's own gap.
    """

    def __init__(self, src: Source) -> None:
        self.src = src
        self._loaded = False
        self._dump: DmiDump | None = None
        self.reason = NOT_PRESENT
        self.detail = ""

    def dump(self) -> DmiDump | None:
        if not self._loaded:
            self._loaded = True
            self._dump = self._load()
        return self._dump

    def _load(self) -> DmiDump | None:
        try:
            result = self.src.run("dmidecode.txt", DMIDECODE, timeout=10)
        except ToolMissing as exc:
            why = str(exc)
            self.reason = TOOL_MISSING
            if why == DMIDECODE[0]:
                self.detail = "dmidecode is not installed"
            else:
                self.detail = why if why.startswith("dmidecode") else f"dmidecode: {why}"
            return None
        text = result.stdout.decode("utf-8", errors="replace")
        if "Handle " in text:  # a VM or an ARM board without tables never loads the parser
            from refurb.probe.dmidecode import parse_dmidecode

            dump = parse_dmidecode(text)
            if dump.records:
                return dump
        if "ermission denied" in text or "must be root" in text:
            self.reason, self.detail = NEEDS_ROOT, "dmidecode needs root to read SMBIOS tables"
        else:
            said = [line.strip() for line in text.splitlines() if line.strip()]
            self.reason = NOT_PRESENT
            self.detail = "dmidecode found no SMBIOS tables" + (
                f" ({said[-1][:60]})" if said else ""
            )
        return None


def read_identity(r: Reader, dmi: Dmidecode) -> Identity:
    listed = r.src.listdir(DMI)

    def dmi_file(name: str, fld: str) -> str | None:
        return r.text(f"{DMI}/{name}", "identity", fld, quiet=True)

    raw_vendor = dmi_file("sys_vendor", "vendor") if listed else None
    raw_product = dmi_file("product_name", "model") if listed else None
    if raw_vendor is None and raw_product is None:
        return _identity_from_dmidecode(r, dmi, listed)
    vendor = clean(raw_vendor)
    product_name = clean(raw_product)
    model = model_name(vendor, product_name, clean(dmi_file("product_version", "model")))
    code_text = dmi_file("chassis_type", "chassis")
    code = int(code_text) if code_text and code_text.isdigit() else None
    ident = Identity(
        vendor=real(vendor),
        model=real(model),
        product_name=real(product_name),
        family=real(dmi_file("product_family", "family")),
        sku=real(dmi_file("product_sku", "sku")),
        chassis_type_code=code,
        chassis=chassis_from_code(code),
        bios_version=clean(dmi_file("bios_version", "bios_version")),
        bios_date=clean(dmi_file("bios_date", "bios_date")),
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
    kept = real(value) if fld == "uuid" else real_serial(value)
    if value is not None and kept is None:
        r.gaps.append(_placeholder_gap(fld, value))
    return kept


def _placeholder_gap(fld: str, value: str) -> Gap:
    return Gap(
        "identity", fld, UNREADABLE, f"firmware placeholder {value[:40]!r}, not a real {fld}"
    )


def _identity_from_dmidecode(r: Reader, dmi: Dmidecode, listed: list[str]) -> Identity:
    """/sys/class/dmi/id is missing or unreadable: the SMBIOS tables through dmidecode."""
    dump = dmi.dump()
    if dump is not None and dump.of_type(1):
        for fld, value in dump.placeholders.items():
            r.gaps.append(_placeholder_gap(fld, value))
        for fld in dump.missing:
            r.gaps.append(Gap("identity", fld, NOT_PRESENT, f"dmidecode output has no {fld}"))
        r.gaps.extend(g for g in dump.gaps if g.part == "identity")
        return replace(dump.identity, mac=_first_mac(r))
    if listed:
        r.gaps.append(Gap("identity", None, UNREADABLE, f"{DMI} is unreadable"))
    elif dump is None and dmi.reason == NOT_PRESENT:
        r.gaps.append(
            Gap("identity", None, NOT_PRESENT, f"{DMI} is missing (no SMBIOS/DMI on this machine)")
        )
    else:
        r.gaps.append(Gap("identity", None, NOT_PRESENT, f"{DMI} is missing"))
    if dump is None:
        r.gaps.append(Gap("identity", None, dmi.reason, dmi.detail))
    else:
        r.gaps.append(
            Gap("identity", None, NOT_PRESENT, "dmidecode output has no System Information")
        )
    return Identity(mac=_first_mac(r))


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


def read_memory(r: Reader, dmi: Dmidecode) -> Memory:
    mem = Memory()
    text = r.text("/proc/meminfo", "memory", "total_bytes")
    if text:
        m = re.search(r"^MemTotal:\s+(\d+)\s*kB", text, re.M)
        if m:
            mem.total_bytes = int(m.group(1)) * 1024
        else:
            r.gaps.append(Gap("memory", "total_bytes", UNREADABLE, "no MemTotal in /proc/meminfo"))
    dump = dmi.dump()
    if dump is None:
        if dmi.reason == NEEDS_ROOT:
            detail = "dmidecode needs root to list memory modules"
        elif dmi.reason == NOT_PRESENT and not r.src.listdir(DMI):
            # no SMBIOS tables at all (a VM, many ARM boards)
            detail = "no SMBIOS tables on this machine, so no module list"
        else:
            detail = dmi.detail
        r.gaps.append(Gap("memory", "modules", dmi.reason, detail))
    elif not dump.of_type(17):
        r.gaps.append(
            Gap("memory", "modules", NOT_PRESENT, "dmidecode found no SMBIOS memory devices")
        )
    else:
        mem.modules = dump.modules
        r.gaps.extend(g for g in dump.gaps if g.part == "memory")
    return mem


_SKIP_BLOCK = re.compile(r"^(loop|ram|zram|dm-|md|sr|fd|nbd|mmcblk\d+(boot|rpmb))")


def block_devices(src: Source) -> list[str]:
    """The block devices a live probe will look at (read_disks may still drop an empty
    one); read without recording, to start their SMART reads early."""
    if src.kind != "live":
        return []
    import os

    try:
        names = os.listdir("/sys/block")
    except OSError:
        return []
    return sorted(n for n in names if not _SKIP_BLOCK.match(n))


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


def read_batteries(r: Reader, dmi: Dmidecode) -> list[Battery]:
    batteries = []
    root = "/sys/class/power_supply"
    names = r.src.listdir(root)
    if not names:
        # No power_supply class at all (a capture holding only a dmidecode dump): the
        # firmware's battery table is the only word on the battery. A live laptop always
        # lists its AC adapter here, so a removed battery is never reported from SMBIOS.
        return _batteries_from_dmidecode(r, dmi)
    for name in names:
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
        bat.cycle_count = cycles if cycles and cycles > 0 else None  # 0: "not reported"
        batteries.append(bat)
    return batteries


def _batteries_from_dmidecode(r: Reader, dmi: Dmidecode) -> list[Battery]:
    dump = dmi.dump()
    if dump is None:
        return []
    batteries = []
    for i, found in enumerate(dump.batteries):
        bat = Battery(
            name=f"smbios-{i}",
            manufacturer=found.manufacturer,
            model=found.name,
            serial=found.serial,
            technology=found.chemistry,
            design_capacity=found.design_capacity_mwh,
            capacity_unit="mWh",
        )
        part = f"battery {bat.name}"
        r.gaps.extend(g for g in dump.gaps if g.part == part)
        if bat.design_capacity is None:
            r.gaps.append(
                Gap(part, "design_capacity", NOT_PRESENT, "SMBIOS gives no design capacity")
            )
        r.gaps.append(
            Gap(
                part,
                "full_capacity",
                NOT_PRESENT,
                "only the SMBIOS battery table was read: design values, not the battery's "
                "present charge capacity, so no health",
            )
        )
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
