"""Errors come out in the reader's language (issue #15): every message and hint a refurb
error carries is a catalogue message (tests/test_messages_marked.py checks the source);
here the real front doors (the CLI's error frame, the pages) are driven into a sample of
those errors in French, in English with --lang en, and as English JSON for programs."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from refurb.errors import ExitStatus as X
from tests.test_probe_live_and_bad_input import run_cli

NB = "\u00a0"
# English words that give away an untranslated sentence in these errors
_ENGLISH = re.compile(
    r"\b(is not|does not|cannot|must be|already|nothing was|no such|choose|give|"
    r"the file|not valid|too large|is empty|use one)\b"
)

# (arguments after `refurb`, the French the error frame must show, exit code)
CASES = [
    (["show", "RF-XXXXXX", "--db", "{db}"], "n'est pas une étiquette valide", X.NOT_FOUND),
    (["list", "--limit", "0", "--db", "{db}"], "une limite de 0 appareil(s) ne liste rien",
     X.BAD_INPUT),
    (["search", "", "--db", "{db}"], "le texte à chercher est vide", X.BAD_INPUT),
    (["import", "", "--db", "{db}"], "un chemin à importer est vide", X.BAD_INPUT),
    (["report", "--fiscal-year", "99999", "--db", "{db}"], "l'année doit être entre", X.BAD_INPUT),
    (["report", "--month", "2026-13", "--db", "{db}"], "utilisez AAAA-MM", X.BAD_INPUT),
    (["participant", "add", "P-0042\u200b", "--community", "X", "--db", "{db}"],
     "code de participant" + NB + ": contient un caractère invisible", X.BAD_INPUT),
    (["participant", "add", "Р-0042", "--community", "X", "--db", "{db}"],
     "écrit en lettres cyrilliques", X.BAD_INPUT),
    (["lot", "add", "L-1", "--donor", "D", "--date", "2026-01-05", "--weight", "inf",
      "--db", "{db}"], "de 0,01 à 100" + NB + "000", X.BAD_INPUT),
    (["show", "RF-7K2Q9W", "--db", "{missing}"], "n'existe pas", X.DATABASE),
    (["label", "--stock", "nope", "--status", "ready", "--db", "{db}"],
     "aucun format d'étiquette", X.BAD_INPUT),
    (["wipe", "RF-7K2Q9W", "--db", "{db}"], "dites comment le disque a été effacé", X.USAGE),
    (["import", "{junk}", "--db", "{db}"], "paquet", X.BAD_INPUT),
    (["intake", "--replay", "{nowhere}", "--db", "{db}"], "dossier introuvable", X.BAD_INPUT),
    (["assess", "{empty}"], "le fichier est vide", X.BAD_INPUT),
    (["assess", "{broken}"], "JSON invalide (ligne 1, colonne 5)", X.BAD_INPUT),
    (["assess", "{mistyped}"],
     "relevé {mistyped}.cpu.cores" + NB + ": un nombre entier attendu, trouvé du texte",
     X.BAD_INPUT),
]  # fmt: skip


@pytest.fixture
def places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    db = str(tmp_path / "shop.db")
    code, _, err = run_cli(["db", "upgrade", "--create", "--db", db], capsys)
    assert code == 0, err
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really a bundle")
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "broken.json").write_bytes(b'{"a"')
    from tests.store_helpers import laptop

    doc = laptop("MISTYPED").to_dict()
    doc["cpu"]["cores"] = "four"
    (tmp_path / "mistyped.json").write_text(json.dumps(doc))
    return {
        "db": db,
        "missing": str(tmp_path / "nowhere" / "x.db"),
        "junk": str(tmp_path / "junk.zip"),
        "nowhere": str(tmp_path / "no-capture"),
        "empty": str(tmp_path / "empty.json"),
        "broken": str(tmp_path / "broken.json"),
        "mistyped": str(tmp_path / "mistyped.json"),
    }


@pytest.mark.parametrize(
    ("args", "french", "exit_code"), CASES, ids=[" ".join(c[0][:2]) for c in CASES]
)
def test_the_error_frame_speaks_french(
    args: list[str],
    french: str,
    exit_code: int,
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_translations import french_typography_faults

    argv = [a.format(**places) for a in args]
    french = french.format(**places)
    monkeypatch.setenv("REFURB_LANG", "fr")
    monkeypatch.setenv("REFURB_PROGRAM_KEY", "a program key long enough")
    code, _, err = run_cli(argv, capsys)
    assert code == exit_code, err
    assert err.startswith("erreur" + NB + ": "), err
    assert french in err, err
    assert _ENGLISH.findall(err) == [], err
    assert french_typography_faults(err) == [], err
    # the same error as English JSON for a program, and in English for an English shop
    code, _, as_json = run_cli([*argv, "--json"], capsys)
    if as_json.startswith("{"):  # the commands that take --json
        said = json.loads(as_json)
        assert said["exit"] == exit_code and french not in as_json
    monkeypatch.setenv("REFURB_LANG", "en")
    code, _, english = run_cli(argv, capsys)
    assert code == exit_code and english.startswith("error: ") and french not in english


def test_the_pages_show_errors_in_french(tmp_path: Path) -> None:
    from refurb.store.db import open_store
    from tests.web_helpers import client, csrf_of, shop

    store = open_store(str(tmp_path / "w.db"))
    shop(store)
    c = client(store, "lead")
    token = csrf_of(c.get("/devices").text)
    c.post("/lang", data={"csrf": token, "lang": "fr", "next": "/"})

    def visible(page: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", " ", page))

    bad_status = visible(c.get("/devices?status=nope").text)
    assert "'nope' n'est pas un statut" in bad_status and "statuts" + NB + ":" in bad_status
    lot = visible(c.post("/lots", data={"csrf": token, "code": "", "donor": ""}).text)
    assert "la date de réception doit être AAAA-MM-JJ" in lot, lot[-600:]
    scan = c.post("/scan/act", data={"csrf": token, "action": "ship", "shipment": ""})
    assert scan.status_code == 400 and "la liste est vide" in visible(scan.text)
    weight = c.post(
        "/lots",
        data={"csrf": token, "code": "L-9", "donor": "D", "received_on": "2026-01-05",
              "weight_kg": "abc"},
    )  # fmt: skip
    shown = visible(weight.text)
    assert "le poids doit être un nombre, comme 2,1" in shown, shown[-800:]
    for page in (bad_status, lot, visible(scan.text), shown):
        assert "is not" not in page and "must be" not in page
    store.dispose()


def test_the_command_hint_after_a_refusal_is_french_around_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_translations import intake_in_french

    monkeypatch.setenv("REFURB_LANG", "fr")
    db = str(tmp_path / "h.db")
    tag = intake_in_french(db, capsys)
    code, _, err = run_cli(["status", tag, "ready", "--db", db], capsys)
    assert code == X.REFUSED
    hint = err.splitlines()[-1]
    assert hint.startswith(f"  -> refurb wipe {tag} --level purge --method"), err
    assert hint.endswith("(ou --removed / --destroyed)"), err
    code, _, err = run_cli(["status", tag, "issued", "--db", db], capsys)
    assert code == X.REFUSED
    assert "utilisez la commande de l'étape" + NB + ": refurb wipe | issue" in err, err


def test_a_finding_recorded_in_english_reads_in_french(tmp_path: Path) -> None:
    """Findings are written in the bench's language that day; the device page says each
    again in its reader's language from the message it kept. A record from before (no
    message kept) shows as it was written."""
    import json as _json

    from refurb.app.intake import intake
    from refurb.assess.messages import reason_in
    from refurb.store.db import open_store
    from tests.store_helpers import laptop, verdict
    from tests.web_helpers import client, csrf_of, shop

    store = open_store(str(tmp_path / "f.db"))
    shop(store, 0)
    snap = laptop("FINDING1")
    tag = intake(store, snap, verdict(snap), operator="ana", station="RF").tag
    c = client(store, "lead")
    english = visible_text(c.get(f"/devices/{tag}").text)
    assert "GiB of memory is enough" in english
    c.post("/lang", data={"csrf": csrf_of(c.get("/devices").text), "lang": "fr", "next": "/"})
    french = visible_text(c.get(f"/devices/{tag}").text)
    assert "GiB of memory" not in french and "Gio de mémoire" in french, french[-1500:]
    # an older record kept no message: its words as written; a message this refurb does
    # not know, or values that no longer fit it, fall back the same way
    old = {"reason": "written at the bench", "status": "pass"}
    assert reason_in(old, "fr") == "written at the bench"
    assert reason_in({**old, "message": {"key": "no.such", "params": {}}}, "fr") == old["reason"]
    bad = {**old, "message": {"key": "memory.ok", "params": {"gib": "many"}}}
    assert reason_in(bad, "fr") == old["reason"]
    # a record from elsewhere (a bundle) whose values nest too deeply to print
    deep: list[object] = []
    for _ in range(50_000):
        deep = [deep]
    nested = {**old, "message": {"key": "cpu.ok", "params": {"systems": deep}}}
    assert reason_in(nested, "fr") == old["reason"]
    kept = _json.loads(_json.dumps({**old, "message": {"key": "memory.ok", "params": {"gib": 8}}}))
    assert reason_in(kept, "fr") == "8,0 Gio de mémoire suffisent."  # a decimal comma
    # a reason keeps its message only when its values read back as written
    from refurb.assess.messages import message_of, say

    assert message_of(say("en", "memory.ok", gib=7.6)) == {
        "key": "memory.ok",
        "params": {"gib": 7.6},
    }
    assert message_of(say("en", "memory.ok", gib=float("nan"))) is None
    assert message_of(say("en", "cpu.ok", systems=object())) is None
    assert message_of("a reason written by hand") is None
    store.dispose()


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_clicks_own_errors_in_french_then_click_is_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped option or a missing one, said by Click's parser, in the reader's
    language; help pages and JSON errors are left as they are; after main() returns,
    Click's own gettext is back (another program in the same process is not changed)."""
    import click.exceptions

    theirs = click.exceptions._
    monkeypatch.setenv("REFURB_LANG", "fr")
    db = str(tmp_path / "c.db")
    code, _, err = run_cli(["lot", "add", "L-1", "--donor", "D", "--db", db], capsys)
    assert code == X.USAGE and "Erreur" + NB + ": Option manquante '--date'." in err, err
    assert "Essayez «" + NB + "refurb lot add --help" + NB + "» pour l'aide." in err
    code, _, err = run_cli(["list", "--limt", "3", "--db", db], capsys)
    assert code == X.USAGE and "Aucune option '--limt'." in err and "'--limit'" in err
    code, _, err = run_cli(["statu"], capsys)
    assert "Aucune commande 'statu'. Vouliez-vous dire 'status'" + NB + "?" in err, err
    code, _, as_json = run_cli(["list", "--limit", "abc", "--json", "--db", db], capsys)
    assert json.loads(as_json)["error"].startswith("Invalid value for '--limit'")
    assert click.exceptions._ is theirs
    monkeypatch.setenv("REFURB_LANG", "en")
    code, _, err = run_cli(["lot", "add", "L-1", "--donor", "D", "--db", db], capsys)
    assert "Error: Missing option '--date'." in err
