"""Asset labels: stock definitions (TOML) and rendering to PDF.

The stock (``labels/*.toml``: sizes in mm, sheet layout, printer dpi) is separate from
the output. A label holds the tag in large type, a QR code with just the tag, and the
test record: model, CPU, RAM, storage, battery health, verdict and grades, tested on /
by, and the year of production where known (EU WEEE Annex VI used-equipment record).

QR rules: error correction H, a 4-module quiet zone inside the label, modules a whole
number of printer dots and never under 4 dots or 0.33 mm, drawn as vector rectangles.
Text never enters the QR's quiet zone or leaves the label: lines that do not fit are
shortened with an ellipsis, and the least important lines are dropped first.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from refurb.errors import BadInput
from refurb.i18n import N_, gettext_for
from refurb.untrusted import one_line

MM = 72 / 25.4  # PDF points per millimetre
QUIET = 4  # modules of quiet zone on each side
MIN_MODULE_MM = 0.33
MIN_MODULE_DOTS = 4
QR_SHARE = 0.45  # at most this share of the label's width goes to the QR and its margins


@dataclass(frozen=True)
class Stock:
    name: str
    description: str
    page_mm: tuple[float, float]
    label_mm: tuple[float, float]
    columns: int = 1
    rows: int = 1
    first_mm: tuple[float, float] = (0.0, 0.0)
    pitch_mm: tuple[float, float] = (0.0, 0.0)
    dpi: int = 300
    padding_mm: float = 1.5
    source: str = ""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def is_sheet(self) -> bool:
        return self.per_page > 1


_NUM = (int, float)


MAX_MM = 2000.0  # no label sheet or roll is wider or longer than 2 m


def parse_stock(text: str, source: str) -> Stock:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"label stock {source}: not valid TOML: {exc}") from None

    def pair(key: str, required: bool = True) -> tuple[float, float] | None:
        value = doc.get(key)
        if value is None and not required:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(
                isinstance(v, _NUM) and not isinstance(v, bool) and 0 <= v <= MAX_MM for v in value
            )
        ):
            raise BadInput(
                f"label stock {source}: {key} must be two numbers in mm from 0 to {MAX_MM}, "
                f"like [62.0, 29.0]; found {value!r}"
            )
        return float(value[0]), float(value[1])

    known = {
        "name",
        "description",
        "page_mm",
        "label_mm",
        "columns",
        "rows",
        "first_mm",
        "pitch_mm",
        "dpi",
        "padding_mm",
    }
    unknown = sorted(set(doc) - known)
    if unknown:
        raise BadInput(
            f"label stock {source}: unknown key {unknown[0]!r}",
            f"keys are: {', '.join(sorted(known))}",
        )
    for key in ("name", "description"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise BadInput(f"label stock {source}: {key} must be a non-empty text")
    ints = {}
    for key, default in (("columns", 1), ("rows", 1), ("dpi", 300)):
        value = doc.get(key, default)
        top = 2400 if key == "dpi" else 100
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            raise BadInput(f"label stock {source}: {key} must be a whole number from 1 to {top}")
        ints[key] = value
    page, label = pair("page_mm"), pair("label_mm")
    assert page is not None and label is not None
    padding = doc.get("padding_mm", 1.5)
    if (
        not isinstance(padding, _NUM)
        or isinstance(padding, bool)
        or not 0 <= padding < min(label) / 4  # also refuses nan
    ):
        raise BadInput(
            f"label stock {source}: padding_mm must be a number from 0 to less than a "
            f"quarter of the label's short side ({min(label) / 4:g} mm); found {padding!r}"
        )
    first = pair("first_mm", required=False) or (0.0, 0.0)
    pitch = pair("pitch_mm", required=False) or label
    stock = Stock(
        name=doc["name"],
        description=doc["description"],
        page_mm=page,
        label_mm=label,
        first_mm=first,
        pitch_mm=pitch,
        padding_mm=float(padding),
        source=source,
        **ints,
    )
    right = first[0] + (stock.columns - 1) * pitch[0] + label[0]
    bottom = first[1] + (stock.rows - 1) * pitch[1] + label[1]
    if right > page[0] + 0.01 or bottom > page[1] + 0.01:
        raise BadInput(
            f"label stock {source}: the labels run off the page "
            f"({right:.1f} x {bottom:.1f} mm on a {page[0]:g} x {page[1]:g} mm page)",
            "check first_mm, pitch_mm, columns and rows",
        )
    module_geometry(stock)  # refuse a stock too small for a scannable QR
    return stock


def load_stocks(extra_dir: str | None = None) -> dict[str, Stock]:
    """Shipped stocks, then a shop's own folder (same name: the shop's wins)."""
    stocks: dict[str, Stock] = {}
    shipped = resources.files("refurb_labels")
    for entry in sorted(shipped.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            stock = parse_stock(entry.read_text(encoding="utf-8"), entry.name)
            stocks[stock.name] = stock
    if extra_dir:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise BadInput(
                f"label stock folder {folder} does not exist", "fix labels_dir in the config file"
            )
        for path in sorted(folder.glob("*.toml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(f"label stock {path}: cannot be read ({exc})") from None
            stock = parse_stock(text, str(path))
            stocks[stock.name] = stock
    return stocks


def module_geometry(stock: Stock) -> tuple[int, float]:
    """(dots per module, module size in mm): the largest whole number of printer dots
    whose 29-module symbol (21 + quiet zones) fits the label's height and leaves at
    least 55 % of its width for text."""
    height = min(stock.label_mm[1], stock.label_mm[0] * QR_SHARE)
    dot_mm = 25.4 / stock.dpi
    dots = math.floor(height / (21 + 2 * QUIET) / dot_mm)
    least = max(MIN_MODULE_DOTS, math.ceil(MIN_MODULE_MM / dot_mm - 1e-9))
    if dots < least:
        raise BadInput(
            f"label stock {stock.source or stock.name}: {stock.label_mm[0]:g} x "
            f"{stock.label_mm[1]:g} mm is too small for a scannable QR code at "
            f"{stock.dpi} dpi (the code needs {(21 + 2 * QUIET) * least * dot_mm:.1f}"
            " mm square)"
        )
    return dots, dots * dot_mm


@dataclass
class LabelData:
    tag: str
    model: str | None = None
    cpu: str | None = None
    memory_bytes: int | None = None
    storage_bytes: int | None = None
    storage_kind: str | None = None
    battery_pct: float | None = None
    disposition: str | None = None
    grade_functional: str | None = None
    grade_cosmetic: str | None = None
    tested_on: date | None = None
    tested_by: str | None = None
    year: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_WORDS = {
    "refurbish": N_("REFURBISH"),
    "repair": N_("REPAIR"),
    "harvest": N_("HARVEST"),
    "recycle": N_("RECYCLE"),
    "tested": N_("Tested {d} by {who}"),
    "tested_on": N_("Tested {d}"),
    "made": N_("Made {y}"),
    "gb": N_("GB"),
    "batt": N_("Batt {p}%"),
    "ram": N_("RAM"),
}


def _w(key: str, lang: str) -> str:
    return gettext_for(lang)(_WORDS[key])


_CPU_NOISE = re.compile(r"\((?:R|TM|tm|r)\)|\bCPU\b|@\s*[\d.]+\s*GHz|\bProcessor\b")


def clean_text(value: str) -> str:
    """No control characters (they would corrupt a label or hide text); one line."""
    return one_line(value)


def short_cpu(model: str) -> str:
    return " ".join(_CPU_NOISE.sub(" ", model).split())


def _gb(n: int | None, lang: str, binary: bool = False) -> str | None:
    """Sizes as sold: memory in binary gigabytes (8 GiB is "8 GB"), disks in decimal."""
    if not n:
        return None
    gb = n / (1 << 30) if binary else n / 1e9
    if gb >= 10 or abs(gb - round(gb)) < 0.05:
        return f"{gb:.0f} {_w('gb', lang)}"
    return f"{gb:.1f} {_w('gb', lang)}"


def label_lines(d: LabelData, lang: str) -> list[str]:
    """The text lines under the tag, most important first (dropped from the end)."""
    lines = []
    verdict = (
        [_w(d.disposition, lang)]
        if d.disposition in ("refurbish", "repair", "harvest", "recycle")
        else []
    )
    verdict += [g for g in (d.grade_functional, d.grade_cosmetic) if g]
    if verdict:
        lines.append(" · ".join(verdict))
    if d.model:
        lines.append(d.model)
    specs = []
    ram = _gb(d.memory_bytes, lang, binary=True)
    if ram:
        specs.append(f"{ram} {_w('ram', lang)}")
    storage = _gb(d.storage_bytes, lang)
    if storage:
        kind = {"nvme": "SSD", "ssd": "SSD", "hdd": "HDD"}.get(d.storage_kind or "", "")
        specs.append(f"{storage} {kind}".strip())
    if d.battery_pct is not None:
        specs.append(_w("batt", lang).format(p=f"{d.battery_pct:.0f}"))
    if specs:
        lines.append(" · ".join(specs))
    if d.cpu:
        lines.append(short_cpu(d.cpu))
    if d.tested_on:
        key = "tested" if d.tested_by else "tested_on"
        lines.append(_w(key, lang).format(d=d.tested_on.isoformat(), who=d.tested_by))
    if d.year:
        lines.append(_w("made", lang).format(y=d.year))
    return [clean_text(x) for x in lines if x]


@functools.lru_cache(maxsize=4096)
def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to ``width`` points. Cached: a batch of labels
    repeats the same models, CPUs and dates many times."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return (text.rstrip() + "…") if text else ""


def qr_rects(rows: list[int]) -> list[tuple[int, int, int, int]]:
    """Dark modules as (column, row, width, height) rectangles: horizontal runs, merged
    downwards while the next row has the very same run (rows are bitmasks)."""
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (start, length) -> first row
    for r, row in enumerate(rows):
        runs = set()
        while row:
            start = (row & -row).bit_length() - 1
            run = row >> start
            length = (~run & (run + 1)).bit_length() - 1  # trailing ones = the run
            runs.add((start, length))
            row &= ~(((1 << length) - 1) << start)
        for key in [k for k in open_runs if k not in runs]:
            first = open_runs.pop(key)
            done.append((key[0], first, key[1], r - first))
        for key in runs:
            open_runs.setdefault(key, r)
    done.extend((k[0], first, k[1], len(rows) - first) for k, first in open_runs.items())
    return done


def _qr_path(canvas: Any, rows: list[int], x: float, top: float, module: float) -> None:
    """The symbol as one filled path, drawn in module units (whole numbers in the PDF)."""
    canvas.saveState()
    canvas.transform(module, 0, 0, -module, x, top)  # origin top-left, y down, 1 = a module
    path = canvas.beginPath()
    rect = path.rect
    for c, r, w, h in qr_rects(rows):
        rect(c, r, w, h)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _positions(stock: Stock, count: int, skip: int) -> list[tuple[int, float, float]]:
    """(page, left, top) in points, top measured from the page's bottom as PDF does."""
    out = []
    page_h = stock.page_mm[1] * MM
    for i in range(skip, skip + count):
        page, slot = divmod(i, stock.per_page)
        row, col = divmod(slot, stock.columns)
        left = (stock.first_mm[0] + col * stock.pitch_mm[0]) * MM
        top = page_h - (stock.first_mm[1] + row * stock.pitch_mm[1]) * MM
        out.append((page, left, top))
    return out


