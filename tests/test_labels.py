"""Labels rendered to PDF, rasterised at the printer's resolution and read back by a real
QR decoder (zxing-cpp); text positions read back from the PDF (pdfium)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from refurb.errors import BadInput
from refurb.labels import MM, LabelData, Stock, load_stocks, module_geometry, parse_stock, render
from refurb.tags import new_tag
from tests.test_probe_live_and_bad_input import run_cli

pdfium = pytest.importorskip(
    "pypdfium2", reason="pypdfium2 renders PDFs (pip install -e '.[test]')"
)
zxingcpp = pytest.importorskip(
    "zxingcpp", reason="zxing-cpp decodes QR codes (pip install -e '.[test]')"
)

STOCKS = load_stocks()
SHIPPED = [
    "brother-ql-62x29",
    "brother-ql-29x90",
    "dymo-30252",
    "dymo-30334",
    "zebra-2x1in",
    "avery-l7160",
    "avery-5160",
]


def sample(tag: str, **kw: object) -> LabelData:
    values: dict[str, object] = dict(
        model="LENOVO ThinkPad T480",
        cpu="Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz",
        memory_bytes=8 << 30,
        storage_bytes=512110190592,
        storage_kind="nvme",
        battery_pct=73.0,
        disposition="refurbish",
        grade_functional="F4",
        grade_cosmetic="C5",
        tested_on=date(2026, 11, 23),
        tested_by="trainee-07",
        year=2018,
    )
    values.update(kw)
    return LabelData(tag=tag, **values)  # type: ignore[arg-type]


def decode_pages(pdf: bytes, dpi: int) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page: (text, box in PDF points (left, bottom, right, top)) of every QR found."""
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for page in doc:
        height = page.get_height()
        image = page.render(scale=dpi / 72).to_pil()
        found = []
        for res in zxingcpp.read_barcodes(image):
            pts = [
                res.position.top_left,
                res.position.top_right,
                res.position.bottom_left,
                res.position.bottom_right,
            ]
            xs = [p.x * 72 / dpi for p in pts]
            ys = [height - p.y * 72 / dpi for p in pts]
            found.append((res.text, (min(xs), min(ys), max(xs), max(ys))))
        pages.append(found)
    doc.close()
    return pages


def text_boxes(pdf: bytes) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for page in doc:
        tp = page.get_textpage()
        chars = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if ch.strip():
                chars.append((ch, tp.get_charbox(i)))
        pages.append(chars)
    doc.close()
    return pages


def label_rects(stock: Stock, skip: int = 0) -> list[tuple[float, float, float, float]]:
    out = []
    page_h = stock.page_mm[1] * MM
    for slot in range(stock.per_page):
        row, col = divmod(slot, stock.columns)
        left = (stock.first_mm[0] + col * stock.pitch_mm[0]) * MM
        top = page_h - (stock.first_mm[1] + row * stock.pitch_mm[1]) * MM
        out.append((left, top - stock.label_mm[1] * MM, left + stock.label_mm[0] * MM, top))
    return out


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_every_shipped_stock_is_there() -> None:
    assert set(SHIPPED) <= set(STOCKS)


@pytest.mark.parametrize("name", sorted(STOCKS))
def test_full_sheet_scans_at_printer_resolution(name: str) -> None:
    stock = STOCKS[name]
    count = stock.per_page if stock.is_sheet else 3
    tags = [new_tag() for _ in range(count)]
    pdf = render([sample(t) for t in tags], stock)
    pages = decode_pages(pdf, stock.dpi)
    assert sorted(text for page in pages for text, _ in page) == sorted(tags)
    doc = pdfium.PdfDocument(pdf)
    w, h = doc[0].get_size()
    assert (round(w / MM, 1), round(h / MM, 1)) == (
        round(stock.page_mm[0], 1),
        round(stock.page_mm[1], 1),
    )
    assert len(doc) == (1 if stock.is_sheet else count)
    doc.close()
    dots, module_mm = module_geometry(stock)
    assert dots >= 4 and module_mm >= 0.33


@pytest.mark.parametrize("name", sorted(STOCKS))
def test_no_text_crosses_the_qr_or_the_label_edge(name: str) -> None:
    stock = STOCKS[name]
    count = stock.per_page if stock.is_sheet else 2
    long_model = "Hewlett-Packard HP EliteBook 840 G5 Healthcare Edition Notebook PC " * 3
    data = [
        sample(new_tag(), model=long_model, tested_by="a-very-long-trainee-name-indeed")
        for _ in range(count)
    ]
    pdf = render(data, stock)
    _, module_mm = module_geometry(stock)
    quiet = 4 * module_mm * MM
    slack = 72 / stock.dpi  # the decoder locates corners to about one printer dot
    rects = label_rects(stock)
    for qrs, chars in zip(decode_pages(pdf, stock.dpi), text_boxes(pdf), strict=True):
        assert chars, "the labels have text"
        zones = [
            (b[0] - quiet + slack, b[1] - quiet + slack, b[2] + quiet - slack, b[3] + quiet - slack)
            for _, b in qrs
        ]
        for ch, box in chars:
            assert not any(overlaps(box, z) for z in zones), (ch, box)
            inside = [
                r
                for r in rects
                if r[0] - 0.01 <= box[0]
                and box[2] <= r[2] + 0.01
                and r[1] - 0.01 <= box[1]
                and box[3] <= r[3] + 0.01
            ]
            assert inside, f"{ch!r} at {box} leaves its label"


