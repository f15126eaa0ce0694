"""The pages in a real headless Chromium (Debian's chromium and chromium-driver, driven
by selenium) against uvicorn on a loopback port: a lead takes a laptop from intake to
issued entirely through the pages, downloads the funder report and finds the figures of
`refurb report --json`, and switches to French; hostile text stays inert.

Skipped with the reason when chromium or chromedriver is absent; CI sets
REFURB_REQUIRE_BROWSER=1 so they fail there instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.web_helpers import (
    REQUIRE_BROWSER,
    browser_missing,
    chromium,
    running,
    shop,
    sign_in,
    wait_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_a_browser() -> None:
    reason = browser_missing()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here (REFURB_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)


def _submit(driver: Any, form_id: str, **fields: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    form = driver.find_element(By.ID, form_id)
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    old = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: _stale(old))


def _stale(element: Any) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    return False


def _status(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, "device-status").get_attribute("data-status"))


def _pdf_text(pdf: bytes) -> str:
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -e '.[test]'")
    doc = pdfium.PdfDocument(pdf)
    text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    return text


def test_a_lead_takes_a_laptop_from_intake_to_issued(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selenium.webdriver.common.by import By

    from refurb.app import devices, open_inventory

    db = tmp_path / "shop.db"
    store = open_inventory(f"sqlite:///{db}", "create")
    tag = shop(store, 1)[0]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with running(store) as base, chromium(tmp_path / "profile", downloads) as driver:
        sign_in(driver, base, "lead")
        driver.get(base + "/devices")
        driver.find_element(By.LINK_TEXT, tag).click()
        wait_for(lambda: _status(driver) == "diagnosed")
        # ready is not offered yet, and the page says why
        assert not driver.find_elements(By.ID, "action-ready")
        assert "sanitization record" in driver.find_element(By.ID, "refused-ready").text
        _submit(
            driver,
            "action-wipe",
            level="purge",
            method="block-erase",
            tool="nvme-cli",
            tool_version="2.4",
            verification_method="read-back of a 10 % sample",
            verification_result="pass",
            verified_by="lead-01",
        )
        assert _status(driver) == "wiped"
        _submit(driver, "action-ready", note="checked")
        assert _status(driver) == "ready"
        _submit(driver, "action-issue", participant="P-0042")
        assert _status(driver) == "issued"
        history = driver.find_element(By.CSS_SELECTOR, "table.history").text
        assert "P-0042" in history and "lead" in history

        driver.get(base + "/reports")
        driver.find_element(By.ID, "report-pdf").click()
        driver.find_element(By.ID, "report-json").click()
        pdf = wait_for(lambda: next(downloads.glob("*.pdf"), None))
        wait_for(lambda: next(downloads.glob("*.json"), None))
        wait_for(lambda: not list(downloads.glob("*.crdownload")))
        screen = {
            row.get_attribute("data-measure"): row.find_element(By.TAG_NAME, "td").text
            for row in driver.find_elements(By.CSS_SELECTOR, "#report-totals tr")
        }

        driver.find_element(By.ID, "lang-switch").click()
        wait_for(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
        assert "Rapports" in driver.find_element(By.TAG_NAME, "h1").text
        driver.get(base + "/")
        assert "Tableau de bord" in driver.find_element(By.TAG_NAME, "h1").text

    event = devices.show(store, tag)["events"][-1]
    assert (event["status"], event["actor"], event["participant"]) == ("issued", "lead", "P-0042")
    # the report the browser downloaded, against the command line's
    from refurb.cli import main

    with pytest.raises(SystemExit) as done:
        main(["report", "--json", "--db", str(db)])
    assert done.value.code == 0
    cli = json.loads(capsys.readouterr().out)
    downloaded = json.loads(next(downloads.glob("*.json")).read_text())
    assert downloaded["totals"] == cli["totals"] and downloaded["period"] == cli["period"]
    assert cli["totals"]["issued"] == 1 and cli["totals"]["participants"] == 1
    from refurb.reports.i18n import t
    from refurb.reports.render import fmt

    text = " ".join(_pdf_text(pdf.read_bytes()).split())
    for measure, value in cli["totals"].items():
        shown = fmt(measure, value, "en")
        assert f"{t(measure, 'en')} {shown}" in text, measure
        assert screen[measure] == shown


HOSTILE = [
    "<script>document.title='pwned';window.pwned=1</script>",
    '"><img src=x onerror="window.pwned=1">',
    "\u202eevil-override\u202c text",
    "W" * 1900,
]


def test_hostile_text_renders_inert(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from refurb.app import lifecycle, open_inventory, people
    from refurb.app.intake import intake
    from tests.store_helpers import laptop, verdict

    store = open_inventory(f"sqlite:///{tmp_path / 'shop.db'}", "create")
    shop(store, 0)
    from datetime import date

    people.add_lot(
        store,
        "BAD",
        HOSTILE[0] + HOSTILE[3],
        date(2026, 2, 1),
        "reuse",
        HOSTILE[1],
        HOSTILE[2],
        None,
    )
    people.add_participant(store, "P-1", HOSTILE[2])
    snap = laptop(serial="HOSTILE1", uuid_=None, model=HOSTILE[1], vendor=HOSTILE[0])
    tag = intake(store, snap, verdict(snap), operator=HOSTILE[2], station="RF", lot_code="BAD").tag
    lifecycle.move(store, tag, "repairing", actor="lead", note=HOSTILE[3], station="RF")
    pages = ["/", "/devices", f"/devices/{tag}", "/lots", "/lots/BAD", "/participants"]
    with running(store) as base, chromium(tmp_path / "profile") as driver:
        sign_in(driver, base, "admin")
        for path in pages:
            driver.get(base + path)
            assert driver.execute_script("return window.pwned === undefined"), path
            assert driver.title != "pwned", path
            assert not driver.find_elements(By.CSS_SELECTOR, "main img"), path
            inline = "return document.querySelectorAll('script:not([src])').length"
            assert driver.execute_script(inline) == 0, path
            # no layout break: the page is no wider than the window
            wide = "return document.documentElement.scrollWidth - window.innerWidth"
            assert driver.execute_script(wide) <= 20, path
        driver.get(base + f"/devices/{tag}")
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "<script>" in body  # shown as text, for a person to read
