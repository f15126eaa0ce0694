"""One gettext catalogue per language (refurb.i18n): complete, placeholders kept, compiled;
French typography in what refurb actually prints; a language added with a catalogue
file alone; a message not yet translated shown in English, marked on demand."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from refurb import i18n
from refurb.i18n import gettext_for

babel = pytest.importorskip("babel")
from refurb import i18n_tools  # noqa: E402  (needs Babel)

# A ":", ";", "!" or "?" used as punctuation (followed by a space or the end) must have a
# no-break space (or a narrow one) before it in French; so must the inside of « ».
_BAD_BEFORE = re.compile(r"(?<![\u00a0\u202f])[:;!?](?=\s|$)")
_BAD_GUILLEMETS = re.compile(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»")
# English words that must not appear in French output (statuses, form factors, periods)
_ENGLISH = re.compile(
    r"\b(issued|harvested|ready|received|diagnosed|wiped|recycled|returned|laptop|desktop|"
    r"FY|Fiscal|NEW DEVICE|Status|Tag|Model)\b"
)


# the default emissions factor's source (configuration data, quoted in its own words)
DEFAULT_SOURCE = "EY for 3StepIT (2022): manufacturing a laptop ~225 kg CO2e."


def french_typography_faults(text: str, pdf: bool = False) -> list[str]:
    """Lines breaking French punctuation. A PDF's text comes back with plain spaces for
    no-break ones, so there a space of any kind is what is checked."""
    bad_before = re.compile(r"(?<!\s)[:;!?](?=\s|$)") if pdf else _BAD_BEFORE
    faults = []
    for line in text.splitlines():
        # a URL, a time or a ratio is not punctuation
        probe = re.sub(r"\w+://\S+|\b\d+:\d+\b", "", line)
        probe = probe.replace("3StepIT (2022):", "")  # the config's source, quoted as is
        if bad_before.search(probe) or _BAD_GUILLEMETS.search(probe):
            faults.append(line)
    return faults


@pytest.fixture(autouse=True)
def _fresh_translators() -> Iterator[None]:
    gettext_for.cache_clear()
    yield
    gettext_for.cache_clear()


# --- the catalogues ---------------------------------------------------------------


def test_every_catalogue_is_complete_fuzzless_with_the_same_placeholders_and_compiled() -> None:
    pos = i18n_tools.po_files()
    assert [p.parent.parent.name for p in pos] == ["fr"]
    assert [p for po in pos for p in i18n_tools.problems(po)] == []


def test_the_template_lists_every_marked_message_of_the_source(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    with i18n_tools.POT.open("rb") as f:
        committed = {(m.context, m.id) for m in read_po(f) if m.id}
    fresh = {(m.context, m.id) for m in i18n_tools.extract(write=False) if m.id}
    assert fresh - committed == set(), "run: python -m refurb.i18n_tools extract update"
    assert committed - fresh == set(), "run: python -m refurb.i18n_tools extract update"


def test_the_checks_catch_a_missing_a_fuzzy_and_a_changed_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "xx" / "LC_MESSAGES" / "refurb.po"
    po.parent.mkdir(parents=True)
    pot = tmp_path / "refurb.pot"
    pot.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Tag {tag}"\nmsgstr ""\n\nmsgid "Model"\nmsgstr ""\n\nmsgid "Serial"\nmsgstr ""\n',
        encoding="utf-8",
    )
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Tag {tag}"\nmsgstr "Étiquette {étiquette}"\n\n'
        '#, fuzzy\nmsgid "Model"\nmsgstr "Modèle"\n',
        encoding="utf-8",
    )
    found = "\n".join(i18n_tools.problems(po, pot))
    assert "placeholders" in found and "fuzzy" in found and "'Serial': no translation" in found
    assert "not compiled" in found


def test_placeholders_are_format_fields() -> None:
    assert i18n_tools.placeholders("{disk}: {value:g} % {{literal}}") == ["disk", "value"]
    assert i18n_tools.placeholders("%(n)s devices") == ["n"]  # a {% trans %} block's


# --- the fallback, and a new language ----------------------------------------------


def _inuktitut(tmp_path: Path) -> Path:
    """What a translator adds: refurb.po for iu with one message, compiled."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    folder = tmp_path / "locale" / "iu" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="iu", fuzzy=False)
    catalog.add("Refurbish", "ᐋᖅᑭᒋᐊᕐᓗᒍ")
    with (folder / "refurb.mo").open("wb") as f:
        write_mo(f, catalog)
    return tmp_path / "locale"


def test_a_new_catalogue_is_a_new_language_with_no_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_probe_live_and_bad_input import run_cli

    assert "iu" not in i18n.available_languages()
    monkeypatch.setenv(i18n.EXTRA_DIR_ENV, str(_inuktitut(tmp_path)))
    assert i18n.available_languages() == ["en", "fr", "iu"]
    tr = gettext_for("iu")
    assert tr("Refurbish") == "ᐋᖅᑭᒋᐊᕐᓗᒍ"
    assert tr("Recycle") == "Recycle"  # not translated yet: English
    code, _, err = run_cli(["label", "NOPE", "--lang", "iu"], capsys)
    assert "no catalogue" not in err  # --lang iu is accepted (the tag is what is missing)
    code, _, err = run_cli(["assess", "x.json", "--lang", "xx"], capsys)
    assert code == 2 and "'xx' has no catalogue" in err


