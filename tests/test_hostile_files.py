"""Hostile files and bundles found by the attack pass after issue #16's first list: what
``import`` is given that is not a snapshot file (a named pipe, /dev/zero, a huge file,
JSON nested past the parser's depth, a file name holding terminal escapes), numbers no
database holds, and signed bundles whose rows break the rules the front doors keep
(look-alike codes, impossible weights and sizes). Each is refused with a message, no
traceback, and the database as it was."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.store_helpers import laptop
from tests.test_hostile_inputs import KEY, _resigned
from tests.test_probe_live_and_bad_input import run_cli


def _snapshot(tmp_path: Path, name: str, change: Any = None, **kw: Any) -> Path:
    doc = laptop(**kw).to_dict()
    if change is not None:
        change(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _devices(db: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out, err = run_cli(["list", "--json", *db], capsys)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def _not_small_files(folder: Path, suffix: str) -> tuple[Path, Path, Path]:
    """A named pipe, a link to /dev/zero and a sparse 600 MB file (no disk used)."""
    pipe, zero, big = (folder / f"{name}{suffix}" for name in ("pipe", "zero", "big"))
    os.mkfifo(pipe)
    zero.symlink_to("/dev/zero")
    with open(big, "wb") as fh:
        fh.write(b"{")
        fh.truncate(600 << 20)
    return pipe, zero, big


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_import_refuses_what_is_not_a_small_regular_file_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A named pipe would wait for a writer for ever, /dev/zero never ends, a 600 MB
    file was read whole (1.29 GB peak): each is refused by its kind or size, and the
    good file beside them goes in."""
    db = ["--db", str(tmp_path / "f.db")]
    good = _snapshot(tmp_path, "good.json")
    pipe, zero, big = _not_small_files(tmp_path, ".json")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    args = ["import", str(good), str(pipe), str(zero), str(big), str(tmp_path)]
    code, out, err = run_cli([*args, "--json", *db], capsys)
    grew_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert code == 3, (out, err)
    seen: dict[str, list[dict[str, Any]]] = {}
    for r in json.loads(out)["files"]:
        seen.setdefault(Path(r["path"]).name, []).append(r)
    # the folder adds each again: good.json (known by then), and the others refused
    # again by their kind (a pipe or a device in a folder is named, not skipped)
    assert sorted((n, len(v)) for n, v in seen.items()) == [
        ("big.json", 2), ("good.json", 2), ("pipe.json", 2), ("zero.json", 2)
    ]  # fmt: skip
    assert sorted(r["outcome"] for r in seen["good.json"]) == ["known", "new"]
    assert all("named pipe" in r["reason"] for r in seen["pipe.json"]), seen
    assert all("device" in r["reason"] for r in seen["zero.json"]), seen
    assert all("too large" in r["reason"] for r in seen["big.json"]), seen
    assert grew_kb < 200 << 10, f"the process grew {grew_kb:,} KB"
    assert len(_devices(db, capsys)) == 1
    # assess and intake read snapshot files through the same gate
    for command in (["assess"], ["intake", *db]):
        code, _, err = run_cli([*command, str(pipe)], capsys)
        assert code == 3 and "named pipe" in err and "Traceback" not in err, err
        code, _, err = run_cli([*command, str(big)], capsys)
        assert code == 3 and "too large" in err, err


