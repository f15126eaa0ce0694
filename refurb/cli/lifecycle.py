"""refurb status, wipe, issue, return, harvest, recycle"""

from __future__ import annotations

import click

from refurb.cli.common import (
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    station_prefix,
)
from refurb.lifecycle import TRANSITIONS


def _done(tag: str, status: str, as_json: bool, extra: str = "") -> None:
    if as_json:
        echo_json({"tag": tag, "status": status})
    else:
        click.echo(f"{tag} is now {status}{extra}")


@click.command()
@click.argument("tag")
@click.argument("new_status", type=click.Choice(list(TRANSITIONS)))
@click.option("--note", help="Why, in a few words.")
@operator_option
@db_option
@json_option
def status(
    tag: str,
    new_status: str,
    note: str | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Move a device to NEW_STATUS. Illegal moves are refused with the allowed ones;
    ready and issued need every drive sanitized."""
    from refurb.store.inventory import get_device, transition

    store = open_db(db_url)
    with store.transaction() as session:
        device = get_device(session, tag)
        transition(
            session,
            device,
            new_status,
            actor=resolve_operator(operator),
            note=note,
            station=station_prefix(),
        )
    _done(device.tag, new_status, as_json)


@click.command()
@click.argument("tag")
@click.option("--drive", "drive_ref", help="Only this drive (name or serial); default: all.")
@click.option(
    "--level",
    type=click.Choice(["clear", "purge", "destroy"]),
    help="NIST SP 800-88 sanitization level.",
)
@click.option(
    "--method",
    type=click.Choice(["overwrite", "block-erase", "crypto-erase", "physical"]),
    help="How it was done.",
)
@click.option("--tool", help="Tool used, e.g. nwipe, hdparm, nvme-cli.")
@click.option("--tool-version", help="Version of the tool.")
@click.option(
    "--verify",
    "verification_method",
    help="How the result was verified, e.g. 'full read-back', 'sample 10 %'.",
)
@click.option(
    "--result",
    "verification_result",
    type=click.Choice(["pass", "fail"]),
    help="Verification result.",
)
@click.option("--verified-by", help="Who verified (a second person where possible).")
@click.option("--destination", help="Where the media goes next (reuse, recycler name...).")
@click.option("--removed", is_flag=True, help="The drive was taken out (record only).")
@click.option("--destroyed", is_flag=True, help="The drive was physically destroyed.")
@click.option("--note", help="Anything an auditor should know.")
@operator_option
@db_option
@json_option
def wipe(
    tag: str,
    drive_ref: str | None,
    level: str | None,
    method: str | None,
    tool: str | None,
    tool_version: str | None,
    verification_method: str | None,
    verification_result: str | None,
    verified_by: str | None,
    destination: str | None,
    removed: bool,
    destroyed: bool,
    note: str | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Record the sanitization of a device's drives (NIST SP 800-88 Rev. 2 fields), or
    that a drive was removed or destroyed. A factory reset is not sanitization."""
    from refurb.errors import BadInput
    from refurb.store.inventory import get_device
    from refurb.store.inventory import wipe as record_wipe

    if removed and destroyed:
        raise BadInput("--removed and --destroyed cannot both be given")
    if removed:
        level, method = "removed", "removed"
    elif destroyed:
        level, method = "destroy", method or "physical"
    if level is None or method is None:
        raise BadInput(
            "say how the drive was sanitized: --level and --method (or --removed / --destroyed)"
        )
    store = open_db(db_url)
    who = resolve_operator(operator)
    with store.transaction() as session:
        records = record_wipe(
            session,
            tag,
            drive_ref=drive_ref,
            level=level,
            method=method,
            tool=tool,
            tool_version=tool_version,
            verification_method=verification_method,
            verification_result=verification_result,
            performed_by=who,
            verified_by=verified_by,
            destination=destination,
            notes=note,
            station=station_prefix(),
        )
        device = get_device(session, tag)
    if as_json:
        echo_json({"tag": device.tag, "status": device.status, "records": len(records)})
    else:
        click.echo(
            f"{device.tag}: {len(records)} drive record(s) saved ({level}); status {device.status}"
        )


@click.command()
@click.argument("tag")
@click.option("--to", "participant", required=True, help="Participant code.")
@click.option("--note", help="Anything worth keeping about the hand-over.")
@operator_option
@db_option
@json_option
def issue(
    tag: str,
    participant: str,
    note: str | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Hand a ready laptop to a participant (by their pseudonymous code)."""
    from refurb.store.inventory import issue as do_issue

    store = open_db(db_url)
    with store.transaction() as session:
        do_issue(session, tag, participant, resolve_operator(operator), note, station_prefix())
    from refurb.tags import normalize

    _done(normalize(tag), "issued", as_json, f" to {participant}")


@click.command("return")
@click.argument("tag")
@click.option("--note", help="Why it came back.")
@operator_option
@db_option
@json_option
def return_(
    tag: str, note: str | None, operator: str | None, db_url: str | None, as_json: bool
) -> None:
    """A participant brought a laptop back. It must be wiped again before reissue."""
    from refurb.store.inventory import return_device
    from refurb.tags import normalize

    store = open_db(db_url)
    with store.transaction() as session:
        return_device(session, tag, resolve_operator(operator), note, station_prefix())
    _done(normalize(tag), "returned", as_json)


@click.command()
@click.argument("tag")
@click.option(
    "--part",
    "kind",
    required=True,
    type=click.Choice(
        ["ram", "ssd", "hdd", "nvme", "battery", "charger", "screen", "keyboard", "other"]
    ),
    help="What was taken out.",
)
@click.option("--into", help="Tag of the device it was fitted to.")
@click.option("--description", help="e.g. '8 GB DDR4 SODIMM'.")
@click.option("--serial", help="The part's serial number.")
@operator_option
@db_option
@json_option
def harvest(
    tag: str,
    kind: str,
    into: str | None,
    description: str | None,
    serial: str | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Take a part out of a device (it becomes harvested), optionally fitting it into
    another. A drive fitted elsewhere must be sanitized there too."""
    from refurb.store.inventory import harvest as do_harvest

    store = open_db(db_url)
    with store.transaction() as session:
        part = do_harvest(
            session,
            tag,
            kind,
            description=description,
            serial=serial,
            into=into,
            actor=resolve_operator(operator),
            station=station_prefix(),
        )
    if as_json:
        echo_json({"part": part.id, "kind": kind, "from": tag, "into": into})
    else:
        click.echo(f"{kind} taken from {tag}" + (f" and fitted to {into}" if into else ""))


@click.command()
@click.argument("tags", nargs=-1, required=True)
@click.option("--note", help="e.g. the downstream recycler.")
@operator_option
@db_option
@json_option
def recycle(
    tags: tuple[str, ...], note: str | None, operator: str | None, db_url: str | None, as_json: bool
) -> None:
    """Send devices to a downstream recycler (final)."""
    from refurb.store.inventory import get_device, transition

    store = open_db(db_url)
    who = resolve_operator(operator)
    with store.transaction() as session:
        done = []
        for tag in tags:
            device = get_device(session, tag)
            transition(session, device, "recycled", actor=who, note=note, station=station_prefix())
            done.append(device.tag)
    if as_json:
        echo_json([{"tag": t, "status": "recycled"} for t in done])
    else:
        for t in done:
            click.echo(f"{t} is now recycled")
