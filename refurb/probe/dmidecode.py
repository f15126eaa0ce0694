"""dmidecode's plain-text output -> plain values (pure: text in, values out, never raises).

Reads a full dump (``dmidecode`` with no arguments, as hw-probe and the linuxhw/DMI
collection publish them) or any ``-t`` subset of one. Each record is

    Handle 0x000F, DMI type 1, 27 bytes
    System Information
    <indent>Key: Value
    <deeper indent>an item of the list under the key above

Old dmidecode (2.x) indents with spaces and may put ``DMI type N`` on its own line; both
read the same. Only SMBIOS types 0 (BIOS), 1 (system), 2 (baseboard), 3 (chassis),
17 (memory device) and 22 (portable battery) are interpreted.

Firmware placeholders ("To Be Filled By O.E.M.", "Default string", redacted "--" serials,
all-zero UUIDs) and dmidecode's own "<OUT OF SPEC>" become None through
``refurb.identity``, the one place that knows them. A value that is there but cannot be
understood (a cut-off record, a size in no known unit) becomes a Gap.
"""

from __future__ import annotations

import re

from refurb.identity import chassis_from_code, clean, model_name, real, real_serial
from refurb.model import UNREADABLE, Gap, Identity, MemoryModule
from refurb.record import Record, field

_HANDLE = re.compile(r"^Handle (0x[0-9A-Fa-f]+)(?:,\s*DMI type (\d{1,3})\b)?")
_TYPE_LINE = re.compile(r"^\s*DMI type (\d{1,3})\b")
_SMBIOS = re.compile(r"^SMBIOS (\S+) present")
_SIZE = re.compile(r"^(\d{1,12})\s*(kB|KB|MB|GB|TB)$", re.I)
_UNITS = {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}
_SPEED = re.compile(r"^(\d{1,6})\s*(?:MT/s|MHz)\b")
_MILLI = re.compile(r"^(\d{1,9})\s*m(Wh|V)$")

# SMBIOS chassis types (DSP0134 7.4.1) as dmidecode names them -> their codes.
CHASSIS_CODES = {
    "other": 1,
    "unknown": 2,
    "desktop": 3,
    "low profile desktop": 4,
    "pizza box": 5,
    "mini tower": 6,
    "tower": 7,
    "portable": 8,
    "laptop": 9,
    "notebook": 10,
    "hand held": 11,
    "docking station": 12,
    "all in one": 13,
    "sub notebook": 14,
    "space-saving": 15,
    "lunch box": 16,
    "main server chassis": 17,
    "expansion chassis": 18,
    "sub chassis": 19,
    "bus expansion chassis": 20,
    "peripheral chassis": 21,
    "raid chassis": 22,
    "rack mount chassis": 23,
    "sealed-case pc": 24,
    "multi-system": 25,
    "compactpci": 26,
    "advancedtca": 27,
    "blade": 28,
    "blade enclosing": 29,
    "tablet": 30,
    "convertible": 31,
    "detachable": 32,
    "iot gateway": 33,
    "embedded pc": 34,
    "mini pc": 35,
    "stick pc": 36,
}


class DmiRecord(Record):
    handle: str
    type: int | None
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    indent: str | None = None  # the whitespace before this record's Key: Value lines


class DmiBattery(Record):
    """SMBIOS type 22: what the firmware says the battery was designed for."""

    location: str | None = None
    manufacturer: str | None = None
    name: str | None = None
    serial: str | None = None
    chemistry: str | None = None
    design_capacity_mwh: float | None = None
    design_voltage_mv: int | None = None


class DmiDump(Record):
    smbios_version: str | None = None
    records: list[DmiRecord] = field(default_factory=list)
    identity: Identity = field(default_factory=Identity)
    # identity fields that held a firmware placeholder, with the text it held
    placeholders: dict[str, str] = field(default_factory=dict)
    # identity fields whose record is there but has no such line at all
    missing: list[str] = field(default_factory=list)
    bios_vendor: str | None = None  # the snapshot has no field for it (yet)
    modules: list[MemoryModule] = field(default_factory=list)
    empty_slots: int = 0
    batteries: list[DmiBattery] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def of_type(self, dmi_type: int) -> list[DmiRecord]:
        return [rec for rec in self.records if rec.type == dmi_type]


def split_records(text: str) -> tuple[list[str], list[DmiRecord]]:
    """The header lines before the first record, and every record in order."""
    header: list[str] = []
    records: list[DmiRecord] = []
    cur: DmiRecord | None = None
    for line in text.replace("\x00", "").splitlines():
        m = _HANDLE.match(line)
        if m:
            cur = DmiRecord(handle=m.group(1), type=int(m.group(2)) if m.group(2) else None)
            records.append(cur)
            continue
        if cur is None:
            if line.strip():
                header.append(line.strip())
            continue
        if not line.strip():
            continue
        if cur.type is None and cur.title is None and (t := _TYPE_LINE.match(line)):
            cur.type = int(t.group(1))
            continue
        if cur.title is None:
            cur.title = line.strip()
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if not indent:
            continue  # a note dmidecode prints between or after records, not a field
        if cur.indent is None:
            cur.indent = indent
        if len(indent) != len(cur.indent) or ":" not in line:
            continue  # an item of a list (Characteristics:, Flags:, ...), not a field
        key, _, value = line.strip().partition(":")
        cur.fields.setdefault(key.strip(), value.strip())
    return header, records


