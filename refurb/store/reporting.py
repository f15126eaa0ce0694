"""Funder tallies in SQL (SQLite and PostgreSQL alike), never by loading devices.

Every figure is defined on the event log over a period [since, until):
a device counts for a measure when it has the matching status event in the period,
once, however many such events it has, and in the month of its first such event (so
the months add up to the period). See docs/reports.md for each definition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from refurb.reports.model import (
    DIMENSIONS,
    HOME,
    LAPTOP_KINDS,
    MONTH_MEASURES,
    Period,
    Report,
    emission_factors,
)
from refurb.store.tables import Device, Event, Lot, Part, Sanitization
from refurb.store.tallies import FINAL, LIVE, MARKS, PEOPLE, STATUS_OF, shipment_shares
from refurb.store.tallies import FINALS as TALLY_FINALS
from refurb.store.tallies import STATUSES as TALLY_STATUSES

_T = SQLModel.metadata.tables
E = _T[Event.__tablename__]
D = _T[Device.__tablename__]
L = _T[Lot.__tablename__]
P = _T[Part.__tablename__]
SAN = _T[Sanitization.__tablename__]
PA = _T["participants"]

# each shipped device's share of its closed shipment's weight (refurb.store.tallies)
SHIPPED = shipment_shares()
# the weight a device is known to have: its share of the recycler's weight, else its own
KNOWN_KG = func.coalesce(SHIPPED.c.kg, D.c.weight_kg)

_DIM_COLUMNS = {"community": D.c.community, "site": L.c.site, "lot": L.c.code, "donor": L.c.donor}


def _start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _of_community(community: str | None) -> Any:
    """The ids of the devices of one community (a community report), or None."""
    if community is None:
        return None
    return select(D.c.id).where(D.c.community == community)


def _per_device(period: Period, community: str | None = None) -> Any:
    """One row per device with an event in the period: the first time of each measure."""
    in_period = and_(
        E.c.at >= _start(period.since),
        E.c.at < _start(period.until),
        E.c.status.in_({s for v in STATUS_OF.values() for s in v}),
        LIVE,
    )
    if community is not None:
        in_period = and_(in_period, E.c.device_id.in_(_of_community(community)))
    cols: list[Any] = [E.c.device_id]
    for measure, statuses in STATUS_OF.items():
        cols.append(func.min(case((E.c.status.in_(statuses), E.c.at))).label(measure))
    return select(*cols).where(in_period).group_by(E.c.device_id).subquery("per_device")


def _materialized(session: Session, per_device: Any) -> Any:
    """The per-device rows, computed once into a temporary table that the totals,
    breakdowns and months then read (instead of re-reading the events each time)."""
    from sqlalchemy import Column, DateTime, MetaData, String, Table

    name = "refurb_report_per_device"
    columns = [Column("device_id", String, primary_key=True)] + [
        Column(m, DateTime(timezone=True)) for m in STATUS_OF
    ]
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    conn = session.connection()
    table.drop(conn, checkfirst=True)
    table.create(conn)
    conn.execute(table.insert().from_select([c.name for c in columns], per_device))
    return table


def lot_shares(session: Session) -> dict[str, float]:
    """Lots weighed as a whole: each of their devices not weighed one by one weighs the
    lot's weight less the devices weighed, shared equally (never below zero)."""
    weighed = dict(
        session.execute(select(L.c.id, L.c.weight_kg).where(L.c.weight_kg.is_not(None))).all()
    )
    if not weighed:
        return {}
    shares = {}
    for lot_id, measured, unweighed in session.execute(
        select(
            D.c.lot_id,
            func.coalesce(func.sum(D.c.weight_kg), 0.0),
            func.count() - func.count(D.c.weight_kg),
        )
        .where(D.c.lot_id.in_(list(weighed)))
        .group_by(D.c.lot_id)
    ):
        if unweighed:
            shares[lot_id] = max(0.0, float(weighed[lot_id]) - float(measured)) / int(unweighed)
    return shares


def _weight(weights: dict[str, float], shares: dict[str, float]) -> ColumnElement[Any]:
    """Measured weight (the device's share of a closed shipment's weight, else its own);
    else its share of its lot's weight; else the default for the chassis, else the
    default for 'other'."""
    default = case(
        *[(D.c.lot_id == lot_id, share) for lot_id, share in shares.items()],
        *[(D.c.chassis == k, v) for k, v in weights.items() if k != "other"],
        else_=weights.get("other", 2.0),
    )
    return func.coalesce(SHIPPED.c.kg, D.c.weight_kg, default)


