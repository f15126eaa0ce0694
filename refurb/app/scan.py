"""A list of scanned devices, and one action for the whole list: the scan page's use
cases (and ``refurb stocktake``'s).

A scan names a tag (or an alias, or a label URL ending in /d/TAG); ``resolve`` says
which device it is, or why it is none. ``rows`` shows the list with each device's
status and what the chosen action would say of it. Each bulk action runs device by
device, each in its own transaction through the rulebook: a refused device is
reported with its reason and the others are still done.

Sites: a device's site is where it was last seen at a stocktake (event ``seen``) or
moved to (event ``sited``), its intake lot's site until then
(refurb.lifecycle.history folds it; ``devices.site`` caches it for the stocktake's
"expected here" query).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from refurb.app.lifecycle import Changed, issue, move, refuse
from refurb.errors import BadInput, DatabaseError, NotFound, RefurbError
from refurb.i18n import N_, Phrase
from refurb.lifecycle import rules
from refurb.lifecycle.history import GONE, DeviceState, expected_at, fold
from refurb.scanning import tag_from_scan
from refurb.store.db import Store
from refurb.store.history import D, L, histories, known_facts, live, step_of
from refurb.store.inventory import add_event, device_state, get_device
from refurb.store.tables import SQLModel
from refurb.tags import is_well_formed

A = SQLModel.metadata.tables["device_aliases"]
# what the whole list can be given (labels: a PDF, no change recorded)
ACTIONS = ("stocktake", "site", "ready", "ship", "labels", "issue")
MAX_LIST = 150  # a shelf or two; the list is kept in the session cookie (4 KB)
MAX_SITE = 80


@dataclass(frozen=True)
class Scanned:
    """What one scan named: a device's tag, or the reason it names none."""

    text: str  # the tag as scanned, normalised (or the raw text when unreadable)
    tag: str | None  # the device's own tag (an alias resolves to it); None: no device
    problem: str | None = None  # malformed | unknown


@dataclass(frozen=True)
class Row:
    tag: str
    known: bool
    status: str | None = None
    model: str | None = None
    site: str | None = None
    warning: str | None = None  # what the chosen action would say (a refusal's reason)


@dataclass
class Outcome:
    tag: str
    done: bool
    status: str | None = None
    reason: str | None = None  # why it was refused
    remedy: str | None = None
    rule: str | None = None


@dataclass
class Stocktake:
    site: str
    seen: list[Outcome] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)  # expected here, not seen
    unexpected: list[dict[str, Any]] = field(default_factory=list)  # seen, not expected


def site_name(site: str | None) -> str:
    site = " ".join((site or "").split())
    if not site:
        raise BadInput(N_("name the site"), N_("for example: main shop, shelf B, warehouse"))
    if len(site) > MAX_SITE:
        raise BadInput(Phrase(N_("a site name is at most {most} characters"), most=MAX_SITE))
    return site


def resolve(store: Store, text: str) -> Scanned:
    """The device a scan names. A malformed scan raises BadInput (nothing to list); an
    unknown but well-formed tag is returned with problem "unknown" (a stocktake keeps
    it: a labelled device missing from the records is worth knowing)."""
    typed = tag_from_scan(text)
    if not typed:
        raise BadInput(N_("the scan is empty"), N_("scan the label's QR code, or type its tag"))
    with store.reading() as session:
        found = session.execute(select(D.c.tag).where(D.c.tag == typed)).first()
        if found is None:
            found = session.execute(
                select(D.c.tag).join(A, A.c.device_id == D.c.id).where(A.c.tag == typed)
            ).first()
    if found is not None:
        return Scanned(typed, found[0])
    if not is_well_formed(typed):
        raise BadInput(
            Phrase(
                N_("{value!r} is not a refurb tag (mistyped, or another kind of code?)"),
                value=typed[:40],
            ),
            N_("tags look like RF-7K2Q9W"),
        )
    return Scanned(typed, None, "unknown")


def _states(session: Any, devices: list[Any]) -> dict[str, DeviceState]:
    conn = session.connection()
    ids = [d.id for d in devices]
    rows = histories(conn, ids)
    facts = known_facts(conn, ids)
    return {
        d.id: fold(d.tag, (step_of(r)[0] for r in live(rows[d.id])), **facts.get(d.id, {}))
        for d in devices
    }


def _preview(state: DeviceState, action: str) -> rules.Decision:
    if action == "ready":
        return rules.move(state, "ready")
    if action == "issue":
        return rules.issue(state, "participant")
    if action == "ship":
        return rules.recycle(state)
    if action == "site":
        return rules.site_move(state, "site")
    if action == "stocktake":
        return rules.seen(state, "site")
    return None


def rows(store: Store, tags: Iterable[str], action: str | None = None) -> list[Row]:
    """The list as scanned (in order), each device with its status now and what
    ``action`` would say of it."""
    tags = list(dict.fromkeys(tags))
    with store.reading() as session:
        found = {
            d.tag: d
            for d in session.execute(
                select(D.c.id, D.c.tag, D.c.status, D.c.model, D.c.site).where(D.c.tag.in_(tags))
            )
        }
        states = _states(session, list(found.values())) if action else {}
    out = []
    for tag in tags:
        d = found.get(tag)
        if d is None:
            out.append(Row(tag, False, warning="unknown"))
            continue
        state = states.get(d.id)
        decision = _preview(state, action) if state is not None and action else None
        site = state.site if state is not None else d.site
        out.append(Row(tag, True, d.status, d.model, site, decision.reason if decision else None))
    return out


