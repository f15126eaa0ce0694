"""The funder report as a PDF: totals, bar charts by month and by community, the
breakdowns, and the method with its factors and their sources."""

from __future__ import annotations

import io
from typing import Any

from refurb.i18n import gettext_for
from refurb.reports.i18n import long_date, month_name, number, period_label, status_word, t
from refurb.reports.letterhead import Letterhead, prepared_by, signature_lines
from refurb.reports.letterhead import head as letterhead_rows
from refurb.reports.model import DIMENSIONS, HOME, MEASURES, Report
from refurb.reports.render import fmt, method_lines


def render_pdf(r: Report, font: str | None = None, letterhead: Letterhead | None = None) -> bytes:
    """The report as PDF bytes. ``font``: a TrueType file to use when the text needs
    glyphs Helvetica lacks (see refurb.fonts; system fonts are tried otherwise);
    ``letterhead``: the program's name and logo."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from refurb.fonts import apply_to_styles, fonts_for

    lang = r.lang
    colon = gettext_for(lang).colon  # French sets a space before the colon
    styles = getSampleStyleSheet()
    fonts = fonts_for(_texts(r), font)
    apply_to_styles(styles, fonts)
    for heading in ("Heading2", "Heading3"):
        styles[heading].keepWithNext = 1  # never a heading alone at the foot of a page
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=t("title", lang),
        author="refurb",
        invariant=1,
    )
    story: list[Any] = [
        *letterhead_rows(letterhead, styles["Normal"]),
        Paragraph(t("title", lang), styles["Title"]),
        Paragraph(
            f"{t('period', lang)}{colon} <b>{_esc(period_label(r.period.label, lang))}</b> "
            f"({r.period.since.isoformat()} – {r.period.until.isoformat()})",
            styles["Normal"],
        ),
        *(
            [
                Paragraph(
                    f"{t('for_community', lang)}{colon} <b>{_esc(r.community)}</b>",
                    styles["Normal"],
                )
            ]
            if r.community is not None
            else []
        ),
        Paragraph(
            f"{t('generated', lang)}{colon} {long_date(r.generated_at, lang)} "
            f"{r.generated_at[11:16]} UTC",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(t("totals", lang), styles["Heading2"]),
    ]
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.regular, 9),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    totals = [[t(m, lang), fmt(m, r.totals[m], lang)] for m in MEASURES]
    story.append(Table(totals, colWidths=[120 * mm, 40 * mm], style=grid))

    def chart(title: str, labels: list[str], series: list[tuple[str, list[float]]]) -> Drawing:
        width, height = 174 * mm, 62 * mm
        d = Drawing(width, height)
        d.add(String(0, height - 10, title, fontName=fonts.bold, fontSize=10))
        bc = VerticalBarChart()
        # room on the right for the legend's longest name (French names run long)
        legend_w = max(stringWidth(name, fonts.regular, 7) for name, _ in series) + 24
        bc.x, bc.y, bc.height = 30, 28, height - 52
        bc.width = width - bc.x - max(100, legend_w)
        bc.data = [values or [0] for _, values in series]
        bc.categoryAxis.categoryNames = labels or [""]
        bc.categoryAxis.labels.fontSize = 6
        bc.categoryAxis.labels.fontName = fonts.regular
        bc.categoryAxis.labels.angle = 45 if len(labels) > 6 else 0
        bc.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
        bc.valueAxis.labels.fontSize = 7
        top = max([max(values) for _, values in series if values] + [1.0])
        step = _nice_step(top)
        bc.valueAxis.valueMin, bc.valueAxis.valueStep = 0, step
        bc.valueAxis.valueMax = step * (int(top // step) + 1)
        palette = [colors.HexColor(c) for c in ("#1b6ca8", "#e08e0b", "#3a9d5d", "#a23b72")]
        for i in range(len(series)):
            bc.bars[i].fillColor = palette[i % len(palette)]
            bc.bars[i].strokeColor = None
        d.add(bc)
        legend = Legend()
        legend.alignment = "right"  # swatch, then its name
        legend.x, legend.y = bc.x + bc.width + 12, height - 24
        legend.fontSize = 7
        legend.fontName = fonts.regular
        legend.dx = legend.dy = 6
        legend.colorNamePairs = [
            (palette[i % len(palette)], name) for i, (name, _) in enumerate(series)
        ]
        d.add(legend)
        return d

    if r.months:
        names = [month_name(m["month"], lang) for m in r.months]  # in full: "mars 2026"
        story += [
            Spacer(1, 5 * mm),
            chart(
                t("months", lang),
                names,
                [
                    (t(k, lang), [float(m[k]) for m in r.months])
                    for k in ("received", "issued", "diverted")
                ],
            ),
        ]
    communities = r.breakdowns.get("community", [])
    if communities:
        names = [str(c["key"]) if c["key"] is not None else t("none", lang) for c in communities]
        story += [
            Spacer(1, 4 * mm),
            chart(
                t("community", lang),
                names,
                [
                    (t(k, lang), [float(c[k]) for c in communities])
                    for k in ("received", "issued", "diverted")
                ],
            ),
        ]
    for dim in DIMENSIONS:
        rows = r.breakdowns[dim]
        if not rows:
            continue
        cols = ["received", "issued", "participants", "diverted", "diverted_kg"]
        head = [""] + [
            Paragraph(f"<font size=7>{t(c, lang)}</font>", styles["Normal"]) for c in cols
        ]
        body = [
            [str(row["key"]) if row["key"] is not None else t("none", lang)]
            + [fmt(c, row[c], lang) for c in cols]
            for row in rows
        ]
        story += [
            Spacer(1, 4 * mm),
            Paragraph(t(dim, lang), styles["Heading3"]),
            Table(
                [head, *body], colWidths=[44 * mm] + [26 * mm] * len(cols), style=grid, repeatRows=1
            ),
        ]
    home = r.breakdowns.get(HOME, [])
    if home:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(t(HOME, lang), styles["Heading3"]),
            Table(
                [
                    [
                        str(row["key"]) if row["key"] is not None else t("none", lang),
                        number(row["participants"], lang),
                    ]
                    for row in home
                ],
                colWidths=[60 * mm, 30 * mm],
                style=grid,
            ),
        ]
    if r.statuses:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(t("status", lang), styles["Heading3"]),
            Table(
                [[status_word(k, lang), number(v, lang)] for k, v in sorted(r.statuses.items())],
                colWidths=[60 * mm, 30 * mm],
                style=grid,
            ),
        ]
    # the method and the lines to sign stay together: no page holding three lines alone
    story.append(
        KeepTogether(
            [
                Spacer(1, 5 * mm),
                Paragraph(t("method", lang), styles["Heading2"]),
                *[Paragraph(_esc(line), styles["Normal"]) for line in method_lines(r)],
                signature_lines(lang, styles["Normal"], [prepared_by(lang)]),
            ]
        )
    )
    if fonts.missing:
        story.append(
            Paragraph(
                _esc(
                    f"{t('missing_glyphs', lang)}{colon} {' '.join(fonts.missing)} "
                    "(font = ... in the refurb config)"
                ),
                styles["Italic"],
            )
        )
    doc.build(story)
    return buf.getvalue()


def _texts(r: Report) -> list[str]:
    """Every string from the database or the config that the PDF shows."""
    out = [r.period.label, *method_lines(r)]
    for rows in r.breakdowns.values():
        out += [str(row["key"]) for row in rows if row["key"] is not None]
    out += list(r.statuses)
    return out


def _nice_step(top: float) -> float:
    """A round axis step giving about five ticks."""
    raw = top / 5
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * magnitude:
            return mult * magnitude
    return 10 * magnitude


def _esc(text: str) -> str:
    """Text from the database shown in a reportlab Paragraph, never read as markup."""
    from xml.sax.saxutils import escape

    return escape(text)
