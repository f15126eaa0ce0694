"""Lots and participants after they were recorded: edits with their history, the
canonical spelling of communities and donors, and merging spellings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, SQLModel, col, select

from refurb.errors import BadInput, NotFound
from refurb.i18n import N_, Phrase
from refurb.ids import new_id
from refurb.names import name_key
from refurb.store import tallies
from refurb.store.inventory import get_lot, get_participant, now
from refurb.store.tables import Device, Lot, Participant, RecordChange

LOT_FIELDS = ("donor", "received_on", "donor_choice", "community", "site", "weight_kg")


def spellings(session: Session, what: str) -> dict[str, str]:
    """key -> the spelling first recorded, for "community" (lots, participants and
    devices) or "donor" (lots)."""
    columns: list[Any]
    if what == "community":
        columns = [(Lot.community, Lot.created_at), (Participant.community, Participant.created_at)]
    else:
        columns = [(Lot.donor, Lot.created_at)]
    first: dict[str, tuple[Any, str]] = {}
    for column, created in columns:
        for name, at in session.exec(
            select(column, func.min(created)).where(col(column).is_not(None)).group_by(column)
        ):
            key = name_key(name)
            if key and (key not in first or at < first[key][0]):
                first[key] = (at, name)
    return {k: v[1] for k, v in first.items()}


def canonical(session: Session, what: str, name: str | None) -> str | None:
    """The spelling already on record for ``name`` (any case or accents), else ``name``."""
    if name is None or not name.strip():
        return None
    return spellings(session, what).get(name_key(name), " ".join(name.split()))


def _change(
    session: Session,
    record: str,
    record_id: str,
    field: str,
    old: Any,
    new: Any,
    reason: str | None,
    actor: str | None,
) -> None:
    session.add(
        RecordChange(
            id=new_id(),
            record=record,
            record_id=record_id,
            field=field,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
            reason=reason,
            actor=actor,
            at=now(),
        )
    )


def _lot_devices(session: Session, lot: Lot) -> list[str]:
    return list(session.exec(select(Device.id).where(Device.lot_id == lot.id)).all())


def edit_lot(
    session: Session, code: str, changes: dict[str, Any], reason: str | None, actor: str | None
) -> tuple[Lot, dict[str, tuple[Any, Any]]]:
    lot = get_lot(session, code)
    changed = {
        k: (getattr(lot, k), v)
        for k, v in changes.items()
        if k in LOT_FIELDS and getattr(lot, k) != v
    }
    if not changed:
        return lot, {}
    devices = _lot_devices(session, lot)
    tallies.keeper(session).watch(devices)  # their community, site, donor may change
    for field, (old, new) in changed.items():
        setattr(lot, field, new)
        _change(session, "lots", lot.id, field, old, new, reason, actor)
    session.add(lot)
    if "community" in changed:
        session.exec(
            update(Device).where(col(Device.lot_id) == lot.id).values(community=lot.community)
        )
    session.flush()
    return lot, changed


def edit_participant(
    session: Session, code: str, community: str | None, reason: str | None, actor: str | None
) -> tuple[Participant, dict[str, tuple[Any, Any]]]:
    p = get_participant(session, code)
    if p.community == community:
        return p, {}
    tallies.keeper(session).watch(people=[p.id])
    changed = {"community": (p.community, community)}
    _change(session, "participants", p.id, "community", p.community, community, reason, actor)
    p.community = community
    session.add(p)
    session.flush()
    return p, changed


# the kinds of names a program merges, as a message says them
NAME_WORDS = {"community": Phrase(N_("community")), "donor": Phrase(N_("donor"))}


def merge_names(
    session: Session, what: str, old: str, new: str, reason: str | None, actor: str | None
) -> int:
    """Every record spelled like ``old`` (any case or accents) now says ``new``; returns
    how many records changed."""
    key = name_key(old)
    if not key:
        raise BadInput(Phrase(N_("which {what}? the name is empty"), what=what))
    targets: list[tuple[type[SQLModel], str]] = (
        [(Lot, "community"), (Participant, "community"), (Device, "community")]
        if what == "community"
        else [(Lot, "donor")]
    )
    hits: list[tuple[Any, str]] = []
    for table, field in targets:
        column = getattr(table, field)
        for row in session.exec(select(table).where(col(column).is_not(None))):
            value = getattr(row, field)
            if name_key(value) == key and value != new:
                hits.append((row, field))
    if not hits:
        raise NotFound(
            Phrase(N_("no {what} spelled {old!r}"), what=NAME_WORDS.get(what, what), old=old),
            Phrase(N_("see the spellings: refurb {what} list"), what=what),
        )
    keeper = tallies.keeper(session)
    keeper.watch(
        [r.id for r, _ in hits if isinstance(r, Device)]
        + [d for r, _ in hits if isinstance(r, Lot) for d in _lot_devices(session, r)],
        [r.id for r, _ in hits if isinstance(r, Participant)],
    )
    for row, field in hits:
        if not isinstance(row, Device):  # a device's community follows its lot's
            record = "lots" if isinstance(row, Lot) else "participants"
            _change(session, record, row.id, field, getattr(row, field), new, reason, actor)
        setattr(row, field, new)
        session.add(row)
    session.flush()
    return len(hits)


def names_in_use(session: Session, what: str) -> list[dict[str, Any]]:
    """Every spelling on record, with how many lots (and participants) use it."""
    rows: dict[str, dict[str, Any]] = {}
    tables: list[tuple[type[SQLModel], str, str]] = (
        [(Lot, "community", "lots"), (Participant, "community", "participants")]
        if what == "community"
        else [(Lot, "donor", "lots")]
    )
    for table, field, label in tables:
        column = getattr(table, field)
        for name, n in session.exec(
            select(column, func.count()).where(col(column).is_not(None)).group_by(column)
        ):
            row = rows.setdefault(name, {"name": name, "key": name_key(name)})
            row[label] = int(n)
    return sorted(rows.values(), key=lambda r: (r["key"], r["name"]))


def history(session: Session, record: str, record_id: str) -> list[dict[str, Any]]:
    return [
        {
            "field": c.field,
            "old": c.old,
            "new": c.new,
            "reason": c.reason,
            "actor": c.actor,
            "at": c.at.isoformat(),
        }
        for c in session.exec(
            select(RecordChange)
            .where(RecordChange.record == record, RecordChange.record_id == record_id)
            .order_by(col(RecordChange.at))
        )
    ]