def render(
    labels: list[LabelData],
    stock: Stock,
    *,
    lang: str = "en",
    skip: int = 0,
    compress: bool = True,
    font: str | None = None,
) -> bytes:
    """One PDF with every label, on ``stock``; ``skip`` leaves that many used labels of a
    part-used sheet blank. ``font``: a TrueType file for text Helvetica cannot show (a
    trainee's name in syllabics, say; see refurb.fonts)."""
    import io

    from reportlab import rl_config
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    rl_config.useA85 = 0  # binary (zlib) streams: smaller and faster than ASCII85

    from refurb.qr import symbol

    if skip < 0 or (skip and not stock.is_sheet):
        raise BadInput("--skip counts used labels on a sheet; this stock is a roll")
    if skip >= stock.per_page:
        raise BadInput(f"--skip {skip}: a {stock.name} sheet has {stock.per_page} labels")
    buf = io.BytesIO()
    canvas = Canvas(
        buf,
        pagesize=(stock.page_mm[0] * MM, stock.page_mm[1] * MM),
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    canvas.setTitle("refurb asset labels")
    canvas.setCreator("refurb")
    _, module_mm = module_geometry(stock)
    module = module_mm * MM
    lw, lh = stock.label_mm[0] * MM, stock.label_mm[1] * MM
    pad = stock.padding_mm * MM
    qr_side = (21 + 2 * QUIET) * module
    text_x = qr_side + module / 2  # text starts half a module past the right quiet zone
    text_w = lw - text_x - pad
    from refurb.fonts import fonts_for

    lines_of = [label_lines(data, lang) for data in labels]
    text_font = fonts_for((line for lines in lines_of for line in lines), font).regular
    current = 0
    for data, lines, (page, left, top) in zip(
        labels, lines_of, _positions(stock, len(labels), skip), strict=True
    ):
        while page > current:
            canvas.showPage()
            current += 1
        qr_top = top - (lh - qr_side) / 2 - QUIET * module
        rows, qr_size = symbol(data.tag)
        if qr_size != 21:
            raise BadInput(f"tag {data.tag!r} is too long for a small QR code")
        _qr_path(canvas, rows, left + QUIET * module, qr_top, module)
        # tag: as large as fits, up to 16 pt and 40 % of the label height
        size = min(16.0, lh * 0.4 / 1.2)
        width = stringWidth(data.tag, "Helvetica-Bold", size)
        if width > text_w:
            size *= text_w / width
        y = top - pad - size * 0.8
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawString(left + text_x, y, data.tag)
        small = max(4.5, min(7.0, (lh - 2 * pad - size) / 4.6))
        canvas.setFont(text_font, small)
        y -= size * 0.25 + small * 1.05
        floor = top - lh + pad
        for line in lines:
            if y < floor:
                break
            canvas.drawString(left + text_x, y, fit(line, text_font, small, text_w))
            y -= small * 1.15
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
