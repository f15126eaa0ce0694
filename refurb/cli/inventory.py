"""refurb show, list, search"""

from __future__ import annotations

import csv
import sys
from typing import Any

import click

from refurb.cli.common import db_option, echo_json, json_option, open_db
from refurb.csvsafe import csv_safe


def _table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("no devices")
        return
    for r in rows:
        click.echo(
            f"{r['tag']:<10} {r['status']:<10} {(r['disposition'] or '-'):<10} "
            f"{(r['vendor'] or '?')[:12]:<12} {(r['model'] or '?')[:28]:<28} "
            f"{r['community'] or ''}"
        )


def _csv(rows: list[dict[str, Any]]) -> None:
    from refurb.app.devices import COLUMNS

    writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS))
    writer.writeheader()
    for r in rows:
        writer.writerow({k: csv_safe(v) for k, v in r.items()})


@click.command()
@click.argument("tag")
@db_option
@json_option
def show(tag: str, db_url: str | None, as_json: bool) -> None:
    """Everything about one device: identity, verdict, drives and their sanitization,
    and its whole history."""
    from refurb.app.devices import show as device_record

    record = device_record(open_db(db_url, "read"), tag)
    if as_json:
        echo_json(record)
        return
    click.echo(
        f"{record['tag']}  {record['vendor'] or '?'} {record['model'] or '?'}  [{record['status']}]"
    )
    click.echo(
        f"  serial {record['serial'] or 'unknown'}  chassis {record['chassis'] or '?'}  "
        f"lot {record['lot'] or '-'}  community {record['community'] or '-'}"
    )
    click.echo(
        f"  verdict {record['disposition'] or '-'}  grade "
        f"{record['grade']['functional'] or '-'}/{record['grade']['cosmetic'] or '-'}"
    )
    for d in record["drives"]:
        done = (
            ", ".join(
                f"{s['level']} {s['result'] or ''} by {s['performed_by']}".strip()
                for s in d["sanitization"]
            )
            or "NOT SANITIZED"
        )
        state = "" if d["present"] else " (removed)"
        click.echo(
            f"  drive {d['name'] or '?'} {d['model'] or ''} {d['serial'] or ''}{state}: {done}"
        )
    click.echo("  history:")
    for e in record["events"]:
        what = e["status"] or e["kind"]
        who = f" by {e['actor']}" if e["actor"] else ""
        extra = f" -> {e['participant']}" if e["participant"] else ""
        note = f"  ({e['note']})" if e["note"] else ""
        late = ""
        if e["recorded_at"] and e["recorded_at"][:10] != e["at"][:10]:
            late = f"  [entered {e['recorded_at'][:10]}]"  # a paper record entered later
        voided = "  [VOIDED]" if e["voided_by"] else ""
        click.echo(
            f"    {e['id'][-8:]}  {e['at'][:16].replace('T', ' ')}  {what}{extra}{who}{note}"
            f"{late}{voided}"
        )


@click.command("list")
@click.option("--status", help="Only devices in this status.")
@click.option("--community", help="Only devices from this community.")
@click.option("--lot", help="Only devices of this lot.")
@click.option("--site", help="Only devices whose intake lot came to this shop or site.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Received on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Received before.")
@click.option("--limit", type=int, help="At most this many (1 or more).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@db_option
@json_option
def list_(
    status: str | None,
    community: str | None,
    lot: str | None,
    site: str | None,
    since: Any,
    until: Any,
    limit: int | None,
    as_csv: bool,
    db_url: str | None,
    as_json: bool,
) -> None:
    """List devices, filtered by status, community, lot, site or date received."""
    from refurb.app.devices import listing

    rows = listing(
        open_db(db_url, "read"),
        status=status,
        community=community,
        lot=lot,
        site=site,
        since=since.date() if since else None,
        until=until.date() if until else None,
        limit=limit,
    )
    if as_json:
        echo_json(rows)
    elif as_csv:
        _csv(rows)
    else:
        _table(rows)


@click.command()
@click.argument("text")
@db_option
@json_option
def search(text: str, db_url: str | None, as_json: bool) -> None:
    """Find devices by tag, serial (machine or drive) or part of the model name.

    TEXT is taken literally: % and _ are characters, not wildcards. Empty TEXT is
    refused (exit 3)."""
    from refurb.app.devices import search as find

    rows = find(open_db(db_url, "read"), text)
    if as_json:
        echo_json(rows)
    else:
        _table(rows)
