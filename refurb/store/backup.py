"""Backing up and restoring a SQLite inventory with SQLite's online backup API.

Both directions go through ``sqlite3.Connection.backup``: it copies a consistent
snapshot of the source while other processes keep reading and writing it, and writing
into a live destination happens in one transaction under its write lock, so other refurb
commands see either the old inventory or the restored one, never a mix (replacing the
file under an open WAL database would corrupt it). PostgreSQL has its own tools.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from refurb.errors import BadInput, DatabaseError, EnvironmentProblem, UsageProblem
from refurb.i18n import N_, Phrase

REQUIRED_TABLES = {"alembic_version", "devices", "events", "lots", "participants"}


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL, or None for another database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise UsageProblem(N_("an in-memory database has nothing to back up"))
    return Path(parsed.database)


def pg_dump_command(url: str, out: str) -> str:
    """The pg_dump command that backs up this PostgreSQL database (password left out)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    plain = parsed.render_as_string(hide_password=True).replace(":***@", "@")
    return f"pg_dump --format=custom --file='{out}' '{plain}'"


def _ro(path: Path, timeout: float = 15.0) -> sqlite3.Connection:
    return sqlite3.connect(
        f"file:{quote(os.fsencode(str(path)))}?mode=ro", uri=True, timeout=timeout
    )


def describe(path: Path, known: tuple[str, ...]) -> dict[str, Any]:
    """Check that ``path`` is a whole refurb SQLite database of a schema this refurb knows;
    returns its schema and counts, or raises BadInput saying what is wrong."""
    if not path.is_file():
        raise BadInput(Phrase(N_("{path}: no such file"), path=path))
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BadInput(
                Phrase(N_("{path} is not a SQLite database"), path=path),
                N_("is this the right file?"),
            )
    try:
        conn = _ro(path)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise BadInput(
                    Phrase(
                        N_("{path} is not a refurb database (no {values} table)"),
                        path=path,
                        values=", ".join(sorted(missing)),
                    ),
                    N_("is this the right file?"),
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            devices = conn.execute("SELECT count(*) FROM devices").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BadInput(
            Phrase(N_("{path} cannot be read as a database: {exc}"), path=path, exc=exc)
        ) from None
    if ok != "ok":
        raise BadInput(
            Phrase(N_("{path} is damaged (integrity check: {ok})"), path=path, ok=ok),
            N_("use another backup"),
        )
    schema = row[0] if row else None
    if schema not in known:
        raise BadInput(
            Phrase(
                N_(
                    "{path} has schema {schema}, which this refurb does not know (it knows {known})"
                ),
                path=path,
                schema=schema,
                known=", ".join(known),
            ),
            N_("restore it with the refurb that made it, or upgrade refurb first"),
        )
    return {"schema": schema, "devices": int(devices), "events": int(events)}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _new_private_file(path: Path) -> None:
    """An empty file only its owner can read (a fresh SQLite database is an empty file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_out(source: Path, dest: Path, known: tuple[str, ...]) -> dict[str, Any]:
    """A consistent copy of the live database at ``source`` into ``dest`` (0600, one
    self-contained file), written beside it first and renamed into place."""
    from refurb.config import give_to_invoking_user, make_dirs

    if _same_file(source, dest):
        raise UsageProblem(N_("the backup cannot be the database itself; choose another FILE"))
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        make_dirs(dest.parent)
        _new_private_file(tmp)
        src = _ro(source)
        dst = sqlite3.connect(os.fsencode(tmp))
        try:
            src.backup(dst)  # one consistent snapshot; writers elsewhere carry on
            dst.execute("PRAGMA journal_mode = DELETE")  # standalone: no -wal beside it
            dst.commit()
        finally:
            dst.close()
            src.close()
        _fsync(tmp)
        info = describe(tmp, known)
        os.replace(tmp, dest)
        give_to_invoking_user(dest)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            Phrase(N_("backup of {source} failed: {exc}"), source=source, exc=exc),
            N_("nothing was written"),
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(
            Phrase(N_("cannot write {dest}: {error}"), dest=dest, error=exc.strerror or exc),
            N_("nothing was written"),
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return {"backup": str(dest), "bytes": dest.stat().st_size, **info}


def copy_in(backup: Path, target: Path, known: tuple[str, ...]) -> dict[str, Any]:
    """Replace the inventory at ``target`` by ``backup``: checked first, the current one
    kept as ``<target>.before-restore``, then copied in one transaction under the
    target's write lock (refused, unchanged, while another command is writing)."""
    from refurb.config import give_to_invoking_user

    if _same_file(backup, target):
        raise UsageProblem(N_("that file is the database itself; choose a backup FILE"))
    info = describe(backup, known)
    kept = None
    if target.exists():
        current = describe(target, known) if target.stat().st_size else None
        if current is not None:
            kept = target.with_name(target.name + ".before-restore")
            copy_out(target, kept, known)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        _new_private_file(target)
        give_to_invoking_user(target)
    src = _ro(backup)
    dst = sqlite3.connect(os.fsencode(target), timeout=2.0)
    try:
        try:
            # BEGIN IMMEDIATE first: a writer elsewhere means "not now", not a wait
            dst.execute("BEGIN IMMEDIATE")
            dst.execute("ROLLBACK")
            src.backup(dst)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseError(
                    Phrase(
                        N_("{target} is being written by another refurb command"), target=target
                    ),
                    N_(
                        "wait for it to finish (or stop the scan loop), then restore again; "
                        "nothing was changed"
                    ),
                ) from None
            raise DatabaseError(
                Phrase(N_("restore into {target} failed: {exc}"), target=target, exc=exc)
            ) from None
    finally:
        dst.close()
        src.close()
    after = describe(target, known)
    return {
        "restored": str(target),
        "from": str(backup),
        "kept": str(kept) if kept and kept.exists() else None,
        **after,
        "schema_of_backup": info["schema"],
    }
