from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
OWN_CAPTURES = HERE / "captures"
SHARED = Path(os.environ.get("REFURB_SHARED", HERE.parent.parent / "shared"))
SHARED_CAPTURES = SHARED / "fixtures" / "real"


def capture_dirs() -> list[Path]:
    """Every capture with an expected.json: ours (always) and the shared set (when present)."""
    dirs = {p.parent.name: p.parent for p in OWN_CAPTURES.glob("*/meta.json")}
    if SHARED_CAPTURES.is_dir():
        for p in SHARED_CAPTURES.glob("*/meta.json"):
            dirs.setdefault(p.parent.name, p.parent)
    return [dirs[k] for k in sorted(dirs)]


def shared_or_skip(name: str) -> Path:
    path = SHARED_CAPTURES / name
    if not path.is_dir():
        pytest.skip(
            f"the shared capture {name} (AGPL, not copied here) needs ../shared; "
            f"set REFURB_SHARED to the shared folder"
        )
    return path


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user's data or config folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("REFURB_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("REFURB_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("REFURB_DATABASE_URL", raising=False)
    monkeypatch.delenv("SUDO_USER", raising=False)  # tests/test_sudo.py sets it itself


# --- databases: a real SQLite file, and a real PostgreSQL server ------------------

PG_URL = os.environ.get("REFURB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("REFURB_REQUIRE_POSTGRES") == "1"


def _pg_admin():  # type: ignore[no-untyped-def]
    import sqlalchemy

    return sqlalchemy.create_engine(
        PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def postgres_available() -> str | None:
    """None when the server answers; else the reason it cannot be used."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        engine = _pg_admin()
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"no PostgreSQL at {PG_URL} ({type(exc).__name__})"
    return None


def fresh_pg_database() -> tuple[str, object]:
    """A new, empty database on the test server; returns its URL and a drop function."""
    import secrets

    import sqlalchemy

    name = f"refurb_t_{secrets.token_hex(6)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = (
        sqlalchemy.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    )

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """The URL of an empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'refurb.db'}"
        return
    yield from _postgres_url()


@pytest.fixture
def pg_url() -> object:
    """A fresh PostgreSQL database, for the tests about PostgreSQL alone."""
    yield from _postgres_url()


def _postgres_url():  # type: ignore[no-untyped-def]
    reason = postgres_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here (REFURB_REQUIRE_POSTGRES=1): {reason}")
        pytest.skip(reason)
    url, drop = fresh_pg_database()
    yield url
    import gc

    gc.collect()  # close engines the test left for the garbage collector
    drop()  # type: ignore[operator]
