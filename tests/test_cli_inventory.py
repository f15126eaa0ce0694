"""The inventory commands as trainees and scripts use them, and several stations at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_probe_live_and_bad_input import run_cli

CAPTURES = Path(__file__).parent / "captures"
T480 = str(CAPTURES / "own-linux-lenovo-t480-handmade")


def probe_to(path: Path, capture: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["probe", "--replay", capture, "--out", str(path)], capsys)[0] == 0


def test_import_a_usb_stick_is_idempotent_and_reports_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    for i, name in enumerate(
        (
            "own-linux-lenovo-t480-handmade",
            "own-macos-macbookpro-ioreg-handmade",
            "linux-hdd-seagate-st3500418as-realloc304",
        )
    ):
        probe_to(stick / f"{i}.json", str(CAPTURES / name), capsys)
    good = (stick / "0.json").read_text()
    (stick / "truncated.json").write_text(good[: len(good) // 2])
    (stick / "future.json").write_text(good.replace('"refurb-snapshot/1"', '"refurb-snapshot/2"'))
    (stick / "notes.json").write_text('{"hello": 1}')
    db = str(tmp_path / "shop.db")
    code, out, _ = run_cli(["import", str(stick), "--db", db, "--json"], capsys)
    report = json.loads(out)
    assert code == 3  # something was refused: scripts notice
    assert report["counts"] == {"new": 3, "refused": 3}
    reasons = {
        Path(r["path"]).name: r["reason"] for r in report["files"] if r["outcome"] == "refused"
    }
    assert "not valid JSON" in reasons["truncated.json"]
    assert "newer than this refurb" in reasons["future.json"]
    assert "not a refurb snapshot" in reasons["notes.json"]
    assert all((stick / n).exists() for n in reasons)  # refused files stay
    code, out, _ = run_cli(["import", str(stick), "--db", db, "--json"], capsys)
    assert json.loads(out)["counts"] == {"known": 3, "refused": 3}
    code, out, _ = run_cli(["list", "--db", db, "--json"], capsys)
    assert len(json.loads(out)) == 3


def test_show_list_search_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.db")
    code, out, _ = run_cli(
        [
            "intake",
            "--replay",
            T480,
            "--db",
            db,
            "--json",
            "--operator",
            "trainee-07",
            "--weight",
            "2.1",
        ],
        capsys,
    )
    tag = json.loads(out)["intake"]["tag"]
    code, out, _ = run_cli(["show", tag.lower(), "--db", db, "--json"], capsys)
    record = json.loads(out)
    assert record["tag"] == tag and record["weight_kg"] == 2.1
    assert [e["status"] for e in record["events"] if e["status"]] == ["received", "diagnosed"]
    assert record["drives"][0]["serial"] == "S3TNNX0K123456"
    code, out, _ = run_cli(["show", tag, "--db", db], capsys)
    assert "NOT SANITIZED" in out and "trainee-07" in out
    code, out, _ = run_cli(["search", "T480", "--db", db, "--json"], capsys)
    assert [r["tag"] for r in json.loads(out)] == [tag]
    code, out, _ = run_cli(["list", "--status", "diagnosed", "--csv", "--db", db], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("tag,status") and tag in out


def test_csv_never_starts_a_cell_with_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from refurb.csvsafe import csv_safe

    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_safe("+1") == "'+1" and csv_safe("@SUM") == "'@SUM" and csv_safe("ok") == "ok"


def test_lifecycle_commands_and_their_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "x.db")]
    tag = json.loads(run_cli(["intake", "--replay", T480, *db, "--json"], capsys)[1])["intake"][
        "tag"
    ]
    code, _, err = run_cli(["status", tag, "issued", *db], capsys)
    assert code == 6 and "own step (issue)" in err and "refurb wipe | issue" in err
    code, _, err = run_cli(["status", tag, "ready", *db], capsys)
    assert code == 6 and "cannot become ready" in err
    code, _, err = run_cli(
        ["wipe", tag, "--level", "purge", "--method", "block-erase", *db], capsys
    )
    assert code == 2 and "needs the tool" in err
    code, _, err = run_cli(
        [
            "wipe",
            tag,
            "--level",
            "clear",
            "--method",
            "crypto-erase",
            "--tool",
            "x",
            "--verify",
            "y",
            "--result",
            "pass",
            *db,
        ],
        capsys,
    )
    assert code == 3 and "does not fit level clear" in err
    assert (
        run_cli(
            [
                "wipe",
                tag,
                "--level",
                "purge",
                "--method",
                "crypto-erase",
                "--tool",
                "nvme-cli",
                "--verify",
                "sample",
                "--result",
                "pass",
                *db,
            ],
            capsys,
        )[0]
        == 0
    )
    assert run_cli(["status", tag, "ready", *db], capsys)[0] == 0
    code, _, err = run_cli(["issue", tag, "--to", "P-1", *db], capsys)
    assert code == 5 and "participant add P-1" in err
    assert run_cli(["participant", "add", "P-1", "--community", "Arviat", *db], capsys)[0] == 0
    assert run_cli(["issue", tag, "--to", "P-1", *db], capsys)[0] == 0
    assert run_cli(["return", tag, "--note", "keyboard", *db], capsys)[0] == 0
    code, _, err = run_cli(["status", tag, "ready", *db], capsys)
    assert code == 6 and "not been probed since it came back" in err
    assert "refurb intake" in err  # the CLI names the command that does what is asked
    assert (
        run_cli(["harvest", tag, "--part", "ram", "--description", "8 GB DDR4", *db], capsys)[0]
        == 0
    )
    assert run_cli(["recycle", tag, "--note", "to the recycler", *db], capsys)[0] == 0
    code, _, err = run_cli(["status", tag, "diagnosed", *db], capsys)
    assert code == 6 and "recycled is final" in err


def test_scan_loop(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    env = {**os.environ, "REFURB_OPERATOR": "lead-01"}
    out = subprocess.run(
        [sys.executable, "-m", "refurb", "intake", "--replay", T480, "--db", db, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    tag = json.loads(out.stdout)["intake"]["tag"]
    typed = tag[:-1] + ("X" if tag[-1] != "X" else "Y")  # a typo: wrong check symbol
    script = f"{tag.lower()}\nRF-ZZZZZZ\n{typed}\nset repairing\n{tag}\n{tag}\nset none\nquit\n"
    proc = subprocess.run(
        [sys.executable, "-m", "refurb", "scan", "--db", db],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stderr
    assert lines[0].startswith(tag) and "[diagnosed]" in lines[0]
    assert "NOT CHANGED" in lines[1] and "mistyped" in lines[1]
    assert "NOT CHANGED" in lines[2]
    assert lines[3].startswith("armed")
    assert lines[4].endswith("-> repairing")
    assert "NOT CHANGED" in lines[5] or lines[5].endswith("-> repairing")
    assert "device(s) changed" in proc.stderr


@pytest.mark.slow
def test_several_stations_intake_at_once(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six processes, five intakes each, on one database: every tag unique, no event lost."""
    from refurb.store.db import open_store

    open_store(db_url).dispose()  # create the schema once, as a hub does
    snaps = []
    for i in range(30):
        path = tmp_path / f"s{i}.json"
        probe_to(path, T480, capsys)
        doc = json.loads(path.read_text())
        doc["identity"]["serial"] = f"SER{i:04d}"
        doc["identity"]["board_serial"] = None
        doc["identity"]["uuid"] = None
        path.write_text(json.dumps(doc))
        snaps.append(str(path))
    code = (
        "import sys\nfrom refurb.cli import main\n"
        "for p in sys.argv[2:]:\n"
        "    try:\n        main(['intake', p, '--db', sys.argv[1]])\n"
        "    except SystemExit as e:\n        assert e.code == 0, e.code\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url, *snaps[k::6]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(6)
    ]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    store = open_store(db_url)
    from sqlalchemy import func
    from sqlmodel import select

    from refurb.store import tallies
    from refurb.store.tables import Device, Event

    with store.reading() as s:
        tags = s.exec(select(Device.tag)).all()
        events = s.exec(select(func.count()).select_from(Event)).one()
        drift = tallies.differences(s.connection())  # the report tallies, under contention
    store.dispose()
    assert drift == []
    assert len(tags) == len(set(tags)) == 30
    assert events == 90  # received, probed and diagnosed for each


