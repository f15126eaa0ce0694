"""The database itself: where it is, its schema, upgrades, and the full check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refurb.app.checks import Violation, violations
from refurb.store import tallies
from refurb.store.db import current_revision, head_revision, open_store, safe_url
from refurb.store.db import upgrade as do_upgrade
from refurb.store.history import all_device_ids
from refurb.store.inventory import counts, status_mismatches


def upgrade(db_url: str | None, create: bool = False) -> tuple[str, str | None, str]:
    """Bring the schema to this refurb's head; ``create`` makes a new SQLite file."""
    store = open_store(db_url, check_schema=False, create=create)
    before = current_revision(store.engine)
    do_upgrade(store.engine)
    return safe_url(store.url), before, head_revision()


def info(db_url: str | None) -> dict[str, Any]:
    store = open_store(db_url, create=False, readonly=True)
    with store.reading() as session:
        return {
            "url": safe_url(store.url),
            "schema": current_revision(store.engine),
            "schema_expected": head_revision(),
            **counts(session),
        }


@dataclass
class Verified:
    statuses: list[dict[str, str | None]]
    tallies: list[str]
    gate: list[Violation] = field(default_factory=list)
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not (self.statuses or self.tallies or self.gate)


def verify(db_url: str | None, repair: bool) -> Verified:
    """Every status against its event log, the report tallies against the events, and
    the rulebook on every device. ``repair`` rebuilds the tallies first."""
    store = open_store(db_url, create=False, readonly=not repair)
    if repair:
        with store.transaction() as session:
            tallies.rebuild(session.connection())
    with store.reading() as session:
        conn = session.connection()
        gate: list[Violation] = []
        for ids in all_device_ids(conn):
            gate.extend(violations(conn, ids))
        return Verified(
            status_mismatches(session), tallies.differences(conn), gate, repaired=repair
        )
