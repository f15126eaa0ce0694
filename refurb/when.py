"""When something happened, as a person writes it on a paper sheet: a date, or a date
and time, in the station's time zone. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# a date alone is taken as midday: the day stays the same in every time zone near it,
# and steps entered for one day keep the order they are entered in
MIDDAY = time(12, 0)
_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)


def zone(name: str | None) -> tzinfo:
    """The named IANA zone, else the computer's own."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r} (use a name like America/Iqaluit)"
            ) from None
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else UTC


def parse_when(text: str, tz: tzinfo) -> datetime:
    """``2026-09-15`` (midday) or ``2026-09-15 14:30`` in ``tz``, or an ISO 8601 time with
    its own UTC offset; returned in UTC. ValueError with a plain reason otherwise."""
    text = text.strip()
    parsed = _local(text)
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise ValueError(
                f"{text!r} is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)"
            )
    if not 1990 <= parsed.year <= 2100:
        raise ValueError(f"{text!r}: the year is not plausible")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _local(text: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return datetime.combine(parsed.date(), MIDDAY) if fmt == "%Y-%m-%d" else parsed
    return None
