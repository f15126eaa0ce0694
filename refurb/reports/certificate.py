"""The data-sanitization certificate as a PDF (what a donor asks for)."""

from __future__ import annotations

import io
from typing import Any

from refurb.i18n import pick

_WORDS = {
    "title": ("Data sanitization certificate", "Certificat d'effacement des données"),
    "standard": ("Standard", "Norme"),
    "lot": ("Lot", "Lot"),
    "donor": ("Donor", "Donateur"),
    "received": ("Received", "Reçu le"),
    "drives": ("Drives", "Disques"),
    "none": ("NO RECORD", "AUCUN RELEVÉ"),
    "statement": (
        "Each drive below was sanitized as recorded (level, method, tool, "
        "verification), or removed or destroyed. A factory reset is not counted as "
        "sanitization.",
        "Chaque disque ci-dessous a été effacé comme indiqué (niveau, méthode, outil, "
        "vérification), ou retiré ou détruit. Une réinitialisation d'usine n'est pas "
        "comptée comme un effacement.",
    ),
    "head": (
        [
            "Asset",
            "Drive (model, serial)",
            "Level / method",
            "Tool",
            "Verification",
            "Done by / on",
            "Verified by",
        ],
        [
            "Actif",
            "Disque (modèle, série)",
            "Niveau / méthode",
            "Outil",
            "Vérification",
            "Fait par / le",
            "Vérifié par",
        ],
    ),
}


def _w(key: str, lang: str) -> Any:
    return pick(_WORDS[key], lang)


def render_certificate(data: dict[str, Any], lang: str = "en", font: str | None = None) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from refurb.fonts import apply_to_styles, fonts_for

    styles = getSampleStyleSheet()
    apply_to_styles(styles, fonts_for(_strings(data), font))
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_w("title", lang),
        author="refurb",
        invariant=1,
    )

    def p(text: Any) -> Any:
        value = "" if text is None else str(text)
        return Paragraph(escape(value), small)

    story: list[Any] = [
        Paragraph(_w("title", lang), styles["Title"]),
        Paragraph(f"{_w('standard', lang)}: {data['standard']}", styles["Normal"]),
    ]
    lot = data.get("lot")
    if lot:
        story.append(
            Paragraph(
                f"{_w('lot', lang)} {escape(lot['code'])} — {_w('donor', lang)}: "
                f"{escape(lot['donor'])} — {_w('received', lang)} {lot['received_on']}",
                styles["Normal"],
            )
        )
    story += [Paragraph(_w("statement", lang), styles["Normal"]), Spacer(1, 4 * mm)]
    rows = [[p(h) for h in _w("head", lang)]]
    for d in data["drives"]:
        drive = f"{d['manufacturer_model'] or '?'} — {d['serial'] or '?'}"
        if not d["records"]:
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
    story.append(
        Table(
            rows,
            colWidths=[24 * mm, 62 * mm, 34 * mm, 30 * mm, 46 * mm, 38 * mm, 36 * mm],
            repeatRows=1,
            style=TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    doc.build(story)
    return buf.getvalue()


def _strings(value: Any) -> list[str]:
    """Every string in the certificate's data (names, tools, notes), for the font choice."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
