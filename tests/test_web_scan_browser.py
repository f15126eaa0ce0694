"""The scan page in a real headless Chromium whose camera is a video made from refurb's
own label PDF (Chromium's fake capture device): three labels come into the list, read
by the barcode-detector polyfill whose WebAssembly refurb serves itself. And
``refurb serve --tls`` with a certificate ``--make-cert`` made, over real TLS.

Skipped with the reason when chromium or chromedriver is absent; CI sets
REFURB_REQUIRE_BROWSER=1 so they fail there instead."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.web_helpers import (
    REQUIRE_BROWSER,
    browser_missing,
    chromium,
    free_port,
    running,
    shop,
    sign_in,
    wait_for,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
W, H = 640, 480


def _label_image(store: Any, tag: str) -> Any:
    """The label refurb prints for ``tag``, cut from its sheet, as a grey image."""
    pdfium = pytest.importorskip("pypdfium2")
    from PIL import ImageOps

    from refurb.app import reports
    from refurb.labels import load_stocks, render

    pdf = render(reports.labels(store, [tag]), load_stocks()["avery-l7160"])
    doc = pdfium.PdfDocument(pdf)
    page = doc[0].render(scale=3).to_pil().convert("L")
    doc.close()
    box = ImageOps.invert(page).getbbox()
    assert box is not None
    return page.crop(box)


def _y4m(store: Any, tags: list[str], path: Path, fps: int = 5, seconds: int = 3) -> None:
    """A Y4M (4:2:0) video: each label in turn, centred on a white frame."""
    from PIL import Image

    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        chroma = bytes([128]) * (W // 2 * H // 2)
        for tag in tags:
            label = _label_image(store, tag)
            label.thumbnail((int(W * 0.8), int(H * 0.8)))
            frame = Image.new("L", (W, H), 255)
            frame.paste(label, ((W - label.width) // 2, (H - label.height) // 2))
            luma = frame.tobytes()
            for _ in range(fps * seconds):
                out.write(b"FRAME\n" + luma + chroma + chroma)


def _camera(video: Path) -> list[str]:
    """Chromium's flags for a fake camera that plays ``video`` (and asks no permission)."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        "--autoplay-policy=no-user-gesture-required",
    ]


@pytest.fixture
def _needs_a_browser() -> None:
    reason = browser_missing()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here (REFURB_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)


