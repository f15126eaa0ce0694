"""Asset labels: stock definitions (TOML) and rendering to PDF.

The stock (``labels/*.toml``: sizes in mm, sheet layout, printer dpi) is separate from
the output. A label holds the tag in large type, a QR code with just the tag, and the
test record: model, CPU, RAM, storage, battery health, verdict and grades, tested on /
by, and the year of production where known (EU WEEE Annex VI used-equipment record).

QR rules: error correction H, a 4-module quiet zone inside the label, modules a whole
number of printer dots and never under 4 dots or 0.33 mm, drawn as vector rectangles.
The QR holds the bare tag, or a shop's ``label_url`` with the tag in it; never a serial.

Layout (``layout``, a pure function of the stock and the text): text never enters the
QR's quiet zone or leaves the label. Fields shrink (down to MIN_TEXT_PT) and wrap onto a
second line before anything is left off; then the least important fields take a
shorter form or are dropped, last first. Only a value too long for two lines at the
smallest size is cut with an ellipsis.
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
from refurb.i18n import N_, NC_, Phrase, gettext_for
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
        raise BadInput(
            Phrase(N_("label stock {source}: not valid TOML: {exc}"), source=source, exc=exc)
        ) from None

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
                Phrase(
                    N_(
                        "label stock {source}: {key} must be two numbers in mm from 0 to "
                        "{most}, like [62.0, 29.0]; found {value!r}"
                    ),
                    source=source,
                    key=key,
                    most=MAX_MM,
                    value=value,
                )
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
            Phrase(N_("label stock {source}: unknown key {key!r}"), source=source, key=unknown[0]),
            Phrase(N_("keys are: {values}"), values=", ".join(sorted(known))),
        )
    for key in ("name", "description"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise BadInput(
                Phrase(
                    N_("label stock {source}: {key} must be a non-empty text"),
                    source=source,
                    key=key,
                )
            )
    ints = {}
    for key, default in (("columns", 1), ("rows", 1), ("dpi", 300)):
        value = doc.get(key, default)
        top = 2400 if key == "dpi" else 100
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            raise BadInput(
                Phrase(
                    N_("label stock {source}: {key} must be a whole number from 1 to {top}"),
                    source=source,
                    key=key,
                    top=top,
                )
            )
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
            Phrase(
                N_(
                    "label stock {source}: padding_mm must be a number from 0 to less than a "
                    "quarter of the label's short side ({most:g} mm); found {padding!r}"
                ),
                source=source,
                most=min(label) / 4,
                padding=padding,
            )
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
            Phrase(
                N_(
                    "label stock {source}: the labels run off the page ({right:.1f} x "
                    "{bottom:.1f} mm on a {width:g} x {height:g} mm page)"
                ),
                source=source,
                right=right,
                bottom=bottom,
                width=page[0],
                height=page[1],
            ),
            N_("check first_mm, pitch_mm, columns and rows"),
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
                Phrase(N_("label stock folder {folder} does not exist"), folder=folder),
                N_("fix labels_dir in the config file"),
            )
        for path in sorted(folder.glob("*.toml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(
                    Phrase(N_("label stock {path}: cannot be read ({exc})"), path=path, exc=exc)
                ) from None
            stock = parse_stock(text, str(path))
            stocks[stock.name] = stock
    return stocks


@functools.cache
def shipped_stocks() -> tuple[Stock, ...]:
    return tuple(load_stocks().values())


def module_geometry(stock: Stock, modules: int = 21) -> tuple[int, float]:
    """(dots per module, module size in mm): the largest whole number of printer dots
    whose symbol of ``modules`` (21 for a tag, more for a label URL) with its quiet
    zones fits the label's height and leaves at least 55 % of its width for text."""
    dots = _max_dots(stock, modules)
    least = _least_dots(stock)
    dot_mm = 25.4 / stock.dpi
    if dots < least:
        if modules > 21 and _max_dots(stock, 21) >= least:
            raise BadInput(
                Phrase(
                    N_(
                        "label stock {stock}: the QR code of the label URL needs {modules} x "
                        "{modules} modules, too many for a scannable code on this {width:g} x "
                        "{height:g} mm label"
                    ),
                    stock=stock.source or stock.name,
                    modules=modules,
                    width=stock.label_mm[0],
                    height=stock.label_mm[1],
                ),
                N_("shorten label_url in the config file, or use a larger stock"),
            )
        raise BadInput(
            Phrase(
                N_(
                    "label stock {stock}: {width:g} x {height:g} mm is too small for a "
                    "scannable QR code at {dpi} dpi (the code needs {size:.1f} mm square)"
                ),
                stock=stock.source or stock.name,
                width=stock.label_mm[0],
                height=stock.label_mm[1],
                dpi=stock.dpi,
                size=(modules + 2 * QUIET) * least * dot_mm,
            )
        )
    return dots, dots * dot_mm