def test_json_nested_past_the_parsers_depth_is_refused_by_every_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "d.db")]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert sys.getrecursionlimit() < 100_000
    for command in (["import", *db], ["assess"], ["intake", *db]):
        code, out, err = run_cli([*command, str(deep)], capsys)
        assert code == 3, (command, out, err)
        assert "nested too deeply" in out + err and "Traceback" not in err, (command, out, err)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("memory", "total_bytes"), 10**30),
        (("memory", "total_bytes"), -1),
        (("cpu", "cores"), -3),
        (("cpu", "max_mhz"), -1.5),
        (("cpu", "max_mhz"), 10**400),
    ],
)
def test_numbers_no_database_holds_are_refused_by_name(
    field: tuple[str, str], value: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """10**30 ended in OverflowError when SQLite stored it; negative sizes and counts
    were accepted."""
    db = ["--db", str(tmp_path / "n.db")]

    def change(doc: dict[str, Any]) -> None:
        doc[field[0]][field[1]] = value

    snap = _snapshot(tmp_path, "odd.json", change)
    code, out, err = run_cli(["import", str(snap), *db], capsys)
    assert code == 3 and "Traceback" not in err, (out, err)
    assert f"odd.json.{field[0]}.{field[1]}" in out and "out of range" in out, out
    assert _devices(db, capsys) == []


def test_nan_and_infinity_in_a_snapshot_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python's json reads NaN and Infinity, which JSON does not have."""
    db = ["--db", str(tmp_path / "i.db")]
    for i, word in enumerate(("NaN", "Infinity", "-Infinity")):
        doc = json.dumps(laptop(serial=f"S{i}").to_dict())
        doc = doc.replace('"battery_health_pct"', '"x"')  # not a model field
        path = tmp_path / f"{word}.json"
        path.write_text(doc.replace('"max_mhz": ', f'"max_mhz": {word}, "was": ', 1))
        code, out, err = run_cli(["import", str(path), *db], capsys)
        assert code == 3 and f"{word.lstrip('-')} is not a JSON number" in out, (word, out, err)
    # in the raw evidence too, which is otherwise kept as it came: no report could read it
    doc = laptop(serial="S9").to_dict()
    doc["raw"] = {"lsblk": {"size": "__NAN__"}}
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(doc).replace('"__NAN__"', "NaN"))
    code, out, err = run_cli(["import", str(path), *db], capsys)
    assert code == 3 and "NaN is not a JSON number" in out, (out, err)
    assert _devices(db, capsys) == []


def test_a_file_name_with_terminal_escapes_is_printed_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "e.db")]
    good = _snapshot(tmp_path, "\x1b]0;owned\x07ok.json")
    bad = _snapshot(tmp_path, "\x1b[2Jbad\x07.json", lambda d: d["cpu"].update(cores=-1))
    code, out, err = run_cli(["import", str(good), str(bad), *db], capsys)
    assert code == 3, err
    assert "\x1b" not in out + err and "\x07" not in out + err, repr(out + err)
    assert "ok.json" in out and "bad .json" in out and "out of range" in out, out


def _bundle(tmp_path: Path, with_participant: str = "P-0042", wiped: bool = False) -> bytes:
    """A station's bundle: one laptop weighed (and wiped), and a participant."""
    from refurb.app.lifecycle import weigh
    from refurb.store.bundles import export_bundle
    from refurb.store.db import open_store
    from refurb.store.intake import record_snapshot
    from refurb.store.inventory import add_participant
    from tests.store_helpers import verdict

    shop = open_store(str(tmp_path / f"shop-{len(list(tmp_path.iterdir()))}.db"))
    snap = laptop()
    with shop.transaction() as s:
        add_participant(s, with_participant, "Iqaluit")
        tag = record_snapshot(s, snap, verdict(snap), operator="t", station="IQ").tag
    weigh(shop, tag, 2.1, actor="t", station="IQ")
    if wiped:
        from tests.store_helpers import purge

        with shop.transaction() as s:
            purge(s, tag, station="IQ")
    with shop.reading() as s:
        data = export_bundle(s, KEY, "IQ")[0]
    shop.dispose()
    return data


def _member(data: bytes, name: str) -> list[dict[str, Any]]:
    import io
    import zipfile

    blob = zipfile.ZipFile(io.BytesIO(data)).read(name)
    return [json.loads(line) for line in blob.splitlines() if line]


def _with(data: bytes, name: str, edit: Any) -> bytes:
    rows = _member(data, name)
    for r in rows:
        edit(r)
    blob = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    return _resigned(data, {name: blob})


def _counts(store: Any) -> dict[str, int]:
    from sqlalchemy import text

    with store.reading() as s:
        return {
            t: s.connection().execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("devices", "participants", "events", "lots")
        }