def _month(session: Session, column: Any) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _measures(pd: Any, weights: dict[str, float], shares: dict[str, float]) -> list[Any]:
    diverted = pd.c.diverted.is_not(None)
    estimated = and_(diverted, KNOWN_KG.is_(None))
    if shares:
        estimated = and_(estimated, D.c.lot_id.not_in(list(shares)))
    weight = _weight(weights, shares)
    return [func.count(pd.c[m]).label(m) for m in STATUS_OF] + [
        func.coalesce(func.sum(case((diverted, weight), else_=0.0)), 0.0).label("diverted_kg"),
        func.coalesce(func.sum(case((estimated, weight), else_=0.0)), 0.0).label(
            "diverted_kg_estimated"
        ),
    ]


def _participants(
    period: Period, by: Any | None = None, community: str | None = None
) -> Select[Any]:
    cols = [func.count(func.distinct(E.c.participant_id)).label("participants")]
    q = (
        select(*(([by.label("key")] if by is not None else []) + cols))
        .select_from(
            E.join(D, D.c.id == E.c.device_id)
            .outerjoin(L, L.c.id == D.c.lot_id)
            .join(PA, PA.c.id == E.c.participant_id)
        )
        .where(
            E.c.status == "issued",
            E.c.at >= _start(period.since),
            E.c.at < _start(period.until),
            LIVE,
        )
    )
    if community is not None:
        q = q.where(D.c.community == community)
    return q.group_by(by) if by is not None else q


def tally(
    session: Session,
    period: Period,
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str = "en",
    community: str | None = None,
    months: bool = True,
) -> Report:
    """The funder report for a period: from the running tallies when the period is whole
    calendar months (every --month, --quarter, --fiscal-year and all-time report), else
    from the events themselves. Both give the same figures (tests check it).

    ``community``: the whole report for that community's devices only (counted from the
    events: the tallies keep participants and finality for the whole program only); its
    figures are that community's row of the full report's breakdown.

    ``months=False``: the figures without their months (the dashboard's tiles: a long
    period is then a few hundred tally groups instead of thousands); ``months`` may then
    be empty."""
    if community is None and period.since.day == 1 and period.until.day == 1:
        return tally_from_tallies(
            session, period, weights=weights, emissions=emissions, lang=lang, months=months
        )
    return tally_from_events(
        session, period, weights=weights, emissions=emissions, lang=lang, community=community
    )


Groups = dict[str, dict[Any, dict[str, float]]]
MEASURE_KEYS = [*STATUS_OF, "diverted_kg", "diverted_kg_estimated"]


def _add_figures(
    totals: dict[str, float], groups: Groups, where: dict[str, Any], values: dict[str, float]
) -> None:
    """Add one group's figures to the totals and to each breakdown it belongs to
    (``where`` names its community, site, lot and donor)."""
    buckets = []
    for d in DIMENSIONS:
        bucket = groups[d].get(where[d])
        if bucket is None:  # (not setdefault: that builds a dict on every call)
            bucket = groups[d][where[d]] = dict.fromkeys(MEASURE_KEYS, 0)
        buckets.append(bucket)
    for m, v in values.items():
        totals[m] += v
        for bucket in buckets:
            bucket[m] += v


