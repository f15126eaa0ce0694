"""Running tallies for funder reports, kept in the same transaction as the events.

A report over a million devices cannot read every event in under a second, so the
figures are kept as sums. Each device (and each participant) *contributes* a few rows,
computed purely from its own events and attributes (``device_rows``, ``people_rows``);
the tally tables hold the sum of all contributions. A transaction that writes events or
changes a device first *watches* the devices and participants it will touch (their
contributions are read before any write), and when it commits the keeper reads them
again and adds the difference. The sum is exact whatever the order events arrive in
(bundles from field stations arrive late and out of order).

"Once per device per period, in the month of its first event" is kept exact by storing,
for each month a device has a matching event, the previous such month (``prev``): a
device counts in the period [a, b) in the month m where a <= m < b and prev < a.

``compute`` rebuilds every tally from the event log (the migration that introduced them
does this, and ``refurb db verify`` compares). Periods that do not start and end on the
first of a month are counted from the events directly (refurb.store.reporting).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    inspect,
    literal,
    select,
    true,
    type_coerce,
)
from sqlmodel import Session, SQLModel

import refurb.store.tables  # noqa: F401  (registers the tables on the metadata)

# measure -> the statuses whose event makes a device count
STATUS_OF: dict[str, tuple[str, ...]] = {
    "received": ("received",),
    "refurbished": ("ready",),
    "issued": ("issued",),
    "returned": ("returned",),
    "harvested": ("harvested",),
    "recycled": ("recycled",),
    "diverted": ("issued", "harvested", "recycled"),
}
FINAL = ("issued", "harvested", "recycled")
RELEVANT = tuple(sorted({s for v in STATUS_OF.values() for s in v}))
# "" everyone; the device's community, site, lot and donor; "home": the participant's own
# community (where they live, which may differ from where the laptop came from)
SCOPES = ("", "community", "site", "lot", "donor", "home")
_RELEVANT = frozenset(RELEVANT)
_FINAL = frozenset(FINAL)

_T = SQLModel.metadata.tables
E, D, L, P = _T["events"], _T["devices"], _T["lots"], _T["participants"]
# an event that a later correction voided counts for nothing (refurb void)
LIVE = E.c.voided_by.is_(None)
SHIPMENTS, ITEMS = _T["shipments"], _T["shipment_items"]
MARKS, PEOPLE, FINALS, STATUSES = (
    _T["tally_marks"],
    _T["tally_people"],
    _T["tally_finals"],
    _T["tally_statuses"],
)
# first element of a key -> (table, key columns, value columns)
TABLES: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    "m": (
        MARKS,
        ("measure", "month", "prev", "community", "lot_id", "chassis"),
        ("n", "unweighed", "grams"),
    ),
    "p": (PEOPLE, ("scope", "key", "month", "prev"), ("n",)),
    "f": (FINALS, ("month",), ("n",)),
    "s": (STATUSES, ("status", "month"), ("n",)),
}

Key = tuple[str, ...]
Rows = dict[Key, list[int]]


def month_of(at: datetime | str) -> str:
    """The UTC calendar month, "YYYY-MM"."""
    if isinstance(at, str):
        return at[:7]
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return f"{at.year:04d}-{at.month:02d}"


def _add(out: Rows, key: Key, values: Iterable[int]) -> None:
    have = out.get(key)
    if have is None:
        out[key] = list(values)
    else:
        for i, v in enumerate(values):
            have[i] += v


def _merge(into: Rows, other: Rows, sign: int = 1) -> None:
    for key, values in other.items():
        _add(into, key, (sign * v for v in values))


# --- what one device or participant contributes (pure) ------------------------------


def device_rows(out: Rows, dev: Any, events: list[tuple[Any, str]], shipped_kg: Any = None) -> None:
    """Add one device's contribution. ``dev`` has community, lot_id, chassis, weight_kg,
    status and created_at; ``events`` are its (at, status) status events; ``shipped_kg``
    its share of a closed shipment's weight (``shipment_shares``), which, when there is
    one, is its measured weight."""
    where = (dev.community or "", dev.lot_id or "", dev.chassis or "")
    kg = shipped_kg if shipped_kg is not None else dev.weight_kg
    vec = (1, 0, round(float(kg) * 1000)) if kg is not None else (1, 1, 0)
    months_of: dict[str, set[str]] = {}
    for at, status in events:
        if status in _RELEVANT:
            months_of.setdefault(status, set()).add(month_of(at))
    for measure, statuses in STATUS_OF.items():
        months = set().union(*(months_of.get(s, ()) for s in statuses))
        prev = ""
        for month in sorted(months):
            _add(out, ("m", measure, month, prev, *where), vec)
            prev = month
    if "returned" in months_of or not _FINAL.isdisjoint(months_of):
        _finality(out, [e for e in events if e[1] in _FINAL or e[1] == "returned"])
    _add(out, ("s", dev.status or "", month_of(dev.created_at)), (1,))


def _finality(out: Rows, events: list[tuple[Any, str]]) -> None:
    """Final at a moment: its last final event is later than its last return (the rule
    refurb.store.reporting.in_process applies to the events themselves)."""
    final = False
    last_final: Any = None
    last_return: Any = None
    for at, same_time in groupby(sorted(events, key=lambda e: e[0]), key=lambda e: e[0]):
        now_statuses = {s for _, s in same_time}
        if not _FINAL.isdisjoint(now_statuses):
            last_final = at
        if "returned" in now_statuses:
            last_return = at
        now = last_final is not None and (last_return is None or last_return < last_final)
        if now != final:
            _add(out, ("f", month_of(at)), (1 if now else -1,))
            final = now


def people_rows(out: Rows, issues: list[tuple[Any, ...]]) -> None:
    """Add one participant's contribution: ``issues`` are (at, community, site, lot_id,
    donor, home) of the laptops issued to them, in the order of SCOPES after the time."""
    for index, scope in enumerate(SCOPES):
        months: dict[str, set[str]] = defaultdict(set)
        for issue in issues:
            months["" if index == 0 else issue[index] or ""].add(month_of(issue[0]))
        for key, seen in months.items():
            prev = ""
            for month in sorted(seen):
                _add(out, ("p", scope, key, month, prev), (1,))
                prev = month


# --- shipments: the recycler's weight, spread over the shipment's devices ------------


def shipment_shares(device_ids: Iterable[str] | None = None) -> Any:
    """Each shipped device's share of its closed shipment's weight, in kg (a subquery:
    device_id, kg). The recycler's total, to the gram, is spread evenly over the
    shipment's devices; the first ``grams % n`` of them (in id order) carry one gram
    more, so the shares add up to the total exactly. Only shipments that are closed with
    a weight count. ``device_ids``: only the shipments holding one of these devices."""
    grams = cast(func.round(SHIPMENTS.c.weight_kg * 1000), BigInteger)
    ranked = (
        select(
            ITEMS.c.device_id,
            grams.label("g"),
            func.count().over(partition_by=ITEMS.c.shipment_id).label("n"),
            func.row_number()
            .over(partition_by=ITEMS.c.shipment_id, order_by=ITEMS.c.device_id)
            .label("rn"),
        )
        .select_from(ITEMS.join(SHIPMENTS, SHIPMENTS.c.id == ITEMS.c.shipment_id))
        .where(SHIPMENTS.c.closed_at.is_not(None), SHIPMENTS.c.weight_kg.is_not(None))
    )
    if device_ids is not None:
        ranked = ranked.where(
            ITEMS.c.shipment_id.in_(
                select(ITEMS.c.shipment_id).where(ITEMS.c.device_id.in_(list(device_ids)))
            )
        )
    r = ranked.subquery("ranked")
    share = r.c.g // r.c.n + case((r.c.rn <= r.c.g % r.c.n, 1), else_=0)
    # one row per device, whatever happens (a device is in one shipment at most)
    return (
        select(r.c.device_id, func.max(cast(share, Float) / 1000.0).label("kg"))
        .group_by(r.c.device_id)
        .subquery("shipped")
    )


def shipped_kg(conn: Connection, device_ids: list[str]) -> dict[str, float]:
    shares = shipment_shares(device_ids)
    return {
        device_id: kg
        for device_id, kg in conn.execute(
            select(shares.c.device_id, shares.c.kg).where(shares.c.device_id.in_(device_ids))
        )
    }


# --- reading contributions from the database ----------------------------------------


def _chunks(ids: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def read_devices(conn: Connection, ids: Iterable[str], lock: bool = False) -> tuple[Rows, set[str]]:
    """The contributions of these devices as stored now, and the participants their
    issued events name."""
    out: Rows = {}
    people: set[str] = set()
    lock = lock and conn.dialect.name == "postgresql"
    for chunk in _chunks(ids):
        q = select(
            D.c.id,
            D.c.community,
            D.c.lot_id,
            D.c.chassis,
            D.c.weight_kg,
            D.c.status,
            D.c.created_at,
        ).where(D.c.id.in_(chunk))
        if lock:  # another hub writer touching these devices waits for this transaction
            q = q.order_by(D.c.id).with_for_update()
        devices = {r.id: r for r in conn.execute(q)}
        if not devices:
            continue
        shipped = shipped_kg(conn, list(devices))
        events: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        # Filtered here, not in SQL: with a status condition SQLite picks the status
        # index and reads every issued event for each batch.
        for r in conn.execute(
            select(E.c.device_id, _at(conn), E.c.status, E.c.participant_id).where(
                E.c.device_id.in_(list(devices)), LIVE
            )
        ):
            if r.status not in _RELEVANT:
                continue
            events[r.device_id].append((r.at, r.status))
            if r.status == "issued" and r.participant_id:
                people.add(r.participant_id)
        for device_id, dev in devices.items():
            device_rows(out, dev, events.get(device_id, []), shipped.get(device_id))
    return out, people


def _issues_query(conn: Connection, voids: bool = True) -> Any:
    return (
        select(
            E.c.participant_id,
            _at(conn),
            D.c.community,
            L.c.site,
            D.c.lot_id,
            L.c.donor,
            P.c.community,
        )
        .select_from(
            E.join(D, D.c.id == E.c.device_id)
            .outerjoin(L, L.c.id == D.c.lot_id)
            .join(P, P.c.id == E.c.participant_id)
        )
        .where(E.c.status == "issued", E.c.participant_id.is_not(None), LIVE if voids else true())
    )


def read_people(conn: Connection, ids: Iterable[str], lock: bool = False) -> Rows:
    out: Rows = {}
    lock = lock and conn.dialect.name == "postgresql"
    for chunk in _chunks(ids):
        if lock:
            conn.execute(select(P.c.id).where(P.c.id.in_(chunk)).order_by(P.c.id).with_for_update())
        issues: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for r in conn.execute(_issues_query(conn).where(E.c.participant_id.in_(chunk))):
            issues[r[0]].append(tuple(r[1:]))
        for rows in issues.values():
            people_rows(out, rows)
    return out


def _at(conn: Connection) -> Any:
    """Event times. On SQLite the stored UTC text as it is ("YYYY-MM-DD HH:MM:SS..."):
    it sorts as the times do and its first seven characters are the month, and parsing
    millions of them into datetimes is most of a rebuild's time."""
    if conn.dialect.name == "sqlite":
        return type_coerce(E.c.at, String).label("at")
    return E.c.at


