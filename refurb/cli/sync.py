"""refurb export (and bundles for refurb import)"""

from __future__ import annotations

import os
from typing import Any

import click

from refurb.cli.common import db_option, echo_json, json_option, open_db, station_prefix
from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.untrusted import one_line, open_regular


def program_key() -> bytes:
    from refurb.config import load_config

    key = os.environ.get("REFURB_PROGRAM_KEY") or load_config().program_key
    if not key or len(key) < 16:
        raise BadInput(
            N_("no program key (or shorter than 16 characters)"),
            N_(
                "set program_key in the config file (the same at every station and the "
                "hub), or REFURB_PROGRAM_KEY"
            ),
        )
    return key.encode("utf-8")


def is_bundle(path: str) -> bool:
    """A regular file starting as a zip does (a named pipe is not opened: it would wait)."""
    try:
        with open_regular(path) as fh:
            return fh.read(4) == b"PK\x03\x04"
    except (BadInput, OSError):
        return False


def import_bundle(path: str, db_url: str | None) -> dict[str, Any]:
    from refurb.app.hub import import_bundle as merge_bundle

    key = program_key()
    try:
        fh = open_regular(path)  # closed below, after the merge
    except BadInput as exc:
        raise BadInput(
            Phrase(N_("bundle {path}: {reason}"), path=one_line(path), reason=exc.message)
        ) from None
    with fh:  # its size and zip directory are checked first; it is never read whole
        return merge_bundle(open_db(db_url, "create"), fh, key, path)


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="BUNDLE",
    help="The bundle file to write (e.g. iqaluit-2026-11.refurb).",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only what changed since this day (with what it refers to).",
)
@db_option
@json_option
def export(out: str, since: Any, db_url: str | None, as_json: bool) -> None:
    """Write this station's records (lots, devices, snapshots, assessments, events,
    sanitization records, parts) as one bundle signed with the program key, for the hub:
    `refurb import BUNDLE` there merges it exactly once."""
    from datetime import UTC

    from refurb.app.hub import export as export_bundle
    from refurb.fsutil import write_atomic

    key = program_key()
    data, counts = export_bundle(
        open_db(db_url, "read"), key, station_prefix(), since.replace(tzinfo=UTC) if since else None
    )
    write_atomic(out, data, mode=0o600)  # signed with the program key; serials inside
    if as_json:
        echo_json({"bundle": out, "rows": counts})
    else:
        click.echo(f"{out}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
