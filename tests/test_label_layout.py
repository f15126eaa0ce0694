"""Label layout on every stock: refurb.labels.layout is a pure function (stock + fields ->
placed text boxes), so its promises are checked directly for every stock with long,
realistic values, then on real PDFs (pypdfium2) whose QR codes a real decoder reads
(zxing-cpp). Also: sizes as a person says them, read from real captures."""

from __future__ import annotations

import json
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refurb.labels import (
    MIN_TEXT_PT,
    LabelData,
    Layout,
    check_label_url,
    disk_text,
    installed_memory,
    label_fields,
    layout,
    load_stocks,
    memory_text,
    qr_modules_for,
    qr_text,
    render,
)
from refurb.labels import (
    Field as LabelField,
)
from refurb.scanning import tag_from_scan
from refurb.untrusted import clean_text
from tests.conftest import OWN_CAPTURES, SHARED_CAPTURES

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders PDFs")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes QR codes")

STOCKS = load_stocks()
GIB = 1 << 30
LABEL_URL = "https://refurb.shop.local:8443/d/{tag}"

# long values as they come from real machines and real people
REALISTIC = [
    dict(
        model="HP EliteBook 840 G5 Healthcare Edition",
        cpu="Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz",
        memory_bytes=16_663_232_512,  # 15.5 GiB usable of 16 GiB
        storage_bytes=512_110_190_592,
        storage_kind="nvme",
        battery_pct=73.0,
        disposition="refurbish",
        grade_functional="F4",
        grade_cosmetic="C5",
        tested_on=date(2026, 11, 23),
        tested_by="Marie-Ève Tremblay-Kilabuk",
        year=2018,
    ),
    dict(
        model="Dell Inc. Latitude 5490",
        cpu="Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
        memory_bytes=8_166_760_448,
        storage_bytes=16_000_900_661_248,
        storage_kind="hdd",
        battery_pct=36.4,
        disposition="repair",
        grade_functional="F2",
        grade_cosmetic="C3",
        tested_on=date(2026, 1, 5),
        tested_by="trainee-07",
        year=2019,
    ),
    dict(
        model="LENOVO ThinkPad X1 Carbon 6th Gen (Type 20KH, 20KG)",
        cpu="AMD Ryzen 7 PRO 4750U with Radeon Graphics",
        memory_bytes=3_967_000_000,
        storage_bytes=250_059_350_016,
        storage_kind="ssd",
        battery_pct=100.0,
        disposition="harvest",
        grade_functional="F1",
        grade_cosmetic="C1",
        tested_on=date(2025, 12, 31),
        tested_by="Jean-François Qaqqaq-Nappaaluk",
        year=2020,
    ),
]


def data(tag: str, values: dict[str, object]) -> LabelData:
    return LabelData(tag=tag, **values)  # type: ignore[arg-type]


