"""Opening the inventory database: SQLite by default, any SQLAlchemy URL otherwise.

SQLite runs with WAL (readers never block the writer), a busy timeout (several
processes on one station wait instead of failing), foreign keys on, and synchronous=FULL
(a committed intake survives a power cut). The schema is owned by Alembic: a new
database is created at the head revision; an older SQLite file is backed up and
upgraded; an older shared PostgreSQL database is left alone with the command to run,
because other stations may still be on the old version.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import Session, create_engine

from refurb.errors import Conflict, DatabaseError, MissingReference
from refurb.i18n import N_, Phrase
from refurb.store import tallies

MIGRATIONS = Path(__file__).with_name("migrations")
# The schema revisions this refurb knows, oldest first. Kept here so that opening a
# current database needs no Alembic import (a quarter of a second on a bench laptop);
# a test checks them against the migration scripts.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
SCHEMA_HEAD = REVISIONS[-1]


def default_url() -> str:
    from refurb.config import data_dir, load_config

    env = os.environ.get("REFURB_DATABASE_URL") or load_config().database_url
    if env:
        return env
    return f"sqlite:///{data_dir() / 'refurb.db'}"


def normalize_url(url: str) -> str:
    if "://" not in url:  # a plain path means a SQLite file
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _busy_ms() -> int:
    """How long a SQLite writer waits for another one (REFURB_SQLITE_BUSY_MS, default 15 s)."""
    try:
        return max(0, int(os.environ.get("REFURB_SQLITE_BUSY_MS", "15000")))
    except ValueError:
        return 15000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {_busy_ms()}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


# Strong references: a store dropped by a command must still have its pool closed
# (a garbage-collected pool leaves connections open until the process ends).
_OPEN: set[Store] = set()


def dispose_all() -> None:
    """Close every pooled connection (the CLI calls this when a command ends)."""
    while _OPEN:
        _OPEN.pop().engine.dispose()


class Store:
    def __init__(self, engine: Engine, url: str, *, read_only: bool = False) -> None:
        self.engine = engine
        self.url = url
        self.read_only = read_only  # a SQLite file opened read-only (see open_store)
        self.dialect = engine.dialect.name
        _OPEN.add(self)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit at the end, roll back on any error or Ctrl-C."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            with translate_errors(self.url):
                if self.dialect == "sqlite":
                    # Take the write lock up front: two stations never deadlock on upgrade.
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                yield session
                tallies.apply(session)  # the report tallies, in the same transaction
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = Session(self.engine)
        try:
            with translate_errors(self.url):
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        _OPEN.discard(self)


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        raise _explain(_root_cause(exc), url) from None
    except IntegrityError as exc:
        if _foreign_key_failed(exc):
            raise MissingReference(
                Phrase(
                    N_(
                        "a record names another that is not in {db} (a foreign key failed: {error})"
                    ),
                    db=safe_url(url),
                    error=str(exc.orig).splitlines()[0] if exc.orig else exc,
                ),
                N_(
                    "nothing was changed; the input names a device, drive, lot or "
                    "participant this database does not have"
                ),
            ) from exc
        if _unique_failed(exc):
            raise Conflict(
                Phrase(
                    N_("another writer stored the same record at the same moment on {db}"),
                    db=safe_url(url),
                ),
                N_("run the command again; nothing was changed"),
            ) from exc
        raise DatabaseError(  # NOT NULL, CHECK: a record this refurb should not write
            Phrase(
                N_("a record breaks a rule of {db}: {error}"),
                db=safe_url(url),
                error=str(exc.orig).splitlines()[0] if exc.orig else exc,
            ),
            N_("nothing was changed; please report this with the command that did it"),
        ) from exc
    except SADatabaseError as exc:
        raise _explain(exc, url) from None


def _foreign_key_failed(exc: IntegrityError) -> bool:
    """SQLite says so in words; PostgreSQL by SQLSTATE 23503 (foreign_key_violation)."""
    return getattr(exc.orig, "sqlstate", None) == "23503" or "FOREIGN KEY constraint failed" in str(
        exc.orig
    )


def _unique_failed(exc: IntegrityError) -> bool:
    """Two writers stored the same key: SQLite in words, PostgreSQL by SQLSTATE 23505."""
    return getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        exc.orig
    )


def _root_cause(exc: DBAPIError) -> DBAPIError:
    """When SQLite meets a full disk (or an I/O error) it rolls the whole transaction back
    by itself, so releasing the savepoint around a batch then fails with "no such
    savepoint"; the error worth telling is the one before it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DBAPIError) and "no such savepoint" not in str(seen.orig):
            return seen
        seen = seen.__context__
    return exc