def test_signed_bundles_keep_the_rules_the_front_doors_keep(db_url: str, tmp_path: Path) -> None:
    """A station's key can leak, and a station's database can be damaged: a bundle's
    codes and measures pass the same rules as typed ones. Before, a code with ESC or a
    look-alike dash was stored; an infinite, huge or text weight or a huge memory size
    ended in a traceback (rolled back); a negative weight was stored."""
    from refurb.app.hub import import_bundle
    from refurb.app.people import participants
    from refurb.errors import RefurbError
    from refurb.store.db import open_store
    from refurb.store.inventory import add_participant

    data = _bundle(tmp_path)
    hub = open_store(db_url)
    with hub.transaction() as s:  # the hub knows P-0042 already (under its own id)
        add_participant(s, "P-0042", "Iqaluit")
    before = _counts(hub)

    def code(value: str) -> Any:
        return lambda r: r.update(code=value)

    refused = {
        "zero-width space": ("participants.jsonl", code("P-9\u200b"), "invisible"),
        "variation selector": ("participants.jsonl", code("P-9\ufe0f"), "invisible"),
        "Cyrillic code": ("participants.jsonl", code("\u0420-9"), "look Latin"),
        "other capitals": ("participants.jsonl", code("p-0042"), "other capitals"),
        "empty code": ("participants.jsonl", code(" "), "empty"),
        "infinite weight": ("devices.jsonl", lambda r: r.update(weight_kg=float("inf")), "row"),
        "huge weight": ("devices.jsonl", lambda r: r.update(weight_kg=1e308), "weight_kg"),
        "negative weight": ("devices.jsonl", lambda r: r.update(weight_kg=-5), "weight_kg"),
        "text weight": ("devices.jsonl", lambda r: r.update(weight_kg="abc"), "a number"),
        "huge memory": ("devices.jsonl", lambda r: r.update(memory_bytes=10**30), "too large"),
        "negative memory": ("devices.jsonl", lambda r: r.update(memory_bytes=-1), "memory"),
        "weighed 1e308 kg": (
            "events.jsonl",
            lambda r: r.update(data=json.dumps({"kg": 1e308})) if r["kind"] == "weighed" else 0,
            "not plausible",
        ),
    }
    for name, (member, edit, said) in refused.items():
        forged = _with(data, member, edit)
        with pytest.raises(RefurbError) as exc:
            import_bundle(hub, forged, KEY, name)
        message = str(exc.value)
        assert said in message and "another writer" not in message, (name, message)
        assert "nothing was imported" in message, (name, message)
        assert _counts(hub) == before, name
    # in another dash, or in full-width letters, it is the hub's P-0042
    for same in ("P\u20100042", "P\u22120042", "\uff30-0042"):
        import_bundle(hub, _with(data, "participants.jsonl", code(same)), KEY, same)
        assert [p["code"] for p in participants(hub)] == ["P-0042"], same
    assert _counts(hub)["devices"] == 1
    # a terminal escape is cleaned as a typed code's is: stored and listed without it
    # (what is left, "P-8 [2J", is a code a station could record before codes had an
    # alphabet: ASCII punctuation and spaces are taken from a bundle, never typed)
    other = _bundle(tmp_path, "P-8\x1b[2J\x07")
    import_bundle(hub, other, KEY, "escape")
    codes = [p["code"] for p in participants(hub)]
    assert codes == ["P-0042", "P-8 [2J"], codes
    # outside ASCII, a bundle keeps the alphabet of codes (the attack pass's Cherokee P)
    with pytest.raises(RefurbError) as exc:
        import_bundle(hub, _bundle(tmp_path, "\u13e2-0042"), KEY, "Cherokee")
    assert "does not use" in str(exc.value) and "CHEROKEE" in str(exc.value), exc.value
    # a code the bundle changed under an id the hub has: named, not "another writer"
    # after eight tries
    before = _counts(hub)
    with pytest.raises(RefurbError) as exc:
        import_bundle(hub, _with(other, "participants.jsonl", code("P-7")), KEY, "recoded")
    assert "code never changes" in str(exc.value), exc.value
    assert _counts(hub) == before
    hub.dispose()


