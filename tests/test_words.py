"""The domain's words (refurb.words): the stored value stays the value the forms post and
the database keeps; the pages show the word in the reader's language."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from refurb import words
from refurb.i18n import gettext_for

pytest.importorskip("starlette")


def _visible(page: str) -> str:
    markup = re.sub(r"(?s)<(script|style|bdi)\b.*?</\1>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", "\n", markup))


def test_every_word_is_in_the_french_catalogue() -> None:
    tr = gettext_for("fr")
    for kind, table in words.TABLES.items():
        for value in table:
            assert words.word(kind, value, "en") == str(table[value])
            french = words.word(kind, value, "fr")
            assert french and not french.startswith("[en]"), (kind, value)
            assert tr.catalogue is not None
            context = getattr(table[value], "context", None)
            if context is not None:
                assert tr.catalogue.pgettext(context, str(table[value])) == french
            else:
                assert tr.catalogue.gettext(table[value]) == french
    assert words.word("method", "block-erase", "fr") == "effacement par blocs"
    # a value from a newer version is shown as stored, never an error
    assert words.word("part", "gpu", "fr") == "gpu"
    assert words.word("event", None, "fr") == ""


def test_the_pages_show_words_and_post_values(tmp_path: Path) -> None:
    from refurb.app import lifecycle
    from refurb.lifecycle.sanitization import WipeRecord
    from refurb.store.db import open_store
    from tests.web_helpers import client, csrf_of, shop

    store = open_store(str(tmp_path / "w.db"))
    tags = shop(store)
    lifecycle.wipe(
        store,
        tags[0],
        WipeRecord(level="purge", method="crypto-erase", performed_by="lead",
                   tool="nvme-cli", verification_method="read-back", verification_result="pass"),
    )  # fmt: skip
    c = client(store, "lead")
    token = csrf_of(c.get("/devices").text)
    c.post("/lang", data={"csrf": token, "lang": "fr", "next": "/devices"})

    wiped = c.get(f"/devices/{tags[0]}").text
    seen = _visible(wiped)
    assert "purge (Purge) / effacement cryptographique réussie" in seen
    assert "analysé" in seen and "probed" not in seen  # the history's events
    assert "<bdi>portable</bdi>" in wiped and "<bdi>laptop</bdi>" not in wiped  # form factor
    other = c.get(f"/devices/{tags[1]}").text
    # the forms still post the stored values, under French words
    assert '<option value="block-erase">effacement par blocs</option>' in other
    assert '<option value="battery">batterie</option>' in other
    assert '<option value="pass">réussie</option>' in other
    for english in ("overwrite", "keyboard", "charger"):
        assert english not in _visible(other), english

    lots = c.get("/lots").text
    assert '<option value="reuse">réemploi</option>' in lots
    assert '<td class="num">9,0</td>' in lots  # the lot's weight, with a decimal comma
    assert "Période" in (rep := _visible(c.get("/reports").text))
    assert "all time" not in rep
    assert "analysé" in _visible(c.get("/").text)
    store.dispose()


def test_notes_refurb_writes_are_said_in_the_readers_language() -> None:
    nb = "\u00a0"
    cases = [  # as written, as read in English, as read in French
        ("verdict: repair", "verdict: Repair", "verdict" + nb + ": Réparer"),
        ("verdict: refurbish (status stays ready)", "verdict: Refurbish (status stays ready)",
         "(le statut reste prêt)"),
        ("nvme0n1: purge by block-erase, verified pass",
         "nvme0n1: purge by block erase, verified pass",
         "nvme0n1" + nb + ": purge (Purge) par effacement par blocs, vérification réussie"),
        ("sda: removed by removed", "sda: removed (kept apart) by drive removed",
         "sda" + nb + ": retiré (mis de côté) par disque retiré"),
        ("lot DON-1", "lot DON-1", "lot DON-1"),
        ("shipment S-1 to Northern Recyclers", "shipment S-1 to Northern Recyclers",
         "expédition S-1 vers Northern Recyclers"),
    ]  # fmt: skip
    for written, english, french in cases:
        assert words.note(written, "en") == english
        assert french in words.note(written, "fr"), (written, words.note(written, "fr"))
    # a person's note is theirs, in whatever language they wrote it
    for written in ("batterie changée", "purge by hand", "verdict: maybe", ""):
        assert words.note(written, "fr") == written
    assert words.note(None, "fr") == ""


def test_the_probe_summary_speaks_the_benchs_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli_inventory import T480
    from tests.test_probe_live_and_bad_input import run_cli
    from tests.test_translations import french_typography_faults

    monkeypatch.setenv("REFURB_LANG", "fr")
    code, out, err = run_cli(["probe", "--replay", T480], capsys)
    assert code == 0, err
    for said in (
        "Numéro de série",
        "Processeur",
        "Mémoire",
        "7,6\u00a0Gio",
        "(portable)",
        "256,1\u00a0Go",
        "SMART réussi",
        "usé à 7\u00a0%",
        "de la capacité d'origine",
    ):
        assert said in out, (said, out)  # fmt: skip
    for english in ("Serial", "Memory", "laptop", "GiB", "worn", "of design"):
        assert english not in out, (english, out)
    assert french_typography_faults(out) == []
    monkeypatch.setenv("REFURB_LANG", "en")
    code, out, err = run_cli(["probe", "--replay", T480], capsys)
    assert "Serial" in out and "7.6 GiB in 1 module(s)" in out and "7% worn" in out
