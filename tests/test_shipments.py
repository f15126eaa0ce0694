"""Downstream shipments through the CLI, on SQLite and PostgreSQL: recyclers, a shipment
from open to closed, its weight in the funder report (both report paths and the kept
tallies), refusals that write nothing, the shipping document decoded back, and bundles
carrying shipments to a hub."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from refurb.store import tallies
from refurb.store.db import open_store
from tests.test_reports import _pdf_text
from tests.test_rulebook_cli import KEY, Capsys, Shop

RECYCLER = "Nunavut E-Waste Ltd."
TODAY = date.today()
SHIPPED = (TODAY - timedelta(days=10)).isoformat()
RECEIVED = (TODAY - timedelta(days=3)).isoformat()


class Station(Shop):
    """A shop at any database URL (Shop's helpers, no SQLite-only ones)."""

    def __init__(self, url: str, tmp: Path, capsys: Capsys, mp: pytest.MonkeyPatch, name: str):
        super().__init__(tmp / f"{name}.db", capsys, mp, station=name)
        self.db = url

    def js(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def failed(self, code: int, *args: str) -> str:
        """A command that must fail with ``code`` and a one-line message (the usual
        '->' line with what to do may follow); returns the message."""
        got, out, err = self.run(*args)
        assert got == code, (args, got, out, err)
        lines = err.strip().splitlines()
        assert lines[0].startswith("error: "), err
        assert all(line.startswith("  -> ") for line in lines[1:]), err
        return lines[0]

    def state(self, *tags: str) -> Any:
        """Everything a refused command must leave as it was."""
        return (
            self.js("ship", "list"),
            self.js("recycler", "list"),
            [self.record(t) for t in tags],
        )

    def totals(self, *period: str) -> dict[str, Any]:
        totals: dict[str, Any] = json.loads(self.ok("report", "--json", *period))["totals"]
        return totals

    def tallies_exact(self) -> None:
        store = open_store(self.db)
        try:
            with store.reading() as s:
                assert tallies.differences(s.connection()) == []
        finally:
            store.dispose()


def station(
    db_url: str, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, name: str = "KU"
) -> Station:
    return Station(db_url, tmp_path, capsys, monkeypatch, name)


@pytest.fixture
def shop(db_url: str, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> Station:
    return station(db_url, tmp_path, capsys, monkeypatch)


def laptops(shop: Station, n: int, prefix: str = "PF-SHIP") -> list[str]:
    return [shop.put_in(f"l{i}", serial=f"{prefix}-{i:02d}", uuid_=None) for i in range(n)]


def opened(shop: Station, code: str = "SH-1") -> None:
    shop.ok(
        "recycler",
        "add",
        RECYCLER,
        "--address",
        "1 Federal Road, Iqaluit NU X0A 0H0",
        "--certification",
        "R2v3",
    )
    shop.ok("ship", "new", code, "--to", RECYCLER, "--date", SHIPPED, "--bol", "BOL-7781")


def both_paths(shop: Station) -> dict[str, Any]:
    """The all-time report (the kept tallies) and the same figures counted from the events
    (a period not on month boundaries); they must agree."""
    kept = shop.totals()
    counted = shop.totals("--since", "2000-01-02", "--until", (TODAY + timedelta(3)).isoformat())
    for key in ("recycled", "diverted", "diverted_kg", "diverted_kg_estimated"):
        assert kept[key] == counted[key], key
    shop.tallies_exact()
    return kept


# --- a shipment's life ---------------------------------------------------------------


def test_a_shipment_from_open_to_closed_reaches_the_report(shop: Station) -> None:
    tags = laptops(shop, 4)
    opened(shop)
    assert shop.js("recycler", "list") == [
        {
            "name": RECYCLER,
            "address": "1 Federal Road, Iqaluit NU X0A 0H0",
            "certification": "R2v3",
        }
    ]
    before = both_paths(shop)
    assert before["recycled"] == 0

    added = shop.js("ship", "add", "SH-1", *tags[:3], tags[0])  # a tag typed twice: once
    assert added == {"shipment": "SH-1", "devices": sorted(tags[:3], key=tags.index)}
    for tag in tags[:3]:
        doc = shop.show(tag)
        assert doc["status"] == "recycled"
        assert doc["events"][-1]["note"] == f"shipment SH-1 to {RECYCLER}"
    assert shop.show(tags[3])["status"] != "recycled"
    [row] = shop.js("ship", "list")
    assert row["devices"] == 3 and row["status"] == "open" and row["bol"] == "BOL-7781"

    # open: the chassis default (2 kg a laptop), estimated
    open_totals = both_paths(shop)
    assert open_totals["recycled"] == 3
    assert open_totals["diverted_kg"] == open_totals["diverted_kg_estimated"] == 6.0

    out = shop.ok(
        "ship", "close", "SH-1", "--weight", "6.1", "--certificate", "C-88", "--received", RECEIVED
    )
    assert "closed" in out
    closed = both_paths(shop)
    assert closed["recycled"] == 3
    assert closed["diverted_kg"] == 6.1 and closed["diverted_kg_estimated"] == 0.0
    shop.verified()

    doc = shop.js("ship", "show", "SH-1")
    assert doc["status"] == "closed" and doc["weight_kg"] == 6.1
    assert doc["certificate"] == "C-88" and doc["received_on"] == RECEIVED
    assert doc["recycler"]["certification"] == "R2v3"
    assert sorted(i["tag"] for i in doc["items"]) == sorted(tags[:3])
    # the recycler's weight, spread evenly to the gram: the shares add up exactly
    shares = sorted(i["share_kg"] for i in doc["items"])
    assert shares == [2.033, 2.033, 2.034] and round(sum(shares), 3) == 6.1
    assert doc["totals"] == {
        "devices": 3,
        "kg": 6.0,
        "measured_kg": 0.0,
        "estimated_kg": 6.0,
        "recycler_kg": 6.1,
    }
    # the devices behind the figure carry the same weights
    behind = json.loads(shop.ok("report", "--devices", "recycled", "--json"))
    assert sorted(d["weight_kg"] for d in behind) == shares


# --- bad input: one line, a documented exit code, nothing written --------------------


def test_refusals_write_nothing(shop: Station) -> None:
    ready, issued, other = laptops(shop, 3)
    shop.ready(ready)
    shop.issued(issued)
    opened(shop)
    shop.ok("ship", "new", "SH-2", "--to", RECYCLER, "--date", SHIPPED)
    shop.ok("ship", "add", "SH-2", other)
    state = shop.state(ready, issued, other)

    # unknown recycler, shipment, tag: 5
    assert "no recycler 'Nobody'" in shop.failed(
        5, "ship", "new", "SH-9", "--to", "Nobody", "--date", SHIPPED
    )
    assert "no shipment 'SH-9'" in shop.failed(5, "ship", "add", "SH-9", ready)
    # all or none: the ready device is not recycled when the issued one is refused
    message = shop.failed(6, "ship", "add", "SH-1", ready, issued)
    assert f"{issued} is issued; it cannot become recycled" in message
    assert "nothing was added to shipment SH-1" in message
    message = shop.failed(6, "ship", "add", "SH-1", ready, other)
    assert f"{other} is already in shipment SH-2" in message
    assert shop.state(ready, issued, other) == state

    # weights that are no weights, or not plausible, and dates out of order: 3
    for weight in ("0", "-2", "inf", "-inf", "nan"):
        message = shop.failed(
            3,
            "ship",
            "close",
            "SH-2",
            "--weight",
            weight,
            "--certificate",
            "C-1",
            "--received",
            RECEIVED,
        )
        assert "must be at least 0.01 kg" in message, weight
    for weight, words in (
        ("90000", "more than a full truck"),
        ("0.05", "kg a device"),
        ("400", "kg a device"),
    ):
        message = shop.failed(
            3,
            "ship",
            "close",
            "SH-2",
            "--weight",
            weight,
            "--certificate",
            "C-1",
            "--received",
            RECEIVED,
        )
        assert words in message, weight
    early = (TODAY - timedelta(days=20)).isoformat()
    message = shop.failed(
        3, "ship", "close", "SH-2", "--weight", "2", "--certificate", "C-1", "--received", early
    )
    assert f"received {early} is before shipment SH-2 was shipped ({SHIPPED})" in message
    future = (TODAY + timedelta(days=5)).isoformat()
    assert "in the future" in shop.failed(
        3, "ship", "close", "SH-2", "--weight", "2", "--certificate", "C-1", "--received", future
    )
    assert "in the future" in shop.failed(
        3, "ship", "new", "SH-3", "--to", RECYCLER, "--date", future
    )
    # an empty shipment cannot be closed (its weight would reach no device)
    assert "holds no devices" in shop.failed(
        6, "ship", "close", "SH-1", "--weight", "2", "--certificate", "C-1", "--received", RECEIVED
    )
    # the same recycler or shipment twice: 6
    assert "already exists" in shop.failed(6, "recycler", "add", RECYCLER.upper())
    assert "already exists" in shop.failed(
        6, "ship", "new", "SH-2", "--to", RECYCLER, "--date", SHIPPED
    )
    assert shop.state(ready, issued, other) == state

    # closed: it takes no more devices, and is not closed twice
    shop.ok(
        "ship", "close", "SH-2", "--weight", "2.2", "--certificate", "C-1", "--received", RECEIVED
    )
    state = shop.state(ready, issued, other)
    message = shop.failed(6, "ship", "add", "SH-2", ready)
    assert "shipment SH-2 is closed" in message and "cannot take more devices" in message
    assert "already closed" in shop.failed(
        6, "ship", "close", "SH-2", "--weight", "3", "--certificate", "C-2", "--received", RECEIVED
    )
    assert shop.state(ready, issued, other) == state
    shop.verified()
    shop.tallies_exact()


# --- the shipping document ------------------------------------------------------------


def test_the_shipping_document_reads_back(shop: Station, tmp_path: Path) -> None:
    tags = laptops(shop, 3)
    opened(shop)
    shop.ok("ship", "add", "SH-1", *tags)
    open_pdf = tmp_path / "open.pdf"
    shop.ok("ship", "show", "SH-1", "--pdf", str(open_pdf))
    text = " ".join(_pdf_text(open_pdf.read_bytes()).split())
    for expected in (*tags, "PF-SHIP-00", RECYCLER, "R2v3", "BOL-7781", SHIPPED, "Shipper"):
        assert expected in text, expected
    assert "6.00 kg (of which estimated 6.00 kg)" in text
    assert "Recycler's weight" not in text  # not closed yet

    shop.ok(
        "ship", "close", "SH-1", "--weight", "6.1", "--certificate", "C-88", "--received", RECEIVED
    )
    en, fr = tmp_path / "en.pdf", tmp_path / "fr.pdf"
    shop.ok("ship", "show", "SH-1", "--pdf", str(en))
    shop.ok("ship", "show", "SH-1", "--pdf", str(fr), "--lang", "fr")
    text = " ".join(_pdf_text(en.read_bytes()).split())
    for expected in (
        "Recycler's weight: 6.10 kg",
        "C-88",
        RECEIVED,
        "2.034",
        "Receiver (recycler)",
    ):
        assert expected in text, expected
    text = " ".join(_pdf_text(fr.read_bytes()).split())
    for expected in (
        *tags,
        "Connaissement",
        "6,10 kg",
        "dont estimé 6,00 kg",
        "Expéditeur",
        "2,034",
    ):
        assert expected in text, expected


# --- bundles carry shipments to the hub -----------------------------------------------


def test_bundles_carry_shipments_to_a_hub(
    db_url: str, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = station(db_url, tmp_path, capsys, monkeypatch, "HUB")
    ku = station(f"sqlite:///{tmp_path / 'ku.db'}", tmp_path, capsys, monkeypatch, "KU")
    tags = laptops(ku, 3)
    opened(ku)
    ku.ok("ship", "add", "SH-1", *tags[:2])
    hub.ok("import", str(ku.export(tmp_path / "first.refurb")))
    assert hub.js("ship", "show", "SH-1") == ku.js("ship", "show", "SH-1")
    assert both_paths(hub)["diverted_kg_estimated"] == 4.0
    hub.verified()

    # closed after the first export: a bundle of what changed since carries the close
    ku.ok("ship", "close", "SH-1", "--weight", "5", "--certificate", "C-7", "--received", RECEIVED)
    monkeypatch.setenv("REFURB_PROGRAM_KEY", KEY)
    ku.ok("export", "--out", str(tmp_path / "since.refurb"), "--since", TODAY.isoformat())
    hub.ok("import", str(tmp_path / "since.refurb"))
    hub.ok("import", str(tmp_path / "first.refurb"))  # again, and out of order: no change
    assert hub.js("ship", "show", "SH-1") == ku.js("ship", "show", "SH-1")
    assert hub.js("ship", "list") == ku.js("ship", "list")
    kept = both_paths(hub)
    assert kept["diverted_kg"] == 5.0 and kept["diverted_kg_estimated"] == 0.0
    hub.verified()

    # another station's shipment SH-1 with other facts: refused whole, both named
    rs = station(f"sqlite:///{tmp_path / 'rs.db'}", tmp_path, capsys, monkeypatch, "RS")
    [lone] = laptops(rs, 1, prefix="PF-RS")
    rs.ok("recycler", "add", RECYCLER, "--certification", "R2v3")  # no address: filled in
    early = (TODAY - timedelta(days=12)).isoformat()
    rs.ok("ship", "new", "SH-1", "--to", RECYCLER, "--date", early)
    rs.ok("ship", "add", "SH-1", lone)
    before = hub.js("ship", "list"), hub.js("recycler", "list"), hub.totals()
    message = hub.failed(6, "import", str(rs.export(tmp_path / "rs.refurb")))
    assert "shipment SH-1 is already here with other facts" in message
    assert f"shipped_on {SHIPPED} here, {early} in the bundle" in message
    assert (hub.js("ship", "list"), hub.js("recycler", "list"), hub.totals()) == before
    hub.failed(5, "show", lone)

    # a recycler of the same name with another certification: refused too
    rs.ok("recycler", "add", "Arctic Metals", "--certification", "e-Stewards")
    hub.ok("recycler", "add", "Arctic Metals", "--certification", "R2v3")
    message = hub.failed(6, "import", str(rs.export(tmp_path / "rs2.refurb")))
    assert "recycler Arctic Metals is already here with other facts" in message
    assert "certification R2v3 here, e-Stewards in the bundle" in message
    hub.verified()
    hub.tallies_exact()
