"""Hostile text (markup, script tags, an RTL override, very long strings) in donor,
community, notes and snapshot fields comes out of every page escaped, each piece of
outside text isolated for direction (<bdi>), under a CSP that allows no inline script.
The browser side (no script runs, no layout break) is in test_web_browser."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")

from refurb.app import lifecycle, open_inventory, people
from refurb.app.intake import intake
from tests.store_helpers import laptop, verdict
from tests.web_helpers import client, shop

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RTL = "\u202etxt.exe"
LONG = "L" * 1900


def test_hostile_text_is_escaped_on_every_page(db_url: str) -> None:
    store: Any = open_inventory(db_url, "create")
    shop(store, 0)
    people.add_lot(store, "BAD", SCRIPT + LONG, date(2026, 2, 1), "reuse", IMG, RTL, None)
    people.add_participant(store, "P-1", SCRIPT)
    snap = laptop(serial="HOSTILE1", uuid_=None, model=IMG, vendor=SCRIPT)
    tag = intake(store, snap, verdict(snap), operator=RTL, station="RF", lot_code="BAD").tag
    lifecycle.move(store, tag, "repairing", actor="lead", note=SCRIPT + RTL, station="RF")
    c = client(store, "admin")
    from urllib.parse import quote

    pages = (
        "/",
        "/devices",
        f"/devices/{tag}",
        "/devices/facets",
        f"/devices/facets?community={quote(IMG)}",
        "/lots",
        "/lots/BAD",
        "/participants",
        "/participants/P-1",
        "/reports",
        "/trainees",
        f"/trainees/{quote(RTL)}",
    )
    for url in pages:
        got = c.get(url)
        assert got.status_code == 200, url
        assert "<script>alert" not in got.text and "<img src=x" not in got.text, url
        assert "script-src 'self'" in got.headers["content-security-policy"]
        # the operator's name, wherever it is shown as text, sits inside a <bdi>
        for i in [i for i in range(len(got.text)) if got.text.startswith(RTL[0], i)]:
            before = got.text[:i]
            if before.rfind("<") > before.rfind(">"):
                continue  # inside a tag: an attribute's value (a link, a data- value)
            assert before.rfind("<bdi>") > before.rfind("</bdi>"), (url, got.text[i - 80 : i])
    page = c.get(f"/devices/{tag}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # every right-to-left override sits inside a <bdi>, so it cannot flip the page around it
    at = [i for i in range(len(page)) if page.startswith(RTL[0], i)]
    assert at
    for i in at:
        before = page[:i]
        assert before.rfind("<bdi>") > before.rfind("</bdi>"), page[i - 80 : i]
    store.dispose()
