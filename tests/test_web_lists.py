"""The dashboard's charts, the device list's facets and keyset pages, the list's CSV and
JSON twins (every page, streamed), a participant's devices and the trainees' activity,
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")

from refurb.app import devices, lifecycle, open_inventory, people
from refurb.lifecycle.sanitization import WipeRecord
from tests.web_helpers import client, csrf_of, shop


@pytest.fixture
def store(db_url: str) -> Any:
    s = open_inventory(db_url, "create")
    yield s
    s.dispose()


def _wipe(store: Any, tag: str, who: str = "lead") -> None:
    lifecycle.wipe(
        store,
        tag,
        WipeRecord(
            level="purge",
            method="block-erase",
            tool="nvme-cli",
            tool_version="2.4",
            verification_method="read-back",
            verification_result="pass",
            performed_by=who,
            verified_by="lead-01",
            destination=None,
            notes=None,
            station="RF",
        ),
    )


def _tags(html: str) -> list[str]:
    return re.findall(r'<td><a href="/devices/(RF-[0-9A-Z]+)">', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_keyset_pages_walk_the_whole_list_both_ways(store: Any) -> None:
    tags = shop(store, 7)
    c = client(store, "trainee")
    seen, url, pages = [], "/devices?limit=3", []
    while url:
        page = c.get(url)
        assert page.status_code == 200
        pages.append(page.text)
        seen += _tags(page.text)
        url = _link(page.text, "next")
    assert seen == tags  # oldest first, each once, no page skipped
    assert len(pages) == 3 and _link(pages[0], "prev") is None
    back = _link(pages[2], "prev")
    assert back and _tags(c.get(back).text) == tags[3:6]
    assert 'id="page-first"' in pages[2]
    got = c.get("/devices?after=nonsense")
    assert got.status_code == 400 and "not a page of this list" in got.text


def test_facets_count_the_filtered_view(store: Any) -> None:
    tags = shop(store, 4)
    people.add_lot(store, "DON-2", "School", devices_date(), "reuse", "Arviat", None, None)
    _wipe(store, tags[0])
    lifecycle.move(store, tags[0], "ready", actor="lead", note=None, station="RF")
    c = client(store, "trainee")
    page = c.get("/devices").text
    assert 'hx-get="/devices/facets"' in page and 'id="facet-link"' in page  # works without JS
    facets = c.get("/devices/facets", headers={"HX-Request": "true"}).text
    assert "<html" not in facets  # the fragment htmx puts beside the list
    assert _facet(facets, "status") == {"diagnosed": 3, "ready": 1}
    assert _facet(facets, "lot") == {"DON-1": 4}
    assert _facet(facets, "community") == {"Iqaluit": 4}
    assert _facet(facets, "chassis") == {"laptop": 4}
    assert sum(_facet(facets, "verdict").values()) == 4
    assert 'id="facet-total">4 ' in facets
    narrowed = c.get("/devices/facets?status=diagnosed").text
    assert "<html" in narrowed  # a page of its own without htmx
    assert _facet(narrowed, "status") == {"diagnosed": 3}
    # each value links to the list narrowed by it (and the chosen one takes it off)
    assert 'href="/devices?status=diagnosed&amp;lot=DON-1"' in narrowed
    assert 'href="/devices"' in narrowed
    listed = c.get("/devices?status=diagnosed&lot=DON-1&grade=-").text
    assert sorted(_tags(listed)) == sorted(tags[1:])


def devices_date() -> Any:
    from datetime import date

    return date(2026, 2, 1)


def _facet(html: str, name: str) -> dict[str, int]:
    block = re.search(rf'id="facet-{name}">(.*?)</section>', html, re.S)
    assert block, name
    return {
        v: int(n)
        for v, n in re.findall(r'data-value="([^"]*)">.*?<span class="n">(\d+)</span>', block[1])
    }


def test_the_twins_are_every_page_of_the_filtered_view(store: Any) -> None:
    tags = shop(store, 5)
    _wipe(store, tags[1])
    c = client(store, "manager")
    whole = c.get("/devices.json?limit=2&status=diagnosed")  # the page size is the screen's
    assert whole.headers["content-disposition"].startswith("attachment")
    assert [r["tag"] for r in whole.json()] == [t for t in tags if t != tags[1]]
    table = list(csv.DictReader(io.StringIO(c.get("/devices.csv?status=wiped").text)))
    assert [r["tag"] for r in table] == [tags[1]]
    assert c.get("/devices.json?lot=DON-1&q=PF000003").json()[0]["tag"] == tags[3]
    assert c.get("/devices.json?status=ready").json() == []
    assert c.get("/devices.csv?status=ready").text.strip() == ",".join(devices.COLUMNS)
    assert c.get("/devices.json?lot=NOPE").status_code == 404


def test_the_twins_stream_in_batches(store: Any) -> None:
    from refurb.app import overview

    tags = shop(store, 5)
    rows = list(overview.device_rows(store, {"community": "Iqaluit"}, batch=2))
    assert [r["tag"] for r in rows] == tags


def test_dashboard_charts_are_the_reports_figures(store: Any) -> None:
    from datetime import date

    from refurb.app import reports
    from refurb.config import load_config
    from refurb.reports.periods import resolve_period

    tags = shop(store, 3)
    _wipe(store, tags[0])
    lifecycle.move(store, tags[0], "ready", actor="lead", note=None, station="RF")
    lifecycle.issue(store, tags[0], "P-0042", actor="lead", note=None, station="RF")
    c = client(store, "trainee")
    page = c.get("/").text
    today = date.today()
    fy = today.year if today.month >= 4 else today.year - 1
    cfg = load_config()
    r = reports.report(
        store,
        resolve_period(fiscal_year=fy),
        weights=cfg.weights_kg,
        emissions=cfg.emissions,
        lang="en",
    )
    months = re.search(r'<figure class="chart" id="chart-months">(.*?)</figure>', page, re.S)
    assert months and "<title" in months[1] and "by month" in months[1]
    month = today.strftime("%b")[:3]
    row = next(m for m in r.months if m["month"] == today.strftime("%Y-%m"))
    assert f"{month} {today:%Y}: received {row['received']}, issued {row['issued']}" in months[1]
    communities = re.search(r'id="chart-communities">(.*?)</figure>', page, re.S)
    assert communities
    iq = next(x for x in r.breakdowns["community"] if x["key"] == "Iqaluit")
    assert f"Iqaluit: received {iq['received']}, issued {iq['issued']}" in communities[1]
    values = re.findall(r'<text class="value"[^>]*>(\d+)</text>', communities[1])
    assert values == [str(iq["received"]), str(iq["issued"])]  # the numbers, as text
    assert "<script" not in months[1]
    # the recent activity says who did what, when
    feed = re.search(r'<table class="feed">(.*?)</table>', page, re.S)
    assert feed and tags[0] in feed[1] and "P-0042" in feed[1] and ">lead<" in feed[1]


def test_a_participants_devices(store: Any) -> None:
    tags = shop(store, 2)
    for t in tags:
        _wipe(store, t)
        lifecycle.move(store, t, "ready", actor="lead", note=None, station="RF")
    lifecycle.issue(store, tags[0], "P-0042", actor="lead", note=None, station="RF")
    lifecycle.return_(store, tags[0], actor="lead", note=None, station="RF")
    lifecycle.issue(store, tags[1], "P-0042", actor="lead", note=None, station="RF")
    c = client(store, "manager")
    listing = c.get("/participants").text
    assert 'href="/participants/P-0042"' in listing
    page = c.get("/participants/P-0042")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="held-(\w+)"><td><a href="/devices/(RF-\w+)"', page.text)
    assert rows == [("yes", tags[1]), ("no", tags[0])]
    assert c.get("/participants/P-NOBODY").status_code == 404
    assert client(store, "trainee").get("/participants/P-0042").status_code == 403


def test_trainees_activity_is_printable_evidence(store: Any) -> None:
    tags = shop(store, 2)
    _wipe(store, tags[0], who="trainee-07")
    lifecycle.move(store, tags[0], "ready", actor="trainee-07", note=None, station="RF")
    c = client(store, "lead")
    page = c.get("/trainees")
    assert page.status_code == 200
    row = re.search(r'<tr data-operator="trainee-07">(.*?)</tr>', page.text, re.S)
    assert row
    numbers = re.findall(r'<td class="num">(\d+)</td>', row[1])
    # diagnosed (the two intakes), wipes, verifications, repairs, made ready, issued
    assert numbers == ["2", "1", "0", "0", "1", "0"]
    one = c.get("/trainees/trainee-07")
    assert one.status_code == 200 and "print-only" in one.text
    assert 'id="evidence"' in one.text and "trainee-07" in one.text
    css = c.get("/static/style.css").text
    assert "@media print" in css
    assert client(store, "trainee").get("/trainees").status_code == 403
    assert c.get("/trainees?fiscal_year=abc").status_code == 400


def test_csrf_still_guards_the_pages(store: Any) -> None:
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    token = csrf_of(c.get(f"/devices/{tag}").text)
    assert c.post(f"/devices/{tag}/repairing", data={"csrf": token + "x"}).status_code == 403


def test_the_reports_page_draws_the_same_charts(store: Any) -> None:
    shop(store, 2)
    page = client(store, "manager").get("/reports").text
    assert 'id="chart-months"' in page and 'id="chart-communities"' in page
    assert "Iqaluit: received 2, issued 0" in page


def test_figures_without_months_are_the_same_figures(store: Any) -> None:
    from refurb.config import load_config
    from refurb.reports.periods import resolve_period
    from refurb.store.reporting import tally

    tags = shop(store, 3)
    _wipe(store, tags[0])
    lifecycle.move(store, tags[0], "ready", actor="lead", note=None, station="RF")
    lifecycle.issue(store, tags[0], "P-0042", actor="lead", note=None, station="RF")
    cfg = load_config()
    kw: dict[str, Any] = dict(weights=cfg.weights_kg, emissions=cfg.emissions)
    with store.reading() as s:
        full = tally(s, resolve_period(), **kw)
        tiles = tally(s, resolve_period(), months=False, **kw)
    assert tiles.months == [] and full.months
    assert tiles.totals == full.totals and tiles.breakdowns == full.breakdowns
    assert tiles.statuses == full.statuses


def test_facets_past_their_budget_say_so_and_leave_the_read_usable(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select, text

    from refurb.store import overview as store_overview
    from refurb.web import pages

    shop(store, 2)
    slow = (
        text("SELECT pg_sleep(0.5)")
        if store.dialect == "postgresql"
        else select(func.count()).select_from(text("devices a, devices b, devices c, devices d"))
    )
    with store.reading() as s:
        if store.dialect == "sqlite":  # make the cross join long enough to interrupt
            from refurb.app import accounts

            for i in range(40):
                accounts.add_user(store, f"u{i}", "trainee", "a-long-password")
            # 44**6 rows: far past any budget on any machine; only the interrupt ends it
            slow = select(func.count()).select_from(
                text("users a, users b, users c, users d, users e, users f")
            )
        assert store_overview._within(s, slow, 0.05) is None
        assert store_overview._within(s, select(func.count()).select_from(text("devices")), 5)
    monkeypatch.setattr(pages, "FACET_BUDGET_MS", 0)
    page = client(store, "trainee").get("/devices/facets")
    assert page.status_code == 200 and 'id="facets-not-counted"' in page.text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_years_month_labels_do_not_overlap(lang: str) -> None:
    """Twelve months under a fiscal year's bars: where "Apr 2026" is wider than its slot,
    the month stands alone and the year goes under the first month of each year."""
    import itertools

    from refurb.web import charts

    months = [f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)]
    words = {
        "en": ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"),
        "fr": ("avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.", "janv.",
               "févr.", "mars"),
    }[lang]  # fmt: skip
    names = [f"{w} {2026 if i < 9 else 2027}" for i, w in enumerate(words)]
    chart = charts.by_month("m", "t", months, names, ("a", "b"), [(1, 2)] * 12, lang=lang)
    rows: dict[float, list[tuple[float, float]]] = {}
    for label in chart.labels:
        half = len(label.text) * charts.CHAR_W / 2
        rows.setdefault(label.y, []).append((label.x - half, label.x + half))
        assert 0 <= label.y <= chart.height
    for spans in rows.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, f"axis labels overlap: {spans}"
    years = [label.text for label in chart.labels if label.text.isdigit()]
    assert years == ["2026", "2027"]
