"""Report wording and number formats; the text is in the gettext catalogue (refurb.i18n)."""

from __future__ import annotations

import re

from refurb.i18n import N_, NC_, gettext_for

LABELS: dict[str, str] = {
    "title": N_("Refurbishment program report"),
    "period": N_("Period"),
    "for_community": N_("Community"),
    "generated": N_("Generated"),
    "totals": N_("Totals"),
    "received": N_("Devices received"),
    "refurbished": N_("Refurbished (made ready)"),
    "issued": N_("Devices issued to participants"),
    "issued_laptops": N_("of which laptops (laptops and convertibles)"),
    "issued_other": N_("of which other devices (desktops, tablets...)"),
    "participant_community": N_("Participants served, by the community they live in"),
    "participants": N_("Participants served"),
    "returned": N_("Returned by participants"),
    "harvested": N_("Harvested for parts"),
    "parts_reused": N_("Parts reused in other devices"),
    "recycled": N_("Sent to a downstream recycler"),
    "in_process": N_("Still in process at period end"),
    "diverted": N_("Diverted from landfill (devices)"),
    "diverted_kg": N_("Diverted from landfill (kg)"),
    "diverted_kg_estimated": N_("of which estimated from default weights (kg)"),
    "avoided_kg_co2e": N_("Avoided manufacturing emissions (kg CO2e)"),
    "community": N_("By community of the donation lot"),
    "site": N_("By site"),
    "lot": N_("By lot"),
    "donor": N_("By donor"),
    "months": N_("By month"),
    "status": N_("Current status of devices"),
    "method": N_("Method and factors"),
    "missing_glyphs": N_("Characters no installed font could show"),
    "none": N_("(none)"),
    "factor": N_("Emissions factor: {f} kg CO2e avoided per laptop reused. Source: {s}."),
    "factor_kind": N_("For {k}: {f} kg CO2e per device reused. Source: {s}."),
    "no_factor": N_("Not counted in avoided emissions (no factor for their kind): {d}."),
    "weights": N_(
        "Weights: measured where the shop weighed the device, or, for a device shipped "
        "to a recycler, its even share of the recycler's weight of the shipment; "
        "otherwise the default for its form factor ({w}). {p} of the diverted weight is "
        "estimated."
    ),
    "counting": N_(
        "Each device counts once per figure in the period, in the month of its first "
        "matching event; a laptop issued twice counts once. Diverted = issued, "
        "harvested or recycled."
    ),
    "devices_hint": N_("refurb report --devices FIGURE lists the devices behind any figure."),
    "prepared_by": N_("Prepared by"),
    "signature": N_("Signature"),
    "date": N_("Date"),
    "operators": N_("Trainee activity"),
    "operator": N_("Operator"),
    "diagnostics": N_("Diagnostics"),
    "wipes": N_("Wipes"),
    "verifications": N_("Verifications"),
    "repairs": N_("Repairs"),
    "made_ready": N_("Made ready"),
    "key": "",
}

# Column heads for narrow tables (terminal).
SHORT: dict[str, str] = {
    "received": NC_("column", "received"),
    "refurbished": NC_("column", "ready"),
    "issued": NC_("column", "issued"),
    "participants": NC_("column", "participants"),
    "diverted": NC_("column", "diverted"),
    "diverted_kg": NC_("column", "diverted kg"),
}


def short(key: str, lang: str) -> str:
    return gettext_for(lang)(SHORT[key])


MONTHS = [
    NC_("month", "January"),
    NC_("month", "February"),
    NC_("month", "March"),
    NC_("month", "April"),
    NC_("month", "May"),
    NC_("month", "June"),
    NC_("month", "July"),
    NC_("month", "August"),
    NC_("month", "September"),
    NC_("month", "October"),
    NC_("month", "November"),
    NC_("month", "December"),
]
# a chart's axis: short, but never a month and a year of two digits ("déc 26")
MONTH_ABBREVIATIONS = [
    NC_("month abbreviation", "Jan"),
    NC_("month abbreviation", "Feb"),
    NC_("month abbreviation", "Mar"),
    NC_("month abbreviation", "Apr"),
    NC_("month abbreviation", "May"),
    NC_("month abbreviation", "Jun"),
    NC_("month abbreviation", "Jul"),
    NC_("month abbreviation", "Aug"),
    NC_("month abbreviation", "Sep"),
    NC_("month abbreviation", "Oct"),
    NC_("month abbreviation", "Nov"),
    NC_("month abbreviation", "Dec"),
]


def t(key: str, lang: str) -> str:
    return gettext_for(lang)(LABELS[key])


STATUS_WORDS: dict[str, str] = {
    "received": N_("received"),
    "diagnosed": N_("diagnosed"),
    "wiped": N_("wiped"),
    "repairing": N_("in repair"),
    "ready": N_("ready"),
    "issued": N_("issued"),
    "returned": N_("returned"),
    "harvested": N_("harvested for parts"),
    "recycled": N_("recycled"),
}
from refurb.words import KINDS as KIND_WORDS  # noqa: E402  (one table, shared)


def status_word(status: str, lang: str) -> str:
    return gettext_for(lang)(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def kind_word(kind: str, lang: str) -> str:
    return gettext_for(lang)(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def period_label(label: str, lang: str) -> str:
    """A period's label as a funder reads it: "Fiscal year 2025–2026" / "Exercice
    2025-2026", "March 2026" / "mars 2026", "Q1 2026" / "T1 2026"."""
    tr = gettext_for(lang)
    if m := re.fullmatch(r"FY (\d{4})-(\d{2})", label):
        first = int(m.group(1))
        return tr("Fiscal year {first}–{next}").format(first=first, next=first + 1)
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return month_name(label, lang)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return tr("Q{quarter} {year}").format(quarter=m.group(2), year=m.group(1))
    if label == "all time":
        return tr("all time")
    return label


def month_name(month: str, lang: str) -> str:
    """ "2026-12" in full: "December 2026", "décembre 2026"."""
    year, m = month.split("-")
    tr = gettext_for(lang)
    return tr("{month} {year}").format(month=tr(MONTHS[int(m) - 1]), year=year)


def long_date(iso: str, lang: str) -> str:
    """ "2026-12-04" in words: "December 4, 2026", "4 décembre 2026" (a date a donor
    reads, never mistaken for a month)."""
    year, month, day = iso[:10].split("-")
    tr = gettext_for(lang)
    return tr("{month} {day}, {year}").format(
        month=tr(MONTHS[int(month) - 1]), day=int(day), year=year
    )


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    """1,234.5 in English; 1 234,5 in French (no-break space, decimal comma): each
    language's separators are in its catalogue."""
    return gettext_for(lang).digits(f"{value:,.{decimals}f}")