def test_an_untranslated_message_falls_back_to_english_logged_and_marked_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(i18n.EXTRA_DIR_ENV, str(_inuktitut(tmp_path)))
    with caplog.at_level("INFO", logger="refurb.i18n"):
        assert gettext_for("iu")("Recycle") == "Recycle"
    assert "no iu translation for 'Recycle'" in caplog.text
    gettext_for.cache_clear()
    monkeypatch.setenv(i18n.MARK_ENV, "1")
    assert gettext_for("iu")("Recycle") == "[en] Recycle"
    assert gettext_for("iu")("Refurbish") == "ᐋᖅᑭᒋᐊᕐᓗᒍ"
    assert gettext_for("fr")("Recycle") == "Recycler"
    assert gettext_for("en")("Recycle") == "Recycle"  # English is the source, never marked


# --- French in what refurb prints ---------------------------------------------------


def test_french_numbers_months_and_periods() -> None:
    from refurb.reports.i18n import month_name, number, period_label

    assert number(1234567.5, "fr", 1) == "1\u00a0234\u00a0567,5"
    assert number(1234567.5, "en", 1) == "1,234,567.5"
    assert month_name("2026-12", "fr") == "décembre 2026"
    assert period_label("FY 2026-27", "fr") == "Exercice 2026-2027"


def test_french_assessment_and_label_text() -> None:
    from refurb.assess.policy import default_policy
    from refurb.assess.render import render
    from refurb.assess.verdict import evaluate
    from refurb.labels import LabelData, label_lines
    from tests.store_helpers import laptop

    text = render(evaluate(laptop(), None, default_policy(), lang="fr"))
    assert french_typography_faults(text) == []
    assert "VERDICT\u00a0:" in text
    lines = label_lines(
        LabelData(
            tag="RF-0001-X",
            disposition="refurbish",
            memory_bytes=8 << 30,
            battery_pct=91,
            tested_on=date(2026, 12, 4),
            tested_by="ana",
        ),
        "fr",
    )
    assert (
        lines[0] == "REMETTRE À NEUF" and "Batt. 91\u00a0%" in lines[1]
    ) or "Batt. 91 %" in lines[1]
    assert french_typography_faults("\n".join(lines)) == []


def test_the_french_report_text_and_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from refurb.store.db import open_store
    from tests import program
    from tests.test_probe_live_and_bad_input import run_cli
    from tests.test_reports import _pdf_text

    db = tmp_path / "program.db"
    store = open_store(str(db))
    program.write(store, program.build(120))
    store.dispose()
    pdf = tmp_path / "r.pdf"
    base = ["report", "--fiscal-year", "2025", "--lang", "fr", "--db", str(db)]
    code, out, err = run_cli(base, capsys)
    assert code == 0, err
    assert french_typography_faults(out) == []
    out = out.replace(DEFAULT_SOURCE, "")
    assert _ENGLISH.findall(out) == [], [x for x in out.splitlines() if _ENGLISH.search(x)]
    code, _, err = run_cli([*base, "--pdf", str(pdf)], capsys)
    assert code == 0, err
    text = re.sub(r"EY for 3StepIT.*?CO2e\.", "", _pdf_text(pdf.read_bytes()), flags=re.S)
    assert french_typography_faults(text, pdf=True) == []
    assert _ENGLISH.findall(text) == []
    assert "Exercice 2025-2026" in text


def test_french_web_pages(tmp_path: Path) -> None:
    from refurb.store.db import open_store
    from tests.web_helpers import client, csrf_of, shop

    store = open_store(str(tmp_path / "w.db"))
    tags = shop(store)
    c = client(store, "lead")
    token = csrf_of(c.get("/devices").text)
    c.post("/lang", data={"csrf": token, "lang": "fr", "next": "/devices"})
    for path in ("/", "/devices", f"/devices/{tags[0]}", "/reports"):
        page = c.get(path)
        assert page.status_code == 200, path
        assert 'lang="fr"' in page.text
        # <bdi> holds the records' own text (names, models, reasons recorded at intake)
        markup = re.sub(r"(?s)<(script|style|bdi)\b.*?</\1>", "", page.text)
        visible = html.unescape(re.sub(r"<[^>]+>", "\n", markup))
        assert french_typography_faults(visible) == [], path
    assert "Appareils" in c.get("/devices").text
    store.dispose()


