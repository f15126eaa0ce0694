"""Reports as a terminal table, CSV or JSON (pure)."""

from __future__ import annotations

import csv
import io
from typing import Any

from refurb.csvsafe import csv_safe
from refurb.i18n import gettext_for
from refurb.reports.i18n import kind_word, month_name, number, period_label, short, t
from refurb.reports.model import (
    BREAKDOWN_MEASURES,
    DIMENSIONS,
    HOME,
    LAPTOP_KINDS,
    MEASURES,
    Report,
)
from refurb.untrusted import json_text as _json


def fmt(measure: str, value: Any, lang: str) -> str:
    decimals = 1 if "kg" in measure else 0
    return number(value, lang, decimals)


def method_lines(r: Report) -> list[str]:
    lang = r.lang
    e = r.factors["emissions"]
    weights = ", ".join(
        f"{kind_word(k, lang)} {number(v, lang, 1)} kg"
        for k, v in sorted(r.factors["weights_kg"].items())
    )
    kg = r.totals["diverted_kg"]
    share = (r.totals["diverted_kg_estimated"] / kg * 100) if kg else 0.0
    lines = [t("factor", lang).format(f=number(e["kg_co2e_per_reuse"], lang, 0), s=e["source"])]
    for kind, spec in sorted(r.factors.get("emissions_by_kind", {}).items()):
        if kind not in LAPTOP_KINDS:
            lines.append(
                t("factor_kind", lang).format(
                    k=kind_word(kind, lang),
                    f=number(spec["kg_co2e_per_reuse"], lang, 0),
                    s=spec["source"],
                )
            )
    without = r.factors.get("issued_without_factor", {})
    if without:
        listed = ", ".join(f"{n} {kind_word(k, lang)}" for k, n in sorted(without.items()))
        lines.append(t("no_factor", lang).format(d=listed))
    return [
        *lines,
        t("weights", lang).format(w=weights, p=f"{number(share, lang, 0)} %"),
        t("counting", lang),
    ]


def table(r: Report) -> str:
    lang = r.lang
    colon = gettext_for(lang).colon
    lines = [
        t("title", lang),
        f"{t('period', lang)}{colon} {period_label(r.period.label, lang)} "
        f"({r.period.since} .. {r.period.until})",
    ]
    if r.community is not None:
        lines.append(f"{t('for_community', lang)}{colon} {r.community}")
    lines += [
        "",
    ]
    width = max(len(t(m, lang)) for m in MEASURES)
    for m in MEASURES:
        lines.append(f"  {t(m, lang):<{width}}  {fmt(m, r.totals[m], lang):>12}")
    for dim in DIMENSIONS:
        rows = r.breakdowns[dim]
        if not rows:
            continue
        lines += ["", t(dim, lang)]
        cols = ["received", "issued", "participants", "diverted", "diverted_kg"]
        lines.append("  " + f"{'':<20}" + "".join(f"{short(c, lang):>14}" for c in cols))
        for row in rows:
            key = str(row["key"]) if row["key"] is not None else t("none", lang)
            lines.append(
                "  " + f"{key[:20]:<20}" + "".join(f"{fmt(c, row[c], lang):>14}" for c in cols)
            )
    home = r.breakdowns.get(HOME, [])
    if home:
        lines += ["", t(HOME, lang)]
        for row in home:
            key = str(row["key"]) if row["key"] is not None else t("none", lang)
            lines.append(f"  {key[:20]:<20}{fmt('participants', row['participants'], lang):>14}")
    if r.months:
        lines += ["", t("months", lang)]
        cols = ["received", "refurbished", "issued", "diverted"]
        lines.append("  " + f"{'':<20}" + "".join(f"{short(c, lang):>14}" for c in cols))
        for month in r.months:
            lines.append(
                f"  {month_name(month['month'], lang):<20}"
                + "".join(f"{fmt(c, month[c], lang):>14}" for c in cols)
            )
    lines += ["", t("method", lang)] + [f"  {x}" for x in method_lines(r)]
    lines.append(f"  {t('devices_hint', lang)}")
    return "\n".join(lines)


def csv_text(r: Report) -> str:
    """One long table: section, key, measure, value — easy to pivot in a spreadsheet."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "measure", "value"])
    if r.community is not None:  # a community's own report says so in its first row
        w.writerow(["filter", "community", "", csv_safe(r.community)])
    for m in MEASURES:
        w.writerow(["total", "", m, r.totals[m]])
    for dim in DIMENSIONS:
        for row in r.breakdowns[dim]:
            for m in BREAKDOWN_MEASURES:
                w.writerow([dim, "" if row["key"] is None else csv_safe(row["key"]), m, row[m]])
    for row in r.breakdowns.get(HOME, []):
        key = "" if row["key"] is None else csv_safe(row["key"])
        w.writerow([HOME, key, "participants", row["participants"]])
    for row in r.months:
        for m, v in row.items():
            if m != "month":
                w.writerow(["month", row["month"], m, v])
    for status, n in sorted(r.statuses.items()):
        w.writerow(["status", status, "devices", n])
    return out.getvalue()


def json_text(r: Report) -> str:
    return _json(r.to_dict() | {"method": method_lines(r)}, indent=2)
