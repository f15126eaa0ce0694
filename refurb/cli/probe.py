"""refurb probe"""

from __future__ import annotations

import click

from refurb.cli.common import reader_lang
from refurb.probe.run import make_source, snapshot_json, take_snapshot

__all__ = ["make_source", "probe", "snapshot_json", "take_snapshot"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the snapshot JSON to FILE.")
@click.option(
    "--outbox",
    type=click.Path(file_okay=False),
    help="Write the snapshot into folder DIR (a USB stick) under a unique name.",
)
@click.option("--no-smart", is_flag=True, help="Skip smartctl (faster; disks unassessed).")
@click.option(
    "--replay",
    type=click.Path(),
    metavar="CAPTURE",
    help="Probe a recorded capture folder instead of this machine.",
)
@click.option(
    "--record",
    type=click.Path(),
    metavar="DIR",
    help="Also record every reading into a new capture folder DIR.",
)
@click.option("--scrub", is_flag=True, help="With --record: blank serial numbers and UUIDs.")
def probe(
    as_json: bool,
    out: str | None,
    outbox: str | None,
    no_smart: bool,
    replay: str | None,
    record: str | None,
    scrub: bool,
) -> None:
    """Read this machine's hardware health: identity, CPU, memory, disks (SMART) and
    batteries. Readings that cannot be taken are listed as gaps, with the reason."""
    from refurb.fsutil import write_atomic

    snap = take_snapshot(replay, not no_smart, record, scrub)
    text = snapshot_json(snap)
    if out:
        write_atomic(out, text.encode("utf-8"))
    if outbox:
        from refurb.outbox import outbox_name

        path = write_atomic(f"{outbox}/{outbox_name(snap)}", text.encode("utf-8"))
        click.echo(f"saved {path}", err=True)
    if as_json:
        click.echo(text, nl=False)
    elif not out or outbox:
        from refurb.probe.summary import summarize

        click.echo(summarize(snap, reader_lang()))
