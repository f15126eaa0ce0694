"""Fonts for the PDFs. reportlab's built-in Helvetica covers Western European text only:
a community written in Inuktitut syllabics (ᐃᖃᓗᐃᑦ), a Cree or Greek name would print as
empty boxes. When the text needs it, a TrueType font that has every glyph is taken from
the config (``font = "/path/to/font.ttf"``) or from the fonts the system already has
(DejaVu Sans on Debian and Ubuntu, Gadugi on Windows, Euphemia on macOS); otherwise the
PDF keeps Helvetica and says which characters it could not show.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# (regular, bold) pairs; the bold may be missing, then the regular face serves for both.
SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSansCanadianAboriginal-Regular.ttf", ""),
    (r"C:\Windows\Fonts\gadugi.ttf", "gadugib.ttf"),
    ("/System/Library/Fonts/Supplemental/EuphemiaCAS.ttc", ""),
    ("/Library/Fonts/Arial Unicode.ttf", ""),
)


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    missing: str = ""  # characters no available font could show


BUILT_IN = Fonts("Helvetica", "Helvetica-Bold")


def _winansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fonts_for(texts: Iterable[str | None], configured: str | None = None) -> Fonts:
    """The fonts to draw these texts with (registered with reportlab when not built in)."""
    needed = frozenset(
        ch for text in texts if text for ch in text if ord(ch) > 127 and not _winansi(ch)
    )
    if not needed:
        return BUILT_IN
    candidates = [(configured, "")] if configured else []
    candidates += list(SYSTEM_FONTS)
    for regular, bold in candidates:
        if regular and os.path.exists(regular):
            covered = _coverage(regular)
            if covered is not None and needed <= covered:
                return _register(regular, bold)
    return Fonts(BUILT_IN.regular, BUILT_IN.bold, "".join(sorted(needed)))


@cache
def _coverage(path: str) -> frozenset[str] | None:
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        face = TTFont("refurb-probe", path, subfontIndex=0).face
    except (TTFError, OSError, ValueError):
        return None
    return frozenset(chr(c) for c in face.charToGlyph)


@cache
def _register(regular: str, bold: str) -> Fonts:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bold_path = str(Path(regular).with_name(bold)) if bold else ""
    if not bold_path or not os.path.exists(bold_path):
        bold_path = regular
    pdfmetrics.registerFont(TTFont("RefurbSans", regular, subfontIndex=0))
    pdfmetrics.registerFont(TTFont("RefurbSans-Bold", bold_path, subfontIndex=0))
    # so that <b> in a paragraph finds the bold face
    for italic in (0, 1):
        addMapping("RefurbSans", 0, italic, "RefurbSans")
        addMapping("RefurbSans", 1, italic, "RefurbSans-Bold")
    return Fonts("RefurbSans", "RefurbSans-Bold")


def apply_to_styles(styles: object, fonts: Fonts) -> None:
    """Point a reportlab style sheet's Helvetica styles at ``fonts``."""
    if fonts == BUILT_IN:
        return
    for style in getattr(styles, "byName", {}).values():
        name = getattr(style, "fontName", "")
        if name.startswith("Helvetica"):
            style.fontName = fonts.bold if "Bold" in name else fonts.regular


def texts_in(value: Any) -> list[str]:
    """Every string in a document's data (names, tools, notes), for the font choice."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in texts_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in texts_in(v)]
    return []
