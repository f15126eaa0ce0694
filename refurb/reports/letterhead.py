"""The top and foot of a document handed to someone outside the shop (a funder report,
a donor's certificate, a recycler's shipment paper): the program's name and logo, when
it was made, and lines to sign."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refurb.i18n import N_, gettext_for

_WORDS = {
    "prepared": N_("Prepared by"),
    "signature": N_("Signature"),
    "date": N_("Date"),
    "name": N_("Name and role"),
}


@dataclass(frozen=True)
class Letterhead:
    name: str | None = None
    logo: str | None = None  # a PNG or JPEG file

    @classmethod
    def from_config(cls, cfg: Any) -> Letterhead:
        return cls(getattr(cfg, "program_name", None), getattr(cfg, "program_logo", None))


def head(letterhead: Letterhead | None, style: Any) -> list[Any]:
    """The program's logo (at most 18 mm high) and name, or nothing. A logo that cannot
    be read is left out rather than failing the document."""
    from xml.sax.saxutils import escape

    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, Table, TableStyle

    if letterhead is None or not (letterhead.name or letterhead.logo):
        return []
    cells: list[Any] = []
    widths: list[Any] = []
    if letterhead.logo and Path(letterhead.logo).is_file():
        try:
            from reportlab.lib.utils import ImageReader

            w, h = ImageReader(letterhead.logo).getSize()
            height = 18 * mm
            cells.append(Image(letterhead.logo, width=height * w / h, height=height))
            widths.append(height * w / h + 4 * mm)
        except Exception:
            pass
    if letterhead.name:
        cells.append(Paragraph(f"<b>{escape(letterhead.name)}</b>", style))
        widths.append(120 * mm)
    if not cells:
        return []
    return [
        Table(
            [cells],
            colWidths=widths,
            hAlign="LEFT",
            style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
            ),
        )
    ]


def signature_lines(lang: str, style: Any, roles: list[str]) -> Any:
    """One block (kept on one page) with, for each role, lines for a name, a signature
    and a date."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    tr = gettext_for(lang)
    colon = tr.colon
    rows = []
    for role in roles:
        rows.append(
            [
                Paragraph(f"{role}{colon}", style),
                Paragraph(f"{tr(_WORDS['name'])}{colon}", style),
                Paragraph(f"{tr(_WORDS['signature'])}{colon}", style),
                Paragraph(f"{tr(_WORDS['date'])}{colon}", style),
            ]
        )
    table = Table(
        rows,
        colWidths=[40 * mm, 50 * mm, 50 * mm, 30 * mm],
        rowHeights=[14 * mm] * len(rows),
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (-1, -1), 0.5, "black"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        ),
    )
    return KeepTogether([Spacer(1, 6 * mm), table])


def prepared_by(lang: str) -> str:
    return gettext_for(lang)(_WORDS["prepared"])
