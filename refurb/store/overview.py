"""Reads behind the web pages: device counts by status, the recent activity, one page of
a filtered device list. Plain rows out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, literal, or_, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from refurb.errors import BadInput, NotFound
from refurb.i18n import N_, Phrase
from refurb.store.inventory import get_lot
from refurb.store.tables import Device, DeviceAlias, Drive, Event, Lot, Participant
from refurb.tags import normalize


def status_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(Device.status, func.count()).group_by(Device.status)).all()
    return {status: n for status, n in rows}


def recent_events(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Event, Device.tag, Participant.code)
        .join(Device, col(Device.id) == col(Event.device_id))
        .outerjoin(Participant, col(Participant.id) == col(Event.participant_id))
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": e.at,
            "tag": tag,
            "kind": e.kind,
            "status": e.status,
            "actor": e.actor,
            "participant": code,
            "note": e.note,
        }
        for e, tag, code in rows
    ]


# The device list's filters and facets: the query-string name, and the column it reads.
FACETS = {
    "status": "status",
    "verdict": "disposition",
    "grade": "grade_functional",
    "lot": "lot_id",
    "community": "community",
    "chassis": "chassis",
}
_D = Device.__table__.c  # type: ignore[attr-defined]
NONE = "-"  # a facet value for "not recorded" (no verdict, no lot, ...)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the device list starts or ends: the (created_at, id) of a row."""

    created_at: datetime
    id: str

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}~{self.id}"

    @staticmethod
    def decode(raw: str) -> Cursor:
        at, sep, ident = raw.partition("~")
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise BadInput(
                Phrase(N_("{value!r} is not a page of this list"), value=raw[:60]),
                N_("start from the first page"),
            ) from None
        if not sep or not ident or when.tzinfo is None:
            raise BadInput(
                Phrase(N_("{value!r} is not a page of this list"), value=raw[:60]),
                N_("start from the first page"),
            )
        return Cursor(when.astimezone(UTC), ident)


def _filtered(session: Session, filters: dict[str, str | None]) -> Any:
    """Devices matching every filter given: a facet's value (``NONE``: not recorded; the
    lot by its code), and ``text``: a tag, alias, machine or drive serial exactly, else
    part of the model, serial or tag."""
    q = select(Device)
    for name, column in FACETS.items():
        value = filters.get(name)
        if not value:
            continue
        if value == NONE:
            q = q.where(_D[column].is_(None))
        elif name == "lot":
            q = q.where(col(Device.lot_id) == get_lot(session, value).id)
        else:
            q = q.where(_D[column] == value)
    text = filters.get("text")
    if text and text.strip():
        typed, raw = normalize(text), text.strip()
        exact = or_(
            col(Device.tag) == typed,
            col(Device.id).in_(select(DeviceAlias.device_id).where(DeviceAlias.tag == typed)),
            col(Device.id).in_(select(Drive.device_id).where(Drive.serial == raw)),
            col(Device.serial) == raw,
        )
        if session.exec(select(Device.id).where(exact).limit(1)).first() is not None:
            q = q.where(exact)  # a tag, alias or serial: those (indexed), not every near one
        else:
            like = f"%{raw}%"
            q = q.where(
                or_(
                    col(Device.model).ilike(like),
                    col(Device.serial).ilike(like),
                    col(Device.tag).ilike(like),
                )
            )
    return q


