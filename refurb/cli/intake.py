"""refurb intake"""

from __future__ import annotations

from typing import Any

import click

from refurb.cli.assess import judge, verdict_inputs
from refurb.cli.common import (
    at_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    station_prefix,
)
from refurb.i18n import N_, gettext_for

# what intake did, in capitals: the trainee reads it at a glance
_OUTCOMES = {
    "new": N_("NEW DEVICE"),
    "updated": N_("KNOWN DEVICE, new snapshot"),
    "known": N_("ALREADY RECORDED"),
}


@click.command()
@verdict_inputs
@click.option("--lot", "lot_code", help="The intake lot (donation) this device came in.")
@click.option("--weight", "weight_kg", type=float, help="Measured weight in kg (from 0.01 to 200).")
@click.option(
    "--distinct", is_flag=True, help="Record as a new device even if its serial is already known."
)
@click.option(
    "--label",
    "label_out",
    type=click.Path(dir_okay=False),
    metavar="PDF",
    help="Also write this device's asset label to PDF.",
)
@click.option(
    "--stock", default=None, help="Label stock for --label (see refurb label --list-stocks)."
)
@at_option
@operator_option
@db_option
@json_option
def intake(
    snapshot: str | None,
    replay: str | None,
    checklist: str | None,
    lot_code: str | None,
    weight_kg: float | None,
    policy_path: str | None,
    distinct: bool,
    no_smart: bool,
    label_out: str | None,
    stock: str | None,
    lang: str | None,
    at: Any,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Probe this machine (or SNAPSHOT, or --replay), assess it, record it in the
    inventory and print its asset tag. The main job at the bench."""
    from refurb.assess.render import render
    from refurb.config import load_config

    lang = lang or load_config().lang
    who = resolve_operator(operator)
    station = station_prefix()
    snap, sheet, verdict = judge(snapshot, replay, checklist, policy_path, no_smart, lang, who)
    if not as_json:
        # The verdict first: the trainee reads it while the inventory opens (the database
        # libraries take most of a second to load on a bench laptop).
        click.echo(render(verdict, verbose=False))
    store = open_db(db_url, "create")
    from refurb.app.intake import intake as record

    result = record(
        store,
        snap,
        verdict,
        operator=who,
        station=station,
        lot_code=lot_code,
        weight_kg=weight_kg,
        distinct=distinct,
        checklist=sheet.to_dict() if sheet else None,
        at=at,
    )
    if label_out:
        from refurb.cli.label import write_labels

        write_labels(store, [result.tag], label_out, stock, lang)
    if as_json:
        echo_json({"intake": result.to_dict(), "assessment": verdict.to_dict()})
        return
    tr = gettext_for(lang)
    word = tr(_OUTCOMES[result.outcome])
    ident = snap.identity
    click.echo(f"{result.tag}   {word}   {ident.vendor or '?'} {ident.model or '?'}")
    for warning in result.warnings:
        click.echo(tr("note: {warning}").format(warning=tr(warning)), err=True)
    if label_out:
        click.echo(tr("label written to {path}").format(path=label_out), err=True)
