"""Intake through the pages: a trainee sends the snapshot file the probe wrote, answers
the bench checklist in the form, and gets what `refurb intake FILE --checklist` gives:
the same verdict, the same record, a tag and a label. Bad files change nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")

from refurb.app import devices, open_inventory
from tests.store_helpers import laptop
from tests.test_probe_live_and_bad_input import run_cli
from tests.web_helpers import (
    browser_missing,
    chromium,
    client,
    csrf_of,
    running,
    shop,
    sign_in,
    wait_for,
)

CHECKS = {"item_keyboard": "fail", "item_screen": "pass", "cosmetic": "C4", "notes": "sticky key"}


@pytest.fixture
def store(db_url: str) -> Any:
    s = open_inventory(db_url, "create")
    yield s
    s.dispose()


def _snapshot(serial: str) -> bytes:
    return json.dumps(laptop(serial=serial, uuid_=None).to_dict()).encode()


def _send(c: Any, data: bytes, **fields: str) -> Any:
    token = csrf_of(c.get("/intake").text)
    return c.post(
        "/intake",
        data={"csrf": token, **fields},
        files={"snapshot": ("snap.json", data, "application/json")},
    )


def test_a_trainee_records_a_device_as_refurb_intake_would(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop(store, 0)
    c = client(store, "trainee")
    page = _send(c, _snapshot("WEB00001"), lot="DON-1", weight_kg="2,1", **CHECKS)
    assert page.status_code == 200, page.text
    tag = re.search(r'id="intake-tag">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert "New device" in page.text and f"/devices/{tag}/label.pdf" in page.text
    record = devices.show(store, tag)
    assert record["lot"] == "DON-1" and record["weight_kg"] == pytest.approx(2.1)
    assert record["status"] == "diagnosed"
    # the operator is the signed-in person; the checklist's answers reach the verdict
    assert {e["actor"] for e in record["events"]} == {"trainee"}
    web_verdict = record["assessment"]

    # the same file and answers through the command line give the same verdict
    snap = tmp_path / "snap.json"
    snap.write_bytes(_snapshot("CLI00001"))
    sheet = tmp_path / "sheet.json"
    sheet.write_text(
        json.dumps({"answers": {"keyboard": "fail", "screen": "pass"}, "cosmetic": "C4"})
    )
    code, out, err = run_cli(
        ["intake", str(snap), "--checklist", str(sheet), "--json", "--db", _url_of(store)],
        capsys,
    )
    assert code == 0, err
    cli_verdict = json.loads(out)["assessment"]
    assert web_verdict["disposition"] == cli_verdict["disposition"]
    assert [f["reason"] for f in web_verdict["findings"]] == [
        f["reason"] for f in cli_verdict["findings"]
    ]
    assert any("keyboard" in f["reason"].lower() for f in web_verdict["findings"])
    # the same file again: known, nothing new
    again = _send(c, _snapshot("WEB00001"))
    assert again.status_code == 200 and tag in again.text


def _url_of(store: Any) -> str:
    return str(store.engine.url.render_as_string(hide_password=False))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b'{"format": ', "not valid JSON"),
        (b"[1, 2, 3]", "snapshot"),
        (b"[" * 100_000, "snapshot"),
        (b" " * (3 * 2**20), "too large"),
    ],
)
def test_a_bad_file_is_named_and_changes_nothing(store: Any, data: bytes, words: str) -> None:
    shop(store, 1)
    before = len(devices.listing(store))
    c = client(store, "trainee")
    page = _send(c, data, **CHECKS)
    assert page.status_code == 400, page.text
    assert words in page.text and "Traceback" not in page.text
    assert len(devices.listing(store)) == before


def test_bad_answers_and_roles_are_refused(store: Any) -> None:
    shop(store, 0)
    trainee = client(store, "trainee")
    for bad in ({"item_keyboard": "maybe"}, {"cosmetic": "C9"}, {"weight_kg": "heavy"}):
        page = _send(trainee, _snapshot("BAD00001"), **bad)
        assert page.status_code == 400, (bad, page.text)
    assert devices.listing(store) == []
    manager = client(store, "manager")
    assert manager.get("/intake").status_code == 403
    # no CSRF token: refused before the file is looked at
    sent = trainee.post(
        "/intake", files={"snapshot": ("s.json", _snapshot("CSRF0001"), "application/json")}
    )
    assert sent.status_code == 403
    # more than any photo or snapshot: refused on its declared size, before it is read
    huge = _send(trainee, b"{" + b" " * (42 * 2**20) + b"}")
    assert huge.status_code == 413 and "too large" in huge.text
    assert devices.listing(store) == []


def test_intake_in_a_real_browser(tmp_path: Path) -> None:
    missing = browser_missing()
    if missing:
        pytest.skip(missing)
    from selenium.webdriver.common.by import By

    store = open_inventory(f"sqlite:///{tmp_path / 'shop.db'}", "create")
    shop(store, 0)
    snap = tmp_path / "snapshot.json"
    snap.write_bytes(_snapshot("BROWSER1"))
    with running(store) as base, chromium(tmp_path / "profile") as driver:
        sign_in(driver, base, "trainee")
        driver.get(base + "/intake")
        # each checklist answer sits on one line with its words, the three side by side
        radios = driver.find_elements(By.CSS_SELECTOR, "#item-keyboard input[type=radio]")
        words = driver.find_elements(By.CSS_SELECTOR, "#item-keyboard label.inline")
        assert len(radios) == len(words) == 3
        tops = {round(r.rect["y"] + r.rect["height"] / 2) for r in radios}
        assert max(tops) - min(tops) <= 2, "the answers are not on one line"
        for radio, label in zip(radios, words, strict=True):
            assert label.rect["height"] < 2.5 * radio.rect["height"] + 10
        driver.find_element(By.NAME, "snapshot").send_keys(str(snap))
        driver.find_element(By.CSS_SELECTOR, "input[name=item_keyboard][value=fail]").click()
        driver.find_element(By.CSS_SELECTOR, "#intake-form button[type=submit]").click()
        found = wait_for(lambda: driver.find_elements(By.ID, "intake-tag"))
        tag = found[0].text
        assert devices.show(store, tag)["status"] == "diagnosed"
        driver.find_element(By.LINK_TEXT, "Open the device").click()
        assert tag in driver.find_element(By.TAG_NAME, "h1").text
