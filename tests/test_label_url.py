"""label_url end to end: the config file and REFURB_LABEL_URL, `refurb label` printing the
URL in the QR (decoded from the real PDF by zxing-cpp), and `refurb scan` reading either
form back to the device."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from refurb.config import load_config
from refurb.errors import BadInput
from refurb.scanning import tag_from_scan
from tests.conftest import OWN_CAPTURES
from tests.test_probe_live_and_bad_input import run_cli

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders PDFs")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes QR codes")

URL = "https://refurb.shop.local:8443/d/{tag}"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("REFURB_CONFIG", str(path))
    monkeypatch.delenv("REFURB_LABEL_URL", raising=False)
    return path


def qr_texts(pdf: bytes, dpi: int) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    found = []
    for page in doc:
        found += [r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())]
    doc.close()
    return found


def intake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    db = str(tmp_path / "x.db")
    capture = str(OWN_CAPTURES / "own-linux-lenovo-t480-handmade")
    code, out, err = run_cli(["intake", "--replay", capture, "--db", db, "--json"], capsys)
    assert code == 0, err
    return db, json.loads(out)["intake"]["tag"]


def test_default_is_the_bare_tag(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_config().label_url is None
    db, tag = intake(tmp_path, capsys)
    out = tmp_path / "l.pdf"
    code, _, _ = run_cli(["label", tag, "--db", db, "--out", str(out)], capsys)
    assert code == 0 and qr_texts(out.read_bytes(), 300) == [tag]


@pytest.mark.parametrize("stock", ["zebra-2x1in", "avery-l7651", "avery-l7160"])
def test_a_label_url_is_in_the_qr_and_reads_back_as_the_tag(
    stock: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(f'label_url = "{URL}"\n')
    assert load_config().label_url == URL
    db, tag = intake(tmp_path, capsys)
    out = tmp_path / "l.pdf"
    code, _, err = run_cli(["label", tag, "--db", db, "--out", str(out), "--stock", stock], capsys)
    assert code == 0, err
    dpi = 203 if stock.startswith("zebra") else 300
    found = qr_texts(out.read_bytes(), dpi)
    assert found == [URL.replace("{tag}", tag)]
    assert tag_from_scan(found[0]) == tag
    # the QR holds no serial: the capture's serial is nowhere in it
    serial = json.loads(
        (OWN_CAPTURES / "own-linux-lenovo-t480-handmade" / "expected.json").read_text()
    )["identity"]["serial"]
    assert serial and serial not in found[0]


def test_the_environment_wins_and_is_checked(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(f'label_url = "{URL}"\n')
    monkeypatch.setenv("REFURB_LABEL_URL", "http://10.0.0.5:8000/d/{tag}")
    assert load_config().label_url == "http://10.0.0.5:8000/d/{tag}"
    monkeypatch.setenv("REFURB_LABEL_URL", "https://shop.local/device?id={tag}")
    with pytest.raises(BadInput, match="REFURB_LABEL_URL"):
        load_config()
    code, _, err = run_cli(["label", "--list-stocks"], capsys)
    assert code == 3 and "REFURB_LABEL_URL" in err and "/d/{tag}" in err


@pytest.mark.parametrize(
    "value, why",
    [
        ('"https://shop.local/d/TAG"', "{tag} exactly once"),
        ('"https://shop.local/d/{tag}/{tag}"', "exactly once"),
        ('"javascript:alert(1)//d/{tag}"', "http"),
        ('"https://me:pw@shop.local/d/{tag}"', "password"),
        ('"https://refurb.this-host-name-is-far-too-long.example.org/d/{tag}"', "smallest"),
        ("42", "must be text"),
    ],
)
def test_bad_config_names_the_key(
    value: str, why: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(f"label_url = {value}\n")
    code, _, err = run_cli(["label", "--list-stocks"], capsys)
    assert code == 3 and "label_url" in err and str(config) in err and why in err, err


def test_scan_accepts_the_tag_and_the_label_url(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, tag = intake(tmp_path, capsys)
    url = URL.replace("{tag}", tag)
    other = "https://evil.example/login"
    lines = [tag, url, url.lower().replace("https://refurb", "http://refurb"), other, "quit"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, err = run_cli(["scan", "--db", db], capsys)
    assert code == 0, err
    got = out.splitlines()
    assert got[0].startswith(tag) and got[1].startswith(tag) and got[2].startswith(tag)
    assert got[0] == got[1] == got[2] and "ThinkPad" in got[0]
    assert got[3].startswith("NOT CHANGED") and "not a refurb device page" in got[3]
    # an armed status applies to a device scanned by its label URL too
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{url}\nquit\n"))
    code, out, err = run_cli(["scan", "--db", db, "--set", "repairing"], capsys)
    assert code == 0 and "-> repairing" in out and "1 device(s) changed" in err


def test_a_shop_stock_too_small_for_the_url_qr_is_named(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "stocks"
    folder.mkdir()
    (folder / "tiny.toml").write_text(
        'name = "tiny-30x15"\ndescription = "A tiny roll"\npage_mm = [30, 15]\n'
        "label_mm = [30, 15]\ndpi = 300\npadding_mm = 1.0\n"
    )
    config.write_text(f'labels_dir = "{folder}"\n')
    db, tag = intake(tmp_path, capsys)
    out = tmp_path / "l.pdf"
    args = ["label", tag, "--db", db, "--out", str(out), "--stock", "tiny-30x15"]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err  # the bare tag fits
    assert qr_texts(out.read_bytes(), 300) == [tag]
    config.write_text(f'labels_dir = "{folder}"\nlabel_url = "{URL}"\n')
    code, listed, _ = run_cli(["label", "--list-stocks"], capsys)
    assert code == 0 and f"QR codes hold {URL}" in listed
    tiny = next(line for line in listed.splitlines() if line.startswith("tiny-30x15"))
    assert "too small for the label_url" in tiny
    finest = {x.split()[0]: x for x in listed.splitlines()}
    assert "QR module 0.50 mm" in finest["zebra-2x1in"]  # 4 dots at 203 dpi
    assert "QR module 0.34 mm" in finest["avery-l7651"]  # 4 dots at 300 dpi
    out.unlink()
    code, _, err = run_cli(args, capsys)
    assert code == 3 and "label_url" in err and "tiny" in err
    assert not out.exists()  # nothing half-written


def test_the_web_pages_print_the_label_url_too(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")
    from refurb.app import open_inventory
    from tests.web_helpers import client, shop

    config.write_text(f'label_url = "{URL}"\n')
    db, tag = intake(tmp_path, capsys)
    store = open_inventory(db, "write")
    shop(store, 0)
    got = client(store, "trainee").get(f"/devices/{tag}/label.pdf")
    assert got.status_code == 200
    assert qr_texts(got.content, 300) == [URL.replace("{tag}", tag)]
    store.dispose()
