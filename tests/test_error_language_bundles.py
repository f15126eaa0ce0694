"""The hub's refusals of a bundle come out in the reader's language (issue #15): each
error below is made for real (a real bundle, changed and signed again where the check
past the signature is the point) and read through `refurb import` (REFURB_LANG), in
French, in English and as English JSON."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from refurb.app.lifecycle import move_in
from refurb.store.bundles import FORMAT, export_bundle
from refurb.store.db import Store, open_store
from refurb.store.intake import record_snapshot
from refurb.store.inventory import add_lot, add_participant
from tests.store_helpers import laptop, purge, verdict
from tests.test_probe_live_and_bad_input import run_cli

KEY = b"a program key of some length"


def _members(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist() if n.endswith(".jsonl")}


def _pack(
    members: dict[str, bytes],
    fmt: str = FORMAT,
    listed: dict[str, bytes] | None = None,
    manifest: bytes | None = None,
    extra: int = 0,
) -> bytes:
    """A bundle signed with the program key: ``listed`` are the members the manifest
    names (the zip holds ``members``)."""
    names = members if listed is None else listed
    doc = {
        "format": fmt,
        "station": "IQ",
        "created_at": "2026-12-01T00:00:00+00:00",
        "since": None,
        "members": {
            n: {
                "rows": b.count(b"\n"),
                "bytes": len(b),
                "sha256": hashlib.sha256(b).hexdigest(),
            }
            for n, b in names.items()
        },
    }
    text = manifest if manifest is not None else json.dumps(doc).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", text)
        z.writestr("manifest.sig", hmac.new(KEY, text, "sha256").hexdigest())
        for n, b in members.items():
            z.writestr(n, b)
        for i in range(extra):
            z.writestr(f"extra-{i}.txt", b"")
    return out.getvalue()


def _rows(blob: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in blob.splitlines() if line]


def _lines(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def _station(tmp_path: Path, lot: bool = False) -> bytes:
    path = tmp_path / f"station-{lot}.refurb"
    if path.exists():  # one station per case, read again
        return path.read_bytes()
    store = open_store(str(tmp_path / f"station-{lot}.db"))
    with store.transaction() as s:
        add_participant(s, "P-1", "Kugaaruk")
        if lot:
            add_lot(s, "L-1", "Bank", date(2026, 9, 1), "reuse", "Arviat", None, None)
    snap = laptop()
    with store.transaction() as s:
        record_snapshot(
            s, snap, verdict(snap), operator="t", station="IQ", lot_code="L-1" if lot else None
        )
    with store.reading() as s:
        data = export_bundle(s, KEY, "IQ")[0]
    store.dispose()
    path.write_bytes(data)
    return data


def _hub_with(tmp_path: Path, fill: Callable[[Store], None]) -> str:
    path = str(tmp_path / "hub.db")
    store = open_store(path)
    fill(store)
    store.dispose()
    return path


def _future(data: bytes) -> bytes:
    m = _members(data)
    rows = _rows(m["events.jsonl"])
    for r in rows:
        r["at"] = "2099-01-01T12:00:00+00:00"
    return _pack({**m, "events.jsonl": _lines(rows)})


# name -> (bundle maker, hub maker or None, French words, English words)
Case = tuple[Callable[[Path], bytes], Callable[[Path], str] | None, str, str]


def _cases() -> dict[str, Case]:
    def other_lot(store: Store) -> None:
        with store.transaction() as s:
            add_lot(s, "L-1", "Another bank", date(2026, 9, 1), "reuse", "Arviat", None, None)

    def other_person(store: Store) -> None:
        with store.transaction() as s:
            add_participant(s, "P-1", "Arviat")

    return {
        "truncated": (
            lambda p: _station(p)[:300],
            None,
            "est endommagé ou tronqué (pas de répertoire zip à la fin)",
            "is damaged or truncated (no zip directory at its end)",
        ),
        "wrong key": (
            _station,
            None,
            "la signature ne correspond pas à la clé du programme",
            "the signature does not match the program key",
        ),
        "tampered": (
            lambda p: _tampered(_station(p)),
            None,
            "ne correspond pas à sa somme de contrôle",
            "does not match its checksum",
        ),
        "newer format": (
            lambda p: _pack(_members(_station(p)), fmt="refurb-bundle/9"),
            None,
            "; ce refurb lit refurb-bundle/2",
            "; this refurb reads refurb-bundle/2",
        ),
        "older format": (
            lambda p: _pack(_members(_station(p)), fmt="refurb-bundle/1"),
            None,
            "vient d'une ancienne version de refurb",
            "was made by an older refurb",
        ),
        "manifest not JSON": (
            lambda p: _pack(_members(_station(p)), manifest=b"{not json"),
            None,
            "le manifeste n'est pas du JSON",
            "the manifest is not JSON",
        ),
        "member not listed": (
            lambda p: _pack(
                _members(_station(p)),
                listed={k: v for k, v in _members(_station(p)).items() if k != "events.jsonl"},
            ),
            None,
            "le manifeste ne liste pas events.jsonl",
            "the manifest does not list events.jsonl",
        ),
        "member missing": (
            lambda p: _pack(
                {k: v for k, v in _members(_station(p)).items() if k != "events.jsonl"},
                listed=_members(_station(p)),
            ),
            None,
            "events.jsonl est absent ou endommagé",
            "events.jsonl is missing or damaged",
        ),
        "row unreadable": (
            lambda p: _pack({**_members(_station(p)), "events.jsonl": b"not json\n"}),
            None,
            "events.jsonl contient une ligne illisible",
            "events.jsonl holds a row that cannot be read",
        ),
        "too many files": (
            lambda p: _pack(_members(_station(p)), extra=70),
            None,
            "liste 86 fichiers",
            "lists 86 files",
        ),
        "future events": (
            lambda p: _future(_station(p)),
            None,
            "sont datés dans le futur",
            "are dated in the future",
        ),
        "missing device": (
            lambda p: _pack({**_members(_station(p)), "devices.jsonl": b""}),
            None,
            "élément(s) de type «\u00a0appareil\u00a0» absents du paquet",
            "device(s) that are not in the bundle and not at this hub",
        ),
        "lot conflict": (
            lambda p: _station(p, lot=True),
            lambda p: _hub_with(p, other_lot),
            "le lot L-1 est déjà ici avec d'autres faits",
            "lot L-1 is already here with other facts: donor Another bank here, Bank in the bundle",
        ),
        "participant conflict": (
            _station,
            lambda p: _hub_with(p, other_person),
            "community Arviat ici, Kugaaruk dans le paquet",
            "participant P-1 is already here with other facts: community Arviat here, "
            "Kugaaruk in the bundle",
        ),
        "rulebook": (
            _unwiped,
            None,
            "enfreindrait les règles sur 3 point(s)\u00a0: IQ-",
            "would break the rulebook on 3 point(s): IQ-",
        ),
        "no manifest": (
            lambda p: _zip_without_manifest(_station(p)),
            None,
            "est endommagé ou tronqué (",
            "is damaged or truncated (",
        ),
    }


def _unwiped(tmp_path: Path) -> bytes:
    """A ready laptop whose sanitization the bundle leaves out (events renumbered, so no
    gap shows): the hub's rulebook re-check refuses it."""
    store = open_store(str(tmp_path / "wiped.db"))
    snap = laptop()
    with store.transaction() as s:
        tag = record_snapshot(s, snap, verdict(snap), operator="t", station="IQ").tag
        purge(s, tag, station="IQ")
        move_in(s, tag, "ready", actor="t", note=None, station=None)
    with store.reading() as s:
        m = _members(export_bundle(s, KEY, "IQ")[0])
    store.dispose()
    kept = [e for e in _rows(m["events.jsonl"]) if e["kind"] != "sanitized"]
    for seq, e in enumerate(sorted(kept, key=lambda e: int(str(e["seq"]))), start=1):
        e["seq"] = seq
    return _pack({**m, "events.jsonl": _lines(kept), "sanitizations.jsonl": b""})


