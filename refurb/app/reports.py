"""Funder reports, the figures behind them, operators' activity, donor certificates and
label data: reads, each in one reading transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from refurb.labels import LabelData
from refurb.reports.model import Period, Report
from refurb.store import reporting
from refurb.store.certificates import certificate_data
from refurb.store.db import Store
from refurb.store.labeldata import label_data, select_devices

FIGURES = (*reporting.STATUS_OF, "participants", "diverted_kg")


def report(
    store: Store,
    period: Period,
    *,
    weights: dict[str, float],
    emissions: dict[str, Any],
    lang: str,
    community: str | None = None,
) -> Report:
    """The funder report; ``community``: the same report for that community only."""
    with store.reading() as session:
        return reporting.tally(
            session, period, weights=weights, emissions=emissions, lang=lang, community=community
        )


def devices_behind(
    store: Store, period: Period, figure: str, filters: dict[str, str]
) -> list[dict[str, Any]]:
    with store.reading() as session:
        return reporting.devices_behind(session, period, figure, filters)


def operators(store: Store, period: Period) -> list[dict[str, Any]]:
    with store.reading() as session:
        return reporting.operators(session, period)


def certificate(store: Store, lot_code: str | None, tags: list[str]) -> dict[str, Any]:
    with store.reading() as session:
        return certificate_data(session, lot_code, tags)


def labels(
    store: Store,
    tags: list[str],
    status: str | None = None,
    lot: str | None = None,
    since: date | None = None,
) -> list[LabelData]:
    with store.reading() as session:
        return label_data(session, select_devices(session, tags, status, lot, since))
