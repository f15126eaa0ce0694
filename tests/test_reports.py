"""Funder figures checked device by device on a program of a few thousand devices with
known histories, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from refurb.config import DEFAULT_EMISSIONS
from refurb.reports.model import MEASURES, Report
from refurb.reports.periods import resolve_period
from refurb.store import tallies
from refurb.store.db import Store, open_store
from refurb.store.reporting import devices_behind, tally, tally_from_events, tally_from_tallies
from tests import program
from tests.test_probe_live_and_bad_input import run_cli

PROGRAM = program.build(3000)
PERIODS = [
    resolve_period(fiscal_year=2025),
    resolve_period(month="2025-07"),
    resolve_period(quarter="2026-Q1"),
    resolve_period(since=date(2024, 1, 1), until=date(2027, 1, 1)),
    # not whole months: counted from the events, not the tallies
    resolve_period(since=date(2025, 3, 15), until=date(2025, 11, 20)),
]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    program.write(s, PROGRAM)
    yield s
    s.dispose()


def test_every_figure_and_breakdown_is_exact(store: Store) -> None:
    for period in PERIODS:
        want = program.expected(PROGRAM, period)
        with store.reading() as s:
            report = tally(s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS)
        got = report.totals
        assert set(got) == set(MEASURES)
        for measure in (
            "received",
            "refurbished",
            "issued",
            "issued_laptops",
            "issued_other",
            "returned",
            "harvested",
            "recycled",
            "diverted",
            "participants",
            "in_process",
            "parts_reused",
        ):
            assert got[measure] == want["totals"].get(measure, 0), (period.label, measure)
        for measure in ("diverted_kg", "diverted_kg_estimated"):
            assert got[measure] == pytest.approx(want["totals"].get(measure, 0), abs=0.01)
        # the default factor is for laptops; the program's desktops have none
        assert got["avoided_kg_co2e"] == pytest.approx(got["issued_laptops"] * 225.0)
        assert report.factors["issued_without_factor"] == (
            {"desktop": got["issued_other"]} if got["issued_other"] else {}
        )
        home = {r["key"]: r["participants"] for r in report.breakdowns["participant_community"]}
        assert home == want["served_home"], period.label
        for dim in ("community", "lot", "donor", "site"):
            rows = {r["key"]: r for r in report.breakdowns[dim]}
            assert set(rows) == set(want["by"][dim]), (period.label, dim)
            for key, figures in want["by"][dim].items():
                for measure, value in figures.items():
                    assert rows[key][measure] == pytest.approx(value, abs=0.01), (
                        period.label,
                        dim,
                        key,
                        measure,
                    )
                assert rows[key]["participants"] == len(want["served"][dim][key])
        months = {m["month"]: m for m in report.months}
        assert set(months) == set(want["months"])
        for month, figures in want["months"].items():
            for measure, value in figures.items():
                assert months[month][measure] == value
        # the months add up to the period
        for measure in ("received", "issued", "diverted"):
            assert sum(m[measure] for m in report.months) == got[measure]


def test_a_device_issued_twice_counts_once(store: Store) -> None:
    period = PERIODS[3]  # 2024 to 2026, the whole program
    twice = [d for d in PROGRAM.devices if sum(s == "issued" for _, s, _ in d.events) == 2]
    assert twice, "the program has re-issued laptops"
    with store.reading() as s:
        listed = devices_behind(s, period, "issued", {})
        report = tally(s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS)
    tags = [r["tag"] for r in listed]
    assert len(tags) == len(set(tags)) == report.totals["issued"]
    assert {d.tag for d in twice} <= set(tags)


def test_devices_behind_each_figure_add_up(store: Store) -> None:
    period = PERIODS[0]
    with store.reading() as s:
        report = tally(s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS)
        for measure in ("received", "refurbished", "issued", "harvested", "recycled", "diverted"):
            assert len(devices_behind(s, period, measure, {})) == report.totals[measure]
        for row in report.breakdowns["community"]:
            listed = devices_behind(s, period, "diverted", {"community": row["key"]})
            assert len(listed) == row["diverted"]
            kg = sum(
                r["weight_kg"]
                or program.WEIGHTS[next(d.chassis for d in PROGRAM.devices if d.tag == r["tag"])]
                for r in listed
            )
            assert kg == pytest.approx(row["diverted_kg"], abs=0.01)


def _pdf_text(pdf: bytes) -> str:
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -e '.[test]'")
    doc = pdfium.PdfDocument(pdf)
    text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    return text


def test_report_command_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "program.db"
    store = open_store(str(db))
    program.write(store, PROGRAM)
    store.dispose()
    args = ["report", "--fiscal-year", "2025", "--db", str(db)]
    want = program.expected(PROGRAM, PERIODS[0])["totals"]
    code, out, _ = run_cli([*args, "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["totals"]["issued"] == want["issued"]
    assert "EY for 3StepIT" in " ".join(doc["method"])
    code, out, _ = run_cli([*args, "--csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {
        "section": "total",
        "key": "",
        "measure": "received",
        "value": str(int(want["received"])),
    } in rows
    code, out, _ = run_cli(args, capsys)
    assert f"{int(want['received']):,}" in out and "Diverted from landfill" in out
    pdf = tmp_path / "fr.pdf"
    code, _, _ = run_cli([*args, "--lang", "fr", "--pdf", str(pdf)], capsys)
    text = _pdf_text(pdf.read_bytes())
    assert "Appareils remis aux participants" in text and "Par communauté" in text
    assert "dont portables" in text and "communauté de résidence" in text
    # French thousands separator (a no-break space; pdfium extracts it as a space)
    assert f"{int(want['received']):,}".replace(",", " ") in text.replace("\u00a0", " ")
    assert "225" in text and "EY for 3StepIT" in text  # factor and source beside the figure
    assert "avril 25" in text.lower() or "avr" in text.lower()  # French month names


def test_report_pdf_looks_like_a_report(tmp_path: Path) -> None:
    """Render the first page and look at it: a title band of text, then two bar charts."""
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -e '.[test]'")
    from refurb.reports.pdf import render_pdf

    store = open_store(str(tmp_path / "p.db"))
    program.write(store, PROGRAM)
    with store.reading() as s:
        report = tally(s, PERIODS[0], weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS)
    store.dispose()
    doc = pdfium.PdfDocument(render_pdf(report))
    image = doc[0].render(scale=1).to_pil().convert("RGB")
    doc.close()
    image.save(tmp_path / "page1.png")
    colours = image.getcolors(maxcolors=1 << 16) or []
    # the chart bars are filled in the palette's blue, orange and green
    counts = {rgb: n for n, rgb in colours}
    for bar in ((0x1B, 0x6C, 0xA8), (0xE0, 0x8E, 0x0B), (0x3A, 0x9D, 0x5D)):
        assert counts.get(bar, 0) > 500, bar


def test_devices_behind_a_figure_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "program.db"
    store = open_store(str(db))
    program.write(store, PROGRAM)
    store.dispose()
    want = program.expected(PROGRAM, PERIODS[1])
    code, out, _ = run_cli(
        [
            "report",
            "--month",
            "2025-07",
            "--devices",
            "diverted",
            "--community",
            "Iqaluit",
            "--json",
            "--redact-serials",
            "--db",
            str(db),
        ],
        capsys,
    )
    rows = json.loads(out)
    assert code == 0
    assert len(rows) == want["by"]["community"]["Iqaluit"]["diverted"]
    assert all(r["serial"] is None and r["community"] == "Iqaluit" for r in rows)
    code, _, err = run_cli(["report", "--devices", "everything", "--db", str(db)], capsys)
    assert code == 2 and "choose one of" in err
    code, _, err = run_cli(["report", "--month", "2025-13", "--db", str(db)], capsys)
    assert code == 3 and "YYYY-MM" in err


def test_operators_and_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(tmp_path / "x.db")]
    capture = str(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")
    assert (
        run_cli(
            [
                "lot",
                "add",
                "L-9",
                "--donor",
                "Hamlet",
                "--date",
                "2026-11-01",
                "--community",
                "Arviat",
                *db,
            ],
            capsys,
        )[0]
        == 0
    )
    tag = json.loads(
        run_cli(
            [
                "intake",
                "--replay",
                capture,
                "--lot",
                "L-9",
                "--operator",
                "trainee-03",
                "--json",
                *db,
            ],
            capsys,
        )[1]
    )["intake"]["tag"]
    code, out, _ = run_cli(["certificate", "--lot", "L-9", *db], capsys)
    assert code == 6 and json.loads(out)["drives"][0]["records"] == []
    assert (
        run_cli(
            [
                "wipe",
                tag,
                "--level",
                "purge",
                "--method",
                "block-erase",
                "--tool",
                "nvme-cli",
                "--tool-version",
                "2.4",
                "--verify",
                "sample read-back",
                "--result",
                "pass",
                "--verified-by",
                "lead-01",
                "--operator",
                "trainee-03",
                *db,
            ],
            capsys,
        )[0]
        == 0
    )
    pdf = tmp_path / "cert.pdf"
    code, out, _ = run_cli(
        ["certificate", "--lot", "L-9", "--json", "--pdf", str(pdf), *db], capsys
    )
    record = json.loads(out)["drives"][0]["records"][0]
    assert code == 0 and record["level"] == "purge" and record["verified_by"] == "lead-01"
    text = _pdf_text(pdf.read_bytes())
    assert "NIST SP 800-88 Rev. 2" in text and "S3TNNX0K123456" in text and tag in text
    code, out, _ = run_cli(["report", "--operators", "--json", *db], capsys)
    people = {r["operator"]: r for r in json.loads(out)}
    assert people["trainee-03"]["diagnostics"] == 1 and people["trainee-03"]["wipes"] == 1
    assert people["lead-01"]["verifications"] == 1


def _same(a: Report, b: Report) -> None:
    left, right = a.to_dict(), b.to_dict()
    left.pop("generated_at"), right.pop("generated_at")
    assert left == right


def test_the_tallies_give_the_figures_the_events_give(store: Store) -> None:
    """Every whole-month period a funder can ask for, read from the running tallies, equals
    the same report counted from the event log; and the tallies kept as the program was
    written equal tallies rebuilt from scratch."""
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
    periods = (
        [resolve_period(month=m) for m in months]
        + [resolve_period(quarter=f"{y}-Q{q}") for y in (2025, 2026) for q in (1, 2, 3, 4)]
        + [resolve_period(fiscal_year=y) for y in (2024, 2025, 2026)]
        + [resolve_period(today=date(2026, 11, 1))]
    )
    with store.reading() as s:
        assert tallies.differences(s.connection()) == []
        counted = 0
        for period in periods:
            kept = tally_from_tallies(
                s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS
            )
            _same(
                kept,
                tally_from_events(s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS),
            )
            counted += int(kept.totals["received"])
    assert counted > 3000  # the periods overlap; every device was received in one of them


def test_a_community_report_is_that_communitys_row_of_the_full_report(store: Store) -> None:
    """refurb report --community X: every figure of X's own report equals X's row in the
    full report's breakdown by community; the parts only counted in the community report
    (in process, statuses, parts reused) add up over the communities to the full report."""
    for period in PERIODS:
        with store.reading() as s:
            full = tally(s, period, weights=program.WEIGHTS, emissions=DEFAULT_EMISSIONS)
            rows = {r["key"]: r for r in full.breakdowns["community"]}
            of = {d.tag: PROGRAM.lots[d.lot]["community"] for d in PROGRAM.devices}
            communities = sorted({c for c in of.values() if c})
            assert set(rows) - {None} <= set(communities) and len(communities) > 1
            added: dict[str, float] = {}
            statuses: dict[str, int] = {}
            for community in communities:
                own = tally(
                    s,
                    period,
                    weights=program.WEIGHTS,
                    emissions=DEFAULT_EMISSIONS,
                    community=community,
                )
                assert own.community == community
                row = rows.get(community)
                for measure in (
                    "received",
                    "refurbished",
                    "issued",
                    "returned",
                    "harvested",
                    "recycled",
                    "diverted",
                    "participants",
                    "diverted_kg",
                    "diverted_kg_estimated",
                ):
                    want = row[measure] if row else 0
                    assert own.totals[measure] == pytest.approx(want, abs=0.001), (
                        period.label,
                        community,
                        measure,
                    )
                assert [r["key"] for r in own.breakdowns["community"]] == (
                    [community] if row else []
                )
                for measure in ("in_process", "parts_reused"):
                    added[measure] = added.get(measure, 0) + own.totals[measure]
                for status, n in own.statuses.items():
                    statuses[status] = statuses.get(status, 0) + n
                # the months of a community's report add up to its figures
                for measure in ("received", "issued", "diverted"):
                    assert sum(m[measure] for m in own.months) == own.totals[measure]
            if all(of.values()):
                assert added["in_process"] == full.totals["in_process"], period.label
                assert added["parts_reused"] == full.totals["parts_reused"], period.label
                assert statuses == full.statuses, period.label


def test_report_community_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "c.db")]
    caps = Path(__file__).parent / "captures"
    for code, community in (("L-A", "Iqaluit"), ("L-B", "Igloolik")):
        args = ["lot", "add", code, "--donor", "D", "--date", "2026-11-02"]
        assert run_cli([*args, "--community", community, *db], capsys)[0] == 0
    t480 = str(caps / "own-linux-lenovo-t480-handmade")
    mac = str(caps / "own-macos-macbookpro-ioreg-handmade")
    assert run_cli(["intake", "--replay", t480, "--lot", "L-A", *db], capsys)[0] == 0
    assert run_cli(["intake", "--replay", mac, "--lot", "L-B", *db], capsys)[0] == 0
    code, out, err = run_cli(["report", "--json", *db], capsys)
    assert code == 0 and json.loads(out)["totals"]["received"] == 2, err
    code, out, _ = run_cli(["report", "--json", "--community", "Iqaluit", *db], capsys)
    doc = json.loads(out)
    assert doc["community"] == "Iqaluit" and doc["totals"]["received"] == 1
    assert [r["key"] for r in doc["breakdowns"]["community"]] == ["Iqaluit"]
    code, out, _ = run_cli(["report", "--csv", "--community", "Igloolik", *db], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1] == ["filter", "community", "", "Igloolik"]
    assert ["total", "", "received", "1"] in rows
    assert not any(r[0] == "community" and r[1] == "Iqaluit" for r in rows)
    code, out, _ = run_cli(["report", "--community", "Igloolik", *db], capsys)
    assert "Community: Igloolik" in out
    pdf = tmp_path / "iqaluit.pdf"
    code, _, err = run_cli(["report", "--community", "Iqaluit", "--pdf", str(pdf), *db], capsys)
    assert code == 0, err
    assert "Iqaluit" in _pdf_text(pdf.read_bytes())
    assert "Igloolik" not in _pdf_text(pdf.read_bytes())
    code, out, _ = run_cli(["report", "--json", "--community", "Nowhere", *db], capsys)
    assert code == 0 and json.loads(out)["totals"]["received"] == 0
    code, _, err = run_cli(["report", "--lot", "L-A", *db], capsys)
    assert code == 2 and "only works with --devices" in err
