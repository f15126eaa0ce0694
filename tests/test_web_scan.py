"""The scan page (issue #14) through the pages, on a real SQLite file: the scanner
field, a photo of a real label, the list kept across a reload, stocktake (expected
but not seen, seen but not expected), bulk make-ready with one device refused, /d/TAG,
CSRF and roles on every new POST; and ``refurb stocktake`` at a terminal."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.web_helpers import client, csrf_of, shop

HX = {"hx-request": "true"}


def _store(tmp_path: Path, n: int = 3) -> tuple[Any, list[str]]:
    from refurb.app import open_inventory

    store = open_inventory(f"sqlite:///{tmp_path / 'shop.db'}", "create")
    return store, shop(store, n)


def _listed(html: str) -> list[str]:
    section = html.split('id="scan-rows"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-tag="([^"]+)"', section)


def _message(html: str) -> str:
    found = re.search(r'<p id="scan-message"[^>]*data-kind="(\w+)"', html)
    assert found, html[:500]
    return found.group(1)


def _label_png(store: Any, tag: str, scale: float = 3.0) -> bytes:
    """A label refurb prints for ``tag``, rendered from its PDF to a PNG."""
    pdfium = pytest.importorskip("pypdfium2")
    from refurb.app import reports
    from refurb.labels import load_stocks, render

    pdf = render(reports.labels(store, [tag]), load_stocks()["avery-l7160"])
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=scale).to_pil()
    doc.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_scanner_field_builds_a_list_that_survives_a_reload(tmp_path: Path) -> None:
    store, tags = _store(tmp_path)
    c = client(store, "lead")
    page = c.get("/scan")
    assert page.status_code == 200
    assert "'wasm-unsafe-eval'" in page.headers["content-security-policy"]
    token = csrf_of(page.text)

    def scan(code: str) -> Any:
        return c.post("/scan/add", data={"csrf": token, "code": code}, headers=HX)

    first = scan(tags[0].lower())  # typed in lower case: normalised
    assert _message(first.text) == "ok" and _listed(first.text) == [tags[0]]
    url = scan(f"https://refurb.shop.local:8443/d/{tags[1]}")  # a label_url label
    assert _listed(url.text) == [tags[0], tags[1]]
    again = scan(tags[0])
    assert _message(again.text) == "warn" and "Already in the list" in again.text
    assert _listed(again.text) == [tags[0], tags[1]]
    bad = scan("not a tag at all!")
    assert _message(bad.text) == "error" and "not a refurb tag" in bad.text
    unknown = scan("RF-7K2Q9W" if "RF-7K2Q9W" not in tags else "RF-7K2Q9X")
    assert _message(unknown.text) == "warn"
    assert "No device on record with this tag" in unknown.text
    other_site = scan("https://example.org/not-refurb")
    assert _message(other_site.text) == "error"
    # a reload (a new page load, no htmx) shows the same list
    reloaded = c.get("/scan")
    assert _listed(reloaded.text)[:2] == [tags[0], tags[1]] and len(_listed(reloaded.text)) == 3
    # remove one, clear all
    c.post("/scan/remove", data={"csrf": token, "tag": tags[1]}, headers=HX)
    assert tags[1] not in _listed(c.get("/scan").text)
    c.post("/scan/clear", data={"csrf": token}, headers=HX)
    assert _listed(c.get("/scan").text) == []


def test_a_photo_of_a_printed_label_is_scanned_on_the_server(tmp_path: Path) -> None:
    store, tags = _store(tmp_path, 1)
    c = client(store, "lead")
    token = csrf_of(c.get("/scan").text)
    png = _label_png(store, tags[0])
    done = c.post(
        "/scan/photo",
        data={"csrf": token},
        files={"photo": ("label.png", png, "image/png")},
        headers=HX,
    )
    assert done.status_code == 200
    assert _message(done.text) == "ok" and _listed(done.text) == [tags[0]]
    # not a picture: said so, nothing added, no crash
    junk = c.post(
        "/scan/photo",
        data={"csrf": token},
        files={"photo": ("x.jpg", b"\x00" * 100, "image/jpeg")},
        headers=HX,
    )
    assert _message(junk.text) == "error" and "not a picture" in junk.text
    # a picture with no code in it
    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (400, 300), 255).save(blank, "PNG")
    none = c.post(
        "/scan/photo",
        data={"csrf": token},
        files={"photo": ("blank.png", blank.getvalue(), "image/png")},
    )
    assert none.status_code == 400 and "no QR code found" in none.text
    assert _listed(c.get("/scan").text) == [tags[0]]


def _stocktake(c: Any, token: str, site: str, codes: list[str]) -> str:
    c.post("/scan/clear", data={"csrf": token}, headers=HX)
    for code in codes:
        c.post("/scan/add", data={"csrf": token, "code": code}, headers=HX)
    done = c.post("/scan/act", data={"csrf": token, "action": "stocktake", "site": site})
    assert done.status_code == 200, done.text
    return str(done.text)


def _section(html: str, name: str) -> list[str]:
    part = html.split(f'id="stocktake-{name}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li data-tag="([^"]+)"', part)


def test_stocktake_reports_expected_but_not_seen_and_seen_but_not_expected(
    tmp_path: Path,
) -> None:
    from refurb.app import lifecycle, people
    from refurb.app.intake import intake
    from refurb.app.scan import expected
    from tests.store_helpers import laptop, purge, verdict

    store, tags = _store(tmp_path, 1)  # in lot DON-1, which has no site
    people.add_lot(store, "DON-M", "Library", date(2026, 2, 1), "reuse", None, "Main", None)
    people.add_lot(store, "DON-A", "School", date(2026, 2, 2), "reuse", None, "Annex", None)
    at_main = [
        intake(store, s, verdict(s), operator="t", station="RF", lot_code="DON-M").tag
        for s in (laptop(serial=f"MA{i:05d}", uuid_=None) for i in range(4))
    ]
    at_annex = intake(
        store,
        (s := laptop(serial="AN00001", uuid_=None)),
        verdict(s),
        operator="t",
        station="RF",
        lot_code="DON-A",
    ).tag
    # one of Main's devices has left the shop: issued, so expected on no shelf
    with store.transaction() as session:
        purge(session, at_main[3])
    lifecycle.move(store, at_main[3], "ready", actor="lead", note=None, station="RF")
    lifecycle.issue(store, at_main[3], "P-0042", actor="lead", note=None, station="RF")
    assert [r["tag"] for r in expected(store, "Main")] == sorted(at_main[:3])

    c = client(store, "lead")
    token = csrf_of(c.get("/scan").text)
    # the shelf at Main: two of its three, plus the Annex's laptop and one with no site
    html = _stocktake(c, token, "Main", [at_main[0], at_main[1], at_annex, tags[0]])
    assert _section(html, "missing") == [at_main[2]]
    assert sorted(_section(html, "unexpected")) == sorted([at_annex, tags[0]])
    assert "Annex" in html  # where the records had it
    # the records follow: the Annex laptop is now at Main, so the Annex (an empty
    # shelf, counted) expects nothing
    html = _stocktake(c, token, "Annex", [])
    assert _section(html, "missing") == [] and expected(store, "Annex") == []
    # counting Main again with everything: nothing missing, nothing unexpected
    html = _stocktake(c, token, "Main", [*at_main[:3], at_annex, tags[0]])
    assert _section(html, "missing") == [] and _section(html, "unexpected") == []
    # the issued one turning up on the shelf: seen, and said not to be expected
    html = _stocktake(c, token, "Main", [at_main[3]])
    assert _section(html, "unexpected") == [at_main[3]] and "issued" in html


def test_bulk_make_ready_does_the_allowed_and_shows_why_one_is_refused(tmp_path: Path) -> None:
    from refurb.app import devices
    from tests.store_helpers import purge

    store, tags = _store(tmp_path, 3)
    with store.transaction() as session:
        purge(session, tags[0])
        purge(session, tags[2])  # tags[1]'s drive has no sanitization record
    c = client(store, "lead")
    token = csrf_of(c.get("/scan").text)
    c.post("/scan/choose", data={"csrf": token, "action": "ready"}, headers=HX)
    for t in tags:
        listed = c.post("/scan/add", data={"csrf": token, "code": t}, headers=HX)
    # the list already warns which one the rulebook would refuse
    warned = re.findall(r'<tr data-tag="([^"]+)" class="warn"', listed.text)
    assert warned == [tags[1]]
    done = c.post("/scan/act", data={"csrf": token, "action": "ready"})
    assert done.status_code == 200
    outcomes = dict(re.findall(r'<tr data-tag="([^"]+)" data-done="(\w+)"', done.text))
    assert outcomes == {tags[0]: "yes", tags[1]: "no", tags[2]: "yes"}
    assert "sanitization record" in done.text.split(f'data-tag="{tags[1]}" data-done="no"')[1]
    assert [devices.show(store, t)["status"] for t in tags] == ["ready", "diagnosed", "ready"]


def test_issue_move_to_site_and_labels_for_the_list(tmp_path: Path) -> None:
    from refurb.app import devices
    from tests.store_helpers import purge

    store, tags = _store(tmp_path, 2)
    c = client(store, "lead")
    token = csrf_of(c.get("/scan").text)
    for t in tags:
        c.post("/scan/add", data={"csrf": token, "code": t}, headers=HX)
    moved = c.post("/scan/act", data={"csrf": token, "action": "site", "site": "Shelf B"})
    assert moved.text.count('data-done="yes"') == 2
    assert "Shelf B" in c.get("/scan").text  # the list shows each device's site now
    pdf = c.post("/scan/act", data={"csrf": token, "action": "labels", "stock": "avery-l7160"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # issue takes exactly one device
    two = c.post("/scan/act", data={"csrf": token, "action": "issue", "participant": "P-0042"})
    assert two.status_code == 400 and "one device" in two.text
    with store.transaction() as session:
        purge(session, tags[0])
    c.post("/scan/act", data={"csrf": token, "action": "ready"})
    c.post("/scan/remove", data={"csrf": token, "tag": tags[1]}, headers=HX)
    one = c.post("/scan/act", data={"csrf": token, "action": "issue", "participant": "P-0042"})
    assert 'data-done="yes"' in one.text, one.text
    assert devices.show(store, tags[0])["status"] == "issued"


def test_d_tag_opens_the_device_page_after_signing_in(tmp_path: Path) -> None:
    from tests.web_helpers import PASSWORD

    store, tags = _store(tmp_path, 1)
    c = client(store)
    first = c.get(f"/d/{tags[0].lower()}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"/login?next=/d/{tags[0].lower()}"
    login = c.get(first.headers["location"])
    signed = c.post(
        "/login",
        data={
            "csrf": csrf_of(login.text),
            "name": "trainee",
            "password": PASSWORD,
            "next": f"/d/{tags[0].lower()}",
        },
        follow_redirects=True,
    )
    assert signed.status_code == 200 and str(signed.url).endswith(f"/devices/{tags[0]}")
    assert c.get("/d/RF-0000000").status_code == 404


POSTS = ["/scan/add", "/scan/photo", "/scan/remove", "/scan/clear", "/scan/choose", "/scan/act"]


def test_every_scan_post_needs_the_csrf_token_and_a_lead(tmp_path: Path) -> None:
    store, tags = _store(tmp_path, 1)
    lead = client(store, "lead")
    token = csrf_of(lead.get("/scan").text)
    for path in POSTS:
        refused = lead.post(path, data={"csrf": "forged", "code": tags[0], "action": "ready"})
        assert refused.status_code == 403, path
        missing = lead.post(path, data={"code": tags[0]})
        assert missing.status_code == 403, path
    assert _listed(lead.get("/scan").text) == []
    assert lead.post("/scan/add", data={"csrf": token, "code": tags[0]}).status_code == 200
    for role in ("trainee", "manager"):
        other = client(store, role)
        assert other.get("/scan").status_code == 403
        its_token = csrf_of(other.get("/").text)
        for path in POSTS:
            assert other.post(path, data={"csrf": its_token}).status_code == 403, (role, path)
    anonymous = client(store)
    assert anonymous.get("/scan", follow_redirects=False).status_code == 303


def test_refurb_stocktake_at_a_terminal(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from refurb.cli import cli as main

    store, tags = _store(tmp_path, 3)
    db = store.url
    run = CliRunner().invoke(main, ["stocktake", "Bench", tags[0], tags[1], "--db", db])
    assert run.exit_code == 0, run.output
    assert "seen at Bench: 2" in run.output
    again = CliRunner().invoke(main, ["stocktake", "Bench", tags[0], "--db", db, "--json"])
    doc = json.loads(again.output)
    assert doc["missing"] == [
        {"tag": tags[1], "status": "diagnosed", "model": doc["missing"][0]["model"]}
    ]
    assert doc["unexpected"] == []


def test_the_site_a_history_folds_to() -> None:
    from refurb.lifecycle import rules
    from refurb.lifecycle.history import Step, expected_at, fold

    steps = [
        Step(1, "status", status="received"),
        Step(2, "seen", site="Shelf A"),
        Step(3, "sited", site="Annex"),
    ]
    state = fold("RF-7K2Q9W", steps, site="Main")  # the lot's site, until an event
    assert state.site == "Annex" and expected_at(state, "Annex")
    assert not expected_at(state, "Main") and not expected_at(state, "Shelf A")
    assert fold("RF-7K2Q9W", steps[:1], site="Main").site == "Main"
    gone = fold("RF-7K2Q9W", [*steps, Step(4, "status", status="recycled")])
    assert not expected_at(gone, "Annex")
    refused = rules.seen(gone, "Annex")
    assert refused is not None and refused.rule == "seen-recycled"
    assert rules.site_move(gone, "Main") is not None
    assert rules.seen(state, " ") is not None and rules.seen(state, "Main") is None


def test_a_stocktake_at_a_shop_reaches_the_hub(tmp_path: Path) -> None:
    """A seen event travels in the shop's bundle; the hub's cached site follows it."""
    from refurb.app.scan import expected, stocktake
    from refurb.store.bundles import export_bundle
    from refurb.store.db import open_store
    from refurb.store.intake import record_snapshot
    from tests.store_helpers import hub_import, laptop, verdict

    key = b"a program key of some length"
    shop_store = open_store(str(tmp_path / "shop.db"))
    snap = laptop()
    with shop_store.transaction() as s:
        tag = record_snapshot(s, snap, verdict(snap), operator="t", station="IQ").tag
    done = stocktake(shop_store, "Shelf C", [tag], actor="lead", station="IQ")
    assert [o.done for o in done.seen] == [True]
    with shop_store.reading() as s:
        data = export_bundle(s, key, "IQ")[0]
    hub = open_store(str(tmp_path / "hub.db"))
    hub_import(hub, [data], key)
    assert [r["tag"] for r in expected(hub, "Shelf C")] == [tag]
    shop_store.dispose()
    hub.dispose()


def test_without_tls_on_the_network_the_page_says_why_and_offers_the_photo(
    tmp_path: Path,
) -> None:
    store, _ = _store(tmp_path, 1)
    c = client(store, "lead")  # the TestClient's host, "testserver": not this machine
    for scheme, host, secure in (
        ("http", "192.168.1.20:8000", False),
        ("http", "refurb.shop.local", False),
        ("http", "127.0.0.1:8000", True),
        ("http", "localhost:8000", True),
        ("https", "refurb.shop.local:8443", True),
    ):
        got = c.get(f"{scheme}://testserver/scan", headers={"host": host})
        assert got.status_code == 200, (host, got.status_code)
        page = got.text
        said = re.search(r'<p id="camera-insecure" class="hint"( hidden)?>([^<]*)<', page)
        assert said is not None
        assert (said[1] is not None) == secure, host
        assert "secure connection" in said[2]
        start = re.search(r'<button type="button" id="camera-start"( hidden)?>', page)
        assert start is not None and (start[1] is None) == secure, host
        assert 'id="scan-photo"' in page and 'capture="environment"' in page


def test_add_the_list_to_an_open_shipment_picked_from_the_page(tmp_path: Path) -> None:
    from refurb.app import devices, shipments

    store, tags = _store(tmp_path, 2)
    c = client(store, "lead")
    page = c.get("/scan").text
    assert "no open shipment" in page  # nothing to pick yet: the page says how to start one
    shipments.add(store, "Northern Recyclers", None, "R2v3")
    shipments.new(store, "SH-OPEN", "Northern Recyclers", date(2026, 11, 2), None)
    shipments.new(store, "SH-DONE", "Northern Recyclers", date(2026, 10, 1), None)
    shipments.add_devices(store, "SH-DONE", [tags[1]], actor="lead", station="RF")
    shipments.close_shipment(store, "SH-DONE", weight_kg=2.0, received_on=date(2026, 10, 9),
                             certificate="C-1")  # fmt: skip
    page = c.get("/scan").text
    picker = page.split('id="scan-shipment"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]*)"', picker) == ["", "SH-OPEN"]  # not the closed one
    token = csrf_of(page)
    c.post("/scan/choose", data={"csrf": token, "action": "ship"}, headers=HX)
    c.post("/scan/add", data={"csrf": token, "code": tags[0]}, headers=HX)
    done = c.post("/scan/act", data={"csrf": token, "action": "ship", "shipment": "SH-OPEN"})
    assert re.findall(r'<tr data-tag="([^"]+)" data-done="(\w+)"', done.text) == [(tags[0], "yes")]
    assert [d["tag"] for d in shipments.document(store, "SH-OPEN", {})["items"]] == [tags[0]]
    assert devices.show(store, tags[0])["status"] == "recycled"
    # without a shipment picked, the page asks for one and changes nothing
    none = c.post("/scan/act", data={"csrf": token, "action": "ship", "shipment": ""})
    assert none.status_code == 400 and "name the shipment" in none.text
