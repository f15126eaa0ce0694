"""refurb stocktake"""

from __future__ import annotations

import sys

import click

from refurb.cli.common import (
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    station_prefix,
    tell,
)
from refurb.errors import ExitStatus
from refurb.i18n import N_


@click.command()
@click.argument("site")
@click.argument("tags", nargs=-1, required=True)
@operator_option
@db_option
@json_option
def stocktake(
    site: str, tags: tuple[str, ...], operator: str | None, db_url: str | None, as_json: bool
) -> None:
    """Count a shelf: record each TAG (a tag, an alias or a label's URL) as seen at SITE,
    then list the devices the records put at SITE that were not seen, and the ones seen
    that were not expected there. A device the rulebook refuses (a recycled one) is
    listed with the reason and the others are still recorded; the exit status is then 6.
    The scan page's stocktake does the same from a phone."""
    from refurb.app.scan import stocktake as count
    from refurb.scanning import tag_from_scan

    result = count(
        open_db(db_url, "write"),
        site,
        [tag_from_scan(t) for t in tags],
        actor=resolve_operator(operator),
        station=station_prefix(),
    )
    refused = [o for o in result.seen if not o.done]
    if as_json:
        echo_json(
            {
                "site": result.site,
                "seen": [o.tag for o in result.seen if o.done],
                "refused": [{"tag": o.tag, "reason": o.reason, "rule": o.rule} for o in refused],
                "missing": result.missing,
                "unexpected": result.unexpected,
            }
        )
    else:
        tell(N_("seen at {site}: {n}"), site=result.site, n=sum(o.done for o in result.seen))
        for o in refused:
            click.echo(f"  refused {o.tag}: {o.reason}")
        tell(N_("expected here but not seen: {n}"), n=len(result.missing))
        for r in result.missing:
            click.echo(f"  {r['tag']}  {r['status']}  {r['model'] or ''}".rstrip())
        tell(N_("seen here but not expected: {n}"), n=len(result.unexpected))
        for r in result.unexpected:
            click.echo(f"  {r['tag']}  ({r['why']})")
    if refused:
        sys.exit(ExitStatus.REFUSED)
