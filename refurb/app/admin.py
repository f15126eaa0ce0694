"""The database itself: where it is, its schema, upgrades, and the full check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refurb.app.checks import Violation, violations
from refurb.i18n import N_, Phrase
from refurb.store import tallies
from refurb.store.db import current_revision, head_revision, open_store, safe_url
from refurb.store.db import upgrade as do_upgrade
from refurb.store.history import all_device_ids
from refurb.store.inventory import counts, status_mismatches


def upgrade(db_url: str | None, create: bool = False) -> tuple[str, str | None, str]:
    """Bring the schema to this refurb's head; ``create`` makes a new SQLite file."""
    store = open_store(db_url, check_schema=False, create=create)
    before = current_revision(store.engine)
    do_upgrade(store.engine)
    return safe_url(store.url), before, head_revision()


def info(db_url: str | None) -> dict[str, Any]:
    store = open_store(db_url, create=False, readonly=True)
    with store.reading() as session:
        return {
            "url": safe_url(store.url),
            "schema": current_revision(store.engine),
            "schema_expected": head_revision(),
            **counts(session),
        }


def backup(db_url: str | None, out: str) -> dict[str, Any]:
    """A consistent copy of the SQLite inventory, safe while others write. For
    PostgreSQL: the pg_dump command to run instead (raised as a usage problem)."""
    from pathlib import Path

    from refurb.errors import UsageProblem
    from refurb.store import backup as bk
    from refurb.store.db import REVISIONS, default_url, normalize_url

    _named(out)

    url = normalize_url(db_url or default_url())
    path = bk.sqlite_path(url)
    if path is None:
        raise UsageProblem(
            Phrase(
                N_("{db} is a PostgreSQL database: back it up with pg_dump"),
                db=safe_url(url),
            ),
            Phrase(N_("run: {command}"), command=bk.pg_dump_command(url, out)),
        )
    open_store(url, create=False, readonly=True).dispose()  # exists, is refurb's
    return bk.copy_out(path, Path(out), REVISIONS)


def restore(db_url: str | None, source: str) -> dict[str, Any]:
    """Replace the SQLite inventory by a checked backup; the old one is kept beside it as
    .before-restore. An older known schema is upgraded after."""
    from pathlib import Path

    from refurb.errors import UsageProblem
    from refurb.store import backup as bk
    from refurb.store.db import REVISIONS, default_url, normalize_url

    _named(source)

    url = normalize_url(db_url or default_url())
    path = bk.sqlite_path(url)
    if path is None:
        raise UsageProblem(
            Phrase(
                N_("{db} is a PostgreSQL database: restore it with pg_restore"),
                db=safe_url(url),
            ),
            N_(
                "run: pg_restore --clean --if-exists --dbname '...' FILE (when no "
                "station is writing)"
            ),
        )
    done = bk.copy_in(Path(source), path, REVISIONS)
    store = open_store(url, create=False)  # an older known schema is upgraded here
    done["schema"] = current_revision(store.engine)
    store.dispose()
    return done


@dataclass
class Verified:
    statuses: list[dict[str, str | None]]
    tallies: list[str]
    gate: list[Violation] = field(default_factory=list)
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not (self.statuses or self.tallies or self.gate)


def verify(db_url: str | None, repair: bool) -> Verified:
    """Every status against its event log, the report tallies against the events, and
    the rulebook on every device. ``repair`` rebuilds the tallies first."""
    store = open_store(db_url, create=False, readonly=not repair)
    if repair:
        with store.transaction() as session:
            tallies.rebuild(session.connection())
    with store.reading() as session:
        conn = session.connection()
        gate: list[Violation] = []
        for ids in all_device_ids(conn):
            gate.extend(violations(conn, ids))
        return Verified(
            status_mismatches(session), tallies.differences(conn), gate, repaired=repair
        )


def _named(path: str) -> None:
    from refurb.errors import UsageProblem

    if not path.strip():
        raise UsageProblem(
            N_("the file name is empty"), N_("name the backup file, e.g. shop-2026-12.db")
        )
