"""Recording snapshots and their assessments: the device (found by identity or created
under a new tag), the immutable snapshot with its raw evidence, the drives, the
assessment with its findings, and the events.

One path for one snapshot (``refurb intake``) and for thousands (``refurb import``):
a batch is planned in Python against what the database already holds (a few
``IN (...)`` look-ups), then every table is written with one multi-row insert. A refused
item (a different snapshot under a known id, two machines sharing a serial, an
implausible weight) is reported for that item alone and writes nothing. If the batch
loses a race with another station (the same random tag, the same new machine recorded a
moment earlier), it is rolled back to its savepoint and its items are recorded one by
one, each retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Dialect, Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import Session, SQLModel

from refurb import model
from refurb.assess.verdict import Assessment as Verdict
from refurb.errors import BadInput, RefurbError, Refused
from refurb.i18n import N_, Phrase
from refurb.identity import identity_key, real
from refurb.ids import new_id
from refurb.lifecycle.rules import (
    DEVICE_KG,
    FUTURE_TOLERANCE,
    plausible_kg,
    probe_of,
    status_after_probe,
)
from refurb.store import tallies
from refurb.store.inventory import canonical_json, get_lot, now
from refurb.store.tables import (
    Assessment,
    Device,
    DeviceAlias,
    Drive,
    Event,
    Finding,
    Lot,
    Snapshot,
)
from refurb.tags import new_tag

# The Core tables behind the SQLModel classes.
_TABLES = SQLModel.metadata.tables
D = _TABLES[Device.__tablename__]
S = _TABLES[Snapshot.__tablename__]
E = _TABLES[Event.__tablename__]
DR = _TABLES[Drive.__tablename__]
A = _TABLES[Assessment.__tablename__]
F = _TABLES[Finding.__tablename__]
AL = _TABLES[DeviceAlias.__tablename__]
_CHUNK = 500  # values in one IN (...) list


@dataclass
class IntakeResult:
    outcome: str  # new | updated | known
    tag: str
    device_id: str
    snapshot_id: str
    disposition: str | None
    status: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Item:
    """One snapshot to record, with its verdict. ``doc`` is the document as read from a
    file (kept as is, unknown keys included); without it the snapshot is serialised."""

    snap: model.Snapshot
    verdict: Verdict
    doc: dict[str, Any] | None = None
    checklist: dict[str, Any] | None = None
    weight_kg: float | None = None
    distinct: bool = False
    at: datetime | None = None  # when it was received or probed, if not now (paper records)
    text: str | None = None  # ``doc`` as canonical JSON, when the caller made it already


def record_snapshot(
    session: Session,
    snap: model.Snapshot,
    verdict: Verdict,
    *,
    operator: str | None,
    station: str,
    lot_code: str | None = None,
    weight_kg: float | None = None,
    distinct: bool = False,
    checklist: dict[str, Any] | None = None,
    doc: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IntakeResult:
    """Record one snapshot; a refusal is raised."""
    (result,) = record_snapshots(
        session,
        [Item(snap, verdict, doc, checklist, weight_kg, distinct, at)],
        operator=operator,
        station=station,
        lot_code=lot_code,
    )
    if isinstance(result, RefurbError):
        raise result
    return result


def record_snapshots(
    session: Session,
    items: list[Item],
    *,
    operator: str | None,
    station: str,
    lot_code: str | None = None,
) -> list[IntakeResult | RefurbError]:
    """Record a batch; each item's result, or the error that refused it, in order."""
    lot = get_lot(session, lot_code) if lot_code else None
    conn = session.connection()  # Core on the session's connection: no ORM bookkeeping
    tries = 1 if len(items) > 1 else 8
    for _ in range(tries):
        try:
            with conn.begin_nested():
                return _write(conn, items, operator, station, lot, tallies.keeper(session))
        except IntegrityError:
            continue
    if len(items) > 1:
        out: list[IntakeResult | RefurbError] = []
        for item in items:
            out.extend(
                record_snapshots(
                    session, [item], operator=operator, station=station, lot_code=lot_code
                )
            )
        return out
    raise Refused(
        N_("could not record the snapshot after 8 tries (conflicting writers)"),
        N_("try again; report it if it keeps happening"),
    )


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


