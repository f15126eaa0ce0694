"""refurb db ..."""

from __future__ import annotations

import click

from refurb.cli.common import db_option, echo_json, json_option, tell
from refurb.i18n import N_


@click.group()
def db() -> None:
    """The inventory database: where it is, its schema version, upgrades, backups."""


@db.command()
@db_option
@click.option(
    "--create",
    is_flag=True,
    help="Make a new, empty SQLite inventory if the file does not exist yet.",
)
@json_option
def upgrade(db_url: str | None, create: bool, as_json: bool) -> None:
    """Bring the database schema up to this refurb's version (Alembic migrations). A
    SQLite file that does not exist is made only with --create."""
    from refurb.app.admin import upgrade as do_upgrade

    where, before, after = do_upgrade(db_url, create)
    if as_json:
        echo_json({"url": where, "schema_before": before, "schema": after})
    else:
        click.echo(f"{where}: schema {before or 'empty'} -> {after}")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@json_option
def backup(file: str, db_url: str | None, as_json: bool) -> None:
    """Copy the SQLite inventory to FILE with SQLite's online backup API: a consistent
    copy, safe while other refurb commands keep writing; FILE is readable by its owner
    only. For PostgreSQL it prints the pg_dump command to use instead. See the guide
    for a schedule."""
    from refurb.app.admin import backup as do_backup

    done = do_backup(db_url, file)
    if as_json:
        echo_json(done)
    else:
        tell(
            N_("{file}: {devices} device(s), {events} event(s), schema {schema}, {bytes:,} bytes"),
            file=file,
            devices=done["devices"],
            events=done["events"],
            schema=done["schema"],
            bytes=done["bytes"],
        )


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@db_option
@json_option
def restore(file: str, db_url: str | None, as_json: bool) -> None:
    """Replace the SQLite inventory by the backup FILE. FILE is checked first (a whole
    SQLite file, refurb's tables, a schema this refurb knows); the current inventory is
    kept beside it as .before-restore; the copy is one transaction, refused while
    another command is writing."""
    from refurb.app.admin import restore as do_restore

    done = do_restore(db_url, file)
    if as_json:
        echo_json(done)
    else:
        kept = f"; the previous one is kept as {done['kept']}" if done["kept"] else ""
        tell(
            N_("{restored}: restored from {file} ({devices} device(s), schema {schema}){kept}"),
            restored=done["restored"],
            file=file,
            devices=done["devices"],
            schema=done["schema"],
            kept=kept,
        )


@db.command()
@db_option
@json_option
def info(db_url: str | None, as_json: bool) -> None:
    """Where the database is, its schema and how many records it holds."""
    from refurb.app.admin import info as db_info

    doc = db_info(db_url)
    if as_json:
        echo_json(doc)
    else:
        for k, v in doc.items():
            click.echo(f"{k:<16} {v}")


@db.command()
@db_option
@json_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild the report tallies from the event log (one transaction).",
)
def verify(db_url: str | None, as_json: bool, repair: bool) -> int:
    """Recompute every device's status and the report tallies from the event log, and
    check every device against the rulebook (no ready or issued device with a drive
    lacking a passing latest record; no issue without a participant; every status step
    allowed). Reports any mismatch (there should be none) and exits 1 on one."""
    from refurb.app.admin import verify as do_verify

    v = do_verify(db_url, repair)
    if as_json:
        echo_json(
            {
                "statuses": v.statuses,
                "tallies": v.tallies,
                "rulebook": [
                    {"tag": g.tag, "rule": g.rule, "event": g.seq, "reason": g.reason}
                    for g in v.gate
                ],
                "repaired": repair,
            }
        )
    else:
        for b in v.statuses:
            tell(
                N_("{tag}: cached {cached}, log says {derived}"),
                tag=b["tag"],
                cached=b["cached"],
                derived=b["derived"],
            )
        if not v.statuses:
            tell(N_("every status matches its event log"))
        for line in v.tallies:
            click.echo(f"tally {line}")
        if v.tallies:
            tell(N_("the report tallies differ from the events: run refurb db verify --repair"))
        else:
            click.echo("the report tallies match the events" + (" (rebuilt)" if repair else ""))
        for g in v.gate:
            click.echo(f"rulebook [{g.rule}] {g}")
        if not v.gate:
            tell(N_("every device's history keeps the rulebook"))
    return 0 if v.ok else 1