def _explain(exc: DBAPIError, url: str) -> DatabaseError:
    msg = str(exc.orig) if exc.orig is not None else str(exc)
    where = safe_url(url)
    low = msg.lower()
    if "file is not a database" in low or "not a database" in low:
        return DatabaseError(
            Phrase(N_("{where} is not a refurb database (not SQLite at all)"), where=where),
            N_("point --db at the right file, or move this one away"),
        )
    if "database is locked" in low or "busy" in low:
        return DatabaseError(
            Phrase(N_("{where} is locked by another program"), where=where),
            N_("wait for the other refurb command to finish, then try again"),
        )
    if "connection refused" in low or "could not connect" in low or "timeout" in low:
        return DatabaseError(
            Phrase(N_("cannot reach the database server at {where}"), where=where),
            N_(
                "check the network and that the server runs; work offline with the local "
                "SQLite database and `refurb export` meanwhile"
            ),
        )
    if "readonly" in low or "read-only" in low:
        return DatabaseError(
            Phrase(N_("{where} is read-only"), where=where),
            N_("check the file's permissions or the drive; nothing was changed"),
        )
    if "disk is full" in low or "no space" in low:
        return DatabaseError(
            Phrase(N_("{where}: the disk is full"), where=where),
            N_("free space; nothing was changed"),
        )
    if "unable to open" in low:
        return DatabaseError(
            Phrase(N_("cannot open {where}"), where=where),
            N_("check the folder exists and is writable"),
        )
    return DatabaseError(
        Phrase(N_("database error on {where}: {error}"), where=where, error=msg.splitlines()[0])
    )


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            if inspect(conn).get_table_names():
                raise DatabaseError(
                    Phrase(
                        N_("{db} holds tables but no refurb schema version"),
                        db=safe_url(str(engine.url)),
                    ),
                    N_("this is not a refurb database; point --db elsewhere"),
                )
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction.

    Python's sqlite3 module opens a transaction only before INSERT/UPDATE/DELETE, so
    CREATE TABLE statements would each commit on their own and a kill -9 half-way
    through a new database's creation would leave some tables and no version. An
    explicit BEGIN IMMEDIATE makes the whole upgrade one transaction (SQLite's DDL is
    transactional) and takes the write lock first, so that a second process opening
    the same new file waits, then finds the schema made and does nothing.
    """
    from alembic import command

    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        command.upgrade(_alembic_config(conn), revision)


MISSING_HINT = "check --db, REFURB_DATABASE_URL or the config file's database_url"


def _does_not_exist(path: Path) -> DatabaseError:
    return DatabaseError(
        Phrase(
            N_(
                "database {path} does not exist; it is created by the first "
                "intake/import/lot add, or `--create` (refurb db upgrade --create)"
            ),
            path=path,
        ),
        MISSING_HINT,
    )


def _writable(path: Path) -> bool:
    """Whether this process may change the SQLite file: the file itself and its folder
    (for the -wal and -shm files beside it). False on a read-only file system too."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _new_sqlite_file(path: Path) -> None:
    """Create the folder and an empty database file, readable by its owner only (SQLite
    gives its -wal and -shm files the database's permissions); under sudo both go to
    the user who ran sudo."""
    from refurb.config import give_to_invoking_user, make_dirs

    try:
        make_dirs(path.parent)
    except OSError as exc:
        raise DatabaseError(
            Phrase(
                N_("cannot create the folder for {path}: {error}"),
                path=path,
                error=exc.strerror,
            ),
            N_("choose a writable place with --db"),
        ) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    except OSError as exc:
        raise DatabaseError(
            Phrase(N_("cannot create {path}: {error}"), path=path, error=exc.strerror),
            N_("choose a writable place with --db"),
        ) from None
    os.close(fd)
    give_to_invoking_user(path)


def _readonly_creator(path: Path) -> Any:
    """Connections that never write: SQLite's read-only mode; where even the -shm file
    cannot be made (a read-only file system), the file opened as immutable."""
    import sqlite3
    from urllib.parse import quote

    base = "file:" + quote(str(path))
    timeout = _busy_ms() / 1000

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            f"{base}?mode=ro", uri=True, timeout=timeout, check_same_thread=False
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            conn = sqlite3.connect(
                f"{base}?mode=ro&immutable=1", uri=True, timeout=timeout, check_same_thread=False
            )
        return conn

    return connect