def test_lookalike_codes_beyond_the_first_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "c.db")]
    assert run_cli(["participant", "add", "P-0042", *db], capsys)[0] == 0
    same = {"hyphen": "P\u20100042", "non-breaking hyphen": "P\u20110042",
            "minus": "P\u22120042", "en dash": "P\u20130042", "em dash": "P\u20140042",
            "horizontal bar": "P\u20150042", "modifier minus": "P\u02d70042"}  # fmt: skip
    for name, typed in same.items():
        status, _, err = run_cli(["participant", "add", typed, *db], capsys)
        assert status == 6 and "P-0042 already exists" in err, (name, err)
        status, out, err = run_cli(["participant", "history", typed, *db], capsys)
        assert status == 0, (name, out, err)  # found: the same code
    for name, typed in {"grapheme joiner": "P-0042\u034f", "variation": "P-0042\ufe0f"}.items():
        status, _, err = run_cli(["participant", "add", typed, *db], capsys)
        assert status == 3 and "invisible" in err, (name, err)
    status, _, err = run_cli(["participant", "add", "p-0042", *db], capsys)
    assert status == 6 and "P-0042" in err and "capitals" in err, err
    status, out, err = run_cli(["participant", "history", "p-0042", *db], capsys)
    assert status == 0, (out, err)  # looked up in other capitals, it is found
    _, out, _ = run_cli(["participant", "list", "--json", *db], capsys)
    assert [p["code"] for p in json.loads(out)] == ["P-0042"]
    lot = ["lot", "add", "--donor", "D", "--date", "2026-11-02"]
    for weight in ("1e-320", "0.001", "100000.0001"):
        status, _, err = run_cli([*lot, "L-1", "--weight", weight, *db], capsys)
        assert status == 3 and "weight" in err, (weight, err)
        # the figure as typed, not rounded, and the bounds as they are
        assert f"{float(weight)!r} kg" in err and "from 0.01 to 100,000" in err, err


def test_import_lines_speak_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outcome words and the refusal reasons were English in a French shop."""
    db = ["--db", str(tmp_path / "fr.db")]
    good = _snapshot(tmp_path, "good.json")
    cut = tmp_path / "cut.json"
    cut.write_text('{"a":')
    monkeypatch.setenv("REFURB_LANG", "fr")
    code, out, err = run_cli(["import", str(good), str(cut), *db], capsys)
    assert code == 3, err
    assert "nouveau " in out and "refusé " in out and "JSON invalide (ligne 1" in out, out
    assert "refused" not in out and "not valid" not in out, out


def _first_of(kind: str, edit: Any) -> Any:
    """An edit of the bundle's first event of ``kind`` only."""
    done: list[bool] = []

    def apply(r: dict[str, Any]) -> None:
        if r.get("kind") == kind and not done:
            done.append(True)
            edit(r)

    return apply


