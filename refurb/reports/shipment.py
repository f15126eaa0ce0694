"""The shipping document for one downstream shipment, as a PDF: the recycler, the dates,
the bill of lading, every device with its weight, the totals, and signature lines for
the shipper and the receiver. English or French, the same way as the certificate."""

from __future__ import annotations

import io
from typing import Any

from refurb.i18n import pick
from refurb.reports.i18n import number
from refurb.reports.letterhead import Letterhead
from refurb.reports.letterhead import head as letterhead_rows

_WORDS: dict[str, tuple[Any, Any]] = {
    "title": ("Shipment to a downstream recycler", "Expédition vers un recycleur en aval"),
    "shipment": ("Shipment", "Expédition"),
    "recycler": ("Recycler", "Recycleur"),
    "address": ("Address", "Adresse"),
    "certification": ("Certification", "Certification"),
    "shipped": ("Shipped on", "Date d'expédition"),
    "bol": ("Bill of lading", "Connaissement"),
    "status": ("Status", "État"),
    "open": (
        "open: not yet confirmed by the recycler",
        "ouverte : pas encore confirmée par le recycleur",
    ),
    "closed": ("closed: confirmed by the recycler", "fermée : confirmée par le recycleur"),
    "received": ("Received by the recycler on", "Reçue par le recycleur le"),
    "recycler_kg": ("Recycler's weight", "Poids établi par le recycleur"),
    "certificate": ("Recycler's certificate no.", "N° de certificat du recycleur"),
    "devices": ("Devices", "Appareils"),
    "head": (
        ["#", "Asset tag", "Device", "Serial number", "Weight (kg)", ""],
        ["N°", "Étiquette", "Appareil", "N° de série", "Poids (kg)", ""],
    ),
    "share": ("Share of the recycler's weight (kg)", "Part du poids du recycleur (kg)"),
    "measured": ("weighed", "pesé"),
    "estimated": ("estimated", "estimé"),
    "totals": ("Totals", "Totaux"),
    "count": ("Devices", "Appareils"),
    "kg": ("Weight of the devices", "Poids des appareils"),
    "of_which": ("of which estimated", "dont estimé"),
    "none": ("none", "aucun"),
    "note": (
        "Estimated weights are the program's default for the kind of device (laptop, "
        "desktop, ...), used where a device was not weighed. Once the recycler has weighed "
        "the shipment, its weight, spread evenly over the devices, is what the program "
        "reports as recycled.",
        "Les poids estimés sont les valeurs par défaut du programme pour le type d'appareil "
        "(portable, ordinateur de bureau, ...), utilisées quand un appareil n'a pas été "
        "pesé. Une fois l'expédition pesée par le recycleur, ce poids, réparti également "
        "entre les appareils, est celui que le programme déclare comme recyclé.",
    ),
    "sign": ("Signatures", "Signatures"),
    "shipper": ("Shipper", "Expéditeur"),
    "receiver": ("Receiver (recycler)", "Destinataire (recycleur)"),
    "name": ("Name", "Nom"),
    "signature": ("Signature", "Signature"),
    "date": ("Date", "Date"),
    "page": ("page", "page"),
}


def _w(key: str, lang: str) -> Any:
    return pick(_WORDS[key], lang)


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

    colon = "\u00a0:" if lang == "fr" else ":"  # French sets a space before the colon
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