def _max_dots(stock: Stock, modules: int) -> int:
    height = min(stock.label_mm[1], stock.label_mm[0] * QR_SHARE)
    return math.floor(height / (modules + 2 * QUIET) / (25.4 / stock.dpi))


def _least_dots(stock: Stock) -> int:
    return max(MIN_MODULE_DOTS, math.ceil(MIN_MODULE_MM / (25.4 / stock.dpi) - 1e-9))


def max_qr_modules(stock: Stock) -> int:
    """The widest QR symbol (modules a side) that this stock prints scannably."""
    height = min(stock.label_mm[1], stock.label_mm[0] * QR_SHARE)
    return math.floor(height / (_least_dots(stock) * 25.4 / stock.dpi)) - 2 * QUIET


# --- label_url: a web address in the QR instead of the bare tag --------------------------

LONGEST_TAG = "ZZZ-ZZZZZZ"  # a three-symbol station prefix: the longest tag there is


def qr_text(tag: str, label_url: str | None) -> str:
    """What a label's QR code holds: the tag, or the label URL with the tag in it."""
    return label_url.replace("{tag}", tag) if label_url else tag


def check_label_url(url: str, where: str, stocks: list[Stock] | None = None) -> str:
    """``url`` when it is a usable label URL, else BadInput naming ``where`` (the config
    file or the environment variable it came from) and label_url.

    Usable: http or https, a host, no user name or password, exactly one ``{tag}`` and no
    other braces, ending in ``/d/{tag}`` (refurb.scanning.tag_from_scan reads it back),
    printable ASCII, and short enough that its QR code (error correction H, with the
    longest tag) prints scannably on every stock in ``stocks`` (default: the shipped ones).
    """
    from urllib.parse import urlsplit

    from refurb.scanning import tag_from_scan

    example = "https://refurb.shop.local:8443/d/{tag}"

    def bad(problem: str) -> BadInput:
        return BadInput(
            Phrase(N_("{where}: {problem}"), where=where, problem=problem),
            Phrase(N_("a label URL looks like {example}"), example=example),
        )

    if not url.isascii() or not url.isprintable() or " " in url:
        raise bad(
            "label_url must be printable ASCII with no spaces (write a host name in its xn-- form)"
        )
    others = url.replace("{tag}", "", 1)
    if url.count("{tag}") != 1 or "{" in others or "}" in others:
        raise bad("label_url must hold {tag} exactly once, and no other { or }")
    if not url.endswith("/d/{tag}"):
        raise bad("label_url must end with /d/{tag}, the device page")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as exc:
        raise bad(f"label_url is not a valid web address ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise bad(f"label_url must start with http:// or https://, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise bad("label_url names no host")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise bad("label_url must not hold a user name or password (a label is public)")
    if parts.query or parts.fragment:
        raise bad("label_url must end with /d/{tag}, with no ? or #")
    longest = qr_text(LONGEST_TAG, url)
    if tag_from_scan(longest) != LONGEST_TAG:
        raise bad("label_url does not read back as a device page")
    modules = qr_modules_for(longest)
    if stocks is None:
        stocks = list(shipped_stocks())
    for stock in sorted(stocks, key=max_qr_modules):
        if modules > max_qr_modules(stock):
            room = _longest_url_for(max_qr_modules(stock)) - len(LONGEST_TAG) + len("{tag}")
            raise bad(
                f"label_url is {len(url)} characters: its QR code ({modules} x {modules} "
                f"modules) is too fine to scan on the smallest stock, {stock.name} "
                f"(at most {max_qr_modules(stock)} x {max_qr_modules(stock)}); "
                f"keep it to {room} characters or fewer, e.g. a shorter host name"
            )
    return url


def qr_modules_for(text: str) -> int:
    """Modules a side of the QR code (error correction H) that holds ``text``."""
    from refurb.qr import symbol

    return symbol(text)[1]


def _longest_url_for(modules: int) -> int:
    """The longest byte-mode text a QR symbol of ``modules`` holds at error correction H."""
    from refurb.qr import symbol

    length = 10
    while length < 400 and symbol("x" * (length + 1))[1] <= modules:
        length += 1
    return length


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
    # the installed memory modules' sizes (SMBIOS type 17), when the probe saw them
    memory_modules_bytes: tuple[int, ...] = ()


_WORDS = {
    "refurbish": N_("REFURBISH"),
    "repair": N_("REPAIR"),
    "harvest": N_("HARVEST"),
    "recycle": N_("RECYCLE"),
    "tested": N_("Tested {d} by {who}"),
    "tested_on": N_("Tested {d}"),
    "made": N_("Made {y}"),
    "gb": N_("GB"),
    "tb": N_("TB"),
    "mb": N_("MB"),
    "decimal_point": NC_("decimal point", "."),
    "batt": N_("Batt {p}%"),
    "ram": N_("RAM"),
}


def _w(key: str, lang: str) -> str:
    return gettext_for(lang)(_WORDS[key])


_CPU_NOISE = re.compile(r"\((?:R|TM|tm|r)\)|\bCPU\b|@\s*[\d.]+\s*GHz|\bProcessor\b")


@functools.lru_cache(maxsize=4096)
def clean_text(value: str) -> str:
    """No control characters (they would corrupt a label or hide text); one line."""
    return one_line(value)


def short_cpu(model: str) -> str:
    return " ".join(_CPU_NOISE.sub(" ", model).split())


# --- sizes as a person says them -------------------------------------------------------

GIB = 1 << 30
# what a laptop or desktop ships with (GiB): one module, two equal ones, or a common mix
# such as 8 + 4; usable memory (what the OS reports) is a little less than the installed
_MEMORY_SIZES_GIB = (0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48, 64, 96, 128)


def installed_memory(usable_bytes: int | None, modules_bytes: tuple[int, ...] = ()) -> int | None:
    """The memory a person would say the machine has, in bytes: the sum of the installed
    modules when the probe saw them, else the usable memory rounded up to the next size a
    machine ships with (7.6 GiB usable is 8 GiB installed)."""
    fitted = sum(m for m in modules_bytes if m and m > 0)
    if fitted:
        return fitted
    if not usable_bytes or usable_bytes <= 0:
        return None
    gib = usable_bytes / GIB
    for size in _MEMORY_SIZES_GIB:
        if gib <= size + 1e-9:
            return int(size * GIB)
    size = _MEMORY_SIZES_GIB[-1]
    while gib > size + 1e-9:  # beyond 128 GiB: the next 1.5x or 2x step
        size = size * 1.5 if (size * 1.5).is_integer() and size * 1.5 >= gib else size * 2
    return int(size * GIB)


def _number(value: float, lang: str) -> str:
    """One decimal when it says something (1.5), none when it does not (8, 16)."""
    text = f"{value:.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:.1f}"
    return text.replace(".", _w("decimal_point", lang))


def memory_text(usable_bytes: int | None, modules_bytes: tuple[int, ...], lang: str) -> str | None:
    """Memory as sold: binary units, named GB as the trade does (8 GiB is "8 GB")."""
    size = installed_memory(usable_bytes, modules_bytes)
    if not size:
        return None
    if size < GIB:
        return f"{_number(size / (1 << 20), lang)} {_w('mb', lang)}"
    return f"{_number(size / GIB, lang)} {_w('gb', lang)}"


_EMMC_GB = (8, 16, 32, 64, 128)  # eMMC and SD sizes, which hold ~2.5 % less than named


def disk_text(size_bytes: int | None, lang: str) -> str | None:
    """Disk sizes as sold, in decimal units: "512 GB", "1 TB", "16 TB", "3.2 TB".

    Drives hold a little more than their marketed size (16 000 900 661 248 bytes is a
    16 TB drive); eMMC and SD storage a little less (31.3 GB is a 32 GB eMMC): a size up
    to 128 GB within 3 % under a power of two is named by it (500 GB and 250 GB drives
    are sold as such, so larger sizes are left alone).
    """
    if not size_bytes or size_bytes <= 0:
        return None
    gb = size_bytes / 1e9
    if gb >= 999.5:
        return f"{_number(gb / 1000, lang)} {_w('tb', lang)}"
    for marketed in _EMMC_GB:
        if marketed * 0.97 <= gb < marketed:
            gb = marketed
            break
    if gb < 1:
        return f"{size_bytes / 1e6:.0f} {_w('mb', lang)}"
    return f"{_number(gb, lang)} {_w('gb', lang)}"


# --- what goes on a label ----------------------------------------------------------------


SEPARATOR = " · "  # between the items of one field ("8 GB RAM · 256 GB SSD")


@dataclass(frozen=True)
class Field:
    """One item of a label's text. ``forms``: the field's text, longest first (a shorter
    form is used before the field is dropped). ``required``: never dropped."""

    key: str
    forms: tuple[str, ...]
    required: bool = False


def label_fields(d: LabelData, lang: str) -> list[Field]:
    """The fields under the tag, most important first; the last are dropped first."""
    fields: list[Field] = []

    def add(key: str, *forms: str | None, required: bool = False) -> None:
        kept = tuple(dict.fromkeys(clean_text(f) for f in forms if f))
        kept = tuple(f for f in kept if f)
        if kept:
            fields.append(Field(key, kept, required))

    verdict = (
        [_w(d.disposition, lang)]
        if d.disposition in ("refurbish", "repair", "harvest", "recycle")
        else []
    )
    verdict += [g for g in (d.grade_functional, d.grade_cosmetic) if g]
    if verdict:
        add("verdict", SEPARATOR.join(verdict), required=True)
    add("model", d.model, required=True)
    specs = []
    ram = memory_text(d.memory_bytes, d.memory_modules_bytes, lang)
    if ram:
        specs.append(f"{ram} {_w('ram', lang)}")
    storage = disk_text(d.storage_bytes, lang)
    if storage:
        kind = {"nvme": "SSD", "ssd": "SSD", "hdd": "HDD"}.get(d.storage_kind or "", "")
        specs.append(f"{storage} {kind}".strip())
    battery = (
        _w("batt", lang).format(p=f"{d.battery_pct:.0f}") if d.battery_pct is not None else None
    )
    if specs or battery:
        full = SEPARATOR.join([*specs, battery] if battery else specs)
        add("specs", full, SEPARATOR.join(specs) if battery and specs else None)
    if d.cpu:
        add("cpu", short_cpu(d.cpu))
    if d.tested_on:
        day = d.tested_on.isoformat()
        add(
            "tested",
            _w("tested", lang).format(d=day, who=d.tested_by) if d.tested_by else None,
            _w("tested_on", lang).format(d=day),
        )
    if d.year:
        add("made", _w("made", lang).format(y=d.year))
    return fields


def label_lines(d: LabelData, lang: str) -> list[str]:
    """The text under the tag, most important first, each field in its longest form."""
    return [f.forms[0] for f in label_fields(d, lang)]


@functools.lru_cache(maxsize=4096)
def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to ``width`` points: the last resort, for a
    value too long for two lines at the smallest size (see ``layout``)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return (text.rstrip() + "…") if text else ""


# --- layout: where each piece of text goes, and how large -------------------------------

TAG_FONT = "Helvetica-Bold"
MAX_TAG_PT = 16.0
MAX_TEXT_PT = 7.0
MIN_TEXT_PT = 5.0  # the smallest type a label uses: ~0.9 mm capitals, legible at 203 dpi
_STEP_PT = 0.25
MAX_FIELD_LINES = 2  # a field may wrap onto a second line
MAX_REQUIRED_LINES = 3  # the verdict and the model, a third, rather than be cut


@dataclass(frozen=True)
class TextBox:
    """A line of text placed on a label. Points, label-local: origin at the label's
    bottom-left corner, y up (as PDF). ``box`` is (left, bottom, right, top) from the
    font's ascent and descent."""

    key: str
    text: str
    font: str
    size: float
    x: float
    baseline: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Layout:
    """A label's layout. ``quiet_zone``: the QR symbol with its 4-module quiet zone
    (left, bottom, right, top); the symbol's top-left corner is ``qr_origin``."""

    width: float
    height: float
    qr_modules: int
    module: float
    quiet_zone: tuple[float, float, float, float]
    qr_origin: tuple[float, float]
    texts: tuple[TextBox, ...]
    dropped: tuple[str, ...]  # keys of the fields left off
    shortened: tuple[str, ...]  # keys shown in a shorter form, or cut with an ellipsis


def _ascent_descent(font: str, size: float) -> tuple[float, float]:
    from reportlab.pdfbase.pdfmetrics import getAscentDescent

    ascent, descent = getAscentDescent(font, size)
    return float(ascent), float(descent)


HANG = 0.6  # a wrapped field's further lines are indented this many ems


def _break(
    tokens: list[str], joiner: str, font: str, size: float, width: float, rest: float
) -> list[str]:
    """Greedy line breaking of ``tokens`` joined by ``joiner``: the first line ``width``
    wide, the others ``rest``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for token in tokens:
        trial = f"{current}{joiner}{token}" if current else token
        if not current or stringWidth(trial, font, size) <= (rest if lines else width):
            current = trial
        else:
            lines.append(current)
            current = token
    lines.append(current)
    return lines


def _wrap(
    text: str, font: str, size: float, width: float, last_resort: bool, most: int
) -> list[str] | None:
    """``text`` in at most ``most`` lines of ``width`` (the further lines indented by
    HANG ems), broken between a field's items when that is enough, else between words;
    None when it does not fit. ``last_resort``: what does not fit is cut with "…"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rest = width - HANG * size

    def fits(lines: list[str]) -> bool:
        return len(lines) <= most and all(
            stringWidth(x, font, size) <= (rest if i else width) for i, x in enumerate(lines)
        )

    if stringWidth(text, font, size) <= width:
        return [text]
    if SEPARATOR in text:
        lines = _break(text.split(SEPARATOR), SEPARATOR, font, size, width, rest)
        if fits(lines):
            return lines
    lines = _break(text.split(" "), " ", font, size, width, rest)
    if fits(lines):
        return lines
    if not last_resort:
        return None  # nothing is cut while a smaller size or a shorter form is left
    head = [fit(line, font, size, rest if i else width) for i, line in enumerate(lines[: most - 1])]
    tail = " ".join(lines[most - 1 :])
    return [*head, fit(tail, font, size, rest if head else width)] if tail else head


@functools.lru_cache(maxsize=1024)
def _place_fields(
    fields: tuple[Field, ...], font: str, width: float, height: float
) -> tuple[float, tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """(size, (key, line) pairs, dropped keys, shortened keys): the largest size from
    MAX_TEXT_PT down to MIN_TEXT_PT at which the fields fit ``width`` x ``height``; when
    none does, the last optional field takes its shorter form, or is dropped, and the
    search runs again. Cached: a batch repeats the same models and dates."""
    chosen = [0] * len(fields)
    present = list(range(len(fields)))
    sizes = []
    s = MAX_TEXT_PT
    while s >= MIN_TEXT_PT - 1e-9:
        sizes.append(round(s, 2))
        s -= _STEP_PT

    def lines_at(size: float, last_resort: bool) -> list[tuple[str, str]] | None:
        out: list[tuple[str, str]] = []
        for i in present:
            most = MAX_REQUIRED_LINES if fields[i].required else MAX_FIELD_LINES
            wrapped = _wrap(fields[i].forms[chosen[i]], font, size, width, last_resort, most)
            if wrapped is None:
                return None
            out.extend((fields[i].key, line) for line in wrapped)
        return out

    def fits(size: float, count: int) -> bool:
        ascent, descent = _ascent_descent(font, size)
        return count == 0 or (count - 1) * _leading(font, size) + ascent - descent <= height

    while True:
        for size in sizes:
            placed = lines_at(size, last_resort=False)
            if placed is not None and fits(size, len(placed)):
                return _result(size, placed, fields, present, chosen)
        optional = [i for i in present if not fields[i].required]
        if not optional:
            break
        last = optional[-1]
        if chosen[last] + 1 < len(fields[last].forms):
            chosen[last] += 1
        else:
            present.remove(last)
    # even the required fields alone do not fit at the smallest size: cut them
    placed = lines_at(MIN_TEXT_PT, last_resort=True) or []
    while placed and not fits(MIN_TEXT_PT, len(placed)):
        placed.pop()
    size, lines, dropped, shortened = _result(MIN_TEXT_PT, placed, fields, present, chosen)
    cut = {k for k, line in placed if line.endswith("…")}
    return size, lines, dropped, tuple(sorted(set(shortened) | cut))


def _result(
    size: float,
    placed: list[tuple[str, str]],
    fields: tuple[Field, ...],
    present: list[int],
    chosen: list[int],
) -> tuple[float, tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    shown = {k for k, _ in placed}
    dropped = tuple(f.key for f in fields if f.key not in shown)
    shortened = tuple(fields[i].key for i in present if chosen[i] and fields[i].key in shown)
    return size, tuple(placed), dropped, shortened


def _leading(font: str, size: float) -> float:
    ascent, descent = _ascent_descent(font, size)
    return max(1.15 * size, ascent - descent + 0.1 * size)


@functools.lru_cache(maxsize=64)
def _frame(
    stock: Stock, qr_modules: int
) -> tuple[float, tuple[float, float, float, float], tuple[float, float]]:
    """(module, quiet zone, symbol origin) in label points: the QR's place on ``stock``."""
    _, module_mm = module_geometry(stock, qr_modules)
    module = module_mm * MM
    lh = stock.label_mm[1] * MM
    side = (qr_modules + 2 * QUIET) * module
    zone = (0.0, (lh - side) / 2, side, (lh + side) / 2)
    return module, zone, (QUIET * module, zone[3] - QUIET * module)


@functools.lru_cache(maxsize=1024)
def _column(
    fields: tuple[Field, ...], font: str, width: float, height: float
) -> tuple[
    float,
    tuple[tuple[str, str, float, float, float, float, float], ...],
    tuple[str, ...],
    tuple[str, ...],
]:
    """The fields placed in a column ``width`` x ``height``: (size, lines, dropped,
    shortened), each line (key, text, indent, baseline, width, ascent, descent), baselines
    measured down from the column's top."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size, lines, dropped, shortened = _place_fields(fields, font, width, height)
    ascent, descent = _ascent_descent(font, size)
    leading = _leading(font, size)
    placed = tuple(
        (
            key,
            line,
            HANG * size if i and lines[i - 1][0] == key else 0.0,  # a field's further lines
            ascent + i * leading,
            stringWidth(line, font, size),
            ascent,
            descent,
        )
        for i, (key, line) in enumerate(lines)
    )
    return size, placed, dropped, shortened


def layout(
    stock: Stock,
    tag: str,
    fields: list[Field] | tuple[Field, ...],
    *,
    font: str = "Helvetica",
    qr_modules: int = 21,
) -> Layout:
    """Where everything goes on one label of ``stock``: a pure function of its inputs.

    The QR code (``qr_modules`` wide, with its quiet zone) sits at the left, centred
    vertically; the tag in bold at the top right, as large as fits (up to 16 pt); under
    it the fields, as large as fits between MIN_TEXT_PT and MAX_TEXT_PT, each wrapped
    onto a second line when it needs one (the verdict and the model onto a third); when
    they do not fit even at the smallest size, the least important fields take a shorter
    form or are left off, last first. Only what cannot fit even then is cut, with "…".
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    module, zone, origin = _frame(stock, qr_modules)
    lw, lh = stock.label_mm[0] * MM, stock.label_mm[1] * MM
    pad = stock.padding_mm * MM
    text_x = zone[2] + module / 2  # text starts half a module past the right quiet zone
    text_w = lw - text_x - pad
    size = min(MAX_TAG_PT, lh * 0.4 / 1.2)
    width = stringWidth(tag, TAG_FONT, size)
    if width > text_w:
        size *= text_w / width
        width = min(text_w, stringWidth(tag, TAG_FONT, size))
    ascent, descent = _ascent_descent(TAG_FONT, size)
    baseline = lh - pad - ascent
    boxes = [
        TextBox(
            "tag",
            tag,
            TAG_FONT,
            size,
            text_x,
            baseline,
            (text_x, baseline + descent, text_x + width, baseline + ascent),
        )
    ]
    top = baseline + descent - 0.1 * size  # a small gap under the tag
    small, lines, dropped, shortened = _column(
        tuple(fields), font, round(text_w, 3), round(top - pad, 3)
    )
    for key, line, indent, down, line_w, up, below in lines:
        x, y = text_x + indent, top - down
        boxes.append(TextBox(key, line, font, small, x, y, (x, y + below, x + line_w, y + up)))
    return Layout(lw, lh, qr_modules, module, zone, origin, tuple(boxes), dropped, shortened)


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
    label_url: str | None = None,
) -> bytes:
    """One PDF with every label, on ``stock``; ``skip`` leaves that many used labels of a
    part-used sheet blank. ``font``: a TrueType file for text Helvetica cannot show (a
    trainee's name in syllabics, say; see refurb.fonts). ``label_url``: a checked label
    URL (``check_label_url``) whose ``{tag}`` the QR codes hold instead of the bare tag."""
    import io

    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    rl_config.useA85 = 0  # binary (zlib) streams: smaller and faster than ASCII85

    from refurb.qr import symbol

    if skip < 0 or (skip and not stock.is_sheet):
        raise BadInput(N_("--skip counts used labels on a sheet; this stock is a roll"))
    if skip >= stock.per_page:
        raise BadInput(
            Phrase(
                N_("--skip {skip}: a {name} sheet has {per_page} labels"),
                skip=skip,
                name=stock.name,
                per_page=stock.per_page,
            )
        )
    buf = io.BytesIO()
    canvas = Canvas(
        buf,
        pagesize=(stock.page_mm[0] * MM, stock.page_mm[1] * MM),
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    canvas.setTitle("refurb asset labels")
    canvas.setCreator("refurb")
    lh = stock.label_mm[1] * MM
    from refurb.fonts import fonts_for

    fields_of = [label_fields(data, lang) for data in labels]
    text_font = fonts_for(
        (form for fields in fields_of for f in fields for form in f.forms), font
    ).regular
    current = 0
    current_font = ("", 0.0)
    for data, fields, (page, left, top) in zip(
        labels, fields_of, _positions(stock, len(labels), skip), strict=True
    ):
        while page > current:
            canvas.showPage()  # a new page starts with no font set
            current += 1
            current_font = ("", 0.0)
        rows, qr_size = symbol(qr_text(data.tag, label_url))
        if qr_size != 21 and not label_url:
            raise BadInput(Phrase(N_("tag {tag!r} is too long for a small QR code"), tag=data.tag))
        placed = layout(stock, data.tag, fields, font=text_font, qr_modules=qr_size)
        bottom = top - lh
        _qr_path(
            canvas, rows, left + placed.qr_origin[0], bottom + placed.qr_origin[1], placed.module
        )
        for box in placed.texts:
            if (box.font, box.size) != current_font:
                canvas.setFont(box.font, box.size)
                current_font = (box.font, box.size)
            canvas.drawString(left + box.x, bottom + box.baseline, box.text)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
