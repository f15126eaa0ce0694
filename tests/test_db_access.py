"""Which commands may create an inventory, and reading without write access: a mistyped
--db never starts a new empty inventory, and a read-only file or file system can still
be listed, shown and reported on."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_probe_live_and_bad_input import run_cli

T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"

READERS = [
    ["list"],
    ["show", "RF-7K2Q9W"],
    ["search", "lenovo"],
    ["report"],
    ["report", "--community", "Iqaluit", "--json"],
    ["label", "--status", "ready", "--out", "labels.pdf"],
    ["certificate", "--lot", "L1"],
    ["db", "info"],
    ["db", "verify"],
    ["export", "--out", "b.refurb"],
    ["lot", "list"],
    ["participant", "list"],
]
WRITERS = [["status", "RF-7K2Q9W", "ready"], ["issue", "RF-7K2Q9W", "--to", "P1"]]


@pytest.mark.parametrize("args", READERS + WRITERS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_database_is_not_created_by_reading(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REFURB_PROGRAM_KEY", "k" * 32)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    code, _, err = run_cli([*args, "--db", str(db)], capsys)
    assert code == 4, err
    assert f"database {db} does not exist" in err
    assert "created by the first intake/import/lot add, or `--create`" in err
    assert not (tmp_path / "nonexistent").exists()


def test_the_default_inventory_is_not_created_by_reading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(["list"], capsys)
    assert code == 4 and "does not exist" in err
    assert not Path(os.environ["REFURB_DATA_DIR"]).exists()


def test_recording_commands_create_it_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new" / "x.db"
    code, _, err = run_cli(
        ["lot", "add", "L1", "--donor", "D", "--date", "2026-01-01", "--db", str(db)], capsys
    )
    assert code == 0, err
    assert db.stat().st_mode & 0o777 == 0o600
    db2 = tmp_path / "new2" / "x.db"
    assert run_cli(["intake", "--replay", str(T480), "--db", str(db2)], capsys)[0] == 0
    assert db2.stat().st_mode & 0o777 == 0o600
    import sqlite3

    with sqlite3.connect(db2) as conn:  # while open, WAL mode keeps -wal and -shm beside it
        conn.execute("SELECT count(*) FROM devices").fetchone()
        for extra in ("-wal", "-shm"):
            beside = Path(f"{db2}{extra}")
            assert beside.exists() and beside.stat().st_mode & 0o777 == 0o600, extra
    db3 = tmp_path / "new3" / "x.db"
    code, out, err = run_cli(["db", "upgrade", "--create", "--db", str(db3), "--json"], capsys)
    assert code == 0 and json.loads(out)["schema_before"] is None, err
    assert run_cli(["list", "--db", str(db3)], capsys)[0] == 0


def _inventory(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "shop.db"
    code, out, err = run_cli(["intake", "--replay", str(T480), "--db", str(db), "--json"], capsys)
    assert code == 0, err
    return db, json.loads(out)["intake"]["tag"]


def _reads_work(db: Path, tag: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["list"], ["show", tag], ["search", tag], ["report"], ["db", "info"]):
        code, out, err = run_cli([*args, "--db", str(db)], capsys)
        assert code == 0, (args, err)
    code, out, _ = run_cli(["list", "--db", str(db), "--json"], capsys)
    assert [r["tag"] for r in json.loads(out)] == [tag]
    code, out, err = run_cli(["report", "--json", "--db", str(db)], capsys)
    assert code == 0 and json.loads(out)["totals"]["received"] == 1, err


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_a_read_only_database_file_can_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, tag = _inventory(tmp_path / "ro", capsys)
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        if os.geteuid() == 0:
            # root writes through permission bits: make refurb see what a user would
            import refurb.store.db as store_db

            monkeypatch.setattr(store_db, "_writable", lambda _path: False)
        before = _digest(db.parent)["shop.db"]
        _reads_work(db, tag, capsys)
        # (a WAL reader may leave an empty -wal and an -shm where the folder allows it)
        assert _digest(db.parent)["shop.db"] == before, "a reading command wrote"
        wal = db.parent / "shop.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0
        code, _, err = run_cli(["status", tag, "repairing", "--db", str(db)], capsys)
        assert code == 4 and "read-only" in err
    finally:
        db.parent.chmod(0o755)


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A folder, and the same folder bind-mounted read-only (needs root, as on CI)."""
    give_up = pytest.fail if os.environ.get("REFURB_REQUIRE_DISK_FULL") else pytest.skip
    if os.geteuid() != 0:
        give_up("a read-only bind mount needs root")
    src, view = tmp_path / "src", tmp_path / "view"
    src.mkdir()
    view.mkdir()
    for cmd in (
        ["mount", "--bind", str(src), str(view)],
        ["mount", "-o", "remount,bind,ro", str(view)],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            subprocess.run(["umount", "-l", str(view)], check=False)
            give_up(f"cannot mount here: {proc.stderr.strip()}")
    try:
        yield src, view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_a_read_only_file_system_can_be_read(
    read_only_mount: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    src, view = read_only_mount
    db, tag = _inventory(src, capsys)
    shutil.copy2(db, src / "copy.db")
    assert not (view / "probe").exists()
    with pytest.raises(OSError):
        (view / "probe").write_text("x")
    _reads_work(view / "shop.db", tag, capsys)
    code, _, err = run_cli(["status", tag, "repairing", "--db", str(view / "shop.db")], capsys)
    assert code == 4 and "read-only" in err
    code, _, err = run_cli(
        ["lot", "add", "L9", "--donor", "D", "--date", "2026-01-01", "--db", str(view / "x.db")],
        capsys,
    )
    assert code == 4 and "cannot create" in err