@dataclass
class _Dev:
    """A device as the batch sees it: from the database, or new in this batch."""

    id: str
    tag: str
    status: str
    vendor: str | None
    model: str | None
    lot_id: str | None
    year: int | None
    new: bool
    drives: list[list[Any]]  # [id, name, model, serial, present]
    seq: int = 0  # the last place in its history
    last_at: datetime | None = None  # the time of its latest event
    uuids: set[str] | None = None  # real system UUIDs seen, loaded when first needed
    row: dict[str, Any] = field(default_factory=dict)  # the insert, or the update's values


def _write(
    conn: Connection,
    items: list[Item],
    operator: str | None,
    station: str,
    lot: Lot | None,
    keeper: tallies.Keeper,
) -> list[IntakeResult | RefurbError]:
    t = now()
    texts = [
        i.text
        if i.text is not None
        else canonical_json(i.doc if i.doc is not None else i.snap.to_dict())
        for i in items
    ]
    digests = [hashlib.sha256(x.encode("utf-8")).hexdigest() for x in texts]
    sids = list({i.snap.snapshot_id for i in items})
    known: dict[str, Any] = {}
    for chunk in _chunks(sids):
        for krow in conn.execute(
            select(S.c.id, S.c.sha256, D.c.id.label("did"), D.c.tag, D.c.status, D.c.disposition)
            .join(D, D.c.id == S.c.device_id)
            .where(S.c.id.in_(chunk))
        ):
            known[krow.id] = krow
    keys = [
        None
        if (k := identity_key(i.snap.identity)) is None
        else (
            ("distinct", hashlib.sha256(f"{k[1]}:{i.snap.snapshot_id}".encode()).hexdigest()[:32])
            if i.distinct
            else k
        )
        for i in items
    ]
    devs: dict[str, _Dev] = {}  # by identity key
    wanted = list({k[1] for k in keys if k is not None})
    for chunk in _chunks(wanted):
        for row in conn.execute(
            select(
                D.c.id,
                D.c.tag,
                D.c.status,
                D.c.vendor,
                D.c.model,
                D.c.lot_id,
                D.c.year,
                D.c.identity_key,
            )
            .where(D.c.identity_key.in_(chunk))
            .order_by(D.c.id)
            .with_for_update()  # PostgreSQL: the rows are judged as they are now
        ):
            devs[row.identity_key] = _Dev(
                row.id,
                row.tag,
                row.status,
                row.vendor,
                row.model,
                row.lot_id,
                row.year,
                new=False,
                drives=[],
            )
    by_id = {d.id: d for d in devs.values()}
    for chunk in _chunks(list(by_id)):
        for drow in conn.execute(
            select(DR.c.id, DR.c.device_id, DR.c.name, DR.c.model, DR.c.serial, DR.c.present)
            .where(DR.c.device_id.in_(chunk))
            .order_by(DR.c.first_seen, DR.c.id)
        ):
            by_id[drow.device_id].drives.append(
                [drow.id, drow.name, drow.model, drow.serial, drow.present]
            )
        for device_id, top, last_at in conn.execute(
            select(E.c.device_id, func.max(E.c.seq), func.max(E.c.at))
            .where(E.c.device_id.in_(chunk), E.c.origin == E.c.device_id)
            .group_by(E.c.device_id)
        ):
            by_id[device_id].seq = top or 0
            by_id[device_id].last_at = _aware(last_at)

    results: list[IntakeResult | RefurbError] = []
    rows: dict[str, list[dict[str, Any]]] = {
        "snap": [],
        "drive": [],
        "assess": [],
        "finding": [],
        "event": [],
        "back": [],  # drives seen again after they were recorded as removed
    }
    seen_sids: dict[str, int] = {}
    created: list[_Dev] = []
    # at most one new device per snapshot not yet recorded and machine not yet known
    tags = _fresh_tags(
        conn,
        station,
        sum(
            1
            for i, k in zip(items, keys, strict=True)
            if i.snap.snapshot_id not in known and (k is None or k[1] not in devs)
        ),
    )
    for n, item in enumerate(items):
        snap, sid = item.snap, item.snap.snapshot_id
        if sid in known or sid in seen_sids:
            same = known[sid].sha256 if sid in known else digests[seen_sids[sid]]
            if same != digests[n]:
                results.append(
                    Refused(
                        Phrase(
                            N_("snapshot {sid} is already recorded with different content"), sid=sid
                        ),
                        N_("a snapshot file was edited; probe the machine again"),
                    )
                )
                continue
            if sid in known:
                row = known[sid]
                results.append(
                    IntakeResult("known", row.tag, row.did, sid, row.disposition, row.status)
                )
            else:
                first = results[seen_sids[sid]]
                assert isinstance(first, IntakeResult)
                results.append(
                    IntakeResult(
                        "known", first.tag, first.device_id, sid, first.disposition, first.status
                    )
                )
            continue
        if item.weight_kg is not None and not plausible_kg(item.weight_kg, DEVICE_KG):
            results.append(
                BadInput(
                    Phrase(
                        N_("weight {weight_kg} kg is not plausible for one device"),
                        weight_kg=item.weight_kg,
                    ),
                    N_("give the weight in kilograms, e.g. 2.1"),
                )
            )
            continue
        key = keys[n]
        dev = devs.get(key[1]) if key is not None else None
        when = item.at
        if when is not None:
            if when > t + FUTURE_TOLERANCE:
                results.append(
                    BadInput(
                        Phrase(
                            N_("{when} is in the future"),
                            when=when.isoformat(timespec="minutes"),
                        ),
                        N_("give the date it was received or probed"),
                    )
                )
                continue
            if dev is not None and dev.last_at is not None and when < dev.last_at:
                results.append(
                    Refused(
                        Phrase(
                            N_("{tag}: {when} is before its latest recorded step ({last})"),
                            tag=dev.tag,
                            when=when.isoformat(timespec="minutes"),
                            last=dev.last_at.isoformat(timespec="minutes"),
                        ),
                        N_("enter records in the order they happened"),
                        rule="time-order",
                    )
                )
                continue
        te = when or t  # when it happened; ``t``: when it is recorded
        out = probe_of(dev.tag, dev.status) if dev is not None else None
        if out is not None:
            results.append(Refused(out.reason, out.remedy, rule=out.rule))
            continue
        if dev is not None and key is not None and key[0] in ("serial", "board"):
            refusal = _shared_serial(conn, dev, snap.identity)
            if refusal is not None:
                results.append(refusal)
                continue
        warnings = (
            []
            if key is not None
            else [
                # English; the front door translates it (refurb.i18n)
                N_(
                    "no trustworthy serial, board serial, UUID or MAC: this machine gets a new "
                    "record each time it is probed; label it now and use the tag"
                )
            ]
        )
        outcome = "updated"
        if dev is None:
            outcome = "new"
            dev = _Dev(
                new_id(),
                tags.pop(),
                "received",
                real(snap.identity.vendor),
                real(snap.identity.model),
                None,
                None,
                new=True,
                drives=[],
            )
            dev.row = {
                "id": dev.id,
                "tag": dev.tag,
                "identity_kind": key[0] if key else None,
                "identity_key": key[1] if key else None,
                "vendor": dev.vendor,
                "model": dev.model,
                "serial": real(snap.identity.serial),
                "chassis": snap.identity.chassis,
                "lot_id": None,
                "community": None,
                "weight_kg": None,
                "year": None,
                "created_at": te,
            }
            created.append(dev)
            if key is not None:
                devs[key[1]] = dev
            _event(
                rows,
                dev,
                te,
                operator,
                station,
                "status",
                "received",
                f"lot {lot.code}" if lot else None,
            )
        if dev.new or dev.uuids is not None:
            uuid = real(snap.identity.uuid)
            if uuid:
                dev.uuids = (dev.uuids or set()) | {uuid.casefold()}
        _plan_device(dev, item, lot, t)
        seen = _plan_drives(rows, dev, snap, te)
        _event(
            rows,
            dev,
            te,
            operator,
            station,
            "probed",
            None,
            None,
            ref=sid,
            data={"seen": list(seen.values()), "failing": _failing(item.verdict, seen)},
        )
        if item.weight_kg is not None:
            _event(
                rows,
                dev,
                te,
                operator,
                station,
                "weighed",
                None,
                f"{item.weight_kg:g} kg",
                data={"kg": item.weight_kg},
            )
        if status_after_probe(dev.status):
            dev.status = "diagnosed"
            _event(
                rows,
                dev,
                te,
                operator,
                station,
                "status",
                "diagnosed",
                f"verdict: {item.verdict.disposition}",
            )
        else:
            _event(
                rows,
                dev,
                te,
                operator,
                station,
                "assessed",
                None,
                f"verdict: {item.verdict.disposition} (status stays {dev.status})",
            )
        dev.row["status"] = dev.status
        dev.last_at = max(te, dev.last_at) if dev.last_at else te
        rows["snap"].append(
            {
                "id": sid,
                "device_id": dev.id,
                "taken_at": parse_time(snap.taken_at),
                "tool_version": snap.tool_version,
                "source": snap.source,
                "sha256": digests[n],
                "doc": texts[n],
                "imported_at": t,
            }
        )
        _plan_assessment(rows, dev, item, operator, t)
        seen_sids[sid] = n
        results.append(
            IntakeResult(
                outcome, dev.tag, dev.id, sid, item.verdict.disposition, dev.status, warnings
            )
        )

    keeper.watch(d.id for d in devs.values() if not d.new and d.row)
    if created:
        _insert_many(conn, D, [d.row for d in created])
    for d in devs.values():
        if not d.new and d.row:
            conn.execute(update(D).where(D.c.id == d.id).values(**d.row))
    for ev in rows["event"]:
        ev["recorded_at"] = t
    for table, name in ((S, "snap"), (DR, "drive"), (A, "assess"), (F, "finding"), (E, "event")):
        if rows[name]:
            _insert_many(conn, table, rows[name])
    for chunk in _chunks(rows["back"]):
        conn.execute(update(DR).where(DR.c.id.in_(chunk)).values(present=True))
    # Written: the new devices' part of the report tallies, from what was just inserted
    # (registered only now, so a batch retried after a conflict leaves no phantom).
    status_events: dict[str, list[tuple[Any, str]]] = {d.id: [] for d in created}
    for ev in rows["event"]:
        if ev["status"] and ev["device_id"] in status_events:
            status_events[ev["device_id"]].append((ev["at"], ev["status"]))
    for d in created:
        keeper.created_known(d.id, SimpleNamespace(**d.row), status_events[d.id])
    return results


