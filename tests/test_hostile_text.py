"""Hostile text from a donor form, a trainee's keyboard or a forged snapshot, carried
through every place refurb stores and shows it: the database, the terminal, CSV, JSON,
the report and certificate PDFs, and the labels."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_probe_live_and_bad_input import run_cli

T480 = str(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")

DONOR = '=HYPERLINK("http://x","y")<b>&amp;</b>'
COMMUNITY = "Iqaluit'; DROP TABLE devices;--"
SITE = "Shop\x07\x1b[31mRED"  # a bell and a terminal colour escape
OPERATOR = "<font size=80>BIG</font>\x1b[2J"  # reportlab markup, clear-screen escape
TOOL = "nv\x1b[1mme</para>"
VERIFIER = "Ω" * 300  # long, not ASCII
NOTE = "💻 مرحبا \u202eevil"  # emoji, right-to-left text, a direction override
PARTICIPANT = "P-1"  # a code cannot hold quotes (P-"1" is refused: the alphabet of codes)
MONTH = datetime.now(UTC).strftime("%Y-%m")  # the events are recorded now


def _pdf_text(path: Path) -> str:
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -e '.[test]'")
    doc = pdfium.PdfDocument(str(path))
    try:
        for page in doc:  # every page renders
            page.render(scale=0.5).to_pil()
        text = "\n".join(page.get_textpage().get_text_range() for page in doc)
        return unicodedata.normalize("NFKC", text)  # pdfium reads Greek Omega as the Ohm sign
    finally:
        doc.close()


def test_hostile_text_is_stored_cleanly_and_shown_safely_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "h.db")]

    def ok(*args: str) -> str:
        code, out, err = run_cli([*args, *db], capsys)
        assert code == 0, (args, err)
        assert "\x1b" not in out + err and "\x07" not in out + err, args
        return out

    ok("lot", "add", "L-X", "--donor", DONOR, "--date", "2026-11-02", "--community", COMMUNITY)
    ok("lot", "add", "L-Y", "--donor", "Other", "--date", "2026-11-02", "--site", SITE)
    tag = json.loads(
        ok("intake", "--replay", T480, "--lot", "L-X", "--operator", OPERATOR, "--json")
    )["intake"]["tag"]
    ok(
        "wipe",
        tag,
        "--level",
        "purge",
        "--method",
        "block-erase",
        "--tool",
        TOOL,
        "--tool-version",
        '"1"',
        "--verify",
        "read-back",
        "--result",
        "pass",
        "--verified-by",
        VERIFIER,
        "--note",
        NOTE,
    )
    code, _, err = run_cli(["participant", "add", 'P-"1"', *db], capsys)
    assert code == 3 and "does not use" in err, err
    ok("participant", "add", PARTICIPANT + "\x1b")
    # the same code without the invisible escape is the same participant, not a look-alike
    code, _, err = run_cli(["participant", "add", PARTICIPANT, *db], capsys)
    assert code != 0 and "already exists" in err
    ok("status", tag, "ready")
    ok("issue", tag, "--to", PARTICIPANT, "--note", NOTE)

    with sqlite3.connect(tmp_path / "h.db") as conn:
        stored = [
            v
            for table, cols in (
                ("lots", "donor, community, site"),
                ("events", "actor, note"),
                ("sanitizations", "tool, tool_version, verified_by, notes"),
                ("participants", "code"),
            )
            for row in conn.execute(f"SELECT {cols} FROM {table}")
            for v in row
            if v
        ]
        assert conn.execute("SELECT count(*) FROM devices").fetchone()[0] == 1  # not dropped
    assert DONOR in stored and COMMUNITY in stored and PARTICIPANT in stored
    assert "Shop [31mRED" in stored and VERIFIER in stored  # escapes gone, text kept
    assert not any(ch in v for v in stored for ch in "\x1b\x07\x00")

    shown = ok("show", tag)
    assert COMMUNITY in shown
    table = ok("report", "--month", MONTH)
    assert "DROP TABLE" in table
    # CSV: no cell a spreadsheet would run as a formula
    cells = [
        c for row in csv.reader(io.StringIO(ok("report", "--month", MONTH, "--csv"))) for c in row
    ]
    assert not any(c[:1] in ("=", "+", "-", "@") and not c[1:2].isdigit() for c in cells if c)
    assert "'" + DONOR in cells
    # JSON: the exact text, for tools
    doc = json.loads(ok("report", "--month", MONTH, "--json"))
    assert [r["key"] for r in doc["breakdowns"]["donor"]] == [DONOR]
    assert doc["totals"]["issued"] == 1 and doc["totals"]["participants"] == 1

    for lang in ("en", "fr"):
        pdf = tmp_path / f"report-{lang}.pdf"
        ok("report", "--month", MONTH, "--pdf", str(pdf), "--lang", lang)
        text = _pdf_text(pdf)
        assert "<b>&amp;</b>" in text  # shown as typed, not read as markup
        assert "DROP TABLE" in text
    cert = tmp_path / "cert.pdf"
    ok("certificate", "--lot", "L-X", "--pdf", str(cert))
    text = _pdf_text(cert)
    assert "</para>" in text  # markup shown as text
    assert "ΩΩΩ" in text  # the long name kept
    assert "\x1b" not in text
    label = tmp_path / "label.pdf"
    ok("label", tag, "--out", str(label))
    assert tag in _pdf_text(label)


def test_an_overlong_argument_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "h.db")]
    code, _, err = run_cli(
        ["lot", "add", "L-1", "--donor", "x" * 5000, "--date", "2026-11-02", *db], capsys
    )
    assert code == 3 and "--donor is 5,000 characters long" in err
    code, _, err = run_cli(["lot", "list", "--json", *db], capsys)
    assert code == 4 and "does not exist" in err  # not even an empty inventory


def test_a_community_in_syllabics_prints_in_the_pdfs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Iqaluit in Inuktitut syllabics: Helvetica has no such glyphs, so the PDFs take a
    font that has them (DejaVu Sans here) instead of printing empty boxes."""
    from refurb.fonts import fonts_for

    syllabics = "ᐃᖃᓗᐃᑦ"
    if fonts_for([syllabics]).missing:
        pytest.skip("no installed font has syllabics (apt-get install fonts-dejavu-core)")
    db = ["--db", str(tmp_path / "s.db")]
    args = ["lot", "add", "L-S", "--donor", "Nunavut Arctic College", "--date", "2026-11-02"]
    assert run_cli([*args, "--community", syllabics, *db], capsys)[0] == 0
    assert run_cli(["intake", "--replay", T480, "--lot", "L-S", *db], capsys)[0] == 0
    for lang in ("en", "fr"):
        pdf = tmp_path / f"r-{lang}.pdf"
        argv = ["report", "--month", MONTH, "--pdf", str(pdf), "--lang", lang, *db]
        assert run_cli(argv, capsys)[0] == 0
        text = _pdf_text(pdf)
        assert syllabics in text and "■" not in text
    cert = tmp_path / "c.pdf"
    code, _, _ = run_cli(["certificate", "--lot", "L-S", "--pdf", str(cert), *db], capsys)
    assert code == 6  # the drive has no record yet: the certificate says so, in full
    assert "Nunavut Arctic College" in _pdf_text(cert)


def test_without_a_font_for_the_text_the_report_says_what_it_could_not_show() -> None:
    from refurb.fonts import fonts_for

    plain = fonts_for(["Iqaluit", "Montréal — « café »"])
    assert plain.regular == "Helvetica" and plain.missing == ""  # Western text: unchanged
    private = "\U000f0000"  # a private-use character: no font has it
    none = fonts_for(["Iqaluit", private])
    assert none.regular == "Helvetica" and none.missing == private


def test_a_trainee_named_in_syllabics_prints_on_the_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from refurb.fonts import fonts_for

    name = "ᐊᓯ"
    if fonts_for([name]).missing:
        pytest.skip("no installed font has syllabics (apt-get install fonts-dejavu-core)")
    db = ["--db", str(tmp_path / "l.db")]
    code, out, _ = run_cli(["intake", "--replay", T480, "--operator", name, "--json", *db], capsys)
    assert code == 0
    tag = json.loads(out)["intake"]["tag"]
    label = tmp_path / "label.pdf"
    assert (
        run_cli(["label", tag, "--out", str(label), "--stock", "dymo-30252", *db], capsys)[0] == 0
    )
    text = _pdf_text(label)
    assert name in text and "■" not in text and tag in text
