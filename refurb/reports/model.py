"""The funder report as data (pure): figures, breakdowns, months, and how each was
counted. Renderers (table, CSV, JSON, PDF) only format this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The figures, in the order reports show them. Each is defined in docs/reports.md.
MEASURES = (
    "received",
    "refurbished",
    "issued",
    "issued_laptops",
    "issued_other",
    "participants",
    "returned",
    "harvested",
    "parts_reused",
    "recycled",
    "in_process",
    "diverted",
    "diverted_kg",
    "diverted_kg_estimated",
    "avoided_kg_co2e",
)
# Figures a breakdown can show (participants are not additive across groups, but each
# group's own distinct count is computed in SQL too).
BREAKDOWN_MEASURES = (
    "received",
    "refurbished",
    "issued",
    "participants",
    "returned",
    "harvested",
    "recycled",
    "diverted",
    "diverted_kg",
)
DIMENSIONS = ("community", "site", "lot", "donor")
# participants served by the community they live in (the device's community is the
# lot's, in DIMENSIONS): a breakdown of participants only
HOME = "participant_community"
# "laptops issued" counts these kinds of machine; other kinds issued are their own figure
LAPTOP_KINDS = ("laptop", "convertible")


def emission_factors(emissions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Avoided manufacturing emissions per device kind (chassis): the configured
    ``kinds``, and the main factor for laptops and convertibles unless set there. A kind
    without a factor is not counted (the report says how many)."""
    main = {"kg_co2e_per_reuse": emissions["kg_co2e_per_reuse"], "source": emissions["source"]}
    out = {kind: dict(main) for kind in LAPTOP_KINDS}
    out.update(emissions.get("kinds", {}))
    return out


MONTH_MEASURES = ("received", "refurbished", "issued", "diverted")


@dataclass
class Period:
    since: date
    until: date  # exclusive
    label: str

    def to_dict(self) -> dict[str, str]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "label": self.label,
        }


@dataclass
class Report:
    period: Period
    totals: dict[str, float]
    breakdowns: dict[str, list[dict[str, Any]]]  # dimension -> rows (key + measures)
    months: list[dict[str, Any]]  # {"month": "2026-03", measure: n, ...}
    statuses: dict[str, int]  # current status of every device received by the period end
    factors: dict[str, Any]  # weights by chassis, emissions factor and its source
    generated_at: str
    lang: str = "en"
    notes: list[str] = field(default_factory=list)
    community: str | None = None  # a community's own report (refurb report --community)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "community": self.community,
            "totals": self.totals,
            "breakdowns": self.breakdowns,
            "months": self.months,
            "statuses": self.statuses,
            "factors": self.factors,
            "generated_at": self.generated_at,
            "lang": self.lang,
        }
