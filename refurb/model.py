"""Pure domain types shared by every layer: the probe snapshot and its parts.

Plain records (refurb.record: dataclasses without their start-up cost), JSON in and
out. ``snapshot_from_dict`` validates a document read from a file (USB stick, bundle)
and names the exact field at fault. Every text field of a snapshot passes
refurb.untrusted's cleaner where the snapshot becomes a model (here, for files;
``clean_snapshot`` for the probe), so no terminal escape from a forged file or firmware
string is stored or printed; ``raw`` evidence is kept as it was.
"""

from __future__ import annotations

from refurb import SNAPSHOT_FORMAT
from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.record import Record, field, fields, is_record, to_dict, type_hints
from refurb.untrusted import clean_text

# typing is imported only to check a snapshot read from a file (not by the probe,
# whose start-up is timed against ``import psutil``)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Converter = Callable[[Any], Any]

# Why a reading could not be taken. Kept short and stable: reports and tests match on them.
NOT_PRESENT = "not present"
NEEDS_ROOT = "needs root"
TOOL_MISSING = "tool missing"
UNREADABLE = "unreadable value"
NOT_SUPPORTED = "not supported"


class Gap(Record):
    part: str  # "identity", "cpu", "memory", "disk sda", "battery BAT0", ...
    field: str | None
    reason: str
    detail: str = ""


class OsInfo(Record):
    name: str  # linux | windows | macos
    release: str | None = None


class Identity(Record):
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


class Cpu(Record):
    model: str | None = None
    vendor: str | None = None
    arch: str | None = None
    cores: int | None = None
    threads: int | None = None
    max_mhz: float | None = None
    is_64bit: bool | None = None
    x86_64_level: int | None = None  # 1..4 (psABI micro-architecture levels), None off x86
    can_run: list[str] = field(default_factory=list)


class MemoryModule(Record):
    locator: str | None = None
    size_bytes: int | None = None
    type: str | None = None
    speed_mts: int | None = None
    manufacturer: str | None = None
    part_number: str | None = None


class Memory(Record):
    total_bytes: int | None = None
    modules: list[MemoryModule] = field(default_factory=list)


class Smart(Record):
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


class Disk(Record):
    name: str
    model: str | None = None
    serial: str | None = None
    size_bytes: int | None = None
    kind: str | None = None  # hdd | ssd | nvme | usb | None when unknown
    protocol: str | None = None  # ATA | NVMe | SCSI
    smart: Smart | None = None


class Battery(Record):
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


class Snapshot(Record):
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
        return to_dict(self)


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
    snap: Snapshot = _build(Snapshot, doc, where)
    if sum(d.size_bytes or 0 for d in snap.disks) > MOST_COUNT:  # the device's storage
        raise BadInput(
            Phrase(
                N_("{where}: the disks' sizes add up to more than {most} bytes"),
                where=where,
                most=MOST_COUNT,
            ),
            N_("the file is damaged or was not written by refurb; probe the machine again"),
        )
    return snap


def clean_snapshot(snap: Snapshot) -> Snapshot:
    """Clean every text field of a snapshot built in memory (the probe's), as
    ``snapshot_from_dict`` does for a file; ``raw`` evidence is left as it was."""
    _clean_fields(snap)
    return snap


def _clean_fields(obj: Any) -> None:
    for name in fields(obj):
        if name == "raw":
            continue
        value = getattr(obj, name)
        if isinstance(value, str):
            setattr(obj, name, clean_text(value))
        elif isinstance(value, list):
            setattr(obj, name, [_cleaned(v) for v in value])
        elif isinstance(value, Record):
            _clean_fields(value)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Record):
        _clean_fields(value)
    return value


# A converter per type, built once from the records' type hints: checking a
# snapshot then costs one call per value, not a look at its type hints each time. A
# converter takes the value alone; a value of the wrong kind raises _Wrong, and each
# level it passes on the way out adds its step (".disks", "[0]"), so a field's path is
# put together only for the one value that is refused.
_CONVERTERS: dict[Any, Converter] = {}
_ABSENT = object()


class _Wrong(Exception):
    """A value of the wrong kind: the message (its ``{path}`` filled in at the top) and
    the steps from the refused value up to the document, innermost first."""

    def __init__(self, template: str, **values: Any) -> None:
        self.template, self.values = template, values
        self.steps: list[str] = []


