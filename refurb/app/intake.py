"""Recording what the probe saw: one machine at the bench, or snapshot files by the
thousand from USB sticks. What status a probe leads to is the rulebook's
(``refurb.lifecycle.rules.status_after_probe``, asked by the store's batch planner)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from refurb import model
from refurb.assess.policy import Policy
from refurb.assess.verdict import Assessment
from refurb.errors import BadInput
from refurb.i18n import N_
from refurb.store.db import Store
from refurb.store.importer import ImportRow, import_snapshots
from refurb.store.intake import IntakeResult, record_snapshot


def intake(
    store: Store,
    snap: model.Snapshot,
    verdict: Assessment,
    *,
    operator: str,
    station: str,
    lot_code: str | None = None,
    weight_kg: float | None = None,
    distinct: bool = False,
    checklist: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IntakeResult:
    with store.transaction() as session:
        return record_snapshot(
            session,
            snap,
            verdict,
            operator=operator,
            station=station,
            lot_code=lot_code,
            weight_kg=weight_kg,
            distinct=distinct,
            checklist=checklist,
            at=at,
        )


def import_files(
    store: Store,
    paths: Iterable[str],
    policy: Policy,
    *,
    operator: str,
    station: str,
    lot_code: str | None = None,
    at: datetime | None = None,
    taken_at_as_received: bool = False,
    weight_kg: float | None = None,
) -> list[ImportRow]:
    paths = check_paths(paths)
    return import_snapshots(
        store,
        paths,
        policy,
        operator=operator,
        station=station,
        lot_code=lot_code,
        at=at,
        taken_at_as_received=taken_at_as_received,
        weight_kg=weight_kg,
    )


def check_paths(paths: Iterable[str]) -> list[str]:
    """Refuse an empty path before anything is read: ``Path("")`` is the current
    folder, so ``import ""`` would import every snapshot under it."""
    paths = list(paths)
    if any(not p.strip() for p in paths):
        raise BadInput(N_("a path to import is empty"), N_("name the files or folders to import"))
    return paths