def _sqlite_readonly_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {_busy_ms()}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def open_store(
    url: str | None = None,
    *,
    auto_upgrade: bool = True,
    check_schema: bool = True,
    create: bool = True,
    readonly: bool = False,
) -> Store:
    """Open the inventory.

    ``create``: a SQLite file that does not exist yet is made (with its folder, 0600);
    otherwise its absence is an error (exit 4), so a mistyped --db never starts a new,
    empty inventory. ``readonly``: the caller only reads; when the file or its folder
    cannot be written (permissions, a read-only file system) it is opened read-only and
    nothing is written to it (no WAL switch, no upgrade).
    """
    url = normalize_url(url or default_url())
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            Phrase(N_("{url!r} is not a database URL or file path"), url=url),
            N_("use a path like shop.db or postgresql+psycopg://host/db"),
        ) from None
    kwargs: dict[str, Any] = {}
    read_only = False
    if parsed.get_backend_name() == "sqlite":
        db_path = parsed.database
        if db_path and db_path != ":memory:" and not db_path.startswith("file:"):
            path = Path(db_path)
            if not path.exists():
                if not create:
                    raise _does_not_exist(path)
                _new_sqlite_file(path)
            elif not _writable(path):
                if not readonly:
                    raise DatabaseError(
                        Phrase(
                            N_("{path} is read-only (the file or its folder cannot be written)"),
                            path=path,
                        ),
                        N_(
                            "commands that only read (list, show, "
                            "report...) still work; nothing was "
                            "changed"
                        ),
                    )
                read_only = True
                kwargs["creator"] = _readonly_creator(path)
        kwargs["connect_args"] = {"timeout": _busy_ms() / 1000}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5, "options": "-c timezone=UTC"}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError, ModuleNotFoundError) as exc:
        raise DatabaseError(
            Phrase(N_("cannot use {db}: {exc}"), db=safe_url(url), exc=exc),
            N_("for PostgreSQL install the extra: pip install 'refurb-bench[postgres]'"),
        ) from None
    if engine.dialect.name == "sqlite":
        pragmas = _sqlite_readonly_pragmas if read_only else _sqlite_pragmas
        event.listen(engine, "connect", pragmas)
    store = Store(engine, url, read_only=read_only)
    if check_schema:
        try:
            with translate_errors(url):
                _ensure_schema(store, auto_upgrade and not read_only)
        except BaseException:
            store.dispose()
            raise
    return store


def _ensure_schema(store: Store, auto_upgrade: bool) -> None:
    current = current_revision(store.engine)
    head = SCHEMA_HEAD
    if current == head:
        return
    if store.read_only:
        raise DatabaseError(
            Phrase(
                N_("{url} is read-only and has schema {current}; this refurb needs {head}"),
                url=safe_url(store.url),
                current=current,
                head=head,
            )
            if current
            else Phrase(N_("{url} is read-only and is empty"), url=safe_url(store.url)),
            N_(
                "open it where it can be written once (refurb db upgrade), or use a "
                "refurb of its version"
            ),
        )
    if current is not None and current not in REVISIONS:
        raise DatabaseError(
            Phrase(
                N_("{db} was made by a newer refurb (schema {current})"),
                db=safe_url(store.url),
                current=current,
            ),
            N_("upgrade refurb on this station: pip install -U refurb-bench"),
        )
    if current is None:
        upgrade(store.engine)
        return
    if store.dialect == "sqlite" and auto_upgrade:
        db_path = store.engine.url.database
        if db_path and db_path != ":memory:":
            backup = f"{db_path}.before-{head}.bak"
            store.engine.dispose()
            shutil.copy2(db_path, backup)
            from refurb.config import give_to_invoking_user

            give_to_invoking_user(backup)
        upgrade(store.engine)
        return
    raise DatabaseError(
        Phrase(
            N_("{db} has schema {current}; this refurb needs {head}"),
            db=safe_url(store.url),
            current=current,
            head=head,
        ),
        Phrase(
            N_("run: refurb db upgrade --db '{db}' (once, when no station is writing)"),
            db=safe_url(store.url),
        ),
    )