def _each(tags: Iterable[str], do: Any) -> list[Outcome]:
    """``do(tag)`` for each device, each on its own; a refusal or bad input is that
    device's outcome, a database failure stops the lot (nothing is hidden)."""
    out = []
    for tag in dict.fromkeys(tags):
        try:
            changed: Changed = do(tag)
        except DatabaseError:
            raise
        except RefurbError as exc:
            out.append(Outcome(tag, False, reason=exc.message, remedy=exc.hint, rule=_rule_of(exc)))
            continue
        out.append(Outcome(changed.tag, True, changed.status))
    return out


def _rule_of(exc: RefurbError) -> str | None:
    return getattr(exc, "rule", None) or ("unknown" if isinstance(exc, NotFound) else None)


def _site_event(
    store: Store,
    tag: str,
    kind: str,
    site: str,
    *,
    actor: str | None,
    station: str | None,
) -> tuple[Changed, DeviceState]:
    with store.transaction() as session:
        device = get_device(session, tag, lock=True)
        state = device_state(session, device)
        refuse(rules.seen(state, site) if kind == "seen" else rules.site_move(state, site))
        add_event(
            session,
            device,
            kind,
            actor=actor,
            station=station,
            note=("seen at " if kind == "seen" else "moved to ") + site,
            data={"site": site},
        )
        return Changed(device.tag, device.status, detail={"site": site}), state


def stocktake(
    store: Store, site: str, tags: Iterable[str], *, actor: str | None, station: str | None
) -> Stocktake:
    """Record each device as seen at ``site``; then which devices the records expected
    there were not seen, and which seen ones were not expected there."""
    site = site_name(site)
    result = Stocktake(site)
    before: dict[str, DeviceState] = {}

    def see(tag: str) -> Changed:
        changed, state = _site_event(store, tag, "seen", site, actor=actor, station=station)
        before[changed.tag] = state
        return changed

    result.seen = _each(tags, see)
    for tag, state in before.items():
        if not expected_at(state, site):
            why = (
                f"it is {state.status}"
                if state.status in GONE
                else (f"last seen or moved to {state.site}" if state.site else "no site on record")
            )
            result.unexpected.append({"tag": tag, "status": state.status, "why": why})
    seen_tags = {o.tag for o in result.seen if o.done}
    result.missing = [r for r in expected(store, site) if r["tag"] not in seen_tags]
    return result


def expected(store: Store, site: str) -> list[dict[str, Any]]:
    """The devices the records put at ``site``: last seen or moved there (or never, and
    in a lot of that site), and still in the shop's hands."""
    site = site_name(site)
    with store.reading() as session:
        q = (
            select(D.c.tag, D.c.status, D.c.model)
            .select_from(D.outerjoin(L, L.c.id == D.c.lot_id))
            .where(
                or_(D.c.site == site, and_(D.c.site.is_(None), L.c.site == site)),
                D.c.status.not_in(sorted(GONE)),
            )
            .order_by(D.c.tag)
        )
        return [{"tag": r.tag, "status": r.status, "model": r.model} for r in session.execute(q)]


def move_to_site(
    store: Store, site: str, tags: Iterable[str], *, actor: str | None, station: str | None
) -> list[Outcome]:
    """Each device is now at ``site`` (event ``sited``)."""
    site = site_name(site)
    return _each(
        tags, lambda t: _site_event(store, t, "sited", site, actor=actor, station=station)[0]
    )


def make_ready(
    store: Store, tags: Iterable[str], *, actor: str | None, station: str | None
) -> list[Outcome]:
    return _each(tags, lambda t: move(store, t, "ready", actor=actor, note=None, station=station))


def ship(
    store: Store, code: str, tags: Iterable[str], *, actor: str | None, station: str | None
) -> list[Outcome]:
    """Add each device to the open recycling shipment ``code`` (each on its own: one
    refused does not hold back the others)."""
    from refurb.app.shipments import add_devices

    if not code:
        raise BadInput(N_("name the shipment"), N_("start one first on the shipments' page or CLI"))
    return _each(tags, lambda t: add_devices(store, code, [t], actor=actor, station=station)[0])


def issue_one(
    store: Store,
    tags: list[str],
    participant: str,
    *,
    actor: str | None,
    station: str | None,
) -> list[Outcome]:
    """Issue: one device to one participant."""
    tags = list(dict.fromkeys(tags))
    if len(tags) != 1:
        raise BadInput(
            Phrase(N_("issue gives one device to one participant; the list has {n}"), n=len(tags)),
            N_("keep just the device being issued in the list"),
        )
    if not participant:
        raise BadInput(N_("scan or type the participant's code"))
    return _each(
        tags,
        lambda t: issue(store, t, participant, actor=actor, note=None, station=station),
    )


def get(store: Store, tag: str) -> str:
    """The device's own tag for a tag or alias (NotFound otherwise): /d/TAG."""
    with store.reading() as session:
        return get_device(session, tag).tag
