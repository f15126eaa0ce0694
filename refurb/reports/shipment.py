"""The shipping document for one downstream shipment, as a PDF: the recycler, the dates,
the bill of lading, every device with its weight, the totals, and signature lines for
the shipper and the receiver. English or French, the same way as the certificate."""

from __future__ import annotations

import io
from typing import Any

from refurb.i18n import N_, NC_, gettext_for
from refurb.reports.i18n import number
from refurb.reports.letterhead import Letterhead
from refurb.reports.letterhead import head as letterhead_rows

_WORDS: dict[str, Any] = {
    "title": N_("Shipment to a downstream recycler"),
    "shipment": N_("Shipment"),
    "recycler": N_("Recycler"),
    "address": N_("Address"),
    "certification": N_("Certification"),
    "shipped": N_("Shipped on"),
    "bol": N_("Bill of lading"),
    "status": NC_("shipment", "Status"),
    "open": N_("open: not yet confirmed by the recycler"),
    "closed": N_("closed: confirmed by the recycler"),
    "received": N_("Received by the recycler on"),
    "recycler_kg": N_("Recycler's weight"),
    "certificate": N_("Recycler's certificate no."),
    "devices": N_("Devices"),
    "head": [N_("#"), N_("Asset tag"), N_("Device"), N_("Serial number"), N_("Weight (kg)"), ""],
    "share": N_("Share of the recycler's weight (kg)"),
    "measured": N_("weighed"),
    "estimated": N_("estimated"),
    "totals": N_("Totals"),
    "count": N_("Devices"),
    "kg": N_("Weight of the devices"),
    "of_which": N_("of which estimated"),
    "none": N_("none"),
    "note": N_(
        "Estimated weights are the program's default for the kind of device (laptop, "
        "desktop, ...), used where a device was not weighed. Once the recycler has weighed "
        "the shipment, its weight, spread evenly over the devices, is what the program "
        "reports as recycled."
    ),
    "sign": N_("Signatures"),
    "shipper": N_("Shipper"),
    "receiver": N_("Receiver (recycler)"),
    "name": N_("Name"),
    "signature": N_("Signature"),
    "date": N_("Date"),
    "page": N_("page"),
}


def _w(key: str, lang: str) -> Any:
    tr, words = gettext_for(lang), _WORDS[key]
    return [tr(w) for w in words] if isinstance(words, list) else tr(words)


