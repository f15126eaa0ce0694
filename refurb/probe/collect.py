"""collect(source) -> Snapshot: the one entry point of the probe.

Chooses the OS readers once, from the source (the live OS, or a capture's meta.json),
then runs SMART on every disk it found. Never raises on the machine's data: whatever
cannot be read becomes a gap.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime

from refurb import __version__
from refurb.model import TOOL_MISSING, Disk, Gap, OsInfo, Snapshot, clean_snapshot
from refurb.probe.readers import Reader
from refurb.probe.source import Source, ToolMissing

_SMART_FILE = re.compile(r"^smartctl-(.+)\.json$")


def new_snapshot_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` gives it, without
    importing uuid (and the platform module it loads) on the probe's start-up path."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def collect(src: Source, *, smart: bool = True) -> Snapshot:
    gaps: list[Gap] = []
    snap = Snapshot(
        snapshot_id=new_snapshot_id(),
        taken_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        tool_version=__version__,
        os=OsInfo(name=src.os_name, release=src.os_release),
        source=src.kind,
    )
    r = Reader(src, gaps)
    # One OS's readers are imported, chosen once per probe (xml.etree etc. stay unloaded).
    if src.os_name == "linux":
        from refurb.probe import linux

        if smart:  # smartctl, the slowest reader, runs while the others read
            for name in linux.block_devices(src):
                src.run_ahead(*_smartctl(name))

        dmi = linux.Dmidecode(src)  # run once, only if a reader needs it
        snap.identity = linux.read_identity(r, dmi)
        snap.cpu = linux.read_cpu(r, src.arch)
        snap.memory = linux.read_memory(r, dmi)
        snap.disks = linux.read_disks(r)
        snap.batteries = linux.read_batteries(r, dmi)
    elif src.os_name == "windows":
        from refurb.probe import windows

        ident, snap.batteries = windows.read_battery_report(src, gaps)
        snap.cpu, snap.memory = windows.read_cim(src, gaps, ident)
        snap.identity = ident
        snap.disks = _scan_disks(src, gaps)
    elif src.os_name == "macos":
        from refurb.probe import macos

        snap.identity, snap.cpu, snap.memory = macos.read_hardware(src, gaps)
        snap.batteries = macos.read_batteries(src, gaps)
        snap.disks = _scan_disks(src, gaps)
    else:
        gaps.append(
            Gap("machine", None, "not supported", f"refurb has no readers for {src.os_name!r}")
        )
    if snap.memory.total_bytes is None:
        _psutil_memory(src, snap, gaps)
    if smart:
        _add_recorded_disks(src, snap.disks)
        for disk in snap.disks:
            _smart(src, disk, gaps)
    snap.gaps = gaps
    snap.raw = src.evidence()
    return clean_snapshot(snap)  # no terminal escape from firmware or a capture


def _psutil_memory(src: Source, snap: Snapshot, gaps: list[Gap]) -> None:
    if src.kind != "live":
        return
    try:
        import psutil  # only where the OS readers found no total
    except ImportError:  # the USB-stick agent ships without compiled libraries
        gaps.append(
            Gap(
                "memory",
                "total_bytes",
                TOOL_MISSING,
                "no OS reading of the memory total and psutil is not installed",
            )
        )
        return
    snap.memory.total_bytes = int(psutil.virtual_memory().total)


def _scan_disks(src: Source, gaps: list[Gap]) -> list[Disk]:
    """Windows and macOS have no /sys/block: ask smartctl which devices exist."""
    try:
        result = src.run("smartctl-scan.json", ["smartctl", "--scan", "-j"], timeout=30)
        doc = json.loads(result.stdout.decode("utf-8"))
        devices = doc.get("devices", []) if isinstance(doc, dict) else []
    except ToolMissing as exc:
        gaps.append(
            Gap(
                "disks",
                None,
                TOOL_MISSING,
                f"smartctl lists the disks here; install smartmontools ({exc})",
            )
        )
        return []
    except (UnicodeDecodeError, ValueError):
        gaps.append(Gap("disks", None, "unreadable value", "smartctl --scan gave no JSON"))
        return []
    disks = []
    for dev in devices:
        name = dev.get("name") if isinstance(dev, dict) else None
        if isinstance(name, str):
            disks.append(Disk(name=name.rsplit("/", 1)[-1]))
    return disks


def _add_recorded_disks(src: Source, disks: list[Disk]) -> None:
    """A capture may hold smartctl output for a device it has no /sys entry for:
    the recorded output is itself the evidence that the device was there."""
    known = {d.name for d in disks}
    for name in src.recorded_commands():
        m = _SMART_FILE.match(name)
        if m and m.group(1) != "scan" and m.group(1) not in known:
            disks.append(Disk(name=m.group(1)))
            known.add(m.group(1))


def _smartctl(name: str) -> tuple[str, list[str]]:
    """The recorded name and the command line of one drive's SMART read."""
    dev = name if name.startswith("/") or ":" in name else f"/dev/{name}"
    return f"smartctl-{name}.json", ["smartctl", "-j", "-a", dev]


def _smart(src: Source, disk: Disk, gaps: list[Gap]) -> None:
    part = f"disk {disk.name}"
    try:
        result = src.run(*_smartctl(disk.name), timeout=60)
    except ToolMissing as exc:
        gaps.append(
            Gap(
                part,
                "smart",
                TOOL_MISSING,
                f"{exc}; install smartmontools >= 7.0 to read drive health",
            )
        )
        return
    from refurb.probe.smart import parse_smartctl  # not loaded by `probe --no-smart`

    reading = parse_smartctl(result.stdout, result.returncode, part)
    gaps.extend(reading.gaps)
    disk.smart = reading.smart
    disk.model = disk.model or reading.model
    disk.serial = disk.serial or reading.serial
    disk.size_bytes = disk.size_bytes or reading.size_bytes
    disk.protocol = disk.protocol or reading.protocol
    if disk.kind is None:
        if reading.protocol == "NVMe":
            disk.kind = "nvme"
        elif reading.rotation_rpm is not None:
            disk.kind = "ssd" if reading.rotation_rpm == 0 else "hdd"
    if disk.kind is None:
        gaps.append(
            Gap(
                part,
                "kind",
                "unreadable value",
                "neither sysfs nor smartctl says whether this is an HDD or SSD",
            )
        )
