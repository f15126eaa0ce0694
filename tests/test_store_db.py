"""Opening databases: migrations from an older schema, and every way opening can fail."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

from refurb.errors import DatabaseError
from refurb.store import tallies
from refurb.store.db import current_revision, head_revision, open_store, upgrade
from tests.test_probe_live_and_bad_input import run_cli

T480 = str(Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade")


def _old_database(url: str) -> None:
    """A database made by refurb's first schema (0001), with rows in every kind of table."""
    engine = sqlalchemy.create_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO lots (id, code, donor, received_on, donor_choice, community, "
            "created_at) VALUES ('l1', 'L-OLD', 'Hamlet office', '2025-05-01', 'reuse', "
            "'Kimmirut', '2025-05-01 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO devices (id, tag, identity_kind, identity_key, vendor, model, serial, "
            "chassis, memory_bytes, lot_id, community, status, created_at, updated_at) VALUES "
            "('d1', 'RF-0000AT', 'serial', 'k1', 'Dell Inc.', 'Latitude E5530', 'S1', 'laptop', "
            "8589934592, 'l1', 'Kimmirut', 'received', '2025-05-02 09:00:00', "
            "'2025-05-02 09:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO events (id, device_id, at, kind, status, actor) VALUES "
            "('e1', 'd1', '2025-05-02 09:00:00', 'status', 'received', 'trainee-01')"
        )
    engine.dispose()


def test_an_older_sqlite_database_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(f"sqlite:///{path}")
    store = open_store(str(path))
    assert current_revision(store.engine) == head_revision()
    assert (tmp_path / f"old.db.before-{head_revision()}.bak").exists()
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT tag, model, memory_bytes, status, year FROM devices"
        ).one()
        assert tuple(row) == ("RF-0000AT", "Latitude E5530", 8589934592, "received", None)
        assert (
            conn.exec_driver_sql("SELECT actor FROM events WHERE kind = 'status'").scalar()
            == "trainee-01"
        )
        assert conn.exec_driver_sql("SELECT donor FROM lots").scalar() == "Hamlet office"
        # the report tallies (schema 0003) were filled from the events already there
        assert conn.exec_driver_sql(
            "SELECT month, community, n FROM tally_marks WHERE measure = 'received'"
        ).all() == [("2025-05", "Kimmirut", 1)]
        assert tallies.differences(conn) == []
    store.dispose()


@pytest.mark.postgres
def test_an_older_postgres_database_says_what_to_run_then_upgrades(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db_url = pg_url
    _old_database(db_url)
    with pytest.raises(DatabaseError) as exc:
        open_store(db_url)
    assert "refurb db upgrade --db" in (exc.value.hint or "")
    assert run_cli(["db", "upgrade", "--db", db_url], capsys)[0] == 0
    code, out, _ = run_cli(["show", "RF-0000AT", "--db", db_url, "--json"], capsys)
    assert code == 0 and json.loads(out)["model"] == "Latitude E5530"


def test_a_newer_schema_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new.db"
    open_store(str(path)).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = run_cli(["list", "--db", str(path)], capsys)
    assert code == 4 and "newer refurb" in err


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "photo.db"
    path.write_bytes(b"\x89PNG\r\n" + b"\x00" * 4096)
    code, _, err = run_cli(["list", "--db", str(path)], capsys)
    assert code == 4 and "not a refurb database" in err
    assert path.read_bytes().startswith(b"\x89PNG")  # untouched


def test_a_database_of_another_program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    code, _, err = run_cli(["list", "--db", str(path)], capsys)
    assert code == 4 and "no refurb schema" in err


def test_a_server_that_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["list", "--db", "postgresql+psycopg://refurb:secret@127.0.0.1:1/x"], capsys
    )
    assert code == 4 and "cannot reach the database server" in err
    assert "secret" not in err  # the password is never printed


def test_a_locked_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.db"
    open_store(str(path)).dispose()
    monkeypatch.setenv("REFURB_SQLITE_BUSY_MS", "200")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run_cli(["intake", "--replay", T480, "--db", str(path)], capsys)
    finally:
        holder.rollback()
        holder.close()
    assert code == 4 and "locked by another program" in err
    assert run_cli(["list", "--db", str(path), "--json"], capsys)[1].strip() == "[]"


