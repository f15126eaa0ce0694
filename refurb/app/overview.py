"""What the web pages show: the dashboard's figures, a page of the device list, one
device with the actions the rulebook allows on it now, a lot with its devices.

``actions`` asks the same decision functions every writer asks (refurb.lifecycle.rules)
with the device's state as the store folds it; the use cases in refurb.app.lifecycle
ask again, under the device's lock, when a form is posted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from refurb.app.devices import COLUMNS
from refurb.i18n import N_, Phrase
from refurb.lifecycle import rules
from refurb.lifecycle.history import ATTESTATIONS
from refurb.reports.model import Period
from refurb.store import overview
from refurb.store.db import Store
from refurb.store.inventory import device_state, get_device, present_drives
from refurb.store.reporting import tally

# The actions a device page can offer, in the order it shows them.
ACTIONS = ("wipe", "repairing", "ready", "issue", "return", "harvest", "recycle", "attest")


@dataclass(frozen=True)
class Action:
    name: str
    rule: str | None = None  # None: allowed now
    reason: str | None = None
    remedy: str | None = None
    choices: tuple[str, ...] = ()  # the drives to record, or the attestations allowed

    @property
    def allowed(self) -> bool:
        return self.rule is None


def _decide(name: str, decision: rules.Decision, choices: tuple[str, ...] = ()) -> Action:
    if decision is None:
        return Action(name, choices=choices)
    return Action(name, decision.rule, decision.reason, decision.remedy or None)


def actions(store: Store, tag: str) -> list[Action]:
    """Every action of ``ACTIONS`` on the device: allowed now, or the rule that refuses it."""
    with store.reading() as session:
        device = get_device(session, tag)
        state = device_state(session, device)
        drives = tuple(d.name or d.serial or d.id for d in present_drives(session, device))
    out = []
    wipe = rules.record_sanitization(state)
    if wipe is None and not drives:
        wipe = rules.Refusal(
            "no-drives",
            f"{state.tag} has no drives on record to sanitize",
            "probe it with its drive fitted; a device with no storage at all is attested by a lead",
        )
    out.append(_decide("wipe", wipe, drives))
    out.append(_decide("repairing", rules.move(state, "repairing")))
    ready = rules.move(state, "ready") if state.status != "ready" else _already(state)
    out.append(_decide("ready", ready))
    out.append(_decide("issue", rules.issue(state, "participant")))
    out.append(_decide("return", rules.return_(state)))
    out.append(_decide("harvest", rules.harvest_from(state, "other", False, False)))
    out.append(_decide("recycle", rules.recycle(state)))
    allowed = tuple(w for w in ATTESTATIONS if rules.attest(state, w, "reason") is None)
    first = None if allowed else rules.attest(state, ATTESTATIONS[0], "reason")
    out.append(_decide("attest", first, allowed))
    return out


def _already(state: Any) -> rules.Refusal:
    return rules.Refusal("transition", f"{state.tag} is ready already", "issue it")


def dashboard(
    store: Store,
    periods: dict[str, Period],
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str,
    charts: str | None = None,
) -> dict[str, Any]:
    """The report's totals for each named period, devices by status now (the report's
    figure for the latest period), the recent activity, and for the period named
    ``charts`` its months and its communities (the report's own figures)."""
    with store.reading() as session:
        found = {
            name: tally(
                session,
                p,
                weights=weights,
                emissions=emissions,
                lang=lang,
                months=name == charts,  # the tiles need no months
            )
            for name, p in periods.items()
        }
        latest = max(found.values(), key=lambda r: r.period.until)
        picked = found.get(charts) if charts else None
        return {
            "statuses": latest.statuses
            if latest.period.until > date.today()
            else overview.status_counts(session),
            "totals": {name: r.totals for name, r in found.items()},
            "recent": overview.recent_events(session, 15),
            "months": picked.months if picked else [],
            "communities": picked.breakdowns["community"] if picked else [],
            "period": picked.period if picked else None,
        }


FACETS = tuple(overview.FACETS)
NONE = overview.NONE


def device_page(
    store: Store,
    filters: dict[str, str | None],
    *,
    limit: int = 50,
    after: str | None = None,
    before: str | None = None,
) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """One page of the filtered device list (the rows ``refurb list`` prints): the page
    after the cursor ``after``, or before ``before``, or the first; with the cursors of
    the previous and next pages (None where there is none)."""
    start = overview.Cursor.decode(after) if after else None
    end = overview.Cursor.decode(before) if before else None
    with store.reading() as session:
        found, prev, nxt = overview.device_view(
            session, filters, limit=limit, after=start, before=end
        )
        rows = [{c: getattr(d, c) for c in COLUMNS} for d in found]
    return rows, prev.encode() if prev else None, nxt.encode() if nxt else None


def device_rows(
    store: Store, filters: dict[str, str | None], batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every row of the filtered list, every page, oldest first, read ``batch`` rows at a
    time (each batch its own short read, so a download holds no transaction open)."""
    with store.reading() as session:
        overview.check_filters(session, filters)  # an unknown lot: refused before any row
    after = None
    while True:
        with store.reading() as session:
            found, after = overview.device_batches(session, filters, after, batch)
            rows = [{c: getattr(d, c) for c in COLUMNS} for d in found]
        yield from rows
        if after is None:
            return


def device_facets(
    store: Store, filters: dict[str, str | None], budget_ms: float = 1000
) -> dict[str, list[tuple[str, int]]] | None:
    """The filtered list's devices by status, verdict, grade, lot, community and chassis;
    None when they could not be counted within the budget."""
    with store.reading() as session:
        return overview.device_facets(session, filters, budget_ms)


def participant(store: Store, code: str) -> dict[str, Any]:
    """A participant (code, community) and the devices they were issued."""
    with store.reading() as session:
        return overview.participant_devices(session, code)


def operator(store: Store, name: str, period: Period) -> dict[str, Any]:
    """One operator's counts in the period (as the trainees page lists them) and every
    step behind them."""
    from datetime import UTC, datetime

    from refurb.errors import NotFound
    from refurb.store.reporting import operators

    def start(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    with store.reading() as session:
        counts = next((o for o in operators(session, period) if o["operator"] == name), None)
        if counts is None:
            raise NotFound(
                Phrase(N_("nothing recorded by {name!r} in {label}"), name=name, label=period.label)
            )
        steps = overview.operator_steps(session, name, start(period.since), start(period.until))
    return {"counts": counts, "steps": steps}


def communities(store: Store) -> list[str]:
    with store.reading() as session:
        return overview.communities(session)
