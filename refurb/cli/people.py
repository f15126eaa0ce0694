"""refurb lot ..., refurb participant ..."""

from __future__ import annotations

from typing import Any

import click

from refurb.cli.common import (
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    tell,
)
from refurb.i18n import N_


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
    help="The lot's weight in kg, if weighed: from 0.01 to 100,000 (not inf or nan).",
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
        open_db(db_url, "create"),
        code,
        donor,
        received_on.date(),
        donor_choice,
        community,
        site,
        weight_kg,
    )
    if as_json:
        echo_json({"lot": code})
    else:
        tell(N_("lot {code} recorded"), code=code)


@lot.command("list")
@db_option
@json_option
def lot_list(db_url: str | None, as_json: bool) -> None:
    """List intake lots."""
    from refurb.app.people import lots

    rows = lots(open_db(db_url, "read"))
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
@json_option
def participant_add(code: str, community: str | None, db_url: str | None, as_json: bool) -> None:
    """Record participant CODE (no names needed, and none should be entered).

    The same rules as lot codes: compared as they print, and a code that is empty,
    longer than 64 characters, holds an invisible character, mixes alphabets, or is
    Cyrillic or Greek letters that all look Latin is refused (exit 3)."""
    from refurb.app.people import add_participant

    add_participant(open_db(db_url, "create"), code, community)
    if as_json:
        echo_json({"participant": code, "community": community})
    else:
        tell(N_("participant {code} recorded"), code=code)


@participant.command("list")
@db_option
@json_option
def participant_list(db_url: str | None, as_json: bool) -> None:
    """List participant codes."""
    from refurb.app.people import participants

    rows = participants(open_db(db_url, "read"))
    if as_json:
        echo_json(rows)
    for r in rows if not as_json else []:
        click.echo(f"{r['code']:<16} {r['community'] or ''}")


def _changed(what: str, changed: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json({k: {"old": o, "new": n} for k, (o, n) in changed.items()})
    elif not changed:
        tell(N_("{what}: nothing to change"), what=what)
    else:
        for k, (o, n) in changed.items():
            click.echo(f"{what}: {k} {o!s} -> {n!s}")


@lot.command("edit")
@click.argument("code")
@click.option("--donor", help="Donor organisation.")
@click.option("--date", "received_on", type=click.DateTime(["%Y-%m-%d"]), help="Date received.")
@click.option("--choice", "donor_choice", type=click.Choice(["reuse", "recycle"]))
@click.option("--community", help="Community the lot serves (its devices follow).")
@click.option("--site", help="Shop or site.")
@click.option("--weight", "weight_kg", type=float, help="The lot's weight in kg.")
@click.option("--reason", required=True, help="Why: kept with the change.")
@operator_option
@db_option
@json_option
def lot_edit(
    code: str,
    donor: str | None,
    received_on: Any,
    donor_choice: str | None,
    community: str | None,
    site: str | None,
    weight_kg: float | None,
    reason: str,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Correct a lot's facts. Each change is kept (old value, new value, reason, who,
    when) and shown by `refurb lot history CODE`; the lot's devices follow its community."""
    from refurb.app.people import edit_lot

    changes = {
        k: v
        for k, v in (
            ("donor", donor),
            ("received_on", received_on.date() if received_on else None),
            ("donor_choice", donor_choice),
            ("community", community),
            ("site", site),
            ("weight_kg", weight_kg),
        )
        if v is not None
    }
    changed = edit_lot(
        open_db(db_url, "write"), code, changes, reason=reason, actor=resolve_operator(operator)
    )
    _changed(f"lot {code}", changed, as_json)


@lot.command("history")
@click.argument("code")
@db_option
@json_option
def lot_history(code: str, db_url: str | None, as_json: bool) -> None:
    """The changes made to lot CODE after it was recorded."""
    from refurb.app.people import changes

    _history(changes(open_db(db_url, "read"), "lots", code), as_json)


def _history(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        echo_json(rows)
        return
    if not rows:
        tell(N_("no changes since it was recorded"))
    for r in rows:
        click.echo(
            f"{r['at'][:16]}  {r['field']}: {r['old']} -> {r['new']}  by {r['actor']}"
            f"  ({r['reason']})"
        )


@participant.command("edit")
@click.argument("code")
@click.option("--community", required=True, help="The community they live in.")
@click.option("--reason", required=True, help="Why: kept with the change.")
@operator_option
@db_option
@json_option
def participant_edit(
    code: str,
    community: str,
    reason: str,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Correct the community a participant lives in (kept with its history)."""
    from refurb.app.people import edit_participant

    changed = edit_participant(
        open_db(db_url, "write"), code, community, reason=reason, actor=resolve_operator(operator)
    )
    _changed(f"participant {code}", changed, as_json)


@participant.command("history")
@click.argument("code")
@db_option
@json_option
def participant_history(code: str, db_url: str | None, as_json: bool) -> None:
    """The changes made to participant CODE after it was recorded."""
    from refurb.app.people import changes

    _history(changes(open_db(db_url, "read"), "participants", code), as_json)


def _names_group(what: str) -> click.Group:
    @click.group(name=what, help=f"Spellings of {what} names: list them, merge variants.")
    def group() -> None:
        pass

    @group.command("list")
    @db_option
    @json_option
    def list_names(db_url: str | None, as_json: bool) -> None:
        from refurb.app.people import names

        rows = names(open_db(db_url, "read"), what)
        if as_json:
            echo_json(rows)
            return
        for r in rows:
            counts = ", ".join(f"{r[k]} {k}" for k in ("lots", "participants") if r.get(k))
            click.echo(f"{r['name']:<30} {counts}")

    list_names.__doc__ = f"Every {what} spelling on record; case and accent variants sort together."

    @group.command("merge")
    @click.argument("old")
    @click.argument("new")
    @click.option("--reason", help="Why (kept with each change).")
    @operator_option
    @db_option
    @json_option
    def merge(
        old: str,
        new: str,
        reason: str | None,
        operator: str | None,
        db_url: str | None,
        as_json: bool,
    ) -> None:
        from refurb.app.people import merge_names

        n = merge_names(
            open_db(db_url, "write"),
            what,
            old,
            new,
            reason=reason,
            actor=resolve_operator(operator),
        )
        if as_json:
            echo_json({"merged": old, "into": new, "records": n})
        else:
            tell(N_("{n} record(s) now say {new!r}"), n=n, new=new)

    merge.__doc__ = (
        f"Every {what} spelled like OLD (any case, accents or spaces) becomes NEW, in "
        "every record and report; each change is kept."
    )
    return group


community = _names_group("community")
donor = _names_group("donor")