def compute(conn: Connection, voids: bool = True) -> Rows:
    """Every tally, from the event log (one pass over devices and events, streamed in
    device order; for rebuilds and checks)."""
    out: Rows = {}
    dev_cols = (D.c.id, D.c.community, D.c.lot_id, D.c.chassis, D.c.weight_kg, D.c.status)
    created = (
        type_coerce(D.c.created_at, String) if conn.dialect.name == "sqlite" else D.c.created_at
    )
    devices: Any = D
    shipped: Any = literal(None).label("shipped_kg")
    # (the migration that introduced the tallies fills them before shipments existed)
    if inspect(conn).has_table(ITEMS.name):
        shares = shipment_shares()
        devices = D.outerjoin(shares, shares.c.device_id == D.c.id)
        shipped = shares.c.kg.label("shipped_kg")
    rows = conn.execute(
        select(
            *dev_cols, created.label("created_at"), shipped, _at(conn), E.c.status.label("event")
        )
        .select_from(devices.outerjoin(E, (E.c.device_id == D.c.id) & (LIVE if voids else true())))
        .order_by(D.c.id)
        .execution_options(yield_per=5000)  # streamed: memory does not grow with devices
    )
    for _, group in groupby(rows, key=lambda r: r[0]):
        first = None
        events = []
        for r in group:
            first = first or r
            if r.event in _RELEVANT:
                events.append((r.at, r.event))
        device_rows(out, first, events, first.shipped_kg if first is not None else None)
    rows = conn.execute(
        _issues_query(conn, voids).order_by(E.c.participant_id).execution_options(yield_per=5000)
    )
    for _, issues in groupby(rows, key=lambda r: r[0]):
        people_rows(out, [tuple(r[1:]) for r in issues])
    return {k: v for k, v in out.items() if any(v)}


