"""refurb scan"""

from __future__ import annotations

import sys

import click

from refurb.cli.common import db_option, open_db, operator_option, resolve_operator, station_prefix
from refurb.errors import RefurbError
from refurb.lifecycle import TRANSITIONS

HELP = (
    "scan a tag to see the device; 'set STATUS' applies STATUS to every tag scanned "
    "next, 'set none' stops that, 'quit' ends"
)


@click.command()
@click.option(
    "--set",
    "armed",
    type=click.Choice(list(TRANSITIONS)),
    help="Apply this status to every tag scanned.",
)
@click.option("--note", help="Note stored with each status change.")
@operator_option
@db_option
def scan(armed: str | None, note: str | None, operator: str | None, db_url: str | None) -> None:
    """A loop for USB barcode scanners (they type the tag and Enter): scan a tag to see the
    device, or arm a status to apply it to a run of devices quickly. A mistyped or unknown
    tag is said plainly and nothing changes."""
    from refurb.store.inventory import get_device, transition

    store = open_db(db_url)
    who = resolve_operator(operator)
    station = station_prefix()
    stdin = sys.stdin
    click.echo(HELP, err=True)
    applied = 0
    while True:
        if armed:
            click.echo(f"[{armed}] scan> ", nl=False, err=True)
        else:
            click.echo("scan> ", nl=False, err=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        words = text.split()
        if words[0].lower() in ("quit", "exit", "q"):
            break
        if words[0].lower() == "set":
            choice = words[1].lower() if len(words) > 1 else ""
            if choice == "none":
                armed = None
                click.echo("no status armed: scans only show devices")
            elif choice in TRANSITIONS:
                armed = choice
                click.echo(f"armed: every tag scanned now becomes {armed}")
            else:
                click.echo(f"unknown status {choice!r}; statuses: {', '.join(TRANSITIONS)}")
            continue
        try:
            with store.transaction() as session:
                device = get_device(session, text)
                summary = (
                    f"{device.tag}  {device.vendor or '?'} {device.model or '?'}  "
                    f"[{device.status}]  verdict {device.disposition or '-'}"
                )
                if armed:
                    transition(session, device, armed, actor=who, note=note, station=station)
                    summary += f"  -> {armed}"
                    applied += 1
            click.echo(summary)
        except RefurbError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            click.echo(f"NOT CHANGED  {exc.message}{hint}")
    click.echo(f"{applied} device(s) changed", err=True)