def test_forged_bundle_rows_are_refused_whole_before_anything_is_written(
    db_url: str, tmp_path: Path
) -> None:
    """The second attack pass's rows: each ended in a traceback, used up the hub's
    memory (an event numbered near 2**63 made the gap check build a set of that many
    numbers: 23 GB), or was stored although no front door would take it. Each is now
    refused by name, the hub as it was."""
    from refurb.app.hub import import_bundle
    from refurb.errors import RefurbError
    from refurb.store.db import open_store

    data = _bundle(tmp_path)
    hub = open_store(db_url)
    before = _counts(hub)

    def weighed(data_text: str) -> Any:
        return _first_of("weighed", lambda r: r.update(data=data_text))

    def put(**fields: Any) -> Any:
        return lambda r: r.update(**fields)

    deep = "[" * 100 + "]" * 100
    refused = {
        "seq past the database": ("events.jsonl", put(seq=2**63 - 1), "too large"),
        "negative seq": ("events.jsonl", put(seq=-3), "seq"),
        "null code": ("participants.jsonl", put(code=None), "without code"),
        "kg of 400 digits": ("events.jsonl", weighed('{"kg": ' + "9" * 400 + "}"), "data"),
        "kg true": ("events.jsonl", weighed('{"kg": true}'), "data"),
        "kg as text": ("events.jsonl", weighed('{"kg": "2"}'), "data"),
        "data a list": ("events.jsonl", put(data="[1, 2]"), "not a JSON object"),
        "data not JSON": ("events.jsonl", put(data="{kg: 2"), "not valid JSON"),
        "data NaN": ("events.jsonl", put(data='{"kg": NaN}'), "NaN"),
        "data nested": ("events.jsonl", put(data='{"a": ' + deep + "}"), "nested"),
        "unknown status": ("events.jsonl", _first_of("status", put(status="owned")), "status"),
        "device status": ("devices.jsonl", put(status="gone"), "status"),
        "unknown event kind": ("events.jsonl", _first_of("weighed", put(kind="owned")), "kind"),
        "empty event kind": ("events.jsonl", _first_of("status", put(kind="")), "kind"),
        "no created_at": ("devices.jsonl", lambda r: r.pop("created_at"), "without created_at"),
        "year 1": ("events.jsonl", put(at="0001-01-01T00:30:00+01:00"), "year"),
        "year 9999": ("events.jsonl", put(at="9999-12-31T23:30:00-01:00"), "year"),
        "empty tag": ("devices.jsonl", put(tag=""), "tag"),
        "lower-case tag": ("devices.jsonl", lambda r: r.update(tag=r["tag"].lower()), "tag"),
        "long tag": ("devices.jsonl", put(tag="RF-" + "A" * 5000), "characters"),
        "long note": ("events.jsonl", put(note="x" * 5000), "characters"),
        "doc not JSON": ("assessments.jsonl", put(doc="not json"), "not valid JSON"),
        "doc nested": ("assessments.jsonl", put(doc='{"a": ' + deep + "}"), "nested"),
        "doc not UTF-8": ("assessments.jsonl", put(doc='{"a": "\udc80"}'), "not UTF-8"),
        "row a list": ("events.jsonl", lambda r: r.clear(), "without"),
    }
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name, (member, edit, said) in refused.items():
        with pytest.raises(RefurbError) as exc:
            import_bundle(hub, _with(data, member, edit), KEY, name)
        message = str(exc.value)
        assert said in message and "nothing was imported" in message, (name, message)
        assert "Traceback" not in message and "another writer" not in message, (name, message)
        assert _counts(hub) == before, name
    # a wipe record's words are the rulebook's: a level and a method it allows
    wiped = _bundle(tmp_path, wiped=True)
    for edit, said in ((put(level="shredded"), "level"), (put(method="physical"), "method"),
                       (put(verification_result="maybe"), "verification_result")):  # fmt: skip
        with pytest.raises(RefurbError) as exc:
            import_bundle(hub, _with(wiped, "sanitizations.jsonl", edit), KEY, said)
        assert said in str(exc.value) and "nothing was imported" in str(exc.value), exc.value
        assert _counts(hub) == before, said
    # an event numbered 2**31 - 1 (the column's most): one gap, named, found at once
    with pytest.raises(RefurbError) as exc:
        import_bundle(hub, _with(data, "events.jsonl", put(seq=2**31 - 1)), KEY, "far seq")
    assert "have not arrived" in str(exc.value), exc.value
    assert "(2147483646)" in str(exc.value) or "(214748364" in str(exc.value), exc.value
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grew
    assert grew < 200 << 10, f"the process grew {grew:,} KB"
    assert _counts(hub) == before
    # the bundle as the station made it goes in whole
    import_bundle(hub, data, KEY, "good")
    assert _counts(hub)["devices"] == 1
    hub.dispose()