@pytest.mark.usefixtures("_needs_a_browser")
def test_a_fake_camera_scans_three_labels_into_the_list(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from refurb.app import open_inventory

    store = open_inventory(f"sqlite:///{tmp_path / 'shop.db'}", "create")
    tags = shop(store, 4)
    tags, photographed = tags[:3], tags[3]
    video = tmp_path / "labels.y4m"
    _y4m(store, tags, video)
    photo = tmp_path / "label.png"
    _label_image(store, photographed).save(photo)
    with running(store) as base, chromium(tmp_path / "profile", extra=_camera(video)) as driver:
        sign_in(driver, base, "lead")
        driver.get(base + "/scan")
        assert driver.execute_script("return window.isSecureContext") is True
        driver.find_element(By.ID, "camera-start").click()

        def listed() -> set[str]:  # read in the page at once: htmx swaps the list
            return set(
                driver.execute_script(
                    "return [...document.querySelectorAll('#scan-rows tr[data-tag]')]"
                    ".map(r => r.dataset.tag)"
                )
            )

        wait_for(lambda: listed() >= set(tags), 90)
        assert listed() == set(tags)
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert base + "/static/vendor/barcode-detector/zxing_reader.wasm" in loaded
        assert not [u for u in loaded if not u.startswith(base)]  # nothing from a CDN
        # the list is the server's: a reload shows the same three
        driver.get(base + "/scan")
        assert listed() == set(tags)
        # a USB scanner types into the field and presses Enter: htmx sends it, the
        # field is cleared for the next label, and a duplicate is said to be one
        from selenium.webdriver.common.keys import Keys

        field = driver.find_element(By.ID, "scan-code")
        field.send_keys(tags[0].lower() + Keys.ENTER)
        wait_for(
            lambda: (
                driver.execute_script(
                    "const m = document.getElementById('scan-message');"
                    "return m && m.dataset.kind === 'warn' && m.dataset.tag"
                )
                == tags[0]
            )
        )
        assert driver.find_element(By.ID, "scan-code").get_attribute("value") == ""
        assert listed() == set(tags)
        # a photo chosen (on a phone: taken) is sent at once and read on the server
        driver.find_element(By.CSS_SELECTOR, "#scan-photo input[type=file]").send_keys(str(photo))
        wait_for(lambda: photographed in listed())
        assert listed() == {*tags, photographed}


def _qr_video(text: str, path: Path, fps: int = 5, blank: int = 3, seconds: int = 3) -> None:
    """A Y4M video: ``blank`` seconds of white, then a QR code of ``text`` (a participant's
    card), so that the test can put the focus where it wants before a code is in view."""
    import qrcode
    from PIL import Image

    code = qrcode.make(text, border=4).get_image().convert("L")
    code = code.resize((H * 6 // 10, H * 6 // 10), Image.Resampling.NEAREST)
    white = Image.new("L", (W, H), 255)
    shown = white.copy()
    shown.paste(code, ((W - code.width) // 2, (H - code.height) // 2))
    chroma = bytes([128]) * (W // 2 * H // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame, n in ((white, blank), (shown, seconds)):
            luma = frame.tobytes()
            for _ in range(fps * n):
                out.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.mark.usefixtures("_needs_a_browser")
def test_the_camera_reads_a_participants_code_into_the_issue_field(tmp_path: Path) -> None:
    """Issue from the scan page with the camera: the device is in the list, the lead taps
    the participant field and shows the participant's card; the code lands in the field
    (not in the list), and Do it issues the laptop to that participant."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from refurb.app import devices, lifecycle, open_inventory
    from tests.store_helpers import purge

    store = open_inventory(f"sqlite:///{tmp_path / 'shop.db'}", "create")
    tag = shop(store, 1)[0]
    with store.transaction() as session:
        purge(session, tag)
    lifecycle.move(store, tag, "ready", actor="lead", note=None, station="RF")
    video = tmp_path / "card.y4m"
    _qr_video("P-0042", video)
    with running(store) as base, chromium(tmp_path / "profile", extra=_camera(video)) as driver:
        sign_in(driver, base, "lead")
        driver.get(base + "/scan")
        driver.find_element(By.ID, "scan-code").send_keys(tag + Keys.ENTER)
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, f'#scan-rows tr[data-tag="{tag}"]'))
        Select(driver.find_element(By.ID, "scan-action")).select_by_value("issue")
        driver.find_element(By.ID, "camera-start").click()
        field = driver.find_element(By.CSS_SELECTOR, "#scan-act input[name=participant]")
        field.click()  # the video is still white: nothing read yet
        wait_for(lambda: field.get_attribute("value") == "P-0042", 90)
        rows = driver.execute_script(
            "return [...document.querySelectorAll('#scan-rows tr[data-tag]')]"
            ".map(r => r.dataset.tag)"
        )
        assert rows == [tag]  # the card went to the field, not into the list
        driver.find_element(By.ID, "scan-go").click()
        wait_for(lambda: driver.find_elements(By.ID, "scan-outcomes"))
        assert (
            driver.find_element(
                By.CSS_SELECTOR, f'#scan-outcomes tr[data-tag="{tag}"]'
            ).get_attribute("data-done")
            == "yes"
        )
    shown = devices.show(store, tag)
    assert shown["status"] == "issued"
    assert shown["events"][-1]["participant"] == "P-0042"


def test_make_cert_then_serve_over_tls(tmp_path: Path) -> None:
    httpx = pytest.importorskip("httpx")
    env = dict(
        os.environ,
        REFURB_CONFIG=str(tmp_path / "config" / "config.toml"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    made = subprocess.run(
        [sys.executable, "-m", "refurb", "serve", "--make-cert", "--host-name", "refurb.test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    cert = tmp_path / "config" / "tls" / "cert.pem"
    key = tmp_path / "config" / "tls" / "key.pem"
    assert (cert.stat().st_mode & 0o777, key.stat().st_mode & 0o777) == (0o600, 0o600)
    assert "SHA-256 fingerprint:" in made.stdout and str(cert) in made.stdout
    again = subprocess.run(
        [sys.executable, "-m", "refurb", "serve", "--make-cert"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "kept" in again.stdout and cert.read_bytes() == cert.read_bytes()

    port = free_port()
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "refurb", "serve", "--tls", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"https://127.0.0.1:{port}/login", verify=trusted, timeout=5)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert page.status_code == 200 and "refurb" in page.text
        # the session cookie is for https only
        assert "secure" in page.headers.get("set-cookie", "").lower()
        # a client that does not trust the certificate is refused
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{port}/login", timeout=5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