def _build(cls: type, value: Any, where: Any) -> Any:
    try:
        return _converter(cls)(value)
    except _Wrong as wrong:
        path = where
        for step in reversed(wrong.steps):
            path = _at(path, step)
        raise BadInput(Phrase(wrong.template, path=path, **wrong.values)) from None


def _converter(tp: Any) -> Converter:
    conv = _CONVERTERS.get(tp)
    if conv is None:
        conv = _CONVERTERS[tp] = _make_converter(tp)
    return conv


def _expected(words: str, value: Any) -> _Wrong:
    return _Wrong(N_("{path}: expected {expected}, found {found}"), expected=words,
                  found=_json_type(value))  # fmt: skip


# Every number in a snapshot (a size, a count, a capacity, a percentage) is at least 0,
# and at most what a database's BIGINT holds.
MOST_COUNT = 2**63 - 1


def _out_of_range(value: Any) -> _Wrong:
    shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}..."
    return _Wrong(
        N_("{path}: {value} is out of range (a number from 0 to {most})"),
        value=shown,
        most=MOST_COUNT,
    )


def _not_text(value: Any) -> _Wrong:
    return _Wrong(N_("{path}: expected text, found {found}"), found=_json_type(value))


def _not_object(value: Any) -> _Wrong:
    return _Wrong(N_("{path}: expected an object, found {found}"), found=_json_type(value))


def _make_converter(tp: Any) -> Converter:
    import types
    import typing

    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        if inner is str:  # most of a snapshot: text that may be missing
            return _optional_text
        if inner is int:  # then counts and sizes that may be missing

            def optional_count(value: Any) -> Any:
                if type(value) is int:
                    if 0 <= value <= MOST_COUNT:
                        return value
                    raise _out_of_range(value)
                if value is None:
                    return value
                raise _expected(_TYPE_WORDS[int], value)

            return optional_count
        if inner is bool:  # and flags

            def optional_flag(value: Any) -> Any:
                if value is None or type(value) is bool:
                    return value
                raise _expected(_TYPE_WORDS[bool], value)

            return optional_flag
        inner_conv = _converter(inner)
        return lambda value: None if value is None else inner_conv(value)
    if origin is list:
        item = _converter(typing.get_args(tp)[0])

        def as_list(value: Any) -> Any:
            if type(value) is not list:
                raise _Wrong(N_("{path}: expected a list, found {found}"), found=_json_type(value))
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(item(v))
                except _Wrong as wrong:
                    wrong.steps.append(f"[{i}]")
                    raise
            return out

        return as_list
    if origin is dict:

        def as_dict(value: Any) -> Any:
            if type(value) is not dict:
                raise _not_object(value)
            return value

        return as_dict
    if is_record(tp):
        return _record_converter(tp)
    if tp is typing.Any:
        return lambda value: value
    if tp is float:

        def as_float(value: Any) -> Any:
            kind = type(value)
            if kind is float or kind is int:
                try:
                    number = float(value)
                except OverflowError:  # a whole number too large for a float
                    raise _out_of_range(value) from None
                if 0 <= number <= MOST_COUNT:  # NaN and the infinities are not
                    return number
                raise _out_of_range(value)
            raise _Wrong(N_("{path}: expected a number, found {found}"), found=_json_type(value))

        return as_float
    if tp is str:

        def as_text(value: Any) -> Any:
            if type(value) is not str:
                raise _not_text(value)
            return clean_text(value)

        return as_text

    def as_scalar(value: Any) -> Any:
        # bool is an int in Python; a JSON true is not a whole number
        if type(value) is not tp:
            raise _expected(_TYPE_WORDS.get(tp, tp.__name__), value)
        return value

    return as_scalar


def _optional_text(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is not str:
        raise _not_text(value)
    return clean_text(value)


def _record_converter(cls: type[Record]) -> Converter:
    hints = type_hints(cls)
    plan: list[tuple[str, bool, Converter]] = []

    def build(value: Any) -> Any:
        if type(value) is not dict:
            raise _not_object(value)
        if not plan:  # the fields' converters, once (a record may nest itself)
            for name in fields(cls):
                plan.append((name, name in cls.__required__, _converter(hints[name])))
        kwargs = {}
        get = value.get
        for name, required, conv in plan:
            v = get(name, _ABSENT)
            if v is _ABSENT:
                if required:
                    raise _Wrong(N_("{path}: the required field {name!r} is missing"), name=name)
                continue
            try:
                kwargs[name] = conv(v)
            except _Wrong as wrong:
                wrong.steps.append(f".{name}")
                raise
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