def _fresh_tags(conn: Connection, station: str, n: int) -> list[str]:
    """``n`` random tags that no device holds (as its tag or an alias), drawn before the
    batch is planned: with a million devices on record, a batch of 500 would otherwise
    meet an existing tag every few batches, and its unique constraint would send the
    whole batch down the one-by-one path."""
    fresh: set[str] = set()
    while len(fresh) < n:
        drawn = {new_tag(station) for _ in range(n - len(fresh))} - fresh
        for chunk in _chunks(sorted(drawn)):
            for table in (D, AL):
                drawn -= set(
                    conn.execute(select(table.c.tag).where(table.c.tag.in_(chunk))).scalars()
                )
        fresh |= drawn
    return list(fresh)


def _event(
    rows: dict[str, list[dict[str, Any]]],
    dev: _Dev,
    t: datetime,
    operator: str | None,
    station: str,
    kind: str,
    status: str | None,
    note: str | None,
    *,
    ref: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    dev.seq += 1
    rows["event"].append(
        {
            "id": new_id(),
            "device_id": dev.id,
            "at": t,
            "kind": kind,
            "status": status,
            "actor": operator,
            "station": station,
            "note": note,
            "participant_id": None,
            "seq": dev.seq,
            "origin": dev.id,
            "ref": ref,
            "data": json.dumps(data, sort_keys=True) if data is not None else None,
        }
    )


def _plan_device(dev: _Dev, item: Item, lot: Lot | None, t: datetime) -> None:
    """The device's cached summary, from its latest snapshot and assessment."""
    snap, verdict = item.snap, item.verdict
    row = dev.row
    row.update(
        disposition=verdict.disposition,
        grade_functional=verdict.grade["functional"],
        grade_cosmetic=verdict.grade["cosmetic"],
        updated_at=t,
    )
    if snap.cpu.model:
        row["cpu"] = snap.cpu.model
    if snap.memory.total_bytes:
        row["memory_bytes"] = snap.memory.total_bytes
    storage = sum(d.size_bytes or 0 for d in snap.disks if d.kind != "usb")
    if storage:
        row["storage_bytes"] = storage
    healths = [b.health_pct for b in snap.batteries if b.health_pct is not None]
    if healths:
        row["battery_health_pct"] = min(healths)
    if lot is not None and dev.lot_id is None:
        dev.lot_id = lot.id
        row.update(lot_id=lot.id, community=lot.community)
    if item.weight_kg is not None:
        row["weight_kg"] = item.weight_kg
    if dev.year is None and (year := _year(snap)) is not None:
        dev.year = row["year"] = year


_Processor = Callable[[Any], Any] | None
_PROCESSORS: dict[tuple[str, str, str], _Processor] = {}


def _processor(dialect: Dialect, table: Table, name: str) -> _Processor:
    key = (dialect.name, table.name, name)
    if key not in _PROCESSORS:
        # the dialect's own type (SQLite's DATETIME writes text without an offset), as
        # SQLAlchemy would bind it: the same text as every row the ORM writes, so times
        # written here and there compare and sort alike
        column_type = table.c[name].type.dialect_impl(dialect)
        process = column_type.bind_processor(dialect)
        _PROCESSORS[key] = process
    return _PROCESSORS[key]


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One multi-row insert, handed to the driver's ``executemany`` as tuples. Each
    value goes through its column type's own bind processor, as SQLAlchemy would store
    it, and a column's default fills a key no row has; what is skipped is SQLAlchemy's
    per-row bookkeeping, which in a batch import cost more than SQLite's own work. A
    value that recurs (the batch's times) is processed once."""
    names = list(dict.fromkeys(k for r in rows for k in r))  # every key any row has
    columns: list[list[Any]] = []
    for name in names:
        values = [r.get(name) for r in rows]
        process = _processor(conn.dialect, table, name)
        if process is not None:
            done: dict[Any, Any] = {}
            values = [
                None if v is None else done[v] if v in done else done.setdefault(v, process(v))
                for v in values
            ]
        columns.append(values)
    for column in table.c:
        default = column.default
        if column.name not in names and isinstance(default, ScalarElementColumnDefault):
            names.append(column.name)
            process = _processor(conn.dialect, table, column.name)
            value = default.arg if process is None else process(default.arg)
            columns.append([value] * len(rows))
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _shared_serial(conn: Connection, dev: _Dev, ident: model.Identity) -> Refused | None:
    """Same vendor, model and serial, but a different real system UUID: two machines."""
    new_uuid = real(ident.uuid)
    if not new_uuid:
        return None
    if dev.uuids is None:
        dev.uuids = set()
        for (doc,) in conn.execute(select(S.c.doc).where(S.c.device_id == dev.id)):
            old = real(json.loads(doc).get("identity", {}).get("uuid"))
            if old:
                dev.uuids.add(old.casefold())
    if dev.uuids and new_uuid.casefold() not in dev.uuids:
        return Refused(
            Phrase(
                N_(
                    "serial {serial} is already recorded for {tag} ({vendor} {model}), but "
                    "this machine's system UUID differs: two machines share one serial"
                ),
                serial=ident.serial or ident.board_serial,
                tag=dev.tag,
                vendor=dev.vendor or "?",
                model=dev.model or "?",
            ),
            N_(
                "check the serial sticker; if they really are two machines, run again "
                "with --distinct to record this one separately"
            ),
        )
    return None


def parse_time(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(Phrase(N_("taken_at {text!r} is not an ISO 8601 time"), text=text)) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _year(snap: model.Snapshot) -> int | None:
    """Year of production, where the firmware date is the best evidence we have."""
    year = (snap.identity.bios_date or "")[-4:]
    return int(year) if year.isdigit() and 1990 < int(year) < 2100 else None


def _plan_drives(
    rows: dict[str, list[dict[str, Any]]], dev: _Dev, snap: model.Snapshot, t: datetime
) -> dict[str, str]:
    """The drives this probe saw, on record (new ones added; ones recorded as removed
    are back): disk name -> drive id."""
    seen: dict[str, str] = {}
    for disk in snap.disks:
        if disk.kind == "usb":
            continue
        serial = real(disk.serial)
        known = next(
            (
                d
                for d in dev.drives
                if (serial and d[3] == serial)
                or (not serial and not d[3] and d[1] == disk.name and d[2] == disk.model)
            ),
            None,
        )
        if known is not None:
            seen[disk.name] = known[0]
            if not known[4]:
                known[4] = True
                rows["back"].append(known[0])
            continue
        drive_id = new_id()
        seen[disk.name] = drive_id
        dev.drives.append([drive_id, disk.name, disk.model, serial, True])
        rows["drive"].append(
            {
                "id": drive_id,
                "device_id": dev.id,
                "name": disk.name,
                "model": disk.model,
                "serial": serial,
                "size_bytes": disk.size_bytes,
                "media_type": disk.kind,
                "present": True,
                "first_seen": t,
            }
        )
    return seen


def _failing(verdict: Verdict, seen: dict[str, str]) -> list[str]:
    """The drives (ids) a failed check names: a finding on the part "disk NAME"."""
    by_part = {f"disk {name}": drive_id for name, drive_id in seen.items()}
    return sorted(
        {by_part[f.part] for f in verdict.findings if f.status == "fail" and f.part in by_part}
    )


def _plan_assessment(
    rows: dict[str, list[dict[str, Any]]], dev: _Dev, item: Item, operator: str | None, t: datetime
) -> None:
    verdict, aid = item.verdict, new_id()
    rows["assess"].append(
        {
            "id": aid,
            "device_id": dev.id,
            "snapshot_id": item.snap.snapshot_id,
            "disposition": verdict.disposition,
            "grade_functional": verdict.grade["functional"],
            "grade_cosmetic": verdict.grade["cosmetic"],
            "policy_name": verdict.policy["name"],
            "policy_version": verdict.policy["version"],
            "operator": operator,
            "checklist": canonical_json(item.checklist) if item.checklist else None,
            "doc": json.dumps(verdict.to_dict(), ensure_ascii=False, separators=(",", ":")),
            "created_at": t,
        }
    )
    rows["finding"].extend(
        {
            "assessment_id": aid,
            "check": f.check,
            "status": f.status,
            "part": f.part,
            "value": _json_value(f.value),
            "threshold": _json_value(f.threshold),
            "reason": f.reason,
        }
        for f in verdict.findings
    )


def _json_value(value: Any) -> str:
    """A finding's value as JSON; the common scalars without a trip through json.dumps
    (a batch import writes tens of thousands of them)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is float and value - value == 0:  # finite: json writes repr()
        return repr(value)
    return json.dumps(value)


def _aware(t: datetime | None) -> datetime | None:
    if isinstance(t, str):  # SQLite's max() gives the stored text
        t = datetime.fromisoformat(t)
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t