def intersects(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check(placed: Layout, fields: list[LabelField], *, cut_allowed: bool = False) -> None:
    """Every promise of a layout."""
    eps = 1e-6
    for box in placed.texts:
        left, bottom, right, top = box.box
        assert -eps <= left and right <= placed.width + eps, box
        assert -eps <= bottom and top <= placed.height + eps, box
        assert not intersects(box.box, placed.quiet_zone), box
        assert box.size >= MIN_TEXT_PT - eps, box
    zone = placed.quiet_zone
    assert zone[0] >= -eps and zone[1] >= -eps
    assert zone[2] <= placed.width + eps and zone[3] <= placed.height + eps
    for a, b in combinations(placed.texts, 2):
        assert not intersects(a.box, b.box), (a, b)
    keys = [box.key for box in placed.texts]
    assert keys[0] == "tag"
    shown = {}
    for box in placed.texts[1:]:
        shown.setdefault(box.key, []).append(box.text)
    for f in fields:
        if f.required:
            assert f.key in shown, f"{f.key} left off"
        if f.key in shown:
            text = " ".join(shown[f.key]).replace(" · ", " ")
            if cut_allowed and "…" in text:
                continue
            # the lines are the field, in full or in one of its shorter forms, broken
            # between words or items (a broken item loses its separator)
            assert text in {form.replace(" · ", " ") for form in f.forms}, (f, shown[f.key])
    if not cut_allowed:
        assert not any("…" in box.text for box in placed.texts)
    # the order on the label is the order of importance
    order = [f.key for f in fields]
    seen = [k for k in dict.fromkeys(keys[1:])]
    assert seen == [k for k in order if k in seen]


@pytest.mark.parametrize("name", sorted(STOCKS))
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("url", [None, LABEL_URL])
def test_long_realistic_values_fit_every_stock(name: str, lang: str, url: str | None) -> None:
    stock = STOCKS[name]
    for i, values in enumerate(REALISTIC):
        tag = ("IQA-", "RF-", "7-")[i] + "7K2Q9W"
        fields = label_fields(data(tag, values), lang)
        placed = layout(stock, tag, fields, qr_modules=qr_modules_for(qr_text(tag, url)))
        check(placed, fields)
        assert {"verdict", "model"} <= {b.key for b in placed.texts}
        # the model is shown whole on every stock, never cut mid-word
        model = " ".join(b.text for b in placed.texts if b.key == "model")
        assert model == values["model"]


def test_what_each_stock_shows_for_the_longest_values() -> None:
    """The small stocks keep every field by shrinking and wrapping; only the mini
    labels (L7651) shorten or drop the least important ones, and say so."""
    fields = label_fields(data("RF-7K2Q9W", REALISTIC[0]), "en")
    dropped = {n: layout(s, "RF-7K2Q9W", fields).dropped for n, s in STOCKS.items()}
    assert dropped["zebra-2x1in"] == () and dropped["avery-5160"] == ()
    assert dropped["brother-ql-62x29"] == () and dropped["dymo-30334"] == ()
    mini = layout(STOCKS["avery-l7651"], "RF-7K2Q9W", fields)
    assert "made" in mini.dropped and "model" not in mini.dropped
    tested = [b.text for b in mini.texts if b.key == "tested"]
    assert tested in ([], ["Tested 2026-11-23"])  # the short form: the date, not the name
    zebra = layout(STOCKS["zebra-2x1in"], "RF-7K2Q9W", fields)
    assert MIN_TEXT_PT <= zebra.texts[1].size < 7
    roomy = layout(STOCKS["dymo-30252"], "RF-7K2Q9W", fields)
    assert roomy.texts[1].size == 7 and len(roomy.texts) == 1 + len(fields)  # one line each


words = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x17F, blacklist_categories=("Cc",)),
    min_size=1,
    max_size=24,
).map(lambda s: s.strip() or "x")


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(STOCKS)),
    texts=st.lists(st.lists(words, min_size=1, max_size=12), min_size=1, max_size=8),
    required=st.integers(min_value=0, max_value=2),
    modules=st.sampled_from([21, 25, 29, 33, 37]),
)
def test_any_text_stays_inside_the_label(
    name: str, texts: list[list[str]], required: int, modules: int
) -> None:
    """Whatever the text, nothing leaves the label, enters the quiet zone or overlaps,
    and nothing is smaller than the minimum; only text too long for two lines at the
    smallest size is cut (with an ellipsis)."""
    stock = STOCKS[name]
    # each field's text as label_fields gives it: through the cleaner every label text
    # passes (a run of spaces inside a word, which hypothesis makes, is one space there)
    fields = [
        LabelField(f"f{i}", (clean_text(" ".join(w)),), required=i < required)
        for i, w in enumerate(texts)
    ]
    try:
        placed = layout(stock, "RF-7K2Q9W", fields, qr_modules=modules)
    except Exception as exc:  # a symbol too fine for this stock is refused by name
        assert "label_url" in str(exc)
        return
    check(placed, fields, cut_allowed=True)


def decode_labels(pdf: bytes, dpi: int) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    texts = []
    for page in doc:
        image = page.render(scale=dpi / 72).to_pil()
        texts += [r.text for r in zxingcpp.read_barcodes(image)]
    doc.close()
    return texts


def page_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    return text


