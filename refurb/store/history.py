"""A device's history from the database, as the rulebook's steps, and the next place
in it.

Order: a device's events are ordered by ``seq`` within the record they were made on
(``origin``), ties (the hub and a station both writing the same device) by time and id.
A device folded at a hub from two shops' records has two origins; their histories are
merged by time, each kept in its own order.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import SQLModel

import refurb.store.tables  # noqa: F401  (registers the tables on the metadata)
from refurb.lifecycle.history import SITE_KINDS, DeviceState, Step, fold

_T = SQLModel.metadata.tables
E, D, DR, L = _T["events"], _T["devices"], _T["drives"], _T["lots"]
_CHUNK = 500

_COLS = (
    E.c.id,
    E.c.device_id,
    E.c.at,
    E.c.kind,
    E.c.status,
    E.c.participant_id,
    E.c.seq,
    E.c.origin,
    E.c.data,
    E.c.voided_by,
    E.c.note,
)


def step_of(row: Any) -> tuple[Step, bool]:
    """An event row as a rulebook step, and whether the rulebook judges it (events
    recorded before the rulebook existed are folded, not judged)."""
    data: dict[str, Any] = json.loads(row.data) if row.data else {}
    return (
        Step(
            seq=row.seq,
            kind=row.kind,
            status=row.status,
            participant=row.participant_id,
            drive=data.get("drive"),
            result=data.get("result"),
            seen=tuple(data.get("seen", ())),
            failing=tuple(data.get("failing", ())),
            what=data.get("what"),
            at=row.at,
            site=data.get("site"),
        ),
        not data.get("legacy"),
    )


def ordered(rows: Iterable[Any]) -> list[Any]:
    """One device's event rows in its own order (see the module's note)."""
    by_origin: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_origin[r.origin or r.device_id].append(r)
    runs = [sorted(rs, key=lambda r: (r.seq, r.at, r.id)) for rs in by_origin.values()]
    if len(runs) == 1:
        return runs[0]
    # each origin's run stays in its own order; runs are interleaved by time
    keyed = [[(r.at, origin, i, r) for i, r in enumerate(run)] for origin, run in enumerate(runs)]
    return [item[3] for item in heapq.merge(*keyed, key=lambda x: (x[0], x[1], x[2]))]


def live(rows: Iterable[Any]) -> list[Any]:
    """The events no correction voided (the void events themselves change nothing)."""
    return [r for r in rows if r.voided_by is None and r.kind != "void"]


def weight_of(row: Any) -> float | None:
    """The kilograms a ``weighed`` event recorded (older events say it only in the note,
    "2.1 kg")."""
    data = json.loads(row.data) if getattr(row, "data", None) else {}
    if "kg" in data:
        return float(data["kg"])
    note = (getattr(row, "note", None) or "").removesuffix(" kg")
    try:
        return float(note)
    except ValueError:
        return None


def derived_status(rows: list[Any]) -> str | None:
    """The status of the last status event no correction voided, in an ordered history."""
    return next((r.status for r in reversed(rows) if r.status and r.voided_by is None), None)


def derived_site(rows: list[Any]) -> str | None:
    """The site of the last live seen/sited event, in an ordered history (None: none)."""
    for r in reversed(live(rows)):
        if r.kind in SITE_KINDS:
            site = (json.loads(r.data) if r.data else {}).get("site")
            if site:
                return str(site)
    return None


def histories(conn: Connection, device_ids: Iterable[str]) -> dict[str, list[Any]]:
    """Every listed device's event rows, each in its own order."""
    ids = list(dict.fromkeys(device_ids))
    rows: dict[str, list[Any]] = {i: [] for i in ids}
    for i in range(0, len(ids), _CHUNK):
        for r in conn.execute(select(*_COLS).where(E.c.device_id.in_(ids[i : i + _CHUNK]))):
            rows[r.device_id].append(r)
    return {i: ordered(rs) for i, rs in rows.items()}


def known_facts(conn: Connection, device_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The facts a state needs besides events: the donor's wish, the parts the probe
    found, and words for each drive."""
    ids = list(dict.fromkeys(device_ids))
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        for r in conn.execute(
            select(D.c.id, D.c.memory_bytes, D.c.battery_health_pct, L.c.donor_choice, L.c.site)
            .select_from(D.outerjoin(L, L.c.id == D.c.lot_id))
            .where(D.c.id.in_(chunk))
        ):
            kinds = {"ram"} if r.memory_bytes else set()
            if r.battery_health_pct is not None:
                kinds.add("battery")
            out[r.id] = {
                "recycle_only": r.donor_choice == "recycle",
                "kinds": frozenset(kinds),
                "labels": {},
                "site": r.site,
            }
        for d in conn.execute(
            select(DR.c.id, DR.c.device_id, DR.c.name, DR.c.model, DR.c.serial).where(
                DR.c.device_id.in_(chunk)
            )
        ):
            if d.device_id in out:
                out[d.device_id]["labels"][d.id] = drive_label(d.name, d.model, d.serial)
    return out


def drive_label(name: str | None, model: str | None, serial: str | None) -> str:
    return " ".join(x for x in (name, model, f"(serial {serial})" if serial else None) if x)


def state_of(conn: Connection, device_id: str, tag: str) -> DeviceState:
    """One device's state now."""
    rows = live(histories(conn, [device_id])[device_id])
    facts = known_facts(conn, [device_id]).get(device_id, {})
    return fold(tag, (step_of(r)[0] for r in rows), **facts)


def next_seq(conn: Connection, device_id: str, origin: str | None = None) -> int:
    """The next place in the history the device's own record is writing."""
    origin = origin or device_id
    top = conn.execute(
        select(func.max(E.c.seq)).where(
            E.c.device_id == device_id, func.coalesce(E.c.origin, E.c.device_id) == origin
        )
    ).scalar()
    return (top or 0) + 1


def all_device_ids(conn: Connection, chunk: int = 2000) -> Iterator[list[str]]:
    last = ""
    while True:
        ids = list(
            conn.execute(
                select(D.c.id).where(D.c.id > last).order_by(D.c.id).limit(chunk)
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]
