"""refurb show, list, search"""

from __future__ import annotations

import csv
import sys
from typing import Any

import click

from refurb import words
from refurb.cli.common import LANG, db_option, echo_json, json_option, open_db
from refurb.csvsafe import csv_safe
from refurb.i18n import Translator, gettext_for
from refurb.words import word

lang_option = click.option(
    "--lang", type=LANG, help="Language of the words (the config's or REFURB_LANG by default)."
)


def _tr(lang: str | None) -> Translator:
    from refurb.config import load_config

    return gettext_for(lang or load_config().lang)


def _table(rows: list[dict[str, Any]], tr: Translator) -> None:
    from refurb.assess.messages import DISPOSITION
    from refurb.reports.i18n import status_word

    if not rows:
        click.echo(tr("no devices"))
        return
    for r in rows:
        status = status_word(r["status"], tr.lang)
        verdict = tr(DISPOSITION[r["disposition"]]) if r["disposition"] in DISPOSITION else "-"
        click.echo(
            f"{r['tag']:<10} {status:<12} {verdict:<16} "
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
@lang_option
@db_option
@json_option
def show(tag: str, lang: str | None, db_url: str | None, as_json: bool) -> None:
    """Everything about one device: identity, verdict, drives and their sanitization,
    and its whole history."""
    from refurb.app.devices import show as device_record
    from refurb.assess.messages import DISPOSITION
    from refurb.reports.i18n import kind_word, status_word

    record = device_record(open_db(db_url, "read"), tag)
    if as_json:
        echo_json(record)
        return
    tr = _tr(lang)
    status = status_word(record["status"], tr.lang)
    click.echo(f"{record['tag']}  {record['vendor'] or '?'} {record['model'] or '?'}  [{status}]")
    click.echo(
        tr("  serial {serial}  chassis {chassis}  lot {lot}  community {community}").format(
            serial=record["serial"] or tr("unknown"),
            chassis=kind_word(record["chassis"], tr.lang) if record["chassis"] else "?",
            lot=record["lot"] or "-",
            community=record["community"] or "-",
        )
    )
    disposition = record["disposition"]
    click.echo(
        tr("  verdict {verdict}  grade {functional}/{cosmetic}").format(
            verdict=tr(DISPOSITION[disposition]) if disposition in DISPOSITION else "-",
            functional=record["grade"]["functional"] or "-",
            cosmetic=record["grade"]["cosmetic"] or "-",
        )
    )
    for d in record["drives"]:
        done = ", ".join(
            tr("{level} {result} by {who}")
            .format(
                level=word("level", s["level"], tr.lang),
                result=word("result", s["result"], tr.lang),
                who=s["performed_by"],
            )
            .replace("  ", " ")
            for s in d["sanitization"]
        ) or tr("NOT SANITIZED")
        drive = f"{d['name'] or '?'} {d['model'] or ''} {d['serial'] or ''}".rstrip()
        state = "" if d["present"] else f" ({tr('removed')})"
        click.echo(tr("  drive {drive}{state}: {done}").format(drive=drive, state=state, done=done))
    click.echo(tr("  history:"))
    for e in record["events"]:
        what = (
            status_word(e["status"], tr.lang) if e["status"] else word("event", e["kind"], tr.lang)
        )
        who = tr(" by {actor}").format(actor=e["actor"]) if e["actor"] else ""
        extra = f" -> {e['participant']}" if e["participant"] else ""
        note = f"  ({words.note(e['note'], tr.lang)})" if e["note"] else ""
        late = ""
        if e["recorded_at"] and e["recorded_at"][:10] != e["at"][:10]:
            # a paper record entered later
            late = tr("  [entered {date}]").format(date=e["recorded_at"][:10])
        voided = tr("  [VOIDED]") if e["voided_by"] else ""
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
@lang_option
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
    lang: str | None,
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
        _table(rows, _tr(lang))


@click.command()
@click.argument("text")
@lang_option
@db_option
@json_option
def search(text: str, lang: str | None, db_url: str | None, as_json: bool) -> None:
    """Find devices by tag, serial (machine or drive) or part of the model name.

    TEXT is taken literally: % and _ are characters, not wildcards. Empty TEXT is
    refused (exit 3)."""
    from refurb.app.devices import search as find

    rows = find(open_db(db_url, "read"), text)
    if as_json:
        echo_json(rows)
    else:
        _table(rows, _tr(lang))