def test_intake_show_list_and_errors_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli_inventory import T480
    from tests.test_probe_live_and_bad_input import run_cli

    monkeypatch.setenv("REFURB_LANG", "fr")  # the language as a shop sets it
    db = str(tmp_path / "i.db")
    code, out, err = run_cli(
        ["intake", "--replay", T480, "--db", db, "--operator", "ana", "--no-smart"], capsys
    )
    assert code == 0, err
    assert "NOUVEL APPAREIL" in out and "NEW DEVICE" not in out
    assert "VERDICT\u00a0:" in out
    tag = out.split()[out.split().index("NOUVEL") - 1]
    code, shown, err = run_cli(["show", tag, "--db", db], capsys)
    assert code == 0, err
    assert "historique\u00a0:" in shown and "NON EFFACÉ" in shown and " par ana" in shown
    assert "[diagnostiqué]" in shown
    code, listed, err = run_cli(["list", "--db", db], capsys)
    assert code == 0, err
    assert tag in listed and "diagnostiqué" in listed
    for text in (out, shown, listed):
        assert french_typography_faults(text) == []
        assert _ENGLISH.findall(text) == []
    code, _, err = run_cli(["show", "RF-NOPE", "--db", db], capsys)
    assert code != 0 and err.startswith("erreur\u00a0: ")
    # the same command in English, with --lang
    code, listed, _ = run_cli(["list", "--lang", "en", "--db", db], capsys)
    assert "diagnosed" in listed


def test_dates_a_donor_reads_are_in_words() -> None:
    from refurb.reports.i18n import long_date, month_name

    assert long_date("2026-12-04T15:16:00", "fr") == "4 décembre 2026"
    assert long_date("2026-12-04", "en") == "December 4, 2026"
    assert month_name("2025-09", "fr") == "septembre 2025"


def test_the_french_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from tests.store_helpers import disk, laptop
    from tests.test_probe_live_and_bad_input import run_cli
    from tests.test_reports import _pdf_text

    db = ["--db", str(tmp_path / "shop.db")]
    run_cli(["lot", "add", "L-9", "--donor", "Banque", "--date", "2025-09-03", *db], capsys)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(laptop(serial="C-9", disks=[disk("sda", "S-9")]).to_dict()))
    code, out, err = run_cli(["import", str(path), "--lot", "L-9", "--json", *db], capsys)
    assert code == 0, err
    tag = json.loads(out)["files"][0]["tag"]
    wipe = ["wipe", tag, "--level", "purge", "--method", "block-erase", "--tool", "nwipe"]
    assert run_cli([*wipe, "--verify", "relecture", "--result", "pass", *db], capsys)[0] == 0
    pdf = tmp_path / "certificat.pdf"
    code, _, err = run_cli(
        ["certificate", "--lot", "L-9", "--lang", "fr", "--pdf", str(pdf), *db], capsys
    )
    assert code == 0, err
    text = _pdf_text(pdf.read_bytes())
    assert "3 septembre 2025" in text and "2025-09-03" not in text
    assert "septembre 2025)" in text and "September" not in text
    assert french_typography_faults(text, pdf=True) == []


def test_the_catalogues_ship_in_the_wheel() -> None:
    import tomllib

    root = Path(__file__).parent.parent
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = data["package-data"]["refurb"]
    for pattern in ("locale/*.pot", "locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.mo"):
        assert pattern in shipped
    assert list((root / "refurb" / "locale").glob("*/LC_MESSAGES/refurb.mo"))


def intake_in_french(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A T480 taken in through `refurb intake` with REFURB_LANG=fr; its tag."""
    from tests.test_cli_inventory import T480
    from tests.test_probe_live_and_bad_input import run_cli

    code, out, err = run_cli(["intake", "--replay", T480, "--db", db, "--no-smart"], capsys)
    assert code == 0, err
    return out.split()[out.split().index("NOUVEL") - 1]


def test_the_rulebook_refuses_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal is a Phrase: its values (tag, statuses, drives) are filled into the
    translated sentence at the front door; JSON errors keep the English for programs."""
    import json

    from refurb.store.db import open_store
    from tests.test_probe_live_and_bad_input import run_cli
    from tests.web_helpers import client, csrf_of, shop

    monkeypatch.setenv("REFURB_LANG", "fr")
    db = str(tmp_path / "r.db")
    tag = intake_in_french(db, capsys)
    code, _, err = run_cli(["status", tag, "ready", "--db", db], capsys)
    assert code == 6
    assert f"{tag} ne peut pas devenir «\u00a0prêt\u00a0»" in err, err
    assert "sans effacement réussi" in err and "aucun enregistrement" in err
    assert "cannot" not in err.splitlines()[0]
    code, _, err = run_cli(["status", tag, "ready", "--db", db, "--json"], capsys)
    assert json.loads(err)["error"].startswith(f"{tag} cannot become ready")

    store = open_store(str(tmp_path / "w.db"))
    tags = shop(store)
    c = client(store, "lead")
    c.post("/lang", data={"csrf": csrf_of(c.get("/devices").text), "lang": "fr", "next": "/"})
    page = html.unescape(c.get(f"/devices/{tags[0]}").text)
    assert "ne peut pas devenir «\u00a0prêt\u00a0»" in page
    assert "effacez chaque disque" in page  # the remedy too
    assert "cannot become" not in page
    store.dispose()