def tally_from_tallies(
    session: Session,
    period: Period,
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str = "en",
    months: bool = True,
) -> Report:
    first = f"{period.since.year:04d}-{period.since.month:02d}"
    end = f"{period.until.year:04d}-{period.until.month:02d}"
    lots = {r.id: r for r in session.execute(select(L.c.id, L.c.code, L.c.site, L.c.donor)).all()}

    def dims(community: str, lot_id: str) -> dict[str, Any]:
        lot = lots.get(lot_id)
        return {
            "community": community or None,
            "site": lot.site if lot else None,
            "lot": lot.code if lot else None,
            "donor": lot.donor if lot else None,
        }

    totals: dict[str, float] = dict.fromkeys(MEASURE_KEYS, 0)
    groups: Groups = {d: {} for d in DIMENSIONS}
    by_month: dict[str, dict[str, Any]] = {}
    default = weights.get("other", 2.0)
    # In the period, and the device's previous such month before it: once per device.
    in_period = (MARKS.c.month >= first, MARKS.c.month < end, MARKS.c.prev < first)
    month_col: Any = MARKS.c.month if months else literal("")
    grain = [MARKS.c.measure, MARKS.c.community, MARKS.c.lot_id, MARKS.c.chassis]
    rows = session.execute(
        select(
            MARKS.c.measure,
            month_col,
            MARKS.c.community,
            MARKS.c.lot_id,
            MARKS.c.chassis,
            func.sum(MARKS.c.n),
            func.sum(MARKS.c.unweighed),
            func.sum(MARKS.c.grams),
        )
        .where(*in_period)
        .group_by(*grain, *([MARKS.c.month] if months else []))
    ).all()
    where_cache: dict[tuple[str, str], dict[str, Any]] = {}
    issued_kinds: dict[str, int] = {}
    shares = lot_shares(session)
    for measure, month, community, lot_id, chassis, n, unweighed, grams in rows:
        n = int(n)
        if not n:
            continue
        values: dict[str, float] = {measure: n}
        if measure == "issued":
            issued_kinds[chassis or ""] = issued_kinds.get(chassis or "", 0) + n
        if measure == "diverted":
            if lot_id in shares:  # not weighed one by one, but the lot was weighed
                values["diverted_kg"] = int(grams) / 1000 + int(unweighed) * shares[lot_id]
                values["diverted_kg_estimated"] = 0.0
            else:
                estimated = int(unweighed) * weights.get(chassis, default) if unweighed else 0.0
                values["diverted_kg"] = int(grams) / 1000 + estimated
                values["diverted_kg_estimated"] = estimated
        at = where_cache.get((community, lot_id))
        if at is None:
            at = where_cache[(community, lot_id)] = dims(community, lot_id)
        _add_figures(totals, groups, at, values)
        if months and measure in MONTH_MEASURES:
            row = by_month.setdefault(month, {"month": month})
            row[measure] = row.get(measure, 0) + n
    served: dict[str, dict[Any, int]] = {d: {} for d in (*DIMENSIONS, "home")}
    participants = 0
    for scope, key, n in session.execute(
        select(PEOPLE.c.scope, PEOPLE.c.key, func.sum(PEOPLE.c.n))
        .where(PEOPLE.c.month >= first, PEOPLE.c.month < end, PEOPLE.c.prev < first)
        .group_by(PEOPLE.c.scope, PEOPLE.c.key)
    ):
        if scope == "":
            participants = int(n)
        elif scope == "lot":
            lot = lots.get(key)
            served["lot"][lot.code if lot else None] = int(n)
        else:
            served[scope][key or None] = int(n)
    received_by_end = session.execute(
        select(func.coalesce(func.sum(MARKS.c.n), 0)).where(
            MARKS.c.measure == "received", MARKS.c.prev == "", MARKS.c.month < end
        )
    ).scalar_one()
    final_by_end = session.execute(
        select(func.coalesce(func.sum(TALLY_FINALS.c.n), 0)).where(TALLY_FINALS.c.month < end)
    ).scalar_one()
    statuses = {
        status: int(n)
        for status, n in session.execute(
            select(TALLY_STATUSES.c.status, func.sum(TALLY_STATUSES.c.n))
            .where(TALLY_STATUSES.c.month < end)
            .group_by(TALLY_STATUSES.c.status)
        )
        if n
    }
    return _assemble(
        session,
        period,
        totals,
        groups,
        served,
        participants,
        int(received_by_end) - int(final_by_end),
        by_month,
        statuses,
        issued_kinds,
        weights=weights,
        emissions=emissions,
        lang=lang,
    )


