"""The last hostile inputs of issue #16, each through the command line as a trainee or
an attacker would type it: escapes in snapshot files and captures, look-alike codes,
periods and numbers out of range, wildcards, bundles that name what is not there, and
a huge file that looks like a bundle."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store_helpers import laptop
from tests.test_probe_live_and_bad_input import run_cli

T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"
# a window title set by OSC 0 (ended by a bell), clear screen, and the one-byte CSI
ESCAPES = "\x1b]0;owned\x07\x1b[2J\u009b31m"
FORBIDDEN = ("\x1b", "\x07", "\u009b")


def _poison(doc: Any, skip: tuple[str, ...] = ("format", "raw", "taken_at")) -> Any:
    """The same document with an escape sequence inside every text field."""
    if isinstance(doc, dict):
        return {k: v if k in skip else _poison(v, ()) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_poison(v, ()) for v in doc]
    if isinstance(doc, str):
        return doc[: len(doc) // 2] + ESCAPES + doc[len(doc) // 2 :]
    return doc


def _no_escape(text: str, what: object) -> None:
    found = [c for c in FORBIDDEN if c in text]
    assert not found, (what, found, text[:500])


def test_escapes_in_snapshot_files_and_captures_never_reach_the_terminal_or_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "e.db")]
    evil = _poison(laptop(serial="EVIL0001").to_dict())
    evil["raw"] = {"files": {"/proc/cpuinfo": "model name: " + ESCAPES}}  # evidence, kept
    assert evil["disks"] and evil["cpu"]["model"] and evil["identity"]["vendor"]
    snap = tmp_path / "evil.json"
    snap.write_text(json.dumps(evil), encoding="utf-8")
    outbox = tmp_path / "stick"
    outbox.mkdir()
    other = _poison(laptop(serial="EVIL0002").to_dict())
    (outbox / "other.json").write_text(json.dumps(other), encoding="utf-8")
    capture = tmp_path / "capture"  # a recorded machine whose firmware strings are hostile
    shutil.copytree(T480, capture)
    cpuinfo = capture / "root" / "proc" / "cpuinfo"
    cpuinfo.write_text(
        cpuinfo.read_text().replace("model name\t: ", "model name\t: " + ESCAPES), "utf-8"
    )
    (capture / "root" / "sys" / "class" / "dmi" / "id" / "sys_vendor").write_text(
        "LENOVO" + ESCAPES + "\n"
    )

    def run(*args: str) -> str:
        code, out, err = run_cli(list(args), capsys)
        assert code in (0, 3, 10, 11, 12), (args, code, err)
        _no_escape(out + err, args)
        return out

    run("assess", str(snap))
    run("assess", str(snap), "--json")
    run("probe", "--replay", str(capture))
    run("probe", "--replay", str(capture), "--json")
    run("assess", "--replay", str(capture))
    tag = json.loads(run("intake", str(snap), "--json", *db))["intake"]["tag"]
    run("intake", str(snap), *db)  # the plain-text outcome line names vendor and model
    run("intake", "--replay", str(capture), *db)
    run("import", str(outbox), *db)
    for args in (("show", tag), ("show", tag, "--json"), ("list",), ("list", "--json")):
        run(*args, *db)
    run("search", "EVIL", *db)
    run("report", "--devices", "received", *db)

    with sqlite3.connect(tmp_path / "e.db") as conn:
        cells = [
            v
            for table, cols in (
                ("devices", "tag, vendor, model, serial, chassis"),
                ("drives", "name, model, serial"),
                ("assessments", "doc"),
                ("findings", "*"),
                ("events", "note, data"),
            )
            for row in conn.execute(f"SELECT {cols} FROM {table}")
            for v in row
            if isinstance(v, str)
        ]
        (snapshots,) = conn.execute("SELECT count(*) FROM snapshots").fetchone()
    # every row made from a snapshot is clean; the snapshot document itself is kept as
    # the file said it (the evidence, which no command prints)
    assert cells and snapshots == 3
    _no_escape("".join(cells) + json.dumps(cells, ensure_ascii=False), "stored rows")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=30))
def test_the_fast_cleaner_is_the_argument_cleaner(text: str) -> None:
    from refurb.untrusted import clean_text, one_line

    assert clean_text(text) == one_line(text)


LOOK_ALIKES = {
    "zero-width space": "P-0042\u200b",
    "word joiner": "P-0042\u2060",
    "byte-order mark": "P-0042\ufeff",
    "soft hyphen": "P-00\u00ad42",
    "right-to-left override": "P-\u202e0042",
    "Cyrillic Er": "\u0420-0042",
    "Cyrillic and Latin": "\u0420X-0042",
    "Greek Rho": "\u03a1-0042",
}


def test_codes_that_look_the_same_are_one_code_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "c.db")]
    lot = ["--donor", "D", "--date", "2026-11-02"]
    assert run_cli(["participant", "add", "P-0042", *db], capsys)[0] == 0
    assert run_cli(["lot", "add", "L-7", *lot, *db], capsys)[0] == 0
    for name, code in LOOK_ALIKES.items():
        for argv in (["participant", "add", code], ["lot", "add", code.replace("P", "L"), *lot]):
            status, _, err = run_cli([*argv, *db], capsys)
            assert status == 3, (name, argv, err)
            assert "code" in err and "\u202e" not in err, (name, err)
    # the same code typed in full-width forms (an IME) is the same code, not a second one
    status, _, err = run_cli(["participant", "add", "\uff30-\uff10\uff10\uff14\uff12", *db], capsys)
    assert status == 6 and "P-0042 already exists" in err
    for code in ("", "   ", "\u3000", "\u200b"):
        for argv in (["participant", "add", code], ["lot", "add", code, *lot]):
            status, _, err = run_cli([*argv, *db], capsys)
            assert status == 3 and "code" in err, (code, argv, err)
    code, out, _ = run_cli(["participant", "list", "--json", *db], capsys)
    assert [p["code"] for p in json.loads(out)] == ["P-0042"]
    code, out, _ = run_cli(["lot", "list", "--json", *db], capsys)
    assert [p["code"] for p in json.loads(out)] == ["L-7"]
    # codes in one other script are fine (a community's own syllabics), and look-ups
    # normalise the same way as the code was stored
    assert run_cli(["participant", "add", "\u1403\u1583-7", *db], capsys)[0] == 0
    status, _, err = run_cli(["list", "--lot", "\uff2c-7", *db], capsys)
    assert status == 0, err


@pytest.mark.parametrize(
    "period",
    [
        ["--fiscal-year", "99999"],
        ["--fiscal-year", "-1"],
        ["--fiscal-year", "0"],
        ["--fiscal-year", "9999"],
        ["--month", "0000-01"],
        ["--month", "9999-12"],
        ["--quarter", "0000-Q1"],
        ["--quarter", "9999-Q4"],
        ["--since", "0001-01-01"],
        ["--until", "9999-12-31"],
    ],
)
def test_periods_out_of_range_are_refused_plainly(
    period: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "p.db")]
    for extra in ([], ["--json"], ["--devices", "received"]):
        code, out, err = run_cli(["report", *period, *extra, *db], capsys)
        assert code == 3, (period, extra, out, err)
        assert "Traceback" not in err and "between 1970 and 2999" in err, err


def test_numbers_limits_wildcards_and_empty_paths_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "n.db")]
    lot = ["lot", "add", "--donor", "D", "--date", "2026-11-02"]
    for i, weight in enumerate(("inf", "nan", "1e308", "-inf", "100001", "0")):
        code, _, err = run_cli([*lot, f"L-{i}", "--weight", weight, *db], capsys)
        assert code in (2, 3) and "weight" in err, (weight, code, err)
    assert run_cli([*lot, "L-OK", "--weight", "100000", *db], capsys)[0] == 0
    code, out, _ = run_cli(["lot", "list", "--json", *db], capsys)
    assert code == 0 and [r["code"] for r in json.loads(out)] == ["L-OK"]
    assert "Infinity" not in out and "NaN" not in out

    tags = []
    for serial in ("AAA-100%", "BBB_2000"):
        snap = tmp_path / f"{serial}.json"
        snap.write_text(json.dumps(laptop(serial=serial, uuid_=None).to_dict()))
        code, out, err = run_cli(["intake", str(snap), "--json", *db], capsys)
        assert code == 0, err
        tags.append(json.loads(out)["intake"]["tag"])
    for limit in ("-5", "0"):
        code, _, err = run_cli(["list", "--limit", limit, *db], capsys)
        assert code == 3 and "limit" in err, (limit, err)
    code, out, _ = run_cli(["list", "--limit", "1", "--json", *db], capsys)
    assert [r["tag"] for r in json.loads(out)] == tags[:1]
    # larger than any database integer: it means "all of them", not an overflow
    code, out, err = run_cli(["list", "--limit", str(2**63), "--json", *db], capsys)
    assert code == 0, err
    assert [r["tag"] for r in json.loads(out)] == tags

    for drive in ("", " "):  # not "every drive"
        code, _, err = run_cli(["wipe", tags[0], "--drive", drive, "--removed", *db], capsys)
        assert code == 3 and "drive" in err and "empty" in err, err
    code, out, _ = run_cli(["show", tags[0], "--json", *db], capsys)
    assert all(d["present"] for d in json.loads(out)["drives"])

    for text in ("", "   "):
        code, _, err = run_cli(["search", text, *db], capsys)
        assert code == 3 and "search" in err, (text, err)

    def found(text: str) -> list[str]:
        code, out, err = run_cli(["search", text, "--json", *db], capsys)
        assert code == 0, err
        return sorted(r["tag"] for r in json.loads(out))

    assert found("%") == [tags[0]]  # the serial that holds a %, not every device
    assert found("_") == [tags[1]]
    assert found("0%") == [tags[0]] and found("B_2") == [tags[1]]
    assert found("AAA") == [tags[0]] and found("x%x") == []

    for args in (["import", ""], ["import", "  "], ["import", str(tmp_path), ""]):
        code, out, err = run_cli([*args, *db], capsys)
        assert code == 3 and "empty" in err, (args, out, err)
    code, out, _ = run_cli(["list", "--json", *db], capsys)
    assert len(json.loads(out)) == 2  # nothing imported from the current folder


def test_search_takes_wildcards_literally_on_both_databases(db_url: str) -> None:
    from refurb.app.devices import search
    from refurb.store.db import open_store
    from refurb.store.intake import record_snapshot
    from tests.store_helpers import verdict

    store = open_store(db_url)
    tags = {}
    for serial in ("AAA-100%", "BBB_2000", "CCC\\3000"):
        snap = laptop(serial=serial, uuid_=None)
        with store.transaction() as s:
            tags[serial] = record_snapshot(s, snap, verdict(snap), operator="t", station="RF").tag

    def found(text: str) -> list[str]:
        return sorted(r["tag"] for r in search(store, text))

    assert found("%") == [tags["AAA-100%"]] and found("_") == [tags["BBB_2000"]]
    assert found("\\") == [tags["CCC\\3000"]] and found("c\\3") == [tags["CCC\\3000"]]
    assert found("0%") == [tags["AAA-100%"]] and found("%0") == []
    store.dispose()


KEY = b"a program key of some length"


def _resigned(data: bytes, change: dict[str, bytes]) -> bytes:
    """The bundle with some members replaced, its manifest updated and signed again
    with the program key: what a station with a damaged database (or an attacker who
    holds the key) could send."""
    import hashlib
    import hmac
    import io
    import zipfile

    from tests.test_bundles import _rewrite

    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    for name, blob in change.items():
        manifest["members"][name].update(
            bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest(), rows=blob.count(b"\n")
        )
    signed = json.dumps(manifest, sort_keys=True, indent=1).encode()
    sig = hmac.new(KEY, signed, "sha256").hexdigest().encode()
    return _rewrite(data, {**change, "manifest.json": signed, "manifest.sig": sig})


def test_a_bundle_naming_a_device_the_hub_does_not_know_says_so(
    db_url: str, tmp_path: Path
) -> None:
    from refurb.app.hub import import_bundle
    from refurb.errors import BadInput
    from refurb.store.bundles import export_bundle
    from refurb.store.db import open_store
    from refurb.store.intake import record_snapshot
    from tests.store_helpers import verdict

    shop = open_store(str(tmp_path / "shop.db"))
    snap = laptop()
    with shop.transaction() as s:
        record_snapshot(s, snap, verdict(snap), operator="t", station="IQ")
    with shop.reading() as s:
        data = export_bundle(s, KEY, "IQ")[0]
    shop.dispose()
    hub = open_store(db_url)
    cases = {
        "no devices": {"devices.jsonl": b""},
        "events only": {
            name: b""
            for name in ("devices.jsonl", "snapshots.jsonl", "drives.jsonl", "assessments.jsonl")
        }
        | {"findings.jsonl": b""},
    }
    for name, change in cases.items():
        with pytest.raises(BadInput) as exc:
            import_bundle(hub, _resigned(data, change), KEY, name)
        message = str(exc.value)
        assert "another writer" not in message, (name, message)
        assert f"bundle {name}" in message and "device" in message, message
        assert "not at this hub" in message and "nothing was imported" in message, message
    assert import_bundle(hub, data, KEY, "whole")["devices"] == 1  # the real one merges
    hub.dispose()


def test_a_foreign_key_failure_is_not_called_a_conflict(db_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert
    from sqlmodel import SQLModel

    from refurb.errors import Conflict, DatabaseError, MissingReference
    from refurb.store.db import open_store

    store = open_store(db_url)
    events = SQLModel.metadata.tables["events"]
    row = {"id": "e1", "device_id": "no-such-device", "kind": "note", "seq": 1}
    with pytest.raises(MissingReference) as exc, store.transaction() as s:
        s.connection().execute(insert(events).values(**row, at=datetime.now(UTC)))
    assert not isinstance(exc.value, Conflict) and "foreign key" in str(exc.value)
    with pytest.raises(DatabaseError) as other, store.transaction() as s:  # NOT NULL
        s.connection().execute(insert(events).values(**row))
    assert not isinstance(other.value, Conflict), other.value
    store.dispose()


@pytest.mark.parametrize("size", [3 << 30, (2 << 30) - 4096, 1 << 20])
def test_a_huge_file_that_looks_like_a_bundle_is_refused_without_reading_it(
    size: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sparse file (no disk used) that starts like a zip: refused from its size, or
    from its missing central directory, while Python holds a few MB at most."""
    import tracemalloc

    monkeypatch.setenv("REFURB_PROGRAM_KEY", KEY.decode())
    big = tmp_path / "big.refurb"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(size)
    tracemalloc.start()
    try:
        code, _, err = run_cli(["import", str(big), "--db", str(tmp_path / "b.db")], capsys)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 3, err
    assert ("at most 2 GiB" if size > 2 << 30 else "damaged or truncated") in err, err
    assert peak < 32 << 20, f"{peak:,} bytes held while refusing a {size:,}-byte file"