@pytest.mark.parametrize("name", sorted(STOCKS))
@pytest.mark.parametrize("url", [None, LABEL_URL])
def test_every_stock_prints_the_long_values_and_scans(name: str, url: str | None) -> None:
    stock = STOCKS[name]
    count = min(stock.per_page, 6) if stock.is_sheet else 3
    tags = [f"{p}-7K2Q9W" for p in ("RF", "IQA", "7", "AB", "Z9", "X")][:count]
    labels = [data(t, REALISTIC[i % 3]) for i, t in enumerate(tags)]
    pdf = render(labels, stock, label_url=url)
    found = decode_labels(pdf, stock.dpi)
    assert sorted(tag_from_scan(t) for t in found) == sorted(tags)
    if url:
        assert all(t.startswith("https://refurb.shop.local:8443/d/") for t in found)
    else:
        assert sorted(found) == sorted(tags)
    text = " ".join(page_text(pdf).split())
    assert "HP EliteBook 840 G5" in text and "Healthcare" in text and "…" not in text


# --- sizes as a person says them ---------------------------------------------------------


def capture(name: str) -> Path:
    for root in (OWN_CAPTURES, SHARED_CAPTURES):
        if (root / name / "expected.json").exists():
            return root / name
    pytest.skip(f"capture {name} is not here")


@pytest.mark.parametrize(
    "name, said",
    [
        ("linux-hdd-seagate-exos-x16-packed-188", "16 TB"),
        ("linux-hdd-seagate-st10000nm0016-packed-poh", "10 TB"),
        ("linux-hdd-hgst-7k4000-errorlog-exit64", "2 TB"),
        ("linux-hdd-seagate-st3500418as-realloc304", "500 GB"),
        ("linux-nvme-samsung-pm9a1-16pct-used", "1 TB"),
        ("linux-nvme-samsung-pm1725a-smart-failed", "3.2 TB"),
        ("linux-nvme-samsung-970evoplus-healthy", "250 GB"),
        ("linux-nvme-crucial-p2-healthy", "250 GB"),
        ("linux-ssd-kingston-sa400-exit4", "120 GB"),
        ("linux-ssd-micron-5300-cmd-timeout-33", "240 GB"),
    ],
)
def test_disks_in_the_unit_a_person_expects(name: str, said: str) -> None:
    disks = json.loads((capture(name) / "expected.json").read_text())["disks"]
    assert disk_text(disks[0]["capacity_bytes"], "en") == said
    french = said.replace("TB", "To").replace("GB", "Go").replace(".", ",")
    assert disk_text(disks[0]["capacity_bytes"], "fr") == french


def test_other_disk_sizes() -> None:
    assert disk_text(512_110_190_592, "en") == "512 GB"
    assert disk_text(31_268_536_320, "en") == "32 GB"  # a "32 GB" eMMC
    assert disk_text(128_035_676_160, "en") == "128 GB"
    assert disk_text(1_500_301_910_016, "en") == "1.5 TB"
    assert disk_text(None, "en") is None and disk_text(0, "en") is None


def test_memory_as_installed_from_a_real_capture(tmp_path: Path) -> None:
    """The T480 capture: the OS reports 7.6 GiB usable, dmidecode one 8 GiB module."""
    expected = json.loads((capture("own-linux-lenovo-t480-handmade") / "expected.json").read_text())
    usable = 8_166_760_448
    assert round(usable / GIB, 1) == 7.6
    modules = tuple(int(m["size_gb"] * GIB) for m in expected.get("memory", [])) or (8 * GIB,)
    assert memory_text(usable, modules, "en") == "8 GB"
    assert memory_text(usable, (), "en") == "8 GB"  # rounded up without the modules too


@pytest.mark.parametrize(
    "usable_gib, modules_gib, said",
    [
        (7.6, (), "8 GB"),
        (15.5, (), "16 GB"),
        (3.7, (), "4 GB"),
        (1.9, (), "2 GB"),
        (2.9, (), "3 GB"),
        (11.6, (), "12 GB"),
        (31.2, (), "32 GB"),
        (0.48, (), "512 MB"),
        (5.8, (4, 4), "8 GB"),  # a graphics carve-out: the modules say what is installed
        (11.6, (8, 4), "12 GB"),
        (7.6, (8, 8), "16 GB"),  # the modules win over the usable size
        (200.0, (), "256 GB"),
    ],
)
def test_memory_rounded_up_to_the_installed_size(
    usable_gib: float, modules_gib: tuple[int, ...], said: str
) -> None:
    modules = tuple(m * GIB for m in modules_gib)
    assert memory_text(int(usable_gib * GIB), modules, "en") == said
    assert installed_memory(None) is None and installed_memory(0, ()) is None