def parse_dmidecode(text: str) -> DmiDump:
    header, records = split_records(text)
    dump = DmiDump(records=records)
    for line in header:
        if m := _SMBIOS.match(line):
            dump.smbios_version = m.group(1)
    for rec in records:
        if rec.type is None:
            dump.gaps.append(
                Gap("smbios", None, UNREADABLE, f"record {rec.handle} has no DMI type (cut off?)")
            )
    _identity(dump)
    _memory(dump)
    _batteries(dump)
    return dump


def _first(dump: DmiDump, dmi_type: int) -> dict[str, str] | None:
    found = dump.of_type(dmi_type)
    return found[0].fields if found else None


def _identity(dump: DmiDump) -> None:
    system = _first(dump, 1)
    board = _first(dump, 2)
    chassis = _first(dump, 3)
    bios = _first(dump, 0)
    ident = dump.identity
    if system is not None:
        vendor = clean(system.get("Manufacturer"))
        product_name = clean(system.get("Product Name"))
        ident.vendor = real(vendor)
        ident.product_name = real(product_name)
        ident.model = real(model_name(vendor, product_name, clean(system.get("Version"))))
        ident.family = real(system.get("Family"))
        ident.sku = real(system.get("SKU Number"))
        ident.serial = _unique(dump, system, "Serial Number", "serial")
        ident.uuid = _unique(dump, system, "UUID", "uuid")
    if board is not None:
        ident.board_serial = _unique(dump, board, "Serial Number", "board_serial")
    if chassis is not None:
        name = clean(chassis.get("Type"))
        code = CHASSIS_CODES.get(name.casefold()) if name else None
        if name and code is None:
            dump.gaps.append(
                Gap("identity", "chassis", UNREADABLE, f"chassis type {name[:40]!r} not known")
            )
        ident.chassis_type_code = code
        ident.chassis = chassis_from_code(code)
    if bios is not None:
        dump.bios_vendor = real(bios.get("Vendor"))
        ident.bios_version = clean(bios.get("Version"))
        ident.bios_date = clean(bios.get("Release Date"))


def _unique(dump: DmiDump, fields: dict[str, str], key: str, fld: str) -> str | None:
    """A serial or UUID; a placeholder is remembered (the reader makes it a gap)."""
    if key not in fields:
        dump.missing.append(fld)
        return None
    raw = clean(fields[key])
    value = real(raw) if fld == "uuid" else real_serial(raw)
    if raw is not None and value is None:
        dump.placeholders[fld] = raw
    return value


def _memory(dump: DmiDump) -> None:
    for rec in dump.of_type(17):
        f = rec.fields
        locator = real(f.get("Locator"))
        where = locator or rec.handle
        size_text = clean(f.get("Size"))
        if size_text is None:
            dump.gaps.append(
                Gap(
                    "memory",
                    "modules",
                    UNREADABLE,
                    f"memory device {where} has no Size line (cut off?)",
                )
            )
            continue
        size = _SIZE.match(size_text)
        if size is None or int(size.group(1)) == 0:
            if size is not None or "no module" in size_text.casefold():
                dump.empty_slots += 1  # "No Module Installed": an empty slot
            else:
                dump.gaps.append(
                    Gap(
                        "memory",
                        "modules",
                        UNREADABLE,
                        f"memory device {where}: size {size_text[:40]!r} not understood",
                    )
                )
            continue
        speed = _SPEED.match(clean(f.get("Speed")) or "")
        dump.modules.append(
            MemoryModule(
                locator=locator,
                size_bytes=int(size.group(1)) * _UNITS[size.group(2).lower()],
                type=real(f.get("Type")),
                speed_mts=int(speed.group(1)) if speed else None,
                manufacturer=real(f.get("Manufacturer")),
                part_number=real(f.get("Part Number")),
            )
        )


def _milli(text: str | None, unit: str) -> int | None:
    """'24000 mWh' -> 24000; 'Unknown' (how dmidecode prints 0) -> None."""
    m = _MILLI.match(clean(text) or "")
    return int(m.group(1)) if m and m.group(2) == unit and int(m.group(1)) > 0 else None


def _batteries(dump: DmiDump) -> None:
    for rec in dump.of_type(22):
        f = rec.fields
        capacity = _milli(f.get("Design Capacity"), "Wh")
        if capacity is None and real(f.get("Name")) is None and real(f.get("Manufacturer")) is None:
            continue  # a reference-board default ("-Virtual Battery 0-"), not a battery
        i = len(dump.batteries)
        raw_capacity = clean(f.get("Design Capacity"))
        if capacity is None and raw_capacity and raw_capacity.casefold() != "unknown":
            dump.gaps.append(
                Gap(
                    f"battery smbios-{i}",
                    "design_capacity",
                    UNREADABLE,
                    f"design capacity {raw_capacity[:40]!r} not understood",
                )
            )
        # Smart batteries leave the plain fields unset and fill the SBDS ones instead.
        serial = real_serial(f.get("Serial Number")) or real_serial(f.get("SBDS Serial Number"))
        chemistry = real(f.get("Chemistry")) or real(f.get("SBDS Chemistry"))
        dump.batteries.append(
            DmiBattery(
                location=real(f.get("Location")),
                manufacturer=real(f.get("Manufacturer")),
                name=real(f.get("Name")),
                serial=serial,
                chemistry=chemistry,
                design_capacity_mwh=float(capacity) if capacity is not None else None,
                design_voltage_mv=_milli(f.get("Design Voltage"), "V"),
            )
        )
