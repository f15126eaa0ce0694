"""refurb db ..."""

from __future__ import annotations

import click

from refurb.cli.common import db_option, echo_json, json_option


@click.group()
def db() -> None:
    """The inventory database: where it is, its schema version, upgrades."""


@db.command()
@db_option
def upgrade(db_url: str | None) -> None:
    """Bring the database schema up to this refurb's version (Alembic migrations)."""
    from refurb.store.db import current_revision, head_revision, open_store, safe_url
    from refurb.store.db import upgrade as do_upgrade

    store = open_store(db_url, check_schema=False)
    before = current_revision(store.engine)
    do_upgrade(store.engine)
    click.echo(f"{safe_url(store.url)}: schema {before or 'empty'} -> {head_revision()}")


@db.command()
@db_option
@json_option
def info(db_url: str | None, as_json: bool) -> None:
    """Where the database is, its schema and how many records it holds."""
    from sqlalchemy import func
    from sqlmodel import select

    from refurb.store.db import current_revision, head_revision, open_store, safe_url
    from refurb.store.tables import Device, Event, Snapshot

    store = open_store(db_url)
    with store.reading() as session:
        doc = {
            "url": safe_url(store.url),
            "schema": current_revision(store.engine),
            "schema_expected": head_revision(),
            "devices": session.exec(select(func.count()).select_from(Device)).one(),
            "snapshots": session.exec(select(func.count()).select_from(Snapshot)).one(),
            "events": session.exec(select(func.count()).select_from(Event)).one(),
        }
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
    """Recompute every device's status and the report tallies from the event log and
    report any mismatch with what is stored (there should be none). Exits 1 on one."""
    from refurb.store import tallies
    from refurb.store.db import open_store
    from refurb.store.inventory import status_mismatches

    store = open_store(db_url)
    if repair:
        with store.transaction() as session:
            tallies.rebuild(session.connection())
    with store.reading() as session:
        bad = status_mismatches(session)
        drift = tallies.differences(session.connection())
    if as_json:
        echo_json({"statuses": bad, "tallies": drift, "repaired": repair})
    else:
        for b in bad:
            click.echo(f"{b['tag']}: cached {b['cached']}, log says {b['derived']}")
        if not bad:
            click.echo("every status matches its event log")
        for line in drift:
            click.echo(f"tally {line}")
        if drift:
            click.echo("the report tallies differ from the events: run refurb db verify --repair")
        else:
            click.echo("the report tallies match the events" + (" (rebuilt)" if repair else ""))
    return 1 if bad or drift else 0
