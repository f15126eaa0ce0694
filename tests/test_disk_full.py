"""A real full disk: a small tmpfs filled to the last byte. The USB stick's outbox, the
shop's SQLite database and the label PDF each give a clear message and a non-zero exit,
leave no partial file and no damaged database, and work again once space is freed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from refurb.probe import collect
from refurb.probe.source import CaptureSource
from tests.test_probe_live_and_bad_input import run_cli

T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of its own (needs root, as on CI; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    # CI sets REFURB_REQUIRE_DISK_FULL=1: there these tests must run, not skip.
    give_up = pytest.fail if os.environ.get("REFURB_REQUIRE_DISK_FULL") else pytest.skip
    if os.geteuid() != 0:
        give_up("mounting a small tmpfs to fill needs root")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        give_up(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write until the disk refuses another byte; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        block = b"\0" * 65536
        try:
            while True:
                fh.write(block)
        except OSError:
            pass
        try:
            while True:  # the last few bytes
                fh.write(b"\0")
        except OSError:
            pass
    return filler


def snapshots(folder: Path, n: int) -> None:
    folder.mkdir()
    base = collect(CaptureSource(T480)).to_dict()
    for i in range(n):
        base["snapshot_id"] = str(uuid.uuid4())
        base["identity"].update(
            serial=f"{folder.name.upper()}{i:05d}", board_serial=None, uuid=None
        )
        (folder / f"{i:04d}.json").write_text(json.dumps(base))


def test_a_full_stick_gives_a_clear_error_and_no_partial_file(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = small_disk / "outbox"
    outbox.mkdir()
    filler = fill(small_disk)
    code, _, err = run_cli(["probe", "--replay", str(T480), "--outbox", str(outbox)], capsys)
    assert code == 7 and "the disk is full" in err and "nothing was written" in err
    assert list(outbox.iterdir()) == []  # not even a temporary part
    filler.unlink()
    assert run_cli(["probe", "--replay", str(T480), "--outbox", str(outbox)], capsys)[0] == 0
    assert len(list(outbox.glob("*.json"))) == 1


def test_a_full_disk_under_the_database_loses_nothing(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(small_disk / "shop.db")
    first, more = tmp_path / "first", tmp_path / "more"
    snapshots(first, 20)
    snapshots(more, 300)
    code, out, _ = run_cli(["import", str(first), "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["counts"] == {"new": 20}

    def state() -> tuple[int, int, int, str]:
        with sqlite3.connect(db) as conn:
            return (
                conn.execute("SELECT count(*) FROM devices").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0],
                conn.execute("SELECT sum(n) FROM tally_marks").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0],
            )

    before = state()
    filler = fill(small_disk)
    code, _, err = run_cli(["import", str(more), "--db", db, "--json"], capsys)
    assert code == 4 and "the disk is full" in err, err
    code, _, err = run_cli(["intake", "--replay", str(T480), "--db", db], capsys)
    assert code == 4 and "the disk is full" in err, err
    filler.unlink()
    assert state() == before  # nothing half-written, nothing damaged
    code, out, err = run_cli(["import", str(more), "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["counts"] == {"new": 300}, err
    assert state()[0] == 320
    assert run_cli(["db", "verify", "--db", db], capsys)[0] == 0


def test_a_label_pdf_on_a_full_disk(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "shop.db")
    code, out, _ = run_cli(["intake", "--replay", str(T480), "--db", db, "--json"], capsys)
    tag = json.loads(out)["intake"]["tag"]
    fill(small_disk)
    target = small_disk / "labels.pdf"
    code, _, err = run_cli(["label", tag, "--out", str(target), "--db", db], capsys)
    assert code == 7 and "the disk is full" in err
    assert [p.name for p in small_disk.iterdir()] == ["filler"]
