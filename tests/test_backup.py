"""refurb db backup / restore (SQLite's online backup API), and files only their owner
can read: the database, its backups, export bundles, a config holding the program key."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from refurb.store.db import SCHEMA_HEAD
from tests.test_probe_live_and_bad_input import run_cli

ROOT = Path(__file__).parent.parent
T480 = ROOT / "tests" / "captures" / "own-linux-lenovo-t480-handmade"


def _lots(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute("SELECT code FROM lots"))


def _add_lot(db: Path, code: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["lot", "add", code, "--donor", "D", "--date", "2026-01-01", "--db", str(db)]
    assert run_cli(args, capsys)[0] == 0


def test_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "shop.db"
    assert run_cli(["intake", "--replay", str(T480), "--db", str(db)], capsys)[0] == 0
    _add_lot(db, "L1", capsys)
    out = tmp_path / "backups" / "monday.db"
    code, stdout, err = run_cli(["db", "backup", str(out), "--db", str(db), "--json"], capsys)
    assert code == 0, err
    done = json.loads(stdout)
    assert done["devices"] == 1 and done["schema"] == SCHEMA_HEAD
    assert out.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{out}-wal").exists(), "a backup is one self-contained file"

    _add_lot(db, "L2", capsys)
    code, stdout, err = run_cli(["db", "restore", str(out), "--db", str(db), "--json"], capsys)
    assert code == 0, err
    done = json.loads(stdout)
    assert _lots(db) == ["L1"]
    kept = Path(done["kept"])
    assert kept == tmp_path / "shop.db.before-restore" and _lots(kept) == ["L1", "L2"]
    assert kept.stat().st_mode & 0o777 == 0o600
    code, stdout, _ = run_cli(["list", "--db", str(db), "--json"], capsys)
    assert code == 0 and len(json.loads(stdout)) == 1

    # A restore into a database that does not exist yet makes it.
    fresh = tmp_path / "other" / "new.db"
    assert run_cli(["db", "restore", str(out), "--db", str(fresh)], capsys)[0] == 0
    assert _lots(fresh) == ["L1"] and fresh.stat().st_mode & 0o777 == 0o600


def test_restore_checks_the_file_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "shop.db"
    _add_lot(db, "L1", capsys)
    before = db.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    newer = tmp_path / "newer.db"
    run_cli(["db", "backup", str(newer), "--db", str(db)], capsys)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    for bad, says in (
        (junk, "is not a SQLite database"),
        (other, "is not a refurb database"),
        (newer, "schema 9999, which this refurb does not know"),
    ):
        code, _, err = run_cli(["db", "restore", str(bad), "--db", str(db)], capsys)
        assert code == 3 and says in err, err
    code, _, err = run_cli(["db", "restore", str(db), "--db", str(db)], capsys)
    assert code == 2 and "the database itself" in err
    assert db.read_bytes() == before
    assert not (tmp_path / "shop.db.before-restore").exists()


def test_restore_is_refused_while_another_command_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop.db"
    _add_lot(db, "L1", capsys)
    out = tmp_path / "b.db"
    assert run_cli(["db", "backup", str(out), "--db", str(db)], capsys)[0] == 0
    _add_lot(db, "L2", capsys)
    writer = sqlite3.connect(db)
    writer.execute("BEGIN IMMEDIATE")  # another command, mid-transaction
    try:
        code, _, err = run_cli(["db", "restore", str(out), "--db", str(db)], capsys)
    finally:
        writer.rollback()
        writer.close()
    assert code == 4 and "being written by another refurb command" in err
    assert _lots(db) == ["L1", "L2"]


def test_backup_while_others_write_is_consistent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop.db"
    _add_lot(db, "L0", capsys)
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(db, timeout=15)
        i = 1
        while not stop.is_set():
            with conn:
                conn.execute(
                    "INSERT INTO lots (id, code, donor, received_on, donor_choice, created_at) "
                    "SELECT ?, ?, donor, received_on, donor_choice, created_at FROM lots "
                    "WHERE code = 'L0'",
                    (f"id-{i}", f"L{i}"),
                )
            i += 1
        conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for n in range(3):
            out = tmp_path / f"b{n}.db"
            code, _, err = run_cli(["db", "backup", str(out), "--db", str(db)], capsys)
            assert code == 0, err
            with sqlite3.connect(out) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                codes = {r[0] for r in conn.execute("SELECT code FROM lots")}
            # a prefix of the writes: L0..Lk with no gap
            assert codes == {f"L{i}" for i in range(len(codes))}
    finally:
        stop.set()
        thread.join()


def test_postgresql_backup_says_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["db", "backup", "hub.dump", "--db", "postgresql://refurb:secret@hub.local/refurb"],
        capsys,
    )
    assert code == 2
    assert "pg_dump --format=custom --file='hub.dump' 'postgresql://refurb@hub.local/refurb'" in err
    assert "secret" not in err


def test_bundles_are_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFURB_PROGRAM_KEY", "k" * 32)
    db = tmp_path / "shop.db"
    _add_lot(db, "L1", capsys)
    bundle = tmp_path / "b.refurb"
    assert run_cli(["export", "--out", str(bundle), "--db", str(db)], capsys)[0] == 0
    assert bundle.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_config_with_the_key_readable_by_others_is_warned_about(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('program_key = "0123456789abcdef0123"\n')
    env = {"REFURB_CONFIG": str(config), "REFURB_DATA_DIR": str(tmp_path / "d")}

    def run() -> str:
        import os

        proc = subprocess.run(
            [sys.executable, "-m", "refurb", "report", "--db", str(tmp_path / "none.db")],
            capture_output=True,
            text=True,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        )
        return proc.stderr

    config.chmod(0o644)
    assert f"warning: {config} holds the program key and others can read it" in run()
    config.chmod(0o600)
    assert "warning" not in run()