def tally_from_events(
    session: Session,
    period: Period,
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str = "en",
    community: str | None = None,
) -> Report:
    """The same report, counted from the event log (any period; the reference), for the
    whole program or one community."""
    pd = _materialized(session, _per_device(period, community))
    joined = (
        pd.join(D, D.c.id == pd.c.device_id)
        .outerjoin(L, L.c.id == D.c.lot_id)
        .outerjoin(SHIPPED, SHIPPED.c.device_id == D.c.id)
    )
    dims = [_DIM_COLUMNS[d].label(d) for d in DIMENSIONS]
    # One pass at the finest grain; every device falls in exactly one group, so the totals
    # and each breakdown are exact sums of these rows.
    grain = session.execute(
        select(*dims, *_measures(pd, weights, lot_shares(session)))
        .select_from(joined)
        .group_by(*dims)
    ).all()
    totals: dict[str, float] = dict.fromkeys(MEASURE_KEYS, 0)
    groups: Groups = {d: {} for d in DIMENSIONS}
    for g in grain:
        values = g._asdict()
        _add_figures(totals, groups, values, {m: values[m] for m in MEASURE_KEYS})
    participants = int(session.execute(_participants(period, None, community)).scalar_one())
    served = {
        dim: {k: int(v) for k, v in session.execute(_participants(period, column, community))}
        for dim, column in (*_DIM_COLUMNS.items(), ("home", PA.c.community))
    }
    issued_kinds = {
        chassis or "": int(n)
        for chassis, n in session.execute(
            select(D.c.chassis, func.count())
            .select_from(pd.join(D, D.c.id == pd.c.device_id))
            .where(pd.c.issued.is_not(None))
            .group_by(D.c.chassis)
        )
    }
    # Months: each measure by the month of its first event, in one statement.
    parts = []
    for m in MONTH_MEASURES:
        # one expression object, used twice: PostgreSQL must see the same GROUP BY term
        month = _month(session, pd.c[m])
        parts.append(
            select(literal(m).label("measure"), month.label("month"), func.count().label("n"))
            .select_from(pd)
            .where(pd.c[m].is_not(None))
            .group_by(month)
        )
    months: dict[str, dict[str, Any]] = {}
    for measure, key, n in session.execute(union_all(*parts)):
        months.setdefault(key, {"month": key})[measure] = int(n)
    by_status = select(D.c.status, func.count()).where(D.c.created_at < _start(period.until))
    if community is not None:
        by_status = by_status.where(D.c.community == community)
    statuses = dict(session.execute(by_status.group_by(D.c.status)).all())
    return _assemble(
        session,
        period,
        totals,
        groups,
        served,
        participants,
        in_process(session, period, community),
        months,
        {k: int(v) for k, v in statuses.items()},
        issued_kinds,
        weights=weights,
        emissions=emissions,
        lang=lang,
        community=community,
    )


def _assemble(
    session: Session,
    period: Period,
    totals: dict[str, float],
    groups: Groups,
    served: dict[str, dict[Any, int]],
    participants: int,
    still_in_process: int,
    months: dict[str, dict[str, Any]],
    statuses: dict[str, int],
    issued_kinds: dict[str, int],
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str,
    community: str | None = None,
) -> Report:
    totals = {k: _num(k, v) for k, v in totals.items()}
    totals["participants"] = participants
    fitted = (
        select(func.count())
        .select_from(P)
        .where(
            P.c.into_device_id.is_not(None),
            P.c.fitted_at >= _start(period.since),
            P.c.fitted_at < _start(period.until),
        )
    )
    if community is not None:  # parts fitted into that community's devices
        fitted = fitted.where(P.c.into_device_id.in_(_of_community(community)))
    totals["parts_reused"] = int(session.execute(fitted).scalar_one())
    totals["in_process"] = still_in_process
    laptops = sum(n for kind, n in issued_kinds.items() if kind in LAPTOP_KINDS)
    totals["issued_laptops"] = laptops
    totals["issued_other"] = int(totals["issued"]) - laptops
    factors = emission_factors(emissions)
    totals["avoided_kg_co2e"] = round(
        sum(n * factors[k]["kg_co2e_per_reuse"] for k, n in issued_kinds.items() if k in factors),
        1,
    )
    uncounted = {k or "unknown": n for k, n in issued_kinds.items() if k not in factors}
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        breakdowns[dim] = [
            {
                "key": key,
                **{m: _num(m, v) for m, v in figures.items()},
                "participants": int(served[dim].get(key, 0)),
            }
            for key, figures in sorted(
                groups[dim].items(), key=lambda kv: (kv[0] is None, str(kv[0]))
            )
        ]
    breakdowns[HOME] = [
        {"key": key, "participants": int(n)}
        for key, n in sorted(served["home"].items(), key=lambda kv: (kv[0] is None, str(kv[0])))
        if n
    ]
    month_rows = [
        {m: row.get(m, 0) for m in MONTH_MEASURES} | {"month": k}
        for k, row in sorted(months.items())
    ]
    return Report(
        period=period,
        totals=totals,
        breakdowns=breakdowns,
        months=month_rows,
        statuses=statuses,
        factors={
            "weights_kg": weights,
            "emissions": emissions,
            "emissions_by_kind": factors,
            "issued_without_factor": uncounted,
        },
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        lang=lang,
        community=community,
    )