def test_list_by_site_community_lot_and_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "x.db")]
    for code_, site, community in (("L-A", "Shop A", "Arviat"), ("L-B", "Shop B", "Iqaluit")):
        args = ["lot", "add", code_, "--donor", "D", "--date", "2026-11-02"]
        assert run_cli([*args, "--site", site, "--community", community, *db], capsys)[0] == 0
    tags = {}
    for lot, name in (
        ("L-A", "own-linux-lenovo-t480-handmade"),
        ("L-B", "own-macos-macbookpro-ioreg-handmade"),
    ):
        code, out, _ = run_cli(
            ["intake", "--replay", str(CAPTURES / name), "--lot", lot, "--json", *db], capsys
        )
        assert code == 0
        tags[lot] = json.loads(out)["intake"]["tag"]

    def listed(*filters: str) -> list[str]:
        code, out, _ = run_cli(["list", *filters, "--json", *db], capsys)
        assert code == 0
        return [r["tag"] for r in json.loads(out)]

    assert listed("--site", "Shop A") == [tags["L-A"]]
    assert listed("--site", "Shop B", "--community", "Iqaluit") == [tags["L-B"]]
    assert listed("--site", "Shop B", "--lot", "L-A") == []
    assert sorted(listed("--since", "2026-01-01")) == sorted(tags.values())
    assert listed("--until", "2000-01-01") == []
    assert listed("--site", "Nowhere") == []