def stored(conn: Connection) -> Rows:
    out: Rows = {}
    for kind, (table, keys, values) in TABLES.items():
        for r in conn.execute(select(table)):
            vals = [int(r._mapping[c]) for c in values]
            if any(vals):
                out[(kind, *(r._mapping[c] for c in keys))] = vals
    return out


def rebuild(conn: Connection, voids: bool = True) -> int:
    """Replace every tally by one computed from the events; returns the rows written."""
    rows = compute(conn, voids)
    for table, _, _ in TABLES.values():
        conn.execute(delete(table))
    for kind, (table, keys, values) in TABLES.items():
        batch = [_row(keys, values, k, v) for k, v in sorted(rows.items()) if k[0] == kind]
        for i in range(0, len(batch), 5000):
            conn.execute(insert(table), batch[i : i + 5000])
    return len(rows)


def differences(conn: Connection) -> list[str]:
    """Tallies that do not match the events (empty when all is well)."""
    want, have = compute(conn), stored(conn)
    return [
        f"{' '.join(k)}: stored {have.get(k)}, events say {want.get(k)}"
        for k in sorted(set(want) | set(have))
        if want.get(k) != have.get(k)
    ]


def _row(
    keys: tuple[str, ...], values: tuple[str, ...], key: Key, vals: list[int]
) -> dict[str, Any]:
    return dict(zip(keys, key[1:], strict=True)) | dict(zip(values, vals, strict=True))


