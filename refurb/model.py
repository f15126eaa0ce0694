"""Pure domain types shared by every layer: the probe snapshot and its parts.

Plain dataclasses, JSON in and out. ``snapshot_from_dict`` validates a document read
from a file (USB stick, bundle) and names the exact field at fault. Every text field of
a snapshot passes refurb.untrusted's cleaner where the snapshot becomes a model (here,
for files; ``clean_snapshot`` for the probe), so no terminal escape from a forged file
or firmware string is stored or printed; ``raw`` evidence is kept as it was.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from refurb import SNAPSHOT_FORMAT
from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.untrusted import clean_text

# Why a reading could not be taken. Kept short and stable: reports and tests match on them.
NOT_PRESENT = "not present"
NEEDS_ROOT = "needs root"
TOOL_MISSING = "tool missing"
UNREADABLE = "unreadable value"
NOT_SUPPORTED = "not supported"


@dataclass
class Gap:
    part: str  # "identity", "cpu", "memory", "disk sda", "battery BAT0", ...
    field: str | None
    reason: str
    detail: str = ""


@dataclass
class OsInfo:
    name: str  # linux | windows | macos
    release: str | None = None


@dataclass
class Identity:
    vendor: str | None = None
    model: str | None = None
    product_name: str | None = None
    family: str | None = None
    sku: str | None = None
    serial: str | None = None
    board_serial: str | None = None
    uuid: str | None = None
    mac: str | None = None
    chassis: str | None = None
    chassis_type_code: int | None = None
    bios_version: str | None = None
    bios_date: str | None = None


@dataclass
class Cpu:
    model: str | None = None
    vendor: str | None = None
    arch: str | None = None
    cores: int | None = None
    threads: int | None = None
    max_mhz: float | None = None
    is_64bit: bool | None = None
    x86_64_level: int | None = None  # 1..4 (psABI micro-architecture levels), None off x86
    can_run: list[str] = field(default_factory=list)


@dataclass
class MemoryModule:
    locator: str | None = None
    size_bytes: int | None = None
    type: str | None = None
    speed_mts: int | None = None
    manufacturer: str | None = None
    part_number: str | None = None


@dataclass
class Memory:
    total_bytes: int | None = None
    modules: list[MemoryModule] = field(default_factory=list)


@dataclass
class Smart:
    passed: bool | None = None
    power_on_hours: int | None = None
    reallocated_sectors: int | None = None
    pending_sectors: int | None = None
    offline_uncorrectable: int | None = None
    reported_uncorrectable: int | None = None
    command_timeouts: int | None = None
    percentage_used: int | None = None
    available_spare_pct: int | None = None
    available_spare_threshold_pct: int | None = None
    media_errors: int | None = None
    critical_warning: int | None = None
    self_test: str | None = None  # last self-test result, as smartctl words it
    self_test_passed: bool | None = None
    self_test_errors: int | None = None
    error_log_count: int | None = None
    exit_status: int | None = None
    exit_status_bits: list[str] = field(default_factory=list)
    smartctl_version: str | None = None


@dataclass
class Disk:
    name: str
    model: str | None = None
    serial: str | None = None
    size_bytes: int | None = None
    kind: str | None = None  # hdd | ssd | nvme | usb | None when unknown
    protocol: str | None = None  # ATA | NVMe | SCSI
    smart: Smart | None = None


@dataclass
class Battery:
    name: str
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    technology: str | None = None
    design_capacity: float | None = None
    full_capacity: float | None = None
    capacity_unit: str | None = None  # mWh | mAh
    health_pct: float | None = None
    cycle_count: int | None = None
    design_cycle_count: int | None = None
    status: str | None = None


@dataclass
class Snapshot:
    snapshot_id: str
    taken_at: str
    tool_version: str
    os: OsInfo
    format: str = SNAPSHOT_FORMAT
    source: str = "live"  # live | replay
    identity: Identity = field(default_factory=Identity)
    cpu: Cpu = field(default_factory=Cpu)
    memory: Memory = field(default_factory=Memory)
    disks: list[Disk] = field(default_factory=list)
    batteries: list[Battery] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def snapshot_from_dict(doc: Any, where: str = "snapshot") -> Snapshot:
    """Build a Snapshot from parsed JSON, refusing anything of the wrong shape.

    Unknown keys are ignored (a newer minor version may add some); a newer *format*
    is refused so an old station never silently drops what it cannot understand.
    """
    if not isinstance(doc, dict):
        raise BadInput(
            Phrase(
                N_("{where}: expected a JSON object, found {found}"),
                where=where,
                found=type(doc).__name__,
            )
        )
    fmt = doc.get("format")
    if fmt != SNAPSHOT_FORMAT:
        if isinstance(fmt, str) and fmt.startswith("refurb-snapshot/"):
            raise BadInput(
                Phrase(
                    N_(
                        "{where}: snapshot format {fmt!r} is newer than this refurb understands "
                        "({known})"
                    ),
                    where=where,
                    fmt=fmt,
                    known=SNAPSHOT_FORMAT,
                ),
                N_("upgrade refurb on this station, then import again"),
            )
        raise BadInput(
            Phrase(N_("{where}: not a refurb snapshot (format is {fmt!r})"), where=where, fmt=fmt)
        )
    return typing.cast(Snapshot, _build(Snapshot, doc, where))


def clean_snapshot(snap: Snapshot) -> Snapshot:
    """Clean every text field of a snapshot built in memory (the probe's), as
    ``snapshot_from_dict`` does for a file; ``raw`` evidence is left as it was."""
    _clean_fields(snap)
    return snap


def _clean_fields(obj: Any) -> None:
    for f in dataclasses.fields(obj):
        if f.name == "raw":
            continue
        value = getattr(obj, f.name)
        if isinstance(value, str):
            setattr(obj, f.name, clean_text(value))
        elif isinstance(value, list):
            setattr(obj, f.name, [_cleaned(v) for v in value])
        elif dataclasses.is_dataclass(value):
            _clean_fields(value)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if dataclasses.is_dataclass(value):
        _clean_fields(value)
    return value


# A converter per type, built once from the dataclasses' type hints: checking a
# snapshot then costs one call per value, not a look at its type hints each time.
Converter = typing.Callable[[Any, str], Any]
_CONVERTERS: dict[Any, Converter] = {}


def _build(cls: type, value: Any, path: str) -> Any:
    return _converter(cls)(value, path)


def _converter(tp: Any) -> Converter:
    conv = _CONVERTERS.get(tp)
    if conv is None:
        conv = _CONVERTERS[tp] = _make_converter(tp)
    return conv


def _make_converter(tp: Any) -> Converter:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        inner_conv = _converter(inner)
        return lambda value, path: None if value is None else inner_conv(value, path)
    if origin is list:
        item = _converter(typing.get_args(tp)[0])

        def as_list(value: Any, path: str) -> Any:
            if not isinstance(value, list):
                raise BadInput(
                    Phrase(
                        N_("{path}: expected a list, found {found}"),
                        path=path,
                        found=_json_type(value),
                    )
                )
            return [item(v, _at(path, f"[{i}]")) for i, v in enumerate(value)]

        return as_list
    if origin is dict:

        def as_dict(value: Any, path: str) -> Any:
            if not isinstance(value, dict):
                raise BadInput(
                    Phrase(
                        N_("{path}: expected an object, found {found}"),
                        path=path,
                        found=_json_type(value),
                    )
                )
            return value

        return as_dict
    if dataclasses.is_dataclass(tp):
        return _dataclass_converter(typing.cast(type, tp))
    if tp is Any:
        return lambda value, path: value
    if tp is float:

        def as_float(value: Any, path: str) -> Any:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            raise BadInput(
                Phrase(
                    N_("{path}: expected a number, found {found}"),
                    path=path,
                    found=_json_type(value),
                )
            )

        return as_float

    if tp is str:

        def as_text(value: Any, path: str) -> Any:
            if type(value) is not str:
                raise BadInput(
                    Phrase(
                        N_("{path}: expected text, found {found}"),
                        path=path,
                        found=_json_type(value),
                    )
                )
            return clean_text(value)

        return as_text

    def as_scalar(value: Any, path: str) -> Any:
        # bool is an int in Python; a JSON true is not a whole number
        if type(value) is not tp:
            raise BadInput(
                Phrase(
                    N_("{path}: expected {expected}, found {found}"),
                    path=path,
                    expected=_TYPE_WORDS.get(tp, tp.__name__),
                    found=_json_type(value),
                )
            )
        return value

    return as_scalar


def _dataclass_converter(cls: type) -> Converter:
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        plan.append((f.name, required))
    convs: dict[str, Converter] = {}

    def build(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise BadInput(
                Phrase(
                    N_("{path}: expected an object, found {found}"),
                    path=path,
                    found=_json_type(value),
                )
            )
        kwargs = {}
        for name, required in plan:
            if name in value:
                conv = convs.get(name)
                if conv is None:
                    conv = convs[name] = _converter(hints[name])
                kwargs[name] = conv(value[name], _at(path, f".{name}"))
            elif required:
                raise BadInput(
                    Phrase(
                        N_("{path}: the required field {name!r} is missing"), path=path, name=name
                    )
                )
        return cls(**kwargs)

    return build


# what a JSON value is, as a message names it (translated where the message is shown)
_TYPE_WORDS = {
    int: Phrase(N_("a whole number")),
    str: Phrase(N_("text")),
    bool: Phrase(N_("true/false")),
    float: Phrase(N_("a number")),
}
_FOUND_WORDS = {
    type(None): Phrase(N_("null")),
    bool: _TYPE_WORDS[bool],
    int: _TYPE_WORDS[float],  # a number where another kind was expected
    float: _TYPE_WORDS[float],
    str: _TYPE_WORDS[str],
    list: Phrase(N_("a list")),
    dict: Phrase(N_("an object")),
}


def _at(path: str, step: str) -> str:
    """A field's path under ``path``; a named document ("snapshot x.json", a Phrase) keeps
    its name in the reader's language."""
    return path.then(step) if isinstance(path, Phrase) else path + step


def _json_type(value: Any) -> str:
    return _FOUND_WORDS.get(type(value), type(value).__name__)