def render_shipment(
    doc: dict[str, Any],
    lang: str = "en",
    font: str | None = None,
    letterhead: Letterhead | None = None,
) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from refurb.fonts import apply_to_styles, fonts_for, texts_in

    colon = gettext_for(lang).colon  # French sets a no-break space before the colon
    styles = getSampleStyleSheet()
    fonts = fonts_for(texts_in(doc), font)
    apply_to_styles(styles, fonts)
    heading = styles["Title"].clone("heading", fontSize=15, leading=19)  # one line, in French too
    body = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    right = body.clone("right", alignment=2)
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9.5)

    def p(text: Any, style: Any = body) -> Any:
        return Paragraph(escape("" if text is None else str(text)), style)

    def kg(value: float) -> str:
        return number(value, lang, 2)

    title = f"{_w('title', lang)} — {doc['code']}"
    buf = io.BytesIO()
    page = A4
    doc_template = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="refurb",
        invariant=1,
    )
    width = page[0] - 32 * mm

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(16 * mm, 9 * mm, f"{_w('shipment', lang)} {doc['code']} — refurb")
        canvas.drawRightString(
            page[0] - 16 * mm, 9 * mm, f"{_w('page', lang)} {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    r = doc["recycler"]
    facts = [
        (_w("recycler", lang), r["name"]),
        (_w("address", lang), r["address"] or "—"),
        (_w("certification", lang), r["certification"] or "—"),
        (_w("shipped", lang), doc["shipped_on"]),
        (_w("bol", lang), doc["bol"] or "—"),
        (_w("status", lang), _w(doc["status"], lang)),
    ]
    if doc["status"] == "closed":
        facts += [
            (_w("received", lang), doc["received_on"]),
            (_w("recycler_kg", lang), f"{kg(doc['weight_kg'])} kg"),
            (_w("certificate", lang), doc["certificate"]),
        ]
    grid = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    story: list[Any] = [
        *letterhead_rows(letterhead, styles["Normal"]),
        Paragraph(escape(title), heading),
        Table(
            [[p(f"{k}{colon}"), p(v)] for k, v in facts],
            colWidths=[52 * mm, width - 52 * mm],
            style=TableStyle(grid),
        ),
        Spacer(1, 5 * mm),
        CondPageBreak(40 * mm),  # the heading and the first rows together; the rest flows
        Paragraph(f"{_w('devices', lang)} ({doc['totals']['devices']})", styles["Heading2"]),
    ]
    closed = doc["status"] == "closed"
    names = list(_w("head", lang)) + ([_w("share", lang)] if closed else [])
    numeric = {0, 4, 6}
    rows = [[p(h, right if i in numeric else body) for i, h in enumerate(names)]]
    for i, d in enumerate(doc["items"], 1):
        model = " ".join(x for x in (d["vendor"], d["model"]) if x) or "—"
        row = [
            p(i, right),
            p(d["tag"]),
            p(model),
            p(d["serial"] or "—"),
            p(kg(d["weight_kg"]), right),
            p(_w(d["weight"], lang), small),
        ]
        if closed:
            # to the gram: the shares add up to the recycler's weight exactly
            share = d["share_kg"]
            row.append(p(number(share, lang, 3) if share is not None else "—", right))
        rows.append(row)
    if not doc["items"]:
        rows.append([p(""), p(_w("none", lang))] + [p("")] * (len(names) - 2))
    cols = [9 * mm, 24 * mm, 0.0, 32 * mm, 20 * mm, 20 * mm] + ([26 * mm] if closed else [])
    cols[2] = width - sum(cols)
    story.append(
        Table(
            rows,
            colWidths=cols,
            repeatRows=1,
            style=TableStyle(
                [
                    *grid,
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                ]
            ),
        )
    )
    t = doc["totals"]
    totals = [
        (_w("count", lang), number(t["devices"], lang)),
        (
            _w("kg", lang),
            f"{kg(t['kg'])} kg ({_w('of_which', lang)} {kg(t['estimated_kg'])} kg)",
        ),
    ]
    if t["recycler_kg"] is not None:
        totals.append((_w("recycler_kg", lang), f"{kg(t['recycler_kg'])} kg"))
    story += [
        Spacer(1, 4 * mm),
        KeepTogether(
            [
                Paragraph(_w("totals", lang), styles["Heading2"]),
                Table(
                    [[p(f"{k}{colon}"), p(v)] for k, v in totals],
                    colWidths=[52 * mm, width - 52 * mm],
                    style=TableStyle(grid),
                ),
                Spacer(1, 2 * mm),
                Paragraph(escape(_w("note", lang)), small),
            ]
        ),
    ]

    def party(who: str) -> Any:
        """Name, signature and date, each on a ruled line of the same length."""
        label_w = 24 * mm
        return Table(
            [[Paragraph(f"<b>{escape(who)}</b>", body), ""]]
            + [[p(f"{_w(k, lang)}{colon}"), ""] for k in ("name", "signature", "date")],
            colWidths=[label_w, width / 2 - label_w - 8 * mm],
            rowHeights=[7 * mm] + [11 * mm] * 3,
            style=TableStyle(
                [
                    ("SPAN", (0, 0), (1, 0)),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (1, 1), (1, -1), 0.5, colors.black),
                ]
            ),
        )

    signatures = Table(
        [[party(_w("shipper", lang)), party(_w("receiver", lang))]],
        colWidths=[width / 2, width / 2],
        style=TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        ),
    )
    story += [
        Spacer(1, 8 * mm),
        KeepTogether([Paragraph(_w("sign", lang), styles["Heading2"]), signatures]),
    ]
    if fonts.missing:
        story.append(
            Paragraph(
                escape(f"characters no font here could show: {' '.join(fonts.missing)}"),
                styles["Italic"],
            )
        )
    doc_template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