def device_view(
    session: Session,
    filters: dict[str, str | None],
    *,
    limit: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> tuple[list[Device], Cursor | None, Cursor | None]:
    """One page of the filtered device list, oldest first, by keyset on (created_at, id):
    the page after ``after``, or the one before ``before``, or the first. Returns the rows,
    the cursor of the previous page (None on the first) and of the next (None on the
    last)."""
    q = _filtered(session, filters)
    key = tuple_(col(Device.created_at), col(Device.id))
    if before is not None:
        q = q.where(key < tuple_(literal(before.created_at, UTCDateTime()), literal(before.id)))
        q = q.order_by(col(Device.created_at).desc(), col(Device.id).desc())
    else:
        if after is not None:
            q = q.where(key > tuple_(literal(after.created_at, UTCDateTime()), literal(after.id)))
        q = q.order_by(col(Device.created_at), col(Device.id))
    rows = list(session.exec(q.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if before is not None:
        rows.reverse()
        prev = _at(rows[0]) if more and rows else None
        nxt = _at(rows[-1]) if rows else before
        return rows, prev, nxt
    prev = _at(rows[0]) if after is not None and rows else None
    return rows, prev, (_at(rows[-1]) if more else None)


def _at(d: Device) -> Cursor:
    return Cursor(d.created_at, d.id)


def device_batches(
    session: Session, filters: dict[str, str | None], after: Cursor | None, size: int
) -> tuple[list[Device], Cursor | None]:
    """The next ``size`` rows of the filtered list after ``after`` (every page, for the
    downloads), and the cursor to go on from (None: that was the last)."""
    rows, _, nxt = device_view(session, filters, limit=size, after=after)
    return rows, nxt


def device_facets(
    session: Session, filters: dict[str, str | None], budget_ms: float
) -> dict[str, list[tuple[str, int]]] | None:
    """For each facet, the devices of the filtered list by its value (most first; lots by
    their code): one pass over the filtered rows, grouped by all six columns at once and
    summed here. None when that takes more than ``budget_ms`` (a very large, broad list:
    narrow the filter)."""
    base = _filtered(session, filters).subquery()
    columns = [base.c[column] for column in FACETS.values()]
    cube = _within(session, sa_select(*columns, func.count()).group_by(*columns), budget_ms / 1000)
    if cube is None:
        return None
    counts: dict[str, dict[str | None, int]] = {name: {} for name in FACETS}
    for *values, n in cube:
        for name, value in zip(FACETS, values, strict=True):
            counts[name][value] = counts[name].get(value, 0) + int(n)
    codes = dict(session.exec(select(Lot.id, Lot.code)).all()) if counts["lot"] else {}
    counts["lot"] = {(codes.get(k, k) if k else None): n for k, n in counts["lot"].items()}
    return {
        name: sorted(
            ((v if v is not None else NONE, n) for v, n in found.items()),
            key=lambda vn: (-vn[1], vn[0]),
        )
        for name, found in counts.items()
    }


def _within(session: Session, q: Any, seconds: float) -> list[Any] | None:
    """Run ``q``, or give up after ``seconds`` (None): SQLite's progress handler stops
    the statement, PostgreSQL's statement_timeout cancels it inside a savepoint."""
    import time

    if seconds <= 0:
        return None
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        assert raw is not None
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
        try:
            return list(conn.execute(q).all())
        except OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            raw.set_progress_handler(None, 0)
    if conn.dialect.name == "postgresql":
        try:
            with session.begin_nested():  # a timeout rolls back to here, not the whole read
                inner = session.connection()  # (this emits the SAVEPOINT)
                ms = max(1, int(seconds * 1000))
                inner.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
                rows = list(inner.execute(q).all())
                inner.exec_driver_sql("SET LOCAL statement_timeout TO DEFAULT")
            return rows
        except OperationalError as exc:
            if "statement timeout" in str(exc):
                return None
            raise
    return list(conn.execute(q).all())


def check_filters(session: Session, filters: dict[str, str | None]) -> None:
    """Refuse a filter that names nothing (an unknown lot)."""
    lot = filters.get("lot")
    if lot and lot != NONE:
        get_lot(session, lot)


def participant_devices(session: Session, code: str) -> dict[str, Any]:
    """A participant (code, community) and the devices issued to them, each with when it
    was issued and returned (a voided step does not count), newest first."""
    found = session.exec(select(Participant).where(Participant.code == code)).first()
    if found is None:
        raise NotFound(
            Phrase(N_("no participant {code!r}"), code=code), N_("see the participants page")
        )
    rows = session.execute(
        sa_select(
            col(Event.at),
            col(Event.status),
            col(Event.participant_id),
            col(Device.tag),
            col(Device.vendor),
            col(Device.model),
            col(Device.status),
        )
        .join(Device, col(Device.id) == col(Event.device_id))
        .where(
            col(Event.device_id).in_(
                select(Event.device_id).where(Event.participant_id == found.id)
            ),
            col(Event.status).in_(("issued", "returned")),
            col(Event.voided_by).is_(None),
        )
        .order_by(col(Event.device_id), col(Event.at), col(Event.seq))
    ).all()
    devices: list[dict[str, Any]] = []
    holding: dict[str, dict[str, Any]] = {}  # tag -> the hand-over still open
    for at, step, who, tag, vendor, model, now in rows:
        if step == "issued":
            holding.pop(tag, None)
            if who == found.id:
                holding[tag] = {
                    "tag": tag,
                    "vendor": vendor,
                    "model": model,
                    "status": now,
                    "issued": at,
                    "returned": None,
                }
                devices.append(holding[tag])
        elif tag in holding:
            holding.pop(tag)["returned"] = at
    devices.sort(key=lambda d: d["issued"], reverse=True)
    return {"code": found.code, "community": found.community, "devices": devices}


def operator_steps(
    session: Session, name: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """What one operator did in [since, until), oldest first: each status step they
    recorded (a voided one left out) and each wipe they performed or verified, with the
    device's tag: the evidence behind their counts on the trainees page."""
    from refurb.store.tables import Sanitization

    steps: list[dict[str, Any]] = [
        {"at": at, "tag": tag, "what": status, "detail": None}
        for at, tag, status in session.exec(
            select(Event.at, Device.tag, Event.status)
            .join(Device, col(Device.id) == col(Event.device_id))
            .where(
                Event.actor == name,
                col(Event.status).is_not(None),
                col(Event.voided_by).is_(None),
                col(Event.at) >= since,
                col(Event.at) < until,
            )
        ).all()
    ]
    for role, who, when in (
        ("wipe", Sanitization.performed_by, Sanitization.performed_at),
        ("verification", Sanitization.verified_by, Sanitization.verified_at),
    ):
        for at, tag, level, method, result in session.execute(
            sa_select(
                col(when),
                col(Device.tag),
                col(Sanitization.level),
                col(Sanitization.method),
                col(Sanitization.verification_result),
            )
            .join(Device, col(Device.id) == col(Sanitization.device_id))
            .where(col(who) == name, col(when) >= since, col(when) < until)
        ).all():
            steps.append(
                {"at": at, "tag": tag, "what": role, "detail": f"{level}, {method}, {result}"}
            )
    steps.sort(key=lambda s: (s["at"], s["tag"]))
    return steps


def communities(session: Session) -> list[str]:
    """Every community a device or a lot names. The devices' are read by skipping
    through the community index (one seek per community, not a pass over every device)."""
    from sqlalchemy import text

    skip = text(
        "WITH RECURSIVE c(v) AS ("
        " SELECT min(community) FROM devices"
        " UNION ALL"
        " SELECT (SELECT min(community) FROM devices WHERE community > c.v) FROM c"
        " WHERE c.v IS NOT NULL)"
        " SELECT v FROM c WHERE v IS NOT NULL"
    )
    found = {v for (v,) in session.connection().execute(skip)}
    found |= set(session.exec(select(Lot.community).where(col(Lot.community).is_not(None))).all())
    return sorted(c for c in found if c)
