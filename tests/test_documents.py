"""Documents handed outside the shop, read back from the PDF: the funder report and the
donor's certificate carry the program's name, when they were made, lines to sign, French
typography, and claim nothing the records do not show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refurb.reports.i18n import period_label
from refurb.store.db import open_store
from tests import program
from tests.store_helpers import disk, laptop
from tests.test_probe_live_and_bad_input import run_cli
from tests.test_reports import _pdf_text

PROGRAM = program.build(300)


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (20, 90, 160)).save(logo)
    config = tmp_path / "config.toml"
    config.write_text(
        f'program_name = "Programme Numérique Nord"\nprogram_logo = "{logo}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("REFURB_CONFIG", str(config))
    return tmp_path


def test_period_labels_read_as_a_funder_reads_them() -> None:
    assert period_label("FY 2025-26", "en") == "Fiscal year 2025–2026"
    assert period_label("FY 2025-26", "fr") == "Exercice 2025-2026"
    assert period_label("2026-03", "fr") == "mars 2026"
    assert period_label("2026-Q1", "fr") == "T1 2026"
    assert period_label("2026-03-15 – 2026-04-01", "fr") == "2026-03-15 – 2026-04-01"


def test_the_funder_report_pdf(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = configured / "program.db"
    store = open_store(str(db))
    program.write(store, PROGRAM)
    store.dispose()
    pdf = configured / "rapport.pdf"
    args = ["report", "--fiscal-year", "2025", "--lang", "fr", "--pdf", str(pdf), "--db", str(db)]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    text = _pdf_text(pdf.read_bytes())
    assert "Programme Numérique Nord" in text
    assert "Exercice 2025-2026" in text and "FY 2025" not in text
    assert "avril 2025" in text  # months in full, not "avr 25"
    assert "refurb report" not in text  # no command syntax in a funder's document
    assert "Préparé par" in text and "Signature" in text and "Date" in text
    assert "Produit le" in text
    for english in ("issued", "harvested", "recycled", "desktop"):
        assert f" {english}" not in text.replace("\r\n", " "), english
    assert "remis" in text and "ordinateur de bureau" in text


def test_the_certificate_claims_only_what_the_records_show(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(configured / "shop.db")]
    run_cli(["lot", "add", "L-1", "--donor", "Banque", "--date", "2026-10-01", *db], capsys)
    snap = laptop(serial="C-1", uuid_=None, disks=[disk("sda", "S-1"), disk("sdb", None)])
    snap.disks[1].model = None
    path = configured / "snap.json"
    path.write_text(json.dumps(snap.to_dict()))
    code, out, err = run_cli(["import", str(path), "--lot", "L-1", "--json", *db], capsys)
    assert code == 0, err
    tag = json.loads(out)["files"][0]["tag"]
    wipe = ["wipe", tag, "--drive", "sda", "--level", "purge", "--method", "block-erase"]
    wipe += ["--tool", "nwipe", "--verify", "full read-back", "--result", "pass", *db]
    assert run_cli(wipe, capsys)[0] == 0
    pdf = configured / "cert.pdf"
    code, _, _ = run_cli(
        ["certificate", "--lot", "L-1", "--lang", "fr", "--pdf", str(pdf), *db], capsys
    )
    assert code == 6  # a drive has no record: never handed over by mistake
    text = _pdf_text(pdf.read_bytes()).replace("\r\n", " ")
    assert "Programme Numérique Nord" in text and "Délivré le" in text
    assert "Norme\u00a0: NIST SP 800-88 Rev. 2 (septembre 2025)" in text or (
        "Norme : NIST SP 800-88 Rev. 2 (septembre 2025)" in text
    )
    assert "NON COUVERTS" in text and tag in text
    assert "non lu — non lu" in text and "? — ?" not in text
    assert "Effacement vérifié par" in text and "Pour le programme" in text
    # once every drive has a record, the warning is gone
    assert run_cli([*wipe[:3], "sdb", *wipe[4:]], capsys)[0] == 0
    code, _, _ = run_cli(["certificate", "--lot", "L-1", "--pdf", str(pdf), *db], capsys)
    assert code == 0
    text = _pdf_text(pdf.read_bytes())
    assert "NOT COVERED" not in text and "Issued by" in text
