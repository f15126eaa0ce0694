"""refurb lot ..., refurb participant ..."""

from __future__ import annotations

from typing import Any

import click

from refurb.cli.common import db_option, echo_json, json_option, open_db


@click.group()
def lot() -> None:
    """Intake lots: one donation, its donor, date, community and wishes."""


@lot.command("add")
@click.argument("code")
@click.option("--donor", required=True, help="Donor organisation.")
@click.option(
    "--date",
    "received_on",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Date received (YYYY-MM-DD).",
)
@click.option(
    "--choice",
    "donor_choice",
    type=click.Choice(["reuse", "recycle"]),
    default="reuse",
    show_default=True,
    help="The donor's choice: reuse, or recycle only.",
)
@click.option("--community", help="Community the lot serves, e.g. Iqaluit.")
@click.option("--site", help="Shop or site.")
@click.option(
    "--weight",
    "weight_kg",
    type=click.FloatRange(min=0, min_open=True),
    help="The lot's weight in kg, if weighed: more than 0, at most 100,000 (not inf or nan).",
)
@db_option
@json_option
def lot_add(
    code: str,
    donor: str,
    received_on: Any,
    donor_choice: str,
    community: str | None,
    site: str | None,
    weight_kg: float | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Record a new intake lot CODE.

    Codes are compared as they print: full-width letters and digits count as the
    ordinary ones, and a code that is empty, longer than 64 characters, holds an
    invisible character (zero-width space, word joiner, byte-order mark, a direction
    override), mixes alphabets, or is written in Cyrillic or Greek letters that all
    look Latin is refused (exit 3)."""
    from refurb.app.people import add_lot

    add_lot(
        open_db(db_url), code, donor, received_on.date(), donor_choice, community, site, weight_kg
    )
    if as_json:
        echo_json({"lot": code})
    else:
        click.echo(f"lot {code} recorded")


@lot.command("list")
@db_option
@json_option
def lot_list(db_url: str | None, as_json: bool) -> None:
    """List intake lots."""
    from refurb.app.people import lots

    rows = lots(open_db(db_url))
    if as_json:
        echo_json(rows)
    for r in rows if not as_json else []:
        click.echo(
            f"{r['code']:<16} {r['received_on']}  {r['donor']:<30} {r['choice']:<8} "
            f"{r['community'] or ''}"
        )


@click.group()
def participant() -> None:
    """Participants, known only by a pseudonymous code the program chooses."""


@participant.command("add")
@click.argument("code")
@click.option("--community", help="Community of the participant.")
@db_option
def participant_add(code: str, community: str | None, db_url: str | None) -> None:
    """Record participant CODE (no names needed, and none should be entered).

    The same rules as lot codes: compared as they print, and a code that is empty,
    longer than 64 characters, holds an invisible character, mixes alphabets, or is
    Cyrillic or Greek letters that all look Latin is refused (exit 3)."""
    from refurb.app.people import add_participant

    add_participant(open_db(db_url), code, community)
    click.echo(f"participant {code} recorded")


@participant.command("list")
@db_option
@json_option
def participant_list(db_url: str | None, as_json: bool) -> None:
    """List participant codes."""
    from refurb.app.people import participants

    rows = participants(open_db(db_url))
    if as_json:
        echo_json(rows)
    for r in rows if not as_json else []:
        click.echo(f"{r['code']:<16} {r['community'] or ''}")