def _num(key: str, value: Any) -> Any:
    return round(float(value), 3) if "kg" in key else int(value)


def in_process(session: Session, period: Period, community: str | None = None) -> int:
    """Devices received before the period's end whose status at the end is not a final
    one (issued, harvested, recycled).

    The only status that can follow a final one is ``returned`` (after ``issued``), so a
    device is final at the end when its last final event before the end comes after its
    last return.
    """
    end = _start(period.until)
    last_final = func.max(case((E.c.status.in_(FINAL), E.c.at)))
    last_return = func.max(case((E.c.status == "returned", E.c.at)))
    in_scope = E.c.at < end
    if community is not None:
        in_scope = and_(in_scope, E.c.device_id.in_(_of_community(community)))
    finals = (
        select(E.c.device_id)
        .where(in_scope, E.c.status.in_((*FINAL, "returned")), LIVE)
        .group_by(E.c.device_id)
        .having(and_(last_final.is_not(None), (last_return.is_(None)) | (last_return < last_final)))
        .subquery()
    )
    received = select(func.count(func.distinct(E.c.device_id))).where(
        E.c.status == "received", in_scope, LIVE
    )
    final_count = select(func.count()).select_from(finals)
    return int(session.execute(received).scalar_one()) - int(
        session.execute(final_count).scalar_one()
    )


def devices_behind(
    session: Session, period: Period, measure: str, filters: dict[str, str]
) -> list[dict[str, Any]]:
    """The devices a figure counts, for an auditor: same definitions, listed."""
    if measure == "participants":
        measure = "issued"
    if measure == "in_process":
        raise ValueError("in_process")
    column = "diverted" if measure.startswith("diverted") else measure
    pd = _per_device(period)
    q = (
        select(
            D.c.tag,
            D.c.vendor,
            D.c.model,
            D.c.serial,
            D.c.status,
            D.c.community,
            L.c.code.label("lot"),
            L.c.donor,
            KNOWN_KG.label("weight_kg"),
            pd.c[column].label("at"),
        )
        .select_from(
            pd.join(D, D.c.id == pd.c.device_id)
            .outerjoin(L, L.c.id == D.c.lot_id)
            .outerjoin(SHIPPED, SHIPPED.c.device_id == D.c.id)
        )
        .where(pd.c[column].is_not(None))
        .order_by(pd.c[column], D.c.tag)
    )
    for dim, value in filters.items():
        q = q.where(_DIM_COLUMNS[dim] == value)
    return [dict(r._asdict()) for r in session.execute(q)]


def operators(session: Session, period: Period) -> list[dict[str, Any]]:
    """Per trainee or operator: diagnostics, wipes, verifications, repairs, hand-overs."""
    since, until = _start(period.since), _start(period.until)
    counts: dict[str, dict[str, int]] = {}

    def add(rows: Any, measure: str) -> None:
        for who, n in rows:
            if who:
                counts.setdefault(who, {})[measure] = int(n)

    for measure, status in (
        ("diagnostics", "diagnosed"),
        ("repairs", "repairing"),
        ("made_ready", "ready"),
        ("issued", "issued"),
    ):
        add(
            session.execute(
                select(E.c.actor, func.count())
                .where(E.c.status == status, E.c.at >= since, E.c.at < until, LIVE)
                .group_by(E.c.actor)
            ),
            measure,
        )
    add(
        session.execute(
            select(SAN.c.performed_by, func.count())
            .where(SAN.c.performed_at >= since, SAN.c.performed_at < until)
            .group_by(SAN.c.performed_by)
        ),
        "wipes",
    )
    add(
        session.execute(
            select(SAN.c.verified_by, func.count())
            .where(SAN.c.verified_at >= since, SAN.c.verified_at < until)
            .group_by(SAN.c.verified_by)
        ),
        "verifications",
    )
    keys = ("diagnostics", "wipes", "verifications", "repairs", "made_ready", "issued")
    return [
        {"operator": who, **{k: c.get(k, 0) for k in keys}} for who, c in sorted(counts.items())
    ]