def _zip_without_manifest(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as w:
        for n, blob in _members(data).items():
            w.writestr(n, blob)
    return out.getvalue()


def _tampered(data: bytes) -> bytes:
    z = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as w:
        for n in z.namelist():
            blob = z.read(n)
            w.writestr(n, blob.replace(b'"IQ"', b'"XX"') if n == "events.jsonl" else blob)
    return out.getvalue()


@pytest.mark.parametrize("name", list(_cases()))
def test_a_refused_bundle_is_explained_in_french_english_and_json(
    name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make, hub, french, english = _cases()[name]
    bundle = tmp_path / "b.refurb"
    bundle.write_bytes(make(tmp_path))
    db = hub(tmp_path) if hub else str(tmp_path / "hub.db")
    key = "another key entirely, not ours" if name == "wrong key" else KEY.decode()
    monkeypatch.setenv("REFURB_PROGRAM_KEY", key)
    monkeypatch.setenv("REFURB_LANG", "fr")  # `import` has no --lang: the errors' language
    code, _, fr = run_cli(["import", str(bundle), "--db", db], capsys)
    assert code != 0 and french in fr, fr
    assert english not in fr and "nothing was imported" not in fr
    assert "cannot become" not in fr and "(event " not in fr
    assert "rien n'a été importé" in fr or "->" not in fr
    monkeypatch.setenv("REFURB_LANG", "en")
    code_en, _, en = run_cli(["import", str(bundle), "--db", db], capsys)
    assert code_en == code and english in en, en
    monkeypatch.setenv("REFURB_LANG", "fr")
    code_js, out, err = run_cli(["import", str(bundle), "--db", db, "--json"], capsys)
    assert code_js == code and english in out + err and french not in out + err
    assert json.loads(run_cli(["list", "--db", db, "--json"], capsys)[1]) == [] or hub
