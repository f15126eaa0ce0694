"""Charts as server-rendered SVG: the geometry here (pure), the markup in
``templates/_chart.html``. No script: each chart has a title, a description that says
every figure in words (what a screen reader reads), and each bar's number as text beside
it, so the chart is readable printed, zoomed, or without colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refurb.i18n import NC_, gettext_for

SEMICOLON = NC_("punctuation", ";")
WIDTH = 560
ROW = 24  # one community's bar pair, in a horizontal chart
CHAR_W = 8.0  # an axis character's width at 13 px (DejaVu Sans digits are 0.64 em), generous
TOP = 28  # room for the legend


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    series: int  # 0, 1: the class that colours it
    value: str  # the number, as shown
    tx: float  # where the number is written
    ty: float
    anchor: str = "middle"


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[tuple[float, int, str]] = field(default_factory=list)  # x, series, name
    empty: bool = False


def _legend(names: tuple[str, ...]) -> list[tuple[float, int, str]]:
    out, x = [], 0.0
    for i, name in enumerate(names):
        out.append((x, i, name))
        x += 28 + 8 * len(name)
    return out


def by_month(
    ident: str,
    title: str,
    months: list[str],
    month_names: list[str],
    series: tuple[str, ...],
    values: list[tuple[int, ...]],
    number: object = str,
    lang: str = "en",
) -> Chart:
    """Vertical bars: for each month, one bar per series (e.g. received, issued)."""
    fmt = number if callable(number) else str
    tr = gettext_for(lang)
    split = any(len(name) * CHAR_W > WIDTH / max(1, len(months)) - 4 for name in month_names)
    height, bottom = (252, 36) if split else (240, 24)
    plot = height - TOP - bottom - 14  # 14: room for a number above the tallest bar
    top = max((v for row in values for v in row), default=0)
    slot = WIDTH / max(1, len(months))
    bar_w = min(22.0, (slot - 6) / max(1, len(series)))
    chart = Chart(ident, title, "", WIDTH, height, legend=_legend(series), empty=top == 0)
    words = []
    for i, (name, row) in enumerate(zip(month_names, values, strict=True)):
        left = i * slot + (slot - bar_w * len(series)) / 2
        for k, v in enumerate(row):
            h = plot * v / top if top else 0
            x = left + k * bar_w
            y = height - bottom - h
            shown = fmt(v) if v else ""  # a zero is in the description, not drawn
            chart.bars.append(Bar(x, y, bar_w - 1, h, k, shown, x + bar_w / 2, y - 3))
        chart.labels.extend(_month_label(i * slot + slot / 2, height, name, month_names, i, split))
        words.append(
            f"{name}{tr.colon} "
            + ", ".join(f"{s} {fmt(v)}" for s, v in zip(series, row, strict=True))
        )
    chart.desc = (tr(SEMICOLON) + " ").join(words) + "."
    return chart


def by_group(
    ident: str,
    title: str,
    groups: list[str],
    series: tuple[str, ...],
    values: list[tuple[int, ...]],
    number: object = str,
    lang: str = "en",
) -> Chart:
    """Horizontal bars: for each group (a community), one bar per series."""
    fmt = number if callable(number) else str
    tr = gettext_for(lang)
    label_w, right = 130, 60
    plot = WIDTH - label_w - right
    top = max((v for row in values for v in row), default=0)
    step = ROW * len(series) + 8
    height = TOP + step * max(1, len(groups))
    chart = Chart(ident, title, "", WIDTH, height, legend=_legend(series), empty=top == 0)
    words = []
    for i, (name, row) in enumerate(zip(groups, values, strict=True)):
        y0 = TOP + i * step
        chart.labels.append(Label(label_w - 8, y0 + step / 2, _short(name), "end"))
        for k, v in enumerate(row):
            w = plot * v / top if top else 0
            y = y0 + k * ROW
            chart.bars.append(
                Bar(label_w, y, w, ROW - 4, k, fmt(v), label_w + w + 4, y + ROW - 9, "start")
            )
        words.append(
            f"{name}{tr.colon} "
            + ", ".join(f"{s} {fmt(v)}" for s, v in zip(series, row, strict=True))
        )
    chart.desc = (tr(SEMICOLON) + " ").join(words) + "."
    return chart


def _month_label(
    x: float, height: int, name: str, names: list[str], i: int, split: bool
) -> list[Label]:
    """A month under its bars; where "Apr 2026" is wider than its slot, the month alone,
    and the year on a second line under the first month of each year shown."""
    if not split or " " not in name:
        return [Label(x, height - 6, name)]
    month, year = name.rsplit(" ", 1)
    out = [Label(x, height - 18, month)]
    if i == 0 or names[i - 1].rsplit(" ", 1)[-1] != year:
        out.append(Label(x, height - 5, year))
    return out


def _short(name: str, most: int = 24) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"
