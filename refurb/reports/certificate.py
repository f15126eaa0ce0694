"""The data-sanitization certificate as a PDF (what a donor asks for). It claims only
what the records show: drives without a passing record are named in a warning at the
top, and the statement covers the others alone."""

from __future__ import annotations

import io
from typing import Any

from refurb.i18n import N_, NC_, gettext_for
from refurb.reports.i18n import long_date, month_name
from refurb.reports.letterhead import Letterhead, signature_lines
from refurb.reports.letterhead import head as letterhead_rows

_WORDS: dict[str, Any] = {
    "title": N_("Data sanitization certificate"),
    "standard": N_("Standard"),
    "lot": N_("Lot"),
    "donor": N_("Donor"),
    "received": N_("Received"),
    "generated": NC_("certificate", "Issued"),
    "issuer": N_("Issued by"),
    "none": N_("NO RECORD"),
    "not_read": N_("not read"),
    "statement": N_(
        "Each drive below with a record was sanitized as recorded (level, method, tool, "
        "verification), or removed or destroyed. A factory reset is not counted as "
        "sanitization."
    ),
    "missing": N_(
        "NOT COVERED: {n} drive(s) below have no sanitization record ({tags}). This "
        "certificate does not cover them."
    ),
    "no_drives": N_("No drive is on record for these devices: this certificate covers no drive."),
    "verified_role": N_("Sanitization verified by"),
    "program_role": N_("For the program"),
    "head": [
        N_("Asset"),
        N_("Drive (model, serial)"),
        N_("Level / method"),
        N_("Tool"),
        N_("Verification"),
        N_("Done by / on"),
        N_("Verified by"),
    ],
}


def _w(key: str, lang: str) -> Any:
    tr, words = gettext_for(lang), _WORDS[key]
    return [tr(w) for w in words] if isinstance(words, list) else tr(words)


def uncovered(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in data["drives"] if not d["records"]]


def render_certificate(
    data: dict[str, Any],
    lang: str = "en",
    font: str | None = None,
    letterhead: Letterhead | None = None,
) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from refurb.fonts import apply_to_styles, fonts_for, texts_in

    colon = gettext_for(lang).colon  # French sets a no-break space before the colon
    styles = getSampleStyleSheet()
    apply_to_styles(styles, fonts_for(texts_in(data), font))
    cell = styles["BodyText"].clone("cell", fontSize=9, leading=11)
    warn = styles["BodyText"].clone("warn", fontSize=11, leading=14, textColor=colors.darkred)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_w("title", lang),
        author=(letterhead.name if letterhead and letterhead.name else "refurb"),
        invariant=1,
    )

    def p(text: Any) -> Any:
        value = "" if text is None else str(text)
        return Paragraph(escape(value), cell)

    published = data.get("standard_published")
    standard = (
        f"{data['standard_name']} ({month_name(published, lang)})"
        if published and data.get("standard_name")
        else data["standard"]
    )
    story: list[Any] = [
        *letterhead_rows(letterhead, styles["Normal"]),
        Paragraph(_w("title", lang), styles["Title"]),
        Paragraph(f"{_w('standard', lang)}{colon} {escape(standard)}", styles["Normal"]),
    ]
    lot = data.get("lot")
    if lot:
        story.append(
            Paragraph(
                f"{_w('lot', lang)} {escape(lot['code'])} — {_w('donor', lang)}{colon} "
                f"{escape(lot['donor'])} — {_w('received', lang)} "
                f"{long_date(str(lot['received_on']), lang)}",
                styles["Normal"],
            )
        )
    issued_by = letterhead.name if letterhead and letterhead.name else None
    story.append(
        Paragraph(
            f"{_w('generated', lang)}{colon} {long_date(data['generated_at'], lang)}"
            + (f" — {_w('issuer', lang)}{colon} {escape(issued_by)}" if issued_by else ""),
            styles["Normal"],
        )
    )
    missing = uncovered(data)
    if not data["drives"]:
        story.append(Paragraph(_w("no_drives", lang), warn))
    elif missing:
        tags = ", ".join(sorted({d["asset_tag"] for d in missing}))
        story.append(Paragraph(escape(_w("missing", lang).format(n=len(missing), tags=tags)), warn))
    story += [Paragraph(_w("statement", lang), styles["Normal"]), Spacer(1, 4 * mm)]
    unread = _w("not_read", lang)
    rows = [[p(h) for h in _w("head", lang)]]
    shade = []
    for d in data["drives"]:
        drive = f"{d['manufacturer_model'] or unread} — {d['serial'] or unread}"
        if not d["records"]:
            shade.append(len(rows))
            rows.append(
                [p(d["asset_tag"]), p(drive), p(_w("none", lang)), p(""), p(""), p(""), p("")]
            )
        for r in d["records"]:
            rows.append(
                [
                    p(d["asset_tag"]),
                    p(drive),
                    p(f"{r['level']} / {r['method']}"),
                    p(" ".join(x for x in (r["tool"], r["tool_version"]) if x)),
                    p(
                        " ".join(
                            x for x in (r["verification_method"], r["verification_result"]) if x
                        )
                    ),
                    p(f"{r['performed_by']} {r['performed_at'][:10]}"),
                    p(f"{r['verified_by'] or ''} {(r['verified_at'] or '')[:10]}"),
                ]
            )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ] + [("BACKGROUND", (0, i), (-1, i), colors.mistyrose) for i in shade]
    story.append(
        Table(
            rows,
            colWidths=[26 * mm, 66 * mm, 34 * mm, 30 * mm, 44 * mm, 36 * mm, 36 * mm],
            repeatRows=1,
            style=TableStyle(style),
        )
    )
    story.append(
        signature_lines(
            lang, styles["Normal"], [_w("verified_role", lang), _w("program_role", lang)]
        )
    )
    doc.build(story)
    return buf.getvalue()