def test_disks_whose_sizes_add_up_past_the_database_are_refused_alone(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two disks of 2**63-1 bytes each: each size fits, their sum (the device's
    storage) did not, and the whole batch of files ended in an OverflowError."""
    db = ["--db", db_url]

    def two_huge(doc: dict[str, Any]) -> None:
        doc["disks"] = [dict(doc["disks"][0], name=n, size_bytes=2**63 - 1) for n in "ab"]

    good = _snapshot(tmp_path, "good.json")
    huge = _snapshot(tmp_path, "huge.json", two_huge, serial="S-HUGE")
    code, out, err = run_cli(["import", str(good), str(huge), *db], capsys)
    assert code == 3, (out, err)
    assert "huge.json" in out and "add up to more than" in out, out
    assert len(_devices(db, capsys)) == 1  # the good file beside it went in
    for command in (["intake", *db], ["assess"]):
        code, out, err = run_cli([*command, str(huge)], capsys)
        assert code == 3 and "add up to more than" in err and "Traceback" not in err, err


def test_every_error_reaches_the_terminal_without_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """assess, intake and check quoted the file name raw in their refusals: ESC, the
    one-character CSI (U+009B) and a direction override reached a real terminal."""
    db = ["--db", str(tmp_path / "t.db")]
    name = "\x1b]0;owned\x07a\u009b2Jb\u202egnp.json"
    bad = _snapshot(tmp_path, name, lambda d: d["cpu"].update(cores=-1))
    checklist = tmp_path / name.replace(".json", "-c.json")
    checklist.write_text("{")
    calls = {
        "assess": ["assess", str(bad)],
        "intake": ["intake", str(bad), *db],
        "check": ["check", "--answers", str(checklist), "--no-input"],
        "assess --checklist": ["assess", str(_snapshot(tmp_path, "ok.json")),
                               "--checklist", str(checklist)],
        "probe --replay": ["probe", "--replay", str(tmp_path / name)],
    }  # fmt: skip
    for what, argv in calls.items():
        for json_flag in ([], [] if what == "check" else ["--json"]):
            code, out, err = run_cli([*argv, *json_flag], capsys)
            shown = out + err
            assert code == 3, (what, json_flag, shown)
            for ch in ("\x1b", "\x07", "\u009b"):
                assert ch not in shown, (what, json_flag, repr(shown))
            if not json_flag:
                assert "\u202e" not in shown and "a 2Jb" in shown, (what, repr(shown))
    # import names each file cleaned the same way
    code, out, err = run_cli(["import", str(bad), *db], capsys)
    assert code == 3 and "\u202e" not in out + err and "\ufffdgnp.json" in out, repr(out)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_policy_and_capture_files_pass_the_same_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--policy and --replay read their files whole with read_text: a named pipe hung,
    /dev/zero ended in a MemoryError, a 600 MB policy peaked at 1.2 GB."""
    from tests.test_cli_inventory import T480

    snap = _snapshot(tmp_path, "s.json")
    pipe, zero, big = _not_small_files(tmp_path, ".toml")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for policy, said in ((pipe, "named pipe"), (zero, "device"), (big, "too large")):
        code, _, err = run_cli(["assess", str(snap), "--policy", str(policy)], capsys)
        assert code == 3 and said in err and "Traceback" not in err, (policy, err)
    # a capture whose meta.json is a pipe is refused; one whose recorded file is a pipe
    # or /dev/zero is probed, that file read as unreadable (as on a machine)
    import shutil

    cap = tmp_path / "cap"
    shutil.copytree(T480, cap)
    (cap / "meta.json").rename(cap / "meta.real")
    os.mkfifo(cap / "meta.json")
    code, _, err = run_cli(["probe", "--replay", str(cap)], capsys)
    assert code == 3 and "named pipe" in err, err
    (cap / "meta.json").unlink()
    (cap / "meta.real").rename(cap / "meta.json")
    name = cap / "root/sys/class/dmi/id/product_name"
    assert name.is_file()
    name.unlink()
    os.mkfifo(name)
    vendor = cap / "root/sys/class/dmi/id/sys_vendor"
    vendor.unlink()
    vendor.symlink_to("/dev/zero")
    code, out, err = run_cli(["probe", "--replay", str(cap), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["identity"]["model"] != "ThinkPad T480" or doc["identity"]["vendor"] is None
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grew < 200 << 10, f"the process grew {grew:,} KB"


# the second attack pass's codes, each accepted as a new participant beside P-0042
SECOND_LOOK_ALIKES = {
    "Braille blank": "P-0042\u2800",
    "Lisu P": "\ua4d1-0042",
    "Cherokee P": "\u13e2-0042",
    "Coptic P": "\u2ca2-0042",
    "Armenian P-like": "\u0580-0042",
    "lone Greek rho": "\u03c1-0042",
    "Greek alpha for a": "\u03b1-0042",
    "small capital P": "\u1d18-0042",
    "box-drawing dash": "P\u25000042",
    "heavy box dash": "P\u25010042",
    "horizontal line extension": "P\u23af0042",
    "heavy minus": "P\u27960042",
    "two-em dash": "P\u2e3a0042",
    "Hebrew maqaf": "P\u05be0042",
    "Armenian hyphen": "P\u058a0042",
    "Canadian hyphen": "P\u14000042",
    "Mongolian hyphen": "P\u18060042",
    "double oblique hyphen": "P\u2e170042",
    "wave dash": "P\u301c0042",
    "N'Ko zero": "P-\u07c0042",
    "Ol Chiki zero": "P-\u1c50042",
    "combining mark": "P-0\u0338042",
    "space inside": "P -0042",
}


def test_codes_are_written_with_a_known_alphabet_not_a_deny_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "a.db")]
    lot = ["--donor", "D", "--date", "2026-11-02"]
    assert run_cli(["participant", "add", "P-0042", *db], capsys)[0] == 0
    for name, typed in SECOND_LOOK_ALIKES.items():
        for argv in (["participant", "add", typed], ["lot", "add", typed, *lot]):
            status, _, err = run_cli([*argv, *db], capsys)
            assert status == 3 and "code" in err and "Traceback" not in err, (name, argv, err)
    _, out, _ = run_cli(["participant", "list", "--json", *db], capsys)
    assert [p["code"] for p in json.loads(out)] == ["P-0042"]
    # what a program writes codes with still goes in: French accents, syllabics,
    # Cyrillic that does not pass for Latin, "_"
    for fine in ("É-2026_1", "\u1403\u1583-7", "\u0414-7", "ł-3"):
        status, _, err = run_cli(["participant", "add", fine, *db], capsys)
        assert status == 0, (fine, err)


def test_codes_in_other_capitals_are_twins_in_every_alphabet(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's upper() changes only ASCII letters, so é-2 and É-2 were both recorded
    there; they are one code on paper. The same through a bundle."""
    from refurb.app.hub import import_bundle
    from refurb.errors import RefurbError
    from refurb.store.db import open_store

    db = ["--db", db_url]
    assert run_cli(["participant", "add", "é-2", *db], capsys)[0] == 0
    status, _, err = run_cli(["participant", "add", "É-2", *db], capsys)
    assert status == 6 and "é-2" in err and "capitals" in err, err
    status, out, err = run_cli(["participant", "history", "É-2", *db], capsys)
    assert status == 0, (out, err)  # found in other capitals
    lot = ["--donor", "D", "--date", "2026-11-02"]
    assert run_cli(["lot", "add", "Д-7", *lot, *db], capsys)[0] == 0
    status, _, err = run_cli(["lot", "add", "д-7", *lot, *db], capsys)
    assert status == 6 and "capitals" in err, err
    data = _bundle(tmp_path, "É-2")
    hub = open_store(db_url)
    before = _counts(hub)
    with pytest.raises(RefurbError) as exc:
        import_bundle(hub, data, KEY, "accent")
    assert "other capitals" in str(exc.value) and "é-2" in str(exc.value), exc.value
    assert _counts(hub) == before
    hub.dispose()