def test_a_read_only_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    if os.geteuid() == 0:
        # root ignores file permissions; use SQLite's own read-only mode instead
        path = tmp_path / "ro.db"
        open_store(str(path)).dispose()
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        path = tmp_path / "ro.db"
        open_store(str(path)).dispose()
        path.chmod(0o444)
        url = str(path)
    code, _, err = run_cli(["intake", "--replay", T480, "--db", url], capsys)
    assert code == 4 and ("read-only" in err or "cannot open" in err)


def test_not_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["list", "--db", "mysql+nodriver://x/y"], capsys)
    assert code == 4 and "cannot use" in err


def test_default_database_lives_in_the_user_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFURB_DATA_DIR", str(tmp_path / "data"))
    assert run_cli(["intake", "--replay", T480], capsys)[0] == 0
    assert (tmp_path / "data" / "refurb.db").exists()
    with sqlite3.connect(tmp_path / "data" / "refurb.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_db_info_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.db")
    run_cli(["intake", "--replay", T480, "--db", db], capsys)
    code, out, _ = run_cli(["db", "info", "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["devices"] == 1
    assert run_cli(["db", "verify", "--db", db], capsys)[0] == 0
    # a tally knocked out of step (as a hand edit would) is found, then repaired
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE tally_marks SET n = n + 1 WHERE measure = 'received'")
    code, out, _ = run_cli(["db", "verify", "--db", db, "--json"], capsys)
    assert code == 1
    found = json.loads(out)
    assert found["statuses"] == [] and len(found["tallies"]) == 1
    assert "received" in found["tallies"][0]
    assert run_cli(["db", "verify", "--db", db, "--repair"], capsys)[0] == 0
    assert run_cli(["db", "verify", "--db", db], capsys)[0] == 0


def test_help_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys; from refurb.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
        "assert 'sqlalchemy' not in sys.modules and 'reportlab' not in sys.modules\n"
        "try:\n    main(['probe', '--no-smart', '--json'])\nexcept SystemExit: pass\n"
        "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'reportlab', 'qrcode', 'cpuinfo')"
        " if m in sys.modules]\nassert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_the_revisions_in_code_match_the_migration_scripts() -> None:
    from refurb.store.db import REVISIONS, SCHEMA_HEAD, known_revisions

    assert set(REVISIONS) == known_revisions()
    assert head_revision() == SCHEMA_HEAD


@pytest.mark.parametrize("fail_at", [1, 3, 9])
def test_a_new_database_interrupted_while_created_holds_nothing(db_url: str, fail_at: int) -> None:
    """The schema of a new database is made in one transaction: an error (or kill -9)
    after some CREATE TABLEs leaves no tables at all, and the next open makes them all."""
    engine = sqlalchemy.create_engine(db_url)
    seen = 0

    def fail_on_nth_create(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        nonlocal seen
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            seen += 1
            if seen == fail_at:
                raise RuntimeError("power cut")

    sqlalchemy.event.listen(engine, "before_cursor_execute", fail_on_nth_create)
    with pytest.raises(RuntimeError, match="power cut"):
        upgrade(engine)
    sqlalchemy.event.remove(engine, "before_cursor_execute", fail_on_nth_create)
    assert seen == fail_at
    with engine.connect() as conn:
        assert sqlalchemy.inspect(conn).get_table_names() == []
    engine.dispose()
    store = open_store(db_url)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.dispose()


def test_an_upgrade_interrupted_half_way_leaves_the_old_schema_and_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)
    engine = sqlalchemy.create_engine(url)

    def fail_late(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE ALEMBIC_VERSION"):
            raise RuntimeError("power cut")

    sqlalchemy.event.listen(engine, "before_cursor_execute", fail_late)
    with pytest.raises(RuntimeError, match="power cut"):
        upgrade(engine)
    sqlalchemy.event.remove(engine, "before_cursor_execute", fail_late)
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT tag FROM devices").scalar_one() == "RF-0000AT"
    engine.dispose()
    store = open_store(url)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.dispose()


def test_the_migrations_make_exactly_the_tables_the_code_declares(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        store.dispose()