def test_skip_leaves_used_labels_blank() -> None:
    stock = STOCKS["avery-l7160"]
    tags = [new_tag() for _ in range(5)]
    pdf = render([sample(t) for t in tags], stock, skip=16)
    pages = decode_pages(pdf, 300)
    rects = label_rects(stock)
    assert [len(p) for p in pages] == [5]  # 16 + 5 = 21: exactly one sheet
    for _, box in pages[0]:
        slot = next(i for i, r in enumerate(rects) if overlaps(box, r))
        assert slot >= 16
    with pytest.raises(BadInput, match="21 labels"):
        render([sample("RF-00000" + "0")], stock, skip=21)
    with pytest.raises(BadInput, match="roll"):
        render([sample("RF-00000" + "0")], STOCKS["dymo-30252"], skip=1)


def test_french_label_and_hostile_text() -> None:
    stock = STOCKS["dymo-30252"]
    tag = new_tag()
    evil = sample(
        tag,
        model="=cmd|' /C calc'!A0\x00\x1b[31m\r\nDROP TABLE devices;--",
        tested_by="Ana\tÉlodie",
    )
    pdf = render([evil], stock, lang="fr")
    text = "".join(ch for ch, _ in text_boxes(pdf)[0])
    assert "Testé" in text and "REMETTREÀNEUF" in text.replace(" ", "")
    assert "\x1b" not in text and "\x00" not in text
    assert [t for t, _ in decode_pages(pdf, 300)[0]] == [tag]


def test_labels_look_right(tmp_path: Path) -> None:
    """Render one label and look at it (the PNG is kept for a person to inspect)."""
    stock = STOCKS["dymo-30252"]
    pdf = render([sample("RF-7K2Q9W")], stock)
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=300 / 72).to_pil().convert("L")
    image.save(tmp_path / "label.png")
    doc.close()
    w, h = image.size
    # the QR sits in the left part; the right part holds the text; the label is mostly white
    left = image.crop((0, 0, int(w * 0.3), h))
    dark_left = sum(left.histogram()[:128]) / (left.width * left.height)
    assert 0.15 < dark_left < 0.45  # about half of the symbol's modules are dark
    right = image.crop((int(w * 0.35), 0, w, h))
    dark_right = sum(right.histogram()[:128]) / (right.width * right.height)
    assert 0.02 < dark_right < 0.25  # text: some ink, mostly paper


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'name = "x"\ndescription = "y"\nlabel_mm = [10, 10]\npage_mm = [10, 10]\n',
            "too small for a scannable QR",
        ),
        ('name = "x"\ndescription = "y"\nlabel_mm = [60]\npage_mm = [60, 30]\n', "label_mm"),
        (
            'name = "x"\ndescription = "y"\nlabel_mm = [60, 30]\npage_mm = [60, 30]\nrowz = 2\n',
            "unknown key 'rowz'",
        ),
        (
            'name = "x"\ndescription = "y"\nlabel_mm = [60, 30]\npage_mm = [60, 30]\ncolumns = 3\n'
            "pitch_mm = [60, 30]\n",
            "run off the page",
        ),
        ('name = "x"\nlabel_mm = [60, 30]\n', "description"),
        ('name = "x" description', "not valid TOML"),
    ],
)
def test_malformed_stock_names_file_and_key(text: str, message: str) -> None:
    with pytest.raises(BadInput) as exc:
        parse_stock(text, "shop/odd.toml")
    assert message in str(exc.value) and "shop/odd.toml" in str(exc.value)


def test_a_shop_adds_its_own_stock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "stocks"
    folder.mkdir()
    (folder / "shop.toml").write_text(
        'name = "shop-50x30"\ndescription = "Our own 50 x 30 roll"\npage_mm = [50, 30]\n'
        "label_mm = [50, 30]\ndpi = 300\n"
    )
    config = tmp_path / "config.toml"
    config.write_text(f'labels_dir = "{folder}"\nlabel_stock = "shop-50x30"\n')
    monkeypatch.setenv("REFURB_CONFIG", str(config))
    code, out, _ = run_cli(["label", "--list-stocks"], capsys)
    assert code == 0 and "shop-50x30" in out and "avery-l7160" in out
    db = str(tmp_path / "x.db")
    capture = str(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")
    code, out, _ = run_cli(
        ["intake", "--replay", capture, "--db", db, "--json", "--label", str(tmp_path / "one.pdf")],
        capsys,
    )
    assert code == 0
    tag = json.loads(out)["intake"]["tag"]
    pdf = (tmp_path / "one.pdf").read_bytes()
    assert [t for t, _ in decode_pages(pdf, 300)[0]] == [tag]
    w, h = pdfium.PdfDocument(pdf)[0].get_size()
    assert (round(w / MM), round(h / MM)) == (50, 30)
    (folder / "bad.toml").write_text('name = "bad"\n')
    code, _, err = run_cli(["label", "--list-stocks"], capsys)
    assert code == 3 and "bad.toml" in err


def test_label_command_by_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.db")
    caps = Path(__file__).parent / "captures"
    for name in ("own-linux-lenovo-t480-handmade", "own-macos-macbookpro-ioreg-handmade"):
        assert run_cli(["intake", "--replay", str(caps / name), "--db", db], capsys)[0] == 0
    out = tmp_path / "labels.pdf"
    code, stdout, _ = run_cli(
        ["label", "--status", "diagnosed", "--out", str(out), "--db", db, "--stock", "avery-5160"],
        capsys,
    )
    assert code == 0 and "2 label(s)" in stdout
    assert len(decode_pages(out.read_bytes(), 300)[0]) == 2
    code, _, err = run_cli(["label", "--status", "issued", "--out", str(out), "--db", db], capsys)
    assert code == 5 and "no devices match" in err
    code, _, err = run_cli(["label", "RF-NOPE00", "--db", db], capsys)
    assert code == 5
