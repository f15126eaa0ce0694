"""Pure helpers for a device's identity: cleaning firmware strings, rejecting the
placeholder serials firmware ships with, and the stable key a device is known by."""

from __future__ import annotations

import re

from refurb.model import Identity
from refurb.untrusted import CONTROL

# Exact placeholder strings seen in DMI/SMBIOS and battery firmware (compared case-folded).
_PLACEHOLDERS = {
    "to be filled by o.e.m.",
    "to be filled by oem",
    "system serial number",
    "system product name",
    "system manufacturer",
    "system version",
    "default string",
    "not specified",
    "not applicable",
    "not available",
    "none",
    "n/a",
    "na",
    "null",
    "o.e.m.",
    "oem",
    "chassis serial number",
    "base board serial number",
    "type2 - board serial number",
    "0123456789",
    "1234567890",
    "123456789",
    "serial",
    "invalid",
    "unknown",
    "empty",
    "--",
    "-",
    "none provided",
    "filled by o.e.m.",
    "scrubbed",
    "redacted",
    # dmidecode's own words for a value it could not decode or the firmware left unset
    "<out of spec>",
    "<bad index>",
    "not settable",
    "not present",
}
# One or two characters over and over ("00000000", "FFFFFFFF", "xxxxxx", "4242", the
# last a redaction seen in published dmidecode dumps).
_REPEATED = re.compile(r"^(.{1,2})\1+$")
_UUID_PLACEHOLDERS = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",  # a well-known AMI BIOS default
    "12345678-1234-5678-90ab-cddeefaabbcc",  # an Insyde reference-board default
}
# A serial shorter than this ("0", "42") names no machine: real ones are 7-12 characters.
_MIN_SERIAL = 4


def clean(value: object) -> str | None:
    """Trim a firmware string and drop control characters; blank becomes None.
    Anything that is not text (a number where ioreg or CIM should give a name) is None."""
    if not isinstance(value, str):
        return None
    value = CONTROL.sub("", value).strip()  # no NULs, no terminal escapes
    return value or None


# Reference-board defaults firmware ships for a battery that is not there.
_BATTERY_DEFAULTS = re.compile(r"^(-?virtual battery \d+-?|crb battery \d+)$")


def is_placeholder(value: str | None) -> bool:
    if value is None:
        return True
    folded = value.strip().casefold()
    if not folded or folded in _PLACEHOLDERS or folded in _UUID_PLACEHOLDERS:
        return True
    if not any(c.isalnum() for c in folded) or _BATTERY_DEFAULTS.match(folded):
        return True  # "--", "(^_^)", "..."
    compact = folded.replace("-", "").replace(" ", "")
    return len(compact) >= 3 and bool(_REPEATED.match(compact))


def real(value: object) -> str | None:
    """A cleaned identity value, or None when it is a firmware placeholder."""
    value = clean(value)
    return None if is_placeholder(value) else value


def real_serial(value: object) -> str | None:
    """A serial number, or None for a placeholder or one too short to name a machine."""
    value = real(value)
    if value is None or len(value.replace("-", "").replace(" ", "")) < _MIN_SERIAL:
        return None
    return value


def model_name(vendor: str | None, product_name: str | None, version: str | None) -> str | None:
    """The model a person reads on the lid: Lenovo puts the machine type (20L5...) in
    product_name and the readable name (ThinkPad T480) in version."""
    if vendor and vendor.upper().startswith("LENOVO") and real(version):
        return version
    return product_name


# SMBIOS 3.x chassis types (DSP0134, 7.4.1), folded into the words a shop uses.
_CHASSIS = {
    3: "desktop",
    4: "desktop",
    5: "desktop",
    6: "desktop",
    7: "desktop",
    13: "all-in-one",
    15: "desktop",
    16: "desktop",
    24: "desktop",
    35: "mini-pc",
    36: "mini-pc",
    8: "laptop",
    9: "laptop",
    10: "laptop",
    14: "laptop",
    11: "handheld",
    30: "tablet",
    31: "convertible",
    32: "convertible",
    17: "server",
    23: "server",
    25: "server",
    28: "server",
    29: "server",
    12: "docking-station",
    33: "embedded",
    34: "embedded",
}
PORTABLE_CHASSIS = {"laptop", "convertible", "tablet", "handheld"}


def chassis_from_code(code: int | None) -> str | None:
    if code is None:
        return None
    return _CHASSIS.get(code, "other")


def identity_key(ident: Identity) -> tuple[str, str] | None:
    """(kind, key) that names this physical machine across snapshots and shops.

    Serial first (qualified by vendor and model, since two vendors may reuse a serial),
    then board serial, then the SMBIOS UUID, then the first wired/wireless MAC. Every
    candidate is rejected when it is a placeholder, so two machines that both say
    "To Be Filled By O.E.M." never merge. None when nothing trustworthy is left.
    """
    vendor = (real(ident.vendor) or "").casefold()
    model = (real(ident.model) or real(ident.product_name) or "").casefold()
    for kind, value in (("serial", ident.serial), ("board", ident.board_serial)):
        value = real(value)
        if value:
            return kind, _digest(kind, vendor, model, value.casefold())
    uuid = real(ident.uuid)
    if uuid:
        return "uuid", _digest("uuid", uuid.casefold())
    mac = real(ident.mac)
    if mac and mac.replace(":", "").strip("0"):
        return "mac", _digest("mac", mac.casefold())
    return None


def _digest(*parts: str) -> str:
    import hashlib  # not at module level: the probe imports this module and never hashes

    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
