"""refurb scan"""

from __future__ import annotations

import sys

import click

from refurb.cli.common import (
    db_option,
    open_db,
    operator_option,
    resolve_operator,
    station_prefix,
    tell,
)
from refurb.errors import RefurbError
from refurb.i18n import N_
from refurb.lifecycle.rules import MOVABLE

HELP = (
    "scan a tag to see the device; 'set STATUS' applies STATUS to every tag scanned "
    "next, 'set none' stops that, 'quit' ends"
)


@click.command()
@click.option(
    "--set",
    "armed",
    type=click.Choice(list(MOVABLE)),
    help="Apply this status to every tag scanned (diagnosed, repairing or ready).",
)
@click.option("--note", help="Note stored with each status change.")
@operator_option
@db_option
def scan(armed: str | None, note: str | None, operator: str | None, db_url: str | None) -> None:
    """A loop for USB barcode scanners (they type the tag and Enter): scan a tag to see the
    device, or arm a status to apply it to a run of devices quickly. A label whose QR code
    holds a web address (label_url, ending in /d/TAG) scans the same as one with the bare
    tag. A mistyped or unknown tag is said plainly and nothing changes."""
    from refurb.app.devices import scan_one
    from refurb.scanning import tag_from_scan
    from refurb.untrusted import one_line

    store = open_db(db_url, "write")
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
        try:
            line = stdin.readline()
        except UnicodeDecodeError:  # a scanner set to another code page
            tell(N_("that scan was not UTF-8 text; check the scanner's settings"))
            continue
        if not line:
            break
        text = one_line(line)  # what a scanner types passes the argument cleaner too
        if not text:
            continue
        words = text.split()
        if words[0].lower() in ("quit", "exit", "q"):
            break
        if words[0].lower() == "set":
            choice = words[1].lower() if len(words) > 1 else ""
            if choice == "none":
                armed = None
                tell(N_("no status armed: scans only show devices"))
            elif choice in MOVABLE:
                armed = choice
                tell(N_("armed: every tag scanned now becomes {armed}"), armed=armed)
            else:
                tell(
                    N_(
                        "{choice!r} cannot be armed; a scan can set: {statuses} (the other "
                        "statuses have their own command)"
                    ),
                    choice=choice,
                    statuses=", ".join(MOVABLE),
                )
            continue
        try:
            seen = scan_one(
                store, tag_from_scan(text), armed, actor=who, note=note, station=station
            )
            summary = (
                f"{seen.tag}  {seen.vendor or '?'} {seen.model or '?'}  "
                f"[{seen.was}]  verdict {seen.disposition or '-'}"
            )
            if armed:
                summary += f"  -> {armed}"
                applied += 1
            click.echo(summary)
        except RefurbError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            tell(N_("NOT CHANGED  {message}{hint}"), message=exc.message, hint=hint)
    tell(N_("{applied} device(s) changed"), applied=applied, err=True)