def _upsert(conn: Connection, rows: Rows) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for kind, (table, keys, values) in TABLES.items():
        batch = [_row(keys, values, k, v) for k, v in sorted(rows.items()) if k[0] == kind]
        if not batch:
            continue
        stmt = dialect_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: table.c[c] + stmt.excluded[c] for c in values},
        )
        conn.execute(stmt, batch)


# --- keeping them in step with a transaction ----------------------------------------


class Keeper:
    """Collects what a transaction touches and applies the difference at commit."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.devices: set[str] = set()
        self.people: set[str] = set()
        self.before: Rows = {}
        self.known: dict[str, tuple[Any, list[tuple[Any, str]]]] = {}

    def watch(self, devices: Iterable[str] = (), people: Iterable[str] = ()) -> None:
        """Call before writing: devices whose events or attributes will change, and
        participants who will be issued a laptop."""
        devices = set(devices)
        for device_id in devices & self.known.keys():
            del self.known[device_id]  # changed after it was made: read it back at the end
        new = devices - self.devices
        linked: set[str] = set()
        if new:
            rows, linked = read_devices(self.conn, new, lock=True)
            self.devices |= new
            _merge(self.before, rows)
        new_people = (set(people) | linked) - self.people
        if new_people:
            self.people |= new_people
            _merge(self.before, read_people(self.conn, new_people, lock=True))

    def created(self, devices: Iterable[str] = (), people: Iterable[str] = ()) -> None:
        """Records this transaction makes: they contributed nothing before."""
        self.devices |= set(devices)
        self.people |= set(people)

    def created_known(self, device_id: str, dev: Any, events: list[tuple[Any, str]]) -> None:
        """A device this transaction makes, with everything it will hold (its attributes
        and status events): its contribution is computed here, not read back. Should the
        transaction touch it again, ``watch`` drops this and ``apply`` reads it."""
        self.devices.add(device_id)
        self.known[device_id] = (dev, events)

    def apply(self) -> None:
        after, linked = read_devices(self.conn, self.devices - self.known.keys())
        for dev, events in self.known.values():
            device_rows(after, dev, events)
        unwatched = linked - self.people
        if unwatched:
            raise RuntimeError(
                f"internal error: participants {sorted(unwatched)[:3]} were issued a laptop "
                "without being watched; the tallies would drift"
            )
        _merge(after, read_people(self.conn, self.people))
        _merge(after, self.before, -1)
        diff = {k: v for k, v in after.items() if any(v)}
        if diff:
            _upsert(self.conn, diff)
        self.devices.clear()
        self.people.clear()
        self.known.clear()
        self.before = {}


def keeper(session: Session) -> Keeper:
    """The keeper of this session's transaction (Store.transaction applies it)."""
    k = session.info.get("tallies")
    if k is None:
        k = session.info["tallies"] = Keeper(session.connection())
    return k


def apply(session: Session) -> None:
    k = session.info.pop("tallies", None)
    if k is not None:
        session.flush()
        k.apply()