def intake_label_text(capture_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    from tests.test_probe_live_and_bad_input import run_cli

    db = str(tmp_path / "x.db")
    out = tmp_path / "one.pdf"
    args = ["intake", "--replay", str(capture_dir), "--db", db, "--label", str(out)]
    code, _, err = run_cli([*args, "--stock", "dymo-30252"], capsys)
    assert code == 0, err
    return page_text(out.read_bytes())


def test_an_intake_label_says_the_installed_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = intake_label_text(OWN_CAPTURES / "own-linux-lenovo-t480-handmade", tmp_path, capsys)
    assert "8 GB RAM" in text and "7.6" not in text


def test_the_label_reads_the_modules_from_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same T480 with 2.2 GiB taken by graphics: the OS reports 5.8 GiB, which would
    round up to 6 GB; its one 8 GiB module (dmidecode, in the snapshot) says 8 GB."""
    import shutil

    capture = tmp_path / "t480-carveout"
    shutil.copytree(OWN_CAPTURES / "own-linux-lenovo-t480-handmade", capture)
    meminfo = capture / "root" / "proc" / "meminfo"
    lines = meminfo.read_text().splitlines()
    assert lines[0].startswith("MemTotal:")
    lines[0] = f"MemTotal:        {int(5.8 * (1 << 20))} kB"
    meminfo.write_text("\n".join(lines) + "\n")
    assert memory_text(int(5.8 * GIB), (), "en") == "6 GB"
    text = intake_label_text(capture, tmp_path, capsys)
    assert "8 GB RAM" in text and "6 GB RAM" not in text


# --- label_url ---------------------------------------------------------------------------


def test_label_url_checks() -> None:
    assert check_label_url(LABEL_URL, "label_url") == LABEL_URL
    assert check_label_url("http://10.0.0.5:8000/d/{tag}", "label_url")
    for bad, why in [
        ("ftp://shop.local/d/{tag}", "http"),
        ("https://shop.local/d/{tag}/", "end with /d/{tag}"),
        ("https://shop.local/device/{tag}", "end with /d/{tag}"),
        ("https://shop.local/{tag}/d/{tag}", "exactly once"),
        ("https://shop.local/{x}/d/{tag}", "no other"),
        ("https://shop.local/d/{tag}?x=1/d/{tag}", "exactly once"),
        ("https://admin:secret@shop.local/d/{tag}", "password"),
        ("https:///d/{tag}", "no host"),
        ("https://shop.local:99999/d/{tag}", "not a valid web address"),
        ("https://boutique.été/d/{tag}", "ASCII"),
        ("https://shop local/d/{tag}", "ASCII"),
        ("https://refurb.a-rather-long-host-name.shop.example.org:8443/d/{tag}", "smallest"),
    ]:
        with pytest.raises(Exception, match="label_url") as exc:
            check_label_url(bad, "config x.toml")
        assert why in str(exc.value), (bad, str(exc.value))
        assert "config x.toml" in str(exc.value)


def test_a_long_label_url_is_refused_with_what_fits() -> None:
    long = "https://refurb.a-rather-long-host-name.shop.example.org:8443/d/{tag}"
    with pytest.raises(Exception) as exc:
        check_label_url(long, "label_url")
    message = str(exc.value)
    assert "zebra-2x1in" in message and "characters or fewer" in message
    room = int(message.split("keep it to ")[1].split()[0])
    fits = "https://" + "r" * (room - len("https:///d/{tag}")) + "/d/{tag}"
    assert len(fits) == room and check_label_url(fits, "label_url") == fits
    too_long = "https://" + "r" * (room + 1 - len("https:///d/{tag}")) + "/d/{tag}"
    with pytest.raises(Exception, match="smallest"):
        check_label_url(too_long, "label_url")
    # and what fits prints, and scans, on that smallest stock
    stock = STOCKS["zebra-2x1in"]
    pdf = render([data("IQA-7K2Q9W", REALISTIC[0])], stock, label_url=fits)
    assert [tag_from_scan(t) for t in decode_labels(pdf, stock.dpi)] == ["IQA-7K2Q9W"]
