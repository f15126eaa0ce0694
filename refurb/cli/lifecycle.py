"""refurb status, wipe, issue, return, harvest, recycle"""

from __future__ import annotations

from datetime import datetime

import click

from refurb.cli.common import (
    at_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    station_prefix,
    tell,
)
from refurb.i18n import N_, Phrase
from refurb.lifecycle.rules import ATTESTATIONS, PART_KINDS, STATUSES


def _done(tag: str, status: str, as_json: bool, extra: str = "") -> None:
    if as_json:
        echo_json({"tag": tag, "status": status})
    else:
        tell(N_("{tag} is now {status}{extra}"), tag=tag, status=Phrase(status), extra=extra)


@click.command()
@click.argument("tag")
@click.argument("new_status", type=click.Choice(list(STATUSES)))
@click.option("--note", help="Why, in a few words.")
@at_option
@operator_option
@db_option
@json_option
def status(
    tag: str,
    new_status: str,
    note: str | None,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Move a device to NEW_STATUS: diagnosed, repairing or ready (every other status is
    the result of its own command: wipe, issue, return, harvest, recycle). Illegal moves
    are refused with the reason; ready needs a probe since the last repair or return,
    every drive sanitized and no failing drive."""
    from refurb.app.lifecycle import move

    done = move(
        open_db(db_url, "write"),
        tag,
        new_status,
        actor=resolve_operator(operator),
        note=note,
        station=station_prefix(),
        at=at,
    )
    _done(done.tag, done.status, as_json)


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
@at_option
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
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Record the sanitization of a device's drives (NIST SP 800-88 Rev. 2 fields), or
    that a drive was removed or destroyed. A factory reset is not sanitization."""
    from refurb.app.lifecycle import wipe as record_wipe
    from refurb.errors import UsageProblem
    from refurb.lifecycle.sanitization import WipeRecord

    if removed and destroyed:
        raise UsageProblem(N_("--removed and --destroyed cannot both be given"))
    if removed:
        level, method = "removed", "removed"
    elif destroyed:
        level, method = "destroy", method or "physical"
    if level is None or method is None:
        raise UsageProblem(
            N_("say how the drive was sanitized: --level and --method (or --removed / --destroyed)")
        )
    record = WipeRecord(
        level=level,
        method=method,
        tool=tool,
        tool_version=tool_version,
        verification_method=verification_method,
        verification_result=verification_result,
        performed_by=resolve_operator(operator),
        verified_by=verified_by,
        destination=destination,
        notes=note,
        station=station_prefix(),
        at=at,
    )
    done = record_wipe(open_db(db_url, "write"), tag, record, drive_ref)
    if as_json:
        echo_json({"tag": done.tag, "status": done.status, "records": done.records})
    else:
        tell(
            N_("{tag}: {records} drive record(s) saved ({level}); status {status}"),
            tag=done.tag,
            records=done.records,
            level=level,
            status=Phrase(done.status),
        )


@click.command()
@click.argument("tag")
@click.option("--to", "participant", required=True, help="Participant code.")
@click.option("--note", help="Anything worth keeping about the hand-over.")
@at_option
@operator_option
@db_option
@json_option
def issue(
    tag: str,
    participant: str,
    note: str | None,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Hand a ready laptop to a participant (by their pseudonymous code)."""
    from refurb.app.lifecycle import issue as do_issue

    done = do_issue(
        open_db(db_url, "write"),
        tag,
        participant,
        actor=resolve_operator(operator),
        note=note,
        station=station_prefix(),
        at=at,
    )
    _done(done.tag, done.status, as_json, f" to {done.participant}")


@click.command("return")
@click.argument("tag")
@click.option("--note", help="Why it came back.")
@at_option
@operator_option
@db_option
@json_option
def return_(
    tag: str,
    note: str | None,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """A participant brought a laptop back. It must be wiped again before reissue."""
    from refurb.app.lifecycle import return_ as do_return

    done = do_return(
        open_db(db_url, "write"),
        tag,
        actor=resolve_operator(operator),
        note=note,
        station=station_prefix(),
        at=at,
    )
    _done(done.tag, done.status, as_json)


@click.command()
@click.argument("tag")
@click.option(
    "--part",
    "kind",
    required=True,
    type=click.Choice(list(PART_KINDS)),
    help="What was taken out.",
)
@click.option("--into", help="Tag of the device it was fitted to (which must be in repair).")
@click.option(
    "--missed-by-probe",
    metavar="NOTE",
    help="The device has this part though the probe did not find it: say so.",
)
@click.option("--description", help="e.g. '8 GB DDR4 SODIMM'.")
@click.option("--serial", help="The part's serial number.")
@at_option
@operator_option
@db_option
@json_option
def harvest(
    tag: str,
    kind: str,
    into: str | None,
    description: str | None,
    serial: str | None,
    missed_by_probe: str | None,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Take a part out of a device (it becomes harvested), optionally fitting it into
    another that is in repair. Only parts the probe found can be taken (or say it missed
    one); a drive fitted elsewhere must be sanitized there too, after a new probe."""
    from refurb.app.lifecycle import harvest as do_harvest

    done = do_harvest(
        open_db(db_url, "write"),
        tag,
        kind,
        description=description,
        serial=serial,
        into=into,
        actor=resolve_operator(operator),
        station=station_prefix(),
        at=at,
        missed_by_probe=missed_by_probe,
    )
    into_tag = done.detail.get("into")
    if as_json:
        echo_json({"kind": kind, "from": done.tag, "into": into_tag, "status": done.status})
    else:
        click.echo(
            f"{kind} taken from {done.tag}" + (f" and fitted to {into_tag}" if into_tag else "")
        )


@click.command()
@click.argument("tags", nargs=-1, required=True)
@click.option("--note", help="e.g. the downstream recycler.")
@at_option
@operator_option
@db_option
@json_option
def recycle(
    tags: tuple[str, ...],
    note: str | None,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Send devices to a downstream recycler (final). All of them, or none if one is
    refused."""
    from refurb.app.lifecycle import recycle as do_recycle

    done = do_recycle(
        open_db(db_url, "write"),
        tags,
        actor=resolve_operator(operator),
        note=note,
        station=station_prefix(),
        at=at,
    )
    if as_json:
        echo_json([{"tag": d.tag, "status": d.status} for d in done])
    else:
        for d in done:
            tell(N_("{tag} is now {status}"), tag=d.tag, status=Phrase(d.status))


@click.command()
@click.argument("tag")
@click.argument("what", type=click.Choice(list(ATTESTATIONS)))
@click.option("--reason", required=True, help="Why, in words an auditor can check.")
@at_option
@operator_option
@db_option
@json_option
def attest(
    tag: str,
    what: str,
    reason: str,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """A lead's recorded statement about a device: no-storage (it has no drive at all,
    checked by hand, so it can be made ready without a sanitization record) or
    drive-accepted (a drive the probe flagged as failing is accepted as it is)."""
    from refurb.app.lifecycle import attest as do_attest

    done = do_attest(
        open_db(db_url, "write"),
        tag,
        what,
        reason=reason,
        actor=resolve_operator(operator),
        station=station_prefix(),
        at=at,
    )
    if as_json:
        echo_json({"tag": done.tag, "status": done.status, "attested": what})
    else:
        click.echo(f"{done.tag}: {what} recorded")


@click.command()
@click.argument("tag")
@click.argument("kg", type=float)
@at_option
@operator_option
@db_option
@json_option
def weigh(
    tag: str,
    kg: float,
    at: datetime | None,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Record a device's measured weight in kg (after intake; the report counts it as
    measured instead of the chassis default)."""
    from refurb.app.lifecycle import weigh as do_weigh

    done = do_weigh(
        open_db(db_url, "write"),
        tag,
        kg,
        actor=resolve_operator(operator),
        station=station_prefix(),
        at=at,
    )
    if as_json:
        echo_json({"tag": done.tag, "weight_kg": kg})
    else:
        tell(N_("{tag} weighs {kg:g} kg"), tag=done.tag, kg=kg)


@click.command()
@click.argument("event")
@click.option("--reason", required=True, help="What was wrong, in words an auditor can check.")
@click.option(
    "--force", is_flag=True, help="Void a step that is not the device's latest (a lead's call)."
)
@operator_option
@db_option
@json_option
def void(
    event: str,
    reason: str,
    force: bool,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Correct a mistake: void EVENT (the id `refurb show` prints beside each step: its
    last 8 characters). The event stays in the history, marked voided; the status,
    weight and reports follow as if it had not happened. A voided issue is not a
    return."""
    from refurb.app.lifecycle import void as do_void

    done = do_void(
        open_db(db_url, "write"),
        event,
        reason=reason,
        force=force,
        actor=resolve_operator(operator),
        station=station_prefix(),
    )
    if as_json:
        echo_json({"tag": done.tag, "status": done.status, "voided": done.detail["voided"]})
    else:
        tell(
            N_("{tag}: event {event} voided; status {status}"),
            tag=done.tag,
            event=str(done.detail["voided"])[-8:],
            status=Phrase(done.status),
        )
