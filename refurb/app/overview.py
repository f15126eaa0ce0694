"""What the web pages show: the dashboard's figures, a page of the device list, one
device with the actions the rulebook allows on it now, a lot with its devices.

``actions`` asks the same decision functions every writer asks (refurb.lifecycle.rules)
with the device's state as the store folds it; the use cases in refurb.app.lifecycle
ask again, under the device's lock, when a form is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refurb.app.devices import COLUMNS
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
) -> dict[str, Any]:
    """Devices by status now, the report's totals for each named period, the recent
    activity."""
    with store.reading() as session:
        return {
            "statuses": overview.status_counts(session),
            "totals": {
                name: tally(session, p, weights=weights, emissions=emissions, lang=lang).totals
                for name, p in periods.items()
            },
            "recent": overview.recent_events(session, 15),
        }


def device_page(
    store: Store,
    *,
    status: str | None = None,
    community: str | None = None,
    lot: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of the filtered device list (the rows ``refurb list`` prints), and
    whether there is a next page."""
    with store.reading() as session:
        found, more = overview.page_devices(
            session,
            status=status,
            community=community,
            lot=lot,
            text=text,
            limit=limit,
            offset=offset,
        )
        return [{c: getattr(d, c) for c in COLUMNS} for d in found], more


def communities(store: Store) -> list[str]:
    with store.reading() as session:
        return overview.communities(session)
